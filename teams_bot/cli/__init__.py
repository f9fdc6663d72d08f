"""`sgtracker`, the command line: serve, migrate, package, outbox, audit, retention, privacy,
roles."""

from .main import main

__all__ = ["main"]

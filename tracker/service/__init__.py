"""The application service: every use case, each one transaction behind the ports."""

from __future__ import annotations

from .admin import AdminService
from .base import Outcome, ServiceBase, ServiceOptions
from .delivery import DeliveryService
from .intake import IntakeForm, IntakeService
from .queries import Page, QueryService
from .reminders import ReminderService
from .triage import TriageService


class CaseService(
    AdminService,
    IntakeService,
    TriageService,
    QueryService,
    DeliveryService,
    ReminderService,
):
    """All use cases in one object; each slice lives in its own module (one line each here)."""


__all__ = ["CaseService", "IntakeForm", "Outcome", "Page", "ServiceBase", "ServiceOptions"]

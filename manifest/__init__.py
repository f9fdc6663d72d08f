"""The Teams app manifest template, icons, package builder and checks.

This package stands alone: it imports only the standard library and Pillow, never the bot.
"""

from manifest.build import (
    DEFAULT_DEVELOPER,
    MANIFEST_VERSION,
    CommandInfo,
    Developer,
    add_developer_arguments,
    build_manifest,
    build_package,
    developer_from_args,
)

__all__ = [
    "DEFAULT_DEVELOPER",
    "MANIFEST_VERSION",
    "CommandInfo",
    "Developer",
    "add_developer_arguments",
    "build_manifest",
    "build_package",
    "developer_from_args",
]

"""The application service: every use case, each one transaction behind the ports."""

from __future__ import annotations

from .acknowledge import AcknowledgeService
from .admin import AdminService
from .audit import AuditService
from .base import Outcome, ServiceBase, ServiceOptions
from .chasing import ChasingService
from .delivery import DeliveryService
from .intake import IntakeForm, IntakeService
from .learning import LearningService
from .path2 import Path2Service
from .queries import Page, QueryService
from .reminders import ReminderService
from .retention import RetentionService
from .roles_import import RolesImportService
from .triage import TriageService


class CaseService(
    Path2Service, LearningService, AcknowledgeService, ChasingService,  # Path 2, escalations
    RolesImportService,
    AdminService,
    AuditService, RetentionService,  # security: history, retention
    IntakeService,
    TriageService,
    QueryService,
    DeliveryService,
    ReminderService,
):
    """All use cases in one object; each slice lives in its own module (one line each here)."""


__all__ = ["CaseService", "IntakeForm", "Outcome", "Page", "ServiceBase", "ServiceOptions"]

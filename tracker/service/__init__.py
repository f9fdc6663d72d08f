"""The application service: every use case, each one transaction behind the ports."""

from __future__ import annotations

from .acknowledge import AcknowledgeService
from .admin import AdminService
from .audit import AuditService
from .base import Outcome, ServiceBase, ServiceOptions
from .browse import Areas, BrowseService
from .chasing import ChasingService
from .closing import ClosingService
from .delivery import DeliveryService
from .export import ExportService
from .intake import IntakeForm, IntakeService
from .learning import LearningService
from .meetings import MeetingService
from .panel import PanelService
from .path1_reminders import Path1ReminderService
from .path2 import Path2Service
from .privacy_scan import Flagged, PrivacyScanService
from .queries import Page, QueryService
from .record import RecordService
from .reminders import ReminderService
from .retention import RetentionService
from .review_actions import ReviewActionService
from .roles_import import RolesImportService
from .triage import TriageService


class CaseService(
    Path2Service, LearningService, AcknowledgeService, ChasingService,  # Path 2, escalations
    RolesImportService,
    AdminService,
    AuditService, RetentionService, PrivacyScanService,  # security: history, retention
    IntakeService,
    TriageService,
    QueryService,
    DeliveryService,
    PanelService, RecordService, ReviewActionService, MeetingService, ClosingService,  # Path 1
    ExportService, Path1ReminderService,  # Path 1
    BrowseService,  # the tab
    ReminderService,
):
    """All use cases in one object; each slice lives in its own module (one line each here)."""


__all__ = ["Areas", "CaseService", "Flagged", "IntakeForm", "Outcome", "Page", "ServiceBase",
           "ServiceOptions"]

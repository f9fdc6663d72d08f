"""The application service: every use case, each one transaction behind the ports."""

from __future__ import annotations

from .admin import AdminService
from .base import Outcome, ServiceBase
from .delivery import DeliveryService
from .intake import IntakeForm, IntakeService
from .queries import Page, QueryService
from .triage import TriageService


class CaseService(AdminService, IntakeService, TriageService, QueryService, DeliveryService):
    """All use cases in one object; each slice lives in its own module."""


__all__ = ["CaseService", "IntakeForm", "Outcome", "Page", "ServiceBase"]

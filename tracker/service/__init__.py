"""The application service: small use cases, each holding the one write path (`Writer`) and
the ports it needs, wired once here (the composition root). `CaseService` is a thin façade
that keeps one public name per use case method for teams_bot/, tab/ and the tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..clock import Clock
from ..ports import UnitsOfWork
from ..reference import Reference
from .acknowledge import Acknowledgements
from .admin import Admin
from .audit import Audit
from .base import Deps, Outcome, ServiceOptions
from .browse import Areas, Browse
from .chasing import AckChasing
from .closing import Closing
from .delivery import Delivery
from .escalation import Escalations
from .export import Export
from .intake import Intake, IntakeForm
from .learning import Learning
from .meetings import Meetings
from .panel import Panel
from .path1_reminders import Path1Reminders
from .path2 import Path2Record
from .policies import ReminderPolicy
from .privacy_scan import Flagged, PrivacyScan
from .queries import Page, Queries
from .record import Record
from .reminders import Reminders
from .retention import Retention
from .review_actions import ReviewActions
from .roles_import import RolesImport
from .snooze import Snooze
from .triage import Triage
from .writer import Writer

# Every reminder policy, in the order they sync the ledger on each change (see policies.py).
REMINDER_POLICIES: tuple[Callable[[Deps], ReminderPolicy], ...] = (Path1Reminders, AckChasing)


class CaseService:
    """Every use case, built once from the ports; its methods, one line each, are the API."""

    def __init__(
        self,
        uow: UnitsOfWork,
        ref: Reference,
        clock: Clock,
        admins: Iterable[str] = (),
        options: ServiceOptions | None = None,
    ) -> None:
        deps = Deps(uow, ref, clock, options or ServiceOptions(),
                    frozenset(a.strip().lower() for a in admins if a.strip()))
        self.deps = deps
        self.uow, self.ref, self.clock, self.wd = uow, ref, clock, deps.wd
        self.options, self.admins = deps.options, deps.admins
        self.today = deps.today

        w = Writer(deps, reminders=[policy(deps) for policy in REMINDER_POLICIES])
        self.writer = w
        self.escalations = escalations = Escalations(w)
        self.intake = Intake(w, after_intake=(escalations.at_intake,))
        self.routing = triage = Triage(w)
        self.queries = queries = Queries(w)
        self.admin = admin = Admin(w)
        self.roles_import = RolesImport(w)
        self.delivery = delivery = Delivery(w)
        self.panel = panel = Panel(w)
        self.records = record = Record(w)
        self.review_actions = actions = ReviewActions(w)
        self.meetings = meetings = Meetings(w)
        self.closing = closing = Closing(w, media_policy=escalations.media_flagged)
        self.export = export = Export(w)
        self.reminders = reminders = Reminders(w)
        self.snoozing = Snooze(w)
        self.path2 = Path2Record(w, escalations)
        self.acknowledgements = Acknowledgements(w)
        self.learning = learning = Learning(w)
        self.audit = Audit(w)
        self.retention = retention = Retention(w)
        self.privacy_scan = scan = PrivacyScan(w)
        self.browsing = browse = Browse(w)

        # --- the write path, for the few callers that check before they act ------------
        self.access, self.access_in, self.check = w.access, w.access_in, w.check
        self.may_receive, self.sync_reminders = w.may_receive, w.sync_reminders
        # --- intake, triage, the route ----------------------------------------------------
        self.parse_intake, self.log_incident = self.intake.parse_intake, self.intake.log_incident
        self.age_group, self.triage = triage.age_group, triage.triage
        self.decide_route, self.move_to_path1 = triage.decide_route, triage.move_to_path1
        # --- reading --------------------------------------------------------------------
        self.get_case, self.peek, self.scopes = queries.get_case, queries.peek, queries.scopes
        self.list_cases, self.history = queries.list_cases, queries.history
        self.case_history = self.audit.case_history
        # --- where the bot lives, roles -------------------------------------------------
        self.record_installation = admin.record_installation
        self.setup_channel = admin.setup_channel
        self.move_channel, self.scope_for = admin.move_channel, admin.scope_for
        self.assign_role, self.tell, self.channel = admin.assign_role, admin.tell, admin.channel
        self.role_holders, self.import_roles = admin.role_holders, self.roles_import.import_roles
        self.all_channels = delivery.all_channels
        self.report_delivery_failure = delivery.report_delivery_failure
        # --- Path 1 -----------------------------------------------------------------------
        self.review_type, self.panel_decision = panel.review_type, panel.panel_decision
        self.update_record = record.update_record
        self.set_designated_professional = record.set_designated_professional
        self.add_action, self.set_action_status = actions.add_action, actions.set_action_status
        self.agenda, self.overdue = meetings.agenda, meetings.overdue
        self.record_discussion = meetings.record_discussion
        self.close_outcomes, self.close_case = closing.close_outcomes, closing.close_case
        self.close, self.reopen = closing.close, closing.reopen
        self.record_briefing = closing.record_briefing
        self.check_export, self.export_records = export.check_export, export.export_records
        # --- reminders ------------------------------------------------------------------
        self.fire, self.reminder_handlers = reminders.fire, reminders.reminder_handlers
        self.in_working_hours = reminders.in_working_hours
        self.next_working_time = reminders.next_working_time
        self.wanted_reminders = self.snoozing.policy.wanted_reminders
        self.snooze = self.snoozing.snooze
        # --- Path 2, escalations, learning ----------------------------------------------
        self.update_path2 = self.path2.update_path2
        self.flag_media, self.escalate = escalations.flag_media, escalations.escalate
        self.media_flagged = escalations.media_flagged
        self.acknowledge = self.acknowledgements.acknowledge
        self.record_learning = learning.record_learning
        self.learning_shared, self.role_gaps = learning.learning_shared, learning.role_gaps
        # --- records management -----------------------------------------------------------
        self.retention_due = retention.retention_due
        self.apply_retention = retention.apply_retention
        self.stored_patient_data = scan.stored_patient_data
        self.redact_patient_data = scan.redact_patient_data
        # --- the tab ----------------------------------------------------------------------
        self.browse, self.export_view = browse.browse, browse.export_view
        self.people_seen, self.areas = browse.people_seen, browse.areas
        self.statistics = browse.statistics


__all__ = ["REMINDER_POLICIES", "Areas", "CaseService", "Deps", "Flagged", "IntakeForm",
           "Outcome", "Page", "ServiceOptions", "Writer"]

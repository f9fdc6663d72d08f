"""The Path 2 record: framework (PSIRF or legacy SIF 2015), learning response, identifiers, the
72-hour report and investigation dates, and the specialist commissioned flag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..errors import InvalidInput
from ..model import ID_LABELS, Actor, Case, Identifier, IdKind, State
from ..ports import DuplicateIdentifier, Notice, UnitOfWork
from ..privacy import check_text
from ..states import Verb
from .base import Outcome
from .escalation import Escalations
from .writer import Writer

LEGACY = "sif_2015"
INVESTIGATION_CLOCK = "si_investigation"  # timescales.json; an agreed date replaces its default
REF_MAX = 40
PATH2_STATES = (State.SI,)


@dataclass(frozen=True)
class Path2Update:
    """What to change; None (or empty) leaves a field as it is."""

    framework: str | None = None
    response_type: str | None = None
    identifiers: tuple[tuple[IdKind, str], ...] = ()
    report_72h_on: date | None = None
    investigation_due_on: date | None = None
    specialist_commissioned: bool | None = None


class Path2Record:
    def __init__(self, w: Writer, escalations: Escalations) -> None:
        self.w, self.d = w, w.deps
        self.escalations = escalations

    async def update_path2(
        self, actor: Actor, number: int, version: int | None, upd: Path2Update, today: date
    ) -> Outcome:
        framework = self.d.ref.option("frameworks", upd.framework).key if upd.framework else None
        response = self.d.ref.option("response_types", upd.response_type).key \
            if upd.response_type else None
        ids = [(k, v.strip()) for k, v in upd.identifiers if v and v.strip()]
        for kind, value in ids:
            if len(value) > REF_MAX:
                raise InvalidInput({kind.value: f"Keep the {ID_LABELS[kind]} reference under "
                                                 f"{REF_MAX} characters."})
        check_text({k.value: v for k, v in ids})
        if upd.report_72h_on and upd.report_72h_on > today:
            raise InvalidInput({"report_72h_on": "The 72-hour report date can't be in the "
                                                 "future."})
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            case = await self.w.load(uow, access, number, "edit_record")
            await self.w.check_version(uow, actor, case, version, Verb.EDIT)
            changes: dict[str, tuple[Any, Any]] = {}
            if (framework not in (None, case.framework)
                    or response not in (None, case.response_type)
                    or upd.report_72h_on not in (None, case.report_72h_on)
                    or upd.investigation_due_on not in (None, case.investigation_due_on)):
                _need_path2(case)
            if framework and framework != case.framework:
                changes["framework"] = (case.framework, framework)
                case.framework = framework
            if response and response != case.response_type:
                changes["response_type"] = (case.response_type, response)
                case.response_type = response
            self._legacy_dates(case, upd, changes)
            await self._add_ids(uow, case, ids, changes)
            notices: list[Notice] = []
            if upd.specialist_commissioned is not None \
                    and upd.specialist_commissioned != case.specialist_commissioned:
                changes["specialist_commissioned"] = (case.specialist_commissioned,
                                                      upd.specialist_commissioned)
                case.specialist_commissioned = upd.specialist_commissioned
                if case.specialist_commissioned and case.media_interest:
                    _esc, notices = await self.escalations.media_escalation(
                        uow, actor, case, "Specialist commissioned patient (media interest)")
            if not changes:
                return Outcome(case, f"Case {number}'s record already says that; nothing "
                                     "changed.", changed=False)
            await self.w.apply(uow, actor, case, Verb.EDIT, "path2_record_updated", changes,
                               notices)
            await uow.commit()
        what = ", ".join(k.replace("_", " ") for k in changes)
        return Outcome(case, f"Case {number} updated: {what}.")

    def _legacy_dates(self, case: Case, upd: Path2Update,
                      changes: dict[str, tuple[Any, Any]]) -> None:
        """The 72-hour report and investigation dates belong to the legacy framework only.
        A date sent back unchanged (a prefilled form) is not a change."""
        report = upd.report_72h_on if upd.report_72h_on != case.report_72h_on else None
        due = upd.investigation_due_on if upd.investigation_due_on != case.investigation_due_on \
            else None
        if (report or due) and case.framework != LEGACY:
            raise InvalidInput({"framework": "The 72-hour report and investigation dates apply "
                                             "only under the legacy SI framework (SIF 2015). Set "
                                             "the framework to SIF 2015 first."})
        if report:
            changes["report_72h_on"] = (case.report_72h_on, report)
            case.report_72h_on = report
        if due and due != case.investigation_due_on:
            changes["investigation_due_on"] = (case.investigation_due_on, due)
            case.investigation_due_on = due

    async def _add_ids(self, uow: UnitOfWork, case: Case, ids: list[tuple[IdKind, str]],
                       changes: dict[str, tuple[Any, Any]]) -> None:
        new = [(k, v) for k, v in ids if v not in case.ids(k)]
        if not new:
            return
        try:
            await uow.cases.claim_identifiers(case.number, new)
        except DuplicateIdentifier as dup:
            raise InvalidInput({"identifier": f"That reference already belongs to case "
                                              f"{dup.case_number}. Nothing was changed."}) from None
        before = [f"{i.kind.value}:{i.value}" for i in case.identifiers]
        case.identifiers += [Identifier(k, v) for k, v in new]
        changes["identifiers"] = (before, [f"{i.kind.value}:{i.value}" for i in case.identifiers])


def _need_path2(case: Case) -> None:
    if case.state not in PATH2_STATES:
        raise InvalidInput({"route": f"Case {case.number} is {case.state.label}. The framework, "
                                     "response and SI dates are recorded once it is on Path 2."})

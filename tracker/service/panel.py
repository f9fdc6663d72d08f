"""The panel's decision on a Path 1 case: Rapid Review, CSPR, SAR, DHR, DHR (child) or none."""

from __future__ import annotations

from datetime import date

from ..errors import InvalidInput
from ..model import REVIEW_LABELS, Actor, Case, ReviewType, State
from ..permissions import Access
from ..ports import UnitOfWork
from ..privacy import check_text
from ..states import Verb
from .base import Outcome
from .closing import closing_notice
from .path1_common import Change, day
from .writer import Writer

PANEL_VERBS = {
    ReviewType.RAPID_REVIEW: Verb.PANEL_RAPID_REVIEW,
    ReviewType.CSPR: Verb.PANEL_REVIEW,
    ReviewType.SAR: Verb.PANEL_REVIEW,
    ReviewType.DHR: Verb.PANEL_REVIEW,
    ReviewType.DHR_CHILD: Verb.PANEL_REVIEW,
    ReviewType.NO_REVIEW: Verb.PANEL_NO_REVIEW,
}
REASON_MAX = 600


class Panel:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    def review_type(self, text: str) -> ReviewType:
        """What people type or pick ("CSPR", "DHR (child, 16-17)", "no review") as a type."""
        if not text.strip():
            raise InvalidInput({"review_type": "Choose the panel's decision."})
        return ReviewType(self.d.ref.option("review_types", text).key)

    async def panel_decision(
        self, actor: Actor, number: int, version: int | None, choice: str,
        panel_on: date | None = None, reason: str = "",
    ) -> Outcome:
        """Record the panel's decision, its date and who recorded it.

        A Rapid Review that becomes a full review is marked converted; "No review" needs a
        reason and closes the case.
        """
        chosen = self.review_type(choice)
        reason = " ".join(reason.split())
        if chosen is ReviewType.NO_REVIEW and not reason:
            raise InvalidInput({"reason": "Give the panel's reason for no review."})
        if len(reason) > REASON_MAX:
            raise InvalidInput({"reason": f"Keep the reason under {REASON_MAX} characters."})
        check_text({"reason": reason})
        today = self.d.today()
        on = panel_on or today
        if on > today:
            raise InvalidInput({"panel_date": "The panel date can't be in the future."})
        verb = PANEL_VERBS[chosen]

        async def mutate(uow: UnitOfWork, access: Access, case: Case) -> Change:
            converted = case.state is State.RAPID_REVIEW and verb is Verb.PANEL_REVIEW
            new_type = case.review_type if (chosen is ReviewType.NO_REVIEW and
                                            case.state is State.RAPID_REVIEW) else chosen
            changes: dict[str, tuple[object, object]] = {
                "review_type": (case.review_type, new_type), "panel_date": (case.panel_date, on)}
            case.review_type, case.panel_date = new_type, on
            if converted and not case.converted:
                changes["converted"] = (False, True)
                case.converted = True
            if verb is Verb.PANEL_REVIEW:
                changes["review_started_on"] = (case.review_started_on, on)
                case.review_started_on = on
            label = REVIEW_LABELS[chosen] + (", converted from Rapid Review" if converted else "")
            detail = f"{label} (panel {day(on)})" + (f": {reason}" if reason else "")
            notices = []
            if chosen is ReviewType.NO_REVIEW:
                changes["close_reason"] = (case.close_reason, reason)
                case.close_reason = reason
                notices.append(closing_notice(case, actor, f"no review: {reason}"))
            self.w.decide(case, actor, "panel", detail)
            return Change(changes, f"Case {number}: panel decision recorded: {detail}.",
                          notices, detail=reason)

        return await self.w.edit(actor, number, version, "panel_decision", verb,
                                 "panel_decision", mutate)

"""The end of a case review: the pre-publication briefing, closing (published or embargoed), and
reopening. Closing by card and by command share `close_case`, so the thread hears the same
closing notice either way."""

from __future__ import annotations

from datetime import date

from ..errors import InvalidInput
from ..model import Actor, Briefing, Case, State
from ..permissions import Access
from ..ports import Notice, UnitOfWork
from ..privacy import check_text
from ..record_fields import read_url
from ..states import Verb
from .base import Outcome
from .path1_common import Change, Path1Base, at, day, thread_reply

OUTCOMES = {"published": Verb.CLOSE_PUBLISHED, "embargoed": Verb.CLOSE_EMBARGOED}
REASON_MAX = 600


def closing_notice(case: Case, actor: Actor, what: str) -> Notice:
    """The one message every way of closing posts in the case thread."""
    people = [case.designated_professional] if case.designated_professional else []
    lead = f"{at(people)}: " if people else ""
    text = (f"{lead}Case {case.number} is closed ({what}), by {actor.display}. The record is "
            f"now read-only; a safeguarding lead can `reopen case {case.number} <reason>`.")
    return thread_reply(case.number, text, people, key=f"closed:{case.number}:{case.version}")


class ClosingService(Path1Base):
    async def close_case(
        self, actor: Actor, number: int, version: int | None, outcome: str, *,
        url: str = "", on: date | None = None, signed_off: date | None = None,
        until: date | None = None, reason: str = "",
    ) -> Outcome:
        """Close as published (link, publication date, signed-off date) or embargoed."""
        verb = OUTCOMES.get(outcome.strip().lower())
        if verb is None:
            raise InvalidInput({"outcome": "Say how the case closes: `published <link>` or "
                                           "`embargoed [until <date>] [reason]`."})
        today = self.today()
        reason = " ".join(reason.split())
        if len(reason) > REASON_MAX:
            raise InvalidInput({"reason": f"Keep the reason under {REASON_MAX} characters."})
        check_text({"reason": reason})
        if verb is Verb.CLOSE_PUBLISHED:
            url = read_url(url)
            if not url:
                raise InvalidInput({"report_url": (
                    "To close as published, give the link to the final report: `close case "
                    f"{number} published https://… [on <date>]`. Nothing was changed.")})
            on = on or today
            if on > today:
                raise InvalidInput({"published_on": "The publication date can't be in the "
                                                    "future; close the case once it is out."})
        elif until is not None and until <= today:
            raise InvalidInput({"embargo_until": "The embargo end date has to be in the "
                                                 "future."})

        async def mutate(uow: UnitOfWork, access: Access, case: Case) -> Change:
            if verb is Verb.CLOSE_PUBLISHED:
                return self._published(case, actor, url, on or today, signed_off, reason)
            changes: dict[str, tuple[object, object]] = {
                "embargo_until": (case.embargo_until, until),
                "embargo_reason": (case.embargo_reason, reason)}
            case.embargo_until, case.embargo_reason = until, reason
            what = "embargoed" + (f" until {day(until)}" if until else "") + \
                (f": {reason}" if reason else "")
            return self._closed(case, actor, changes, what)

        return await self.edit_case(actor, number, version, "close", verb, "case_closed", mutate)

    def _published(self, case: Case, actor: Actor, url: str, on: date,
                   signed_off: date | None, reason: str) -> Change:
        signed = signed_off or case.signed_off_on
        if signed is None:
            raise InvalidInput({"signed_off_on": (
                f"Case {case.number} has no report signed-off date yet. Record it with `update "
                f"case {case.number} signed off <date>` (or in the Close form), then close it "
                "again. Nothing was changed.")})
        if signed > on:
            raise InvalidInput({"signed_off_on": "The report can't be signed off after it was "
                                                 "published."})
        changes: dict[str, tuple[object, object]] = {
            "report_url": (case.report_url, url), "published_on": (case.published_on, on),
            "signed_off_on": (case.signed_off_on, signed)}
        case.report_url, case.published_on, case.signed_off_on = url, on, signed
        if reason:
            changes["close_reason"] = (case.close_reason, reason)
            case.close_reason = reason
        return self._closed(case, actor, changes, f"published on {day(on)}, [final report]({url})")

    def _closed(self, case: Case, actor: Actor, changes: dict[str, tuple[object, object]],
                what: str) -> Change:
        self.decide(case, actor, "closed", what)
        return Change(changes, f"Case {case.number} closed: {what}.",
                      [closing_notice(case, actor, what)])

    async def reopen(self, actor: Actor, number: int, reason: str) -> Outcome:
        """Safeguarding leads only (permissions.json "reopen"); the reason is on record."""
        reason = " ".join(reason.split())
        if not reason:
            raise InvalidInput({"reason": f"Give the reason: `reopen case {number} <reason>`."})
        if len(reason) > REASON_MAX:
            raise InvalidInput({"reason": f"Keep the reason under {REASON_MAX} characters."})
        check_text({"reason": reason})

        async def mutate(uow: UnitOfWork, access: Access, case: Case) -> Change:
            changes: dict[str, tuple[object, object]] = {"reopen_reason": (None, reason)}
            if case.close_reason:
                changes["close_reason"] = (case.close_reason, "")
                case.close_reason = ""
            self.decide(case, actor, "reopened", reason)
            text = f"Case {number} was reopened by {actor.display}: {reason}"
            return Change(changes, f"Case {number} reopened.",
                          [thread_reply(number, text, key=f"reopened:{number}:{case.version}")],
                          detail=reason)

        return await self.edit_case(actor, number, None, "reopen", Verb.REOPEN, "case_reopened",
                                    mutate)

    async def record_briefing(
        self, actor: Actor, number: int, version: int | None, on: date | None = None,
        media_likely: bool = False,
    ) -> Outcome:
        """The pre-publication briefing to the local communications team."""
        today = self.today()
        on = on or today
        if on > today:
            raise InvalidInput({"briefing_on": "The briefing date can't be in the future."})

        async def mutate(uow: UnitOfWork, access: Access, case: Case) -> Change:
            if case.state is not State.REVIEW:
                raise InvalidInput({"briefing": "The pre-publication briefing is recorded while "
                                                "the review is in progress."})
            if media_likely:
                await self.require(uow, access, "flag_media", case)
            old = case.briefing
            case.briefing = Briefing(on=on, by=actor.display, media_likely=media_likely)
            done = Change({"briefing": (old, case.briefing)},
                          f"Case {number}: pre-publication briefing on {day(on)} recorded.")
            if media_likely and not case.media_interest:
                done.changes["media_interest"] = (False, True)
                case.media_interest = True
            if media_likely:
                done.notices += await self.media_flagged(uow, actor, case)
                done.message += " Media attention is flagged and the communications lead told."
            return done

        return await self.edit_case(actor, number, version, "edit_record", Verb.EDIT,
                                    "briefing_recorded", mutate)

    async def media_flagged(self, uow: UnitOfWork, actor: Actor, case: Case) -> list[Notice]:
        """What flagging likely media attention sets off. Here: @mention the communications
        lead(s) for the case; the Path 2 media escalation may override this to start its own."""
        comms = await self.holders_for(uow, "comms_lead", case)
        n = case.number
        if comms:
            text = (f"{at(comms)}: case {n} is close to publication and media attention is "
                    f"likely. {actor.display} gave the pre-publication briefing. Please plan the "
                    "communications handling.")
        else:
            text = (f"Case {n} is close to publication and media attention is likely, but nobody "
                    "holds the communications lead role for it. A safeguarding lead can assign "
                    "one with `role comms lead @name`.")
        return [thread_reply(n, text, comms, key=f"media:{n}:{case.version}")]

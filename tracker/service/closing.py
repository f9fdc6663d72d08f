"""The end of a case: the pre-publication briefing, closing a case review (published, embargoed,
or completed and not for publication) or a Path 2 case (completed, de-logged, no further
action: options.json "si_outcomes"), and reopening. Closing by card and by command share
`close`, so the thread hears the same closing notice either way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..errors import InvalidInput
from ..model import Actor, Briefing, Case, ReviewType, State
from ..permissions import Access
from ..ports import Notice, UnitOfWork
from ..privacy import check_text
from ..record_fields import read_url
from ..states import Verb
from .base import Outcome
from .path1_common import Change, at, day, holders_for, thread_reply
from .policies import MediaPolicy
from .writer import Writer

OUTCOMES = {"published": Verb.CLOSE_PUBLISHED, "embargoed": Verb.CLOSE_EMBARGOED,
            "not for publication": Verb.CLOSE_NOT_PUBLISHED,
            "completed, not for publication": Verb.CLOSE_NOT_PUBLISHED,
            "completed not for publication": Verb.CLOSE_NOT_PUBLISHED,
            "not published": Verb.CLOSE_NOT_PUBLISHED,
            "not_for_publication": Verb.CLOSE_NOT_PUBLISHED}
REASON_MAX = 600
DHR_TYPES = (ReviewType.DHR, ReviewType.DHR_CHILD)


def closing_notice(case: Case, actor: Actor, what: str) -> Notice:
    """The one message every way of closing posts in the case thread."""
    people = [case.designated_professional] if case.designated_professional else []
    lead = f"{at(people)}: " if people else ""
    text = (f"{lead}Case {case.number} is closed ({what}), by {actor.display}. The record is "
            f"now read-only; a safeguarding lead can reopen it with `reopen case {case.number}` "
            "and the reason.")
    return thread_reply(case.number, text, people, key=f"closed:{case.number}:{case.version}")


@dataclass(frozen=True)
class CloseRequest:
    """What a Close form or `close case N ...` sends; unused fields stay empty."""

    outcome: str
    url: str = ""
    on: date | None = None
    signed_off: date | None = None
    until: date | None = None
    reason: str = ""
    qa_on: date | None = None  # DHR: Home Office QA date
    without_briefing: bool = False  # the writer confirmed closing with no briefing recorded


class Closing:
    def __init__(self, w: Writer, media_policy: MediaPolicy | None = None) -> None:
        """`media_policy`: what a briefing that flags likely media attention sets off (the
        media escalation, wired at start-up); by default the communications lead is told."""
        self.w, self.d = w, w.deps
        self.media_policy: MediaPolicy = media_policy or self.comms_lead_told

    def close_outcomes(self) -> str:
        """Every outcome, as people type them, for hints."""
        si = ", ".join(o.label.lower() for o in self.d.ref.options["si_outcomes"])
        return f"published, embargoed or not for publication (a case review); {si} (Path 2)"

    def _outcome(self, text: str) -> tuple[Verb, str]:
        said = " ".join(text.strip().lower().split())
        verb = OUTCOMES.get(said)
        if verb is not None:
            return verb, ""
        if said:
            try:
                return Verb.CLOSE_SI, self.d.ref.option("si_outcomes", said).key
            except InvalidInput:
                pass
        raise InvalidInput({"outcome": f"Say how the case closes: {self.close_outcomes()}."})

    async def close_case(
        self, actor: Actor, number: int, version: int | None, outcome: str, *,
        url: str = "", on: date | None = None, signed_off: date | None = None,
        until: date | None = None, reason: str = "", qa_on: date | None = None,
        without_briefing: bool = False,
    ) -> Outcome:
        """Close a case review (published, embargoed, not for publication) or a Path 2 case
        (an outcome of options.json "si_outcomes")."""
        return await self.close(actor, number, version, CloseRequest(
            outcome, url, on, signed_off, until, reason, qa_on, without_briefing))

    async def close(self, actor: Actor, number: int, version: int | None,
                    req: CloseRequest) -> Outcome:
        verb, si_outcome = self._outcome(req.outcome)
        today = self.d.today()
        reason = " ".join(req.reason.split())
        if len(reason) > REASON_MAX:
            raise InvalidInput({"reason": f"Keep the reason under {REASON_MAX} characters."})
        check_text({"reason": reason})
        url, on, until = "", req.on, req.until
        if verb is Verb.CLOSE_PUBLISHED:
            url = read_url(req.url)
            if not url:
                raise InvalidInput({"report_url": (
                    "To close as published, give the link to the final report: `close case "
                    f"{number} published https://…` (add `on` and the date if it was not "
                    "today). Nothing was changed.")})
            on = on or today
            if on > today:
                raise InvalidInput({"published_on": "The publication date can't be in the "
                                                    "future; close the case once it is out."})
        elif verb is Verb.CLOSE_EMBARGOED and until is not None and until <= today:
            raise InvalidInput({"embargo_until": "The embargo end date has to be in the "
                                                 "future."})
        for key, value in (("signed_off_on", req.signed_off), ("home_office_qa_on", req.qa_on)):
            if value is not None and value > today:
                raise InvalidInput({key: "That date is in the future; give the date it "
                                         "happened."})

        async def mutate(uow: UnitOfWork, access: Access, case: Case) -> Change:
            if verb is Verb.CLOSE_PUBLISHED:
                return self._published(case, actor, url, on or today, req, reason)
            if verb is Verb.CLOSE_NOT_PUBLISHED:
                return self._not_published(case, actor, req.signed_off, reason)
            if verb is Verb.CLOSE_SI:
                return self._si(case, actor, si_outcome, reason)
            changes: dict[str, tuple[object, object]] = {
                "embargo_until": (case.embargo_until, until),
                "embargo_reason": (case.embargo_reason, reason)}
            case.embargo_until, case.embargo_reason = until, reason
            what = "embargoed" + (f" until {day(until)}" if until else "") + \
                (f": {reason}" if reason else "")
            return self._closed(case, actor, changes, what)

        return await self.w.edit(actor, number, version, "close", verb, "case_closed", mutate)

    def _si(self, case: Case, actor: Actor, outcome: str, reason: str) -> Change:
        label = self.d.ref.label("si_outcomes", outcome)
        changes: dict[str, tuple[object, object]] = {
            "close_outcome": (case.close_outcome, outcome)}
        case.close_outcome = outcome
        if reason:
            changes["close_reason"] = (case.close_reason, reason)
            case.close_reason = reason
        what = label.lower() + (f": {reason}" if reason else "")
        return self._closed(case, actor, changes, what)

    def _signed(self, case: Case, signed_off: date | None, how: str) -> date:
        signed = signed_off or case.signed_off_on
        if signed is None:
            raise InvalidInput({"signed_off_on": (
                f"Case {case.number} has no report signed-off date yet. Record it with `update "
                f"case {case.number} signed off {self.d.today():%Y-%m-%d}` (the date the chair "
                f"signed it off), or in the Close form, then close it {how} again. Nothing was "
                "changed.")})
        return signed

    def _not_published(self, case: Case, actor: Actor, signed_off: date | None,
                       reason: str) -> Change:
        signed = self._signed(case, signed_off, "as not for publication")
        changes: dict[str, tuple[object, object]] = {}
        if signed != case.signed_off_on:
            changes["signed_off_on"] = (case.signed_off_on, signed)
            case.signed_off_on = signed
        if reason:
            changes["close_reason"] = (case.close_reason, reason)
            case.close_reason = reason
        changes.setdefault("close_outcome", (case.close_outcome, "not_for_publication"))
        case.close_outcome = "not_for_publication"
        return self._closed(case, actor, changes, "completed, not for publication, signed off "
                                                  f"{day(signed)}")

    def _published(self, case: Case, actor: Actor, url: str, on: date, req: CloseRequest,
                   reason: str) -> Change:
        n = case.number
        signed = self._signed(case, req.signed_off, "as published")
        if signed > on:
            raise InvalidInput({"signed_off_on": "The report can't be signed off after it was "
                                                 "published."})
        qa = req.qa_on or case.home_office_qa_on
        if case.review_type in DHR_TYPES and qa is None:
            raise InvalidInput({"home_office_qa_on": (
                f"Case {n} is a DHR: the Home Office Quality Assurance Panel approves the report "
                f"before it is published. Record the date with `update case {n} home office qa "
                f"{self.d.today():%Y-%m-%d}` (or in the Close form), then close it again. Nothing "
                "was changed.")})
        if case.briefing is None and not req.without_briefing:
            raise InvalidInput({"briefing": (
                f"No pre-publication briefing is recorded for case {n}. Record it with "
                f"`briefing case {n}`, then close the case. To close it without one, type "
                f"`close case {n} published {url} without briefing` (or tick \"Close without a "
                "briefing\" in the Close form). Nothing was changed.")})
        changes: dict[str, tuple[object, object]] = {
            "report_url": (case.report_url, url), "published_on": (case.published_on, on),
            "signed_off_on": (case.signed_off_on, signed)}
        case.report_url, case.published_on, case.signed_off_on = url, on, signed
        if qa != case.home_office_qa_on:
            changes["home_office_qa_on"] = (case.home_office_qa_on, qa)
            case.home_office_qa_on = qa
        if reason:
            changes["close_reason"] = (case.close_reason, reason)
            case.close_reason = reason
        what = f"published on {day(on)}, [final report]({url})"
        if case.briefing is None:
            what += ", with no pre-publication briefing recorded"
        return self._closed(case, actor, changes, what)

    def _closed(self, case: Case, actor: Actor, changes: dict[str, tuple[object, object]],
                what: str) -> Change:
        self.w.decide(case, actor, "closed", what)
        return Change(changes, f"Case {case.number} closed: {what}.",
                      [closing_notice(case, actor, what)])

    async def reopen(self, actor: Actor, number: int, reason: str) -> Outcome:
        """Safeguarding leads only (permissions.json "reopen"); the reason is on record."""
        reason = " ".join(reason.split())
        if not reason:
            raise InvalidInput({"reason": f"Give the reason, e.g. `reopen case {number} police "
                                          "shared new information`."})
        if len(reason) > REASON_MAX:
            raise InvalidInput({"reason": f"Keep the reason under {REASON_MAX} characters."})
        check_text({"reason": reason})

        async def mutate(uow: UnitOfWork, access: Access, case: Case) -> Change:
            changes: dict[str, tuple[object, object]] = {"reopen_reason": (None, reason)}
            if case.close_reason:
                changes["close_reason"] = (case.close_reason, "")
                case.close_reason = ""
            if case.close_outcome:
                changes["close_outcome"] = (case.close_outcome, "")
                case.close_outcome = ""
            self.w.decide(case, actor, "reopened", reason)
            text = f"Case {number} was reopened by {actor.display}: {reason}"
            return Change(changes, f"Case {number} reopened.",
                          [thread_reply(number, text, key=f"reopened:{number}:{case.version}")],
                          detail=reason)

        return await self.w.edit(actor, number, None, "reopen", Verb.REOPEN, "case_reopened",
                                 mutate)

    async def record_briefing(
        self, actor: Actor, number: int, version: int | None, on: date | None = None,
        media_likely: bool = False,
    ) -> Outcome:
        """The pre-publication briefing to the local communications team."""
        today = self.d.today()
        on = on or today
        if on > today:
            raise InvalidInput({"briefing_on": "The briefing date can't be in the future."})

        async def mutate(uow: UnitOfWork, access: Access, case: Case) -> Change:
            if case.state is not State.REVIEW:
                raise InvalidInput({"briefing": "The pre-publication briefing is recorded while "
                                                "the review is in progress."})
            if media_likely:
                self.w.require(access, "flag_media", case)
            old = case.briefing
            case.briefing = Briefing(on=on, by=actor.display, media_likely=media_likely)
            done = Change({"briefing": (old, case.briefing)},
                          f"Case {number}: pre-publication briefing on {day(on)} recorded.")
            if media_likely and not case.media_interest:
                done.changes["media_interest"] = (False, True)
                case.media_interest = True
            if media_likely:
                done.notices += await self.media_policy(uow, actor, case)
                done.message += " Media attention is flagged and the communications lead told."
            return done

        return await self.w.edit(actor, number, version, "edit_record", Verb.EDIT,
                                 "briefing_recorded", mutate)

    async def comms_lead_told(self, uow: UnitOfWork, actor: Actor, case: Case) -> list[Notice]:
        """The default media policy: @mention the communications lead(s) for the case."""
        comms = await holders_for(uow, "comms_lead", case)
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

"""A reminder in a case thread: what is overdue, and Snooze. Drawn from the case as it is when
the reminder is delivered, so a deadline met in the meantime says so."""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards import Action, CardElement

from tracker.views import CaseView

from .actions import CardVerb
from .components import card, day, execute, facts, flag, heading, line

OPEN = ("open", "in_progress")


def snooze_label(hours: float) -> str:
    """"Snooze 1 day", "Snooze 2 days", "Snooze 4 hours": the snooze in timescales.json."""
    if hours % 24 == 0:
        days = int(hours // 24)
        return f"Snooze {days} day{'s' if days != 1 else ''}"
    return f"Snooze {hours:g} hours"


def reminder_card(view: CaseView, kind: str) -> dict[str, Any]:
    """`kind` is the ledger kind: "clock:<key>", "action:<number>", either after "soon:" (a
    reminder before the deadline), or "embargo"."""
    case = view.case
    what, detail, late = _what(view, kind)
    body: list[CardElement] = [heading(f"Reminder · case {case.number}", "Medium"),
                               flag(what, "attention" if late else "good", bold=True)]
    shown = facts(detail)
    if shown:
        body.append(shown)
    actions: list[Action] = []
    if late and not case.closed:
        hours = float(view.ref.timescales["reminders"]["snooze_hours"])
        actions.append(execute(snooze_label(hours), CardVerb.SNOOZE, case.number, kind=kind))
        body.append(line("Update the record to stop this reminder, or snooze it.", subtle=True,
                         small=True))
    actions.append(execute("Open case", CardVerb.SHOW_CASE, case.number, case.version))
    return card(body, actions, fallback_text=f"Reminder for case {case.number}: {what}")


def _what(view: CaseView, kind: str) -> tuple[str, list[tuple[str, str | None]], bool]:
    """(headline, facts, still overdue?)"""
    case = view.case
    prefix, _, key = kind.partition(":")
    owner = case.designated_professional.name if case.designated_professional else ""
    if prefix == "soon":  # before the deadline: the same facts, a "due soon" headline
        head, detail, late = _what(view, key)
        if late or not detail:
            return head, detail, late
        sub, _, item = key.partition(":")
        name = f"Action {item}" if sub == "action" else \
            next(c.label for c in view.clocks if c.key == item)
        return f"{name} is due soon", detail, False
    if prefix == "embargo":
        ended = case.embargo_until is not None and case.embargo_until < view.today
        if case.state.value != "closed_embargoed" or not ended:
            return "This embargo has not ended, or the report is already recorded.", [], False
        return ("The embargo has ended: record the publication", [
            ("Embargoed until", day(case.embargo_until)), ("Reason", case.embargo_reason),
            ("Next step", f"Type close case {case.number} published, then the link to the "
                          "report."), ("Designated professional", owner)], False)
    if prefix == "action":
        a = next((x for x in case.actions if str(x.number) == key), None)
        if a is None:
            return f"Action {key} is no longer on the record.", [], False
        late = a.status in OPEN and a.due is not None and a.due < view.today and not case.closed
        status = view.ref.label("action_statuses", a.status)
        head = f"Action {a.number} is overdue" if late else f"Action {a.number}: {status.lower()}"
        return head, [("Action", a.text), ("Owner", a.owner.name if a.owner else owner),
                      ("Due", day(a.due)), ("Status", status)], late
    clock = next((c for c in view.clocks if c.key == key), None)
    if clock is None or clock.done or case.closed:
        return "This deadline has been met or no longer applies.", [], False
    late = clock.overdue(view.today)
    head = f"{clock.label} is overdue" if late else f"{clock.label} is not yet due"
    return head, [("Deadline", clock.describe(view.today)), ("Stage", view.ref.label(
        "review_stages", case.stage) if case.stage else ""), ("Designated professional", owner)], \
        late

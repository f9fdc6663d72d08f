"""Escalation cards: the one in the case thread that @mentions everyone addressed and shows who
has acknowledged (updated in place), and the small 1:1 card each of them acknowledges from.

Both are built for Teams mobile: stacked text and a FactSet, no tables, short button titles.
"""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards import CardElement, Container

from tracker.escalation import KIND_TITLES
from tracker.model import Case, Escalation, Recipient
from tracker.reference import Reference

from .actions import CardVerb
from .components import card, execute, facts, flag, heading, line, when

ACK_TITLE = "Acknowledge"


def mention_text(name: str) -> str:
    return f"<at>{name}</at>"


def mention_entities(people: list[Recipient]) -> list[dict[str, Any]]:
    """Teams mention entities: `mentioned.id` is the Teams id, or the AAD object id."""
    seen: dict[str, dict[str, Any]] = {}
    for r in people:
        seen.setdefault(r.aad_id, {"type": "mention", "text": mention_text(r.name),
                                   "mentioned": {"id": r.teams_id or r.aad_id, "name": r.name}})
    return list(seen.values())


def _title(esc: Escalation) -> str:
    return KIND_TITLES.get(esc.kind, "Escalation")


def _place(case: Case, ref: Reference) -> str:
    loc = ref.localities.get(case.locality)
    return loc.name if loc else case.locality


def escalation_card(case: Case, esc: Escalation, ref: Reference) -> dict[str, Any]:
    """The thread card: who was asked, who has acknowledged, what is missing."""
    total, waiting = len(esc.recipients), len(esc.waiting)
    body: list[CardElement] = [
        heading(f"{_title(esc)}: case {case.number}", "Medium"),
        line(f"{_place(case, ref)} · raised by {esc.raised_by}, {when(esc.raised_at)}",
             subtle=True, small=True),
        line(esc.reason),
    ]
    if total:
        body.append(flag(f"{total - waiting} of {total} acknowledged",
                         "good" if not waiting else "warning", bold=True))
    body += [_row(r, ref) for r in esc.recipients]
    if esc.missing_roles:
        roles = ", ".join(ref.role_label(r) for r in esc.missing_roles)
        body.append(flag(f"Nobody holds: {roles}. The safeguarding lead has been told.",
                         "attention"))
    if esc.escalated_regional:
        body.append(flag("Not acknowledged in time: passed to the regional safeguarding lead.",
                         "attention", small=True))
    elif esc.chased:
        body.append(line("Reminder sent to those still to acknowledge.", small=True))
    actions = [execute(ACK_TITLE, CardVerb.ACK, case.number, esc=esc.number)] if waiting else []
    out = card(body, actions, full_width=True,
               fallback_text=f"{_title(esc)} on case {case.number}: "
                             f"{total - waiting} of {total} acknowledged")
    entities = mention_entities(esc.recipients)
    if entities:
        out.setdefault("msteams", {})["entities"] = entities
    return out


def _row(r: Recipient, ref: Reference) -> Container:
    if r.acknowledged_at is not None:
        status = line(f"Acknowledged {when(r.acknowledged_at)}", small=True)
    else:  # bold, not coloured: the tally above is flagged; a strip per row is too heavy
        status = line("Waiting", bold=True, small=True)
    who = line(f"{mention_text(r.name)} · {ref.role_label(r.role)}")
    return Container(items=[who, status], separator=True, spacing="Small")


def ack_card(case: Case, esc: Escalation, r: Recipient, ref: Reference) -> dict[str, Any]:
    """The 1:1 card: case number, reason and one button; afterwards who acknowledged, when."""
    body: list[CardElement] = [heading(f"Case {case.number}: {_title(esc).lower()}", "Medium")]
    fact_set = facts([("Case", str(case.number)), ("Reason", esc.reason),
                      ("Your role", ref.role_label(r.role)), ("ICB", _place(case, ref)),
                      ("Raised", f"{when(esc.raised_at)} by {esc.raised_by}")])
    if fact_set:
        body.append(fact_set)
    if r.acknowledged_at is not None:
        done = f"Acknowledged by {r.name} at {when(r.acknowledged_at)}"
        body.append(flag(done, "good", bold=True))
        return card(body, fallback_text=done)
    body.append(line("Please acknowledge that you have seen this.", small=True))
    button = execute(ACK_TITLE, CardVerb.ACK, case.number, esc=esc.number, who=r.aad_id)
    return card(body, [button], fallback_text=f"Case {case.number}: please acknowledge "
                                              f"the {_title(esc).lower()}")

"""A case's timeline: who did what and when (UK time), with old and new values, a page at a
time. Newest first, with buttons for the previous and next page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from microsoft_teams.cards import Action, ActionSet, CardElement, Container

from tracker.audit import Change, Entry

from . import components as ui
from .actions import CardVerb

HISTORY_PAGE = CardVerb.HISTORY_PAGE


def history_card(number: int, entries: Sequence[Entry], page: int, pages: int,
                 total: int) -> dict[str, Any]:
    body: list[CardElement] = [ui.heading(f"Case {number}: history", "Medium"),
                               ui.line(f"Page {page} of {pages} · {total} events, newest first",
                                       subtle=True, small=True)]
    if not entries:
        body.append(ui.line("Nothing recorded on this page.", subtle=True))
    body += [_row(e) for e in entries]
    nav: list[Action] = []
    if page > 1:
        nav.append(ui.execute("Newer", HISTORY_PAGE, number, None, page=page - 1))
    if page < pages:
        nav.append(ui.execute("Older", HISTORY_PAGE, number, None, page=page + 1))
    if nav:
        body.append(ActionSet(actions=nav))
    return ui.card(body, full_width=True, fallback_text=f"Case {number}: history, page {page}")


def change_line(c: Change) -> str:
    """"Route: Path 2 (SI framework / PSIRF)" for a first value, else "old → new"."""
    if c.old in ("", "(none)"):
        return f"{c.field}: {c.new}"
    if c.old == "added":
        return f"{c.field}: added {c.new}"
    return f"{c.field}: {c.old} → {c.new}"


def _row(entry: Entry) -> Container:
    items: list[CardElement] = [
        ui.line(f"{ui.when(entry.at)} · {entry.who}", subtle=True, small=True),
        ui.status(ui.sentence(entry.what), "attention" if entry.refused else None, bold=True),
    ]
    items += [ui.line(change_line(c), small=True) for c in entry.changes]
    if entry.detail:
        items.append(ui.line(entry.detail, small=True))
    return Container(items=items, separator=True, spacing="Small")

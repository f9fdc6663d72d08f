"""Outgoing activities as plain dicts: an answer, or an outbox notice drawn from the case as it is
now. The one place that knows the Bot Connector's message shape."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cards.case_card import case_card
from teams_bot.outbound import render_path1, render_path2
from teams_bot.services import Services
from tracker.model import Case, PersonRef
from tracker.ports import Notice
from tracker.privacy import mask_nhs_numbers
from tracker.views import case_view

CARD = "application/vnd.microsoft.card.adaptive"
Activity = dict[str, Any]
CardRenderer = Callable[[Services, Case, Notice, str], dict[str, Any]]


def _case(services: Services, case: Case, notice: Notice, arg: str) -> dict[str, Any]:
    return case_card(case_view(case, services.ref, services.today(), services.service.wd))


# card name -> renderer, each feature's joined once.
RENDERERS: dict[str, CardRenderer] = {"case": _case, **render_path1.RENDERERS,
                                      **render_path2.RENDERERS}


def mention_entities(people: Iterable[PersonRef]) -> list[dict[str, Any]]:
    return [{"type": "mention", "text": f"<at>{p.name}</at>",
             "mentioned": {"id": p.teams_id or p.aad_id, "name": p.name}} for p in people]


def message(text: str = "", card: dict[str, Any] | None = None,
            mentions: Iterable[PersonRef] = ()) -> Activity:
    """A message activity: a card (with optional text) or markdown text, with @mentions.
    NHS numbers never leave in text."""
    out: Activity = {"type": "message"}
    if card is not None:
        out["attachmentLayout"] = "list"
        out["attachments"] = [{"contentType": CARD, "content": card}]
        if text:
            out["text"] = mask_nhs_numbers(text)
    else:
        out["text"] = mask_nhs_numbers(text)
        out["textFormat"] = "markdown"
        out["inputHint"] = "acceptingInput"
    people = list(mentions)
    if people:
        out["entities"] = mention_entities(people)
    return out


def render(services: Services, notice: Notice, case: Case | None) -> Activity:
    if not notice.card:
        return message(notice.text, mentions=notice.mentions)
    name, _, arg = notice.card.partition(":")
    renderer = RENDERERS.get(name)
    if renderer is None or case is None:
        raise LookupError(f"no renderer for card {notice.card!r}")
    return message(notice.text, renderer(services, case, notice, arg), notice.mentions)

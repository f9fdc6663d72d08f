"""Turn an outbox notice into the activity to send, rendering cards from the case as it is now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botbuilder.core import MessageFactory
from botbuilder.schema import Activity, ChannelAccount, Mention

from cards.case_card import case_card
from tracker.model import Case, PersonRef
from tracker.ports import Notice
from tracker.views import case_view

from . import path1_render, path2_render
from .bot import card_attachment
from .services import Services

CardRenderer = Callable[[Services, Case, Notice, str], dict[str, Any]]


def _case(services: Services, case: Case, notice: Notice, arg: str) -> dict[str, Any]:
    return case_card(case_view(case, services.ref, services.today(), services.service.wd))


# card name -> renderer. Feature modules add theirs in `renderers()`.
def renderers() -> dict[str, CardRenderer]:
    return {"case": _case, **path1_render.RENDERERS, **path2_render.RENDERERS}


def mention_entities(people: tuple[PersonRef, ...]) -> list[Mention]:
    return [Mention(mentioned=ChannelAccount(id=p.teams_id or p.aad_id, name=p.name),
                    text=f"<at>{p.name}</at>", type="mention") for p in people]


def render(services: Services, notice: Notice, case: Case | None) -> Activity:
    if notice.card:
        name, _, arg = notice.card.partition(":")
        renderer = services.renderers.get(name)
        if renderer is None or case is None:
            raise LookupError(f"no renderer for card {notice.card!r}")
        activity = MessageFactory.attachment(card_attachment(renderer(services, case, notice,
                                                                      arg)))
        if notice.text:
            activity.text = notice.text
    else:
        activity = MessageFactory.text(notice.text)
        activity.text_format = "markdown"
    if notice.mentions:
        activity.entities = mention_entities(notice.mentions)
    return activity

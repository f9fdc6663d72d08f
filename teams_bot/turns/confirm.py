"""The "Save anyway" flow for text that may identify a patient (a name, a date of birth, an
address, a postcode, a phone number, an e-mail address: `tracker.privacy.scan`). NHS numbers
are never confirmable: they are refused outright.

A command or a card form that trips the guard gets a small card saying what was found in which
field. "Save anyway" re-sends the same request with `confirm_by` set to the writer's AAD id;
the bot then runs it inside `tracker.privacy.confirming()`. Nobody else can confirm it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cards.banner import with_banner
from cards.case_card import case_card
from cards.confirm import CANCEL, CONFIRM_COMMAND, confirm_card
from teams_bot.turns.actions.core import ActionHandler, ActionResult, CardAction
from teams_bot.turns.commands.registry import Parsed
from teams_bot.turns.context import Ctx, MentionRef, Reply
from tracker.privacy import NeedsConfirmation, confirming

_NOT_DATA = ("verb", "case", "version", "msteams", "confirm_by")


def confirmed(ctx: Ctx, data: Any) -> bool:
    """Was this click the writer's own "Save anyway"?"""
    return (isinstance(data, Mapping) and bool(ctx.actor.aad_id)
            and data.get("confirm_by") == ctx.actor.aad_id)


def ask_command(ctx: Ctx, text: str, error: NeedsConfirmation) -> Reply:
    mentions = [[m.teams_id, m.name] for m in ctx.mentions]
    return Reply(card=confirm_card(error.errors, CONFIRM_COMMAND, command=text, mentions=mentions,
                                   confirm_by=ctx.actor.aad_id))


def ask_action(ctx: Ctx, data: Any, error: NeedsConfirmation) -> ActionResult:
    data = data if isinstance(data, Mapping) else {}
    inputs = {k: v for k, v in data.items() if k not in _NOT_DATA}
    case, version = data.get("case"), data.get("version")
    card = confirm_card(error.errors, str(data.get("verb", "")),
                        case if isinstance(case, int) else None,
                        version if isinstance(version, int) else None,
                        **inputs, confirm_by=ctx.actor.aad_id)
    return ActionResult(card, "", "warning")


async def confirm_command(ctx: Ctx, a: CardAction) -> ActionResult:
    """Run the command the writer typed, now confirmed."""
    if not confirmed(ctx, a.inputs):
        return ActionResult(None, "Only the person who wrote it can confirm it. Nothing was "
                                  "saved.", "error")
    assert ctx.registry is not None
    parsed = ctx.registry.parse(a.text("command", 4000))
    if not isinstance(parsed, Parsed):
        return ActionResult(None, "That request can no longer be run. Please type it again.",
                            "error")
    raw = a.inputs.get("mentions")
    if isinstance(raw, list):
        ctx.mentions = [MentionRef(str(m[0]), str(m[1])) for m in raw
                        if isinstance(m, list) and len(m) == 2]
    with confirming():
        reply = await parsed.command.handler(ctx, parsed.args)
    return ActionResult(reply.card, reply.text)


async def cancel(ctx: Ctx, a: CardAction) -> ActionResult:
    """Drop it; on a case, show the case card again (where details may be shown)."""
    message = "Nothing was saved."
    if a.case is None or not ctx.details_allowed():
        return ActionResult(None, message, "info")
    case = await ctx.service.get_case(ctx.actor, a.case)
    return ActionResult(with_banner(case_card(ctx.view(case)), message, "info"), message, "info")


# "Save anyway" only re-dispatches: the command it re-runs checks its own permission.
HANDLERS: dict[str, tuple[str, ActionHandler]] = {
    CONFIRM_COMMAND: ("", confirm_command),
    CANCEL: ("view", cancel),
}

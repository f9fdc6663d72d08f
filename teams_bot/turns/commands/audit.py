"""`history case N [page P]`: a case's timeline, where case details may be shown."""

from __future__ import annotations

from cards.history import HISTORY_PAGE, history_card
from teams_bot.turns.actions.core import ActionHandler, ActionResult, CardAction
from teams_bot.turns.commands.core import PRIVATE_NOTE
from teams_bot.turns.commands.registry import Command, number
from teams_bot.turns.context import Ctx, Reply


async def _history_card(ctx: Ctx, n: int, page: int) -> Reply:
    found = await ctx.service.case_history(ctx.actor, n, page)  # hidden = not found
    if not ctx.details_allowed():
        return Reply(text=PRIVATE_NOTE.format(n=n))
    return Reply(card=history_card(n, found.entries, found.page, found.pages, found.total))


async def history(ctx: Ctx, args: dict[str, str]) -> Reply:
    return await _history_card(ctx, number(args), int(args.get("page") or 1))


async def history_page(ctx: Ctx, a: CardAction) -> ActionResult:
    page = a.text("page", 6)
    reply = await _history_card(ctx, a.need_case(), int(page) if page.isdigit() else 1)
    return ActionResult(reply.card, reply.text, "info")


COMMANDS = [
    Command("history", "history case *N* [page *P*]",
            "A case's timeline: who did what and when, with old and new values.",
            r"(?:history|timeline|audit)\s+(?:of\s+)?(?:case\s+)?#?\s*(?P<n>\d{1,9})"
            r"(?:\s+page\s+(?P<page>\d{1,4}))?", history, "history"),
]

HANDLERS: dict[str, tuple[str, ActionHandler]] = {HISTORY_PAGE: ("history", history_page)}

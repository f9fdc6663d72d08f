"""One activity in: who and where, which command or card verb, its permission, and the answer.

The SDK edge has already checked the activity's signature; `io` sends the answers and looks up
members. Nothing here knows which SDK is running.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

from cards.banner import with_banner
from cards.case_card import case_card
from storage.directory import turn_reads
from storage.lease import Lease, leased, let_go
from storage.uow import commits_so_far, counting_commits
from teams_bot.outbound.render import CARD, message
from teams_bot.services import Services
from teams_bot.turns import timing
from teams_bot.turns.actions.core import ActionResult, parse_action
from teams_bot.turns.actions.table import VerbTable, all_verbs
from teams_bot.turns.activity import Activity
from teams_bot.turns.commands import build_registry
from teams_bot.turns.commands.registry import Parsed, Registry
from teams_bot.turns.confirm import ask_action, ask_command, confirmed
from teams_bot.turns.context import Ctx, MentionRef, Reply, Where
from teams_bot.turns.textguard import NOT_TEXT, bad_text
from tracker.errors import InvalidInput, NotFound, PermissionDenied, TrackerError
from tracker.model import Actor, PersonRef
from tracker.ports import Installation, Person
from tracker.privacy import (
    NeedsConfirmation,
    confirming,
    mask,
    mask_nhs_numbers,
    refuse_nhs_numbers,
)
from tracker.text import short

log = logging.getLogger("sgtracker.bot")
MESSAGE = "application/vnd.microsoft.activity.message"
ECHO_MAX = 40  # characters of an unknown command repeated back, cut at a word boundary
_AT = re.compile(r"<at>[^<]{0,200}</at>")
T = TypeVar("T")


class TurnIO(Protocol):
    """What a turn may do outside itself: answer in its conversation, look up a member."""

    async def send(self, activity: dict[str, Any]) -> str: ...

    async def member(self, teams_id: str) -> Person | None: ...


class _Released:
    """The turn's `io`, giving its database connection back to the pool before each call to
    Teams (storage/lease.py): no connection is held while the network answers."""

    def __init__(self, io: TurnIO, lease: Lease) -> None:
        self.io, self.lease = io, lease

    async def send(self, activity: dict[str, Any]) -> str:
        await self.lease.release()
        return await self.io.send(activity)

    async def member(self, teams_id: str) -> Person | None:
        await self.lease.release()
        return await self.io.member(teams_id)


@dataclass(frozen=True)
class InvokeAnswer:
    """The HTTP answer to an invoke: Teams shows `body` to the clicker."""

    status: int
    body: dict[str, Any] | None = None


def reply_activity(reply: Reply) -> dict[str, Any]:
    return message(reply.text, reply.card, reply.mentions)


def welcome(bot_name: str) -> str:
    """The first message in a team. In a channel a message that does not @mention the bot never
    reaches it, so the welcome says so."""
    name = bot_name or "Safeguarding Tracker"
    return (f"Hello! I'm {name}. In a channel I only hear messages that @mention me. To start, "
            f"go to your safeguarding channel, type @{name} (pick me from the list), then "
            f"`setup`, and post it. In a 1:1 chat with me, just type `help` to see what I can "
            "do.")


def friendly(error: TrackerError) -> str:
    """The error for the person who asked; any text of theirs it repeats is masked."""
    if isinstance(error, InvalidInput):
        if len(error.errors) == 1:
            return mask(next(iter(error.errors.values())))
        return mask("Please fix these:\n" + "\n".join(
            f"- {k.replace('_', ' ')}: {v}" for k, v in error.errors.items()))
    return mask(str(error))


def _inputs(data: Any) -> dict[str, Any]:
    """A card's typed inputs and its action name (not the numbers the card itself set)."""
    if not isinstance(data, dict):
        return {}
    named = {"button" if k == "verb" else k: v for k, v in data.items()}
    return {k: v for k, v in named.items() if k not in ("case", "version", "msteams")}


def _went_wrong(ref: str, saved: bool) -> str:
    """The apology for a fault on our side: true about whether the change was saved."""
    if saved:
        return (f"Your change was saved, but something went wrong on my side while answering "
                f"(reference {ref}). Type `case N` to see the case as it is now.")
    return f"Sorry, something went wrong on my side and nothing was changed (reference {ref})."


class TurnHandler:
    def __init__(self, services: Services, registry: Registry | None = None,
                 verbs: VerbTable | None = None) -> None:
        self.services = services
        self.registry = registry or build_registry()
        self.verbs = verbs or all_verbs()
        self._upns: dict[str, str] = {}  # Teams id -> user principal name, for UPN admins
        self._upn_admins = any("@" in a for a in services.settings.admins)

    # --- who and where ----------------------------------------------------------------
    @staticmethod
    def _actor(a: Activity) -> Actor:
        return Actor(teams_id=a.sender.id, aad_id=a.sender.aad_object_id, name=a.sender.name)

    @staticmethod
    def _where(a: Activity) -> Where:
        team = str(a.team.get("id") or "")
        kind = a.conversation.conversation_type or ("channel" if a.channel_id else "personal")
        return Where(kind=kind, conversation_id=a.conversation.id, service_url=a.service_url,
                     tenant_id=a.tenant_id, team_id=team, channel_id=a.channel_id)

    async def _ctx(self, a: Activity, io: TurnIO) -> Ctx:
        where = self._where(a)
        mentions = []
        for e in a.entities:
            who = e.get("mentioned") if str(e.get("type", "")).lower() == "mention" else None
            if isinstance(who, dict) and who.get("id") and who["id"] != a.recipient.id:
                mentions.append(MentionRef(str(who["id"]), str(who.get("name", ""))))
        safeguarding = bool(where.channel_id) and \
            await self.services.service.channel(where.channel_id) is not None
        actor = self._actor(a)
        if self._upn_admins and actor.teams_id:  # activities carry no UPN: ask Teams, once
            actor = replace(actor, upn=await self._upn(io, actor.teams_id))
        return Ctx(self.services, actor, where, mentions, io.member, safeguarding,
                   self.registry)

    async def _upn(self, io: TurnIO, teams_id: str) -> str:
        """The person's user principal name (TRACKER_ADMINS may list UPNs), cached."""
        if teams_id not in self._upns:
            person = await io.member(teams_id)
            if person is None:
                return ""  # not cached: asked again next time
            if len(self._upns) >= 10_000:  # bounded: start again rather than grow
                self._upns.clear()
            self._upns[teams_id] = person.upn
        return self._upns[teams_id]

    # --- dispatch -----------------------------------------------------------------------
    async def handle(self, a: Activity, io: TurnIO) -> InvokeAnswer | None:
        """Handle one activity; for an invoke, the answer to return over HTTP. A fault of ours
        is logged and the person told that nothing was changed (it was rolled back)."""
        try:
            return await self._once(a, io)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("unhandled error in a turn (ref %s)", ref)
            sorry = _went_wrong(ref, saved=False)
            if a.type == "invoke":
                return self._answer(ActionResult(None, sorry, "error"))
            try:
                await io.send(message(sorry))
            except Exception:
                log.warning("could not tell the user about the error")
            return None

    async def _once(self, a: Activity, io: TurnIO) -> InvokeAnswer | None:
        """The turn's units of work share one connection (storage/lease.py)."""
        async with leased(self.services.engine) as lease:
            with turn_reads():
                return await self._at_most_once(a, _Released(io, lease))

    async def _at_most_once(self, a: Activity, io: TurnIO) -> InvokeAnswer | None:
        """The activity handled at most once: a re-sent one is answered, not run again."""
        conv = a.conversation.id
        if a.id and not await self.services.first_time(conv, a.id, a.sender.aad_object_id,
                                                        a.channel_id):
            log.info("duplicate activity ignored")  # Teams re-sends after 15 s without answer
            return self._answer(ActionResult(None, timing.DUPLICATE, "info")) \
                if a.type == "invoke" else None
        sent: list[Reply] = []
        with counting_commits() as commits:
            try:
                return await self._dispatch(a, io, sent)
            except Exception:
                if not commits:  # rolled back: a re-send of this activity should be handled
                    if a.id:
                        await self.services.forget_activity(conv, a.id)
                    raise
                # The change is committed; only the answer failed (e.g. 429 from Teams). Never
                # say "nothing changed": the answer goes out through the outbox, with retries.
                log.warning("the answer to a committed change failed; queued for retry",
                            exc_info=True)
                await self._answer_later(a, sent[-1] if sent else None)
                return None

    async def _dispatch(self, a: Activity, io: TurnIO, sent: list[Reply]) -> InvokeAnswer | None:
        if a.type == "message":
            await self._on_message(a, io, sent)
        elif a.type == "invoke":
            return await self._on_invoke(a, io)
        elif a.type == "installationUpdate" and a.action in ("add", "add-upgrade"):
            await self._record_install(a, io)
        elif a.type == "conversationUpdate" and any(
                m.get("id") == a.recipient.id for m in a.members_added):
            await self._record_install(a, io)  # the bot was added to a team
        return None

    async def _answer_later(self, a: Activity, reply: Reply | None) -> None:
        text = reply.text if reply is not None and reply.text and reply.card is None else ""
        text = (f"My answer to your last message, late because Teams was busy: {text}" if text
                else "Your last request was carried out and saved; Teams was busy, so this "
                     "comes late. Type `case N` to see a case as it is now.")
        actor = self._actor(a)
        await self.services.service.tell(
            PersonRef(actor.aad_id, actor.name, actor.teams_id), mask_nhs_numbers(text),
            key=f"late-answer:{a.conversation.id}:{a.id}"[:200])

    async def _on_message(self, a: Activity, io: TurnIO, sent: list[Reply]) -> None:
        if bad_text({"text": a.text, "value": a.value}) is not None:
            await io.send(reply_activity(Reply(text=NOT_TEXT)))
            return
        ctx = await self._ctx(a, io)
        if a.value and not a.text.strip():  # an Action.Submit (fallback) click
            result = await self._run_action(ctx, a.value)
            reply = Reply(text=result.text) if result.text else Reply(card=result.card)
        else:
            reply = await self._run_command(ctx, a.text)
        sent.append(reply)
        await io.send(reply_activity(reply))

    async def _run_command(self, ctx: Ctx, text: str | None) -> Reply:
        try:  # an NHS number is refused whatever the command, known or not
            refuse_nhs_numbers({"message": _AT.sub("", text or "")})
        except TrackerError as e:
            return Reply(text=friendly(e))
        parsed = self.registry.parse(text or "")
        if not isinstance(parsed, Parsed):
            hint = f" Did you mean {parsed.suggestion}?" if parsed.suggestion else ""
            echo = short(mask(parsed.text), ECHO_MAX)
            what = f"`{echo}`" if echo.strip("…") else "that"
            return Reply(text=f"Sorry, I don't understand {what}.{hint} Type `help` to see "
                              "what I can do.")
        start = commits_so_far()
        try:
            command = parsed.command
            if command.action and command.gated:  # its permission, checked once, here
                number = parsed.args.get("n", "")
                await ctx.service.check(ctx.actor, command.action,
                                        int(number) if number.isdigit() else None)
            return await command.handler(ctx, parsed.args)
        except NeedsConfirmation as e:  # likely patient details: ask, saying what and where
            return ask_command(ctx, text or "", e)
        except TrackerError as e:
            return Reply(text=friendly(e))
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("command %s failed (ref %s)", parsed.command.name, ref)
            return Reply(text=_went_wrong(ref, commits_so_far() > start))

    async def _run_action(self, ctx: Ctx, data: Any) -> ActionResult:
        start = commits_so_far()
        try:
            refuse_nhs_numbers(_inputs(data))
            action = parse_action(data)
            entry = self.verbs.get(action.verb)
            if entry is None:
                return ActionResult(None, "That button is from an older version of this card. "
                                          "Type `case N` for a fresh one.", "error")
            permission, handler = entry
            if permission:  # the verb's permission, checked once, here
                await ctx.service.check(ctx.actor, permission, action.case)
            with confirming(confirmed(ctx, data)):
                return self._where_allowed(ctx, await handler(ctx, action))
        except NeedsConfirmation as e:
            return ask_action(ctx, data, e)
        except (NotFound, PermissionDenied) as e:
            return ActionResult(None, friendly(e), "error")
        except TrackerError as e:
            return await self._refused(ctx, data, friendly(e))
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("card action failed (ref %s)", ref)
            return ActionResult(None, _went_wrong(ref, commits_so_far() > start), "error")

    @staticmethod
    def _where_allowed(ctx: Ctx, result: ActionResult) -> ActionResult:
        """Outside a safeguarding channel and 1:1 chats (a group chat, another channel) a click
        never answers with a card: the confirmation only, no case details."""
        if result.card is None or ctx.details_allowed():
            return result
        where = "Case details are shown only in the safeguarding channel or a 1:1 chat with me."
        return ActionResult(None, f"{result.text} {where}".strip(), result.tone)

    async def _refused(self, ctx: Ctx, data: Any, message: str) -> ActionResult:
        """Show the clicker the case as it is now, with why nothing changed."""
        number = data.get("case") if isinstance(data, dict) else None
        if isinstance(number, int) and ctx.details_allowed():
            try:
                case = await ctx.service.get_case(ctx.actor, number)
            except TrackerError:
                return ActionResult(None, message, "error")
            return ActionResult(with_banner(case_card(ctx.view(case)), message, "error"),
                                message, "error")
        return ActionResult(None, message, "error")

    async def _on_invoke(self, a: Activity, io: TurnIO) -> InvokeAnswer:
        if a.name != "adaptiveCard/action":  # not one we offer: the sender's mistake
            return InvokeAnswer(400)
        value: dict[str, Any] = a.value if isinstance(a.value, dict) else {}
        raw_action = value.get("action")
        action: dict[str, Any] = raw_action if isinstance(raw_action, dict) else {}
        raw_data = action.get("data")
        data: dict[str, Any] = dict(raw_data) if isinstance(raw_data, dict) else {}
        if action.get("verb") and "verb" not in data:
            data["verb"] = action["verb"]
        if bad_text(data) is not None:  # answered, not stored: see turns/textguard.py
            return self._answer(ActionResult(None, NOT_TEXT, "error"))
        ctx = await self._ctx(a, io)
        await let_go()  # the click runs in a task of its own (timing.in_time), with its own lease
        result = await timing.in_time(self._leased(self._run_action(ctx, data))) \
            or ActionResult(None, timing.STILL_WORKING, "info")
        return self._answer(result)

    async def _leased(self, work: Awaitable[T]) -> T:
        async with leased(self.services.engine):
            return await work

    @staticmethod
    def _answer(result: ActionResult) -> InvokeAnswer:
        if result.card is not None:
            return InvokeAnswer(200, {"statusCode": 200, "type": CARD, "value": result.card})
        return InvokeAnswer(200, {"statusCode": 200, "type": MESSAGE,
                                  "value": mask_nhs_numbers(result.text or "Done.")})

    # --- installation -------------------------------------------------------------------
    async def _record_install(self, a: Activity, io: TurnIO) -> None:
        where = self._where(a)
        if not where.team_id:
            return  # personal or group chat install: nothing to store
        settings = a.channel_data.get("settings") or {}
        channel = (settings.get("selectedChannel") or {}).get("id") or where.channel_id \
            or where.team_id
        inst = Installation(service_url=where.service_url, tenant_id=where.tenant_id,
                            team_id=where.team_id, channel_id=channel,
                            conversation_id=where.conversation_id, bot_id=a.recipient.id,
                            team_name=str(a.team.get("name") or ""))
        if not await self.services.service.record_installation(self._actor(a), inst):
            return
        await io.send(message(welcome(a.recipient.name)))

"""The Bot Framework edge: translate each Teams activity, call our handlers, answer."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import replace
from typing import Any

from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, Attachment, ChannelAccount, Mention
from msrest.serialization import Model

from storage.uow import commits_so_far, counting_commits
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

from . import inbound
from .card_actions import ActionResult, parse_action
from .commands.registry import Parsed
from .confirm import ask_action, ask_command, confirmed
from .context import Ctx, MentionRef, Reply, Where
from .pacing import Pacer
from .services import Services
from .textguard import NOT_TEXT, bad_text
from .verbs import all_verbs

log = logging.getLogger("sgtracker.bot")
CARD = "application/vnd.microsoft.card.adaptive"
REPLY_KEY = "sgtracker.reply"  # the answer a turn is sending, kept in case sending fails
MESSAGE = "application/vnd.microsoft.activity.message"
ECHO_MAX = 40  # characters of an unknown command repeated back, cut at a word boundary


def card_attachment(card: dict[str, Any]) -> Attachment:
    return Attachment(content_type=CARD, content=card)


def reply_activity(reply: Reply) -> Activity:
    if reply.card is not None:
        act = MessageFactory.attachment(card_attachment(reply.card))
        if reply.text:
            act.text = reply.text
        return act
    act = MessageFactory.text(mask_nhs_numbers(reply.text))
    act.text_format = "markdown"
    if reply.mentions:
        act.entities = [Mention(mentioned=ChannelAccount(id=p.teams_id or p.aad_id, name=p.name),
                                text=f"<at>{p.name}</at>", type="mention")
                        for p in reply.mentions]
    return act


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


_AT = re.compile(r"<at>[^<]{0,200}</at>")


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


class InvokeBody(Model):
    """An `adaptiveCard/action` answer whose value may be a card or a message string."""

    _attribute_map = {
        "status_code": {"key": "statusCode", "type": "int"},
        "type": {"key": "type", "type": "str"},
        "value": {"key": "value", "type": "object"},
    }

    def __init__(self, *, status_code: int, type: str, value: Any) -> None:  # noqa: A002
        super().__init__()
        self.status_code, self.type, self.value = status_code, type, value


class TrackerBot(TeamsActivityHandler):
    def __init__(self, services: Services) -> None:
        self.services = services
        self.pacer: Pacer | None = None  # Teams' rate limits, shared with the delivery worker
        self.verbs = all_verbs()
        self._upns: dict[str, str] = {}  # Teams id -> user principal name, for UPN admins
        self._upn_admins = any("@" in a for a in services.settings.admins)

    # --- who and where ----------------------------------------------------------------
    def _actor(self, tc: TurnContext) -> Actor:
        f = tc.activity.from_property
        return Actor(teams_id=f.id or "", aad_id=getattr(f, "aad_object_id", None) or "",
                     name=f.name or "")

    def _where(self, tc: TurnContext) -> Where:
        a = tc.activity
        cd = a.channel_data or {}
        team = (cd.get("team") or {}).get("id", "")
        channel = (cd.get("channel") or {}).get("id", "")
        tenant = (cd.get("tenant") or {}).get("id", "") or getattr(a.conversation, "tenant_id", "")
        kind = a.conversation.conversation_type or ("channel" if channel else "personal")
        return Where(kind=kind, conversation_id=a.conversation.id, service_url=a.service_url,
                     tenant_id=tenant or "", team_id=team, channel_id=channel)

    async def _ctx(self, tc: TurnContext) -> Ctx:
        where = self._where(tc)
        bot_id = tc.activity.recipient.id if tc.activity.recipient else ""
        mentions = []
        for e in tc.activity.entities or []:
            props = getattr(e, "additional_properties", None) or {}
            who = props.get("mentioned") if str(e.type).lower() == "mention" else None
            if isinstance(who, dict) and who.get("id") and who["id"] != bot_id:
                mentions.append(MentionRef(str(who["id"]), str(who.get("name", ""))))

        async def resolve(teams_id: str) -> Person | None:
            try:
                m = await TeamsInfo.get_member(tc, teams_id)
            except Exception:  # the member API said no: treat as unknown
                log.info("member lookup failed")
                return None
            return Person(aad_id=m.aad_object_id or "", teams_id=m.id or teams_id,
                          name=m.name or "", upn=m.user_principal_name or "")

        safeguarding = bool(where.channel_id) and \
            await self.services.service.channel(where.channel_id) is not None
        actor = self._actor(tc)
        if self._upn_admins and actor.teams_id:  # activities carry no UPN: ask Teams, once
            actor = replace(actor, upn=await self._upn(tc, actor.teams_id, resolve))
        return Ctx(self.services, actor, where, mentions, resolve, safeguarding)

    async def _upn(self, tc: TurnContext, teams_id: str,
                   resolve: Any) -> str:
        """The person's user principal name (TRACKER_ADMINS may list UPNs), cached."""
        if teams_id not in self._upns:
            person = await resolve(teams_id)
            if person is None:
                return ""  # not cached: asked again next time
            if len(self._upns) >= 10_000:  # bounded: start again rather than grow
                self._upns.clear()
            self._upns[teams_id] = person.upn
        return self._upns[teams_id]

    # --- dispatch -----------------------------------------------------------------------
    async def on_turn(self, turn_context: TurnContext) -> None:
        a = turn_context.activity
        conv = a.conversation.id if a.conversation else ""
        if a.id and not await self.services.first_time(conv, a.id):
            log.info("duplicate activity ignored")  # Teams re-sends after 15 s without answer
            if a.type == ActivityTypes.invoke:
                await turn_context.send_activity(Activity(
                    type=ActivityTypes.invoke_response, value=InvokeResponse(
                        status=200, body=InvokeBody(status_code=200, type=MESSAGE,
                                                    value=inbound.DUPLICATE))))
            return
        if self.pacer is not None:
            inbound.pace_replies(turn_context, self.pacer)
        with counting_commits() as commits:
            try:
                await super().on_turn(turn_context)
            except Exception:
                if not commits:  # rolled back: a re-send of this activity should be handled
                    if a.id:
                        await self.services.forget_activity(conv, a.id)
                    raise
                # The change is committed; only the answer failed (e.g. 429 from Teams). Never
                # say "nothing changed": the answer goes out through the outbox, with retries.
                log.warning("the answer to a committed change failed; queued for retry",
                            exc_info=True)
                await self._answer_later(turn_context)

    async def _answer_later(self, tc: TurnContext) -> None:
        reply: Reply | None = tc.turn_state.get(REPLY_KEY)
        text = reply.text if reply is not None and reply.text and reply.card is None else ""
        text = (f"My answer to your last message, late because Teams was busy: {text}" if text
                else "Your last request was carried out and saved; Teams was busy, so this "
                     "comes late. Type `case N` to see a case as it is now.")
        actor = self._actor(tc)
        conv = tc.activity.conversation.id if tc.activity.conversation else ""
        await self.services.service.tell(
            PersonRef(actor.aad_id, actor.name, actor.teams_id), mask_nhs_numbers(text),
            key=f"late-answer:{conv}:{tc.activity.id}"[:200])

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        a = turn_context.activity
        if bad_text({"text": a.text, "value": a.value}) is not None:
            await turn_context.send_activity(reply_activity(Reply(text=NOT_TEXT)))
            return
        ctx = await self._ctx(turn_context)
        if a.value and not (a.text or "").strip():  # an Action.Submit (fallback) click
            result = await self._run_action(ctx, a.value)
            turn_context.turn_state[REPLY_KEY] = Reply(text=result.text or "")
            await turn_context.send_activity(self._submit_answer(result))
            return
        reply = await self._run_command(ctx, a.text)
        turn_context.turn_state[REPLY_KEY] = reply
        await turn_context.send_activity(reply_activity(reply))

    async def _run_command(self, ctx: Ctx, text: str | None) -> Reply:
        try:  # an NHS number is refused whatever the command, known or not
            refuse_nhs_numbers({"message": _AT.sub("", text or "")})
        except TrackerError as e:
            return Reply(text=friendly(e))
        parsed = self.services.registry.parse(text or "")
        if not isinstance(parsed, Parsed):
            hint = f" Did you mean {parsed.suggestion}?" if parsed.suggestion else ""
            echo = short(mask(parsed.text), ECHO_MAX)
            what = f"`{echo}`" if echo.strip("…") else "that"
            return Reply(text=f"Sorry, I don't understand {what}.{hint} Type `help` to see "
                              "what I can do.")
        start = commits_so_far()
        try:
            return await parsed.command.handler(ctx, parsed.args)
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
            with confirming(confirmed(ctx, data)):
                return self._where_allowed(ctx, await entry[1](ctx, action))
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
        from cards.banner import with_banner
        from cards.case_card import case_card

        number = data.get("case") if isinstance(data, dict) else None
        if isinstance(number, int) and ctx.details_allowed():
            try:
                case = await ctx.service.get_case(ctx.actor, number)
            except TrackerError:
                return ActionResult(None, message, "error")
            return ActionResult(with_banner(case_card(ctx.view(case)), message, "error"),
                                message, "error")
        return ActionResult(None, message, "error")

    def _submit_answer(self, result: ActionResult) -> Activity:
        if result.text:
            return reply_activity(Reply(text=result.text))
        return reply_activity(Reply(card=result.card))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        a = turn_context.activity
        if a.name != "adaptiveCard/action":  # not one we offer: the sender's mistake
            return InvokeResponse(status=400)
        value: dict[str, Any] = a.value if isinstance(a.value, dict) else {}
        raw_action = value.get("action")
        action: dict[str, Any] = raw_action if isinstance(raw_action, dict) else {}
        raw_data = action.get("data")
        data: dict[str, Any] = dict(raw_data) if isinstance(raw_data, dict) else {}
        if action.get("verb") and "verb" not in data:
            data["verb"] = action["verb"]
        if bad_text(data) is not None:  # answered, not stored: see teams_bot/textguard.py
            return self._invoke_answer(turn_context, ActionResult(None, NOT_TEXT, "error"))
        ctx = await self._ctx(turn_context)
        result = await inbound.in_time(self._run_action(ctx, data)) \
            or ActionResult(None, inbound.STILL_WORKING, "info")
        return self._invoke_answer(turn_context, result)

    def _invoke_answer(self, turn_context: TurnContext, result: ActionResult) -> InvokeResponse:
        if result.card is not None:
            body = InvokeBody(status_code=200, type=CARD, value=result.card)
        else:
            body = InvokeBody(status_code=200, type=MESSAGE,
                              value=mask_nhs_numbers(result.text or "Done."))
        # Return the model itself: CloudAdapter serializes it once (see docs/architecture.md).
        response = InvokeResponse(status=200, body=body)
        # Handed to the adapter here: sent as an activity, botbuilder deep-copies the whole card.
        turn_context.turn_state[TurnContext._INVOKE_RESPONSE_KEY] = Activity(
            type=ActivityTypes.invoke_response, value=response)
        return response

    # --- installation -------------------------------------------------------------------
    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._record_install(turn_context)

    async def on_teams_members_added(self, members_added, team_info, turn_context) -> None:
        bot_id = turn_context.activity.recipient.id
        if any(m.id == bot_id for m in members_added):
            await self._record_install(turn_context)

    async def _record_install(self, tc: TurnContext) -> None:
        where = self._where(tc)
        cd = tc.activity.channel_data or {}
        if not where.team_id:
            return  # personal or group chat install: nothing to store
        settings = cd.get("settings") or {}
        channel = (settings.get("selectedChannel") or {}).get("id") or where.channel_id \
            or where.team_id
        inst = Installation(service_url=where.service_url, tenant_id=where.tenant_id,
                            team_id=where.team_id, channel_id=channel,
                            conversation_id=where.conversation_id,
                            bot_id=tc.activity.recipient.id,
                            team_name=(cd.get("team") or {}).get("name", ""))
        if not await self.services.service.record_installation(self._actor(tc), inst):
            return
        await tc.send_activity(MessageFactory.text(welcome(tc.activity.recipient.name or "")))

"""A running bot on a free port, wired to the Teams-protocol emulator, and a driver that talks
to it as Teams does. Used by the end-to-end tests."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from teams_bot.http import keys as K
from teams_bot.http.app import create_app
from teams_bot.settings import Settings
from tracker.clock import FixedClock

from .emulator import Call, ConnectorEmulator, adaptive_card
from .teams import (
    Team,
    User,
    card_invoke,
    card_submit,
    channel_message,
    conversation_update_bot_added,
    installation_update,
    personal_message,
    post_activity,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningBot:
    app: web.Application
    runner: web.AppRunner
    url: str
    clock: FixedClock
    settings: Settings

    @property
    def services(self) -> Any:
        return self.app[K.SERVICES]

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_bot(settings: Settings, clock: FixedClock, schema: str | None = None,
                    migrate: bool = True, workers: bool = True) -> RunningBot:
    port = free_port()
    # TRACKER_SDK (set per e2e test by tests/conftest.py's `sdk` fixture) picks the edge.
    settings = settings.with_(port=port, sdk=os.environ.get("TRACKER_SDK") or settings.sdk)
    app = create_app(settings, clock=clock, migrate=migrate, schema=schema, workers=workers)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    return RunningBot(app, runner, f"http://127.0.0.1:{port}", clock, settings)


@dataclass
class Driver:
    """Plays Teams: posts activities to the bot and reads what it sent through the emulator."""

    bot: RunningBot
    emu: ConnectorEmulator
    session: aiohttp.ClientSession
    team: Team
    users: dict[str, User] = field(default_factory=dict)
    invoke_cards: list[dict[str, Any]] = field(default_factory=list)

    def user(self, name: str) -> User:
        if name not in self.users:
            self.users[name] = self.emu.add_user(name)
        return self.users[name]

    async def post(self, activity: dict[str, Any]) -> tuple[int, Any]:
        return await post_activity(self.session, self.bot.url, activity)

    async def install(self) -> None:
        for act in (installation_update("add", service_url=self.emu.url, team=self.team),
                    conversation_update_bot_added(service_url=self.emu.url, team=self.team)):
            status, _ = await self.post(act)
            assert status in (200, 201), status

    async def say(self, text: str, who: str, *, channel: str | None = None,
                  mentions: tuple[str, ...] = (), thread_id: str | None = None) -> Call:
        """Send a channel message and wait for the bot's answer; return that call."""
        before = len(self.emu.calls)
        act = channel_message(text, self.user(who), service_url=self.emu.url, team=self.team,
                              channel_id=channel or self.team.safeguarding_channel_id,
                              mentions=tuple(self.user(m) for m in mentions),
                              thread_id=thread_id)
        status, body = await self.post(act)
        assert status in (200, 201), (status, body)
        return await self.answer_after(before, act["id"])

    async def dm(self, text: str, who: str) -> Call:
        before = len(self.emu.calls)
        act = personal_message(text, self.user(who), service_url=self.emu.url, team=self.team)
        status, body = await self.post(act)
        assert status in (200, 201), (status, body)
        return await self.answer_after(before, act["id"])

    async def answer_after(self, before: int, activity_id: str) -> Call:
        def found() -> Call | None:
            for c in self.emu.calls[before:]:
                if c.ok and c.kind == "reply" and c.reply_to_id == activity_id:
                    return c
            return None
        return await self.emu.wait_for(found, timeout=10, message="the bot's answer")

    async def click(self, verb: str, data: dict[str, Any], who: str, *, reply_to: str,
                    conversation: str | None = None) -> tuple[int, Any]:
        """An Action.Execute click: returns the invoke response (status, body)."""
        act = card_invoke(verb, {"verb": verb, **data}, self.user(who),
                          conversation=conversation or self.team.safeguarding_channel_id,
                          reply_to_id=reply_to, service_url=self.emu.url, team=self.team)
        status, body = await self.post(act)
        if isinstance(body, dict) and body.get("type") == "application/vnd.microsoft.card.adaptive":
            self.invoke_cards.append(body["value"])
        return status, body

    async def submit(self, data: dict[str, Any], who: str, *, reply_to: str,
                     conversation: str | None = None) -> Call:
        """An Action.Submit click (old clients): the bot answers with a message."""
        before = len(self.emu.calls)
        act = card_submit(data, self.user(who),
                          conversation=conversation or self.team.safeguarding_channel_id,
                          reply_to_id=reply_to, service_url=self.emu.url, team=self.team)
        status, body = await self.post(act)
        assert status in (200, 201), (status, body)
        return await self.answer_after(before, act["id"])

    async def thread_of_case(self, number: int) -> Call:
        """The channel thread the bot opened for a case (its root message is the case card)."""
        def found() -> Call | None:
            for c in self.emu.threads():
                card = adaptive_card(c.body.get("activity") or {}) if c.body else None
                if card and _title(card).startswith(f"Case {number}"):
                    return c
            return None
        return await self.emu.wait_for(found, timeout=10, message=f"thread of case {number}")

    async def setup_team(self, lead: str = "Lena Lead") -> None:
        await self.install()
        answer = await self.say("setup", lead)
        assert "safeguarding channel" in answer.body["text"], answer.body


def _title(card: dict[str, Any]) -> str:
    for block in card.get("body", []):
        if block.get("type") == "TextBlock":
            return str(block.get("text", ""))
        for item in block.get("items", []) or []:
            if item.get("type") == "TextBlock":
                return str(item.get("text", ""))
    return ""


def card_title(card: dict[str, Any]) -> str:
    return _title(card)


def card_text(card: dict[str, Any]) -> str:
    """All the visible text of a card, for assertions."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "label"):
                if isinstance(node.get(key), str):
                    out.append(node[key])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(card)
    return "\n".join(out)

"""Microsoft 365 Agents Playground (npm, pinned in tools/playground) driven through the HTTP API its
own web page uses. Undocumented, so tied to the pinned version 0.2.28:

- GET  /_internal/v1/config: ids of the mock tenant (personal chat, team channels, users, bot);
- POST /_debug/conversation/{id}/installation: what the page sends when a chat or channel is opened
  (installationUpdate + conversationUpdate to the bot);
- POST /_conversation/v1/conversations/{id}/messages: a user's message;
- WS   /_ws_conversation/v1/conversations/stream: every message the bot sends, as it arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
CLI = (ROOT / "tools" / "playground" / "node_modules" / "@microsoft" / "m365agentsplayground"
       / "cli.js")


def missing() -> str:
    """Why the playground can't run here, or "" when it can."""
    if shutil.which("node") is None:
        return "Node.js is not installed (the Agents Playground is an npm package; Node 20+)"
    if not CLI.is_file():
        return "tools/playground/node_modules is missing: run `npm ci` in tools/playground"
    return ""


@dataclass
class BotMessage:
    conversation: str  # where the bot posted; "<channel>;messageid=<root>" for a thread reply
    text: str
    cards: list[dict[str, Any]]


@dataclass
class Playground:
    url: str
    process: asyncio.subprocess.Process
    session: aiohttp.ClientSession
    log_path: Path
    config: dict[str, Any] = field(default_factory=dict)
    received: list[BotMessage] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Open the message stream, then load the mock tenant (as the page does on load)."""
        ws = await self.session.ws_connect(f"{self.url}/_ws_conversation/v1/conversations/stream")
        self._reader = asyncio.create_task(self._read(ws))
        async with self.session.get(f"{self.url}/_internal/v1/config") as r:
            assert r.status == 200, await r.text()
            self.config = (await r.json())["config"]

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            data = msg.json()
            if data.get("action") != "createMessage":
                continue
            m = data["message"]
            cards = [a["content"] for a in m.get("attachments") or []
                     if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]
            self.received.append(BotMessage(data.get("actionConversationId", ""),
                                            m.get("text") or "", cards))

    @property
    def user_id(self) -> str:
        return str(self.config["currentUser"]["id"])

    @property
    def bot(self) -> dict[str, str]:
        return dict(self.config["bot"])

    @property
    def personal_chat(self) -> str:
        return str(self.config["personalChat"]["id"])

    def channel(self, name: str) -> str:
        for team in self.config["teams"]:
            for ch in team["channels"]:
                if ch["name"] == name:
                    return str(ch["id"])
        raise KeyError(name)

    async def open(self, conversation: str) -> None:
        """Open a chat or channel in the page: the playground installs the bot there."""
        async with self.session.post(f"{self.url}/_debug/conversation/{conversation}/installation",
                                     json={}) as r:
            assert r.status == 200, await r.text()

    async def say(self, conversation: str, text: str, *, mention_bot: bool = False) -> str:
        """Send a message as the current user; returns the conversation the bot answers in."""
        body: dict[str, Any] = {"type": "text", "text": text, "textFormat": "plain",
                                "from": {"id": self.user_id}}
        if mention_bot:
            tag = f"<at>{self.bot['name']}</at>"
            body["text"] = f"{tag} {text}"
            body["mentions"] = [{"mentioned": {"id": self.bot["id"]}, "text": tag}]
        async with self.session.post(
                f"{self.url}/_conversation/v1/conversations/{conversation}/messages",
                json=body) as r:
            assert r.status == 200, await r.text()
            sent = await r.json()
        return str(sent.get("postConversationId") or conversation)

    async def wait_for(self, found: Callable[[BotMessage], bool], what: str,
                       within: float = 15) -> BotMessage:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            for m in self.received:
                if found(m):
                    return m
            await asyncio.sleep(0.05)
        seen = "\n".join(f"- {m.conversation}: {m.text[:120]!r} {len(m.cards)} card(s)"
                         for m in self.received)
        raise AssertionError(f"the playground never showed {what}. It showed:\n{seen or '-'}\n"
                             f"Playground log: {self.log_path}")

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def start_playground(bot_url: str, port: int, workdir: Path,
                           session: aiohttp.ClientSession) -> Playground:
    """Start the real playground pointed at the bot; wait until it answers."""
    log_path = workdir / "playground.log"
    env = {**os.environ, "TEAMSAPPTESTER_BROWSER": "none"}
    with log_path.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            "node", str(CLI), "-e", f"{bot_url}/api/messages", "-c", "msteams", "-p", str(port),
            "--disable-telemetry", cwd=workdir, env=env, stdout=log,
            stderr=asyncio.subprocess.STDOUT)
    pg = Playground(f"http://127.0.0.1:{port}", proc, session, log_path)
    for _ in range(120):
        if proc.returncode is not None:
            raise AssertionError(f"the playground exited with {proc.returncode}:\n"
                                 f"{log_path.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(aiohttp.ClientError):
            async with session.get(f"{pg.url}/_debug/ping") as r:
                if r.status == 200 and await r.text() == "pong":
                    return pg
        await asyncio.sleep(0.25)
    await pg.close()
    raise AssertionError(f"the playground did not answer on {pg.url} within 30 seconds")

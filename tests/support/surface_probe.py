"""What tests/test_surfaces.py measures around each command and click: the calls to `can()`,
the cases read, what changed in the database, and what the answer showed."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

import tracker.permissions as permissions
from storage.cases import SqlCases
from storage.tables import case_events, cases, channels, outbox, role_grants
from teams_bot.turns.commands.registry import Command
from tests.support.emulator import adaptive_card
from tests.support.harness import Driver, card_text

REFUSALS = ("permission_denied", "recipient_refused")
SECRETS = ("Bruising noticed at nursery", "Older adult found without food", "Riverside")
MISSING = 99999


@dataclass
class Probe:
    teams: Driver
    cases: dict[str, int]
    problems: list[str] = field(default_factory=list)
    can_calls: int = 0
    reads: int = 0

    @contextmanager
    def instrumented(self) -> Iterator[Probe]:
        original_can = permissions.can
        get, lst = SqlCases.get, SqlCases.list

        def counting_can(*args: Any, **kwargs: Any) -> Any:
            self.can_calls += 1
            return original_can(*args, **kwargs)

        async def counting_get(repo: SqlCases, number: int) -> Any:
            self.reads += 1
            return await get(repo, number)

        async def counting_list(repo: SqlCases, flt: Any) -> Any:
            self.reads += 1
            return await lst(repo, flt)

        patched = [m for m in list(sys.modules.values())
                   if getattr(m, "can", None) is original_can]
        for m in patched:
            m.can = counting_can  # type: ignore[attr-defined]
        SqlCases.get, SqlCases.list = counting_get, counting_list  # type: ignore[method-assign]
        try:
            yield self
        finally:
            for m in patched:
                m.can = original_can  # type: ignore[attr-defined]
            SqlCases.get, SqlCases.list = get, lst  # type: ignore[method-assign]

    async def snapshot(self) -> tuple[int, ...]:
        return await change_counts(self.teams.bot.services.engine)

    async def _say(self, text: str, who: str, channel: str | None = None) -> str:
        call = await self.teams.say(text, who, channel=channel)
        card = adaptive_card(call.body)
        return (call.body.get("text") or "") + (card_text(card) if card else "")

    async def _click(self, data: dict[str, Any], who: str) -> str:
        status, body = await self.teams.click(str(data["verb"]), data, who, reply_to="root")
        if status != 200:
            return f"HTTP {status}"
        value = body.get("value") if isinstance(body, dict) else body
        return card_text(value) if isinstance(value, dict) else str(value)

    async def _checked(self, label: str, run: Any, leak: str, must_not_change: bool) -> str:
        self.can_calls = self.reads = 0
        before = await self.snapshot()
        answer = await run()
        if self.reads and not self.can_calls:
            self.problems.append(f"{label}: read a case without consulting can()")
        if must_not_change and await self.snapshot() != before:
            self.problems.append(f"{label}: changed something")
        if leak and leak in answer:
            self.problems.append(f"{label}: showed case details")
        if "5919" in answer:
            self.problems.append(f"{label}: echoed an NHS number")
        return answer

    def _same(self, label: str, hidden: str, missing: str, n: int) -> None:
        if hidden != missing.replace(str(MISSING), str(n)):
            self.problems.append(f"{label}: a hidden case answers differently from a missing "
                                 f"one:\n  hidden: {hidden[:200]}\n  missing: {missing[:200]}")

    # --- commands ---------------------------------------------------------------------------
    async def refused_command(self, cmd: Command, text: str) -> None:
        devon, cornwall = self.cases["devon"], self.cases["cornwall"]
        await self._checked(f"`{cmd.name}` by someone with no role",
                            lambda: self._say(text.format(n=devon), "Nora Norole"),
                            SECRETS[0], True)
        if "{n}" not in text:
            return
        label = f"`{cmd.name}` by Devon's lead on a Cornwall case"
        hidden = await self._checked(label, lambda: self._say(text.format(n=cornwall),
                                                              "Dana Devon"), SECRETS[1], True)
        missing = await self._say(text.format(n=MISSING), "Dana Devon")
        self._same(label, hidden, missing, cornwall)

    async def no_details_elsewhere(self, cmd: Command, text: str) -> None:
        general = self.teams.team.general_channel_id
        await self._checked(f"`{cmd.name}` in a non-safeguarding channel",
                            lambda: self._say(text.format(n=self.cases["devon"]), "Dana Devon",
                                              general), SECRETS[0], False)

    async def nhs_refused_command(self, cmd: Command, text: str) -> None:
        refused = False
        for name in ("devon", "path1", "path2"):
            answer = await self._checked(
                f"`{cmd.name}` with an NHS number ({name} case)",
                lambda name=name: self._say(text.format(n=self.cases[name]), "Dana Devon"),
                "", True)
            refused = refused or "NHS number" in answer
        if not refused:
            self.problems.append(f"`{cmd.name}`: an NHS number was never refused as such")
        if await self.stored_nhs():
            self.problems.append(f"`{cmd.name}`: stored an NHS number")

    # --- card verbs ---------------------------------------------------------------------------
    async def refused_click(self, verb: str, data: dict[str, Any]) -> None:
        devon, cornwall = self.cases["devon"], self.cases["cornwall"]
        await self._checked(f"click `{verb}` by someone with no role",
                            lambda: self._click({**data, "case": devon, "version": 1},
                                                "Nora Norole"), SECRETS[0], True)
        label = f"click `{verb}` by Devon's lead on a Cornwall case"
        hidden = await self._checked(
            label, lambda: self._click({**data, "case": cornwall, "version": 1}, "Dana Devon"),
            SECRETS[1], True)
        missing = await self._click({**data, "case": MISSING, "version": 1}, "Dana Devon")
        self._same(label, hidden, missing, cornwall)

    async def nhs_refused_click(self, verb: str, data: dict[str, Any]) -> None:
        """The card may carry inputs this verb ignores, so the test is: nothing stored holds
        the number (and the answer does not echo it), whatever else the click did."""
        for name in ("devon", "path1", "path2"):
            n = self.cases[name]
            version = (await self.teams.bot.services.service.peek(n)).version
            await self._checked(
                f"click `{verb}` with an NHS number ({name} case)",
                lambda n=n, version=version: self._click(
                    {**data, "case": n, "version": version}, "Dana Devon"), "", False)
            if await self.stored_nhs():
                self.problems.append(f"click `{verb}` ({name} case): stored an NHS number")
                return

    async def stored_nhs(self) -> bool:
        """Does any case, event, event text or outgoing message hold the test NHS number?"""
        from storage.tables import event_texts
        async with self.teams.bot.services.engine.connect() as conn:
            for column in (cases.c.record, case_events.c.data, event_texts.c.value,
                           outbox.c.payload):
                for (value,) in await conn.execute(select(column)):
                    text = str(value)
                    if "476 5919" in text or "4765919" in text:
                        return True
        return False


async def change_counts(engine: Any) -> tuple[int, ...]:
    """Everything an attempt could change (refusal events excepted: they are the record)."""
    async with engine.connect() as conn:
        async def n(q: Any) -> int:
            return int((await conn.execute(q)).scalar_one() or 0)
        return (
            await n(select(func.count()).select_from(case_events)
                    .where(case_events.c.kind.not_in(REFUSALS))),
            await n(select(func.count()).select_from(outbox)),
            await n(select(func.sum(cases.c.version))),
            await n(select(func.count()).select_from(cases)),
            await n(select(func.count()).select_from(role_grants)),
            await n(select(func.count()).select_from(channels)),
        )

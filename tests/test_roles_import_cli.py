"""`sgtracker roles import FILE.csv`: people found by AAD id, by UPN among people the bot has
seen, or by UPN through the Teams members API; what can't be resolved is listed (exit 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.db import create_engine
from storage.migrate import upgrade
from storage.uow import uow_factory
from teams_bot.cli import main
from teams_bot.cli.roles import run_import
from teams_bot.settings import Settings
from tests.support.emulator import ConnectorEmulator
from tracker.ports import ChannelRef


async def holders(url: str) -> set[tuple[str, str, str]]:
    engine = create_engine(url)
    try:
        async with uow_factory(engine)() as uow:
            return {(h.person.name, h.role, h.scope.key) for h in await uow.directory.holders()}
    finally:
        await engine.dispose()


async def test_import_asks_teams_for_people_the_bot_has_not_seen(
        tmp_path: Path, emulator: ConnectorEmulator) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'tracker.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    async with uow_factory(engine)() as uow:  # the bot is set up in the emulator's team
        await uow.directory.set_channel(ChannelRef(emulator.url, emulator.tenant_id,
                                                   emulator.team.id, emulator.team.id))
        await uow.commit()
    await engine.dispose()
    max_ = emulator.add_user("Max Medical")
    csv = tmp_path / "roles.csv"
    csv.write_text("Role,Locality,User principal name,Display name,AAD object id\n"
                   "director of nursing,Devon,nia@example.nhs.uk,Nia Nursing,aad-nia\n"
                   f"medical director,Devon,{max_.upn.upper()},,\n"
                   "comms lead,Devon,ghost@example.nhs.uk,,\n"
                   "regional lead,Devon,,,\n", encoding="utf-8")
    report, unreadable, problem = await run_import(Settings(database_url=url),
                                                   csv.read_text(encoding="utf-8"))
    assert report.added == ["Nia Nursing: director of nursing for NHS Devon ICB",
                            "Max Medical: medical director for NHS Devon ICB"]
    assert unreadable == ["line 5: missing user principal name."]
    assert len(report.problems) == 1 and "couldn't find ghost@example.nhs.uk" in \
        report.problems[0]
    assert problem == ""
    assert any(c.kind == "get_member" for c in emulator.calls)
    assert await holders(url) == {("Nia Nursing", "director_nursing", "devon"),
                                  ("Max Medical", "medical_director", "devon")}


def test_the_command_line_reports_and_exits_1_on_problems(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'tracker.db'}")
    csv = tmp_path / "roles.csv"
    csv.write_text("medical director,Devon,max@example.nhs.uk,Max Medical,aad-max\n"
                   "wizard,Devon,x@example.nhs.uk,,aad-x\n", encoding="utf-8")
    assert main(["roles", "import", str(csv), "--no-teams"]) == 1
    out = capsys.readouterr().out
    assert "added: 1" in out and "Max Medical: medical director for NHS Devon ICB" in out
    assert "not imported: 1" in out and "line 2: I don't know the role 'wizard'" in out
    assert main(["roles", "import", str(csv), "--no-teams"]) == 1
    assert "already held: 1" in capsys.readouterr().out
    assert main(["roles", "import", str(tmp_path / "missing.csv")]) == 2
    assert "There is no file" in capsys.readouterr().out

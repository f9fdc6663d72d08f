"""Start-up checks: production refuses to start without what it needs, and says how to fix it;
local mode stays on a loopback address; the start-up log never shows a secret.

The refusals are checked on the real `sgtracker` console script, in a clean environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from teams_bot.http.app import create_app
from teams_bot.settings import ConfigError, Settings
from tests.support.harness import free_port

PG = "postgresql+asyncpg://sgtracker:Db-Pa55word-Secret@db.example.nhs.uk:5432/sgtracker"
SECRETS = {"MicrosoftAppPassword": "App-Secret-Value-123456",
           "INTAKE_API_KEY": "Intake-Key-Value-987654"}
PRODUCTION = {"TRACKER_ENV": "production", "MicrosoftAppId": "6f1c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
              "MicrosoftAppType": "SingleTenant",
              "MicrosoftAppTenantId": "0b9e4c9a-1f7d-4f0e-9a51-6a3c2d1e0f11",
              "DATABASE_URL": PG, **SECRETS}


def _sgtracker() -> list[str]:
    script = Path(sys.executable).with_name("sgtracker")
    if script.exists():
        return [str(script)]
    found = shutil.which("sgtracker")
    return [found] if found else [sys.executable, "-m", "teams_bot.cli"]


def _clean_env(settings: dict[str, str], home: Path) -> dict[str, str]:
    """Only PATH and HOME from this process: nothing else leaks into the bot's settings."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), **settings}


def serve(settings: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_sgtracker(), "serve"], env=_clean_env(settings, cwd), cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(("drop", "change", "fix"), [
    ("MicrosoftAppPassword", {}, "needs MicrosoftAppPassword, or MicrosoftAppType=UserAssignedMSI"),
    ("INTAKE_API_KEY", {}, "needs INTAKE_API_KEY"),
    ("MicrosoftAppTenantId", {}, "needs MicrosoftAppTenantId (your tenant id)"),
    ("MicrosoftAppId", {}, "needs MicrosoftAppId (the Azure Bot's app id)"),
    ("DATABASE_URL", {}, "needs PostgreSQL: set DATABASE_URL=postgresql+asyncpg://"),
    ("", {"DATABASE_URL": "sqlite+aiosqlite:///var/prod.db"}, "needs PostgreSQL"),
    ("", {"MicrosoftAppType": "MultiTenant"}, "SingleTenant or UserAssignedMSI"),
])
def test_production_refuses_to_start_and_names_the_fix(
        tmp_path: Path, drop: str, change: dict[str, str], fix: str) -> None:
    settings = {k: v for k, v in PRODUCTION.items() if k != drop} | change
    run = serve(settings, tmp_path)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert run.stderr.startswith("sgtracker cannot start:")
    assert fix in run.stderr
    for secret in [*SECRETS.values(), "Db-Pa55word-Secret"]:
        assert secret not in run.stdout + run.stderr
    assert not (tmp_path / "var").exists()  # refused before touching any database


def test_every_missing_production_setting_is_listed_at_once(tmp_path: Path) -> None:
    run = serve({"TRACKER_ENV": "production", "HOST": "127.0.0.1"}, tmp_path)
    assert run.returncode == 2
    problems = [line for line in run.stderr.splitlines() if line.startswith("  - ")]
    assert len(problems) >= 5, run.stderr  # one line per problem
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId",
                 "DATABASE_URL", "INTAKE_API_KEY"):
        assert name in run.stderr


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "sgtracker.example.nhs.uk"])
def test_local_mode_refuses_a_non_loopback_address(tmp_path: Path, host: str) -> None:
    run = serve({"HOST": host}, tmp_path)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert f"only binds a loopback address, not HOST={host}" in run.stderr
    assert "Set MicrosoftAppId, or HOST=127.0.0.1" in run.stderr


def test_a_setting_that_is_not_a_number_is_refused_clearly(tmp_path: Path) -> None:
    run = serve({"PORT": "eighty"}, tmp_path)
    assert run.returncode == 2
    assert "A number setting is not a number" in run.stderr


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_local_mode_is_fine_on_loopback(host: str) -> None:
    assert Settings(host=host).problems() == []


def test_a_complete_production_configuration_passes() -> None:
    settings = Settings.from_env(PRODUCTION)
    assert settings.production and not settings.local_mode
    assert settings.problems() == []
    msi = {k: v for k, v in PRODUCTION.items() if k != "MicrosoftAppPassword"}
    assert Settings.from_env(msi | {"MicrosoftAppType": "UserAssignedMSI"}).problems() == []


def test_create_app_refuses_what_the_command_line_refuses() -> None:
    with pytest.raises(ConfigError, match="needs INTAKE_API_KEY"):
        create_app(Settings.from_env({k: v for k, v in PRODUCTION.items()
                                      if k != "INTAKE_API_KEY"}))


def test_masked_configuration_never_shows_a_secret() -> None:
    masked = Settings.from_env(PRODUCTION).masked()
    text = repr(masked)
    for secret in [*SECRETS.values(), "Db-Pa55word-Secret"]:
        assert secret not in text
    assert masked["DATABASE_URL"] == \
        "postgresql+asyncpg://sgtracker:****@db.example.nhs.uk:5432/sgtracker"
    assert masked["MicrosoftAppPassword"].startswith("****")
    assert masked["INTAKE_API_KEY"].startswith("****")
    assert masked["MicrosoftAppId"] == PRODUCTION["MicrosoftAppId"]  # not a secret: shown
    assert Settings().masked()["INTAKE_API_KEY"] == "(not set)"
    assert Settings(intake_api_key="short").masked()["INTAKE_API_KEY"] == "****"


def test_the_start_up_log_prints_the_configuration_with_secrets_masked(tmp_path: Path) -> None:
    port = free_port()
    settings = {"HOST": "127.0.0.1", "PORT": str(port), **SECRETS,
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'tracker.db'}"}
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([*_sgtracker(), "serve"], env=_clean_env(settings, tmp_path),
                                cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while "configuration:" not in log_path.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log_path.read_text()
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    out = log_path.read_text()
    config = next(line for line in out.splitlines() if "configuration:" in line)
    assert f'"PORT": "{port}"' in config and '"INTAKE_API_KEY": "****' in config
    assert '"MicrosoftAppPassword": "****' in config
    assert "LOCAL MODE" in out
    for secret in SECRETS.values():
        assert secret not in out


def test_tracker_sdk_picks_the_edge_and_refuses_anything_else(tmp_path: Path) -> None:
    assert Settings.from_env({}).sdk == "botbuilder"  # the default, for now
    assert Settings.from_env({"TRACKER_SDK": "agents"}).sdk == "agents"
    assert Settings.from_env({"TRACKER_SDK": " Agents "}).sdk == "agents"
    assert Settings.from_env({"TRACKER_SDK": "agents"}).masked()["TRACKER_SDK"] == "agents"
    assert Settings().masked()["TRACKER_SDK"] == "botbuilder"
    with pytest.raises(ConfigError, match="TRACKER_SDK must be agents .* or botbuilder"):
        Settings.from_env({"TRACKER_SDK": "teams-ai"})
    assert any("TRACKER_SDK" in p for p in Settings(sdk="teams-ai").problems())
    run = serve({"TRACKER_SDK": "bot-framework"}, tmp_path)
    assert run.returncode == 2 and "TRACKER_SDK must be agents" in run.stderr, run.stderr

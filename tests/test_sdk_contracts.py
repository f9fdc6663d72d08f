"""The import contracts that keep each SDK in its folder name every other module: a new module
of teams_bot/ (or a new package) cannot slip past them unlisted."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import teams_bot

ROOT = Path(__file__).resolve().parents[1]
SDK_FOLDERS = {"teams_bot.botframework": "botbuilder", "teams_bot.agents": "microsoft_agents"}


def _contracts() -> list[dict]:  # type: ignore[type-arg]
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return list(config["contracts"])


def test_each_sdk_contract_covers_every_other_module() -> None:
    edge = {f"teams_bot.{m.name}" for m in pkgutil.iter_modules(teams_bot.__path__)}
    packages = {"tracker", "storage", "cards", "manifest", "tab"}
    for folder, sdk in SDK_FOLDERS.items():
        contract = next(c for c in _contracts() if c["name"].startswith(f"Only {folder} "))
        assert contract["type"] == "forbidden" and sdk in contract["forbidden_modules"]
        assert not contract.get("allow_indirect_imports", False)
        assert set(contract["source_modules"]) == (edge | packages) - {folder}, folder

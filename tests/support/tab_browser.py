"""Playwright (Python) driving Debian's Chromium against the real server, with teams-js replaced
by a small stub whose getAuthToken() returns a token the test minted (tooling.md: outside a
Teams host, teams-js never resolves). No browser is downloaded: Chromium comes from Debian."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = ROOT / "tools" / "tab-browser" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

needs_chromium = pytest.mark.skipif(
    not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)),
    reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run does)")


def teams_stub(token: str) -> str:
    """What the page gets instead of @microsoft/teams-js."""
    return ("window.microsoftTeams = {app: {initialize: function () { return Promise.resolve(); }},"
            " authentication: {getAuthToken: function () { return Promise.resolve(" +
            json.dumps(token) + "); }},"
            " pages: {config: {registerOnSaveHandler: function () {},"
            " setValidityState: function () {}, setConfig: function () {"
            " return Promise.resolve(); }}}};")


@asynccontextmanager
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    profile = tempfile.mkdtemp(prefix="tab-chromium-")
    try:
        async with async_playwright() as p:
            b = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                yield b
            finally:
                await b.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


async def open_page(b: Any, token: str | None = None, *, width: int = 1280, height: int = 900,
                    bypass_csp: bool = False) -> Any:
    context = await b.new_context(viewport={"width": width, "height": height},
                                  accept_downloads=True, bypass_csp=bypass_csp)
    page = await context.new_page()
    if token is not None:
        async def stub(route: Any) -> None:
            await route.fulfill(status=200, content_type="application/javascript",
                                body=teams_stub(token))
        await page.route("**/tab/static/vendor/teams-js.min.js", stub)
    return page


async def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 A and AA rules on the page as it is now (context with bypass_csp:
    axe is injected as a script)."""
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]

"""`make tab-screenshots`: pictures of the tab's pages for docs/tab/, taken as the browser tests
take them (Debian's Chromium through Playwright, teams-js stubbed with a token for a regional
safeguarding lead) on the known cases of tests/support/tab_world.py."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import START, Database  # noqa: E402
from tests.support.tab_browser import browser, open_page  # noqa: E402
from tests.support.tab_world import REGIONAL, tab_site  # noqa: E402
from tracker.clock import FixedClock  # noqa: E402

OUT = ROOT / "docs" / "tab"
SHOTS = [  # (file, path, wait for, width)
    ("cases.png", "/tab/?icb=devon&status=all", "#results h2", 1280),
    ("cases_overdue.png", "/tab/?overdue=1&sort=due", "#results h2", 1280),
    ("case.png", "/tab/case/1", "h1", 1000),
    ("meeting.png", "/tab/meeting?icb=devon", ".agenda", 1000),
    ("statistics.png", "/tab/stats?area=icb:devon&period=2026-Q4", "[data-chart=themes] img",
     1000),
    ("cases_phone.png", "/tab/?icb=devon", "#results h2", 390),
]


async def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{tmp}/tab.db", None)
        async with tab_site(db, FixedClock(START), sso=True) as site, browser() as b:
            for name, path, ready, width in SHOTS:
                page = await open_page(b, site.token(REGIONAL), width=width, height=800)
                await page.goto(site.url + path)
                await page.wait_for_selector(ready)
                await page.wait_for_timeout(200)
                await page.screenshot(path=str(OUT / name), full_page=True)
                await page.context.close()
                print(f"wrote docs/tab/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))

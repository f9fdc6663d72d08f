"""The tab in a real browser (Debian's Chromium through Playwright): sign in with a stubbed
teams-js, filter, sort, page, open a case, download the CSV; scope; bad tokens; axe-core on
every page; the charts' numbers; phone width."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import START
from tests.support.tab_browser import AXE, axe_violations, browser, needs_chromium, open_page
from tests.support.tab_world import (
    DEVON_LEAD,
    DEVON_Q4,
    NATIONAL,
    OTHER_TENANT,
    REGIONAL,
    TabSite,
    tab_site,
)
from tracker.clock import FixedClock
from tracker.export import HEADINGS

pytestmark = [pytest.mark.e2e, needs_chromium]
SHOTS = Path(__file__).resolve().parents[1] / "docs" / "tab"


@pytest.fixture
async def site(database) -> AsyncIterator[TabSite]:  # type: ignore[no-untyped-def]
    async with tab_site(database, FixedClock(START), sso=True) as s:
        yield s


@pytest.fixture
async def chromium() -> AsyncIterator[Any]:
    async with browser() as b:
        yield b


async def rows(page: Any) -> list[int]:
    await page.wait_for_selector("#results h2")
    return [int(x) for x in await page.eval_on_selector_all(
        "tr[data-case]", "els => els.map(e => e.getAttribute('data-case'))")]


async def heading(page: Any) -> str:
    return str(await page.inner_text("#results h2"))


async def until_rows(page: Any, expected: list[int] | set[int]) -> list[int]:
    """Rows once the last swap has landed (htmx swaps asynchronously)."""
    for _ in range(100):
        got = await rows(page)
        if (set(got) if isinstance(expected, set) else got) == expected:
            return got
        await page.wait_for_timeout(50)
    return await rows(page)


async def test_filter_sort_page_open_a_case_and_download(site: TabSite, chromium: Any,
                                                         tmp_path: Path) -> None:
    page = await open_page(chromium, site.token(REGIONAL))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(site.url + "/tab/")
    assert set(await until_rows(page, {1, 2, 3, 4, 8, 9, 10})) == {1, 2, 3, 4, 8, 9, 10}

    await page.select_option("#f-icb", "devon")  # filter by ICB
    assert set(await until_rows(page, {1, 2, 3, 4, 8})) == {1, 2, 3, 4, 8}
    await page.check("#f-overdue")  # and by overdue
    assert set(await until_rows(page, {1, 8})) == {1, 8}
    assert await page.locator("tr[data-case] .badge").count() == 2  # marked overdue

    await page.uncheck("#f-overdue")
    await until_rows(page, {1, 2, 3, 4, 8})
    await page.click("th a[data-sort='added']")  # sort by date added, oldest first
    assert await until_rows(page, [8, 1, 2, 3, 4]) == [8, 1, 2, 3, 4]
    assert "sort=added" in page.url and "icb=devon" in page.url
    await page.click("th a[data-sort='-added']")  # and newest first
    assert await until_rows(page, [4, 3, 2, 1, 8]) == [4, 3, 2, 1, 8]

    await page.click("tr[data-case='2'] th a")  # open a case
    await page.wait_for_selector("h1:has-text('Case 2')")
    assert page.url.endswith("/tab/case/2")
    assert "Scoping and terms of reference" in await page.inner_text("#content")
    assert "Serious incident 2" in await page.inner_text("#content")

    await page.go_back()  # back to the filtered, sorted table (a full reload, no cache)
    await page.wait_for_selector("#results h2")
    assert await until_rows(page, [4, 3, 2, 1, 8]) == [4, 3, 2, 1, 8]
    async with page.expect_download() as info:
        await page.click("button[data-download^='/tab/api/export.csv']")
    download = await info.value
    path = tmp_path / download.suggested_filename
    await download.save_as(path)
    table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert tuple(table[0]) == HEADINGS
    assert sorted(int(r[0]) for r in table[1:]) == [1, 2, 3, 4, 8]
    assert path.name.startswith("safeguarding-tracker-") and path.suffix == ".csv"
    assert errors == []


async def test_paging(site: TabSite, chromium: Any) -> None:
    page = await open_page(chromium, site.token(NATIONAL))
    await page.goto(site.url + "/tab/?status=all&sort=number")
    first = await until_rows(page, list(range(1, 26)))
    assert first == list(range(1, 26))
    assert "42 cases, page 1 of 2" in await heading(page)
    await page.click("a[rel=next]")
    assert await until_rows(page, list(range(26, 43))) == list(range(26, 43))
    assert "page 2 of 2" in await heading(page)
    await page.click("a[rel=prev]")
    assert await until_rows(page, list(range(1, 26))) == list(range(1, 26))


async def test_an_icb_a_user_never_sees_icb_b(site: TabSite, chromium: Any) -> None:
    page = await open_page(chromium, site.token(DEVON_LEAD))
    await page.goto(site.url + "/tab/?status=all")
    assert set(await until_rows(page, {1, 2, 3, 4, 5, 6, 7, 8})) == {1, 2, 3, 4, 5, 6, 7, 8}
    options = await page.eval_on_selector_all("#f-icb option", "els => els.map(e => e.value)")
    assert options == ["", "devon"]
    await page.goto(site.url + "/tab/case/9")
    await page.wait_for_selector(".message")
    assert "couldn't find case 9" in await page.inner_text("#content")
    await page.goto(site.url + "/tab/stats?area=region:south-west&period=2026-Q4")
    await page.wait_for_selector("[data-figure=new]")
    assert await page.inner_text("[data-figure=new]") == str(DEVON_Q4.new)
    assert "Cornwall" not in await page.inner_text("#content")


@pytest.mark.parametrize("bad", ["another audience", "another tenant", "expired", "unsigned"])
async def test_a_bad_token_shows_sign_in_failed_and_no_data(site: TabSite, chromium: Any,
                                                            bad: str) -> None:
    import jwt
    token = {
        "another audience": site.token(REGIONAL, audience="api://elsewhere.example/x"),
        "another tenant": site.token(REGIONAL, tenant=OTHER_TENANT),
        "expired": site.token(REGIONAL, expires_in=-3600),
        "unsigned": jwt.encode(jwt.decode(site.token(REGIONAL),
                                          options={"verify_signature": False}), None,
                               algorithm="none"),
    }[bad]
    page = await open_page(chromium, token)
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "/tab/api/" in r.url else None)
    await page.goto(site.url + "/tab/")
    await page.wait_for_selector("[role=alert]")
    assert "Sign-in failed" in await page.inner_text("#content")
    assert statuses and set(statuses) == {401}
    assert await page.locator("tr[data-case]").count() == 0


async def test_chart_numbers_match_the_known_cases(site: TabSite, chromium: Any) -> None:
    page = await open_page(chromium, site.token(DEVON_LEAD))
    await page.goto(site.url + "/tab/stats?area=icb:devon&period=2026-Q4")
    await page.wait_for_selector("[data-chart=themes] table")

    async def table(key: str) -> list[tuple[str, int]]:
        cells = await page.eval_on_selector_all(
            f"[data-chart={key}] tbody tr",
            "trs => trs.map(t => [t.querySelector('th').textContent, t.querySelector('td')"
            ".textContent])")
        return [(label, int(n)) for label, n in cells]

    e = DEVON_Q4
    assert await table("paths") == list(e.by_path)
    assert await table("types") == list(e.by_type)
    assert await table("rapid") == [("Rapid Reviews", e.rapid), ("Converted to a CSPR",
                                                                 e.converted)]
    assert await table("outcomes") == [("Closed", e.closed), ("Published", e.published),
                                       ("Embargoed", e.embargoed)]
    assert await table("publication") == [("Median", e.median_days), ("Six-month target", 183)]
    assert await table("late") == list(e.late)
    assert await table("themes") == list(e.themes)
    # every chart is a drawn image whose text alternative carries the same numbers
    for key, label, n in (("paths", "Path 1 (case review)", 2), ("themes", "Domestic abuse", 1)):
        img = page.locator(f"[data-chart={key}] img")
        assert await img.evaluate("i => i.complete && i.naturalWidth > 100")
        assert f"{label} {n}" in (await img.get_attribute("alt") or "")


PAGES = {"cases": "/tab/?status=all", "case": "/tab/case/1", "meeting": "/tab/meeting?icb=devon",
         "stats": "/tab/stats?area=icb:devon&period=2026-Q4"}
READY = {"cases": "#results h2", "case": "h1:has-text('Case 1')", "meeting": ".agenda",
         "stats": "[data-chart=themes] img"}


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is missing: run `npm ci` in "
                                              "tools/tab-browser (.ci/run does)")
async def test_every_page_passes_axe_wcag_22_aa(site: TabSite, chromium: Any) -> None:
    found: dict[str, list[dict[str, Any]]] = {}
    for width in (1280, 390):
        page = await open_page(chromium, site.token(DEVON_LEAD), width=width, bypass_csp=True)
        for name, path in PAGES.items():
            await page.goto(site.url + path)
            await page.wait_for_selector(READY[name])
            found[f"{name} at {width}px"] = await axe_violations(page)
        await page.goto(site.url + "/tab/configure")
        found[f"configure at {width}px"] = await axe_violations(page)
        # and axe does catch a mistake: an image without a text alternative
        await page.evaluate("() => { const i = document.createElement('img'); i.src = "
                            "'/tab/static/none.png'; document.body.appendChild(i); }")
        assert "image-alt" in {v["id"] for v in await axe_violations(page)}
        await page.context.close()
    assert {k: v for k, v in found.items() if v} == {}


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is missing: run `npm ci` in "
                                              "tools/tab-browser (.ci/run does)")
async def test_the_local_try_out_picks_a_person_and_passes_axe(database: Any,
                                                               chromium: Any) -> None:
    async with tab_site(database, FixedClock(START), sso=False) as local:
        page = await open_page(chromium, None, bypass_csp=True)
        await page.goto(local.url + "/tab/")
        assert await axe_violations(page) == []
        await page.click(f"a[href='/tab/?as={DEVON_LEAD.aad_id}']")
        assert set(await until_rows(page, {1, 2, 3, 4, 8})) == {1, 2, 3, 4, 8}
        assert "Local try-out" in await page.inner_text("header")
        assert await axe_violations(page) == []
        await page.select_option("#f-icb", "devon")
        await page.check("#f-overdue")
        assert set(await until_rows(page, {1, 8})) == {1, 8}
        assert f"as={DEVON_LEAD.aad_id}" in page.url


async def test_every_page_fits_a_phone(site: TabSite, chromium: Any) -> None:
    page = await open_page(chromium, site.token(DEVON_LEAD), width=390, height=844)
    for name, path in PAGES.items():
        await page.goto(site.url + path)
        await page.wait_for_selector(READY[name])
        overflow = await page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than a phone"


async def test_the_meeting_agenda_prints_on_a4(site: TabSite, chromium: Any,
                                               tmp_path: Path) -> None:
    page = await open_page(chromium, site.token(DEVON_LEAD))
    await page.goto(site.url + PAGES["meeting"])
    await page.wait_for_selector(".agenda")
    pdf = await page.pdf(prefer_css_page_size=True)
    media = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert media is not None
    width, height = float(media[1]), float(media[2])
    assert abs(width - 595.92) < 2 and abs(height - 842.88) < 2  # A4 in points
    await page.emulate_media(media="print")
    assert not await page.is_visible("nav[aria-label='Tracker pages']")
    assert await page.is_visible("h1.print-title")

"""`may_hold_bad_text` lets /api/messages skip walking a body that cannot hold what `bad_text`
refuses. Checked for every code point of the Basic Multilingual Plane (everything `bad_text`
refuses is there) and a sample beyond, as a string value and as a key, in every
encoding the JSON parser reads and with and without escaping: whenever `bad_text` would find
something, the quick look says "walk it"."""

from __future__ import annotations

import json
from typing import Any

import pytest

from teams_bot.turns.textguard import bad_text, may_hold_bad_text

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le",
             "utf-32-be")


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_every_refused_character_is_seen_in_every_encoding(ensure_ascii: bool) -> None:
    refused = 0
    for code in [*range(0x10000), *range(0x10000, 0x110000, 0x3FF)]:
        ch = chr(code)
        for body in ({"text": f"a{ch}b"}, {f"k{ch}": 1}):
            text = json.dumps(body, ensure_ascii=ensure_ascii)
            if bad_text(json.loads(text)) is None:
                continue
            refused += 1
            for encoding in ENCODINGS:
                try:
                    raw = text.encode(encoding)
                except UnicodeEncodeError:  # a lone surrogate has no UTF-8: never on the wire
                    continue
                assert json.loads(raw) == body  # the parser reads it
                assert may_hold_bad_text(raw), (hex(code), encoding)
    assert refused == 2 * (29 + 1 + 0x800)  # C0 but tab, LF, CR; DEL; the surrogates


def test_an_ordinary_activity_is_not_walked() -> None:
    activity = {"type": "message", "id": "1", "text": "case 42 · Devon — Zoë’s note 👍",
                "from": {"id": "29:abc", "name": "Lena Lead"}, "channelId": "msteams"}
    assert not may_hold_bad_text(json.dumps(activity, ensure_ascii=False).encode())
    assert may_hold_bad_text(json.dumps(activity).encode())  # escaped: walked (and clean)
    assert bad_text(activity) is None


@pytest.mark.e2e
async def test_a_control_character_outside_what_people_type_is_refused_in_every_spelling(
        teams: Any) -> None:
    """Over HTTP: a NUL in the sender's name, escaped in UTF-8 as Teams would, or raw in UTF-16
    (which the JSON parser reads), is a 400 that names the field; nothing is handled."""
    from tests.support.teams import personal_message

    act = personal_message("help", teams.user("Lena Lead"), service_url=teams.emu.url,
                           team=teams.team)
    act["from"]["name"] = "Lena\u0000Lead"
    before = len(teams.emu.calls)
    for raw in (json.dumps(act).encode(), json.dumps(act, ensure_ascii=False).encode("utf-16")):
        async with teams.session.post(teams.bot.url + "/api/messages", data=raw, headers={
                "Content-Type": "application/json"}) as r:
            assert r.status == 400, await r.text()
            assert "'from.name' holds characters that are not text" in \
                (await r.json())["error"]
    assert len(teams.emu.calls) == before  # no answer: the turn never ran

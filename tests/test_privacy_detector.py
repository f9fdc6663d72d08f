"""`tracker.privacy.scan` on the labelled corpus (tests/data/privacy_corpus.jsonl) and on the
sentences the issue found stored and shown back; it runs offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.privacy_bench import corpus, run_privacy
from tracker.errors import PatientDataFound
from tracker.privacy import (
    KINDS,
    MASKS,
    NHS,
    Finding,
    NeedsConfirmation,
    check_text,
    kinds_in,
    mask,
    nhs_count,
    scan,
)

ROOT = Path(__file__).resolve().parents[1]

# Everything the issue found stored and shown back in Teams.
NHS_FORMS = ["943.476.5919", "4518 471 563", "943–476–5919", "943\u00a0476\u00a05919",
             "943 - 476 - 5919", "943/476/5919", "?p=943%20476%205919", "283.959.8132",
             "9434765919", "943-476-5919", "９４３ ４７６ ５９１９", "943\u200b476\u200b5919"]
CONFIRM = {
    "Mother Sarah Jones called the ward": "name",
    "John Smith, aged 17, was seen": "name",
    "MR JOHN SMITH": "name",
    "Mrs Patel reported that the child was missing": "name",
    "Referred by Dr Okonkwo": "name",
    "born on 3 March 2011": "date_of_birth",
    "d.o.b. 05.11.2015": "date_of_birth",
    "Call 07700 900123": "phone",
    "Call +44 7700 900456": "phone",
    "Email dad.walsh1980@gmail.com": "email",
    "Lives at 14 Acacia Avenue": "address",
    "Flat 3, 27 Victoria Road": "address",
    "Postcode LS1 4AP": "postcode",
}
CLEAN = ["Leeds Teaching Hospitals NHS Trust", "Kent Police", "Director of Nursing",
         "Safeguarding Adults Board", "Rapid Review on 3 March 2026 at 10:00",
         "StEIS 2026/12345, panel on 12/12/2026", "Call 111 or 999 in an emergency",
         "Case 42 reopened; Year 6 pupils, Item 5 on the agenda", "The May panel was moved"]


def test_the_corpus_is_big_enough_and_covers_every_kind() -> None:
    rows = corpus()
    assert len(rows) >= 300
    with_ids = [r for r in rows if r["kinds"]]
    assert len(with_ids) * 2 >= len(rows)
    for kind in KINDS:
        assert sum(kind in r["kinds"] for r in rows) >= 10, kind  # type: ignore[operator]


def test_the_corpus_bars_recall_and_false_alarms() -> None:
    result = run_privacy(count=20)
    assert result.recall(NHS) == 1.0
    for kind in KINDS:
        assert result.recall(kind) >= 0.95, (kind, result.recall(kind))
    assert result.false_alarm_rate <= 0.05


@pytest.mark.parametrize("number", NHS_FORMS)
def test_nhs_numbers_in_any_format_are_refused_with_the_field_named(number: str) -> None:
    assert [f.kind for f in scan(f"Child's number {number} seen")] == [NHS]
    with pytest.raises(PatientDataFound) as refused:
        check_text({"summary": f"Child {number} seen"}, confirmed=True)
    message = refused.value.errors["summary"]
    assert message.startswith("The summary contains an NHS number")
    assert "delete your own message" in message and "5919" not in message


@pytest.mark.parametrize(("text", "kind"), CONFIRM.items())
def test_other_identifiers_ask_for_confirmation_naming_kind_and_field(text: str, kind: str) -> None:
    assert kind in kinds_in(text)
    with pytest.raises(NeedsConfirmation) as asked:
        check_text({"note": text})
    message = asked.value.errors["note"]
    assert message.startswith("The note looks like it contains")
    for word in text.split():
        if any(c.isdigit() for c in word) or word in ("Sarah", "Jones", "Patel", "Okonkwo"):
            assert word not in message  # never repeats what it found
    check_text({"note": text}, confirmed=True)  # "Save anyway" saves it


@pytest.mark.parametrize("text", CLEAN)
def test_organisations_roles_places_and_meeting_dates_pass(text: str) -> None:
    assert scan(text) == []
    check_text({"note": text})


def test_findings_have_kind_span_and_confidence_on_the_original_text() -> None:
    text = "Mum (Aisha Rahman) on 07700 900123, NHS 943%20476%205919"
    found = scan(text)
    assert [f.kind for f in found] == ["name", "phone", NHS]
    assert all(isinstance(f, Finding) and 0 < f.confidence <= 1 for f in found)
    assert [text[f.start:f.end] for f in found] == ["Aisha Rahman", "07700 900123",
                                                    "943%20476%205919"]
    assert mask(text) == f"Mum ({MASKS['name']}) on {MASKS['phone']}, NHS {MASKS[NHS]}"


def test_ordinary_numbers_are_not_nhs_numbers() -> None:
    for text in ("943 476 5918", "1234567890", "StEIS 2026/12345", "12/04/2012 10:00"):
        assert NHS not in kinds_in(text), text


def test_the_nhs_count_skips_the_detector_only_where_it_could_find_none() -> None:
    """`nhs_count` (used to refuse whole messages) skips text with fewer than ten digits as the
    detector reads it: it must agree with the full scan on every text, near misses included."""
    texts = [*NHS_FORMS, *CONFIRM, *CLEAN, "case 12", "triage", "case_review",
             "943 476 591", "?p=943%20476%20591", "?p=%39%34%33%20476%205919",
             "９４３ ４７６ ５９１", "943​476​591 9", "٩٤٣٤٧٦٥٩١٩", "4518 471 563x",
             *(str(record["text"]) for record in corpus()[:300])]
    for text in texts:
        assert nhs_count(text) == sum(f.kind == NHS for f in scan(text)), text


def test_the_detector_loads_nothing_from_the_network(tmp_path: Path) -> None:
    """A fresh process where every connection fails, with no cache: it still finds e-mails
    (tldextract's suffix list) and names, quickly, and writes no cache files."""
    script = (
        "import socket, time\n"
        "def refuse(*a, **k): raise OSError('network is closed in this test')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "from tracker.privacy import kinds_in\n"
        "t = time.monotonic()\n"
        "print(kinds_in('Mother Sarah Jones, mum.jones@gmail.co.uk'))\n"
        "print(time.monotonic() - t)\n"
    )
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "TLDEXTRACT_CACHE": str(tmp_path / "tld")}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    kinds, seconds = out.stdout.splitlines()
    assert kinds == "['email', 'name']"
    assert float(seconds) < 60
    assert not any(tmp_path.iterdir())  # nothing cached on disk either


HOSTILE = {
    "Presidio's own e-mail pattern backtracks on this": "a." * 2000 + "@",
    "long local parts": ("a" * 70 + "@") * 50,
    "dotted domain": "x@" + "a." * 2000,
    "capitals": "Aaaa Bbbb " * 400,
    "digits": "12-34.56/78 " * 350,
    "bad escapes": "%ff%fe" * 600,
    "invisible": "\u200b" * 4000,
    "every character": "".join(chr(c) for c in range(0x20, 0x2000))[:4000],
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_is_scanned_quickly(text: str) -> None:
    import time

    scan("warm up")
    started = time.process_time()
    found = scan(text)
    assert time.process_time() - started < 1.0  # CPU seconds, on a 4,000-character message
    assert mask(text, found) is not None

"""Patient data guard for every piece of free text the tracker takes in or echoes back.

`scan(text)` is the one detector (see engine.py and names.py): it answers findings with a
kind, a span and a confidence. `check_text` refuses NHS numbers and asks for confirmation for
the other kinds; `mask` replaces findings with "[name]", "[phone]"... for echoes and intake.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from ..errors import InvalidInput, PatientDataFound
from .normalise import normalise

NHS = "nhs_number"
NAME = "name"
DOB = "date_of_birth"
ADDRESS = "address"
POSTCODE = "postcode"
PHONE = "phone"
EMAIL = "email"
KINDS = (NHS, EMAIL, DOB, PHONE, POSTCODE, ADDRESS, NAME)  # priority when findings overlap

LABELS = {NHS: "an NHS number", NAME: "a person's name", DOB: "a date of birth",
          ADDRESS: "a street address", POSTCODE: "a postcode", PHONE: "a phone number",
          EMAIL: "an e-mail address"}
MASKS = {NHS: "[NHS number removed]", NAME: "[name]", DOB: "[date of birth]", ADDRESS: "[address]",
         POSTCODE: "[postcode]", PHONE: "[phone]", EMAIL: "[e-mail]"}
_ENTITY_KIND = {"NHS_NUMBER": NHS, "EMAIL_ADDRESS": EMAIL, "PHONE_NUMBER": PHONE,
                "UK_POSTCODE": POSTCODE, "STREET_ADDRESS": ADDRESS, "PERSON": NAME}
_BIRTH = re.compile(r"(?:\bdob|\bd\.\s?o\.\s?b\.?|\bd\.o\.b|\bdate\s+of\s+birth|\bborn|\bb\.)"
                    r"[\s:.,(-]*(?:on\s+|in\s+)?(?:the\s+)?$", re.IGNORECASE)
_AFTER_NAME = re.compile(r"^[\s,(]{1,3}$")


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    confidence: float

    @property
    def label(self) -> str:
        return LABELS[self.kind]


def scan(text: str) -> list[Finding]:
    """Likely patient identifiers in `text`, in order, never overlapping."""
    if not text or not text.strip():
        return []
    from .engine import analyse

    norm = normalise(text)
    results = analyse(norm.text)
    names = [r for r in results if r.entity_type == "PERSON"]
    dates = [r for r in results if r.entity_type == "DATE_TIME"]
    raw: list[tuple[str, int, int, float]] = []
    for r in results:
        if r.entity_type == "DATE_TIME":
            before = norm.text[max(0, r.start - 30):r.start]
            if _BIRTH.search(before) or any(
                    n.end <= r.start and _AFTER_NAME.match(norm.text[n.end:r.start])
                    for n in names):
                raw.append((DOB, r.start, r.end, r.score))
        elif r.entity_type == "PHONE_NUMBER" and any(_overlap(r, d) for d in dates):
            continue  # a date that phonenumbers also reads as digits
        elif r.entity_type in _ENTITY_KIND:
            raw.append((_ENTITY_KIND[r.entity_type], r.start, r.end, max(r.score, 0.5)))
    kept: list[tuple[str, int, int, float]] = []
    for item in sorted(raw, key=lambda x: (KINDS.index(x[0]), x[1])):
        if not any(item[1] < k[2] and k[1] < item[2] for k in kept):
            kept.append(item)
    out = []
    for kind, start, end, confidence in sorted(kept, key=lambda x: x[1]):
        a, b = norm.span(start, end)
        out.append(Finding(kind, a, b, round(confidence, 2)))
    return out


def _overlap(a: object, b: object) -> bool:
    return bool(a.start < b.end and b.start < a.end)  # type: ignore[attr-defined]


def warm_up() -> None:
    """Build the detector now (name lists and recognisers) rather than on first use."""
    from .engine import engine

    engine()


def kinds_in(text: str) -> list[str]:
    """The kinds found, each once, in priority order."""
    found = {f.kind for f in scan(text)}
    return [k for k in KINDS if k in found]


def mask(text: str, findings: Iterable[Finding] | None = None,
         only: Iterable[str] | None = None) -> str:
    """`text` with each finding replaced by its mask, e.g. "[name]"."""
    chosen = list(scan(text) if findings is None else findings)
    if only is not None:
        keep = set(only)
        chosen = [f for f in chosen if f.kind in keep]
    for f in sorted(chosen, key=lambda f: f.start, reverse=True):
        text = text[:f.start] + MASKS[f.kind] + text[f.end:]
    return text


def nhs_findings(text: str) -> list[Finding]:
    """NHS numbers only (cheaper than `scan`: for logs and for refusing whole messages)."""
    if sum(c.isdigit() for c in text) < 10:
        return []
    from .engine import nhs_spans

    norm = normalise(text)
    return [Finding(NHS, *norm.span(start, end), score) for start, end, score in
            nhs_spans(norm.text)]


def nhs_numbers_in(text: str) -> int:
    """How many valid NHS numbers (correct check digit) the text holds, in any format."""
    return len(nhs_findings(text))


def mask_nhs_numbers(text: str) -> str:
    """Replace any NHS number with a mask (for logs)."""
    found = nhs_findings(text)
    return mask(text, found) if found else text


def masked_fields(fields: Mapping[str, str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Every finding masked in every field: the masked text and, per field, the kinds masked."""
    texts: dict[str, str] = {}
    kinds: dict[str, list[str]] = {}
    for name, text in fields.items():
        findings = scan(text) if text else []
        texts[name] = mask(text, findings) if findings else text
        if findings:
            kinds[name] = [k for k in KINDS if any(f.kind == k for f in findings)]
    return texts, kinds


def describe(kinds: Iterable[str]) -> str:
    """'a person's name and a phone number'."""
    labels = [LABELS[k] for k in kinds]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


_CONFIRMED: ContextVar[bool] = ContextVar("patient_data_confirmed", default=False)


@contextmanager
def confirming(confirmed: bool = True) -> Iterator[None]:
    """Within this block, likely identifiers count as confirmed by the person acting (the bot
    sets it when someone presses "Save anyway"). NHS numbers are refused regardless."""
    token = _CONFIRMED.set(confirmed)
    try:
        yield
    finally:
        _CONFIRMED.reset(token)


def _label(name: str) -> str:
    return name.replace("_", " ")


DELETE_YOURS = ("If you typed it in a message, please delete your own message now: the bot "
                "cannot delete it for you (in Teams, hover over the message, choose More "
                "options, then Delete).")


def refuse_nhs_numbers(fields: Mapping[str, object]) -> None:
    """Refuse outright if any text field holds an NHS number (whatever the command or button:
    the bot checks every message and every card input with this before anything runs)."""
    refused = {}
    for name, text in fields.items():
        if isinstance(text, str) and (count := nhs_count(text)):
            what = "an NHS number" if count == 1 else f"{count} NHS numbers"
            refused[name] = _refusal(name, what)
    if refused:
        raise PatientDataFound(refused)


def nhs_count(text: str) -> int:
    """The NHS numbers `scan` finds in `text`. Each is ten digits of the text as the detector
    reads it (NhsNumberRecognizer.validate_result), so with fewer the detector is not run: a
    `case 12` or a button's name costs microseconds, not the whole engine."""
    if sum(c.isdigit() for c in normalise(text).text) < 10:
        return 0
    return sum(f.kind == NHS for f in scan(text))


def _refusal(name: str, what: str) -> str:
    return (f"The {_label(name)} contains {what}. Patient identifiers must not be stored or "
            "shared in Teams; refer to the case by its number and keep identifiers in the "
            f"clinical record. Nothing was saved. {DELETE_YOURS}")


def check_text(fields: Mapping[str, str | None], confirmed: bool = False) -> None:
    """Refuse NHS numbers outright; ask for confirmation for other likely identifiers.

    Messages say what was found and where (the field), never the value itself.
    """
    confirmed = confirmed or _CONFIRMED.get()
    refused: dict[str, str] = {}
    warned: dict[str, str] = {}
    for name, text in fields.items():
        if not text:
            continue
        findings = scan(text)
        if count := sum(1 for f in findings if f.kind == NHS):
            what = "an NHS number" if count == 1 else f"{count} NHS numbers"
            refused[name] = _refusal(name, what)
        elif not confirmed and findings:
            kinds = [k for k in KINDS if any(f.kind == k for f in findings)]
            warned[name] = (
                f"The {_label(name)} looks like it contains {describe(kinds)}. Please "
                "remove patient-identifiable details, or confirm that it is not about a patient."
            )
    if refused:
        raise PatientDataFound(refused)
    if warned:
        raise NeedsConfirmation(warned)


class NeedsConfirmation(InvalidInput):
    """Likely identifiers found; the user may confirm and resend."""

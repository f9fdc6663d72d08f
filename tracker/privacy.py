"""Patient data guard for every piece of free text the tracker takes in."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import nhs_number

from .errors import InvalidInput, PatientDataFound

# Ten digits, optionally grouped 3-3-4 by spaces or hyphens, not inside a longer number.
_NHS_CANDIDATE = re.compile(r"(?<![\d])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d])")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_DOB_WORDS = re.compile(r"\b(dob|d\.o\.b\.?|date of birth|born( on)?)\b", re.IGNORECASE)
_DATE = r"\d{1,2}[/.-]\d{1,2}[/.-](\d{4}|\d{2})"
_DOB = re.compile(rf"({_DOB_WORDS.pattern})\W{{0,3}}{_DATE}|\b{_DATE}\b", re.IGNORECASE)
_TITLED_NAME = re.compile(r"\b(Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][a-z'-]+(\s+[A-Z][a-z'-]+)+")


@dataclass(frozen=True)
class Finding:
    field: str
    what: str


def nhs_numbers_in(text: str) -> int:
    """How many valid NHS numbers (correct check digit) the text holds."""
    count = 0
    for m in _NHS_CANDIDATE.finditer(text):
        if nhs_number.is_valid("".join(m.groups())):
            count += 1
    return count


def warnings_in(text: str) -> list[str]:
    found = []
    if _DOB.search(text):
        found.append("a date of birth")
    if _POSTCODE.search(text):
        found.append("a full postcode")
    if _TITLED_NAME.search(text):
        found.append("a person's full name")
    return found


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
        if count := nhs_numbers_in(text):
            what = "an NHS number" if count == 1 else f"{count} NHS numbers"
            refused[name] = (
                f"The {_label(name)} contains {what}. Patient identifiers must not be stored "
                "or shared in Teams; refer to the case by its number and keep identifiers in "
                "the clinical record. Nothing was saved."
            )
        elif not confirmed and (found := warnings_in(text)):
            warned[name] = (
                f"The {_label(name)} looks like it contains {' and '.join(found)}. Please "
                "remove patient-identifiable details, or confirm that it is not about a patient."
            )
    if refused:
        raise PatientDataFound(refused)
    if warned:
        raise NeedsConfirmation(warned)


class NeedsConfirmation(InvalidInput):
    """Likely identifiers found; the user may confirm and resend."""


def mask_nhs_numbers(text: str) -> str:
    """Replace any valid NHS number with a mask (for logs and error echoes)."""
    def sub(m: re.Match[str]) -> str:
        return "[NHS number removed]" if nhs_number.is_valid("".join(m.groups())) else m.group(0)

    return _NHS_CANDIDATE.sub(sub, text)

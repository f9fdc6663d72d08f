"""Free text already stored on a case, read by today's detector: which fields hold likely
patient identifiers (for `sgtracker privacy scan`), and the same text masked (`--redact`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..model import Case
from ..retention import FREE_TEXT
from . import KINDS, mask, scan

# What people type on a case: the retention policy's free text, and who reported it.
FIELDS: dict[str, tuple[str, ...] | None] = {**FREE_TEXT, "reported_by": None}


def kinds_in_value(value: Any) -> set[str]:
    """Kinds found in a stored value: text, a list, or a mapping of them."""
    if isinstance(value, str):
        return {f.kind for f in scan(value)}
    if isinstance(value, list | tuple):
        return set().union(*(kinds_in_value(v) for v in value)) if value else set()
    if isinstance(value, dict):
        return set().union(*(kinds_in_value(v) for v in value.values())) if value else set()
    return set()


def masked_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list | tuple):
        return type(value)(masked_value(v) for v in value)
    if isinstance(value, dict):
        return {k: masked_value(v) for k, v in value.items()}
    return value


def _texts(case: Case, name: str, attrs: tuple[str, ...] | None) -> list[str]:
    value = getattr(case, name, None)
    if attrs is None:
        return [value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]
    return [getattr(item, a) for item in value or [] for a in attrs
            if isinstance(getattr(item, a, None), str)]


def ordered(kinds: set[str]) -> list[str]:
    return [k for k in KINDS if k in kinds]


def flagged_fields(case: Case) -> dict[str, list[str]]:
    """Field -> kinds found there (fields with nothing found are left out)."""
    out = {}
    for name, attrs in FIELDS.items():
        found = kinds_in_value(_texts(case, name, attrs))
        if found:
            out[name] = ordered(found)
    return out


def mask_case(case: Case) -> dict[str, list[str]]:
    """Mask every finding in the case's free text, in place; returns field -> kinds masked."""
    flagged = flagged_fields(case)
    for name in flagged:
        attrs = FIELDS[name]
        value = getattr(case, name)
        if attrs is None:
            setattr(case, name, masked_value(value))
        else:
            setattr(case, name, [dataclasses.replace(item, **{
                a: mask(getattr(item, a)) for a in attrs
                if isinstance(getattr(item, a, None), str)}) for item in value])
    return flagged

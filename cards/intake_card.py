"""The "new incident" form. Input ids are the intake API's field names.

Shown again with `values` (what was typed) and `errors` (field -> message) when the bot
refuses a submission, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from microsoft_teams.cards import CardElement

from tracker.errors import InvalidInput
from tracker.reference import Reference

from .actions import CardVerb
from .components import (
    banner,
    card,
    choice_input,
    date_input,
    error_line,
    execute,
    heading,
    line,
    section,
    text_input,
    toggle,
)

SUMMARY_MAX = 600  # as tracker.service.intake.SUMMARY_MAX
REF_MAX = 40
FIELDS = ("steis_number", "lfpse_reference", "local_reference", "reported_by", "locality",
          "incident_date", "age_group", "summary", "specialist_commissioned", "media_interest",
          "confirm_no_patient_data")
NO_PATIENT_DATA = "No names, NHS numbers or other patient identifiers."


def intake_card(ref: Reference, values: Mapping[str, Any] | None = None,
                errors: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The form to log a new serious incident."""
    values = values or {}
    errors = errors or {}

    def text(key: str) -> str:
        value = values.get(key)
        return "" if value is None else str(value)

    def flag(key: str) -> bool:
        return values.get(key) in (True, "true")

    def field(key: str, element: CardElement) -> list[CardElement]:
        """The input, then its message if the last submission was refused for it."""
        return [element, error_line(errors[key])] if errors.get(key) else [element]

    localities = sorted(((x.key, x.name) for x in ref.localities.values()),
                        key=lambda pair: pair[1])
    body: list[CardElement] = [heading("Log a serious incident")]
    if errors:
        body.append(_error_summary(errors))
    body.append(line(f"Fields marked * are required. {NO_PATIENT_DATA}", subtle=True, small=True))
    body += [
        section("Where it was reported"),
        *field("steis_number", text_input("steis_number", "StEIS number (if any)",
                                          text("steis_number"), max_length=REF_MAX,
                                          placeholder="e.g. 2026/12345")),
        *field("lfpse_reference", text_input("lfpse_reference", "LFPSE reference (if any)",
                                             text("lfpse_reference"), max_length=REF_MAX)),
        *field("local_reference", text_input("local_reference", "Local reference (if any)",
                                             text("local_reference"), max_length=REF_MAX)),
        *field("reported_by", text_input("reported_by", "Reporting organisation",
                                         text("reported_by"), required=True, max_length=120,
                                         error="Name the organisation that reported it.")),
        *field("locality", choice_input("locality", "Locality (ICB)", localities,
                                        _locality_key(ref, text("locality")), required=True,
                                        error="Choose the ICB.", placeholder="Choose the ICB")),
        section("The incident"),
        *field("incident_date", date_input("incident_date", "Date of incident",
                                           text("incident_date"), required=True,
                                           error="Give the date of the incident.")),
        *field("age_group", choice_input("age_group", "Does it concern a child or an adult?",
                                         [(o.key, o.label) for o in ref.options["age_groups"]],
                                         text("age_group"), placeholder="Not known yet")),
        *field("summary", text_input("summary", "Summary", text("summary"), required=True,
                                     error="Give a short summary.", multiline=True,
                                     max_length=SUMMARY_MAX,
                                     placeholder=f"What happened, briefly. {NO_PATIENT_DATA}")),
        *field("specialist_commissioned",
               toggle("specialist_commissioned", "Specialist commissioning",
                      "A specialist commissioned service is involved",
                      flag("specialist_commissioned"))),
        *field("media_interest", toggle("media_interest", "Media interest",
                                        "Media interest is likely", flag("media_interest"))),
        *field("confirm_no_patient_data",
               toggle("confirm_no_patient_data", "Patient data",
                      "I confirm this contains no patient-identifiable data",
                      flag("confirm_no_patient_data"))),
    ]
    submit = execute("Log incident", CardVerb.INTAKE_SUBMIT)
    return card(body, [submit], full_width=True, fallback_text="Log a serious incident")


def _locality_key(ref: Reference, text: str) -> str:
    """The choice's value for what was sent: a key, or a name the tracker recognises."""
    if not text or text in ref.localities:
        return text
    try:
        return ref.locality(text).key
    except InvalidInput:
        return ""


def _error_summary(errors: Mapping[str, str]) -> CardElement:
    """The red box at the top; problems with no field on the form are spelt out here."""
    count = sum(1 for key in errors if key in FIELDS)
    parts = []
    if count:
        parts.append(f"Please fix the {count} answer{'s' if count != 1 else ''} marked below.")
    parts += [f"{key.replace('_', ' ').capitalize()}: {message}"
              for key, message in errors.items() if key not in FIELDS]
    return banner("The incident was not logged", "attention", " ".join(parts))

"""Ask before saving text that may identify a patient. Says what was found and in which field,
never the text itself. "Save anyway" re-sends the same request, confirmed; "Cancel" drops it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from microsoft_teams.cards import Action, ActionSet, CardElement, Container

from . import components as ui
from .actions import CardVerb

CONFIRM_COMMAND = CardVerb.CONFIRM_COMMAND  # data: command, mentions, confirm_by
CANCEL = CardVerb.CONFIRM_CANCEL


def confirm_card(problems: Mapping[str, str], save_verb: str, case: int | None = None,
                 version: int | None = None, **data: Any) -> dict[str, Any]:
    """`problems` maps a field to what was found there; `data` rides on the Save button."""
    head = ui.heading("Not saved yet: please check", "Medium")
    body: list[CardElement] = [Container(items=[head], style="warning", bleed=True)]
    body += [ui.line(message) for message in problems.values()]
    body.append(ui.line("If it is about a patient, remove the details and send it again. If it "
                        "is not (for example a member of staff, or a date that is not a date "
                        "of birth), press Save anyway. Only the person who wrote it can.",
                        subtle=True, small=True))
    buttons: list[Action] = [ui.execute("Save anyway", save_verb, case, version, **data),
               ui.execute("Cancel", CANCEL, case, version)]
    body.append(ActionSet(actions=buttons))
    return ui.card(body, fallback_text="Not saved yet: it may contain patient details.")

"""Small builders shared by every card: the card itself, buttons, text, facts and inputs.

Cards are built with Microsoft's typed models (`microsoft_teams.cards`) and dumped to plain
dicts. The models accept unknown fields silently, so the tests check every card against the
Adaptive Card 1.5 schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Literal

from microsoft_teams.cards import (
    Action,
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    Container,
    DateInput,
    ExecuteAction,
    Fact,
    FactSet,
    SubmitAction,
    TextBlock,
    TextInput,
    ToggleInput,
)

from tracker.clock import london

from .actions import action_data

# Text colours that stay readable (WCAG 2.2 AA, 4.5:1) in Teams' light, dark and high-contrast
# themes. Good and Warning text are too faint on white, Attention on dark: use `flag` instead.
Color = Literal["Default", "Accent"]
Tone = Literal["default", "emphasis", "good", "attention", "warning", "accent"]
Flag = Literal["good", "attention", "warning"]


# --- the card ------------------------------------------------------------------------------
def card(body: Sequence[CardElement], actions: Sequence[Action] = (), *,
         fallback_text: str = "", full_width: bool = False) -> dict[str, Any]:
    """An Adaptive Card 1.5 as a plain dict, ready to send."""
    model = AdaptiveCard(version="1.5", body=list(body), actions=list(actions) or None,
                         fallback_text=fallback_text or None)
    out = model.model_dump(exclude_none=True, by_alias=True)
    if full_width:
        # Teams documents "Full"; the typed model only allows "full".
        out["msteams"] = {"width": "Full"}
    return out


def sub_card(body: Sequence[CardElement], actions: Sequence[Action] = ()) -> AdaptiveCard:
    """The card inside an Action.ShowCard."""
    return AdaptiveCard(version=None, body=list(body), actions=list(actions) or None)


# --- buttons -------------------------------------------------------------------------------
def execute(title: str, verb: str, case: int | None = None, version: int | None = None,
            **extra: Any) -> ExecuteAction:
    """An Action.Execute whose fallback is an Action.Submit with the same title and data."""
    data = action_data(verb, case, version, **extra)
    return ExecuteAction(title=title, verb=str(verb), data=data,
                         fallback=SubmitAction(title=title, data=dict(data)))


# --- text ----------------------------------------------------------------------------------
def heading(text: str, size: Literal["Medium", "Large"] = "Large") -> TextBlock:
    return TextBlock(text=text, size=size, weight="Bolder", wrap=True, style="heading")


def section(text: str) -> TextBlock:
    """A small bold heading that starts a section of the card."""
    return TextBlock(text=text, weight="Bolder", wrap=True, separator=True, spacing="Medium")


def line(text: str, color: Color | None = None, *, bold: bool = False,
         subtle: bool = False, small: bool = False) -> TextBlock:
    return TextBlock(text=text, wrap=True, color=color, weight="Bolder" if bold else None,
                     is_subtle=subtle or None, size="Small" if small else None,
                     spacing="Small" if small else None)


def flag(text: str, tone: Flag, *, bold: bool = False, small: bool = False) -> Container:
    """A line on a tinted strip (green, amber or red): the tone shows as the background, the text
    keeps the theme's default colour, so it reads in every Teams theme. The words must say it too
    ("overdue", "waiting"): colour alone is not enough."""
    block = TextBlock(text=text, wrap=True, weight="Bolder" if bold else None,
                      size="Small" if small else None)
    return Container(items=[block], style=tone, spacing="Small")


def status(text: str, tone: Flag | None = None, *, bold: bool = False,
           small: bool = False) -> CardElement:
    """A plain line, or a flagged one when `tone` is given (e.g. "attention" when late)."""
    if tone is None:
        return line(text, bold=bold, small=small)
    return flag(text, tone, bold=bold, small=small)


def error_line(text: str) -> Container:
    """A message under an input, on a red strip."""
    return flag(text, "attention", small=True)


def banner(text: str, tone: Tone = "attention", detail: str = "") -> Container:
    """A coloured strip across the card, e.g. the "Closed" banner."""
    items: list[CardElement] = [TextBlock(text=text, weight="Bolder", wrap=True)]
    if detail:
        items.append(TextBlock(text=detail, wrap=True, spacing="Small"))
    return Container(items=items, style=tone, bleed=True)


def facts(pairs: Iterable[tuple[str, str | None]]) -> FactSet | None:
    """A FactSet of the pairs that have a value; None if none has."""
    kept = [Fact(title=title, value=value) for title, value in pairs if value]
    return FactSet(facts=kept) if kept else None


# --- inputs (every input has a label; required ones an error message) ----------------------
def text_input(id: str, label: str, value: str = "", *, required: bool = False,
               error: str = "", multiline: bool = False, max_length: int | None = None,
               placeholder: str = "") -> TextInput:
    field = TextInput(id=id, label=label, value=value or None, is_multiline=multiline or None,
                      placeholder=placeholder or None, **_required(required, error, label))
    if max_length is not None:
        field.max_length = max_length  # set after init so it dumps as an int, not 600.0
    return field


def date_input(id: str, label: str, value: date | str | None = None, *,
               required: bool = False, error: str = "") -> DateInput:
    text = value.isoformat() if isinstance(value, date) else (value or None)
    return DateInput(id=id, label=label, value=text, **_required(required, error, label))


def choice_input(id: str, label: str, choices: Iterable[tuple[str, str]], value: str = "", *,
                 required: bool = False, error: str = "", placeholder: str = "") -> ChoiceSetInput:
    """A compact drop-down; `choices` are (value, title) pairs."""
    return ChoiceSetInput(
        id=id, label=label, style="compact", value=value or None,
        placeholder=placeholder or None,
        choices=[Choice(title=title, value=key) for key, title in choices],
        **_required(required, error, label),
    )


def toggle(id: str, label: str, title: str, value: bool = False) -> ToggleInput:
    """A yes/no switch that sends "true" or "false"; `title` is the text beside it."""
    return ToggleInput(id=id, label=label, title=title, value_on="true",
                       value_off="false", value="true" if value else "false", wrap=True)


def _required(required: bool, error: str, label: str) -> dict[str, Any]:
    if not required:
        return {}
    return {"is_required": True, "error_message": error or f"{label} is required."}


# --- formatting ----------------------------------------------------------------------------
def day(value: date | None) -> str:
    return f"{value:%d %b %Y}" if value else ""


def when(value: datetime) -> str:
    """A timestamp in UK time (stored times are UTC)."""
    if value.tzinfo is not None:
        value = london(value)
    return f"{value:%d %b %Y %H:%M}"


def sentence(text: str) -> str:
    """First letter upper case: "awaiting triage" -> "Awaiting triage"."""
    return text[:1].upper() + text[1:]

"""Editing the tracker record: fields, identifiers, recommendations, comments and learning."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..errors import InvalidInput
from ..model import Actor, Case, Identifier, Note, PersonRef, ReviewType, State
from ..permissions import Access
from ..ports import DuplicateIdentifier, UnitOfWork
from ..privacy import check_text
from ..record_fields import (
    BY_KEY,
    CLEARABLE,
    ID_FIELDS,
    THEME_FIELDS,
    Field,
    read_day,
    read_text,
    read_url,
)
from ..states import Verb
from .base import Outcome
from .path1_common import Change, at, thread_reply
from .writer import Writer

STAGED = (State.RAPID_REVIEW, State.REVIEW)
FULL_REVIEWS = (ReviewType.CSPR, ReviewType.SAR, ReviewType.DHR, ReviewType.DHR_CHILD)


class Record:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    async def update_record(
        self, actor: Actor, number: int, version: int | None, values: Mapping[str, str],
    ) -> Outcome:
        """Set any of the record's fields (keys from `tracker.record_fields`), in one event.

        An empty value clears a clearable field and is ignored for the others, so a card form
        prefilled with the record can be sent back whole. (Learning shared is recorded by
        `record_learning`, which goes on after closure.)
        """
        unknown = [k for k in values if k not in BY_KEY]
        if unknown:
            raise InvalidInput({k: "This is not a field of the tracker record." for k in unknown})
        today = self.d.today()

        async def mutate(uow: UnitOfWork, access: Access, case: Case) -> Change:
            free = {k: v for k, v in values.items()
                    if BY_KEY[k].kind in ("text", "identifier", "append")}
            check_text(free)
            done = Change()
            errors: dict[str, str] = {}
            for key, raw in values.items():
                try:
                    await self._set(uow, case, actor, BY_KEY[key], raw, today, done)
                except InvalidInput as e:
                    errors.update(e.errors)
            if errors:
                raise InvalidInput(errors)
            shown = ", ".join(BY_KEY[k].label.lower() for k in done.changes)
            done.message = f"Case {number} updated: {shown}."
            return done

        return await self.w.edit(actor, number, version, "edit_record", Verb.EDIT,
                                 "record_updated", mutate)

    async def _set(self, uow: UnitOfWork, case: Case, actor: Actor, field: Field, raw: str,
                   today: date, done: Change) -> None:
        key, value = field.key, (raw or "").strip()
        if field.kind == "append":
            self._append(case, actor, field, read_text(value, field), done)
            return
        if field.kind == "identifier":
            await self._identifier(uow, case, field, read_text(value, field), done)
            return
        if not value and key not in CLEARABLE:
            return
        new: Any
        if field.kind == "option":
            new = self.d.ref.option(field.option, value).key if value else ""
        elif field.kind == "date":
            new = read_day(value, key, today)
        elif field.kind == "url":
            new = read_url(value, key)
        else:
            new = read_text(value, field)
        if key in THEME_FIELDS:
            self._theme(case, THEME_FIELDS.index(key), new, done)
            return
        if key == "review_type":
            new = self._review_type(case, new)
        old = getattr(case, key)
        if old == new:
            return
        if key == "stage" and case.state not in STAGED:
            raise InvalidInput({"stage": "The review stage is recorded once the panel has "
                                         "agreed a review."})
        setattr(case, key, new)
        done.changes[key] = (old, new)

    def _review_type(self, case: Case, key: str) -> ReviewType | None:
        if case.review_type is not None and key == case.review_type.value:
            return case.review_type
        chosen = ReviewType(key) if key else None
        if case.state is not State.REVIEW or chosen not in FULL_REVIEWS:
            raise InvalidInput({"review_type": "The type of review comes from the panel's "
                                               "decision. Once a review is under way it can be "
                                               "changed between CSPR, SAR and DHR."})
        return chosen

    def _theme(self, case: Case, index: int, new: str, done: Change) -> None:
        themes = (case.themes + ["", "", ""])[:3]
        if themes[index] == new:
            return
        if new and new in themes:
            where = themes.index(new) + 1
            raise InvalidInput({THEME_FIELDS[index]: f"That is already theme {where}."})
        old = themes[index]
        themes[index] = new
        while themes and not themes[-1]:
            themes.pop()
        case.themes = themes
        done.changes[THEME_FIELDS[index]] = (old, new)

    def _append(self, case: Case, actor: Actor, field: Field, text: str, done: Change) -> None:
        if not text:
            return
        if field.key == "comment":
            case.comments.append(Note(text=text, by=actor.display, at=self.d.clock.now()))
        elif field.key == "recommendation":
            case.recommendations.append(text)
        else:
            case.learning_themes.append(text)
        done.changes[field.key] = (None, text)

    async def _identifier(self, uow: UnitOfWork, case: Case, field: Field, value: str,
                          done: Change) -> None:
        if not value:
            return
        kind = ID_FIELDS[field.key]
        if value in case.ids(kind):
            return
        try:
            await uow.cases.claim_identifiers(case.number, [(kind, value)])
        except DuplicateIdentifier as dup:
            raise InvalidInput({field.key: f"{field.label} {value} is already recorded on case "
                                           f"{dup.case_number}."}) from None
        case.identifiers.append(Identifier(kind, value))
        done.changes[field.key] = (None, value)

    async def set_designated_professional(
        self, actor: Actor, number: int, version: int | None, person: PersonRef,
    ) -> Outcome:
        async def mutate(uow: UnitOfWork, access: Access, case: Case) -> Change:
            old = case.designated_professional
            if old is not None and old.aad_id == person.aad_id:
                return Change(message=f"{person.name} is already the designated professional "
                                      f"for case {number}.")
            case.designated_professional = person
            text = f"{at([person])} is now the designated professional for case {number}."
            return Change(changes={"designated_professional": (old, person)},
                          message=f"{person.name} is now the designated professional for case "
                                  f"{number}.",
                          notices=[thread_reply(number, text, [person],
                                                key=f"dp:{number}:{case.version}")])

        return await self.w.edit(actor, number, version, "edit_record", Verb.EDIT,
                                 "record_updated", mutate)

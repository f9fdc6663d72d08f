"""`sgtracker privacy scan`: stored free text that today's detector flags, by case and field
(never the text); `--redact` masks it in the case and in its history, as retention does, and
records an event."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Actor
from ..permissions import NATIONAL
from ..ports import CaseFilter, ConcurrentChange
from ..privacy.stored import flagged_fields, kinds_in_value, mask_case, masked_value, ordered
from .base import card_update
from .writer import Writer


@dataclass(frozen=True)
class Flagged:
    number: int
    fields: dict[str, list[str]]  # case field -> kinds
    history: dict[str, list[str]]  # "event 12: detail" -> kinds


class PrivacyScan:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    async def stored_patient_data(self) -> list[Flagged]:
        """Every case whose stored free text (fields or history) the detector flags."""
        found: list[Flagged] = []
        offset = 0
        while True:
            async with self.w.unit() as uow:
                page = await uow.cases.list(CaseFilter(scopes=[NATIONAL], open_only=False,
                                                       limit=200, offset=offset))
                for case in page:
                    history = {f"event {event_id}: {path}": ordered(kinds)
                               for event_id, path, value in await uow.events.texts(case.number)
                               if (kinds := kinds_in_value(value))}
                    fields = flagged_fields(case)
                    if fields or history:
                        found.append(Flagged(case.number, fields, history))
            if len(page) < 200:
                return sorted(found, key=lambda f: f.number)
            offset += 200

    async def redact_patient_data(self, actor: Actor) -> list[Flagged]:
        """Mask what `stored_patient_data` finds, one transaction per case, with an event."""
        done = []
        for flagged in await self.stored_patient_data():
            async with self.w.unit() as uow:
                case = await uow.cases.get(flagged.number)
                if case is None:
                    continue
                fields = mask_case(case)
                if fields:
                    expected = case.version
                    case.version += 1
                    try:
                        await uow.cases.save(case, expected, None)
                    except ConcurrentChange:
                        continue  # changed meanwhile: the next run looks again
                history = {}
                for event_id, path, value in await uow.events.texts(case.number):
                    if kinds := kinds_in_value(value):
                        await uow.events.replace_text(event_id, path, masked_value(value))
                        history[f"event {event_id}: {path}"] = ordered(kinds)
                await self.w.record(uow, actor, case.number, "patient_data_masked", {
                    "what": "likely patient identifiers masked in stored text",
                    "fields": fields, "history": history})
                await uow.outbox.enqueue(card_update(case.number))
                await uow.commit()
                done.append(Flagged(case.number, fields, history))
        return done

"""Read-models for cards: a case plus everything needed to show it, computed once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .deadlines import Clock, WorkingDays, clocks_for
from .model import Case
from .reference import Reference
from .states import Verb, verbs_from


@dataclass(frozen=True)
class CaseView:
    case: Case
    ref: Reference
    today: date
    clocks: tuple[Clock, ...]
    verbs: frozenset[Verb]  # what the state allows now

    @property
    def locality_name(self) -> str:
        loc = self.ref.localities.get(self.case.locality)
        return loc.name if loc else self.case.locality

    @property
    def region_name(self) -> str:
        return self.ref.regions.get(self.case.region, self.case.region)

    @property
    def overdue(self) -> list[Clock]:
        return [c for c in self.clocks if c.overdue(self.today)]


def case_view(case: Case, ref: Reference, today: date, wd: WorkingDays) -> CaseView:
    return CaseView(case=case, ref=ref, today=today,
                    clocks=tuple(clocks_for(case, ref.timescales, wd)),
                    verbs=frozenset(verbs_from(case.state)))

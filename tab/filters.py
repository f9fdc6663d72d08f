"""The Cases page's filters, sort and page, read from the query string. Anything unknown is
dropped (the page shows what it understood), never an error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from tracker.model import REVIEW_LABELS, ROUTE_LABELS, ReviewType
from tracker.ports import CaseFilter
from tracker.reference import Reference

PAGE_SIZE = 25
MAX_PAGE = 4000
SORTS = {"": "Newest first", "number": "Case number", "added": "Date added (oldest first)",
         "-added": "Date added (newest first)", "due": "Next due date", "icb": "ICB"}
STATUSES = {"open": "Open", "closed": "Closed", "all": "Open and closed"}
PATHS = {**{r.value: label for r, label in ROUTE_LABELS.items()}, "none": "Not yet routed"}


@dataclass(frozen=True)
class Query:
    icb: str = ""
    review_type: str = ""
    stage: str = ""
    path: str = ""
    status: str = "open"
    overdue: bool = False
    added_from: date | None = None
    added_to: date | None = None
    sort: str = ""
    page: int = 1

    def with_(self, **changes: object) -> Query:
        return replace(self, **changes)  # type: ignore[arg-type]

    def params(self, **changes: object) -> str:
        """The query string for this view (or one changed), defaults left out."""
        q = self.with_(**changes)
        out: dict[str, str] = {}
        for f in fields(q):
            value = getattr(q, f.name)
            if value == f.default:
                continue
            out[f.name] = "1" if value is True else value.isoformat() \
                if isinstance(value, date) else str(value)
        return urlencode(out)

    def to_filter(self, today: date, limit: int = PAGE_SIZE, offset: int | None = None) \
            -> CaseFilter:
        def at(day: date | None, plus: int = 0) -> datetime | None:
            return datetime.combine(day + timedelta(days=plus), time(), UTC) if day else None
        return CaseFilter(
            open_only=self.status == "open" or self.overdue, closed_only=self.status == "closed",
            locality=self.icb, review_type=self.review_type, stage=self.stage, route=self.path,
            due_before=today if self.overdue else None,
            created_from=at(self.added_from), created_before=at(self.added_to, 1),
            order=self.sort, limit=limit,
            offset=(self.page - 1) * limit if offset is None else offset)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def parse(args: Mapping[str, str], ref: Reference) -> Query:
    def pick(name: str, allowed: object) -> str:
        value = args.get(name, "").strip()
        return value if value in allowed else ""  # type: ignore[operator]
    try:
        page = min(max(int(args.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1
    status = pick("status", STATUSES) or "open"
    return Query(
        icb=pick("icb", ref.localities), review_type=pick("review_type", {r.value for r in
                                                                          ReviewType}),
        stage=pick("stage", {o.key for o in ref.options["review_stages"]}),
        path=pick("path", PATHS), status=status, overdue=args.get("overdue") in ("1", "on"),
        added_from=_day(args.get("added_from", "")), added_to=_day(args.get("added_to", "")),
        sort=pick("sort", SORTS), page=page)


REVIEW_TYPES = {r.value: label for r, label in REVIEW_LABELS.items()}

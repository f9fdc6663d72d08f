"""Intake: a new serious incident becomes a case, from Teams or from the HTTP API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..errors import InvalidInput, NotConfigured
from ..model import Actor, Case, Identifier, IdKind
from ..ports import DuplicateIdentifier, Notice, NoticeKind, UnitOfWork
from ..privacy import check_text, describe, masked_fields
from .policies import IntakePolicy
from .writer import Writer

SUMMARY_MAX = 600
REF_MAX = 40


@dataclass(frozen=True)
class IntakeForm:
    reported_by: str
    locality: str  # locality key
    incident_date: date
    summary: str
    steis_number: str = ""
    lfpse_reference: str = ""
    local_reference: str = ""
    specialist_commissioned: bool = False
    media_interest: bool = False
    age_group: str = ""  # child | adult | "" (not known yet); a child's case runs the SIN clock
    masked: Mapping[str, list[str]] = field(default_factory=dict)  # field -> kinds masked

    def identifiers(self) -> list[Identifier]:
        pairs = [(IdKind.STEIS, self.steis_number), (IdKind.LFPSE, self.lfpse_reference),
                 (IdKind.LOCAL, self.local_reference)]
        return [Identifier(k, v) for k, v in pairs if v]


def _text(raw: Mapping[str, Any], key: str, errors: dict[str, str], limit: int) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[key] = "Must be text."
        return ""
    value = value.strip()
    if len(value) > limit:
        errors[key] = f"Keep this under {limit} characters."
    return value


def _flag(raw: Mapping[str, Any], key: str, errors: dict[str, str]) -> bool:
    value = raw.get(key, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", ""):
        return value.lower() == "true"
    errors[key] = "Must be true or false."
    return False


class Intake:
    def __init__(self, w: Writer, after_intake: Sequence[IntakePolicy] = ()) -> None:
        """`after_intake`: follow-on work in the transaction that logs a case, in order."""
        self.w, self.d = w, w.deps
        self.after_intake = tuple(after_intake)

    def parse_intake(self, raw: Mapping[str, Any], today: date,
                     mask_patient_data: bool = False) -> IntakeForm:
        """Validate an intake body (API JSON or card inputs); InvalidInput lists every problem.

        From Teams, likely patient identifiers are refused or confirmed (`check_text`). The API
        has nobody to ask (`mask_patient_data`): each finding is masked and the case is taken in,
        because an incident must never be lost; `form.masked` says what was masked where.
        """
        if not isinstance(raw, Mapping):
            raise InvalidInput({"body": "Send a JSON object."})
        errors: dict[str, str] = {}
        known = {"steis_number", "lfpse_reference", "local_reference", "reported_by", "locality",
                 "incident_date", "summary", "specialist_commissioned", "media_interest",
                 "confirm_no_patient_data", "age_group"}
        for key in raw:
            if key not in known and not str(key).startswith("_") and key not in ("verb", "form"):
                errors[str(key)] = "Unknown field."
        refs = {k: _text(raw, k, errors, REF_MAX)
                for k in ("steis_number", "lfpse_reference", "local_reference")}
        reported_by = _text(raw, "reported_by", errors, 120)
        summary = _text(raw, "summary", errors, SUMMARY_MAX)
        locality_text = _text(raw, "locality", errors, 120)
        for key, value in (("reported_by", reported_by), ("summary", summary),
                           ("locality", locality_text)):
            if not value and key not in errors:
                errors[key] = "Required."
        locality = ""
        if locality_text:
            try:
                locality = self.d.ref.locality(locality_text).key
            except InvalidInput as e:
                errors.update(e.errors)
        incident = _incident_date(raw.get("incident_date"), today, errors)
        flags = {k: _flag(raw, k, errors) for k in ("specialist_commissioned", "media_interest")}
        age_group = self._age_group(_text(raw, "age_group", errors, 40), errors)
        if errors:
            raise InvalidInput(errors)
        texts = {"summary": summary, "reported_by": reported_by, **refs}
        masked: dict[str, list[str]] = {}
        if mask_patient_data:
            texts, masked = masked_fields(texts)
            summary, reported_by = texts["summary"], texts["reported_by"]
            refs = {k: texts[k] for k in refs}
        else:
            confirmed = raw.get("confirm_no_patient_data") in (True, "true")
            check_text(texts, confirmed=confirmed)
        assert incident is not None
        return IntakeForm(
            reported_by=reported_by, locality=locality, incident_date=incident, summary=summary,
            steis_number=refs["steis_number"], lfpse_reference=refs["lfpse_reference"],
            local_reference=refs["local_reference"],
            specialist_commissioned=flags["specialist_commissioned"],
            media_interest=flags["media_interest"], age_group=age_group,
            masked=masked)

    def _age_group(self, text: str, errors: dict[str, str]) -> str:
        if not text:
            return ""
        try:
            return self.d.ref.option("age_groups", text).key
        except InvalidInput:
            errors["age_group"] = "Say child or adult (or leave it out if not known yet)."
            return ""

    async def log_incident(self, actor: Actor, form: IntakeForm) -> tuple[Case, bool]:
        """Store a new case and queue its thread; an already-known StEIS/LFPSE number is reused.

        Returns the case and whether it is new.
        """
        try:
            async with self.w.unit() as uow:
                if actor.aad_id != "system":
                    self.w.require(await self.w.access_in(uow, actor), "log_incident")
                existing = await self._existing(uow, form)
                if existing is not None:
                    return existing, False
                case = await self._create(uow, actor, form)
                await uow.commit()
                return case, True
        except DuplicateIdentifier as dup:  # lost a race with an identical intake
            async with self.w.unit() as uow:
                winner = await uow.cases.get(dup.case_number)
                assert winner is not None
                return winner, False

    async def _existing(self, uow: UnitOfWork, form: IntakeForm) -> Case | None:
        pairs = ((IdKind.STEIS, form.steis_number), (IdKind.LFPSE, form.lfpse_reference))
        for kind, value in pairs:
            if value and (number := await uow.cases.find_by_identifier(kind, value)):
                return await uow.cases.get(number)
        return None

    async def _create(self, uow: UnitOfWork, actor: Actor, form: IntakeForm) -> Case:
        channel = await uow.directory.channel_for(form.locality)
        if channel is None:
            raise NotConfigured(
                "No safeguarding channel is set up yet. In Teams, in the safeguarding channel, "
                "@mention the bot and type `setup`, then send the incident again."
            )
        loc = self.d.ref.localities[form.locality]
        now = self.d.clock.now()
        case = Case(
            number=0, locality=loc.key, region=loc.region, created_at=now,
            reported_by=form.reported_by, summary=form.summary, incident_date=form.incident_date,
            date_added=now.date(), identifiers=form.identifiers(),
            specialist_commissioned=form.specialist_commissioned,
            media_interest=form.media_interest, team_id=channel.team_id,
            age_group=form.age_group,
        )
        case.number = await uow.cases.add(case, None)
        await uow.cases.claim_identifiers(case.number,
                                          [(i.kind, i.value) for i in case.identifiers])
        await self.w.record(uow, actor, case.number, "case_logged", {
            "what": "case logged",
            "changes": {"locality": {"old": None, "new": loc.key},
                        **({"age_group": {"old": None, "new": case.age_group}}
                           if case.age_group else {}),
                        "identifiers": {"old": None,
                                        "new": [f"{i.kind.value}:{i.value}"
                                                for i in case.identifiers]}},
            "source": "intake API" if actor.aad_id == "system" else "Teams",
            **({"masked": {k: list(v) for k, v in form.masked.items()}} if form.masked else {}),
        })
        await uow.outbox.enqueue(Notice(NoticeKind.NEW_THREAD, case.number, card="case",
                                        channel=channel, key=f"thread:{case.number}"))
        if form.masked:
            await uow.outbox.enqueue(Notice(NoticeKind.THREAD_REPLY, case.number,
                                            text=masked_note(form.masked),
                                            key=f"masked:{case.number}"))
        if not case.on_steis:
            await self._alert_designated_lead(uow, case)
        for policy in self.after_intake:
            await policy(uow, actor, case)
        return case

    async def _alert_designated_lead(self, uow: UnitOfWork, case: Case) -> None:
        leads = [h.person.ref for h in await uow.directory.holders("designated_lead")
                 if h.scope.covers(case, case.team_id)]
        loc = self.d.ref.localities[case.locality].name
        if leads:
            names = " ".join(f"<at>{p.name}</at>" for p in leads)
            text = (f"{names}: case {case.number} is **not recorded on StEIS or LFPSE**. As "
                    f"designated lead for {loc}, please confirm the level of investigation.")
        else:
            text = (f"Case {case.number} is **not recorded on StEIS or LFPSE**, and nobody holds "
                    f"the designated lead role for {loc}. A safeguarding lead can assign one "
                    "with `role designated lead @name`.")
        await uow.outbox.enqueue(Notice(NoticeKind.THREAD_REPLY, case.number, text=text,
                                        mentions=tuple(leads), key=f"not-on-steis:{case.number}"))


def masked_note(masked: Mapping[str, list[str]]) -> str:
    """The thread's note on what intake masked, never the text itself."""
    parts = [f"{describe(kinds)} in the {name.replace('_', ' ')}" for name, kinds in masked.items()]
    return ("**Patient details were masked when this incident arrived**: " + "; ".join(parts)
            + ". The full text stays in the sender's system; keep identifiers in the clinical "
            "record, not in Teams.")


def _incident_date(value: Any, today: date, errors: dict[str, str]) -> date | None:
    if value in (None, ""):
        errors["incident_date"] = "Required (YYYY-MM-DD)."
        return None
    if not isinstance(value, str):
        errors["incident_date"] = "Use a date like 2026-11-27."
        return None
    try:
        day = date.fromisoformat(value.strip()[:10])
    except ValueError:
        errors["incident_date"] = "Use a date like 2026-11-27."
        return None
    if day > today:
        errors["incident_date"] = "The incident date can't be in the future."
    return day

"""Acknowledging an escalation: only the person addressed, for their own row; twice is harmless."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from ..clock import london
from ..errors import PermissionDenied, StaleVersion
from ..escalation import describe, find, refreshed
from ..model import Actor, Case, Escalation, Recipient
from ..states import Verb
from .writer import Writer

TRIES = 3  # acknowledgements commute, so a clash with another change is simply retried


@dataclass(frozen=True)
class Ack:
    """The case and escalation as they now are, the clicker's own row, and what to tell them."""

    case: Case
    escalation: Escalation
    recipient: Recipient
    message: str
    changed: bool = True


class Acknowledgements:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    async def acknowledge(
        self, actor: Actor, number: int, esc_number: int | None = None, who: str = ""
    ) -> Ack:
        """Acknowledge escalation `esc_number` (or the newest one waiting for the actor).

        `who` is the AAD object id a 1:1 card was sent to; anyone else is refused.
        """
        for attempt in range(TRIES):
            try:
                return await self._acknowledge(actor, number, esc_number, who)
            except StaleVersion:
                if attempt == TRIES - 1:
                    raise
        raise AssertionError("unreachable")

    async def _acknowledge(
        self, actor: Actor, number: int, esc_number: int | None, who: str
    ) -> Ack:
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            case = await self.w.load(uow, access, number, "acknowledge")
            esc = find(case, esc_number) if esc_number is not None \
                else self._newest_for(actor, case)
            title = describe(esc)
            target = who or actor.aad_id
            rows = [r for r in esc.recipients if r.aad_id == actor.aad_id]
            if target != actor.aad_id or not rows:
                owner = next((r for r in esc.recipients if r.aad_id == target), None)
                if owner is not None and target != actor.aad_id:
                    self._refuse(actor, case, esc, PermissionDenied(
                        f"This acknowledgement is for {owner.name}: only they can acknowledge "
                        "it. Nothing was changed."))
                self._refuse(actor, case, esc, PermissionDenied(
                    f"The {title} on case {number} was not addressed to you, so there is "
                    "nothing for you to acknowledge. Nothing was changed."))
            waiting = [r for r in rows if r.acknowledged_at is None]
            if not waiting:
                at = rows[0].acknowledged_at
                when = f" at {london(at):%H:%M on %d %b}" if at else ""
                return Ack(case, esc, rows[0], f"You already acknowledged the {title} on case "
                                               f"{number}{when}. Nothing more was changed.",
                           changed=False)
            now = self.d.clock.now()
            for r in waiting:
                r.acknowledged_at = now
            await self.w.apply(uow, actor, case, Verb.ACKNOWLEDGE, "escalation_acknowledged",
                               {"acknowledged": (None, f"escalation {esc.number}: "
                                                       f"{actor.display}")},
                               refreshed(case, esc, rows))
            await uow.commit()
        left = len(esc.waiting)
        still = f"{left} still to acknowledge." if left else "Everyone has now acknowledged."
        return Ack(case, esc, rows[0], f"Thank you: {title} on case {number} acknowledged at "
                                       f"{london(now):%H:%M}. {still}")

    def _newest_for(self, actor: Actor, case: Case) -> Escalation:
        """For `ack case N`: the newest escalation waiting for the actor, else the newest one
        addressed to them, else the newest at all (which then refuses politely)."""
        mine = [e for e in case.escalations if any(r.aad_id == actor.aad_id
                                                   for r in e.recipients)]
        waiting = [e for e in mine if any(r.aad_id == actor.aad_id and r.acknowledged_at is None
                                          for r in e.recipients)]
        candidates = waiting or mine or case.escalations
        if not candidates:
            self._refuse(actor, case, None, PermissionDenied(
                f"Case {case.number} has no escalations to acknowledge. Nothing was changed."))
        return candidates[-1]

    def _refuse(self, actor: Actor, case: Case, esc: Escalation | None,
                error: PermissionDenied) -> NoReturn:
        """A refused acknowledgement is on record; nothing else changes."""
        self.w.refuse(actor, case.number, {
            "action": "acknowledge", "reason": "not addressed to them",
            "escalation": esc.number if esc else None}, error)

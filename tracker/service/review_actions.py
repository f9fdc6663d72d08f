"""Actions from a case review: each with an owner, a due date and a status."""

from __future__ import annotations

from datetime import date

from ..errors import InvalidInput
from ..model import ActionItem, Actor, Case, PersonRef
from ..permissions import Access
from ..ports import UnitOfWork
from ..privacy import check_text
from ..states import Verb
from .base import Outcome
from .path1_common import Change, at, day, thread_reply
from .writer import Writer

ACTION_MAX = 300


class ReviewActions:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    async def add_action(
        self, actor: Actor, number: int, version: int | None, text: str,
        owner: PersonRef | None, due: date | None,
    ) -> Outcome:
        """A new action. The owner defaults to the case's designated professional."""
        text = " ".join(text.split())
        errors = {}
        if not text:
            errors["action"] = "Say what the action is."
        elif len(text) > ACTION_MAX:
            errors["action"] = f"Keep the action under {ACTION_MAX} characters."
        if due is None:
            errors["due"] = (f"Give a due date, e.g. `action case {number} Audit the referral "
                             "pathway owner @name due 2027-01-31`.")
        elif due < self.d.today():
            errors["due"] = "The due date has already passed."
        if errors:
            raise InvalidInput(errors)
        check_text({"action": text})

        async def mutate(uow: UnitOfWork, access: Access, case: Case) -> Change:
            who = owner or case.designated_professional
            if who is None:
                raise InvalidInput({"owner": (
                    f"Name the action's owner, e.g. `action case {number} Audit the referral "
                    "pathway owner @name due 2027-01-31`, or set the case's designated "
                    "professional first.")})
            item = ActionItem(number=max((a.number for a in case.actions), default=0) + 1,
                              text=text, owner=who, due=due)
            case.actions.append(item)
            note = (f"{at([who])}: you own action {item.number} on case {number}, due "
                    f"{day(due)}.")
            return Change({"action": (None, item)},
                          f"Case {number}: action {item.number} added for {who.name}, due "
                          f"{day(due)}.",
                          [thread_reply(number, note, [who],
                                        key=f"action:{number}:{item.number}")])

        return await self.w.edit(actor, number, version, "edit_record", Verb.EDIT,
                                 "action_added", mutate)

    async def set_action_status(
        self, actor: Actor, number: int, version: int | None, action_number: int, status: str,
    ) -> Outcome:
        key = self.d.ref.option("action_statuses", status).key

        async def mutate(uow: UnitOfWork, access: Access, case: Case) -> Change:
            item = next((a for a in case.actions if a.number == action_number), None)
            if item is None:
                raise InvalidInput({"action": f"Case {number} has no action {action_number}."})
            if item.status == key:
                return Change(message=f"Action {action_number} is already "
                                      f"{self.d.ref.label('action_statuses', key).lower()}.")
            old = item.status
            item.status = key
            label = self.d.ref.label("action_statuses", key).lower()
            return Change({f"action_{action_number}_status": (old, key)},
                          f"Case {number}: action {action_number} is now {label}.")

        return await self.w.edit(actor, number, version, "edit_record", Verb.EDIT,
                                 "action_updated", mutate)

"""Commands that edit a Path 1 tracker record: `update`, `note`, `action` and `learning`.

The case card in the thread updates in place; the answer says what changed.
"""

from __future__ import annotations

import re

from teams_bot.turns.commands.core import _mentioned_person
from teams_bot.turns.commands.registry import CASE_NO, Command, number
from teams_bot.turns.context import Ctx, Reply
from tracker.errors import InvalidInput
from tracker.model import PersonRef
from tracker.privacy import check_text
from tracker.record_fields import match, read_day
from tracker.states import Verb

_DP = re.compile(r"^(designated\s+professional|designated|dp|owner)\b\s*(to\s+)?", re.I)
_OWNER = re.compile(r"\s+owner\s+(?:is\s+)?<at>[^<]+</at>", re.I)
_DUE = re.compile(r"\s+due\s+(?:on\s+|by\s+)?(?P<due>\S+)", re.I)
_STATUS = re.compile(r"^#?(?P<k>\d{1,4})\s+(?:is\s+|to\s+|status\s+)?(?P<status>.+)$", re.I)
_LEARNING = re.compile(r"^(?P<kind>.+?)(?:\s+on\s+(?P<on>\S+))?"
                       r"(?:\s+(?:to|for|with)\s+(?P<audience>.+))?$", re.I | re.S)
STATUS_WORDS = {"done": "complete", "completed": "complete", "closed": "complete",
                "started": "in_progress", "in progress": "in_progress"}


async def _person(ctx: Ctx) -> PersonRef:
    return (await _mentioned_person(ctx)).ref


async def update(ctx: Ctx, args: dict[str, str]) -> Reply:
    n, rest = number(args), args["rest"]
    if _DP.match(rest):
        out = await ctx.service.set_designated_professional(ctx.actor, n, None,
                                                            await _person(ctx))
        return Reply(text=out.message)
    field, value = match(rest)
    if not value and field.kind != "append":
        raise InvalidInput({field.key: f"Give the new value after `update case {n} "
                                       f"{field.label.lower()}`."})
    out = await ctx.service.update_record(ctx.actor, n, None, {field.key: value})
    return Reply(text=out.message)


async def note(ctx: Ctx, args: dict[str, str]) -> Reply:
    n = number(args)
    out = await ctx.service.update_record(ctx.actor, n, None, {"comment": args["text"]})
    return Reply(text=out.message)


async def action(ctx: Ctx, args: dict[str, str]) -> Reply:
    """`action case 42 <what> owner @X due 2027-01-31`, or `action case 42 2 done`."""
    n, rest = number(args), args["rest"].strip()
    status = _STATUS.match(rest)
    said = STATUS_WORDS.get(status["status"].strip().lower(), status["status"]) if status else ""
    if status and _is_status(ctx, said):
        out = await ctx.service.set_action_status(ctx.actor, n, None, int(status["k"]), said)
        return Reply(text=out.message)
    owner = await _person(ctx) if _OWNER.search(rest) else None
    text = _OWNER.sub("", rest)
    due_said = _DUE.search(text)
    text = _DUE.sub("", text).strip()
    due = read_day(due_said["due"], "due", ctx.today, allow_future=True) if due_said else None
    out = await ctx.service.add_action(ctx.actor, n, None, text, owner, due)
    return Reply(text=out.message)


def _is_status(ctx: Ctx, text: str) -> bool:
    try:
        ctx.services.ref.option("action_statuses", text)
    except InvalidInput:
        return False
    return True


async def learning(ctx: Ctx, args: dict[str, str]) -> Reply:
    """`learning case 42 7-minute briefing on 2027-02-01 to GP practices`. Recorded by the
    learning service (tracker/service/learning.py), which goes on after closure."""
    n = number(args)
    found = _LEARNING.match(args["rest"].strip())
    if found is None or not found["audience"]:
        raise InvalidInput({"learning": f"Say what was shared and with whom, e.g. `learning "
                                        f"case {n} 7-minute briefing on 2027-02-01 to GP "
                                        "practices`."})
    check_text({"audience": found["audience"]})  # refused as such, before the kind is read
    on = read_day(found["on"] or "", "learning_on", ctx.today)
    out = await ctx.service.record_learning(ctx.actor, n, None, found["kind"], on,
                                            found["audience"], ctx.today)
    return Reply(text=out.message)


COMMANDS = [
    Command("update case", "update case *N* *field* *value*",
            "Update the tracker record, e.g. `update case 42 stage analysis`, `update case 42 "
            "signed off 2027-01-20`, `update case 42 designated professional @name`.",
            rf"(?:update|set|edit)\s+{CASE_NO}\s+(?P<rest>.+)", update, "edit_record",
            moves=(Verb.EDIT,)),
    Command("note case", "note case *N* *text*", "Add a comment to the record.",
            rf"(?:note|comment)\s+{CASE_NO}\s+(?P<text>.+)", note, "edit_record",
            moves=(Verb.EDIT,)),
    Command("action case", "action case *N* *what* owner @name due *date*",
            "Add a review action, or set one's status: `action case 42 2 done`.",
            rf"action\s+{CASE_NO}\s+(?P<rest>.+)", action, "edit_record", moves=(Verb.EDIT,)),
    Command("learning case", "learning case *N* *kind* on *date* to *audience*",
            "Record learning shared, e.g. a 7-minute briefing or a learning event.",
            rf"learning\s+{CASE_NO}\s+(?P<rest>.+)", learning, "record_learning",
            moves=(Verb.LEARNING,)),
]

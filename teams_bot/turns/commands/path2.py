"""Path 2 commands: media interest, acknowledgement, escalation, the Path 2 record, the learning
shared, and the role gaps `roles` lists. (Learning is recorded with `learning case N ...`.)"""

from __future__ import annotations

from datetime import date

from teams_bot.turns.commands.registry import CASE_NO, Command, number
from teams_bot.turns.context import Ctx, Reply
from tracker.errors import InvalidInput
from tracker.service.path2 import Path2Update
from tracker.states import Verb

LIST_MAX = 30  # learning entries shown in a reply
_YES, _NO = ("yes", "y", "true", "on"), ("no", "n", "false", "off")


def _day(text: str, today: date, key: str) -> date:
    value = text.strip().lower()
    if value == "today":
        return today
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise InvalidInput({key: "Use a date like 2026-11-27, or `today`."}) from None


async def media(ctx: Ctx, args: dict[str, str]) -> Reply:
    out = await ctx.service.flag_media(ctx.actor, number(args), None, args.get("note", ""),
                                       confirmed=bool(args.get("confirmed")))
    return Reply(text=out.message)


async def ack(ctx: Ctx, args: dict[str, str]) -> Reply:
    done = await ctx.service.acknowledge(ctx.actor, number(args))
    return Reply(text=done.message)


async def escalate(ctx: Ctx, args: dict[str, str]) -> Reply:
    out = await ctx.service.escalate(ctx.actor, number(args), None, args["level"],
                                     args.get("reason", ""))
    return Reply(text=out.message)


async def path2(ctx: Ctx, args: dict[str, str]) -> Reply:
    field = " ".join(args["field"].lower().split())
    value = args["value"].strip()
    upd: Path2Update
    if field == "framework":
        upd = Path2Update(framework=value)
    elif field == "response":
        upd = Path2Update(response_type=value)
    elif field.startswith("72h"):
        upd = Path2Update(report_72h_on=_day(value, ctx.today, "report_72h_on"))
    elif field.startswith("investigation"):
        upd = Path2Update(investigation_due_on=_day(value, ctx.today, "investigation_due_on"))
    elif value.lower() in (*_YES, *_NO):  # specialist
        upd = Path2Update(specialist_commissioned=value.lower() in _YES)
    else:
        raise InvalidInput({"specialist": "Say `yes` or `no`, e.g. `path2 case 42 specialist "
                                          "yes`."})
    out = await ctx.service.update_path2(ctx.actor, number(args), None, upd, ctx.today)
    return Reply(text=out.message)


async def learning(ctx: Ctx, args: dict[str, str]) -> Reply:
    where = args.get("where", "")
    shared = await ctx.service.learning_shared(ctx.actor, where)
    place = f" for {ctx.services.ref.locality(where).name}" if where else ""
    if not shared:
        return Reply(text=f"No learning has been recorded{place} in the cases you can see. "
                          "Record it with `learning case` and the case number (see `help`), or "
                          "with **Learning shared** on a Path 2 case card.")
    ref = ctx.services.ref
    lines = [f"**Learning shared{place}**, newest first", ""]
    for s in shared[:LIST_MAX]:
        loc = ref.localities[s.case.locality].name if s.case.locality in ref.localities \
            else s.case.locality
        kind = ref.label("dissemination_kinds", s.item.kind)
        audience = f" for {s.item.audience}" if s.item.audience else ""
        lines.append(f"- {s.item.on:%d %b %Y}: {kind}{audience} (case {s.case.number}, {loc}; "
                     f"{s.item.level}, recorded by {s.item.by})")
    if len(shared) > LIST_MAX:
        lines.append(f"- …and {len(shared) - LIST_MAX} earlier.")
    return Reply(text="\n".join(lines))


_NOTE = r"(?:\s+(?P<note>.+))?"
COMMANDS = [
    Command("media case", "media case *N* [confirmed] [note]",
            "Flag media interest (or confirmed media attention) and alert the directors.",
            rf"media\s+(?:interest\s+)?{CASE_NO}(?:\s+(?P<confirmed>confirmed))?{_NOTE}",
            media, "flag_media", menu=False, moves=(Verb.EDIT,)),
    Command("ack case", "ack case *N*",
            "Acknowledge an escalation on a case that was sent to you.",
            rf"(?:ack|acknowledge)\s+{CASE_NO}", ack, "acknowledge", menu=False,
            moves=(Verb.ACKNOWLEDGE,)),
    Command("escalate case", "escalate case *N* regional|national *reason*",
            "Escalate a case to the regional (or national) team, saying why.",
            rf"escalate\s+{CASE_NO}(?:\s+(?:to\s+)?(?P<level>\w+)(?:\s+(?P<reason>.+))?)?",
            escalate, "escalate", menu=False, moves=(Verb.EDIT,)),
    Command("path2 case",
            "path2 case *N* framework|response|72h|investigation|specialist *value*",
            "Update a Path 2 record, e.g. `path2 case 42 framework SIF 2015`.",
            rf"path\s*2\s+{CASE_NO}\s+(?P<field>framework|response|72h(?:\s+report)?"
            r"|investigation(?:\s+due)?|specialist)\s+(?P<value>.+)",
            path2, "edit_record", menu=False, moves=(Verb.EDIT,)),
    Command("learning", "learning [locality]", "List the learning shared, and when.",
            r"learning(?:\s+(?!case\b|#?\d)(?:for\s+|in\s+)?(?P<where>.+))?", learning, "view",
            menu=False),
]


async def gap_lines(ctx: Ctx, where: str = "") -> list[str]:
    """For `roles`: per ICB in use (or the one named), the roles nobody holds there."""
    gaps = await ctx.service.role_gaps(ctx.actor, where)
    lines = ["", "**Gaps: roles nobody holds**", ""]
    if not gaps:
        return [*lines, "- No ICB is in use yet. Name one to check it, e.g. `roles Devon`."]
    return [*lines, *(f"- {g.locality}: {', '.join(g.roles) if g.roles else 'none'}"
                      for g in gaps)]

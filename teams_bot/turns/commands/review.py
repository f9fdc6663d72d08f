"""Commands for running a case review: the panel decision, ICS meetings, the pre-publication
briefing, closing and reopening, reminders and the export."""

from __future__ import annotations

import re

from cards.agenda import agenda_card, overdue_card
from teams_bot.export_link import export_links
from teams_bot.turns.commands.registry import CASE_NO, Command, number
from teams_bot.turns.context import Ctx, Reply
from tracker.errors import InvalidInput
from tracker.model import ReviewType
from tracker.record_fields import read_day
from tracker.service.closing import CloseRequest
from tracker.states import Verb

_ON = re.compile(r"^on\s+(?P<on>\d{4}-\d{2}-\d{2}|today)\b\s*", re.I)
DECISIONS = {"rapid review": ReviewType.RAPID_REVIEW, "rapid": ReviewType.RAPID_REVIEW,
             "cspr": ReviewType.CSPR, "sar": ReviewType.SAR,
             "dhr (child, 16-17)": ReviewType.DHR_CHILD, "dhr child": ReviewType.DHR_CHILD,
             "dhr": ReviewType.DHR, "no review": ReviewType.NO_REVIEW,
             "none": ReviewType.NO_REVIEW}
NUMBERS_ONLY = ("Case numbers only here: {numbers}. Details are shown only in the safeguarding "
                "channel or a 1:1 chat with me.")


def _on(text: str) -> tuple[str, str]:
    """Split a leading `on <date>` off `text`: (date text, the rest)."""
    found = _ON.match(text.strip())
    if not found:
        return "", text.strip()
    return found["on"], text.strip()[found.end():]


async def panel(ctx: Ctx, args: dict[str, str]) -> Reply:
    """`panel case 42 cspr [on 2026-11-24]`, `panel case 42 no review <reason>`."""
    n, rest = number(args), args["rest"].strip()
    said = next((w for w in sorted(DECISIONS, key=len, reverse=True)
                 if rest.lower() == w or rest.lower().startswith(w + " ")), None)
    if said is None:
        raise InvalidInput({"decision": "Say the panel's decision: rapid review, CSPR, SAR, DHR, "
                                        "DHR child, or no review and the panel's reason."})
    on, reason = _on(rest[len(said):])
    day = read_day(on, "panel_date", ctx.today)
    out = await ctx.service.panel_decision(ctx.actor, n, None, DECISIONS[said].value, day,
                                           reason.lstrip(":-, "))
    return Reply(text=out.message)


_PUBLISHED = re.compile(r"^(?P<url>(?!on\b)\S+)?(?:\s*\bon\s+(?P<on>\S+))?$", re.I)
_EMBARGOED = re.compile(r"^(?:until\s+(?P<until>\S+))?\s*(?P<reason>.*)$", re.I | re.S)
_SIGNED = re.compile(r"^(?:signed[\s-]*off\s+(?:on\s+)?(?P<on>\S+))?\s*(?P<reason>.*)$",
                     re.I | re.S)
_NO_BRIEFING = re.compile(r"\s*\b(?:without|no)\s+(?:a\s+)?briefing\s*$", re.I)
REVIEW_OUTCOMES = ("published", "embargoed", "completed, not for publication",
                   "completed not for publication", "not for publication", "not published")


def _outcome_words(ctx: Ctx) -> list[str]:
    """What people may type after `close case N`, longest first: the review outcomes, then
    the Path 2 outcomes of options.json "si_outcomes" (label, key with spaces or hyphens)."""
    words = set(REVIEW_OUTCOMES)
    for o in ctx.services.ref.options["si_outcomes"]:
        words |= {o.label.lower(), o.key.replace("_", " "), o.key.replace("_", "-")}
    return sorted(words, key=len, reverse=True)


def _split_outcome(ctx: Ctx, n: int, rest: str) -> tuple[str, str]:
    low = rest.lower()
    for word in _outcome_words(ctx):
        if low == word or low.startswith((word + " ", word + ",", word + ":")):
            return word, rest[len(word):].lstrip(" ,:-")
    outcomes = ctx.service.close_outcomes()
    raise InvalidInput({"outcome": f"Say how case {n} closes: {outcomes}. For example "
                                   f"`close case {n} completed investigation finished`."})


async def close(ctx: Ctx, args: dict[str, str]) -> Reply:
    """`close case 42 published <link> [on <date>] [without briefing]`, `close case 42
    embargoed [until <date>] [reason]`, `close case 42 not for publication [signed off <date>]
    [reason]`, `close case 42 completed|de-logged|no further action [reason]`."""
    n = number(args)
    outcome, rest = _split_outcome(ctx, n, args.get("rest", "").strip())
    req: CloseRequest
    if outcome == "published":
        without = bool(_NO_BRIEFING.search(rest))
        found = _PUBLISHED.match(_NO_BRIEFING.sub("", rest))
        if found is None:
            raise InvalidInput({"close": f"Type `close case {n} published` and the link, e.g. "
                                         f"`close case {n} published https://example.org/"
                                         "report.pdf`."})
        on = read_day(found["on"] or "", "published_on", ctx.today)
        req = CloseRequest(outcome, url=found["url"] or "", on=on, without_briefing=without)
    elif outcome == "embargoed":
        found = _EMBARGOED.match(rest)
        assert found is not None  # every text matches
        until = read_day(found["until"] or "", "embargo_until", ctx.today, allow_future=True)
        req = CloseRequest(outcome, until=until, reason=found["reason"])
    elif outcome in REVIEW_OUTCOMES:
        found = _SIGNED.match(rest)
        assert found is not None
        signed = read_day(found["on"] or "", "signed_off_on", ctx.today)
        req = CloseRequest("not for publication", signed_off=signed, reason=found["reason"])
    else:
        req = CloseRequest(outcome, reason=rest)
    out = await ctx.service.close(ctx.actor, n, None, req)
    return Reply(text=out.message)


async def move_to_path1(ctx: Ctx, args: dict[str, str]) -> Reply:
    """`path1 case 42 <reason>`: a Path 2 case whose case review is agreed later."""
    out = await ctx.service.move_to_path1(ctx.actor, number(args), None, args.get("reason", ""))
    return Reply(text=out.message)


async def reopen(ctx: Ctx, args: dict[str, str]) -> Reply:
    out = await ctx.service.reopen(ctx.actor, number(args), args.get("reason", ""))
    return Reply(text=out.message)


async def briefing(ctx: Ctx, args: dict[str, str]) -> Reply:
    """`briefing case 42 [on <date>] [media likely]`."""
    n = number(args)
    on, rest = _on(args.get("rest", ""))
    media = bool(re.search(r"\bmedia\b", rest, re.I))
    if rest.strip() and not media:
        raise InvalidInput({"briefing": f"Type `briefing case {n}`, then if needed `on` and the "
                                        "date and `media likely`, e.g. `briefing case "
                                        f"{n} on 2027-01-20 media likely`."})
    out = await ctx.service.record_briefing(ctx.actor, n, None,
                                            read_day(on, "briefing_on", ctx.today), media)
    return Reply(text=out.message)


async def discussed(ctx: Ctx, args: dict[str, str]) -> Reply:
    n = number(args)
    on, note = _on(args.get("rest", ""))
    out = await ctx.service.record_discussion(ctx.actor, n, None,
                                              read_day(on, "discussed_on", ctx.today), note)
    return Reply(text=out.message)


async def snooze(ctx: Ctx, args: dict[str, str]) -> Reply:
    days = int(args["days"]) if args.get("days") else None
    hours = days * 24.0 if days is not None else None
    return Reply(text=await ctx.service.snooze(ctx.actor, number(args), "", hours))


async def agenda(ctx: Ctx, args: dict[str, str]) -> Reply:
    where = args.get("where", "")
    cases = await ctx.service.agenda(ctx.actor, where)
    if not ctx.details_allowed():
        return Reply(text=NUMBERS_ONLY.format(numbers=", ".join(str(c.number) for c in cases)
                                              or "none"))
    loc = ctx.services.ref.locality(where) if where else None
    return Reply(card=agenda_card([ctx.view(c) for c in cases], loc.name if loc else "",
                                  loc.key if loc else ""))


async def overdue(ctx: Ctx, args: dict[str, str]) -> Reply:
    cases = await ctx.service.overdue(ctx.actor, args.get("where", ""))
    if not ctx.details_allowed():
        return Reply(text=NUMBERS_ONLY.format(numbers=", ".join(str(c.number) for c in cases)
                                              or "none"))
    return Reply(card=overdue_card([ctx.view(c) for c in cases]))


async def export(ctx: Ctx, args: dict[str, str]) -> Reply:
    if ctx.where.kind != "personal":
        return Reply(text="Export links are only given in a 1:1 chat with me: message me "
                          "`export` there.")
    where = args.get("where", "")
    locality = await ctx.service.check_export(ctx.actor, where)
    csv_url, xlsx_url, minutes = export_links(ctx.services, ctx.actor, locality)
    scope = ctx.services.ref.localities[locality].name if locality else "every case you can see"
    return Reply(text=f"Your export of the tracker ({scope}): [CSV]({csv_url}) · "
                      f"[Excel]({xlsx_url}). The links work for {minutes} minutes.")


COMMANDS = [
    Command("panel case", "panel case *N* *decision* [on *date*] [reason]",
            "Record the panel's decision: rapid review, CSPR, SAR, DHR, DHR child or no review.",
            rf"panel\s+{CASE_NO}\s+(?P<rest>.+)", panel, "panel_decision",
            moves=(Verb.PANEL_RAPID_REVIEW, Verb.PANEL_REVIEW, Verb.PANEL_NO_REVIEW)),
    Command("agenda", "agenda [locality]",
            "The ICS meeting agenda: open case reviews by stage, overdue first.",
            r"agenda(?:\s+(?:for\s+)?(?P<where>.+))?", agenda, "view"),
    Command("overdue", "overdue [locality]", "Cases with a deadline or action overdue.",
            r"overdue(?:\s+cases)?(?:\s+(?:for\s+|in\s+)?(?P<where>.+))?", overdue, "view"),
    Command("discussed case", "discussed case *N* [on *date*] [note]",
            "Record that a case was discussed at the ICS meeting.",
            rf"discussed\s+{CASE_NO}(?:\s+(?P<rest>.+))?", discussed, "edit_record",
            moves=(Verb.EDIT,)),
    Command("briefing case", "briefing case *N* [on *date*] [media likely]",
            "Record the pre-publication briefing to the communications team.",
            rf"(?:briefing|briefed)\s+{CASE_NO}(?:\s+(?P<rest>.+))?", briefing, "edit_record",
            moves=(Verb.EDIT,)),
    Command("close case", "close case *N* *outcome* [reason]",
            "Close a case. A case review: `published https://…`, `embargoed until 2027-03-01` "
            "or `not for publication`. A Path 2 case: `completed`, `de-logged` or `no further "
            "action`, then the reason.",
            rf"close\s+{CASE_NO}(?:\s+(?P<rest>.+))?", close, "close",
            moves=(Verb.CLOSE_PUBLISHED, Verb.CLOSE_EMBARGOED, Verb.CLOSE_NOT_PUBLISHED,
                   Verb.CLOSE_SI)),
    Command("path1 case", "path1 case *N* *reason*",
            "Move a Path 2 case to Path 1 when a case review is agreed; its record stays.",
            rf"(?:path\s*1|move)\s+{CASE_NO}(?:\s+to\s+path\s*1\b)?(?:\s+(?P<reason>.+))?",
            move_to_path1, "decide_route", menu=False, moves=(Verb.MOVE_TO_PATH1,)),
    Command("reopen case", "reopen case *N* *reason*",
            "Reopen a closed case (safeguarding leads only).",
            rf"reopen\s+{CASE_NO}(?:\s+(?P<reason>.+))?", reopen, "reopen",
            moves=(Verb.REOPEN,)),
    Command("snooze case", "snooze case *N* [days]", "Put off a case's reminders (1 day unless "
            "you say).", rf"snooze\s+{CASE_NO}(?:\s+(?:for\s+)?(?P<days>\d{{1,2}})\s*"
                         r"(?:days?|d)?)?", snooze, "edit_record"),
    Command("export", "export [locality]",
            "Links to a CSV and an Excel file of the tracker records (in a 1:1 chat).",
            r"export(?:\s+(?:for\s+)?(?P<where>.+))?", export, "export"),
]

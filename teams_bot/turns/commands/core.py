"""The foundation commands: help, case, cases, new incident, setup, role, roles."""

from __future__ import annotations

from cards.case_card import case_snapshot
from cards.intake_card import intake_card
from cards.lists import case_list_card
from teams_bot.turns.commands.path2 import gap_lines
from teams_bot.turns.commands.registry import CASE_NO, Command, number
from teams_bot.turns.context import Ctx, Reply
from tracker.errors import InvalidInput
from tracker.ports import Person

PRIVATE_NOTE = ("Case {n}: I only show case details in the safeguarding channel or in a 1:1 "
                "chat with me. Please ask there.")


async def help_(ctx: Ctx, args: dict[str, str]) -> Reply:
    lines = ["**Safeguarding Tracker commands**", ""]
    assert ctx.registry is not None
    for c in ctx.registry.commands:
        lines.append(f"- {c.usage}: {c.help}")
    lines += ["", "Words in *italics* are yours to fill in, e.g. `case 42`; words in [brackets] "
              "are optional. Case numbers can be typed as `42` or `#42`. No patient "
              "identifiers, please: refer to cases by number."]
    return Reply(text="\n".join(lines))


async def show_case(ctx: Ctx, args: dict[str, str]) -> Reply:
    n = number(args)
    case = await ctx.service.get_case(ctx.actor, n)
    if not ctx.details_allowed():
        return Reply(text=PRIVATE_NOTE.format(n=n))
    return Reply(card=case_snapshot(ctx.view(case), ctx.services.clock.now()))


async def list_cases(ctx: Ctx, args: dict[str, str]) -> Reply:
    cases, total = await ctx.service.list_cases(ctx.actor, args.get("where", ""))
    if not ctx.details_allowed():
        numbers = ", ".join(str(c.number) for c in cases) or "none"
        return Reply(text=f"Open cases you can see: {numbers}. Details are shown only in the "
                          "safeguarding channel or a 1:1 chat with me.")
    if not cases:
        return Reply(text="There are no open cases you can see.")
    return Reply(card=case_list_card([ctx.view(c) for c in cases], total))


async def new_incident(ctx: Ctx, args: dict[str, str]) -> Reply:
    await ctx.service.check(ctx.actor, "log_incident")
    return Reply(card=intake_card(ctx.services.ref))


async def setup(ctx: Ctx, args: dict[str, str]) -> Reply:
    if ctx.where.kind != "channel":
        return Reply(text="Type `setup` in the channel you want to use for safeguarding cases.")
    text = await ctx.service.setup_channel(ctx.actor, ctx.where.channel_ref(), args["where"])
    return Reply(text=text)


async def move_channel(ctx: Ctx, args: dict[str, str]) -> Reply:
    if ctx.where.kind != "channel":
        return Reply(text="Type `move channel` in the channel that should take over.")
    text = await ctx.service.move_channel(ctx.actor, ctx.where.channel_ref(),
                                          args.get("where") or "")
    return Reply(text=text)


async def role(ctx: Ctx, args: dict[str, str]) -> Reply:
    access = await ctx.service.check(ctx.actor, "manage_roles")  # refuse before anything else
    person = await _mentioned_person(ctx)
    channel = await ctx.service.channel(ctx.where.channel_id) if ctx.where.channel_id else None
    scope = ctx.service.scope_for(args.get("where", ""), channel, access)
    remove = bool(args.get("remove"))
    return Reply(text=await ctx.service.assign_role(ctx.actor, args["role"], person, scope,
                                                    remove=remove))


async def _mentioned_person(ctx: Ctx) -> Person:
    if not ctx.mentions:
        raise InvalidInput({"person": "Mention the person with @ so I know exactly who you mean, "
                                      "e.g. `role designated lead @Alex Morgan`."})
    if len(ctx.mentions) > 1:
        raise InvalidInput({"person": "Mention one person at a time."})
    mention = ctx.mentions[0]
    person = await ctx.resolve_member(mention.teams_id) if ctx.resolve_member else None
    if person is None or not person.aad_id:
        raise InvalidInput({"person": f"I couldn't find {mention.name} in this team. They need "
                                      "to be a member of the team first."})
    return person


async def roles(ctx: Ctx, args: dict[str, str]) -> Reply:
    holders = await ctx.service.role_holders(ctx.actor)
    ref = ctx.services.ref
    lines = ["**Who holds which role**", ""]
    for key, opt in ref.roles.items():
        held = [h for h in holders if h.role == key]
        names = "; ".join(f"{h.person.name} ({h.scope.describe(ref)})" for h in held)
        lines.append(f"- {opt.label}: {names or '_nobody yet_'}")
    lines += await gap_lines(ctx, args.get("where", ""))
    return Reply(text="\n".join(lines))


WHO = r"(?P<who><at>[^<]+</at>)"
COMMANDS = [
    Command("help", "help", "Show what I can do.", r"help|\?|commands", help_, ""),
    Command("case", "case *N*",
            "Show a snapshot of a case (its own card, at the top of its thread, stays up to "
            "date).", rf"(?:show\s+)?{CASE_NO}", show_case, "view"),
    Command("cases", "cases [locality]", "List the open cases you can see, newest first.",
            r"(?:open\s+)?cases(?:\s+(?:for|in)\s+(?P<where>.+))?", list_cases, "view"),
    Command("new incident", "new incident", "Log a new serious incident with a form.",
            r"(?:new|log)\s+(?:an\s+)?(?:incident|si)", new_incident, "log_incident"),
    Command("setup", "setup [locality]",
            "Make this channel the safeguarding channel (for one ICB if you name it).",
            r"set\s*up(?:\s+(?:for\s+)?(?P<where>.+))?", setup, "setup", frozenset({"team"}),
            gated=False),
    Command("move channel", "move channel [for *locality*]",
            "Move the safeguarding channel (for one ICB if you name it) to this channel; both "
            "channels are told.",
            r"move\s+(?:the\s+)?(?:safeguarding\s+)?channel(?:\s+(?:for\s+)?(?P<where>.+))?",
            move_channel, "setup", frozenset({"team"}), menu=False),
    Command("role", "role *role* @person [for *ICB or region*]",
            "Give someone a role, e.g. `role medical director @Sam Lee for Devon`.",
            rf"(?P<remove>remove\s+)?role\s+(?P<role>.+?)\s+(?:from\s+|to\s+)?{WHO}"
            r"(?:\s+for\s+(?P<where>.+))?",
            role, "manage_roles", frozenset({"team"})),
    Command("roles", "roles [locality]",
            "List who holds which role, and the roles nobody holds in each ICB.",
            r"roles(?:\s+(?:for\s+|in\s+)?(?P<where>.+))?|who", roles, "view"),
]

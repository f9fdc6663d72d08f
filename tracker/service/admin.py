"""Where the bot lives and who holds which role."""

from __future__ import annotations

from ..errors import InvalidInput, PermissionDenied
from ..model import Actor, PersonRef
from ..permissions import NATIONAL, Access, Scope, ScopeKind, can_in
from ..ports import ChannelRef, Installation, Notice, NoticeKind, Person, RoleHolder
from ..privacy import check_text
from ..reference import Reference
from .writer import Writer


class Admin:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    async def record_installation(self, actor: Actor, inst: Installation) -> bool:
        """Store the team's ids in our own columns; True the first time we see the team."""
        async with self.w.unit() as uow:
            new = await uow.directory.record_installation(inst)
            await self.w.record(uow, actor, None, "installed", {
                "what": "bot installed", "team_id": inst.team_id, "tenant_id": inst.tenant_id,
                "conversation_id": inst.conversation_id, "new": new})
            await uow.commit()
        return new

    async def setup_channel(
        self, actor: Actor, channel: ChannelRef, locality_text: str = ""
    ) -> str:
        """Make this channel the default safeguarding channel, or the one for an ICB.

        Needs the setup right for that scope (the default channel: nationally). The one
        exception is the very first `setup` of the default channel on an empty installation (no
        channel, no role, no TRACKER_ADMINS): that person becomes its national safeguarding
        lead; two at once race on the channel row and one wins. A channel
        already attached is never replaced here; `move channel` does that, on record.
        """
        locality = self.d.ref.locality(locality_text) if locality_text.strip() else None
        scope = Scope(ScopeKind.LOCALITY, locality.key) if locality else NATIONAL
        where = f"the safeguarding channel for {locality.name}" if locality \
            else "the default safeguarding channel"
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            empty = (not self.d.admins and not await uow.directory.channels()
                     and not await uow.directory.holders())
            bootstrap = empty and locality is None
            if empty and locality is not None:
                raise InvalidInput({"setup": "Nothing is set up yet. Type `setup` on its own "
                                             "first, in the channel for all new incidents; ICB "
                                             "channels come after."})
            if not bootstrap:
                self._require_in(access, "setup", scope)
            ref = ChannelRef(channel.service_url, channel.tenant_id, channel.team_id,
                             channel.channel_id, locality.key if locality else "")
            current = await uow.directory.channel_for(ref.locality)
            if current is not None and current.locality == ref.locality:
                if current.channel_id == ref.channel_id:
                    return f"This channel is already {where}; nothing changed."
                how = f"move channel for {locality.name}" if locality else "move channel"
                self.w.refuse(actor, None, {
                    "action": "setup", "reason": "the channel is already set up elsewhere",
                    "locality": ref.locality, "channel_id": channel.channel_id},
                    PermissionDenied(f"{where[0].upper()}{where[1:]} is already another "
                                     "channel, so nothing changed. To move it here, a "
                                     f"safeguarding lead for it types `{how}` here."))
            if not await uow.directory.set_channel(ref):  # someone else's setup won the race
                raise PermissionDenied(f"{where[0].upper()}{where[1:]} was set up a moment ago "
                                       "by someone else; nothing changed.")
            await uow.directory.upsert_person(
                Person(actor.aad_id, actor.teams_id, actor.name, actor.upn))
            note = ""
            if bootstrap:
                await uow.directory.add_grant(actor.aad_id, "safeguarding_lead", scope)
                note = (f" As the first to set up this installation, {actor.display} is now "
                        f"its safeguarding lead {scope.describe(self.d.ref)}.")
            await self.w.record(uow, actor, None, "channel_set_up", {
                "what": "channel set up", "channel_id": channel.channel_id,
                "team_id": channel.team_id, "locality": ref.locality, "bootstrap": bootstrap})
            await uow.commit()
        return f"This channel is now {where}. New serious incidents will start a thread here.{note}"

    async def move_channel(
        self, actor: Actor, channel: ChannelRef, locality_text: str = ""
    ) -> str:
        """Move a locality's (or the default) safeguarding channel here: by a lead for that
        scope or a wider one, with a notice in the old channel and the new, and an event."""
        locality = self.d.ref.locality(locality_text) if locality_text.strip() else None
        scope = Scope(ScopeKind.LOCALITY, locality.key) if locality else NATIONAL
        what = f"the safeguarding channel for {locality.name}" if locality \
            else "the default safeguarding channel"
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            self._require_in(access, "setup", scope)
            key = locality.key if locality else ""
            old = next((c for c in await uow.directory.channels() if c.locality == key), None)
            if old is None:
                return (f"{what[0].upper()}{what[1:]} is not set up yet, so there is nothing to "
                        f"move. Type `setup{' ' + locality.name if locality else ''}` instead.")
            if old.channel_id == channel.channel_id:
                return f"This channel is already {what}; nothing changed."
            new = ChannelRef(channel.service_url, channel.tenant_id, channel.team_id,
                             channel.channel_id, key)
            await uow.directory.move_channel(new)
            await self.w.record(uow, actor, None, "channel_moved", {
                "what": "safeguarding channel moved", "locality": key,
                "old": {"channel_id": old.channel_id, "team_id": old.team_id},
                "new": {"channel_id": new.channel_id, "team_id": new.team_id}})
            stamp = self.d.clock.now().isoformat()
            for place, text in (
                    (old, f"{actor.display} moved {what} to another channel. New serious "
                          "incidents will start their threads there; threads already here stay."),
                    (new, f"{actor.display} moved {what} here. New serious incidents will "
                          "start a thread in this channel.")):
                await uow.outbox.enqueue(Notice(
                    NoticeKind.CHANNEL_POST, None, text=text, channel=place,
                    key=f"channel-moved:{key}:{place.channel_id}:{stamp}"))
            await uow.commit()
        return f"This channel is now {what}. A notice was posted in the old channel and here."

    def _require_in(self, access: Access, action: str, scope: Scope) -> None:
        """Refuse (on record) unless `access` may do `action` for the whole of `scope`."""
        self.w.require(access, action)  # somewhere at all, else refused as usual
        verdict = can_in(self.d.ref, access, action, scope)
        if not verdict:
            self.w.refuse(access.actor, None, {
                "action": action, "reason": "scope", "scope": f"{scope.kind.value}:{scope.key}"},
                PermissionDenied(verdict.reason))

    def scope_for(self, text: str, channel: ChannelRef | None,
                  access: Access | None = None) -> Scope:
        return scope_for(self.d.ref, text, channel, access)

    async def assign_role(
        self, actor: Actor, role_text: str, person: Person, scope: Scope, remove: bool = False
    ) -> str:
        role = self.d.ref.role(role_text)
        check_text({"name": person.name}, confirmed=True)
        allowed = self.d.ref.role_scopes.get(role, ("locality",))
        label = self.d.ref.role_label(role)
        if scope.kind.value not in allowed:
            kinds = " or ".join({"locality": "an ICB", "region": "a region",
                                 "national": "nationally"}[k] for k in allowed)
            raise InvalidInput({"scope": f"{label} is held for {kinds}, not "
                                         f"{scope.describe(self.d.ref).removeprefix('for ')}: "
                                         "name one with `for ...`. Nothing was changed."})
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            self._require_in(access, "manage_roles", scope)
            await uow.directory.upsert_person(person)
            if remove:
                changed = await uow.directory.remove_grant(person.aad_id, role, scope)
            else:
                changed = await uow.directory.add_grant(person.aad_id, role, scope)
            await self.w.record(uow, actor, None, "role_removed" if remove else "role_assigned", {
                "what": "role removed" if remove else "role assigned", "role": role,
                "person_aad_id": person.aad_id, "person": person.name,
                "scope": f"{scope.kind.value}:{scope.key}", "changed": changed})
            await uow.commit()
        where = scope.describe(self.d.ref)
        if remove:
            return f"{person.name} no longer holds {label.lower()} {where}." if changed \
                else f"{person.name} did not hold {label.lower()} {where}; nothing changed."
        if not changed:
            return f"{person.name} already holds {label.lower()} {where}; nothing changed."
        return f"{person.name} is now {label.lower()} {where}."

    async def tell(self, person: PersonRef, text: str, key: str) -> None:
        """A plain 1:1 message to someone, through the outbox (retried until Teams takes it).
        Used for the answer to a committed change when the direct answer failed."""
        async with self.w.unit() as uow:
            await uow.outbox.enqueue(Notice(NoticeKind.DIRECT, None, text=text, to=person,
                                            key=key))
            await uow.commit()

    async def channel(self, channel_id: str) -> ChannelRef | None:
        """The safeguarding set-up of a channel, if it is one (every inbound turn asks)."""
        async with self.w.unit(read_only=True) as uow:
            return await uow.directory.channel_by_id(channel_id)

    async def role_holders(self, actor: Actor) -> list[RoleHolder]:
        async with self.w.unit(read_only=True) as uow:
            access = await self.w.access_in(uow, actor)
            self.w.require(access, "view")
            return await uow.directory.holders()


def scope_for(ref: Reference, text: str, channel: ChannelRef | None,
              access: Access | None = None) -> Scope:
    """`for <ICB or region>`, `for national`; else the channel's ICB; else the asker's
    own single scope as a safeguarding lead. A team is never a scope."""
    text = text.strip()
    if text.lower() in ("national", "nationally", "england", "the whole installation"):
        return NATIONAL
    if text:
        place = ref.place(text)  # both kinds: assign_role checks the role's kind
        return Scope(ScopeKind.REGION if place.kind == "region" else ScopeKind.LOCALITY,
                     place.key)
    if channel is not None and channel.locality:
        return Scope(ScopeKind.LOCALITY, channel.locality)
    own = {g.scope for g in (access.grants if access else ())
           if g.role == "safeguarding_lead" and g.scope.kind is not ScopeKind.TEAM}
    if len(own) == 1:
        return own.pop()
    raise InvalidInput({"scope": "Say which ICB or region, e.g. `role medical director "
                                 "@name for Devon` or `... for South East`."})

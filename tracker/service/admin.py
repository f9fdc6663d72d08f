"""Where the bot lives and who holds which role."""

from __future__ import annotations

from ..errors import InvalidInput, PermissionDenied
from ..model import Actor
from ..permissions import Grant, Scope, ScopeKind, can
from ..ports import ChannelRef, Installation, Person, RoleHolder
from ..privacy import check_text
from .base import ServiceBase


class AdminService(ServiceBase):
    async def record_installation(self, actor: Actor, inst: Installation) -> bool:
        """Store the team's ids in our own columns; True the first time we see the team."""
        async with self.uow() as uow:
            new = await uow.directory.record_installation(inst)
            await self.record(uow, actor, None, "installed", {
                "what": "bot installed", "team_id": inst.team_id, "tenant_id": inst.tenant_id,
                "conversation_id": inst.conversation_id, "new": new})
            await uow.commit()
        return new

    async def setup_channel(
        self, actor: Actor, channel: ChannelRef, locality_text: str = ""
    ) -> str:
        """Make this channel the default safeguarding channel, or the one for a locality.

        The first person to run setup in a team becomes its safeguarding lead.
        """
        locality = self.ref.locality(locality_text) if locality_text.strip() else None
        async with self.uow() as uow:
            access = await self.access_in(uow, actor)
            team_leads = [h for h in await uow.directory.holders("safeguarding_lead")
                          if h.scope == Scope(ScopeKind.TEAM, channel.team_id)]
            # Only a team nobody has set up yet may be claimed by the first person to try.
            configured = any(c.team_id == channel.team_id
                             for c in await uow.directory.channels())
            bootstrap = not team_leads and not configured and not can(self.ref, access, "setup")
            if not bootstrap:
                await self.require(uow, access, "setup")
            ref = ChannelRef(channel.service_url, channel.tenant_id, channel.team_id,
                             channel.channel_id, locality.key if locality else "")
            await uow.directory.set_channel(ref)
            await uow.directory.upsert_person(
                Person(actor.aad_id, actor.teams_id, actor.name, actor.upn))
            note = ""
            if bootstrap:
                await uow.directory.add_grant(actor.aad_id, "safeguarding_lead",
                                              Scope(ScopeKind.TEAM, channel.team_id))
                note = (f" As the first to set up this team, {actor.display} is now its "
                        "safeguarding lead.")
            await self.record(uow, actor, None, "channel_set_up", {
                "what": "channel set up", "channel_id": channel.channel_id,
                "team_id": channel.team_id, "locality": ref.locality, "bootstrap": bootstrap})
            await uow.commit()
        where = f"the safeguarding channel for {locality.name}" if locality \
            else "the default safeguarding channel"
        return f"This channel is now {where}. New serious incidents will start a thread here.{note}"

    def scope_for(self, text: str, channel: ChannelRef | None, team_id: str) -> Scope:
        """`for <locality>`, `for region <name>`, `for national`; else the channel's own scope."""
        text = text.strip()
        if text.lower() in ("national", "nationally", "england"):
            return Scope(ScopeKind.NATIONAL)
        if text.lower().startswith("region "):
            return Scope(ScopeKind.REGION, self.ref.region_key(text[7:]))
        if text:
            try:
                return Scope(ScopeKind.LOCALITY, self.ref.locality(text).key)
            except InvalidInput:
                try:
                    return Scope(ScopeKind.REGION, self.ref.region_key(text))
                except InvalidInput:
                    raise InvalidInput({"locality": f"I don't know an ICB or region called "
                                                    f"'{text}'."}) from None
        if channel is not None and channel.locality:
            return Scope(ScopeKind.LOCALITY, channel.locality)
        if not team_id:
            raise InvalidInput({"locality": "Say which ICB, e.g. `role medical director @name "
                                            "for Devon`."})
        return Scope(ScopeKind.TEAM, team_id)

    async def assign_role(
        self, actor: Actor, role_text: str, person: Person, scope: Scope, remove: bool = False
    ) -> str:
        role = self.ref.role(role_text)
        check_text({"name": person.name}, confirmed=True)
        async with self.uow() as uow:
            access = await self.access_in(uow, actor)
            await self.require(uow, access, "manage_roles")
            region = self.ref.localities[scope.key].region \
                if scope.kind is ScopeKind.LOCALITY else ""
            if not any(_covers_scope(g, scope, region) for g in access.grants
                       if g.role == "safeguarding_lead"):
                await self.record(uow, actor, None, "permission_denied", {
                    "action": "manage_roles", "reason": "scope"})
                await uow.commit()
                raise PermissionDenied("You can only assign roles within your own scope.")
            await uow.directory.upsert_person(person)
            if remove:
                changed = await uow.directory.remove_grant(person.aad_id, role, scope)
            else:
                changed = await uow.directory.add_grant(person.aad_id, role, scope)
            await self.record(uow, actor, None, "role_removed" if remove else "role_assigned", {
                "what": "role removed" if remove else "role assigned", "role": role,
                "person_aad_id": person.aad_id, "person": person.name,
                "scope": f"{scope.kind.value}:{scope.key}", "changed": changed})
            await uow.commit()
        label = self.ref.role_label(role)
        where = scope.describe(self.ref)
        if remove:
            return f"{person.name} no longer holds {label.lower()} {where}." if changed \
                else f"{person.name} did not hold {label.lower()} {where}; nothing changed."
        if not changed:
            return f"{person.name} already holds {label.lower()} {where}; nothing changed."
        return f"{person.name} is now {label.lower()} {where}."

    async def channel(self, channel_id: str) -> ChannelRef | None:
        """The safeguarding set-up of a channel, if it is one."""
        async with self.uow() as uow:
            return next((c for c in await uow.directory.channels()
                         if c.channel_id == channel_id), None)

    async def role_holders(self, actor: Actor) -> list[RoleHolder]:
        async with self.uow() as uow:
            access = await self.access_in(uow, actor)
            await self.require(uow, access, "view")
            return await uow.directory.holders()


def _covers_scope(grant: Grant, scope: Scope, ref_region: str) -> bool:
    """May a lead with `grant` assign roles in `scope`?

    National leads anywhere; regional leads in their region and its ICBs; a team's lead in the
    team and for ICBs (the team's channels carry them); a locality lead in that locality.
    """
    g = grant.scope
    if g.kind is ScopeKind.NATIONAL or g == scope:
        return True
    if g.kind is ScopeKind.REGION:
        return scope.kind is ScopeKind.LOCALITY and ref_region == g.key
    if g.kind is ScopeKind.TEAM:
        return scope.kind is ScopeKind.LOCALITY
    return False

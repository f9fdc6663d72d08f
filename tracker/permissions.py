"""One permission check for every surface: `can(access, action, case)`."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .model import Actor, Case
from .reference import Reference


class ScopeKind(StrEnum):
    LOCALITY = "locality"
    REGION = "region"
    TEAM = "team"  # retired: a team is a place, not a scope of power (migration 0005)
    NATIONAL = "national"


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    key: str = ""

    def covers(self, case: Case, case_team: str = "") -> bool:
        if self.kind is ScopeKind.NATIONAL:
            return True
        if self.kind is ScopeKind.REGION:
            return case.region == self.key
        if self.kind is ScopeKind.LOCALITY:
            return case.locality == self.key
        return False  # a team-scoped grant covers nothing

    def describe(self, ref: Reference) -> str:
        if self.kind is ScopeKind.NATIONAL:
            return "nationally"
        if self.kind is ScopeKind.REGION:
            return f"for the {ref.regions.get(self.key, self.key)} region"
        if self.kind is ScopeKind.LOCALITY:
            loc = ref.localities.get(self.key)
            return f"for {loc.name if loc else self.key}"
        return "for a team (retired; covers nothing)"

    def contains(self, other: Scope, ref: Reference) -> bool:
        """Does this scope include all of `other`? National holds everything, a region itself
        and its ICBs, an ICB itself. A team scope holds nothing."""
        if self.kind is ScopeKind.NATIONAL:
            return True
        if self.kind is ScopeKind.REGION:
            if other.kind is ScopeKind.REGION:
                return other.key == self.key
            loc = ref.localities.get(other.key) if other.kind is ScopeKind.LOCALITY else None
            return loc is not None and loc.region == self.key
        if self.kind is ScopeKind.LOCALITY:
            return other.kind is ScopeKind.LOCALITY and other.key == self.key
        return False


NATIONAL = Scope(ScopeKind.NATIONAL)


@dataclass(frozen=True)
class Grant:
    role: str
    scope: Scope


@dataclass(frozen=True)
class Access:
    """Who is asking, and every role they hold."""

    actor: Actor
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @property
    def has_any_role(self) -> bool:
        return bool(self.grants)

    def roles(self) -> set[str]:
        return {g.role for g in self.grants}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


ACTION_WORDS = {
    "view": "view cases",
    "log_incident": "log incidents",
    "triage": "triage cases",
    "decide_route": "decide a case's route",
    "panel_decision": "record panel decisions",
    "edit_record": "edit the tracker record",
    "close": "close cases",
    "reopen": "reopen cases",
    "escalate": "escalate cases",
    "flag_media": "flag media interest",
    "acknowledge": "acknowledge escalations",
    "record_learning": "record learning",
    "export": "export the tracker",
    "history": "see a case's history",
    "manage_roles": "assign roles",
    "setup": "set up channels",
}


def can(
    ref: Reference, access: Access, action: str, case: Case | None = None, case_team: str = ""
) -> Verdict:
    """Decide whether `access` may do `action` (on `case`, when given), with a reason."""
    case_team = case_team or (case.team_id if case is not None else "")
    allowed_roles = ref.permissions.get(action)
    if allowed_roles is None:
        return Verdict(False, f"'{action}' is not a known action.")
    words = ACTION_WORDS.get(action, action)
    if not access.grants:
        return Verdict(False, f"Only people who hold a safeguarding role can {words}. "
                              "Ask your safeguarding lead to give you a role.")
    for g in access.grants:
        if g.role in allowed_roles and (case is None or g.scope.covers(case, case_team)):
            return Verdict(True, f"{ref.role_label(g.role)} {g.scope.describe(ref)}")
    needed = ", ".join(sorted(ref.role_label(r).lower() for r in allowed_roles))
    if case is not None and not any(g.scope.covers(case, case_team) for g in access.grants):
        return Verdict(False, "not in scope")  # callers answer exactly like "not found"
    return Verdict(False, f"Sorry, you can't {words}: that needs one of these roles: {needed}.")


def can_in(ref: Reference, access: Access, action: str, scope: Scope) -> Verdict:
    """May `access` do `action` for the whole of `scope` (set up a channel, assign a role)?"""
    allowed_roles = ref.permissions.get(action, frozenset())
    for g in access.grants:
        if g.role in allowed_roles and g.scope.contains(scope, ref):
            return Verdict(True, f"{ref.role_label(g.role)} {g.scope.describe(ref)}")
    words = ACTION_WORDS.get(action, action)
    return Verdict(False, f"Sorry, you can't {words} {scope.describe(ref)}: that needs a "
                          "safeguarding lead for it or for a wider area.")


def visible(access: Access, case: Case, case_team: str = "") -> bool:
    case_team = case_team or case.team_id
    return any(g.scope.covers(case, case_team) for g in access.grants)

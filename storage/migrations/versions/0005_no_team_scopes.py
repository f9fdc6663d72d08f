"""Team-scoped role grants become ICB, region or national grants (a team is a place, not a
scope of power).

A grant held "for a team" covered every case that team's channels carried. Each becomes what
the team actually carried, no more:
- the team holds the default safeguarding channel: safeguarding leads and national contacts
  become national; other roles become a grant for every ICB with a case filed under the team;
- the team holds an ICB's channel: a grant for that ICB;
- cases filed under the team: a grant for each of their ICBs;
- regional safeguarding leads: the region of each of those ICBs.
A role only held for an ICB is never made national. Each change is an event (`role_migrated`),
and the team grants are deleted. A team that carried nothing leaves nothing (also recorded).
docs/deploy.md says how to check the result.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources

import sqlalchemy as sa
from alembic import op

from storage.types import JSONType, UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NATIONAL_OK = {"safeguarding_lead", "national_contact"}
REGION_ONLY = {"regional_safeguarding_lead"}

grants = sa.table("role_grants", sa.column("id", sa.Integer), sa.column("aad_id", sa.String),
                  sa.column("role", sa.String), sa.column("scope_kind", sa.String),
                  sa.column("scope_key", sa.String))
channels = sa.table("channels", sa.column("locality", sa.String), sa.column("team_id", sa.String))
cases = sa.table("cases", sa.column("locality", sa.String), sa.column("team_id", sa.String))
events = sa.table("case_events", sa.column("case_number", sa.Integer),
                  sa.column("kind", sa.String), sa.column("actor_teams_id", sa.String),
                  sa.column("actor_aad_id", sa.String), sa.column("actor_name", sa.String),
                  sa.column("at", UTCDateTime), sa.column("data", JSONType))


def _regions() -> dict[str, str]:
    data = json.loads(resources.files("tracker.data").joinpath("localities.json").read_text())
    return {x["key"]: x["region"] for x in data["localities"]}


def targets(role: str, holds_default: bool, icbs: set[str],
            region_of: dict[str, str]) -> set[tuple[str, str]]:
    """The (kind, key) scopes a team grant of `role` becomes."""
    if role in REGION_ONLY:
        return {("region", region_of[k]) for k in icbs if k in region_of}
    if role == "national_contact":
        return {("national", "")} if holds_default else set()
    if holds_default and role in NATIONAL_OK:
        return {("national", "")}
    return {("locality", k) for k in icbs if k in region_of}


def upgrade() -> None:
    conn = op.get_bind()
    region_of = _regions()
    team_grants = list(conn.execute(sa.select(grants).where(grants.c.scope_kind == "team")))
    now = datetime.now(UTC)
    for g in team_grants:
        team = g.scope_key
        placed = {r.locality for r in conn.execute(
            sa.select(channels.c.locality).where(channels.c.team_id == team))}
        filed = {r.locality for r in conn.execute(
            sa.select(cases.c.locality).where(cases.c.team_id == team).distinct())}
        icbs = {k for k in placed | filed if k}
        new = sorted(targets(g.role, "" in placed, icbs, region_of))
        for kind, key in new:
            exists = conn.execute(sa.select(grants.c.id).where(
                grants.c.aad_id == g.aad_id, grants.c.role == g.role,
                grants.c.scope_kind == kind, grants.c.scope_key == key)).first()
            if exists is None:
                conn.execute(sa.insert(grants).values(aad_id=g.aad_id, role=g.role,
                                                      scope_kind=kind, scope_key=key))
        conn.execute(sa.delete(grants).where(grants.c.id == g.id))
        conn.execute(sa.insert(events).values(
            case_number=None, kind="role_migrated", actor_teams_id="system",
            actor_aad_id="system", actor_name="Safeguarding Tracker", at=now,
            data={"what": "team role replaced (migration 0005)", "role": g.role,
                  "person_aad_id": g.aad_id, "old": f"team:{team}",
                  "new": [f"{k}:{v}" for k, v in new]}))


def downgrade() -> None:
    """Nothing to undo safely: the team grants are gone on purpose (see the events)."""

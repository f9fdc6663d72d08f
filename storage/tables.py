"""The database schema (SQLAlchemy Core). Alembic migrations create exactly this."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from .types import JSONType, UTCDateTime

metadata = MetaData()

cases = Table(
    "cases", metadata,
    Column("number", Integer, primary_key=True, autoincrement=True),
    Column("state", String(32), nullable=False),
    Column("is_open", Boolean, nullable=False),
    Column("locality", String(80), nullable=False),
    Column("region", String(80), nullable=False),
    Column("team_id", String(200), nullable=False, server_default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_due", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Column("record", JSONType, nullable=False),
    # the tab's filters and statistics (migration 0006); "" = not yet set
    Column("closed_on", Date, nullable=True),
    Column("route", String(16), nullable=False, server_default=""),
    Column("review_type", String(24), nullable=False, server_default=""),
    Column("stage", String(40), nullable=False, server_default=""),
    Index("ix_cases_open_number", "is_open", "number"),
    Index("ix_cases_locality_open", "locality", "is_open", "number"),
    Index("ix_cases_region_open", "region", "is_open", "number"),
    Index("ix_cases_team_open", "team_id", "is_open", "number"),
    Index("ix_cases_open_due", "is_open", "next_due"),
    Index("ix_cases_locality_due", "locality", "is_open", "next_due", "number"),  # overdue
    Index("ix_cases_team_due", "team_id", "is_open", "next_due", "number"),  # by scope
    Index("ix_cases_region_created", "region", "created_at"),  # statistics: new in a period
    Index("ix_cases_locality_created", "locality", "created_at"),
    Index("ix_cases_region_closed", "region", "closed_on"),  # statistics: closed in a period
    Index("ix_cases_locality_closed", "locality", "closed_on"),
    Index("ix_cases_review_type", "review_type", "created_at"),  # the tab's review type filter
    Index("ix_cases_region_due", "region", "is_open", "next_due"),  # statistics: past a deadline
)

case_identifiers = Table(
    "case_identifiers", metadata,
    Column("kind", String(20), primary_key=True),
    Column("value", String(80), primary_key=True),
    Column("case_number", Integer, nullable=False, index=True),
)

case_events = Table(
    "case_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_number", Integer, nullable=True),
    Column("kind", String(40), nullable=False),
    Column("actor_teams_id", String(200), nullable=False),
    Column("actor_aad_id", String(80), nullable=False),
    Column("actor_name", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("data", JSONType, nullable=False),
    Index("ix_events_case_id", "case_number", "id"),
    Index("ix_events_at", "at"),
)

# The free text of events (notes, reasons, old summaries), kept beside the append-only events so
# the retention job can remove it; the events themselves are never changed (docs/security.md).
event_texts = Table(
    "event_texts", metadata,
    Column("event_id", Integer, primary_key=True),
    Column("path", String(80), primary_key=True),  # e.g. "detail", "changes.summary.old"
    Column("case_number", Integer, nullable=True, index=True),
    Column("value", JSONType, nullable=False),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("case_number", Integer, nullable=True),
    Column("lane", String(300), nullable=False),  # messages in one lane go out in order
    Column("dedupe_key", String(200), nullable=True, unique=True),
    Column("payload", JSONType, nullable=False),
    Column("status", String(12), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("claimed_by", String(80), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("activity_id", String(200), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Index("ix_outbox_pending", "status", "next_attempt_at"),
    Index("ix_outbox_lane", "lane", "status", "id"),
)

threads = Table(
    "threads", metadata,
    Column("case_number", Integer, primary_key=True),
    Column("service_url", String(300), nullable=False),
    Column("tenant_id", String(80), nullable=False),
    Column("team_id", String(200), nullable=False),
    Column("channel_id", String(200), nullable=False),
    Column("conversation_id", String(300), nullable=False),
    Column("activity_id", String(200), nullable=False),
)

direct_messages = Table(
    "direct_messages", metadata,
    Column("dedupe_key", String(200), primary_key=True),
    Column("conversation_id", String(300), nullable=False),
    Column("activity_id", String(200), nullable=False),
    Column("service_url", String(300), nullable=False),
)

installations = Table(
    "installations", metadata,
    Column("team_id", String(200), primary_key=True),
    Column("service_url", String(300), nullable=False),
    Column("tenant_id", String(80), nullable=False),
    Column("channel_id", String(200), nullable=False),
    Column("conversation_id", String(300), nullable=False),
    Column("bot_id", String(200), nullable=False),
    Column("team_name", String(200), nullable=False, server_default=""),
    Column("installed_at", UTCDateTime, nullable=False),
)

channels = Table(
    "channels", metadata,
    Column("locality", String(80), primary_key=True),  # "" = the default channel
    Column("channel_id", String(200), nullable=False),
    Column("team_id", String(200), nullable=False),
    Column("service_url", String(300), nullable=False),
    Column("tenant_id", String(80), nullable=False),
    Index("ix_channels_channel_id", "channel_id"),  # every inbound turn looks its channel up
)

people = Table(
    "people", metadata,
    Column("aad_id", String(80), primary_key=True),
    Column("teams_id", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("upn", String(200), nullable=False, server_default=""),
)

role_grants = Table(
    "role_grants", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("aad_id", String(80), nullable=False, index=True),
    Column("role", String(60), nullable=False),
    Column("scope_kind", String(12), nullable=False),
    Column("scope_key", String(200), nullable=False),
    UniqueConstraint("aad_id", "role", "scope_kind", "scope_key", name="uq_role_grant"),
)

reminders = Table(
    "reminders", metadata,
    Column("case_number", Integer, primary_key=True),
    Column("kind", String(80), primary_key=True),
    Column("due_at", UTCDateTime, nullable=False),
    Column("repeats", Integer, nullable=False, server_default="0"),
    Column("done", Boolean, nullable=False, server_default="0"),
    Column("snoozed_until", UTCDateTime, nullable=True),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("data", JSONType, nullable=False),
    Index("ix_reminders_due", "done", "due_at"),
)

inbound_activities = Table(
    "inbound_activities", metadata,
    Column("activity_id", String(200), primary_key=True),
    Column("received_at", UTCDateTime, nullable=False, index=True),
)

instances = Table(
    "instances", metadata,  # running `serve` processes, for leases and shared rate limits
    Column("worker_id", String(120), primary_key=True),
    Column("host", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
)

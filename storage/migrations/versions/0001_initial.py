"""Initial schema: cases, append-only events, outbox, reminders, directory.

Revision ID: 0001
Revises:
"""

from alembic import op

from storage.tables import metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION case_events_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'case_events is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER case_events_no_change BEFORE UPDATE OR DELETE ON case_events
  FOR EACH ROW EXECUTE FUNCTION case_events_append_only();
"""

SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
       BEGIN SELECT RAISE(ABORT, 'case_events is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
       BEGIN SELECT RAISE(ABORT, 'case_events is append-only: DELETE refused'); END""",
]


def upgrade() -> None:
    bind = op.get_bind()
    metadata.create_all(bind)
    if bind.dialect.name == "postgresql":
        op.execute(APPEND_ONLY)
    elif bind.dialect.name == "sqlite":
        for stmt in SQLITE_APPEND_ONLY:
            op.execute(stmt)


def downgrade() -> None:
    metadata.drop_all(op.get_bind())

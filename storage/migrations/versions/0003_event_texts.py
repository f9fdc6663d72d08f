"""Event free text beside the append-only events, so retention can remove it.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from storage.types import JSONType

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_texts",
        sa.Column("event_id", sa.Integer, primary_key=True),
        sa.Column("path", sa.String(80), primary_key=True),
        sa.Column("case_number", sa.Integer, nullable=True),
        sa.Column("value", JSONType, nullable=False),
    )
    op.create_index("ix_event_texts_case_number", "event_texts", ["case_number"])


def downgrade() -> None:
    op.drop_index("ix_event_texts_case_number", "event_texts")
    op.drop_table("event_texts")

"""Every inbound turn asks whether its channel is a safeguarding channel: an index on
`channels.channel_id`, so that is a point lookup (`SqlDirectory.channel_by_id`).

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_channels_channel_id", "channels", ["channel_id"])


def downgrade() -> None:
    op.drop_index("ix_channels_channel_id", table_name="channels")

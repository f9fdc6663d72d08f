"""The tab's filters and statistics: when each case closed, its route, review type and stage as
columns, and indexes for "new in a period" and "closed in a period" within an ICB or a region
and for the review type filter (docs/tab.md, bench/tab_bench.py).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_cases_region_created": ["region", "created_at"],
    "ix_cases_locality_created": ["locality", "created_at"],
    "ix_cases_region_closed": ["region", "closed_on"],
    "ix_cases_locality_closed": ["locality", "closed_on"],
    "ix_cases_review_type": ["review_type", "created_at"],
    "ix_cases_region_due": ["region", "is_open", "next_due"],
}
TEXT = {"route": 16, "review_type": 24, "stage": 40}


def upgrade() -> None:
    op.add_column("cases", sa.Column("closed_on", sa.Date(), nullable=True))
    for name, size in TEXT.items():
        op.add_column("cases", sa.Column(name, sa.String(size), nullable=False,
                                         server_default=""))
    _backfill()
    for name, columns in INDEXES.items():
        op.create_index(name, "cases", columns)


def _backfill() -> None:
    """Closed cases get the day of their last decision (tracker.statistics.closed_on)."""
    from storage.cases import BACKFILL_SQL

    bind = op.get_bind()
    for sql in BACKFILL_SQL["sqlite" if bind.dialect.name == "sqlite" else "postgresql"]:
        op.execute(sa.text(sql))


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, "cases")
    for name in ("closed_on", *TEXT):
        op.drop_column("cases", name)

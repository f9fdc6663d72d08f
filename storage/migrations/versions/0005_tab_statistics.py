"""The tab's statistics: when each case closed, and indexes for "new in a period" and "closed in
a period" within an ICB or a region (docs/tab.md, bench/tab_bench.py).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_cases_region_created": ["region", "created_at"],
    "ix_cases_locality_created": ["locality", "created_at"],
    "ix_cases_region_closed": ["region", "closed_on"],
    "ix_cases_locality_closed": ["locality", "closed_on"],
}


def upgrade() -> None:
    op.add_column("cases", sa.Column("closed_on", sa.Date(), nullable=True))
    _backfill()
    for name, columns in INDEXES.items():
        op.create_index(name, "cases", columns)


def _backfill() -> None:
    """Closed cases get the day of their last decision (tracker.statistics.closed_on)."""
    from tracker.model import case_from_dict
    from tracker.statistics import closed_on

    bind = op.get_bind()
    cases = sa.table("cases", sa.column("number", sa.Integer), sa.column("is_open", sa.Boolean),
                     sa.column("record", sa.JSON), sa.column("closed_on", sa.Date))
    rows = bind.execute(sa.select(cases.c.number, cases.c.record)
                        .where(cases.c.is_open.is_(False))).all()
    updates = []
    for number, record in rows:
        if isinstance(record, str):
            import json
            record = json.loads(record)
        updates.append({"n": number, "d": closed_on(case_from_dict(record))})
    if updates:
        bind.execute(sa.update(cases).where(cases.c.number == sa.bindparam("n"))
                     .values(closed_on=sa.bindparam("d")), updates)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, "cases")
    op.drop_column("cases", "closed_on")

"""Indexes for the queries behind `overdue` and `agenda` in one ICB's or one team's scope.

`overdue` lists open cases due before today, soonest first. Scoped to a locality or a team,
the only usable index was (scope, is_open, number), so every open case of the scope was read
and sorted by due date. With (scope, is_open, next_due, number) the rows come out in order and
the query stops after the first page. Measured in bench/ (docs/performance.md).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_cases_locality_due": ["locality", "is_open", "next_due", "number"],
    "ix_cases_team_due": ["team_id", "is_open", "next_due", "number"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "cases", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, "cases")

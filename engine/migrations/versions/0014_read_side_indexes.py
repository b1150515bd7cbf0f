"""read side at scale: indexes the counts and lists read their rows from

Revision ID: 0014
Revises: 0011
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Deadlines met late (the dashboard's third count) read from their own range instead
    # of every met deadline.
    op.create_index("ix_deadlines_status_late", "deadlines", ["status", "late"], unique=False)
    # The to-do list walks the visible cases newest first and stops at its length, instead
    # of sorting all of a jurisdiction's cases.
    op.create_index("ix_cases_updated", "cases", ["updated_at", "id"], unique=False)
    # Counts per procedure and the ledgers go from a jurisdiction's estates to their cases
    # of one procedure; the version and state (still running?) are read from the index.
    op.create_index("ix_cases_estate_state", "cases", ["estate_id", "procedure", "version", "state"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_estate_state", table_name="cases")
    op.drop_index("ix_cases_updated", table_name="cases")
    op.drop_index("ix_deadlines_status_late", table_name="deadlines")

"""Fact dates: the day each step's act happened, apart from when it was recorded

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL on events recorded before fact dates existed: their fact is the day they were
    # recorded (engine.audit hashes fact_date only when it is set, so old chains hold).
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fact_date", sa.Date(), nullable=True))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fact_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("fact_date")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("fact_date")

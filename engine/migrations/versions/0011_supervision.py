"""supervision work: external numbers of cases (12345 orders)

Revision ID: 0011
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_refs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure", sa.String(length=40), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_external_refs_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_refs")),
        sa.UniqueConstraint("procedure", "number", name="uq_external_refs_procedure_number"),
    )
    op.create_index(op.f("ix_external_refs_case_id"), "external_refs", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_external_refs_case_id"), table_name="external_refs")
    op.drop_table("external_refs")

"""承办人: the officer of each organisation who handles a case

Revision ID: 0013
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0013"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_assignments",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_case_assignments_case_id_cases")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_case_assignments_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_case_assignments_user_id_users")),
        sa.ForeignKeyConstraint(["assigned_by_id"], ["users.id"],
                                name=op.f("fk_case_assignments_assigned_by_id_users")),
        sa.PrimaryKeyConstraint("case_id", "organisation_id", name=op.f("pk_case_assignments")),
    )
    op.create_index(op.f("ix_case_assignments_user_id"), "case_assignments", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_case_assignments_user_id"), table_name="case_assignments")
    op.drop_table("case_assignments")

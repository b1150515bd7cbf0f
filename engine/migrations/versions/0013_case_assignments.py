"""承办人 (the officer of each organisation who handles a case) and hand-off notices
with a read state per user

Revision ID: 0013
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0013"
down_revision = "0012"
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
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_notices_case_id_cases")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_notices_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notices_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    for col in ("case_id", "organisation_id", "user_id"):
        op.create_index(op.f(f"ix_notices_{col}"), "notices", [col])
    op.create_table(
        "notice_reads",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["notice_id"], ["notices.id"], ondelete="CASCADE",
                                name=op.f("fk_notice_reads_notice_id_notices")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notice_reads_user_id_users")),
        sa.PrimaryKeyConstraint("notice_id", "user_id", name=op.f("pk_notice_reads")),
    )


def downgrade() -> None:
    op.drop_table("notice_reads")
    for col in ("case_id", "organisation_id", "user_id"):
        op.drop_index(op.f(f"ix_notices_{col}"), table_name="notices")
    op.drop_table("notices")
    op.drop_index(op.f("ix_case_assignments_user_id"), table_name="case_assignments")
    op.drop_table("case_assignments")

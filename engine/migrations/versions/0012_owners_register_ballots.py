"""owners' register (units, owners, rules of procedure) and ballots of owners' votes

Revision ID: 0012
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "owner_registers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("rules_text", sa.Text(), nullable=False),
        sa.Column("silent_follow_majority", sa.Boolean(), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["estate_id"], ["estates.id"], name=op.f("fk_owner_registers_estate_id_estates")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owner_registers")),
        sa.UniqueConstraint("estate_id", name=op.f("uq_owner_registers_estate_id")),
    )
    op.create_table(
        "register_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("building", sa.String(length=40), nullable=False),
        sa.Column("unit_no", sa.String(length=40), nullable=False),
        sa.Column("room", sa.String(length=40), nullable=False),
        sa.Column("area_register", sa.Numeric(16, 4), nullable=True),
        sa.Column("area_survey", sa.Numeric(16, 4), nullable=True),
        sa.Column("area_contract", sa.Numeric(16, 4), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("owners", _JSON, nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["estate_id"], ["estates.id"], name=op.f("fk_register_units_estate_id_estates")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_units")),
        sa.UniqueConstraint("estate_id", "building", "unit_no", "room", name="uq_register_units_place"),
    )
    op.create_index(op.f("ix_register_units_estate_id"), "register_units", ["estate_id"])
    op.create_table(
        "voting_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_voting_codes_case_id_cases")),
        sa.ForeignKeyConstraint(["unit_id"], ["register_units.id"], name=op.f("fk_voting_codes_unit_id_register_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_codes")),
        sa.UniqueConstraint("case_id", "unit_id", name="uq_voting_codes_unit"),
        sa.UniqueConstraint("code_hash", name=op.f("uq_voting_codes_code_hash")),
    )
    op.create_index(op.f("ix_voting_codes_case_id"), "voting_codes", ["case_id"])
    op.create_table(
        "ballots",
        sa.Column("id", _ID, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("matter", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("cast_at", _TS, nullable=False),
        sa.Column("receipt", sa.String(length=16), nullable=False),
        sa.Column("entered_by", sa.String(length=200), nullable=False),
        sa.Column("scan_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_ballots_case_id_cases")),
        sa.ForeignKeyConstraint(["unit_id"], ["register_units.id"], name=op.f("fk_ballots_unit_id_register_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballots")),
        sa.UniqueConstraint("case_id", "unit_id", "matter", "channel", name="uq_ballots_unit_matter_channel"),
    )
    op.create_index(op.f("ix_ballots_case_id"), "ballots", ["case_id"])
    op.create_index("ix_ballots_receipt", "ballots", ["receipt"])
    op.create_table(
        "paper_entries",
        sa.Column("id", _ID, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("sheet_no", sa.String(length=40), nullable=False),
        sa.Column("choices", _JSON, nullable=False),
        sa.Column("clerk_id", sa.Integer(), nullable=True),
        sa.Column("clerk_name", sa.String(length=100), nullable=False),
        sa.Column("entered_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_paper_entries_case_id_cases")),
        sa.ForeignKeyConstraint(["unit_id"], ["register_units.id"], name=op.f("fk_paper_entries_unit_id_register_units")),
        sa.ForeignKeyConstraint(["clerk_id"], ["users.id"], name=op.f("fk_paper_entries_clerk_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_entries")),
    )
    op.create_index(op.f("ix_paper_entries_case_id"), "paper_entries", ["case_id"])


def downgrade() -> None:
    for t in ("paper_entries", "ballots", "voting_codes", "register_units", "owner_registers"):
        op.drop_table(t)

"""the register: estate profiles, enterprise profiles, committees and their members,
service contracts, and the append-only history of every change

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "estate_profiles",
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.Integer(), nullable=True),
        sa.Column("management_mode", sa.String(length=20), nullable=False),
        sa.Column("enterprise_since", sa.Date(), nullable=True),
        sa.Column("mode_since", sa.Date(), nullable=True),
        sa.Column("service_content", sa.String(length=200), nullable=False),
        sa.Column("project_manager", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("designated_on", sa.Date(), nullable=True),
        sa.Column("designation_notice", sa.String(length=300), nullable=False),
        sa.Column("handover_on", sa.Date(), nullable=True),
        sa.Column("remark", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["estate_id"], ["estates.id"],
                                name=op.f("fk_estate_profiles_estate_id_estates")),
        sa.PrimaryKeyConstraint("estate_id", name=op.f("pk_estate_profiles")),
    )
    op.create_table(
        "enterprise_profiles",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_enterprise_profiles_organisation_id_organisations")),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_enterprise_profiles")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_enterprise_profiles_credit_code")),
    )
    op.create_table(
        "committees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("elected_on", sa.Date(), nullable=True),
        sa.Column("term_start", sa.Date(), nullable=True),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.Column("term_basis", sa.Text(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("certificate", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["estate_id"], ["estates.id"], name=op.f("fk_committees_estate_id_estates")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_committees_organisation_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committees")),
    )
    op.create_index(op.f("ix_committees_estate_id"), "committees", ["estate_id"])
    op.create_index(op.f("ix_committees_organisation_id"), "committees", ["organisation_id"])
    op.create_index("ix_committees_status_term_end", "committees", ["status", "term_end"])
    op.create_table(
        "committee_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["committee_id"], ["committees.id"],
                                name=op.f("fk_committee_members_committee_id_committees")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_committee_members_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_members")),
    )
    op.create_index(op.f("ix_committee_members_committee_id"), "committee_members", ["committee_id"])
    op.create_table(
        "service_contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("contract_no", sa.String(length=60), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=True),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.Column("fee", sa.Numeric(16, 2), nullable=True),
        sa.Column("filing_status", sa.String(length=12), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("receipt", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["estate_id"], ["estates.id"], name=op.f("fk_service_contracts_estate_id_estates")),
        sa.ForeignKeyConstraint(["enterprise_id"], ["organisations.id"],
                                name=op.f("fk_service_contracts_enterprise_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_contracts")),
    )
    op.create_index(op.f("ix_service_contracts_estate_id"), "service_contracts", ["estate_id"])
    op.create_index(op.f("ix_service_contracts_enterprise_id"), "service_contracts", ["enterprise_id"])
    op.create_index("ix_service_contracts_status_signed", "service_contracts",
                    ["filing_status", "signed_on"])
    op.create_table(
        "register_history",
        sa.Column("id", _ID, nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("estate_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.Column("fact_date", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorder_id", sa.Integer(), nullable=True),
        sa.Column("recorder_name", sa.String(length=100), nullable=False),
        sa.Column("event_id", _ID, nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["recorder_id"], ["users.id"], name=op.f("fk_register_history_recorder_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_history")),
    )
    op.create_index("ix_register_history_entity", "register_history", ["entity", "entity_id", "fact_date"])
    op.create_index("ix_register_history_estate", "register_history", ["estate_id", "fact_date"])
    op.create_table(
        "register_alerts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("duty", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["estate_id"], ["estates.id"], name=op.f("fk_register_alerts_estate_id_estates")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_register_alerts_organisation_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_alerts")),
        sa.UniqueConstraint("stage", name=op.f("uq_register_alerts_stage")),
    )
    op.create_index(op.f("ix_register_alerts_estate_id"), "register_alerts", ["estate_id"])
    op.create_index(op.f("ix_register_alerts_organisation_id"), "register_alerts", ["organisation_id"])


def downgrade() -> None:
    op.drop_table("register_alerts")
    op.drop_table("register_history")
    op.drop_table("service_contracts")
    op.drop_table("committee_members")
    op.drop_table("committees")
    op.drop_table("enterprise_profiles")
    op.drop_table("estate_profiles")

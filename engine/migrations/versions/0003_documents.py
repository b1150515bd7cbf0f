"""issued documents, serial-number counters, organisations' seals and certificates

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("serial", sa.String(length=80), nullable=False),
        sa.Column("serial_year", sa.Integer(), nullable=False),
        sa.Column("serial_no", sa.Integer(), nullable=False),
        sa.Column("issuer_org_id", sa.Integer(), nullable=False),
        sa.Column("issuer_name", sa.String(length=200), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("signed", sa.Boolean(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_documents_case_id_cases")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_documents_event_id_events")),
        sa.ForeignKeyConstraint(["issuer_org_id"], ["organisations.id"],
                                name=op.f("fk_documents_issuer_org_id_organisations")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_documents_issued_by_id_users")),
        sa.ForeignKeyConstraint(["superseded_by_id"], ["documents.id"],
                                name=op.f("fk_documents_superseded_by_id_documents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("code", name=op.f("uq_documents_code")),
        sa.UniqueConstraint("issuer_org_id", "serial_year", "serial_no", name="uq_documents_serial"),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_issuer_org_id"), ["issuer_org_id"], unique=False)

    op.create_table(
        "document_serials",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                name=op.f("fk_document_serials_org_id_organisations")),
        sa.PrimaryKeyConstraint("org_id", "year", name=op.f("pk_document_serials")),
    )
    op.create_table(
        "org_form_settings",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("serial_prefix", sa.String(length=20), nullable=True),
        sa.Column("seal_image", sa.LargeBinary(), nullable=True),
        sa.Column("seal_content_type", sa.String(length=40), nullable=True),
        sa.Column("cert_pem", sa.Text(), nullable=True),
        sa.Column("key_pem", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                name=op.f("fk_org_form_settings_org_id_organisations")),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_org_form_settings")),
    )


def downgrade() -> None:
    op.drop_table("org_form_settings")
    op.drop_table("document_serials")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_issuer_org_id"))
        batch_op.drop_index(batch_op.f("ix_documents_case_id"))
    op.drop_table("documents")

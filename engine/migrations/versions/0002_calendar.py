"""holiday arrangements (calendar): calendar_years, calendar_days, seeded from chinesecalendar

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    years = op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("notice", sa.String(length=200), nullable=False),
        sa.Column("notice_no", sa.String(length=60), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    days = op.create_table(
        "calendar_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(["year"], ["calendar_years.year"], ondelete="CASCADE",
                                name=op.f("fk_calendar_days_year_calendar_years")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_days")),
        sa.UniqueConstraint("year", "day", name="uq_calendar_days_year_day"),
    )
    with op.batch_alter_table("calendar_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_days_year"), ["year"], unique=False)

    # Seed: the official arrangements the chinesecalendar package carries.
    from engine.calendar_store import seed_rows
    from engine.legaltime import package_arrangements
    year_rows, day_rows = seed_rows(package_arrangements())
    if op.get_bind().dialect.name == "sqlite":       # stored as naive UTC, like UTCDateTime
        for r in year_rows:
            r["imported_at"] = r["imported_at"].replace(tzinfo=None)
    op.bulk_insert(years, year_rows)
    op.bulk_insert(days, day_rows)


def downgrade() -> None:
    with op.batch_alter_table("calendar_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_days_year"))
    op.drop_table("calendar_days")
    op.drop_table("calendar_years")

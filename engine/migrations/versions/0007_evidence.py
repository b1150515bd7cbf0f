"""evidence log (leaves and signed checkpoints), with the records already written

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# The tables that are evidence, and the columns of each that carry no meaning (as
# declared by the models' __evidence_exclude__ at this revision).
TRACKED = {
    "cases": ("case", "id", ("state", "data", "updated_at", "lock_version", "event_seq",
                             "event_head", "fact_date")),
    "events": ("event", "case_id", ()),
    "deadlines": ("deadline", "case_id", ()),
    "documents": ("document", "case_id", ()),
    "alerts": ("alert", "case_id", ("next_check",)),
    "attachments": ("attachment", "case_id", ()),
}


def upgrade() -> None:
    op.create_table(
        "evidence_log",
        sa.Column("id", _ID, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_log")),
        sa.UniqueConstraint("seq", name=op.f("uq_evidence_log_seq")),
    )
    op.create_index("ix_evidence_log_case", "evidence_log", ["case_id", "id"], unique=False)
    op.create_index("ix_evidence_log_unsequenced", "evidence_log", ["id"], unique=False,
                    sqlite_where=sa.text("seq IS NULL"), postgresql_where=sa.text("seq IS NULL"))
    op.create_table(
        "evidence_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("frontier", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_checkpoints")),
    )
    _backfill(op.get_bind())


def _backfill(conn) -> None:
    """Records written before the log existed enter it as they stand now, so an upgraded
    database verifies clean; from here on every write appends its own leaves."""
    from engine.evidence import digest, entry, plain
    meta = sa.MetaData()
    meta.reflect(bind=conn, only=list(TRACKED))
    log = sa.table("evidence_log", sa.column("kind"), sa.column("key"), sa.column("case_id"),
                   sa.column("body"), sa.column("leaf_hash"))
    ev, cases = meta.tables["events"], meta.tables["cases"]
    last_event = dict(conn.execute(sa.select(ev.c.case_id, sa.func.max(ev.c.seq))
                                   .group_by(ev.c.case_id)).all())
    # The last event of each case vouches for the case row as it stands.
    heads = {r.id: {"state": r.state, "data": digest(r.data or {}),
                    "lock_version": r.lock_version, "fact_date": plain(r.fact_date)}
             for r in conn.execute(sa.select(cases.c.id, cases.c.state, cases.c.data,
                                             cases.c.lock_version, cases.c.fact_date))}
    for name, (kind, case_col, exclude) in TRACKED.items():
        tbl = meta.tables[name]
        cols = [c.name for c in tbl.columns if c.name not in exclude]
        batch = []
        for row in conn.execute(sa.select(tbl).order_by(tbl.c.id)).mappings():
            rec = {c: plain(row[c]) for c in cols}
            if kind == "event" and last_event.get(row["case_id"]) == row["seq"]:
                rec["_case"] = heads[row["case_id"]]
            batch.append(entry(kind, f"{kind}:{row['id']}", rec, row[case_col]))
            if len(batch) >= 5000:
                conn.execute(log.insert(), batch)
                batch = []
        if batch:
            conn.execute(log.insert(), batch)


def downgrade() -> None:
    op.drop_table("evidence_checkpoints")
    op.drop_index("ix_evidence_log_unsequenced", table_name="evidence_log")
    op.drop_index("ix_evidence_log_case", table_name="evidence_log")
    op.drop_table("evidence_log")

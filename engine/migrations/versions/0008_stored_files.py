"""stored files move into the database (content-addressed by SHA-256)

Revision ID: 0008
Revises: 0007
"""
import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path

from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    files = op.create_table(
        "stored_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stored_files")),
    )
    _import_folder(op.get_bind(), files)


def _import_folder(conn, files) -> None:
    """Files referenced by documents and attachments that an earlier version kept in the
    upload folder (UPLOAD_FOLDER, default instance/uploads/<2 hex>/<sha256>) are copied
    in when they are found there and still hash to their name."""
    root = Path(os.environ.get("UPLOAD_FOLDER") or "instance/uploads")
    if not root.is_dir():
        return
    wanted = set()
    for table in ("documents", "attachments"):
        wanted |= set(conn.execute(sa.text(f"SELECT DISTINCT sha256 FROM {table}")).scalars())
    now = datetime.now(timezone.utc)
    if conn.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    for sha in sorted(wanted):
        path = root / sha[:2] / sha
        if path.is_file():
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() == sha:
                conn.execute(files.insert().values(sha256=sha, size=len(data), data=data,
                                                   created_at=now))


def downgrade() -> None:
    op.drop_table("stored_files")

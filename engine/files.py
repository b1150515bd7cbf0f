"""Stored files: uploaded attachments and issued PDFs, kept in the database under their
SHA-256 (content-addressed: the same bytes are stored once, and a row never points at
changed content without the change being visible).

Why the database and not a directory: every app process on every host sees the same
files with no shared file system to set up; a file is written in the same transaction as
the row that refers to it, so a rolled-back step leaves no file and a committed one never
lacks its file; and one backup of the database (`flask backup`, `pg_dump`) holds the
whole record, files included, so a restored copy can be verified end to end
(`flask audit verify`). Uploads are capped at a few megabytes (engine.uploads), which
both databases store comfortably (PostgreSQL moves large values out of line by itself).

Reading checks what is read: `load` returns the bytes only when they still hash to the
name they were stored under, and raises `FileAltered` otherwise, so nothing serves a
changed file as the issued one.
"""
from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import Integer, LargeBinary, String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.models import Base, utcnow

# Longest file name kept (characters, extension included): long enough for any real
# document title, short enough for every column and every browser's download bar.
MAX_NAME = 120

# What each accepted type's file name ends with.
EXTENSIONS = {"application/pdf": (".pdf",), "image/png": (".png",),
              "image/jpeg": (".jpg", ".jpeg"), "application/ofd": (".ofd",)}


class StoredFile(Base):
    __tablename__ = "stored_files"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FileAltered(Exception):
    """The stored bytes no longer hash to their name: the file was changed."""

    def __init__(self, sha256: str, actual: str):
        super().__init__(f"stored file {sha256} now hashes to {actual}")
        self.sha256, self.actual = sha256, actual


@dataclass(frozen=True)
class FileIn:
    filename: str
    content_type: str
    data: bytes
    item: str | None = None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store(session: Session, data: bytes) -> str:
    """Store the bytes in the caller's transaction (once per content); their SHA-256."""
    sha = sha256_of(data)
    if session.scalar(select(StoredFile.sha256).where(StoredFile.sha256 == sha)) is None:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.connection().execute(
            dialect.insert(StoredFile.__table__).on_conflict_do_nothing(index_elements=["sha256"]),
            {"sha256": sha, "size": len(data), "data": data, "created_at": utcnow()})
    return sha


def load(session: Session, sha256: str) -> bytes:
    """The bytes stored under `sha256`. FileNotFoundError when there are none,
    FileAltered when they were changed after they were stored."""
    data = session.scalar(select(StoredFile.data).where(StoredFile.sha256 == sha256))
    if data is None:
        raise FileNotFoundError(sha256)
    data = bytes(data)
    actual = sha256_of(data)
    if actual != sha256:
        raise FileAltered(sha256, actual)
    return data


def clean_name(name: str, content_type: Optional[str] = None) -> str:
    """A file name safe to store, show and send back: no directories (`../../x`), no
    control, invisible or direction-changing characters (`a\\u202efdp.exe` would read
    as `aexe.pdf`), no leading dots, at most MAX_NAME characters, and ending with the
    extension of its actual type when that is known."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    name = " ".join(name.split()).lstrip(". ")
    stem, ext = os.path.splitext(name)
    wanted = EXTENSIONS.get((content_type or "").lower())
    if wanted and ext.lower() not in wanted:
        stem, ext = name, wanted[0]
    stem = stem.rstrip(". ") or "附件"
    return stem[:MAX_NAME - len(ext)] + ext

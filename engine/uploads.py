"""Attaching a file to a case outside a step (an upload that moves no state).

`attach` checks that the actor may see the case, that the file is not empty, not too
large and of an accepted type (the declared type must agree with the file's first
bytes, so a renamed executable is not stored as a PDF), stores the bytes
content-addressed (engine.files), records an `Attachment` and appends an audit event
with `engine.runtime.note` — all in one commit. The case's state does not move.
"""
from __future__ import annotations

import os
import unicodedata
from datetime import datetime, timezone
from typing import Optional

from sqlalchemy.orm import Session, joinedload

from engine import files as file_store
from engine.access import Actor, may_see_case
from engine.bilingual import Bi
from engine.errors import EngineError, NotFound, PayloadInvalid
from engine.models import Attachment, Case
from engine.runtime import CASE_NOT_FOUND, NOTES, note, unit_of_work

MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024))

# Accepted types: the declared content type and the magic bytes it must start with.
TYPES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/ofd": (b"PK\x03\x04",),          # 版式文档 OFD (a zip container)
}
EXTENSIONS = {"application/pdf": (".pdf",), "image/png": (".png",),
              "image/jpeg": (".jpg", ".jpeg"), "application/ofd": (".ofd",)}
TYPE_NAMES = "PDF、PNG、JPEG、OFD"
TYPE_NAMES_EN = "PDF, PNG, JPEG, OFD"


class FileTooLarge(EngineError):
    status = 413


class UnsupportedFileType(EngineError):
    status = 415


def sniff(data: bytes) -> Optional[str]:
    for ctype, magics in TYPES.items():
        if any(data.startswith(m) for m in magics):
            return ctype
    return None


def _clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255] or "附件"


def check(f: file_store.FileIn, max_bytes: Optional[int] = None) -> str:
    """The file's content type after checking it; raises a typed refusal."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    if not f.data:
        raise PayloadInvalid({"file": [Bi("文件为空", "The file is empty")]})
    if len(f.data) > max_bytes:
        mb = max_bytes // (1024 * 1024)
        raise FileTooLarge(Bi(f"文件过大：每个文件不超过 {mb} MB",
                              f"File too large: at most {mb} MB per file"))
    declared = (f.content_type or "").split(";")[0].strip().lower()
    actual = sniff(f.data)
    if actual is None:
        raise UnsupportedFileType(Bi(f"不支持的文件类型，仅接受 {TYPE_NAMES}",
                                     f"Unsupported file type; only {TYPE_NAMES_EN} are accepted"))
    if declared not in ("", "application/octet-stream") and declared != actual:
        raise UnsupportedFileType(Bi(f"文件内容与声明的类型（{declared}）不符，仅接受 {TYPE_NAMES}",
                                     f"The file's content does not match its declared type "
                                     f"({declared}); only {TYPE_NAMES_EN} are accepted"))
    return actual


def attach(session: Session, case_id: int, actor: Actor, f: file_store.FileIn,
           now: Optional[datetime] = None, *, note_text: str = "") -> Attachment:
    """Store `f` as an attachment of the case with an audit note. Commits once."""
    now = now or datetime.now(timezone.utc)
    with unit_of_work(session):
        case = session.get(Case, case_id, options=[joinedload(Case.estate)])
        if case is None or not may_see_case(actor, case):
            # Same answer whether it does not exist or is someone else's.
            raise NotFound(CASE_NOT_FOUND)
        ctype = check(f)
        item = (f.item or "").strip() or None
        if item and (len(item) > 60 or not item.isprintable()):
            raise PayloadInvalid({"item": [Bi("应为不超过 60 个字符的条目名",
                                              "Must be an item name of at most 60 characters")]})
        filename = _clean_name(f.filename)
        sha = file_store.store(f.data)
        row = Attachment(case_id=case.id, item=item, filename=filename, content_type=ctype,
                         size=len(f.data), sha256=sha, uploaded_by_id=actor.user_id,
                         created_at=now)
        session.add(row)
        payload = {"filename": filename, "sha256": sha, "size": len(f.data),
                   "content_type": ctype}
        if item:
            payload["item"] = item
        if note_text:
            payload["note"] = note_text[:500]
        ev = note(session, case, "attach", NOTES["attach"], payload, actor, now=now)
        session.flush()
        row.event_id = ev.id
    return row

"""Content-addressed storage of uploaded files (bytes under their SHA-256)."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

_root: Path = Path(os.environ.get("UPLOAD_FOLDER", "instance/uploads"))


def configure(root: str | os.PathLike) -> None:
    global _root
    _root = Path(root)


@dataclass(frozen=True)
class FileIn:
    filename: str
    content_type: str
    data: bytes
    item: str | None = None


def path_of(sha256: str) -> Path:
    return _root / sha256[:2] / sha256


def store(data: bytes) -> str:
    """Write the bytes once; writing the same content again is a no-op."""
    sha = hashlib.sha256(data).hexdigest()
    p = path_of(sha)
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(".tmp%d" % os.getpid())
        tmp.write_bytes(data)
        os.replace(tmp, p)
    return sha


def load(sha256: str) -> bytes:
    return path_of(sha256).read_bytes()

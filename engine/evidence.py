"""The evidence log: one append-only, tamper-evident log over every record that is
evidence — case events, the cases' opening facts, issued documents, attachments,
deadline rows as they change, alerts — built like a transparency log (RFC 6962,
Certificate Transparency, Trillian).

What a leaf is
    One JSON text, canonical (keys sorted, no spaces, UTF-8): `{"case", "key", "kind",
    "record"}`, where `record` holds every column of the row that carries meaning, as it
    stands after the write (`record_of`). Its hash is SHA-256(0x00 ‖ text), the RFC 6962
    leaf hash. The text is stored as written (`body`), so verification re-hashes exactly
    the bytes that were hashed.

How leaves are ordered
    Writers only INSERT, inside their own transaction; the row's id comes from the
    database (identity / rowid), so appending takes no lock shared by all writers.
    A leaf gets its place in the tree (`seq`) when a checkpoint is written, as
    Trillian's sequencer does: the sequencer takes one lock, numbers the committed
    leaves that have none yet in id order, extends the Merkle tree from the previous
    checkpoint's frontier (O(new leaves + log size)), and signs the new size and root.
    A transaction that commits after the sequencer ran is simply numbered next time.
    A leaf is under a signed checkpoint from the first checkpoint after its commit
    (`flask deadlines scan` writes one every run, `flask audit checkpoint` on demand):
    that delay is the log's merge delay, as in Certificate Transparency.

Checkpoints
    `{"origin", "size", "root", "time"}` signed with an Ed25519 key that is not in the
    database (a key file or an environment variable, see web/cli.py): whoever can write
    the database can recompute every hash, but not sign a root. Operators keep copies
    of printed checkpoints elsewhere; `verify_log` proves that the log still holds, leaf
    for leaf, what every stored and every saved checkpoint signed: a truncated log, a
    deleted leaf, or a leaf recomputed after an edit all change a root.

API (used by every writer; the register's history uses the same calls)
    `append(session, kind, key, record, case_id=None)`
        one leaf, inside the caller's transaction (no commit).
    `log_rows(session, model, rows, extra=None)`
        a leaf per row of a tracked model: the model declares `__evidence__ = "kind"`
        and optionally `__evidence_exclude__` (columns that carry no meaning, e.g. a
        scheduling hint) and `__evidence_case__` (the column naming the case, default
        "case_id"). The key is "<kind>:<id>"; a row written again gets a new leaf, the
        latest leaf of a key is what the row must hold. `extra` adds facts that are
        not columns, under keys starting with "_".
    `entries_for(model, rows, extra)` + `append_entries(session, entries)`
        the same, gathered into one INSERT with other leaves of the step.
    `latest(session, model, row_id, case_id)`
        the record a row must hold now (for pages that vouch for a row, e.g. /verify).
    `checkpoint(session, private_key, origin=…)` sequence and sign (commits).
    `verify_log(session, public_key, saved=[…])` the log's own integrity.
    `tracked()` every tracked model (engine.audit compares their rows with the log;
        a model without a case column, such as a register's history, is compared as a
        whole).

    Write the row first, then its leaf, in the same transaction: the row's lock then
    orders two writers of one row, so the later leaf of a key (higher id) is always the
    later write.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Iterable, Mapping, Optional, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)
from sqlalchemy import (BigInteger, Index, Integer, String, Text, func, select,
                        text)
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import clock
from engine.models import Base

ORIGIN = "wuye-evidence-log"
_ID = BigInteger().with_variant(Integer, "sqlite")
_LOCK_KEY = 0x77757965_6c6f67       # "wuyelog": the sequencer's advisory lock
_CHUNK = 5000


class LogEntry(Base):
    __tablename__ = "evidence_log"
    __table_args__ = (
        Index("ix_evidence_log_case", "case_id", "id"),
        # The sequencer's work list: the few rows not yet under a checkpoint.
        Index("ix_evidence_log_unsequenced", "id", sqlite_where=text("seq IS NULL"),
              postgresql_where=text("seq IS NULL")),
    )
    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    seq: Mapped[Optional[int]] = mapped_column(BigInteger, unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(120))
    case_id: Mapped[Optional[int]] = mapped_column(Integer)   # no foreign key: the log outlives rows
    body: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))


class Checkpoint(Base):
    __tablename__ = "evidence_checkpoints"
    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[str] = mapped_column(String(64))
    frontier: Mapped[str] = mapped_column(Text)        # JSON [[height, hex], …], left to right
    signed_at: Mapped[datetime] = mapped_column()
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(100))


class LogError(Exception):
    """The log cannot be extended or read as it should (its message says why, in Chinese)."""


# -- canonical records ----------------------------------------------------------------------

_AS_IS = (str, int, bool, type(None), float)


def plain(value: Any) -> Any:
    """A JSON value that reads the same whichever database returned the row: aware
    datetimes in UTC with microseconds, dates in ISO, decimals without trailing zeros."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, str):        # e.g. engine.bilingual.Bi: what is stored is the Chinese
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:          # SQLite keeps no offset; stored in UTC
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    raise TypeError(f"cannot record {type(value).__name__} in the evidence log")


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)


def canonical(value: Any) -> str:
    return _dumps(plain(value))


def digest(value: Any) -> str:
    """SHA-256 of a value's canonical text (e.g. a case's data after a step)."""
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


def leaf_hash(body: str) -> str:
    return hashlib.sha256(b"\x00" + body.encode("utf-8")).hexdigest()


def body_prefix(kind: str, key: str, case_id: Optional[int]) -> str:
    """How a leaf's text must begin for its columns (keys are sorted: case, key, kind)."""
    return (f'{{"case":{json.dumps(case_id)},"key":{json.dumps(key, ensure_ascii=False)},'
            f'"kind":{json.dumps(kind, ensure_ascii=False)},"record":')


def entry(kind: str, key: str, record: Mapping[str, Any], case_id: Optional[int] = None) -> dict:
    """The row of one leaf (not yet written)."""
    return _entry(kind, key, plain(record), case_id)


def _entry(kind: str, key: str, record: dict, case_id: Optional[int]) -> dict:
    body = _dumps({"case": case_id, "key": key, "kind": kind, "record": record})
    return {"kind": kind, "key": key, "case_id": case_id, "body": body,
            "leaf_hash": leaf_hash(body)}


# -- tracked models -------------------------------------------------------------------------

@dataclass(frozen=True)
class Tracked:
    kind: str
    model: type
    columns: tuple[str, ...]
    case_column: Optional[str]

    def key(self, row_id) -> str:
        return f"{self.kind}:{row_id}"


_tracked: dict[type, Tracked] = {}


def spec(model: type) -> Tracked:
    t = _tracked.get(model)
    if t is None:
        kind = getattr(model, "__evidence__", None)
        if not kind:
            raise TypeError(f"{model.__name__} is not tracked by the evidence log")
        exclude = set(getattr(model, "__evidence_exclude__", ()))
        cols = tuple(c.key for c in model.__table__.columns if c.key not in exclude)
        case_col = getattr(model, "__evidence_case__", "case_id")
        t = Tracked(kind, model, cols, case_col if case_col in cols else None)
        _tracked[model] = t
    return t


def tracked() -> list[Tracked]:
    """Every model that declares `__evidence__` (all of engine.db.MODEL_MODULES loaded)."""
    from engine.db import load_models
    load_models()
    models = sorted((m.class_ for m in Base.registry.mappers
                     if getattr(m.class_, "__evidence__", None)), key=lambda c: c.__tablename__)
    return [spec(m) for m in models]


def record_of(model: type, row) -> dict:
    """The meaningful columns of a row (ORM object or mapping) as JSON values."""
    if isinstance(row, Mapping):
        return {c: plain(row[c]) for c in spec(model).columns}
    return {c: plain(getattr(row, c)) for c in spec(model).columns}


_INSERT = LogEntry.__table__.insert()


def _insert(session: Session, entries: list[dict]) -> None:
    if entries:
        session.connection().execute(_INSERT, entries[0] if len(entries) == 1 else entries)


def append(session: Session, kind: str, key: str, record: Mapping[str, Any], *,
           case_id: Optional[int] = None) -> None:
    """Append one leaf inside the caller's transaction."""
    _insert(session, [entry(kind, key, record, case_id)])


def entries_for(model: type, rows: Iterable, extra: Optional[Mapping[str, Any]] = None) -> list[dict]:
    t = spec(model)
    out = []
    for row in rows:
        rec = record_of(model, row)
        if extra:
            rec.update(plain(extra))
        out.append(_entry(t.kind, t.key(rec["id"]), rec,
                          rec[t.case_column] if t.case_column else None))
    return out


def log_rows(session: Session, model: type, rows: Iterable,
             extra: Optional[Mapping[str, Any]] = None) -> None:
    """Append a leaf for each row as it now stands (rows must have their ids)."""
    _insert(session, entries_for(model, rows, extra))


def append_entries(session: Session, entries: Sequence[dict]) -> None:
    """Write leaves built with `entry` / `entries_for` in one statement."""
    _insert(session, list(entries))


def latest(session: Session, model: type, row_id: int, case_id: Optional[int]) -> Optional[dict]:
    """The record the row `row_id` must hold now (its latest leaf), or None."""
    t = spec(model)
    q = (select(LogEntry.body).where(LogEntry.case_id == case_id if case_id is not None
                                     else LogEntry.case_id.is_(None),
                                     LogEntry.key == t.key(row_id))
         .order_by(LogEntry.id.desc()).limit(1))
    body = session.scalar(q)
    return json.loads(body)["record"] if body else None


def differences(record: Mapping[str, Any], row_record: Mapping[str, Any]) -> list[str]:
    """Columns whose value differs between a logged record and the row (columns the
    record does not hold, e.g. added after it was written, are not compared)."""
    return [c for c in record if not c.startswith("_") and c in row_record
            and record[c] != row_record[c]]


# -- the Merkle tree (RFC 6962 §2.1) ------------------------------------------------------

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class Tree:
    """A Merkle tree kept as its frontier: the roots of its perfect subtrees, left to
    right (heights strictly decreasing). Appending is a binary-counter carry."""

    def __init__(self, size: int = 0, frontier: Sequence[tuple[int, bytes]] = ()):
        self.size = size
        self.frontier = list(frontier)

    def push(self, leaf: bytes) -> None:
        height, node = 0, leaf
        while self.frontier and self.frontier[-1][0] == height:
            node = _node(self.frontier.pop()[1], node)
            height += 1
        self.frontier.append((height, node))
        self.size += 1

    def root(self) -> str:
        if not self.frontier:
            return EMPTY_ROOT
        node = self.frontier[-1][1]
        for _, left in reversed(self.frontier[:-1]):
            node = _node(left, node)
        return node.hex()

    def dump(self) -> str:
        return json.dumps([[h, n.hex()] for h, n in self.frontier])

    @classmethod
    def load(cls, size: int, text_: str) -> "Tree":
        return cls(size, [(int(h), bytes.fromhex(n)) for h, n in json.loads(text_ or "[]")])


def merkle_root(leaf_hashes: Iterable[str]) -> str:
    t = Tree()
    for h in leaf_hashes:
        t.push(bytes.fromhex(h))
    return t.root()


# -- keys and signatures --------------------------------------------------------------------

def generate_key_pem() -> bytes:
    """A new Ed25519 private key, PKCS#8 PEM (what `flask audit keygen` writes)."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())


def load_private_key(material: bytes | str) -> Ed25519PrivateKey:
    """A PEM private key, or the 32 raw bytes in base64."""
    raw = material.encode() if isinstance(material, str) else material
    raw = raw.strip()
    try:
        if raw.startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(raw, password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw, validate=True))
    except ValueError as exc:
        raise LogError(f"存证签名密钥无法读取：{exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise LogError("存证签名密钥应为 Ed25519 密钥")
    return key


def public_b64(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes(serialization.Encoding.Raw,
                                             serialization.PublicFormat.Raw)).decode()


def load_public_key(b64: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(b64, validate=True))
    except ValueError as exc:
        raise LogError(f"存证公钥无法读取：{exc}") from None


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(base64.b64decode(public_b64(key))).hexdigest()[:16]


def _signed_text(origin: str, size: int, root: str, time: str) -> bytes:
    return canonical({"origin": origin, "size": size, "root": root, "time": time}).encode()


def _time(ts: datetime) -> str:
    return plain(ts)


def checkpoint_json(cp: Checkpoint, public: Ed25519PublicKey) -> dict:
    return {"origin": cp.origin, "size": cp.size, "root": cp.root, "time": _time(cp.signed_at),
            "key_id": cp.key_id, "public_key": public_b64(public), "signature": cp.signature}


def signature_ok(cp: Mapping[str, Any], public: Ed25519PublicKey) -> bool:
    try:
        public.verify(base64.b64decode(cp["signature"]),
                      _signed_text(cp["origin"], int(cp["size"]), cp["root"], cp["time"]))
        return True
    except (InvalidSignature, KeyError, ValueError, TypeError):
        return False


# -- sequencing and checkpoints ---------------------------------------------------------------

def _lock(session: Session) -> None:
    """The sequencer's one lock, taken at the start of its transaction."""
    if session.in_transaction():
        session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_LOCK_KEY)))
    else:
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def _number(session: Session, ids: list[int], base: int) -> None:
    """seq = base + 1, base + 2, … for `ids` (ascending) in one statement: exactly these
    rows, whatever committed meanwhile."""
    t = LogEntry.__table__
    numbered = (select(t.c.id, (base + func.row_number().over(order_by=t.c.id)).label("n"))
                .where(t.c.id.in_(ids)).subquery())
    session.execute(t.update().where(t.c.id == numbered.c.id).values(seq=numbered.c.n))


def checkpoint(session: Session, private_key: Ed25519PrivateKey, *, origin: str = ORIGIN,
               now: Optional[datetime] = None) -> dict:
    """Number the committed leaves that have no place yet, extend the tree, sign its size
    and root, store the checkpoint; one commit. Returns the checkpoint as printed."""
    now = (now or clock.now()).astimezone(timezone.utc)
    try:
        _lock(session)
        last = session.scalar(select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1))
        tree = Tree.load(last.size, last.frontier) if last else Tree()
        top = session.scalar(select(func.max(LogEntry.seq))) or 0
        if top != tree.size:
            raise LogError(f"存证日志已编号 {top} 条，而最近的检查点记录为 {tree.size} 条："
                           "检查点或日志条目被删除或改动，请先运行 flask audit verify")
        after = 0
        while True:
            rows = session.execute(
                select(LogEntry.id, LogEntry.body, LogEntry.leaf_hash)
                .where(LogEntry.seq.is_(None), LogEntry.id > after)
                .order_by(LogEntry.id).limit(_CHUNK)).all()
            if not rows:
                break
            base = tree.size
            for rid, body, lh in rows:
                if leaf_hash(body) != lh:
                    raise LogError(f"存证日志条目 #{rid} 的内容与其哈希不符，拒绝为其签署检查点")
                tree.push(bytes.fromhex(lh))
            _number(session, [r[0] for r in rows], base)
            after = rows[-1][0]
        public = private_key.public_key()
        root, stamp = tree.root(), now
        sig = private_key.sign(_signed_text(origin, tree.size, root, _time(stamp)))
        cp = Checkpoint(origin=origin, size=tree.size, root=root, frontier=tree.dump(),
                        signed_at=stamp, key_id=key_id(public),
                        signature=base64.b64encode(sig).decode())
        session.add(cp)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return checkpoint_json(cp, public)


# -- verifying the log ----------------------------------------------------------------------

@dataclass
class LogReport:
    size: int = 0                      # leaves under a checkpoint
    pending: int = 0                   # leaves not yet under one
    checkpoints: int = 0               # stored checkpoints checked
    saved: int = 0                     # saved (outside) checkpoints checked
    latest: Optional[dict] = None      # the newest stored checkpoint, as printed
    problems: list[str] = field(default_factory=list)


def _stream(session: Session, stmt):
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.execution_options(yield_per=_CHUNK)
    return session.execute(stmt)


def verify_log(session: Session, public: Optional[Ed25519PublicKey],
               saved: Sequence[Mapping[str, Any]] = ()) -> LogReport:
    """Re-hash every leaf, rebuild the tree, and compare its root at each checkpoint's
    size with what the checkpoint signed: every stored checkpoint (its signature too,
    when the public key is known) and every `saved` one (kept outside the database)."""
    rep = LogReport()
    want: dict[int, list[tuple[str, str]]] = {}     # size → [(who, root)]
    stored = list(session.scalars(select(Checkpoint).order_by(Checkpoint.id)))
    prev_size = 0
    for cp in stored:
        who = f"检查点 #{cp.id}（{cp.size} 条，{_time(cp.signed_at)}）"
        if public is not None:
            if cp.key_id != key_id(public) or not signature_ok(
                    {"origin": cp.origin, "size": cp.size, "root": cp.root,
                     "time": _time(cp.signed_at), "signature": cp.signature}, public):
                rep.problems.append(f"{who}的签名无效：检查点被伪造或改动")
        if cp.size < prev_size:
            rep.problems.append(f"{who}比之前的检查点少：日志被截断后重新签署")
        prev_size = max(prev_size, cp.size)
        want.setdefault(cp.size, []).append((who, cp.root))
        rep.checkpoints += 1
    if stored and public is not None:
        rep.latest = checkpoint_json(stored[-1], public)
    for i, cp in enumerate(saved, 1):
        who = f"保存的检查点 {i}（{cp.get('size')} 条，{cp.get('time')}）"
        if public is None:
            rep.problems.append(f"{who}无法核验：未配置存证公钥")
        elif cp.get("key_id") != key_id(public) or not signature_ok(cp, public):
            rep.problems.append(f"{who}的签名与本系统的存证密钥不符")
            continue
        try:
            size = int(cp["size"])
        except (KeyError, TypeError, ValueError):
            rep.problems.append(f"{who}格式不正确")
            continue
        want.setdefault(size, []).append((who, str(cp.get("root"))))
        rep.saved += 1

    tree, expect, broken = Tree(), 1, False
    stmt = (select(LogEntry.seq, LogEntry.id, LogEntry.kind, LogEntry.key, LogEntry.case_id,
                   LogEntry.body, LogEntry.leaf_hash)
            .where(LogEntry.seq.is_not(None)).order_by(LogEntry.seq))
    for seq, rid, kind, key, case_id, body, lh in _stream(session, stmt):
        if seq != expect and not broken:
            rep.problems.append(f"存证日志第 {expect} 条起缺失（下一条为第 {seq} 条）：条目被删除")
            broken = True
        _check_leaf(rep, rid, kind, key, case_id, body, lh)
        tree.push(bytes.fromhex(lh))
        expect = seq + 1
        for who, root in want.get(tree.size, ()):
            if not broken and root != tree.root():
                rep.problems.append(f"{who}签署的根哈希与日志前 {tree.size} 条不符："
                                    "日志条目被改动、删除或重新计算")
    rep.size = tree.size
    for size, whos in sorted(want.items()):
        if size > tree.size:
            for who, _ in whos:
                rep.problems.append(f"{who}记录了 {size} 条，日志现只有 {tree.size} 条：日志被截断")
    stmt = (select(LogEntry.id, LogEntry.kind, LogEntry.key, LogEntry.case_id, LogEntry.body,
                   LogEntry.leaf_hash).where(LogEntry.seq.is_(None)).order_by(LogEntry.id))
    for rid, kind, key, case_id, body, lh in _stream(session, stmt):
        _check_leaf(rep, rid, kind, key, case_id, body, lh)
        rep.pending += 1
    return rep


def _check_leaf(rep: LogReport, rid, kind, key, case_id, body, lh) -> None:
    if leaf_hash(body) != lh:
        rep.problems.append(f"存证日志条目 #{rid}（{key}）的内容与其哈希不符：条目被改动")
    elif not body.startswith(body_prefix(kind, key, case_id)):
        rep.problems.append(f"存证日志条目 #{rid} 的归属（{kind} {key}，案件 {case_id}）与其内容不符")

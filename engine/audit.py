"""The audit: is the record still what was written?

Each case's events form a hash chain (each event's hash covers its content and the
previous event's hash; the case row holds the head). Every row that is evidence is also
a leaf of the evidence log (engine.evidence), whose Merkle tree is signed at checkpoints
with a key the database does not hold. `verify_all` checks, and names every difference:

1. the log itself: every leaf re-hashed, the tree rebuilt, its root at each stored and
   each saved checkpoint equal to what was signed (truncation, deleted or recomputed
   leaves);
2. every tracked table against the log: each row equals the latest record of its key
   in every meaningful column; a logged record without a row was deleted, a row
   without a record was written around the engine;
3. each case replayed from its logged events through its procedure's state machine
   (engine.machines): the opening step, every transition possible from the state before
   it and landing where the event says, notes leaving the state alone, the chain intact;
   the case row's state, data, lock version and head equal what the last event left;
4. the stored files: every file hashes to its name, every document and attachment has
   its file; serial numbers (文号) of each organisation and year without holes.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from types import SimpleNamespace
from typing import Any, Mapping, Optional, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Case, Event

GENESIS = "0" * 64

# How each kind of record is named in a finding.
LABELS = {"case": "案件", "event": "办理记录", "document": "文书", "deadline": "期限",
          "alert": "提醒", "attachment": "附件"}


def _iso(ts: datetime) -> str:
    if ts.tzinfo is None:          # SQLite returns naive datetimes; they were stored in UTC
        ts = ts.replace(tzinfo=timezone.utc)
    return ts.astimezone(timezone.utc).isoformat(timespec="microseconds")


def event_hash(ev: Event) -> str:
    body = {
        "case_id": ev.case_id, "seq": ev.seq, "trigger": ev.trigger,
        "from": ev.from_state, "to": ev.to_state, "actor_id": ev.actor_id,
        "role": ev.role, "payload": ev.payload, "created_at": _iso(ev.created_at),
        "prev": ev.prev_hash,
    }
    fact = getattr(ev, "fact_date", None)
    if fact is not None:
        body["fact_date"] = fact.isoformat()
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class Report:
    cases: int = 0
    records: int = 0
    files: int = 0
    log: Any = None                        # engine.evidence.LogReport
    problems: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        log = self.log
        return {"cases": self.cases, "records": self.records, "files": self.files,
                "log_size": log.size if log else 0, "log_pending": log.pending if log else 0,
                "checkpoints": log.checkpoints if log else 0,
                "saved_checkpoints": log.saved if log else 0,
                "problems": len(self.problems)}


def _short(v: Any) -> str:
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 80 else s[:77] + "…"


def _name(kind: str, key: str) -> str:
    return f"{LABELS.get(kind, kind)} {key}"


def compare_rows(kind: str, logged: Mapping[str, dict], rows: Mapping[str, dict]) -> list[str]:
    """Findings for one kind: rows against the latest logged record of each key."""
    out = []
    for key in sorted(set(logged) | set(rows), key=lambda k: (len(k), k)):
        rec, row = logged.get(key), rows.get(key)
        if row is None:
            out.append(f"{_name(kind, key)}：存证日志中有此记录，表中已不存在（被删除）")
        elif rec is None:
            out.append(f"{_name(kind, key)}：表中有此记录，存证日志中没有（未经系统写入）")
        else:
            from engine.evidence import differences
            for col in differences(rec, row):
                out.append(f"{_name(kind, key)}：{col} 与存证日志不符"
                           f"（日志 {_short(rec[col])}，表中 {_short(row[col])}）")
    return out


def replay(case_id: int, opened: Optional[dict], events: Sequence[dict],
           row: Optional[dict]) -> list[str]:
    """Findings from replaying one case's logged events (records in seq order) through
    its procedure's state machine, and comparing the case row (`row`: the cases row as a
    mapping, None when missing) with where they lead."""
    from engine import machines, registry
    from engine.errors import NotFound
    from engine.evidence import digest, plain
    who = f"案件 {case_id}"
    if row is None:
        return [f"{who}：存证日志中有 {len(events)} 条办理记录，案件表中已不存在（被删除）"] \
            if events else []
    if opened is None:
        return [f"{who}：存证日志中没有立案记录"]
    try:
        defn = registry.get(opened["procedure"], opened["version"])
    except NotFound:
        return [f"{who}：程序 {opened['procedure']} 第 {opened['version']} 版未载入，无法重放"]
    out: list[str] = []
    state, prev, after = None, GENESIS, None
    for i, ev in enumerate(events, 1):
        step = f"{who} 第 {ev['seq']} 步「{ev['label']}」"
        if ev["seq"] != i:
            out.append(f"{who}：办理记录第 {i} 步缺失（日志中下一步为第 {ev['seq']} 步）")
            break
        if ev["prev_hash"] != prev:
            out.append(f"{step}：与上一步的哈希链接不上")
        if event_hash(_as_event(ev)) != ev["hash"]:
            out.append(f"{step}：内容与其哈希不符")
        if i == 1:
            if ev["trigger"] != "open" or ev["from_state"] is not None or ev["to_state"] != defn.initial:
                out.append(f"{step}：第一步应为立案，进入「{defn.state(defn.initial).label}」")
        elif ev["from_state"] != state:
            out.append(f"{step}：起始状态 {ev['from_state']} 与上一步结束时的 {state} 不符")
        elif defn.transition(ev["trigger"]) is not None:
            try:
                lands = machines.fire(defn, ev["trigger"], state)
            except machines.MachineError:
                out.append(f"{step}：状态机不允许在「{_label(defn, state)}」办理此步")
            else:
                if lands != ev["to_state"]:
                    out.append(f"{step}：状态机应进入「{_label(defn, lands)}」，"
                               f"记录为「{_label(defn, ev['to_state'])}」")
        elif ev["to_state"] != state:
            out.append(f"{step}：不改变状态的记录却改变了状态")
        state, prev = ev["to_state"], ev["hash"]
        after = ev.get("_case") or after
    if events and row["event_seq"] != events[-1]["seq"]:
        out.append(f"{who}：案件记录的步数为 {row['event_seq']}，办理记录为 {events[-1]['seq']} 步")
    if row["event_head"] != (events[-1]["hash"] if events else GENESIS):
        out.append(f"{who}：案件记录的哈希链头与最后一步不符（步骤被删除或改动）")
    if state is not None and row["state"] != state:
        out.append(f"{who}：状态为「{_label(defn, row['state'])}」，按办理记录重放应为「{_label(defn, state)}」")
    if after is not None:
        if after.get("state") != state:
            out.append(f"{who}：存证日志记录的状态与重放结果不符")
        if digest(row["data"]) != after.get("data"):
            out.append(f"{who}：案件数据与最后一步办理后的记录不符（被改动）")
        if row["lock_version"] != after.get("lock_version"):
            out.append(f"{who}：版本号为 {row['lock_version']}，最后一步办理后应为 {after.get('lock_version')}")
        if "fact_date" in after and plain(row.get("fact_date")) != after["fact_date"]:
            out.append(f"{who}：事实发生日期为 {plain(row.get('fact_date'))}，"
                       f"按办理记录应为 {after['fact_date']}")
    return out


def _as_event(rec: dict) -> SimpleNamespace:
    """A logged event record with the types event_hash reads."""
    fact = rec.get("fact_date")
    return SimpleNamespace(**{**rec, "created_at": datetime.fromisoformat(rec["created_at"]),
                              "fact_date": date.fromisoformat(fact) if fact else None})


def _label(defn, state: Optional[str]) -> str:
    try:
        return defn.state(state).label if state else "（无）"
    except (KeyError, StopIteration, ValueError):
        return str(state)


def verify_all(session: Session, public_key=None, saved: Sequence[Mapping] = (),
               batch: int = 500) -> Report:
    """Check everything described in the module docstring. Read only."""
    from engine import evidence, files
    from engine.documents import Document, SerialCounter
    from engine.evidence import LogEntry, plain, record_of

    rep = Report()
    rep.log = evidence.verify_log(session, public_key, saved)
    rep.problems += rep.log.problems
    kinds = evidence.tracked()
    case_kinds = [t for t in kinds if t.case_column]
    hi = max(session.scalar(select(func.max(Case.id))) or 0,
             session.scalar(select(func.max(LogEntry.case_id))) or 0)
    serials: dict[tuple[int, int], set[int]] = defaultdict(set)
    issuers: dict[int, str] = {}
    wanted_files: set[str] = set()
    for lo in range(1, hi + 1, batch):
        top = lo + batch - 1
        logged: dict[str, dict[str, dict]] = defaultdict(dict)   # kind → key → record
        events: dict[int, list[dict]] = defaultdict(list)
        for kind, key, body in session.execute(
                select(LogEntry.kind, LogEntry.key, LogEntry.body)
                .where(LogEntry.case_id.between(lo, top))
                .order_by(LogEntry.case_id, LogEntry.id)):
            rec = json.loads(body)["record"]
            logged[kind][key] = rec                  # later leaves of a key win
            if kind == "event":
                events[rec["case_id"]].append(rec)
        rows: dict[str, dict[str, dict]] = {}
        case_rows: dict[int, dict] = {}
        for t in case_kinds:
            tbl = t.model.__table__
            found = {}
            for r in session.execute(select(tbl).where(tbl.c[t.case_column].between(lo, top))):
                m = r._mapping
                found[t.key(m["id"])] = record_of(t.model, m)
                if t.model is Case:
                    case_rows[m["id"]] = dict(m)
                if t.kind in ("document", "attachment"):
                    wanted_files.add(m["sha256"])
                if t.model is Document:
                    serials[(m["issuer_org_id"], m["serial_year"])].add(m["serial_no"])
            rows[t.kind] = found
            rep.records += len(found)
            rep.problems += compare_rows(t.kind, logged.get(t.kind, {}), found)
        for rec in logged.get("document", {}).values():
            issuers[rec["issuer_org_id"]] = rec["issuer_name"]
        for cid in sorted(set(case_rows) | set(events)):
            evs = sorted(events.get(cid, []), key=lambda e: e["seq"])
            row = case_rows.get(cid)
            if row is not None:
                row = {**row, "data": plain(row["data"])}
            rep.problems += replay(cid, logged.get("case", {}).get(f"case:{cid}"), evs, row)
        rep.cases += len(case_rows)
    for t in kinds:
        if t.case_column is None:
            tbl = t.model.__table__
            logged_g = {}
            for key, body in session.execute(select(LogEntry.key, LogEntry.body)
                                             .where(LogEntry.kind == t.kind)
                                             .order_by(LogEntry.id)):
                logged_g[key] = json.loads(body)["record"]
            found = {t.key(r._mapping["id"]): record_of(t.model, r._mapping)
                     for r in session.execute(select(tbl))}
            rep.records += len(found)
            rep.problems += compare_rows(t.kind, logged_g, found)
    rep.problems += _check_files(session, wanted_files, rep)
    rep.problems += _check_serials(session, serials, issuers, SerialCounter)
    return rep


def _check_files(session: Session, wanted: set[str], rep: Report) -> list[str]:
    from engine.files import StoredFile, sha256_of
    out, have = [], set()
    q = select(StoredFile.sha256, StoredFile.data)
    if session.get_bind().dialect.name == "postgresql":
        q = q.execution_options(yield_per=50)
    for sha, data in session.execute(q):
        have.add(sha)
        rep.files += 1
        if sha256_of(bytes(data)) != sha:
            out.append(f"存储文件 {sha}：内容已被改动（哈希不符）")
    for sha in sorted(wanted - have):
        out.append(f"存储文件 {sha}：文书或附件引用的文件缺失")
    return out


def _check_serials(session: Session, numbers: Mapping[tuple[int, int], set[int]],
                   issuers: Mapping[int, str], SerialCounter) -> list[str]:
    """Every serial number allocated (1..last_no of each organisation and year) must
    belong to a document row: a step that rolls back gives its number back, so a hole
    means a document was removed."""
    out = []
    counters = {(r.org_id, r.year): r.last_no for r in session.scalars(select(SerialCounter))}
    for (org, year) in sorted(set(counters) | set(numbers)):
        nos = numbers.get((org, year), set())
        last = max(counters.get((org, year), 0), max(nos, default=0))
        missing = [n for n in range(1, last + 1) if n not in nos]
        if missing:
            shown = "、".join(str(n) for n in missing[:20]) + ("等" if len(missing) > 20 else "")
            out.append(f"文号缺号：{issuers.get(org, f'单位 {org}')} {year} 年第 {shown} 号"
                       "没有对应的文书（文书被删除）")
    return out

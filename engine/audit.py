"""The audit trail's hash chain: each event's hash covers its content and the previous
event's hash, so editing or deleting any event breaks every hash after it."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Case, Event

GENESIS = "0" * 64


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


def verify_chain(events: Iterable[Event]) -> list[str]:
    """Problems found in one case's events (in seq order); empty when intact."""
    problems, prev, expect_seq = [], GENESIS, 1
    for ev in events:
        if ev.seq != expect_seq:
            problems.append(f"case {ev.case_id}: event seq {ev.seq} where {expect_seq} was expected (deleted event?)")
        if ev.prev_hash != prev:
            problems.append(f"case {ev.case_id}: event {ev.seq} does not chain to the previous event")
        if event_hash(ev) != ev.hash:
            problems.append(f"case {ev.case_id}: event {ev.seq} was altered (hash mismatch)")
        prev, expect_seq = ev.hash, ev.seq + 1
    return problems


def verify_all(session: Session) -> tuple[int, list[str]]:
    """Check every case's chain. Returns (cases checked, problems)."""
    problems: list[str] = []
    count = 0
    for case_id, seq, head in session.execute(
            select(Case.id, Case.event_seq, Case.event_head).order_by(Case.id)):
        count += 1
        evs = list(session.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.seq)))
        problems += verify_chain(evs)
        last = evs[-1] if evs else None
        if (last.seq if last else 0) != seq or (last.hash if last else GENESIS) != head:
            problems.append(f"case {case_id}: the trail ends before its recorded head (event {seq}); events were removed")
    return count, problems

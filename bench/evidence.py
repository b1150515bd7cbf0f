"""The evidence log at scale: `flask audit verify` over 100,000 cases and the cost of a
checkpoint (SQLite and, when a server is configured, PostgreSQL).

Data, bulk-inserted with Core into a throwaway database as the engine would have written
it: 100,000 cases of a two-state procedure, each opened and advanced once (2 events),
with their leaves in the log (the case's facts and both events): 300,000 leaves. Then:

- the first checkpoint, which numbers all 300,000 leaves and builds the tree;
- a checkpoint after 1,000 more steps (what every deadline scan pays);
- `verify_all` with a saved checkpoint: the log re-hashed and its tree rebuilt, every
  case replayed through its state machine, every row compared with its leaf.
"""
from __future__ import annotations

import os
import tempfile
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from sqlalchemy import insert, text

from engine import evidence, registry
from engine.audit import GENESIS, event_hash, verify_all
from engine.db import make_engine, make_sessionmaker, upgrade
from engine.models import Case, Estate, Event, Organisation

N_CASES = int(os.environ.get("BENCH_EVIDENCE_CASES", 100_000))
MORE = 1_000
CHUNK = 5_000


def _pingpong():
    from bench.engine import PINGPONG
    try:
        registry.get(PINGPONG.name, PINGPONG.version)
    except Exception:
        registry.register(PINGPONG)
    return PINGPONG


def _event(case_id, seq, trigger, label, frm, to, prev, at):
    row = dict(case_id=case_id, seq=seq, trigger=trigger, label=label, from_state=frm,
               to_state=to, actor_id=None, actor_name="基准", organisation_id=None,
               organisation_name="街道", role="street_office", payload={}, created_at=at,
               prev_hash=prev)
    row["hash"] = event_hash(SimpleNamespace(**row))
    return row


def _populate(url: str) -> None:
    defn = _pingpong()
    upgrade(url)
    eng = make_engine(url)
    at = datetime(2026, 3, 2, 2, tzinfo=timezone.utc)
    with eng.begin() as c:
        bureau = c.execute(insert(Organisation).values(name="局", kind="housing_bureau")).inserted_primary_key[0]
        street = c.execute(insert(Organisation).values(name="街道", kind="street_office")).inserted_primary_key[0]
        estate = c.execute(insert(Estate).values(name="小区", province="河南省", address="",
                                                 bureau_id=bureau, street_office_id=street)).inserted_primary_key[0]
    empty = evidence.digest({})
    eid = 0
    for lo in range(1, N_CASES + 1, CHUNK):
        cases, events, leaves = [], [], []
        for cid in range(lo, min(lo + CHUNK, N_CASES + 1)):
            e1 = _event(cid, 1, "open", "立案", None, "a", GENESIS, at)
            e2 = _event(cid, 2, "flip", "翻", "a", "b", e1["hash"], at + timedelta(hours=1))
            case = dict(id=cid, procedure=defn.name, version=defn.version, estate_id=estate,
                        state="b", data={}, enterprise_id=None, parent_case_id=None,
                        opened_by_id=None, created_at=at, updated_at=e2["created_at"],
                        lock_version=3, event_seq=2, event_head=e2["hash"])
            cases.append(case)
            for ev, lock in ((e1, 2), (e2, 3)):
                eid += 1
                ev["id"] = eid
                events.append(ev)
                leaves += evidence.entries_for(Event, [ev], extra={"_case": {
                    "state": ev["to_state"], "data": empty, "lock_version": lock}})
            leaves += evidence.entries_for(Case, [case])
        with eng.begin() as c:
            c.execute(insert(Case), cases)
            c.execute(insert(Event), events)
            c.execute(insert(evidence.LogEntry), leaves)
    if eng.dialect.name == "postgresql":         # ids were given: move the sequences on
        with eng.begin() as c:
            for table in ("cases", "events"):
                c.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT max(id) FROM {table}))"))
    eng.dispose()


def _more_steps(session, key) -> None:
    """1,000 more steps through the engine (flop back), leaves appended by advance."""
    from engine.access import Actor
    from engine.runtime import advance
    actor = Actor(None, "bench", "基准", "street_office", 2, "街道")
    for cid in range(1, MORE + 1):
        advance(session, cid, "flop", actor, {})


def _bench(label: str, url: str) -> list:
    t0 = time.perf_counter()
    _populate(url)
    seeded = time.perf_counter() - t0
    eng = make_engine(url)
    S = make_sessionmaker(eng)
    key = evidence.load_private_key(evidence.generate_key_pem())
    rows = []
    with S() as s:
        t0 = time.perf_counter()
        first = evidence.checkpoint(s, key)
        rows.append((f"{label}: first checkpoint", time.perf_counter() - t0, "s",
                     f"numbers and signs {first['size']:,} leaves ({N_CASES:,} cases seeded in {seeded:.0f} s)"))
    with S() as s:
        _more_steps(s, key)
    with S() as s:
        t0 = time.perf_counter()
        later = evidence.checkpoint(s, key)
        rows.append((f"{label}: checkpoint after {MORE:,} steps", time.perf_counter() - t0, "s",
                     f"{later['size'] - first['size']:,} new leaves onto {first['size']:,}; every scan pays this"))
    with S() as s:
        t0 = time.perf_counter()
        rep = verify_all(s, key.public_key(), [first, later])
        dt = time.perf_counter() - t0
        assert not rep.problems, rep.problems[:5]
        rows.append((f"{label}: audit verify, {rep.cases:,} cases", dt, "s",
                     f"{rep.log.size:,} leaves re-hashed, {rep.records:,} rows compared, every case replayed"))
    eng.dispose()
    return rows


def run():
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += _bench("SQLite", f"sqlite:///{tmp}/evidence.db")
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if pg:
        from bench.pgutil import fresh_database
        with fresh_database(pg, "bench_evidence") as url:
            rows += _bench("PostgreSQL", url)
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)

"""Persisted transitions per second through engine.advance, beside a raw SQLAlchemy Core
loop doing the same writes (update the case, insert the event), and RSS growth over
100k advances in one process."""
from __future__ import annotations

import os
import tempfile
import time
from datetime import datetime, timezone

import psutil
from sqlalchemy import bindparam, insert, update

from engine import registry
from engine.access import Actor
from engine.db import make_engine, make_sessionmaker, upgrade
from engine.definition import Opening, Procedure, State, Transition
from engine.models import Case, Estate, Event, Organisation
from engine.runtime import advance

# A two-state ping-pong: the engine does exactly one case update and one event insert
# per step, the same writes as the raw loop.
PINGPONG = Procedure(
    name="bench_pingpong", version=1, title="基准测试", basis="—",
    states=(State("a", "甲"), State("b", "乙")), initial="a",
    opening=Opening(roles=("street_office",), label="立案"),
    transitions=(Transition("flip", "翻", ("a",), "b", ("street_office",)),
                 Transition("flop", "回", ("b",), "a", ("street_office",))),
)


def _setup(url: str, n_cases: int):
    upgrade(url)
    eng = make_engine(url)
    with eng.begin() as c:
        bureau = c.execute(insert(Organisation).values(name="局", kind="housing_bureau")).inserted_primary_key[0]
        street = c.execute(insert(Organisation).values(name="街道", kind="street_office")).inserted_primary_key[0]
        estate = c.execute(insert(Estate).values(name="小区", province="河南省", address="",
                                                 bureau_id=bureau, street_office_id=street)).inserted_primary_key[0]
        now = datetime.now(timezone.utc)
        c.execute(insert(Case), [dict(procedure="bench_pingpong", version=1, estate_id=estate, state="a",
                                      data={}, created_at=now, updated_at=now, lock_version=1)
                                 for _ in range(n_cases)])
    actor = Actor(None, "bench", "基准", "street_office", street, "街道")
    return eng, actor


def _engine_rate(eng, actor, n: int, offset: int = 0) -> float:
    Session = make_sessionmaker(eng)
    ids = list(range(1 + offset, 1 + offset + n))
    t0 = time.perf_counter()
    for cid in ids:
        with Session() as s:
            advance(s, cid, "flip", actor, {})
    return n / (time.perf_counter() - t0)


_ROW = dict(trigger="flip", label="翻", from_state="a", to_state="b", actor_id=None,
            actor_name="基准", organisation_id=None, organisation_name="", role="street_office",
            payload={}, prev_hash="0" * 64, hash="0" * 64)


def _raw_rate(eng, n: int, offset: int, *, prepared: bool = True) -> float:
    """The same writes as one engine step, one transaction each. `prepared`: statements
    built once and parameters bound per row (the floor); otherwise each statement is
    built with its values, the way hand-written Core loops usually look."""
    ids = list(range(1 + offset, 1 + offset + n))
    now = datetime.now(timezone.utc)
    upd = (update(Case).where(Case.id == bindparam("cid"), Case.lock_version == bindparam("v"))
           .values(state=bindparam("state"), lock_version=bindparam("v2"), updated_at=bindparam("ts"),
                   event_seq=bindparam("seq"), event_head=bindparam("head")))
    ins = insert(Event)
    t0 = time.perf_counter()
    for cid in ids:
        with eng.begin() as c:
            if prepared:
                c.execute(upd, {"cid": cid, "v": 1, "state": "b", "v2": 2, "ts": now, "seq": 1,
                                "head": "0" * 64})
                c.execute(ins, {"case_id": cid, "seq": 1, "created_at": now, **_ROW})
            else:
                c.execute(update(Case).where(Case.id == cid, Case.lock_version == 1)
                          .values(state="b", lock_version=2, updated_at=now, event_seq=1,
                                  event_head="0" * 64))
                c.execute(insert(Event).values(case_id=cid, seq=1, created_at=now, **_ROW))
    return n / (time.perf_counter() - t0)


def _flip_all(eng, actor, n: int) -> tuple[float, float, float]:
    """Advance n cases, returning (rate, rss growth MB, rss growth MB in the second half)."""
    Session = make_sessionmaker(eng)
    proc = psutil.Process()
    rss0 = proc.memory_info().rss
    rss_half = rss0
    t0 = time.perf_counter()
    for i, cid in enumerate(range(1, n + 1)):
        with Session() as s:
            advance(s, cid, "flip", actor, {})
        if i == n // 2:
            rss_half = proc.memory_info().rss
    dt = time.perf_counter() - t0
    rss1 = proc.memory_info().rss
    return n / dt, (rss1 - rss0) / 2**20, (rss1 - rss_half) / 2**20


def _compare(eng, actor, n: int, rounds: int = 6):
    """Interleave the raw loops and the engine in rounds so that load from other
    processes hits all alike; medians of the rates and of the per-round ratios."""
    from statistics import median
    chunk = n // (3 * rounds)
    _engine_rate(eng, actor, 100, offset=0)                 # warm-up (imports, caches)
    prep, built, fast = [], [], []
    offset = 100
    for _ in range(rounds):
        prep.append(_raw_rate(eng, chunk, offset, prepared=True))
        built.append(_raw_rate(eng, chunk, offset + chunk, prepared=False))
        fast.append(_engine_rate(eng, actor, chunk, offset=offset + 2 * chunk))
        offset += 3 * chunk
    return (median(fast), median(prep), median(built),
            median(f / r for f, r in zip(fast, prep)), median(f / r for f, r in zip(fast, built)))


def _rows(label, fast, prep, built, r_prep, r_built):
    return [
        (f"{label}: engine.advance", fast, "transitions/s", "one commit per step, fresh session each"),
        (f"{label}: raw Core loop, statements built per step", built, "transitions/s",
         "UPDATE case + INSERT event, one commit each"),
        (f"{label}: raw Core loop, prepared statements", prep, "transitions/s", "the same, statements built once"),
        (f"{label}: advance / raw (built per step)", r_built, "ratio", "target ≥ 0.5"),
        (f"{label}: advance / raw (prepared)", r_prep, "ratio", "advance does one read and four statements (the fourth: the evidence leaf) to the raw loop's two"),
    ]


def run():
    registry.register(PINGPONG)
    rows = []
    n = int(os.environ.get("BENCH_ENGINE_N", "9000"))
    big = int(os.environ.get("BENCH_ENGINE_RSS_N", "100000"))
    with tempfile.TemporaryDirectory() as tmp:
        eng, actor = _setup(f"sqlite:///{tmp}/bench.db", n + 200)
        rows += _rows("SQLite", *_compare(eng, actor, n))
        eng.dispose()
    with tempfile.TemporaryDirectory() as tmp:
        eng, actor = _setup(f"sqlite:///{tmp}/rss.db", big)
        rate, growth, late_growth = _flip_all(eng, actor, big)
        rows += [
            (f"SQLite: {big:,} advances in one process", rate, "transitions/s", ""),
            ("RSS growth over them", growth, "MB", "target < 50 MB"),
            ("RSS growth in the second half", late_growth, "MB", "≈ 0 means no growth per case"),
        ]
        eng.dispose()
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if pg:
        from bench.pgutil import fresh_database
        with fresh_database(pg, "bench_engine") as url:
            eng, actor = _setup(url, n // 2 + 200)
            rows += _rows("PostgreSQL", *_compare(eng, actor, n // 2))
            eng.dispose()
    return rows

"""The supervision work at scale: worklist, ledger and dashboard latency with 100,000
complaints and 100,000 rectification-ledger entries (SQLite and, when a server is
configured, PostgreSQL).

Data, bulk-inserted with Core (INSERT … SELECT over a number series): 1,000 estates under
10 street offices and 100 communities, 50 enterprises; complaints spread over the
categories, handled at the community or the street office, each with its completion
deadline (1 in 50 overdue); ledger entries with their time limit (1 in 40 overdue), a
third of them closed. Each figure is the p95 of 20 calls; target p95 < 50 ms.
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import date, datetime, time as dtime

from sqlalchemy import insert, text

from engine.db import make_engine, make_sessionmaker, upgrade
from engine.legaltime import TZ

N = int(os.environ.get("BENCH_SUPERVISION_CASES", 100_000))
TODAY = date(2026, 11, 23)
NOW = datetime.combine(TODAY, dtime(9), TZ)
CATEGORIES = ("fees", "fire_lane", "flying_wire", "illegal_building", "decoration", "dogs_smoke", "elevator",
              "water_supply", "security", "service_quality", "neighbours", "other")


def _populate(url: str):
    from engine.models import Estate, Organisation
    upgrade(url)
    eng = make_engine(url)
    with eng.begin() as c:
        bureau = c.execute(insert(Organisation).values(name="区住建局", kind="housing_bureau")).inserted_primary_key[0]
        streets = [c.execute(insert(Organisation).values(name=f"街道{i}", kind="street_office", parent_id=bureau))
                   .inserted_primary_key[0] for i in range(10)]
        comms = [c.execute(insert(Organisation).values(name=f"社区{i}", kind="community", parent_id=streets[i % 10]))
                 .inserted_primary_key[0] for i in range(100)]
        ents = [c.execute(insert(Organisation).values(name=f"物业{i}", kind="enterprise")).inserted_primary_key[0]
                for i in range(50)]
        c.execute(insert(Estate), [dict(name=f"小区{i}", province="河南省", address="", bureau_id=bureau,
                                        street_office_id=streets[(i % 100) % 10], community_id=comms[i % 100],
                                        enterprise_id=ents[i % 50]) for i in range(1000)])
    pg = eng.dialect.name == "postgresql"
    if pg:
        series = "SELECT generate_series(0, :last) AS n"
        day = "(CAST(:today AS date) + ({k}))"
        ts, f, jcast = "CAST(:created AS timestamptz)", "false", "CAST({} AS jsonb)"
    else:
        series = "WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < :last) SELECT n FROM s"
        day = "date(:today, ({k}) || ' days')"
        ts, f, jcast = ":created", "0", "{}"
    cat = "CASE n % 12 " + " ".join(f"WHEN {i} THEN '{c}'" for i, c in enumerate(CATEGORIES)) + " END"
    level = "CASE WHEN n % 3 = 0 THEN 'street_office' ELSE 'community' END"
    cdata = jcast.format(f"""'{{"category": "' || ({cat}) || '", "level": "' || ({level}) || '"}}'""")
    rdata = jcast.format("""'{"problem": "消防通道占用", "responsible_person": "经理"}'""")
    created = "2026-10-01 00:00:00.000000" if not pg else "2026-10-01T00:00:00Z"
    overdue_c = f"CASE WHEN n % 50 = 7 THEN -(1 + n % 5) ELSE 1 + n % 20 END"
    overdue_r = f"CASE WHEN n % 40 = 3 THEN -(1 + n % 9) ELSE 1 + n % 30 END"
    with eng.begin() as c:
        # Complaints: ids 1..N; ledger entries: N+1..2N (a third closed).
        c.execute(text(
            "INSERT INTO cases (id, procedure, version, estate_id, state, data, enterprise_id, created_at, "
            "updated_at, lock_version, event_seq, event_head) "
            f"SELECT n + 1, 'complaint', 1, n % 1000 + 1, CASE WHEN n % 4 = 0 THEN 'closed' ELSE 'handling' END, "
            f"{cdata}, NULL, {ts}, {ts}, 1, 0, :head FROM ({series}) AS g"),
            {"last": N - 1, "created": created, "head": "0" * 64})
        c.execute(text(
            "INSERT INTO cases (id, procedure, version, estate_id, state, data, enterprise_id, created_at, "
            "updated_at, lock_version, event_seq, event_head) "
            f"SELECT :n + n + 1, 'rectification', 1, n % 1000 + 1, CASE WHEN n % 3 = 0 THEN 'cleared' ELSE 'ordered' END, "
            f"{rdata}, :ent0 + n % 50, {ts}, {ts}, 1, 0, :head FROM ({series}) AS g"),
            {"last": N - 1, "n": N, "ent0": ents[0], "created": created, "head": "0" * 64})
        for first, key, party, k, states in ((0, "complete_street", "street_office", overdue_c, "n % 4 <> 0"),
                                             (N, "rectify", "enterprise", overdue_r, "n % 3 <> 0")):
            due = day.format(k=k)
            c.execute(text(
                "INSERT INTO deadlines (id, case_id, key, label, party, direction, anchor_date, amount, unit, "
                "due_date, ends_at, provisional, status, rulepack, citation, basis, late, created_at) "
                f"SELECT :first + n + 1, :first + n + 1, :key, '期限', :party, 'after', {due}, 10, 'workday', {due}, "
                f"{ts}, {f}, CASE WHEN {states} THEN 'open' ELSE 'met' END, 'henan', '待核实', '', {f}, {ts} "
                f"FROM ({series}) AS g"),
                {"last": N - 1, "first": first, "key": key, "party": party, "today": TODAY.isoformat(),
                 "created": created})
    with eng.connect() as c:
        c.execute(text("ANALYZE"))
        c.commit()
    return eng, streets, comms, ents


def _p95(fn, runs: int = 20) -> float:
    fn()                                   # warm the caches and the statement cache
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.quantiles(times, n=20)[-1]


def _bench(url: str, backend: str) -> list[tuple]:
    from engine import queries
    from engine.access import Actor
    from engine.alerts import windows as alert_windows
    import workflows  # noqa: F401
    t0 = time.perf_counter()
    eng, streets, comms, ents = _populate(url)
    rows = [(f"{backend}: load {N:,} complaints + {N:,} ledger entries", round(time.perf_counter() - t0, 1), "s",
             "INSERT … SELECT over a series (Core)")]
    Session = make_sessionmaker(eng)
    street = Actor(None, "street", "街道", "street_office", streets[0])
    community = Actor(None, "community", "社区", "community", comms[0])
    bureau = Actor(None, "bureau", "区住建局", "housing_bureau", 1)
    wins = alert_windows(None)
    with Session() as s:
        figures = [
            ("worklist, a street office", lambda: queries.worklist(s, street, now=NOW)),
            ("worklist, a community", lambda: queries.worklist(s, community, now=NOW)),
            ("dashboard counts, the bureau", lambda: (queries.counts(s, bureau, wins, today=TODAY),
                                                      queries.counts_by(s, bureau, wins, "street_office", today=TODAY))),
            ("complaint ledger by category, the bureau",
             lambda: queries.ledger_counts(s, bureau, "complaint", "category", today=TODAY)),
            ("rectification ledger by enterprise, the bureau",
             lambda: queries.ledger_counts(s, bureau, "rectification", "enterprise", today=TODAY)),
            ("ledger entries, first 50 overdue, a street office",
             lambda: queries.ledger_entries(s, street, "rectification", which="overdue", today=TODAY, limit=50)),
        ]
        for name, fn in figures:
            rows.append((f"{backend}: {name}", round(_p95(fn), 1), "ms p95", "target < 50 ms; 20 calls"))
    eng.dispose()
    return rows


def run() -> list[tuple]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += _bench(f"sqlite:///{tmp}/bench_supervision.db", "sqlite")
    server = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if server and server.startswith("postgresql"):
        from bench.pgutil import fresh_database
        with fresh_database(server, "bench_supervision") as url:
            rows += _bench(url, "postgresql")
    return rows


if __name__ == "__main__":
    for r in run():
        print(*r, sep="\t")

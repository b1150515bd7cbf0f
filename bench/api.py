"""The JSON API's reads under load, over loopback HTTP only (127.0.0.1).

* p50/p95 latency of `GET /api/v1/cases/<id>` (one client, sequential, random cases)
  with 100k cases (each with its deadline) in the database;
* p50/p95 of a page of the case list with its total.

The app is served the way bench/hotpath.py serves it (gunicorn, 2 sync workers); action
POSTs per second are measured there, beside their bare peer.
SQLite always (a file in a temp dir); PostgreSQL too when BENCH_DATABASE_URL or
TEST_DATABASE_URL names a server (a throwaway database `bench_api`).
Sizes: BENCH_API_CASES (100000), BENCH_API_GETS (1000).
"""
from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from http.client import HTTPConnection

from sqlalchemy import insert, select

from engine.db import make_engine, make_sessionmaker, upgrade
from engine.legaltime import TZ, period_end
from engine.models import Case, Deadline

N_CASES = int(os.environ.get("BENCH_API_CASES", "100000"))
N_GETS = int(os.environ.get("BENCH_API_GETS", "1000"))


# -- data ----------------------------------------------------------------------------

def _seed(url: str, n: int, *, state: str = "registered", enterprise_only: bool = False) -> dict:
    """The demo district's organisations, accounts and estates, then n contract filings
    in `state` spread over the estates (only those the demo's enterprise manages when
    `enterprise_only`), each with its running filing period (bulk Core inserts with
    explicit ids: the benchmark's database is fresh)."""
    from functools import lru_cache

    from sqlalchemy import func, text

    from web.demo import build_district
    eng = make_engine(url)
    s = make_sessionmaker(eng)()
    district = build_district(s)
    ent_org = district.orgs["enterprise"].id
    estates = [(e.id, e.name, e.enterprise_id) for e in district.estates.values()
               if not enterprise_only or e.enterprise_id == ent_org]
    s.close()
    today = datetime.now(TZ).date()
    now = datetime.now(timezone.utc)
    due_for = lru_cache(maxsize=None)(lambda d: period_end(d, 15, "day"))
    with eng.connect() as c:
        first = (c.scalar(select(func.max(Case.id))) or 0) + 1
    chunk = 10000
    for start in range(0, n, chunk):
        cases, rows = [], []
        for i in range(start, min(n, start + chunk)):
            cid = first + i
            estate_id, estate_name, enterprise_id = estates[i % len(estates)]
            signed = today - timedelta(days=i % 30)
            cases.append(dict(
                id=cid, procedure="contract_filing", version=1, estate_id=estate_id,
                state=state, enterprise_id=enterprise_id, created_at=now, updated_at=now,
                lock_version=1, event_seq=0, event_head="0" * 64,
                data={"contract_kind": "assembly", "contract_no": f"BENCH-{i:06d}",
                      "client": f"{estate_name}业主委员会", "signed_on": signed.isoformat(),
                      "term_start": signed.isoformat(),
                      "term_end": (signed + timedelta(days=1095)).isoformat(),
                      "fee": "1.80", "area": "1000.00"}))
            due = due_for(signed)
            rows.append(dict(case_id=cid, key="filing", label="物业服务合同备案期限",
                             party="enterprise", direction="after", anchor_date=signed,
                             amount=15, unit="day", due_date=due.date, ends_at=due.ends_at,
                             provisional=due.provisional, status="open", rulepack="henan",
                             citation="《河南省物业管理条例》第四十九条第三款", basis=due.basis,
                             created_at=now, late=False))
        with eng.begin() as c:
            c.execute(insert(Case), cases)
            c.execute(insert(Deadline), rows)
    with eng.begin() as c:
        if eng.dialect.name == "postgresql":
            c.execute(text("SELECT setval(pg_get_serial_sequence('cases', 'id'), :v)"),
                      {"v": first + n - 1})
        c.execute(text("ANALYZE"))        # statistics, as a database in service would have
    eng.dispose()
    ids = list(range(first, first + n))
    ent_estates = {e[0] for e in estates if e[2] == ent_org}
    mine = [cid for i, cid in enumerate(ids) if estates[i % len(estates)][0] in ent_estates]
    return {"all": ids, "enterprise": mine}


def _token(url: str, username: str) -> str:
    from engine import apitokens
    from engine.models import User
    eng = make_engine(url)
    with make_sessionmaker(eng)() as s:
        secret, _ = apitokens.issue(s, s.scalar(select(User).where(User.username == username)))
    eng.dispose()
    return secret


def request(port: int, method: str, path: str, body=None, token: str | None = None):
    conn = HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    payload = resp.read()
    conn.close()
    return resp.status, payload


# -- measurements ------------------------------------------------------------------------

def _latency(port: int, token: str, ids: list[int], n: int) -> tuple[float, float, int]:
    rnd = random.Random(42)
    for cid in rnd.sample(ids, 20):                       # warm-up
        request(port, "GET", f"/api/v1/cases/{cid}", token=token)
    times, bad = [], 0
    for cid in (rnd.choice(ids) for _ in range(n)):
        t0 = time.perf_counter()
        status, _ = request(port, "GET", f"/api/v1/cases/{cid}", token=token)
        times.append(time.perf_counter() - t0)
        bad += status != 200
    times.sort()
    return statistics.median(times) * 1000, times[int(0.95 * (len(times) - 1))] * 1000, bad


def _list_latency(port: int, token: str, n: int) -> tuple[float, float]:
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        status, _ = request(port, "GET", f"/api/v1/cases?per_page=20&page={1 + i % 50}",
                            token=token)
        times.append(time.perf_counter() - t0)
    times.sort()
    return statistics.median(times) * 1000, times[int(0.95 * (len(times) - 1))] * 1000


def _bench(label: str, url: str, instance: str) -> list[tuple]:
    upgrade(url)
    t0 = time.perf_counter()
    ids = _seed(url, N_CASES)
    seeded = time.perf_counter() - t0
    bureau = _token(url, "bureau")
    from bench.hotpath import Gunicorn
    server = Gunicorn("bench.hotpath:action_app()", url, instance, "/api/v1/openapi.json",
                      "sync", 1)
    try:
        p50, p95, bad = _latency(server.port, bureau, ids["all"], N_GETS)
        l50, l95 = _list_latency(server.port, bureau, 100)
    finally:
        server.stop()
    load = os.getloadavg()[0]
    note = (f"{N_CASES:,} cases (seeded in {seeded:.0f} s); {N_GETS} sequential GETs over "
            f"loopback; load average {load:.1f} on {os.cpu_count()} CPUs")
    if bad:
        note += f"; {bad} non-200"
    return [
        (f"{label}: GET /api/v1/cases/<id> p50", p50, "ms", note),
        (f"{label}: GET /api/v1/cases/<id> p95", p95, "ms", "same run"),
        (f"{label}: GET /api/v1/cases (a page of 20, with total) p95", l95, "ms",
         f"p50 {l50:.1f} ms; 100 requests, pages 1-50 of {N_CASES:,}"),
    ]


def run():
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += _bench("SQLite", f"sqlite:///{tmp}/api.db", tmp)
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if pg:
        from bench.pgutil import fresh_database
        with tempfile.TemporaryDirectory() as tmp, fresh_database(pg, "bench_api") as url:
            rows += _bench("PostgreSQL", url, tmp)
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)

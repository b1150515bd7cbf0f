"""The owners' decision platform under a city's load: 2,000 owners of a 5,000-unit estate
casting their ballots (9 matters each) through the real pages while the street office
watches the live turnout page, and closing a 5,000-unit × 9-matter vote.

* ballots: `POST /vote/ballot` (session of an owner signed in with its voting code, CSRF
  token, 9 matters) through the whole application under gunicorn with 2 worker processes
  (gthread, 4 threads each on PostgreSQL; sync on SQLite), driven by BENCH_OWNERS_CLIENTS
  client threads in a separate process, each owner once; ballots per second and p50/p95;
* turnout: `GET /votes/<id>/turnout` (register and every ballot read and counted) polled
  by one more client during the load; its p50/p95;
* closing: the `close_vote` step through `engine.runtime.advance` (every ballot and the
  register read, arts. 8-9 and art. 278 for each matter, the stamped result PDF issued)
  on a vote where all 5,000 units voted on 9 matters (45,000 ballots); the count alone
  (`workflows.owners_vote.count`) is shown beside it.

Targets (the issue's): ≥ 200 ballots/s and p95 < 100 ms on PostgreSQL, closing ≤ 1 s.
SQLite in a temp dir always; PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL names
a server (throwaway database `bench_owners`). The machine's other load shows in the notes.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from http.client import HTTPConnection
from statistics import median
from urllib.parse import urlencode

UNITS = int(os.environ.get("BENCH_OWNERS_UNITS", "5000"))
VOTERS = int(os.environ.get("BENCH_OWNERS_VOTERS", "2000"))
CLIENTS = int(os.environ.get("BENCH_OWNERS_CLIENTS", "16"))
MATTERS = "1、2、3、4、5、6、7、8、9"
PASSWORD = "bench-password"
_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(n: int) -> str:
    body = f"4115021990{n:07d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _W)) % 11]


def code_for(n: int) -> str:
    return f"BENCH{n:06d}X"


def _seed(url: str, *, full: bool) -> dict:
    """A district, an estate of UNITS units, an open vote on 9 matters with codes; with
    `full`, every unit's ballot on every matter already stored (for the closing)."""
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from engine import ballots, evidence
    from engine.db import make_engine, make_sessionmaker, upgrade
    from engine.models import Estate, User
    from engine.owners_register import RegisterUnit, import_rows
    from engine.runtime import advance, open_case
    from web.demo import build_district
    import workflows  # noqa: F401

    upgrade(url)
    eng = make_engine(url)
    s = make_sessionmaker(eng)()
    d = build_district(s)
    for u in d.users.values():
        u.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    o = d.orgs
    estate = Estate(name="基准小区", province="河南省", bureau_id=o["bureau"].id, street_office_id=o["street"].id,
                    community_id=o["community"].id, developer_id=o["developer"].id)
    s.add(estate)
    s.commit()
    street = d.actor("street")
    rows = [["楼栋", "单元", "房号", "专有部分面积", "面积来源", "业主姓名", "证件号码", "交付状态"]]
    for n in range(UNITS):
        place = (str(1 + n // 100), str(1 + (n // 10) % 10), str(101 + n % 10))
        rows.append([*place, str(Decimal("80.25") + n % 7 * 10), "登记簿", f"业主{n}", resident_id(n), "已交付"])
    from engine.legaltime import TZ
    today = datetime.now(TZ).date()

    def at(d: date):
        return datetime.combine(d, datetime.min.time().replace(hour=10), TZ).astimezone(timezone.utc)

    res = import_rows(s, estate.id, rows, street, now=at(today - timedelta(days=40)))
    assert res.ok, res.errors[:3]
    case = open_case(s, "owners_vote", estate.id, street, {
        "organiser": "first_assembly", "title": "基准表决", "matters": MATTERS,
        "starts_on": (today - timedelta(days=3)).isoformat(),
        "ends_on": (today + timedelta(days=14)).isoformat() if not full else (today - timedelta(days=1)).isoformat(),
        "documents": "草案"}, now=at(today - timedelta(days=31)))
    advance(s, case.id, "announce", street, {"posted_at": "公告栏"}, now=at(today - timedelta(days=30)))
    advance(s, case.id, "open_ballot", street, {}, now=at(today - timedelta(days=3)))
    units = list(s.execute(select(RegisterUnit.id).where(RegisterUnit.estate_id == estate.id)
                           .order_by(RegisterUnit.id)).scalars())
    now = datetime.now(timezone.utc)
    s.execute(insert(ballots.VotingCode), [
        {"case_id": case.id, "unit_id": uid, "code_hash": ballots._code_hash(code_for(n)), "issued_at": now}
        for n, uid in enumerate(units[:VOTERS])])
    if full:
        rows_b = [{"case_id": case.id, "unit_id": uid, "matter": m, "choice": ("yes", "no", "abstain")[(n + m) % 3],
                   "channel": "online", "valid": True, "cast_at": now, "receipt": f"R{n:07d}", "entered_by": "",
                   "scan_sha256": None} for n, uid in enumerate(units) for m in range(1, 10)]
        for i in range(0, len(rows_b), 5000):
            s.execute(insert(ballots.Ballot), rows_b[i:i + 5000])
    s.commit()
    out = {"case": case.id, "estate": estate.id, "units": units}
    s.close()
    eng.dispose()
    return out


def app():
    """gunicorn's entry (`bench.owners:app()`)."""
    from web import create_app
    return create_app({"DATABASE_URL": os.environ["BENCH_DATABASE"], "SECRET_KEY": "bench-secret-not-for-use",
                       "PUBLIC_URL": "http://127.0.0.1:5000", "INSTANCE_PATH": os.environ["BENCH_INSTANCE"]})


# -- the client process ---------------------------------------------------------------------------

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    def __init__(self, port: int):
        self.conn = HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items() if v)

    def go(self, method: str, path: str, form: dict | None = None):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read().decode("utf-8", "replace")
                break
            except (ConnectionError, OSError):
                # The server closed an idle keep-alive connection: a phone reconnects.
                self.conn.close()
                if attempt == 2:
                    raise
        for got in r.msg.get_all("Set-Cookie") or ():
            name, _, value = got.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return r.status, data


def client_main(port: int, case_id: int, first: int, count: int, threads: int, watch: str) -> None:
    """Sign every owner in (not timed), then cast each owner's ballot once from `threads`
    threads while one more polls the turnout page; print the latencies as JSON."""
    import threading
    owners = []
    for n in range(first, first + count):
        b = Browser(port)
        _, page = b.go("GET", "/vote/")
        token = _CSRF.search(page).group(1)
        status, _ = b.go("POST", "/vote/", {"csrf_token": token, "code": code_for(n), "id_tail": resident_id(n)[-4:]})
        assert status == 302, status
        b.conn.close()            # each owner comes back on a connection of its own
        owners.append((b, token, n))
    lat, turnout_lat, errors, statuses = [], [], [0], {}
    lock = threading.Lock()
    done = threading.Event()

    def worker(chunk):
        for b, token, n in chunk:
            form = {"csrf_token": token, **{f"m{m}": ("yes", "no", "abstain")[(n + m) % 3] for m in range(1, 10)}}
            t0 = time.perf_counter()
            try:
                status, _ = b.go("POST", "/vote/ballot", form)
            except OSError as exc:
                status = type(exc).__name__
            dt = time.perf_counter() - t0
            with lock:
                lat.append(dt)
                if status != 302:
                    errors[0] += 1
                    statuses[status] = statuses.get(status, 0) + 1

    # The street office signs in before the load starts (its sign-in is not measured).
    staff = Browser(port)
    _, page = staff.go("GET", "/login")
    staff.go("POST", "/login", {"csrf_token": _CSRF.search(page).group(1), "username": "street",
                                "password": PASSWORD})

    def watcher():
        b = staff
        while not done.is_set():
            t0 = time.perf_counter()
            status, _ = b.go("GET", watch)
            turnout_lat.append(time.perf_counter() - t0)
            assert status == 200, status

    chunks = [owners[i::threads] for i in range(threads)]
    ts = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    w = threading.Thread(target=watcher)
    t0 = time.perf_counter()
    w.start()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.perf_counter() - t0
    done.set()
    w.join()
    print(json.dumps({"n": len(lat), "elapsed": elapsed, "lat": lat, "turnout": turnout_lat, "errors": errors[0], "statuses": statuses}))


def _pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000 if xs else 0.0


def _load(label: str, url: str, tmp: str) -> list[tuple]:
    from bench.hotpath import Gunicorn
    seeded = _seed(url, full=False)
    kind, threads = ("gthread", 4) if label == "PostgreSQL" else ("sync", 1)
    srv = Gunicorn("bench.owners:app()", url, tmp, "/vote/", kind, threads)
    try:
        load0 = os.getloadavg()[0]
        out = subprocess.run([sys.executable, "-c",
                              f"from bench.owners import client_main; client_main({srv.port}, {seeded['case']}, 0, "
                              f"{VOTERS}, {CLIENTS}, '/votes/{seeded['case']}/turnout')"],
                             capture_output=True, text=True, check=True, cwd=os.path.dirname(os.path.dirname(__file__)))
        load1 = os.getloadavg()[0]
    finally:
        srv.stop()
    r = json.loads(out.stdout.strip().splitlines()[-1])
    note = (f"{r['n']} owners × 9 matters, gunicorn 2 × {kind}" + (f" × {threads}" if threads > 1 else "")
            + f", {CLIENTS} client threads; load {load0:.1f} → {load1:.1f} on {os.cpu_count()} CPUs"
            + (f"; {r['errors']} failed {r['statuses']}" if r["errors"] else ""))
    return [
        (f"{label}: ballots (POST /vote/ballot)", r["n"] / r["elapsed"], "ballots/s", note + "; target ≥ 200"),
        (f"{label}: ballot p50", _pct(r["lat"], 50), "ms", ""),
        (f"{label}: ballot p95", _pct(r["lat"], 95), "ms", "target < 100"),
        (f"{label}: turnout page during the load p50", _pct(r["turnout"], 50), "ms",
         f"{len(r['turnout'])} requests, {UNITS} units"),
        (f"{label}: turnout page p95", _pct(r["turnout"], 95), "ms", ""),
    ]


def _closing(label: str, url: str, tmp: str) -> list[tuple]:
    from engine import ballots as ballot_store, owners_register
    from engine.runtime import advance
    from web import create_app
    from web.db import get_session
    from workflows.owners_vote import count
    seeded = _seed(url, full=True)
    application = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench-secret-not-for-use",
                              "INSTANCE_PATH": tmp})
    with application.app_context():
        s = get_session()
        from engine.models import Case, User
        from engine.access import Actor
        from sqlalchemy import select
        case = s.get(Case, seeded["case"])
        t0 = time.perf_counter()
        c = count(case.data["matters"], owners_register.plain_units(s, seeded["estate"]),
                  ballot_store.plain_ballots(s, seeded["case"]))
        counted = time.perf_counter() - t0
        s.rollback()
        street = Actor.of(s.scalar(select(User).where(User.username == "street")))
        t0 = time.perf_counter()
        closed = advance(s, seeded["case"], "close_vote", street, {})
        whole = time.perf_counter() - t0
        assert closed.data["turnout"]["voted_owners"] == UNITS
    n = len(c.counted_ids)
    return [(f"{label}: count {UNITS} units × 9 matters", counted, "s", f"{n:,} ballots read and counted"),
            (f"{label}: close_vote step (count, result, stamped PDF)", whole, "s", "target ≤ 1 s")]


def _in_process(label: str, url: str, tmp: str, n: int = 300) -> list[tuple]:
    """The same ballot POST through Flask's test client: the application's own cost per
    ballot, without HTTP, gunicorn or a client competing for the CPU."""
    seeded = _seed(url, full=False)
    os.environ["BENCH_DATABASE"], os.environ["BENCH_INSTANCE"] = url, tmp
    application = app()
    owners = []
    for i in range(min(n, VOTERS)):
        c = application.test_client()
        token = _CSRF.search(c.get("/vote/").get_data(as_text=True)).group(1)
        c.post("/vote/", data={"csrf_token": token, "code": code_for(i), "id_tail": resident_id(i)[-4:]})
        owners.append((c, token, i))
    lat = []
    for c, token, i in owners:
        t0 = time.perf_counter()
        r = c.post("/vote/ballot", data={"csrf_token": token, **{f"m{m}": "yes" for m in range(1, 10)}})
        lat.append(time.perf_counter() - t0)
        assert r.status_code == 302, r.status_code
    del seeded
    return [(f"{label}: ballot in-process (test client, one at a time)", median(lat) * 1000, "ms",
             f"median of {len(lat)}; p95 {_pct(lat, 95):.1f} ms; load {os.getloadavg()[0]:.1f}")]


def run() -> list[tuple]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += _in_process("SQLite", f"sqlite:///{tmp}/inproc.db", tmp)
    with tempfile.TemporaryDirectory() as tmp:
        rows += _closing("SQLite", f"sqlite:///{tmp}/close.db", tmp)
        rows += _load("SQLite", f"sqlite:///{tmp}/load.db", tmp)
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if pg:
        from bench.pgutil import fresh_database
        with tempfile.TemporaryDirectory() as tmp, fresh_database(pg, "bench_owners") as url:
            rows += _in_process("PostgreSQL", url, tmp)
        with tempfile.TemporaryDirectory() as tmp, fresh_database(pg, "bench_owners") as url:
            rows += _closing("PostgreSQL", url, tmp)
        with tempfile.TemporaryDirectory() as tmp, fresh_database(pg, "bench_owners") as url:
            rows += _load("PostgreSQL", url, tmp)
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)

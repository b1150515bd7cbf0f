"""The hot path against its peer: action POSTs per second through the real API beside a
bare Flask endpoint issuing the same SQL, both served the same way in the same run.

* the action: `POST /api/v1/cases/<id>/actions/resubmit` (contract_filing, correction →
  submitted: no deadline moves, no document) with a bearer token and the case's
  lock_version, through the whole application (token check, body checks, marshmallow,
  idempotency handling, engine.advance, the case's JSON with deadlines and actions);
* the peer (bench/bare.py): the token read, the case-with-estate read, the event INSERT and
  the optimistic UPDATE, one commit, a small JSON answer.

Each app runs under gunicorn with 2 worker processes, driven by `wrk` (one thread) in its
own process; every request goes to a case of its own, so none conflicts. How they are
served follows the database: on SQLite, where writers take turns for the whole database,
sync workers (one request at a time each) and 4 connections; on PostgreSQL, where a commit
waits for its WAL flush and row locks let writers run side by side, gthread workers with
4 threads each and 16 connections, so that commits overlap. BENCH_HOTPATH_WORKER_CLASS,
BENCH_HOTPATH_THREADS and BENCH_HOTPATH_CONNECTIONS override both. Rounds alternate the
two apps (BENCH_HOTPATH_ROUNDS × BENCH_HOTPATH_SECONDS) so that load from other processes
on the machine hits both alike; the table shows medians, and the ratio is the median of
the rounds' ratios. SQLite in a temp dir always; PostgreSQL too when BENCH_DATABASE_URL or
TEST_DATABASE_URL names a server (a throwaway database `bench_hotpath`).
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
# (worker class, threads per worker, wrk connections) per database; see the docstring.
SERVING = {"SQLite": ("sync", 1, 4), "PostgreSQL": ("gthread", 4, 16)}


def _serving(label: str) -> tuple[str, int, int]:
    kind, threads, conns = SERVING[label]
    env = os.environ.get
    return (env("BENCH_HOTPATH_WORKER_CLASS", kind), int(env("BENCH_HOTPATH_THREADS", threads)),
            int(env("BENCH_HOTPATH_CONNECTIONS", conns)))
ROUNDS = int(os.environ.get("BENCH_HOTPATH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_HOTPATH_SECONDS", "4"))
# Cases seeded per second of load: more than either app can take, so no run runs out.
CEILING = int(os.environ.get("BENCH_HOTPATH_CEILING", "2500"))


def action_app():
    """gunicorn's entry for the real application (`bench.hotpath:action_app()`)."""
    from web import create_app
    instance = os.environ["BENCH_INSTANCE"]
    return create_app({"DATABASE_URL": os.environ["BENCH_DATABASE"],
                       "SECRET_KEY": "bench-secret-not-for-use", "PUBLIC_URL": "http://127.0.0.1:5000",
                       "INSTANCE_PATH": instance})


class Gunicorn:
    """One gunicorn master with its workers on a loopback socket this process binds."""

    def __init__(self, app: str, url: str, instance: str, health: str, kind: str, threads: int):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        fd = self.sock.fileno()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"fd://{fd}", "--workers", str(WORKERS),
             "--worker-class", kind, "--threads", str(threads), "--log-level", "warning",
             "--chdir", str(ROOT), app],
            pass_fds=(fd,), env={**os.environ, "BENCH_DATABASE": url, "BENCH_INSTANCE": instance})
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.base + health, timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"gunicorn did not start {app}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()         # the master stops its own workers
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.sock.close()


_SCRIPT = """
local next_id, last = {first}, {last}
local headers = {{["Authorization"] = "Bearer {token}", ["Content-Type"] = "application/json"}}
local body = '{{"lock_version": 1, "note": "基准测试"}}'
function request()
  local id = next_id
  if id > last then wrk.thread:stop(); id = last end
  next_id = id + 1
  return wrk.format("POST", "{prefix}/cases/" .. id .. "/actions/resubmit", headers, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Run:
    rate: float           # answered 2xx per second
    p50: float            # ms
    p95: float            # ms
    failed: int           # non-2xx answers and socket errors


def _wrk(base: str, prefix: str, token: str, ids: range, seconds: int, conns: int,
         tmp: str) -> Run:
    script = Path(tmp) / "post.lua"
    script.write_text(_SCRIPT.format(first=ids.start, last=ids.stop - 1, token=token,
                                     prefix=prefix))
    out = subprocess.run(["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "-s", str(script),
                          base], capture_output=True, text=True, check=True).stdout
    m = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", out, re.M)
    if m is None:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    n, us, p50, p95, bad, sock = map(int, m.groups())
    return Run((n - bad - sock) / (us / 1e6), p50 / 1000, p95 / 1000, bad + sock)


def _bench(label: str, url: str, tmp: str) -> list[tuple]:
    from bench.api import _seed, _token
    from engine.db import upgrade
    upgrade(url)
    per_run = CEILING * SECONDS
    first = _seed(url, 2 * (CEILING + ROUNDS * per_run), state="correction",
                  enterprise_only=True)["all"][0]
    token = _token(url, "enterprise")
    taken = 0

    def next_ids(n: int) -> range:          # cases no request has touched yet
        nonlocal taken
        taken += n
        return range(first + taken - n, first + taken)

    kind, threads, conns = _serving(label)
    servers = {}
    try:
        servers["action"] = Gunicorn("bench.hotpath:action_app()", url, tmp,
                                     "/api/v1/openapi.json", kind, threads)
        servers["bare"] = Gunicorn("bench.bare:create()", url, tmp, "/health", kind, threads)
        prefix = {"action": "/api/v1", "bare": ""}
        runs: dict[str, list[Run]] = {"action": [], "bare": []}
        load0 = os.getloadavg()[0]
        for name in ("action", "bare"):                   # warm-up: imports, caches, pools
            _wrk(servers[name].base, prefix[name], token, next_ids(CEILING), 1, conns, tmp)
        for r in range(ROUNDS):
            for name in (("action", "bare") if r % 2 == 0 else ("bare", "action")):
                runs[name].append(_wrk(servers[name].base, prefix[name], token,
                                       next_ids(per_run), SECONDS, conns, tmp))
        load1 = os.getloadavg()[0]
    finally:
        for srv in servers.values():
            srv.stop()
    ratio = median(a.rate / b.rate for a, b in zip(runs["action"], runs["bare"]))
    setup = (f"gunicorn {WORKERS} × {kind}" + (f" × {threads} threads" if threads > 1 else "")
             + f", wrk {conns} connections; {ROUNDS} rounds × {SECONDS} s, medians; "
             f"load average {load0:.1f} → {load1:.1f} on {os.cpu_count()} CPUs")
    rows = []
    for name, what in (("action", "action POST (API + engine.advance)"),
                       ("bare", "bare Flask endpoint, same SQL")):
        rs = runs[name]
        failed = sum(x.failed for x in rs)
        note = setup if name == "action" else "same run, same server set-up"
        rows += [
            (f"{label}: {what}", median(x.rate for x in rs), "POSTs/s",
             note + (f"; {failed} failed" if failed else "")),
            (f"{label}: {what} p50", median(x.p50 for x in rs), "ms", "latency under that load"),
            (f"{label}: {what} p95", median(x.p95 for x in rs), "ms", ""),
        ]
    target = "target ≥ 0.5" + ("; and ≥ 250 POSTs/s on PostgreSQL" if label == "PostgreSQL" else "")
    rows.append((f"{label}: action / bare", ratio, "ratio", target))
    return rows


def run() -> list[tuple]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: scripts/bootstrap.sh bench installs it")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += _bench("SQLite", f"sqlite:///{tmp}/hotpath.db", tmp)
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if pg:
        from bench.pgutil import fresh_database
        with tempfile.TemporaryDirectory() as tmp, fresh_database(pg, "bench_hotpath") as url:
            rows += _bench("PostgreSQL", url, tmp)
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)

"""Pages: server time of the 工作台, the case list (filtered) and a case page over the demo
district plus a few hundred extra contract filings, through Flask's test client (no
network), SQLite in a temp dir. p50 of repeated requests after one warm-up."""
from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone


def _p50(fn, n: int = 15) -> float:
    fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def run(extra_cases: int = 300) -> list[tuple]:
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from engine.access import Actor
    from engine.db import upgrade
    from engine.legaltime import TZ
    from engine.models import Estate, User
    from engine.runtime import open_case
    from web import create_app
    from web.db import get_session
    from web.demo import load_demo

    root = tempfile.mkdtemp(prefix="bench_web_")
    url = f"sqlite:///{root}/bench.db"
    upgrade(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "INSTANCE_PATH": root})
    today = datetime.now(TZ).date()
    with app.app_context():
        s = get_session()
        load_demo(s)
        for u in s.scalars(select(User)):
            u.password_hash = generate_password_hash("demo12345", method="pbkdf2:sha256:1")
        s.commit()
        ent = Actor.of(s.scalar(select(User).where(User.username == "enterprise")))
        estates = s.scalars(select(Estate).where(Estate.enterprise_id == ent.org_id)).all()
        for i in range(extra_cases):
            signed = today - timedelta(days=i % 40)
            e = estates[i % len(estates)]
            open_case(s, "contract_filing", e.id, ent, {
                "contract_kind": "assembly" if i % 2 else "pre_phase", "contract_no": f"B-{i:04d}",
                "client": "业主委员会", "signed_on": signed.isoformat(),
                "term_start": signed.isoformat(), "term_end": (signed + timedelta(days=900)).isoformat(),
                "fee": "1.50", "area": "1000.00"},
                now=datetime.combine(signed, datetime.min.time(), TZ).astimezone(timezone.utc))
        from engine.models import Case
        case_id = s.scalar(select(Case.id).order_by(Case.id.desc()).limit(1))
    rows = []
    for who in ("bureau", "street", "enterprise"):
        client = app.test_client()
        client.post("/login", data={"username": who, "password": "demo12345"})
        home = _p50(lambda: client.get("/"))
        rows.append((f"工作台 page, {who}", home, "ms", f"p50; demo + {extra_cases} filings"))
    client = app.test_client()
    client.post("/login", data={"username": "bureau", "password": "demo12345"})
    rows.append(("case list, page 1 of all", _p50(lambda: client.get("/cases")), "ms", "p50; 20 per page"))
    rows.append(("case list, overdue filter + search", _p50(lambda: client.get("/cases?overdue=1&q=B-00")),
                 "ms", "p50"))
    rows.append(("case page", _p50(lambda: client.get(f"/cases/{case_id}")), "ms",
                 "p50; deadlines, actions, timeline, diagram from cache"))
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)

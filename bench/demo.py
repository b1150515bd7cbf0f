"""The demo district's load time (`flask demo`): with the documents rendered and signed
as the steps issue them, and without the documents (the engine's share)."""
from __future__ import annotations

import tempfile
import time


def _load(with_documents: bool):
    from sqlalchemy import func, select

    from engine.db import upgrade
    from engine.documents import Document
    from engine.models import Case, Event
    from web import create_app
    from web.db import get_session
    from web.demo import load_demo, password_hash

    password_hash()              # the one deliberately slow hash, shared by the accounts

    root = tempfile.mkdtemp(prefix="bench_demo_")
    url = f"sqlite:///{root}/demo.db"
    upgrade(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench",
                      "UPLOAD_FOLDER": f"{root}/uploads", "INSTANCE_PATH": root})
    if not with_documents:
        app.extensions["session_info"]["issuers"][:] = []
    try:
        with app.app_context():
            s = get_session()
            w0, c0 = time.perf_counter(), time.process_time()
            load_demo(s)
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            n = (s.scalar(select(func.count(Case.id))), s.scalar(select(func.count(Event.id))),
                 s.scalar(select(func.count(Document.id))))
    finally:
        pass
    return wall, cpu, n


def run():
    rows = []
    for docs in (True, False):
        wall, cpu, (cases, events, documents) = _load(docs)
        what = "with documents" if docs else "without documents"
        note = (f"SQLite; {cases} cases, {events} events, {documents} documents"
                + (" rendered and signed" if docs else "") + "; password hash excluded")
        rows.append((f"load_demo {what}: wall", wall, "s", note))
        rows.append((f"load_demo {what}: CPU", cpu, "s", "process time"))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)

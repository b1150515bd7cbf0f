"""Fixtures: every database-backed test runs on SQLite and, when TEST_DATABASE_URL is
set, on PostgreSQL too (the `db_engine` fixture is parametrised by backend).

The schema is built by the Alembic migrations once per backend per run, so the
migrations are exercised by every run; rows are wiped between tests.
"""
from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from engine.db import load_models, make_engine, make_sessionmaker, upgrade
from tests.helpers import PASSWORD, at  # noqa: F401  (at: older tests import it from here)

PG_URL = os.environ.get("TEST_DATABASE_URL")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set"),
    ]),
]


def _worker_pg_url(url: str, worker: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database."""
    if worker in ("", "master"):
        return url
    from sqlalchemy.engine import make_url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        if not c.scalar(text("SELECT 1 FROM pg_database WHERE datname=:n"), {"n": name}):
            c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request, tmp_path_factory) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = _worker_pg_url(PG_URL, worker)
        # Start from an empty schema so the migrations run from the first revision.
        eng = make_engine(url)
        with eng.begin() as c:
            c.execute(text("DROP SCHEMA public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
        eng.dispose()
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def db_engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def wipe(eng) -> None:
    tables = [t for t in reversed(load_models().sorted_tables)]
    with eng.begin() as c:
        if eng.dialect.name == "postgresql":
            c.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables)
                           + " RESTART IDENTITY CASCADE"))
        else:
            for t in tables:
                c.execute(t.delete())


@pytest.fixture
def session(request, db_engine):
    """A session on an empty database. With the `app` fixture in the test, the app has
    just wiped it, and the session carries the app's document issuers like the app's own."""
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        s = make_sessionmaker(db_engine, info=app.extensions["session_info"])()
    else:
        wipe(db_engine)
        s = make_sessionmaker(db_engine)()
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def district(session):
    """The demo district's organisations, accounts and estates (no cases). The accounts
    get a cheap password hash: signing in dozens of times must not cost seconds each."""
    from werkzeug.security import generate_password_hash
    from web.demo import build_district
    d = build_district(session)
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    for u in d.users.values():
        u.password_hash = cheap
    session.commit()
    return d


@pytest.fixture
def issued(monkeypatch, session):
    """The documents each step asks the forms layer to issue, as (trigger, kind), in
    order: rendering the PDFs is tests/test_forms.py's business."""
    log: list[tuple[str, str]] = []
    monkeypatch.setitem(session.info, "issuers",
                        [lambda session, case, ev, kind, actor, now: log.append((ev.trigger, kind))])
    return log


@pytest.fixture
def upload_dir(tmp_path):
    from engine import files
    files.configure(tmp_path / "uploads")
    return tmp_path / "uploads"


@pytest.fixture
def app(db_engine, db_url, tmp_path, upload_dir):
    from web import create_app
    wipe(db_engine)
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_FOLDER": str(upload_dir),
        "INSTANCE_PATH": str(tmp_path),
    })
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()

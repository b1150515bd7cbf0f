"""Database set-up: engines for SQLite (WAL) and PostgreSQL, sessions, Alembic upgrade."""
from __future__ import annotations

import importlib
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

# Every module that declares tables; Alembic's env and `create_all`-free tests import them.
MODEL_MODULES = [
    "engine.models",
    "engine.calendar_store",
    "engine.documents",
    "engine.alerts",
    "engine.apitokens",
    "engine.evidence",
    "engine.files",
    "engine.signin",
    "engine.register_models",
    "engine.register_duties",
    "engine.external_refs",
    "engine.owners_register",
    "engine.ballots",
    "engine.assignment",
    "engine.notices",
]

MIGRATIONS = Path(__file__).with_name("migrations")


def load_models():
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    from engine.models import Base
    return Base.metadata


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    # A page cache of up to 64 MB (allocated as used; the default is 2 MB): the dashboards'
    # counts walk every visible deadline, and with a register of 100,000s of cases a small
    # cache re-reads the same pages from disk (measured: 2.9 s → 0.7 s at 200,000 deadlines).
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def make_engine(url: str, **kw) -> Engine:
    if url.startswith("sqlite"):
        eng = create_engine(url, connect_args={"timeout": 10}, **kw)
        event.listen(eng, "connect", _sqlite_pragmas)
        # pysqlite only emits BEGIN before the first write, so a read-then-write
        # transaction would not see one snapshot. Emit BEGIN ourselves (SQLAlchemy's
        # documented recipe); a writer that lost the race gets "database is locked",
        # which the runtime reports as a conflict.
        @event.listens_for(eng, "connect")
        def _no_autobegin(dbapi_conn, _record):
            dbapi_conn.isolation_level = None

        @event.listens_for(eng, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN " + conn.get_execution_options().get("sqlite_begin", ""))
        return eng
    return create_engine(url, pool_pre_ping=True, **kw)


def make_sessionmaker(eng: Engine, info: dict | None = None) -> sessionmaker[Session]:
    return sessionmaker(bind=eng, expire_on_commit=False, info=info or {})


def alembic_config(url: str):
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the schema to `revision` (Alembic)."""
    from alembic import command
    command.upgrade(alembic_config(url), revision)

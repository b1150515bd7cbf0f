"""One SQLAlchemy session per request (or CLI command), closed at teardown."""
from __future__ import annotations

from flask import Flask, current_app, g

from engine.db import make_engine, make_sessionmaker


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = make_sessionmaker(engine)
    app.teardown_appcontext(_close)


def get_session():
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    return g.db_session


def _close(_exc=None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()

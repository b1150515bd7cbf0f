"""One SQLAlchemy session per request (or CLI command), closed at teardown."""
from __future__ import annotations

from flask import Flask, current_app, g

from engine.db import make_engine, make_sessionmaker


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    # What the engine's write path needs from the application travels with each session
    # (Session.info, copied per session; the lists inside are the app's own): the
    # document issuers (engine.runtime.issuers) and the public address printed on forms.
    info = {"issuers": [], "public_url": app.config["PUBLIC_URL"].rstrip("/")}
    app.extensions["session_info"] = info
    app.extensions["db_sessionmaker"] = make_sessionmaker(engine, info=info)
    from engine.alerts import windows
    app.extensions["alert_windows"] = windows(app.config.get("ALERT_THRESHOLDS"))
    app.teardown_appcontext(_close)


def alert_windows():
    """The procedures' declared alert windows with this deployment's overrides
    (config ALERT_THRESHOLDS), resolved once when the app starts."""
    return current_app.extensions["alert_windows"]


def get_session():
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    return g.db_session


def _close(_exc=None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()

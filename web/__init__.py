"""Who clicks: the Flask application over the engine (pages, JSON API, CLI).

`create_app(test_config)` is the application factory; each feature is a blueprint and
each extension is initialised by an `init_app` function.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    instance = Path((test_config or {}).get("INSTANCE_PATH") or app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY", "dev-only-change-me"),
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'wuye.db'}",
        UPLOAD_FOLDER=str(instance / "uploads"),
        PUBLIC_URL=os.environ.get("WUYE_PUBLIC_URL", "http://127.0.0.1:5000"),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=8 * 3600,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("WUYE")
    else:
        app.config.from_mapping(test_config)

    import workflows  # noqa: F401  (registers and validates every procedure)
    from engine import files
    from web import auth, cases, cli, db, i18n

    files.configure(app.config["UPLOAD_FOLDER"])
    db.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    cases.init_app(app)
    from web import documents  # printed forms: issuer, download, /verify
    documents.init_app(app)
    from web import admin, home, materials  # 工作台, materials checklists, administration
    home.init_app(app)
    materials.init_app(app)
    admin.init_app(app)
    from web import dashboard, inbox  # alerts: inbox and supervisor dashboard
    inbox.init_app(app)
    dashboard.init_app(app)
    cli.init_app(app)
    from web import api  # JSON API /api/v1: bearer tokens, exempt from CSRF
    api.init_app(app)
    from web import cli_calendar
    cli_calendar.init_sync(app)     # holiday arrangements imported by any process
    return app

"""Who clicks: the Flask application over the engine (pages, JSON API, CLI).

`create_app(test_config)` is the application factory; each feature is a blueprint and
each extension is initialised by an `init_app` function.

Outside development (`flask run --debug`) and tests the app refuses to start without a
real `SECRET_KEY` (sessions and the sign-in device cookies are signed with it) and
without `PUBLIC_URL`, the address printed in every document's QR code (a document never
changes, so a wrong address would be printed for good). `make run` writes both, once,
into `instance/config.py` (web/localconfig.py).
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

# Values that are not secrets: examples from documentation and earlier defaults.
KNOWN_SECRETS = {"dev-only-change-me", "dev", "secret", "change-me", "changeme", "test"}
MIN_SECRET_LENGTH = 16
LOCAL_URL = "http://127.0.0.1:5000"


class UnsafeConfiguration(RuntimeError):
    pass


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    instance = Path((test_config or {}).get("INSTANCE_PATH") or app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'wuye.db'}",
        PUBLIC_URL=os.environ.get("WUYE_PUBLIC_URL"),
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
    refuse_unsafe_configuration(app)
    # Developing or testing: the local address stands in for the public one.
    app.config["PUBLIC_URL"] = app.config.get("PUBLIC_URL") or LOCAL_URL

    import workflows  # noqa: F401  (registers and validates every procedure)
    from web import auth, cases, cli, db, i18n

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind N reverse proxies the client address (sign-in throttling) is theirs
        # to tell: X-Forwarded-For, as set by the last N hops.
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    db.init_app(app)
    i18n.init_app(app)
    from web import fieldattrs   # form fields tell the browser the schema's limits
    fieldattrs.init_app(app)
    auth.init_app(app)
    cases.init_app(app)
    from web import documents  # printed forms: issuer, download, /verify
    documents.init_app(app)
    from web import admin, home, materials  # 工作台, materials checklists, administration
    home.init_app(app)
    materials.init_app(app)
    admin.init_app(app)
    from web import credit, dashboard, inbox, ledger  # alerts, dashboard, ledgers, credit
    inbox.init_app(app)
    dashboard.init_app(app)
    from web import register  # 台账: estates, committees, contracts, enterprises, import
    register.init_app(app)
    ledger.init_app(app)
    credit.init_app(app)
    cli.init_app(app)
    from web import api  # JSON API /api/v1: bearer tokens, exempt from CSRF
    api.init_app(app)
    from web import owners  # owners' register, votes, owners' ballot pages
    owners.init_app(app)
    from web import cli_calendar
    cli_calendar.init_sync(app)     # holiday arrangements imported by any process
    return app


def refuse_unsafe_configuration(app: Flask) -> None:
    """Raise UnsafeConfiguration naming what to set, unless developing or testing."""
    if app.testing or app.debug:
        return
    problems = []
    secret = app.config.get("SECRET_KEY") or ""
    if not isinstance(secret, (str, bytes)) or len(secret) < MIN_SECRET_LENGTH \
            or secret in KNOWN_SECRETS:
        problems.append(
            "SECRET_KEY 未设置或为示例值：请设置至少 16 个字符的随机值（环境变量 SECRET_KEY "
            "或 instance/config.py），例如 python -c 'import secrets; print(secrets.token_hex(32))'")
    if not app.config.get("PUBLIC_URL"):
        problems.append(
            "PUBLIC_URL 未设置：文书二维码打印的核验地址，例如 https://wuye.example.gov.cn"
            "（环境变量 WUYE_PUBLIC_URL 或 instance/config.py 中的 PUBLIC_URL）")
    if problems:
        raise UnsafeConfiguration("拒绝启动（本地试用请运行 make run，会自动生成这些设置）：\n  "
                                  + "\n  ".join(problems))

"""`flask --app web …` commands: init-db, demo, audit verify, deadlines scan."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from web.db import get_session


@click.command("init-db")
def init_db():
    """Create or migrate the schema (Alembic)."""
    from engine.db import upgrade
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("数据库已迁移到最新版本")


@click.command("demo")
def demo():
    """Load the demo district (idempotent)."""
    from web.demo import ACCOUNTS, DEMO_PASSWORD, load_demo
    loaded = load_demo(get_session())
    click.echo("演示数据已载入" if loaded else "演示数据已存在，未重复载入")
    click.echo(f"演示账号（密码均为 {DEMO_PASSWORD}，仅供演示）：")
    for username, name, role, _ in ACCOUNTS:
        click.echo(f"  {username:<12} {name}")


audit = AppGroup("audit", help="Audit trail.")


@audit.command("verify")
def audit_verify():
    """Check every case's hash chain; exit 1 on tampering."""
    from engine.audit import verify_all
    count, problems = verify_all(get_session())
    for p in problems:
        click.echo(p, err=True)
    click.echo(json.dumps({"cases": count, "problems": len(problems)}))
    sys.exit(1 if problems else 0)


deadlines = AppGroup("deadlines", help="Legal deadlines.")


def parse_now(value: str | None) -> datetime:
    if not value:
        return datetime.now(timezone.utc)
    ts = datetime.fromisoformat(value)
    if ts.tzinfo is None:
        from engine.legaltime import TZ
        ts = ts.replace(tzinfo=TZ)
    return ts


@deadlines.command("scan")
@click.option("--now", "now_text", help="ISO date-time to scan as of (default: now)")
def deadlines_scan(now_text):
    """Due-soon, overdue and escalation alerts (each once), then send the queued
    e-mails; print a JSON summary. Safe to run from several hosts at once."""
    from engine.mailer import config_from
    from engine.scan import scan
    cfg = current_app.config
    summary = scan(get_session(), parse_now(now_text), thresholds=cfg.get("ALERT_THRESHOLDS"),
                   smtp=config_from(cfg))
    click.echo(json.dumps(summary, ensure_ascii=False))


def init_app(app: Flask) -> None:
    for cmd in (init_db, demo, audit, deadlines):
        app.cli.add_command(cmd)
    from web import cli_calendar
    for cmd in cli_calendar.COMMANDS:
        app.cli.add_command(cmd)

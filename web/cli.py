"""`flask --app web …` commands: init-db, demo, backup, audit (verify, checkpoint,
keygen), deadlines scan.

The evidence log's signing key (Ed25519) is never in the database: `EVIDENCE_KEY_FILE`
names a PEM file (`flask audit keygen FILE` writes one), or `EVIDENCE_KEY` holds the PEM
text or the 32 raw bytes in base64 (as settings, or `WUYE_EVIDENCE_KEY_FILE` /
`WUYE_EVIDENCE_KEY` in the environment). A host that only verifies may be given
`EVIDENCE_PUBLIC_KEY` (base64) instead."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

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
    from web.demo_owners import ESTATE, OWNER_ACCOUNTS
    click.echo(f"业主投票演示（{ESTATE}，手机打开 /vote）：房屋、投票码、证件号码后四位")
    for place, code, tail in OWNER_ACCOUNTS:
        click.echo(f"  {place:<10} {code}  {tail}")


audit = AppGroup("audit", help="Evidence log: verify, checkpoint, keygen.")


def signing_key(required: bool = True):
    """The configured private key, or None (with `required`, exit 2 saying what to set)."""
    from engine.evidence import LogError, load_private_key
    cfg = current_app.config
    material = cfg.get("EVIDENCE_KEY")
    path = cfg.get("EVIDENCE_KEY_FILE")
    try:
        if not material and path:
            with open(path, "rb") as fh:
                material = fh.read()
        if material:
            return load_private_key(material)
    except (OSError, LogError) as exc:
        click.echo(f"存证签名密钥无法读取：{exc}", err=True)
        sys.exit(2)
    if required:
        click.echo("未配置存证签名密钥：请用 flask audit keygen FILE 生成密钥文件，"
                   "并设置 EVIDENCE_KEY_FILE（或 WUYE_EVIDENCE_KEY_FILE）指向它", err=True)
        sys.exit(2)
    return None


def public_key():
    from engine.evidence import load_public_key
    key = signing_key(required=False)
    if key is not None:
        return key.public_key()
    b64 = current_app.config.get("EVIDENCE_PUBLIC_KEY")
    return load_public_key(b64) if b64 else None


@audit.command("verify")
@click.option("--checkpoint", "checkpoint_files", multiple=True,
              type=click.Path(dir_okay=False, exists=True),
              help="a checkpoint printed earlier (by `audit checkpoint`) and kept elsewhere")
def audit_verify(checkpoint_files):
    """Prove the log consistent with every signed checkpoint, replay every case, compare
    every evidence row and stored file with the log; exit 1 naming each difference."""
    from engine.audit import verify_all
    saved = []
    for path in checkpoint_files:
        try:
            with open(path, encoding="utf-8") as fh:
                saved.append(json.load(fh))
        except (OSError, ValueError) as exc:
            click.echo(f"检查点文件 {path} 无法读取：{exc}", err=True)
            sys.exit(2)
    key = public_key()
    if key is None:
        click.echo("提示：未配置存证密钥，检查点的签名无法核验", err=True)
    rep = verify_all(get_session(), key, saved)
    for p in rep.problems:
        click.echo(p, err=True)
    click.echo(json.dumps(rep.summary(), ensure_ascii=False))
    sys.exit(1 if rep.problems else 0)


@audit.command("checkpoint")
def audit_checkpoint():
    """Sequence the new leaves and print a signed checkpoint (keep copies elsewhere)."""
    from engine.evidence import LogError, checkpoint
    try:
        cp = checkpoint(get_session(), signing_key())
    except LogError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(json.dumps(cp, ensure_ascii=False))


@audit.command("keygen")
@click.argument("file", type=click.Path(dir_okay=False))
def audit_keygen(file):
    """Write a new Ed25519 signing key (PEM, readable by its owner only) to FILE."""
    import os
    from engine.evidence import generate_key_pem, load_private_key, public_b64
    if os.path.exists(file):
        click.echo(f"{file} 已存在，未覆盖", err=True)
        sys.exit(2)
    pem = generate_key_pem()
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    click.echo(json.dumps({"key_file": file,
                           "public_key": public_b64(load_private_key(pem).public_key())}))


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def backup(file):
    """Copy the SQLite database, files included, to FILE while the app runs (SQLite's
    online backup). For PostgreSQL use pg_dump (README, "Backup and restore")."""
    import os
    import sqlite3
    from sqlalchemy.engine import make_url
    url = make_url(current_app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite":
        click.echo("数据库不是 SQLite：请用 pg_dump -Fc 备份（见 README「Backup and restore」）", err=True)
        sys.exit(2)
    if os.path.exists(file):
        click.echo(f"{file} 已存在，未覆盖", err=True)
        sys.exit(2)
    src = sqlite3.connect(url.database)
    dst = sqlite3.connect(file)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()
    click.echo(json.dumps({"backup": file, "bytes": os.path.getsize(file)}))


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
    """Due-soon, overdue and escalation alerts (each once), the cases the procedures
    open by themselves (quarterly assessments, credit records proposed from missed
    deadlines), then send the queued e-mails; print a JSON summary. Safe to run from
    several hosts at once."""
    from engine import signin
    from engine.evidence import LogError
    from engine.mailer import config_from
    from engine.scan import scan
    cfg = current_app.config
    s = get_session()
    now = parse_now(now_text)
    summary = scan(s, now, thresholds=cfg.get("ALERT_THRESHOLDS"), smtp=config_from(cfg), open_cases=True)
    signin.purge(s, now)
    # Every scan signs a checkpoint: the log's merge delay is the interval between scans.
    key = signing_key(required=False)
    if key is None:
        click.echo("未配置存证签名密钥（EVIDENCE_KEY_FILE），本次未写入存证检查点", err=True)
        summary["checkpoint"] = None
    else:
        from engine.evidence import checkpoint
        try:
            summary["checkpoint"] = checkpoint(s, key)
        except LogError as exc:
            click.echo(str(exc), err=True)
            summary["checkpoint"] = None
    click.echo(json.dumps(summary, ensure_ascii=False))
    if summary["checkpoint"] is None and key is not None:
        sys.exit(1)


def init_app(app: Flask) -> None:
    for cmd in (init_db, demo, backup, audit, deadlines):
        app.cli.add_command(cmd)
    from web import cli_calendar
    for cmd in cli_calendar.COMMANDS:
        app.cli.add_command(cmd)
    from web import cli_register
    for cmd in cli_register.COMMANDS:
        app.cli.add_command(cmd)

"""`flask register import FILE [--apply]` and `flask register export FILE`: the register
in the 调度表 layout (engine.register_io), from the command line."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from web.db import get_session

register = AppGroup("register", help="台账：按调度表格式导入、导出（XLSX 或 CSV）。")


def _actor(username: str | None):
    from engine.access import SYSTEM, Actor
    from engine.models import User
    if not username:
        return SYSTEM
    user = get_session().scalar(select(User).where(User.username == username))
    if user is None:
        click.echo(f"没有用户 {username}", err=True)
        sys.exit(2)
    return Actor.of(user)


@register.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--apply", is_flag=True, help="写入（不加此项只检查，列出每行的错误和将新建、修改的内容）")
@click.option("--user", "username", help="以该账号导入（如街道办事处的账号）；默认为系统，须有「街道办事处」列")
def register_import(file, apply, username):
    """Check (and with --apply write, all or nothing) a 调度表 file."""
    from engine.register_io import import_register
    res = import_register(get_session(), _actor(username), Path(file).read_bytes(), apply=apply)
    for e in res.errors:
        click.echo(f"第 {e['row']} 行「{e['column']}」：{e['message']}", err=True)
    out = res.as_dict()
    out.pop("rows")
    click.echo(json.dumps(out, ensure_ascii=False))
    if res.errors:
        sys.exit(1)


@register.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--user", "username", help="只导出该账号可见的物业管理区域；默认全部")
def register_export(file, username):
    """Write the register as .xlsx or .csv (by the file's extension)."""
    from engine.register_io import export_register
    fmt = "csv" if file.lower().endswith(".csv") else "xlsx"
    data = export_register(get_session(), _actor(username), fmt)
    Path(file).write_bytes(data)
    click.echo(json.dumps({"file": file, "format": fmt, "bytes": len(data)}, ensure_ascii=False))


COMMANDS = (register,)

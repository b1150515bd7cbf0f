"""`flask --app web calendar import FILE | list | recompute` and `flask period FROM AMOUNT UNIT`.

`period` prints exactly `{"due", "ends_at", "provisional", "basis"}` (docs/contract.md); the
province only decides which rule pack the basis names (the periods themselves are declared
per procedure in workflows/*; the holiday calendar is national).
"""
from __future__ import annotations

import json
import sys
from datetime import date

import click
from flask import Flask, current_app, request
from flask.cli import AppGroup, with_appcontext

from web.db import get_session

UNIT_WORDS = {"day": "day", "days": "day", "日": "day", "天": "day",
              "workday": "workday", "workdays": "workday", "工作日": "workday",
              "month": "month", "months": "month", "月": "month", "个月": "month",
              "year": "year", "years": "year", "年": "year"}

calendar = AppGroup("calendar", help="官方节假日安排（国务院办公厅通知）。")


def _sync() -> None:
    from engine.calendar_store import sync
    sync(current_app.extensions["db_engine"], force=True)


@calendar.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--now", "now_text", help="ISO date-time recorded on the audit events (default: now)")
def calendar_import(file, now_text):
    """Load a published arrangement, recompute the provisional open deadlines."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm.exc import StaleDataError
    from engine.calendar_store import CalendarFileError, import_arrangement, load_file
    from engine.errors import StaleCase
    from web.cli import parse_now
    try:
        arr, notice_no = load_file(file)
    except CalendarFileError as exc:
        click.echo(f"导入失败：{exc}", err=True)
        sys.exit(2)
    try:
        res = import_arrangement(get_session(), arr, notice_no, now=parse_now(now_text))
    except (StaleDataError, StaleCase, OperationalError) as exc:
        click.echo(f"导入未完成：有案件正在办理，数据库繁忙（{type(exc).__name__}），"
                   f"未作任何修改，请稍后重试", err=True)
        sys.exit(1)
    click.echo(f"已导入{arr.year}年节假日安排（{arr.notice}）：放假 {res.rest_days} 天，"
               f"调休上班 {res.work_days} 天；重新计算期限 {len(res.changes)} 项", err=True)
    click.echo(json.dumps(res.as_dict(), ensure_ascii=False))


@calendar.command("list")
def calendar_list():
    """The years with an official arrangement, and where each comes from."""
    from sqlalchemy import select
    from engine.calendar_store import CalendarYear
    from engine import legaltime
    s = get_session()
    rows = {r.year: r for r in s.scalars(select(CalendarYear))}
    _sync()
    cal = legaltime.current()
    for y in cal.published_years():
        r = rows.get(y)
        src = r.source if r else cal.arrangements[y].source
        click.echo(f"{y}  {cal.notice(y)}  [{src}]")
    nxt = max(cal.published_years(), default=date.today().year) + 1
    click.echo(f"{nxt} 年起：尚未公布，按周末及法定节假日推算（暂定）")


@calendar.command("recompute")
def calendar_recompute():
    """Recompute the provisional open deadlines on the loaded arrangements."""
    from engine.calendar_store import recompute
    checked, changes = recompute(get_session())
    click.echo(json.dumps({"provisional_checked": checked, "recomputed": len(changes),
                           "changes": [c.as_dict() for c in changes]}, ensure_ascii=False))


def _parse_from(_ctx, _param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"「{value}」不是日期，应写作 YYYY-MM-DD") from None


def _parse_unit(_ctx, _param, value: str) -> str:
    unit = UNIT_WORDS.get(value.strip().lower())
    if unit is None:
        raise click.BadParameter(f"「{value}」不是期间单位，应为 day、workday、month 或 year")
    return unit


@click.command("period")
@click.argument("start", metavar="FROM", callback=_parse_from)
@click.argument("amount", type=click.IntRange(min=0))
@click.argument("unit", callback=_parse_unit)
@click.option("--province", "-p", default="", help="省份（如 河南省），说明适用的规则包")
@click.option("--before", is_flag=True, help="倒算：FROM 之前 AMOUNT UNIT 的最迟日（如招标备案）")
@with_appcontext
def period(start, amount, unit, province, before):
    """Compute a legal period: prints {"due", "ends_at", "provisional", "basis"}."""
    from engine import legaltime
    from engine.rulepacks import pack_for
    _sync()
    res = (legaltime.latest_before if before else legaltime.period_end)(start, amount, unit)
    basis = res.basis
    if province:
        basis += pack_for(province).sentence + "；节假日安排全国统一，期间长度以各程序中该规则包的规定为准。"
    click.echo(json.dumps({"due": res.date.isoformat(), "ends_at": res.ends_at.isoformat(),
                           "provisional": res.provisional, "basis": basis},
                          ensure_ascii=False))


COMMANDS = (calendar, period)


def init_sync(app: Flask) -> None:
    """Keep this process's calendar in step with the database: load it at start-up (so
    CLI commands such as `demo` use it too), then check the table's version before
    every request that may write (deadlines are computed there; on the request's own
    session, which the write will use anyway) and at most every CALENDAR_CHECK_SECONDS
    (default 30) before read-only ones."""
    from engine.calendar_store import sync
    sync(app.extensions["db_engine"])        # at start-up (no table yet: built-in years)

    @app.before_request
    def _calendar_sync():
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            sync(get_session())
        else:
            sync(app.extensions["db_engine"], max_age=app.config.get("CALENDAR_CHECK_SECONDS", 30))

"""Template helpers: labels, dates the Chinese way, Beijing time."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import Flask

from engine.legaltime import TZ
from engine.roles import role_label


def zh_date(d) -> str:
    if d is None:
        return ""
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    if isinstance(d, datetime):
        d = local(d).date()
    return f"{d.year}年{d.month}月{d.day}日"


def local(ts: datetime) -> datetime:
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=timezone.utc)
    return ts.astimezone(TZ)


def zh_datetime(ts) -> str:
    if ts is None:
        return ""
    t = local(ts)
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(zh_date=zh_date, zh_datetime=zh_datetime, role_label=role_label)

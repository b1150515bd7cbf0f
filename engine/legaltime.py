"""Legal time — MINIMAL VERSION from the walking skeleton; issue 3 replaces it.

Civil Code arts. 201-203 over the `chinesecalendar` holiday data. The public names and
the result type are those of CONTRACT.md and stay when the full module lands.
"""
from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

TZ = ZoneInfo("Asia/Shanghai")
UNITS = ("day", "workday", "month", "year")


@dataclass(frozen=True)
class LegalDate:
    date: date
    ends_at: datetime
    provisional: bool
    basis: str


def _published(y: int) -> bool:
    return y in {d.year for d in chinese_calendar.constants.holidays}


def is_workday(d: date) -> bool:
    if _published(d.year):
        return chinese_calendar.is_workday(d)
    return d.weekday() < 5


def _end(d: date) -> datetime:
    return datetime.combine(d + timedelta(days=1), time(0), TZ)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    m += 1
    return date(y, m, min(d.day, _cal.monthrange(y, m)[1]))


def period_end(anchor: date, amount: int, unit: str) -> LegalDate:
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}")
    if unit == "workday":
        d, left = anchor, amount
        while left > 0:
            d += timedelta(days=1)
            if is_workday(d):
                left -= 1
        basis = f"自{anchor.isoformat()}次日起计{amount}个工作日（民法典第二百零一条）"
    else:
        if unit == "day":
            d = anchor + timedelta(days=amount)
        else:
            d = _add_months(anchor, amount * (12 if unit == "year" else 1))
        basis = f"自{anchor.isoformat()}次日起算（民法典第二百零一条、第二百零二条）"
        while not is_workday(d):
            d += timedelta(days=1)
    prov = any(not _published(y) for y in range(anchor.year, d.year + 1))
    return LegalDate(d, _end(d), prov, basis + "；末日为法定休假日的顺延（民法典第二百零三条）")


def latest_before(event: date, amount: int, unit: str) -> LegalDate:
    d = event - timedelta(days=amount)
    while not is_workday(d):
        d -= timedelta(days=1)
    prov = any(not _published(y) for y in range(d.year, event.year + 1))
    return LegalDate(d, _end(d), prov, f"应不迟于{event.isoformat()}前{amount}日")

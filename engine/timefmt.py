"""Display helpers for legal dates: the Chinese way of writing a date, days left in
calendar and working days, "逾期 N 天". Pages and forms call these; `today` is a Beijing
date (use `beijing_today(now)` for an aware datetime).

    cn_date(date(2026, 10, 8))                 -> "2026年10月8日"
    days_left(date(2026, 10, 8), today)        -> calendar days from today to the last day
    workdays_left(date(2026, 10, 8), today)    -> working days after today up to the last day
    remaining(date(2026, 10, 8), today)        -> "剩余 5 天（3 个工作日）" / "今天到期" / "逾期 2 天"
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Optional

from engine import legaltime
from engine.bilingual import Bi
from engine.legaltime import TZ

WEEKDAYS = "一二三四五六日"


def cn_date(d: Optional[date]) -> str:
    """2026年10月8日 ("—" for None)."""
    if d is None:
        return "—"
    if isinstance(d, datetime):
        d = d.astimezone(TZ).date() if d.tzinfo else d.date()
    return f"{d.year}年{d.month}月{d.day}日"


def cn_weekday(d: date) -> str:
    """星期四."""
    return f"星期{WEEKDAYS[d.weekday()]}"


def cn_date_weekday(d: date) -> str:
    """2026年10月8日（星期四）."""
    return f"{cn_date(d)}（{cn_weekday(d)}）"


def cn_deadline(d: date) -> str:
    """The end of a period's last day: 2026年10月8日24时 (Beijing time, art. 203)."""
    return f"{cn_date(d)}24时"


def beijing_today(now: Optional[datetime] = None) -> date:
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return now.astimezone(TZ).date()


def days_left(due: date, today: date) -> int:
    """Calendar days from today to the last day: 0 on the last day, negative once overdue."""
    return (due - today).days


def workdays_left(due: date, today: date) -> int:
    """Working days after today up to and including the last day (make-up working days
    count, holidays do not); 0 on the last day and once overdue."""
    return legaltime.workdays_between(today, due)


def overdue_days(due: date, today: date) -> int:
    """Calendar days since the last day ended (0 when not overdue)."""
    return max(0, (today - due).days)


def overdue_text(due: date, today: date) -> str:
    """"逾期 N 天", or "" when the period has not run out."""
    n = overdue_days(due, today)
    return Bi(f"逾期 {n} 天", f"{n} {'day' if n == 1 else 'days'} overdue") if n else ""


def remaining(due: date, today: date) -> Bi:
    """"剩余 N 天（M 个工作日）", "今天到期" or "逾期 N 天"."""
    n = days_left(due, today)
    if n < 0:
        return overdue_text(due, today)
    if n == 0:
        return Bi("今天到期", "ends today")
    w = workdays_left(due, today)
    return Bi(f"剩余 {n} 天（{w} 个工作日）",
              f"{n} {'day' if n == 1 else 'days'} left ({w} working {'day' if w == 1 else 'days'})")


def describe_due(due: date, today: date, provisional: bool = False) -> str:
    """"2026年10月8日（星期四）24时届满，剩余 5 天（3 个工作日）", with "（暂定）" when the
    date rests on a year whose holiday arrangement is not published yet."""
    s = f"{cn_date_weekday(due)}24时届满"
    if provisional:
        s += "（暂定）"
    return f"{s}，{remaining(due, today)}"

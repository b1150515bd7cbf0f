"""Display helpers: the Chinese date, days left in calendar and working days, 逾期 N 天."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from engine import legaltime, timefmt


@pytest.fixture(autouse=True)
def _builtin_calendar():
    legaltime.reset()
    yield
    legaltime.reset()


def test_chinese_dates():
    assert timefmt.cn_date(date(2026, 10, 8)) == "2026年10月8日"
    assert timefmt.cn_date(None) == "—"
    assert timefmt.cn_date_weekday(date(2026, 10, 8)) == "2026年10月8日（星期四）"
    assert timefmt.cn_date_weekday(date(2026, 10, 11)) == "2026年10月11日（星期日）"
    assert timefmt.cn_deadline(date(2026, 10, 8)) == "2026年10月8日24时"
    # 16:30 UTC on 7 Oct is 00:30 on 8 Oct in Beijing.
    assert timefmt.cn_date(datetime(2026, 10, 7, 16, 30, tzinfo=timezone.utc)) == "2026年10月8日"
    assert timefmt.beijing_today(datetime(2026, 10, 7, 16, 30, tzinfo=timezone.utc)) == date(2026, 10, 8)


def test_days_left_over_the_national_day_holiday():
    due, today = date(2026, 10, 8), date(2026, 9, 30)
    assert timefmt.days_left(due, today) == 8
    assert timefmt.workdays_left(due, today) == 1          # 1-7 Oct are off: only 8 Oct
    assert timefmt.remaining(due, today) == "剩余 8 天（1 个工作日）"
    # From 28 Sept: 29, 30 Sept and 8 Oct.
    assert timefmt.workdays_left(due, date(2026, 9, 28)) == 3
    # Make-up working days count: from Fri 9 Oct to Mon 12 Oct -> Sat 10 Oct and Mon 12 Oct.
    assert timefmt.workdays_left(date(2026, 10, 12), date(2026, 10, 9)) == 2


def test_due_today_and_overdue():
    due = date(2026, 10, 8)
    assert timefmt.remaining(due, due) == "今天到期"
    assert timefmt.overdue_text(due, due) == ""
    assert timefmt.overdue_text(due, date(2026, 10, 10)) == "逾期 2 天"
    assert timefmt.remaining(due, date(2026, 10, 10)) == "逾期 2 天"
    assert timefmt.days_left(due, date(2026, 10, 10)) == -2
    assert timefmt.workdays_left(due, date(2026, 10, 10)) == 0


def test_describe_due_marks_provisional_dates():
    text = timefmt.describe_due(date(2027, 1, 4), date(2026, 12, 28), provisional=True)
    assert text.startswith("2027年1月4日（星期一）24时届满（暂定），剩余 7 天")
    assert "暂定" not in timefmt.describe_due(date(2026, 10, 8), date(2026, 9, 30))

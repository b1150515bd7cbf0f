"""Property tests for legal time over many years and anchors.

The oracle is independent of engine.legaltime's calendar: the `chinesecalendar` package's
own `is_workday` for the years it publishes, weekends plus the `holidays` package's CN
days elsewhere, and brute-force day counting.
"""
from __future__ import annotations

import calendar as pycal
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
import holidays
from hypothesis import given, settings, strategies as st

from engine import legaltime
from engine.legaltime import Arrangement, latest_before, period_end

PUBLISHED = {d.year for d in chinese_calendar.holidays}
FIRST, LAST = min(PUBLISHED), max(PUBLISHED)

anchors = st.dates(min_value=date(FIRST - 2, 1, 1), max_value=date(LAST + 3, 12, 31))
day_amounts = st.integers(min_value=1, max_value=400)
workday_amounts = st.integers(min_value=1, max_value=60)
month_amounts = st.integers(min_value=1, max_value=36)
SETTINGS = settings(max_examples=150, deadline=None)


@lru_cache(maxsize=None)
def _projected(year: int) -> frozenset:
    return frozenset(d for d in holidays.country_holidays("CN", years=year) if d.year == year)


def workday(d: date) -> bool:
    if d.year in PUBLISHED:
        return chinese_calendar.is_workday(d)
    return d.weekday() < 5 and d not in _projected(d.year)


def years_between(a: date, b: date) -> set[int]:
    """The years whose notices decide the days a..b: the years those days lie in."""
    lo, hi = min(a, b), max(a, b)
    return set(range(lo.year, hi.year + 1))


def unpublished(years: set[int]) -> bool:
    return any(y not in PUBLISHED for y in years)


def add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, pycal.monthrange(y, m)[1]))


def setup_module(_):
    legaltime.reset()


@SETTINGS
@given(anchors, day_amounts)
def test_day_period_ends_on_the_first_working_day_from_anchor_plus_n(anchor, n):
    due = period_end(anchor, n, "day")
    nominal = anchor + timedelta(days=n)
    assert due.date >= nominal
    assert workday(due.date)                                   # never a rest day
    d = nominal
    while d < due.date:                                        # only rest days skipped
        assert not workday(d)
        d += timedelta(days=1)
    assert due.provisional == unpublished(years_between(nominal, due.date))
    assert due.ends_at.date() == due.date + timedelta(days=1)
    assert due.ends_at.hour == 0 and due.ends_at.utcoffset() == timedelta(hours=8)


@SETTINGS
@given(anchors, workday_amounts)
def test_workday_counting_agrees_with_brute_force(anchor, n):
    due = period_end(anchor, n, "workday")
    days = [anchor + timedelta(days=k) for k in range(1, (due.date - anchor).days + 1)]
    assert sum(workday(d) for d in days) == n                  # exactly N working days
    assert workday(due.date)                                   # and the N-th is the last day
    assert due.provisional == unpublished(years_between(anchor + timedelta(days=1), due.date))


@SETTINGS
@given(anchors, month_amounts, st.sampled_from(["month", "year"]))
def test_month_and_year_periods_end_on_the_corresponding_day(anchor, n, unit):
    due = period_end(anchor, n, unit)
    nominal = add_months(anchor, n * (12 if unit == "year" else 1))
    assert due.date >= nominal and workday(due.date)
    d = nominal
    while d < due.date:
        assert not workday(d)
        d += timedelta(days=1)
    assert due.provisional == unpublished(years_between(nominal, due.date))


@SETTINGS
@given(anchors, day_amounts)
def test_latest_before_is_the_last_working_day_at_or_before_x_minus_n(event, n):
    due = latest_before(event, n, "day")
    nominal = event - timedelta(days=n)
    assert due.date <= nominal and workday(due.date)
    d = due.date + timedelta(days=1)
    while d <= nominal:                                        # nothing later would do
        assert not workday(d)
        d += timedelta(days=1)
    assert due.provisional == unpublished(years_between(due.date, nominal))


@SETTINGS
@given(anchors, workday_amounts)
def test_latest_before_in_working_days(event, n):
    due = latest_before(event, n, "workday")
    assert workday(due.date) and due.date <= event - timedelta(days=n)
    days = [due.date + timedelta(days=k) for k in range((event - due.date).days)]
    assert sum(workday(d) for d in days) == n
    assert due.provisional == unpublished(years_between(due.date, event - timedelta(days=1)))


# A made-up arrangement for the first unpublished year (test data only): 7 weekdays off
# in February, two make-up Saturdays.
def _made_up(year: int) -> Arrangement:
    feb = date(year, 2, 10)
    rest = {feb + timedelta(days=k): "春节" for k in range(7)}
    sats = [d for d in (date(year, 2, 1) + timedelta(days=k) for k in range(28))
            if d.weekday() == 5 and d not in rest][:2]
    work = {d: "春节" for d in sats}
    # New Year: the first weekdays of January off, the first Saturday worked.
    for d in (date(year, 1, 1) + timedelta(days=k) for k in range(7)):
        if d.weekday() < 5 and len([x for x in rest.values() if x == "元旦"]) < 2:
            rest[d] = "元旦"
        elif d.weekday() == 5 and d not in work:
            work[d] = "元旦"
            break
    return Arrangement(year, rest, work, "《测试用虚构通知》", "test")


@SETTINGS
@given(anchors, st.integers(min_value=0, max_value=120),
       st.sampled_from(["day", "workday", "month"]), st.booleans())
def test_a_final_result_never_changes_when_a_year_is_published(anchor, n, unit, before):
    """Provisional exactly when it matters: publishing the next year's arrangement can
    only change results that were flagged provisional."""
    if unit == "month":
        n = n % 24
    fn = latest_before if before else period_end
    old = fn(anchor, n, unit)
    cal = legaltime.build([_made_up(LAST + 1)])
    new = fn(anchor, n, unit, calendar=cal)
    if not old.provisional:
        assert new.date == old.date and not new.provisional
    if new.date != old.date:
        assert old.provisional and (LAST + 1) in old.unpublished


@SETTINGS
@given(anchors)
def test_is_workday_agrees_with_the_oracle(d):
    assert legaltime.is_workday(d) == workday(d)

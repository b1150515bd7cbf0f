"""Legal time (Civil Code arts. 201-203) on the 2026 holiday calendar, worked by hand.

The 2026 arrangement (《国务院办公厅关于2026年部分节假日安排的通知》, 4 Nov 2025):
元旦 1.1(Thu)-1.3 off, 1.4(Sun) work; 春节 2.15(Sun)-2.23(Mon) off, 2.14(Sat) and
2.28(Sat) work; 清明 4.4(Sat)-4.6(Mon) off; 劳动节 5.1(Fri)-5.5(Tue) off, 5.9(Sat) work;
端午 6.19(Fri)-6.21(Sun) off; 中秋 9.25(Fri)-9.27(Sun) off; 国庆 10.1(Thu)-10.7(Wed) off,
9.20(Sun) and 10.10(Sat) work. 2027 had no published arrangement when this was written,
so results touching it are provisional.

Every expected value below was counted on a paper calendar, not taken from the code.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from engine import legaltime
from engine.legaltime import TZ, LegalDate, is_workday, latest_before, period_end


@pytest.fixture(autouse=True)
def _builtin_calendar():
    legaltime.reset()
    yield
    legaltime.reset()


D = date

# (anchor, amount, unit, expected last day, why)
AFTER = [
    # 春节
    (D(2026, 2, 5), 10, "day", D(2026, 2, 24), "15 Feb is inside the Spring Festival; rest ends 23 Feb"),
    (D(2026, 2, 4), 10, "day", D(2026, 2, 14), "14 Feb is a Saturday but a make-up working day"),
    (D(2026, 2, 18), 10, "day", D(2026, 2, 28), "28 Feb is a Saturday but a make-up working day"),
    (D(2026, 2, 19), 10, "day", D(2026, 3, 2), "1 Mar is a Sunday"),
    (D(2026, 2, 10), 5, "day", D(2026, 2, 24), "15 Feb: nine days off"),
    # 清明
    (D(2026, 3, 25), 10, "day", D(2026, 4, 7), "4 Apr (Sat) starts the Qingming holiday, off to 6 Apr"),
    (D(2026, 3, 27), 10, "day", D(2026, 4, 7), "6 Apr (Mon) is the last Qingming day off"),
    (D(2026, 3, 24), 10, "day", D(2026, 4, 3), "3 Apr is a Friday"),
    # 劳动节
    (D(2026, 4, 21), 10, "day", D(2026, 5, 6), "1-5 May off"),
    (D(2026, 4, 29), 10, "day", D(2026, 5, 9), "9 May (Sat) is a make-up working day"),
    (D(2026, 4, 30), 10, "day", D(2026, 5, 11), "10 May is a Sunday"),
    # 端午
    (D(2026, 6, 9), 10, "day", D(2026, 6, 22), "19-21 Jun off"),
    (D(2026, 6, 11), 10, "day", D(2026, 6, 22), "21 Jun (Sun) is inside the holiday"),
    # 中秋
    (D(2026, 9, 15), 10, "day", D(2026, 9, 28), "25-27 Sep off"),
    (D(2026, 9, 10), 10, "day", D(2026, 9, 20), "20 Sep (Sun) is a make-up working day"),
    # 国庆
    (D(2026, 9, 16), 15, "day", D(2026, 10, 8), "1-7 Oct off (Henan contract filing)"),
    (D(2026, 9, 30), 10, "day", D(2026, 10, 10), "10 Oct (Sat) is a make-up working day"),
    (D(2026, 10, 1), 10, "day", D(2026, 10, 12), "11 Oct is a Sunday"),
    (D(2026, 9, 21), 10, "day", D(2026, 10, 8), "1 Oct"),
    # 元旦 across the year end: 1-3 Jan off, 4 Jan (Sun) a make-up working day
    (D(2025, 12, 22), 10, "day", D(2026, 1, 4), "1-3 Jan off, 4 Jan a working Sunday"),
    (D(2025, 12, 23), 10, "day", D(2026, 1, 4), "2-3 Jan off, 4 Jan a working Sunday"),
    # ordinary weekends
    (D(2026, 6, 1), 10, "day", D(2026, 6, 11), "11 Jun is a Thursday (Shandong contract filing)"),
    (D(2026, 3, 4), 10, "day", D(2026, 3, 16), "14 Mar is a Saturday"),
    # working days
    (D(2026, 2, 12), 5, "workday", D(2026, 2, 26), "13 Feb, 14 Feb (make-up), 24, 25, 26 Feb"),
    (D(2026, 9, 30), 3, "workday", D(2026, 10, 10), "8, 9 Oct and the make-up Saturday 10 Oct"),
    (D(2026, 4, 30), 5, "workday", D(2026, 5, 11), "6, 7, 8, 9 (make-up Sat), 11 May"),
    (D(2026, 6, 18), 1, "workday", D(2026, 6, 22), "19-21 Jun off"),
    (D(2026, 9, 18), 5, "workday", D(2026, 9, 24), "20 Sep (Sun) counts; 21-24 Sep"),
    (D(2026, 9, 22), 5, "workday", D(2026, 9, 30), "23, 24, (25-27 off), 28, 29, 30 Sep"),
    # months and years (art. 202)
    (D(2026, 1, 31), 1, "month", D(2026, 2, 28), "no 31 Feb: month end, a make-up working Saturday"),
    (D(2026, 3, 31), 1, "month", D(2026, 4, 30), "no 31 Apr: 30 Apr is a Thursday"),
    (D(2026, 8, 31), 1, "month", D(2026, 9, 30), "30 Sep is a Wednesday"),
    (D(2026, 1, 15), 2, "month", D(2026, 3, 16), "15 Mar is a Sunday"),
    (D(2026, 7, 1), 3, "month", D(2026, 10, 8), "1 Oct: National Day"),
    (D(2025, 9, 1), 1, "month", D(2025, 10, 9), "2025: 1-8 Oct off"),
    (D(2024, 2, 29), 1, "year", D(2025, 2, 28), "no 29 Feb 2025: month end, a Friday"),
    (D(2025, 10, 1), 1, "year", D(2026, 10, 8), "1 Oct 2026: National Day"),
    (D(2025, 12, 31), 2, "month", D(2026, 2, 28), "no 31 Feb: 28 Feb, a make-up Saturday"),
]



@pytest.mark.parametrize("anchor,amount,unit,expected,why", AFTER,
                         ids=[f"{a}+{n}{u}" for a, n, u, _, _ in AFTER])
def test_period_end_2026(anchor, amount, unit, expected, why):
    due = period_end(anchor, amount, unit)
    assert due.date == expected, why
    assert due.provisional is False
    assert due.ends_at == datetime.combine(expected + timedelta(days=1), time(0), TZ)
    assert "民法典第二百零一条" in due.basis and "国务院办公厅" in due.basis


BEFORE = [
    (D(2026, 10, 12), 10, "day", D(2026, 9, 30), "2 Oct is off: back to Wed 30 Sep"),
    (D(2026, 10, 20), 10, "day", D(2026, 10, 10), "10 Oct is a make-up working Saturday"),
    (D(2026, 10, 18), 10, "day", D(2026, 10, 8), "8 Oct is a Thursday"),
    (D(2026, 2, 25), 10, "day", D(2026, 2, 14), "15 Feb off: back to the make-up Saturday 14 Feb"),
    (D(2026, 3, 5), 15, "day", D(2026, 2, 14), "18 Feb off: back over 15-17 Feb to 14 Feb"),
    (D(2026, 4, 20), 15, "day", D(2026, 4, 3), "5 Apr off: back to Fri 3 Apr"),
    (D(2026, 6, 30), 10, "day", D(2026, 6, 18), "20 Jun off: back to Thu 18 Jun"),
    (D(2026, 10, 5), 10, "day", D(2026, 9, 24), "25 Sep off (Mid-Autumn): back to Thu 24 Sep"),
    (D(2026, 5, 20), 15, "day", D(2026, 4, 30), "5 May off: back over 1-4 May to Thu 30 Apr"),
    (D(2026, 10, 12), 10, "workday", D(2026, 9, 21),
     "10 Oct (1), 9, 8 Oct, 30, 29, 28 Sep (6), 24, 23, 22 (9), 21 Sep (10)"),
    (D(2026, 3, 2), 3, "workday", D(2026, 2, 26), "28 Feb (Sat, make-up) counts: 28, 27, 26"),
    (D(2026, 12, 1), 1, "month", D(2026, 10, 30), "1 Nov is a Sunday: back over 31 Oct to Fri 30 Oct"),
    (D(2026, 3, 31), 1, "month", D(2026, 2, 28), "no 31 Feb: month end 28 Feb, a make-up Saturday"),
]


@pytest.mark.parametrize("event,amount,unit,expected,why", BEFORE,
                         ids=[f"{e}-{n}{u}" for e, n, u, _, _ in BEFORE])
def test_latest_before_2026(event, amount, unit, expected, why):
    due = latest_before(event, amount, unit)
    assert due.date == expected, why
    assert due.provisional is False
    assert due.ends_at == datetime.combine(expected + timedelta(days=1), time(0), TZ)


def test_result_type_and_24_00_beijing():
    due = period_end(date(2026, 9, 16), 15, "day")
    assert isinstance(due, LegalDate)
    assert due.ends_at.isoformat() == "2026-10-09T00:00:00+08:00"
    assert due.ends_at.utcoffset() == timedelta(hours=8)
    assert due.notices == ("《国务院办公厅关于2026年部分节假日安排的通知》",)


def test_basis_explains_the_roll_forward_in_chinese():
    basis = period_end(date(2026, 9, 16), 15, "day").basis
    assert "2026年9月16日的次日起算（民法典第二百零一条）" in basis
    assert "2026年10月1日" in basis and "国庆节" in basis
    assert "2026年10月8日" in basis and "民法典第二百零三条" in basis
    assert "二十四时" in basis
    month = period_end(date(2026, 1, 31), 1, "month").basis
    assert "民法典第二百零二条" in month and "月末日" in month and "调休上班日" in month


def test_make_up_working_days_are_working_days():
    for d in (D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9),
              D(2026, 9, 20), D(2026, 10, 10)):
        assert d.weekday() >= 5 and is_workday(d)
    for d in (D(2026, 1, 2), D(2026, 2, 16), D(2026, 2, 23), D(2026, 4, 6), D(2026, 5, 5),
              D(2026, 6, 19), D(2026, 9, 25), D(2026, 10, 7)):
        assert d.weekday() < 5 and not is_workday(d)


def test_an_unpublished_year_is_provisional_and_says_so():
    due = period_end(date(2026, 12, 20), 15, "day")
    assert due.date == date(2027, 1, 4)             # Monday; 1 Jan 2027 (Fri) is New Year
    assert due.provisional and due.unpublished == (2027,)
    assert "2027年节假日安排尚未公布" in due.basis and "待国务院办公厅通知公布" in due.basis
    # A period inside 2026 is final even if it was started late in the year.
    assert not period_end(date(2026, 12, 1), 10, "day").provisional        # Fri 11 Dec
    # Only the days consulted count: 10 days before Sun 3 Jan 2027 is Thu 24 Dec 2026.
    before = latest_before(date(2027, 1, 3), 10, "day")
    assert before.date == date(2026, 12, 24) and not before.provisional
    # A day of a published year is final, late December included: the last day of
    # 10 days before 10 Jan 2027 is Thu 31 Dec 2026, a working day under the 2026 notice.
    late = latest_before(date(2027, 1, 10), 10, "day")
    assert late.date == date(2026, 12, 31) and not late.provisional
    assert period_end(date(2026, 12, 15), 10, "day").date == date(2026, 12, 25)
    assert not period_end(date(2026, 12, 15), 10, "day").provisional        # Fri 25 Dec
    assert not period_end(date(2025, 12, 15), 10, "day").provisional        # 2026 is out
    # ... but 10 days before 12 Jan 2027 is Sat 2 Jan 2027: the roll-back over 1 Jan
    # consults 2027's (projected) days, so the result is provisional.
    before = latest_before(date(2027, 1, 12), 10, "day")
    assert before.date == date(2026, 12, 31) and before.provisional


def test_projection_uses_statutory_holidays_and_weekends():
    # 2027 projection: 1 Jan (Fri) New Year; Spring Festival 5 Feb (eve) - 8 Feb plus
    # 补假 9-10 Feb for the weekend days; weekends off; no make-up days known.
    assert period_end(date(2026, 12, 30), 2, "day").date == date(2027, 1, 4)
    assert period_end(date(2027, 1, 25), 15, "day").date == date(2027, 2, 11)
    # Jan 31 2027 + 1 month: 28 Feb 2027 is a Sunday -> Mon 1 Mar, provisional.
    m = period_end(date(2027, 1, 31), 1, "month")
    assert m.date == date(2027, 3, 1) and m.provisional
    # Leap year month end: 29 Feb 2028 is a Tuesday.
    assert period_end(date(2028, 1, 31), 1, "month").date == date(2028, 2, 29)


def test_zero_and_invalid_arguments():
    assert period_end(date(2026, 10, 3), 0, "day").date == date(2026, 10, 8)
    assert latest_before(date(2026, 10, 3), 0, "day").date == date(2026, 9, 30)
    with pytest.raises(ValueError):
        period_end(date(2026, 1, 1), 1, "week")
    with pytest.raises(ValueError):
        period_end(date(2026, 1, 1), -1, "day")
    with pytest.raises(ValueError):
        period_end(date(2026, 1, 1), True, "day")


def test_an_aware_datetime_anchor_is_taken_as_its_beijing_date():
    from datetime import timezone
    # 16:30 UTC on 16 Sep is 00:30 on 17 Sep in Beijing.
    moment = datetime(2026, 9, 16, 16, 30, tzinfo=timezone.utc)
    assert period_end(moment, 15, "day").date == period_end(date(2026, 9, 17), 15, "day").date


def test_province_packs_over_the_calendar():
    """The same signing day under both province packs (contract filing)."""
    from workflows.contract_filing import FILING
    signed = date(2026, 9, 16)
    henan, shandong = FILING.period_for("henan"), FILING.period_for("shandong")
    assert period_end(signed, henan.amount, henan.unit).date == date(2026, 10, 8)
    # Shandong 10 days: 26 Sep is inside the Mid-Autumn holiday (25-27) -> Mon 28 Sep.
    assert period_end(signed, shandong.amount, shandong.unit).date == date(2026, 9, 28)
    assert FILING.period_for("national") is None

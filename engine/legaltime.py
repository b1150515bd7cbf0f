"""Legal time: statutory periods on the official holiday calendar (Civil Code arts. 201-203).

    from engine.legaltime import period_end, latest_before
    due = period_end(date(2026, 9, 16), 15, "day")    # units: day, workday, month, year
    due.date, due.ends_at, due.provisional, due.basis

Rules (docs/procedures.md §0):

* art. 201: the day of the triggering event is not counted; counting starts the next day.
* art. 202: a period in months or years ends on the corresponding day of the last month,
  or on that month's last day when there is no corresponding day (Jan 31 + 1 month).
* art. 203: a last day that is a rest day (法定休假日: weekends and the State Council's
  holidays) moves to the day after the rest days end; the period ends at 24:00, here
  24:00 Beijing time (`ends_at` is the next day's 00:00 in Asia/Shanghai).
* `workday` periods count working days only: weekends and holidays are skipped, make-up
  working days (调休上班日) count. The N-th working day is a working day, so nothing rolls.
* `latest_before(X, N, unit)`: "N days before X" — the latest compliant day X − N (X not
  counted), moved BACK to the last working day when it is a rest day.

The calendar: per year, the official arrangement (rest days and make-up working days,
each year naming the State Council notice it comes from). Built in: the `chinesecalendar`
package's years; on top, the arrangements imported into the database (engine.calendar_store,
`flask calendar import`), installed process-wide with `install()`. A year with neither is
projected — weekends plus the statutory holidays and their 补假 from the `holidays`
package — and every result whose computation looked at a day of such a year is
`provisional` (its `unpublished` lists those years).

The computation only consults the calendar for the days it needs: the nominal last day
and the rest days it rolls over (day/month/year), or every counted day (workday). A result
that consulted no unpublished day is final: importing an arrangement cannot change it.
A day from 25 December on also depends on the next year's notice, whose New Year
arrangement has reached back into late December (29 Dec 2018 was a working Saturday by
the 2019 notice), so it is provisional while that notice is unpublished.
"""
from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Mapping, Optional
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
UNITS = ("day", "workday", "month", "year")
UNIT_LABELS = {"day": "日", "workday": "个工作日", "month": "个月", "year": "年"}
WEEKDAYS = "一二三四五六日"

# A year's notice can move days of the previous late December (the 2019 notice made
# Saturday 29 Dec 2018 a working day). Setting this to a day of December makes every
# result that consults a day from then on provisional until the next notice is in.
# Off: a result is provisional exactly when a day it consulted lies in a year whose
# arrangement is unpublished; a published year's days are taken as final.
NEXT_NOTICE_FROM: Optional[int] = None

ART_201 = "民法典第二百零一条"
ART_202 = "民法典第二百零二条"
ART_203 = "民法典第二百零三条"


@dataclass(frozen=True)
class LegalDate:
    date: date
    ends_at: datetime            # 24:00 Beijing time of `date` (= next day 00:00 +08:00)
    provisional: bool            # a consulted day lies in a year with no official arrangement
    basis: str                   # how the date was obtained, in Chinese, with the articles
    unpublished: tuple[int, ...] = ()   # the years that make it provisional
    notices: tuple[str, ...] = ()       # the notices whose arrangement was consulted


@dataclass(frozen=True)
class Arrangement:
    """One year's official holiday arrangement (国务院办公厅关于YYYY年部分节假日安排的通知).

    `rest`: every day off of the holidays (including the weekend days inside a holiday
    span), mapped to the holiday's name; `work`: make-up working days (调休上班日, weekend
    days that are working days), mapped to the holiday they make up for. Days may fall in
    the neighbouring year (a New Year holiday announced with the next year's notice)."""
    year: int
    rest: Mapping[date, str]
    work: Mapping[date, str]
    notice: str
    source: str = ""
    published_on: Optional[date] = None


def notice_title(year: int) -> str:
    return f"《国务院办公厅关于{year}年部分节假日安排的通知》"


def cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _cn_wd(d: date) -> str:
    return f"{cn(d)}（星期{WEEKDAYS[d.weekday()]}）"


# -- the built-in data -----------------------------------------------------------------

def package_arrangements() -> list[Arrangement]:
    """The years the `chinesecalendar` package covers, one Arrangement per year."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday

    notice_names = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}   # as the notices write them

    def zh(value: str) -> str:
        try:
            name = Holiday(value).chinese
        except ValueError:
            return value
        return notice_names.get(name, name)

    try:
        from importlib.metadata import version
        src = f"chinesecalendar {version('chinesecalendar')}"
    except Exception:           # pragma: no cover - metadata missing
        src = "chinesecalendar"
    by_year: dict[int, tuple[dict, dict]] = {}
    for d, name in chinese_calendar.holidays.items():
        by_year.setdefault(d.year, ({}, {}))[0][d] = zh(name)
    for d, name in chinese_calendar.workdays.items():
        by_year.setdefault(d.year, ({}, {}))[1][d] = zh(name)
    return [Arrangement(y, rest, work, notice_title(y), src)
            for y, (rest, work) in sorted(by_year.items())]


_projection_cache: dict[int, dict[date, str]] = {}


def projected_holidays(year: int) -> dict[date, str]:
    """Statutory holidays and their 补假 for a year without an arrangement (`holidays`, CN)."""
    got = _projection_cache.get(year)
    if got is None:
        import holidays
        try:
            h = holidays.country_holidays("CN", years=year, language="zh_CN")
        except (NotImplementedError, KeyError, ValueError):    # pragma: no cover
            h = {}
        got = {d: name for d, name in h.items() if d.year == year}
        _projection_cache[year] = got
    return got


# -- the calendar ------------------------------------------------------------------------

class Calendar:
    """Working days and rest days: published arrangements over weekends, projection
    elsewhere. Immutable once built; `install()` swaps the process-wide one."""

    def __init__(self, arrangements: Iterable[Arrangement], version=None):
        self.version = version
        self.arrangements: dict[int, Arrangement] = {}
        for a in sorted(arrangements, key=lambda a: a.year):
            self.arrangements[a.year] = a           # a later source of a year replaces it
        self._days: dict[int, tuple[dict[date, str], dict[date, str]]] = {}
        for a in self.arrangements.values():        # later notices override earlier ones
            for d, name in a.rest.items():
                rest, work = self._days.setdefault(d.year, ({}, {}))
                rest[d] = name
                work.pop(d, None)
            for d, name in a.work.items():
                rest, work = self._days.setdefault(d.year, ({}, {}))
                work[d] = name
                rest.pop(d, None)
        self._flags: dict[int, bytes] = {}

    # years
    def is_published(self, year: int) -> bool:
        return year in self.arrangements

    def published_years(self) -> list[int]:
        return sorted(self.arrangements)

    def notice(self, year: int) -> str:
        a = self.arrangements.get(year)
        return a.notice if a else ""

    def _year(self, year: int) -> bytes:
        flags = self._flags.get(year)
        if flags is None:
            start = date(year, 1, 1)
            n = 366 if _cal.isleap(year) else 365
            wd = start.weekday()
            buf = bytearray(1 if (wd + i) % 7 < 5 else 0 for i in range(n))
            if not self.is_published(year):
                for d in projected_holidays(year):
                    buf[(d - start).days] = 0
            rest, work = self._days.get(year, ({}, {}))
            for d in rest:
                buf[(d - start).days] = 0
            for d in work:
                buf[(d - start).days] = 1
            flags = self._flags[year] = bytes(buf)
        return flags

    # days
    def is_workday(self, d: date) -> bool:
        return bool(self._year(d.year)[d.toordinal() - date(d.year, 1, 1).toordinal()])

    def describe(self, d: date) -> str:
        """Why a day is what it is, in Chinese: 国庆节假期 / 星期六 / 调休上班日（春节）…"""
        rest, work = self._days.get(d.year, ({}, {}))
        if d in work:
            return f"调休上班日（{work[d]}）"
        if d in rest:
            return f"{rest[d]}假期"
        if not self.is_published(d.year):
            name = projected_holidays(d.year).get(d)
            if name:
                return f"{name}（推算）"
        if d.weekday() >= 5:
            return f"星期{WEEKDAYS[d.weekday()]}"
        return "工作日"


_base: Optional[list[Arrangement]] = None
_current: Optional[Calendar] = None


def _base_arrangements() -> list[Arrangement]:
    global _base
    if _base is None:
        _base = package_arrangements()
    return _base


def current() -> Calendar:
    """The process-wide calendar (built-in years plus the installed database years)."""
    global _current
    if _current is None:
        _current = Calendar(_base_arrangements())
    return _current


def build(extra: Iterable[Arrangement] = (), version=None) -> Calendar:
    """A calendar of the built-in years with `extra` arrangements over them."""
    return Calendar(list(_base_arrangements()) + list(extra), version=version)


def install(cal: Calendar) -> None:
    """Make `cal` the calendar every later computation in this process uses."""
    global _current
    _current = cal


def reset() -> None:
    """Back to the built-in years only (tests)."""
    install(Calendar(_base_arrangements()))


def is_workday(d: date, calendar: Optional[Calendar] = None) -> bool:
    return (calendar or current()).is_workday(d)


def is_published(year: int, calendar: Optional[Calendar] = None) -> bool:
    return (calendar or current()).is_published(year)


def workdays_between(start: date, end: date, calendar: Optional[Calendar] = None) -> int:
    """Working days d with start < d <= end (0 when end <= start)."""
    cal = calendar or current()
    n, d = 0, start
    while d < end:
        d += timedelta(days=1)
        n += cal.is_workday(d)
    return n


# -- periods -----------------------------------------------------------------------------

def ends_at(d: date) -> datetime:
    """24:00 Beijing time of day `d` (art. 203 para. 2)."""
    return datetime.combine(d + timedelta(days=1), time(0), TZ)


def add_months(d: date, months: int) -> tuple[date, bool]:
    """The corresponding day `months` later (or earlier), and whether the month had none
    so its last day was taken (art. 202)."""
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    m += 1
    last = _cal.monthrange(y, m)[1]
    return date(y, m, min(d.day, last)), d.day > last


def _check(anchor, amount, unit) -> date:
    if unit not in UNITS:
        raise ValueError(f"期间单位应为 {'、'.join(UNITS)} 之一，收到 {unit!r}")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError(f"期间长度应为非负整数，收到 {amount!r}")
    if isinstance(anchor, datetime):
        anchor = anchor.astimezone(TZ).date() if anchor.tzinfo else anchor.date()
    if not isinstance(anchor, date):
        raise TypeError("起算日应为 datetime.date")
    return anchor


def _finish(cal: Calendar, last: date, lo: date, hi: date, text: str) -> LegalDate:
    """Attach the calendar clause for the consulted days lo..hi and build the result."""
    years = list(range(lo.year, hi.year + 1))
    unpublished = [y for y in years if not cal.is_published(y)]
    if (NEXT_NOTICE_FROM and hi >= date(hi.year, 12, NEXT_NOTICE_FROM)
            and not cal.is_published(hi.year + 1)):
        unpublished.append(hi.year + 1)     # the next notice may still move late December
    unpublished = tuple(unpublished)
    notices = tuple(dict.fromkeys(cal.notice(y) for y in years if cal.is_published(y)))
    latest = max(cal.published_years(), default=0)
    parts = [text]
    if notices:
        parts.append(f"节假日依据{'、'.join(notices)}。")
    for y in unpublished:
        if y == hi.year + 1:
            parts.append(f"{y}年节假日安排尚未公布（待国务院办公厅通知公布），其元旦放假调休可能调整"
                         f"{y - 1}年12月下旬的休息日和上班日，本日期为暂定，通知公布并导入后重新计算。")
        elif y > latest:
            parts.append(f"{y}年节假日安排尚未公布（待国务院办公厅通知公布），暂按周末及法定节假日"
                         f"（含补假）推算，本日期为暂定，通知公布并导入后重新计算。")
        else:
            parts.append(f"本系统未载入{y}年节假日安排，暂按周末及法定节假日推算，本日期为暂定。")
    return LegalDate(last, ends_at(last), bool(unpublished), "".join(parts), unpublished, notices)


def period_end(anchor: date, amount: int, unit: str, *,
               calendar: Optional[Calendar] = None) -> LegalDate:
    """The last day of a period of `amount` `unit`s running from `anchor` (arts. 201-203)."""
    anchor = _check(anchor, amount, unit)
    cal = calendar or current()
    start = f"自{cn(anchor)}的次日起算（{ART_201}）"
    if unit == "workday":
        d, left = anchor, amount
        while left > 0:
            d += timedelta(days=1)
            if cal.is_workday(d):
                left -= 1
        roll = ""
        if amount == 0 and not cal.is_workday(d):
            d = _forward(cal, d)
            roll = f"起算日为休息日，顺延至{cn(d)}；"
        text = (f"{start}，按工作日计算（星期六、星期日和法定节假日不计，调休上班日计入），"
                f"第{amount}个工作日为{_cn_wd(d)}；{roll}期间至该日二十四时（北京时间）届满"
                f"（{ART_203}）。")
        return _finish(cal, d, anchor + timedelta(days=1) if amount else anchor, d, text)
    if unit == "day":
        nominal = anchor + timedelta(days=amount)
        count = f"{amount}日期满之日为{_cn_wd(nominal)}"
    else:
        months = amount * (12 if unit == "year" else 1)
        nominal, clamped = add_months(anchor, months)
        what = f"{amount}{UNIT_LABELS[unit]}"
        if clamped:
            count = (f"按{'年' if unit == 'year' else '月'}计算{what}，到期月没有对应日，"
                     f"以月末日{_cn_wd(nominal)}为期间的最后一日（{ART_202}）")
        else:
            count = (f"按{'年' if unit == 'year' else '月'}计算{what}，到期月的对应日"
                     f"{_cn_wd(nominal)}为期间的最后一日（{ART_202}）")
    last = _forward(cal, nominal)
    if last != nominal:
        rolled = (f"该日为法定休假日（{cal.describe(nominal)}），以休假日结束的次日"
                  f"{_cn_wd(last)}为期间的最后一日（{ART_203}第一款）；")
    elif nominal.weekday() >= 5:
        rolled = f"该日为{cal.describe(nominal)}，不顺延；"
    else:
        rolled = "该日为工作日；"
    text = f"{start}，{count}；{rolled}期间至{cn(last)}二十四时（北京时间）届满（{ART_203}第二款）。"
    return _finish(cal, last, nominal, last, text)


def latest_before(event: date, amount: int, unit: str, *,
                  calendar: Optional[Calendar] = None) -> LegalDate:
    """"N units before `event`": the latest compliant day, moved back to a working day."""
    event = _check(event, amount, unit)
    cal = calendar or current()
    if unit == "workday":
        d, left = event, amount
        while left > 0:
            d -= timedelta(days=1)
            if cal.is_workday(d):
                left -= 1
        if amount == 0 and not cal.is_workday(d):
            d = _backward(cal, d)
        text = (f"应于{cn(event)}前{amount}个工作日完成：{cn(event)}当日不计入，倒数工作日"
                f"（星期六、星期日和法定节假日不计，调休上班日计入；参照{ART_201}），"
                f"最迟为{_cn_wd(d)}，至该日二十四时（北京时间）止。")
        return _finish(cal, d, d, event - timedelta(days=1) if amount else event, text)
    if unit == "day":
        nominal = event - timedelta(days=amount)
        count = f"{cn(event)}当日不计入，倒数{amount}日为{_cn_wd(nominal)}（参照{ART_201}）"
    else:
        months = amount * (12 if unit == "year" else 1)
        nominal, clamped = add_months(event, -months)
        count = (f"倒数{amount}{UNIT_LABELS[unit]}，" +
                 (f"该月没有对应日，取月末日{_cn_wd(nominal)}" if clamped
                  else f"对应日为{_cn_wd(nominal)}") + f"（参照{ART_202}）")
    last = _backward(cal, nominal)
    if last != nominal:
        moved = (f"该日为法定休假日（{cal.describe(nominal)}），为确保不晚于期限，"
                 f"提前至此前最后一个工作日{_cn_wd(last)}；")
    elif nominal.weekday() >= 5:
        moved = f"该日为{cal.describe(nominal)}，无需提前；"
    else:
        moved = "该日为工作日；"
    text = (f"应于{cn(event)}前{amount}{UNIT_LABELS[unit]}完成：{count}；{moved}"
            f"最迟应于{cn(last)}二十四时（北京时间）前完成。")
    return _finish(cal, last, last, nominal, text)


def _forward(cal: Calendar, d: date) -> date:
    while not cal.is_workday(d):
        d += timedelta(days=1)
    return d


def _backward(cal: Calendar, d: date) -> date:
    while not cal.is_workday(d):
        d -= timedelta(days=1)
    return d


def compute(direction: str, anchor: date, amount: int, unit: str, *,
            calendar: Optional[Calendar] = None) -> LegalDate:
    """`period_end` for direction "after", `latest_before` for "before"."""
    if direction == "before":
        return latest_before(anchor, amount, unit, calendar=calendar)
    return period_end(anchor, amount, unit, calendar=calendar)

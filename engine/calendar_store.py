"""The official holiday arrangements as data (tables `calendar_years`, `calendar_days`).

One `CalendarYear` per year whose State Council notice is known (国务院办公厅关于YYYY年
部分节假日安排的通知), with its rest days and make-up working days as `CalendarDay` rows.
The migration seeds the years of the `chinesecalendar` package; `flask calendar import
FILE` loads a newly published year (file format: engine/data/holidays/2026.toml), then
recomputes every open deadline that was provisional and notes each change in its case's
audit trail, all in one commit.

Several processes (web workers, CLI): each keeps the calendar it installed together with
the table's version `(number of years, highest revision)`; `sync()` compares it with the
database (one aggregate query over a tiny table) and reloads when it moved. The web app
checks before every request that may write, and at most every CALENDAR_CHECK_SECONDS
before other requests.
"""
from __future__ import annotations

import time as _time
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from engine import legaltime
from engine.bilingual import Bi, embed
from engine.errors import StaleCase
from engine.legaltime import Arrangement, Calendar
from engine.models import Base, Case, Deadline, utcnow

REST, WORK = "rest", "work"
KIND_LABELS = {REST: "放假", WORK: "调休上班"}
EXAMPLES = Path(__file__).with_name("data") / "holidays"


class CalendarYear(Base):
    """A year's official arrangement and the notice it comes from."""
    __tablename__ = "calendar_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    notice: Mapped[str] = mapped_column(String(200))          # 《国务院办公厅关于…的通知》
    notice_no: Mapped[str] = mapped_column(String(60), default="")     # 文号, if known
    published_on: Mapped[Optional[date]] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200), default="")      # package or file
    revision: Mapped[int] = mapped_column(Integer, default=1)          # bumps on re-import
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarDay(Base):
    """One rest day or make-up working day of a year's notice."""
    __tablename__ = "calendar_days"
    __table_args__ = (UniqueConstraint("year", "day", name="uq_calendar_days_year_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_years.year", ondelete="CASCADE"),
                                      index=True)             # the notice's year
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))               # rest | work
    name: Mapped[str] = mapped_column(String(60))              # 春节, 国庆节 …


# -- the file format ------------------------------------------------------------------

class CalendarFileError(ValueError):
    """The arrangement file is unreadable or inconsistent; `args[0]` says why (a `Bi`:
    Chinese, with its English)."""


def _as_date(v, where: Bi) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError:
        raise CalendarFileError(Bi(f"{where}：「{v}」不是日期（应写作 2027-01-01）",
                                   f"{where.en}: {embed(v)} is not a date (write 2027-01-01)")) from None


def parse_arrangement(text: str, source: str = "") -> tuple[Arrangement, str]:
    """Read an arrangement file (TOML, see engine/data/holidays/2026.toml).
    Returns the arrangement and the notice's 文号 ("" when not given)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarFileError(Bi(f"文件格式错误（TOML）：{exc}",
                                   f"The file is not valid TOML: {exc}")) from None
    year = doc.get("year")
    if not isinstance(year, int) or not 1949 < year < 2200:
        raise CalendarFileError(Bi("缺少年份 year（例如 year = 2027）",
                                   "The year is missing (e.g. year = 2027)"))
    notice = str(doc.get("notice") or "").strip()
    if not notice:
        raise CalendarFileError(Bi("缺少通知名称 notice（例如 notice = \"国务院办公厅关于2027年部分节假日安排的通知\"）",
                                   "The notice's title is missing (notice = \"…\", the State "
                                   "Council's notice as published)"))
    if not notice.startswith("《"):
        notice = f"《{notice}》"
    published = (_as_date(doc["published_on"], Bi("published_on", "published_on"))
                 if doc.get("published_on") else None)
    items = doc.get("holidays")
    if not isinstance(items, list) or not items:
        raise CalendarFileError(Bi("缺少节日安排 [[holidays]]", "The holidays [[holidays]] are missing"))
    lo, hi = date(year - 1, 12, 1), date(year + 1, 1, 31)
    rest: dict[date, str] = {}
    work: dict[date, str] = {}
    for i, h in enumerate(items, 1):
        name = str(h.get("name") or "").strip()
        where = Bi(f"第{i}个节日（{name or '未命名'}）",
                   f"holiday {i} ({embed(name) if name else 'unnamed'})")

        def wrong(zh: str, en: str) -> CalendarFileError:
            return CalendarFileError(Bi(f"{where}：{zh}", f"{where.en}: {en}"))
        if not name:
            raise wrong("缺少名称 name", "the name is missing")
        if "rest_from" not in h or "rest_to" not in h:
            raise wrong("缺少放假起止日 rest_from / rest_to",
                        "the first and last rest days rest_from / rest_to are missing")
        a, b = _as_date(h["rest_from"], where), _as_date(h["rest_to"], where)
        if b < a:
            raise wrong(f"放假止日 {b} 早于起日 {a}", f"the last rest day {b} is before the first {a}")
        if (b - a).days > 15:
            raise wrong(f"放假 {(b - a).days + 1} 天，超过常理，请核对",
                        f"{(b - a).days + 1} rest days is more than any holiday has; check it")
        days = [a + timedelta(days=k) for k in range((b - a).days + 1)]
        for d in days:
            if d in rest:
                raise wrong(f"{d} 已列为{rest[d]}假期", f"{d} is already a rest day of {embed(rest[d])}")
            rest[d] = name
        for w in h.get("work") or []:
            w = _as_date(w, where)
            if w.weekday() < 5:
                raise wrong(f"调休上班日 {w} 不是星期六或星期日",
                            f"the make-up working day {w} is not a Saturday or Sunday")
            if w in rest:
                raise wrong(f"{w} 既是放假日又是调休上班日", f"{w} is both a rest day and a working day")
            work[w] = name
    for d in list(rest) + list(work):
        if not lo <= d <= hi:
            raise CalendarFileError(Bi(f"日期 {d} 不在 {year} 年安排的范围内",
                                       f"the date {d} is outside the {year} arrangement"))
    clash = set(rest) & set(work)
    if clash:
        raise CalendarFileError(Bi(f"{min(clash)} 既是放假日又是调休上班日",
                                   f"{min(clash)} is both a rest day and a working day"))
    return Arrangement(year, rest, work, notice, source, published), str(doc.get("notice_no") or "")


def load_file(path) -> tuple[Arrangement, str]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarFileError(Bi(f"无法读取文件 {p}：{exc}", f"Cannot read the file {p}: {exc}")) from None
    return parse_arrangement(text, source=f"导入文件 {p.name}")


# -- reading the table ------------------------------------------------------------------

def _version(conn) -> tuple[int, int]:
    n, rev = conn.execute(_VERSION).one()
    return int(n), int(rev)


# Built once: the check runs before every request that may write.
_VERSION = select(func.count(CalendarYear.__table__.c.year),
                  func.coalesce(func.max(CalendarYear.__table__.c.revision), 0))


def arrangements(conn) -> list[Arrangement]:
    """Every year in the table as an Arrangement (conn: Connection or Session)."""
    days: dict[int, tuple[dict, dict]] = {}
    for y, d, kind, name in conn.execute(
            select(CalendarDay.year, CalendarDay.day, CalendarDay.kind, CalendarDay.name)):
        days.setdefault(y, ({}, {}))[0 if kind == REST else 1][d] = name
    out = []
    for y, notice, src, pub in conn.execute(
            select(CalendarYear.year, CalendarYear.notice, CalendarYear.source,
                   CalendarYear.published_on).order_by(CalendarYear.year)):
        rest, work = days.get(y, ({}, {}))
        out.append(Arrangement(y, rest, work, notice, src, pub))
    return out


def calendar_from(conn) -> Calendar:
    """The built-in years with every year of the table over them."""
    return legaltime.build(arrangements(conn), version=_version(conn))


_last_check = 0.0


def sync(bind, *, force: bool = False, max_age: float = 0.0) -> bool:
    """Install the database's arrangements in this process if the table changed since
    the calendar this process uses. `bind`: Engine, Connection or Session. Skips the
    query when the last check is younger than `max_age` seconds (unless `force`).
    Returns True when a new calendar was installed. A database without the table yet
    (before `flask init-db`) leaves the built-in calendar in place."""
    global _last_check
    now = _time.monotonic()
    if not force and max_age and now - _last_check < max_age:
        return False
    _last_check = now

    def run(conn) -> bool:
        v = _version(conn)
        if not force and legaltime.current().version == v:
            return False
        legaltime.install(legaltime.build(arrangements(conn), version=v))
        return True

    try:
        if isinstance(bind, Engine):
            with bind.connect() as conn:
                return run(conn)
        # A session's own connection: plain statements, without the ORM's execution layer.
        return run(bind.connection() if isinstance(bind, Session) else bind)
    except (OperationalError, ProgrammingError):
        if isinstance(bind, (Session, Connection)):
            bind.rollback()
        return False


# -- importing ---------------------------------------------------------------------------

@dataclass
class Change:
    case_id: int
    deadline_id: int
    key: str
    label: str
    old_due: date
    new_due: date
    old_provisional: bool
    new_provisional: bool

    def as_dict(self) -> dict:
        return {"case_id": self.case_id, "deadline_id": self.deadline_id, "key": self.key,
                "label": self.label, "old_due": self.old_due.isoformat(),
                "new_due": self.new_due.isoformat(), "old_provisional": self.old_provisional,
                "new_provisional": self.new_provisional}


@dataclass
class ImportResult:
    year: int
    notice: str
    rest_days: int
    work_days: int
    replaced: bool
    checked: int = 0
    changes: list[Change] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"year": self.year, "notice": self.notice, "rest_days": self.rest_days,
                "work_days": self.work_days, "replaced": self.replaced,
                "provisional_checked": self.checked, "recomputed": len(self.changes),
                "changes": [c.as_dict() for c in self.changes]}


def _store(session: Session, arr: Arrangement, notice_no: str, now: datetime) -> bool:
    rev = (session.scalar(select(func.max(CalendarYear.revision))) or 0) + 1
    row = session.get(CalendarYear, arr.year)
    replaced = row is not None
    if row is None:
        row = CalendarYear(year=arr.year)
        session.add(row)
    else:
        for d in session.scalars(select(CalendarDay).where(CalendarDay.year == arr.year)):
            session.delete(d)
        session.flush()
    row.notice, row.notice_no, row.published_on = arr.notice, notice_no, arr.published_on
    row.source, row.revision, row.imported_at = arr.source, rev, now
    session.flush()
    for kind, days in ((REST, arr.rest), (WORK, arr.work)):
        session.add_all([CalendarDay(year=arr.year, day=d, kind=kind, name=n)
                         for d, n in sorted(days.items())])
    session.flush()
    return replaced


def recompute_provisional(session: Session, cal: Calendar, now: datetime,
                          reason: str = "") -> tuple[int, list[Change]]:
    """Recompute every open provisional deadline on `cal`; note each change in its case's
    audit trail. No commit. Returns (rows checked, changes)."""
    from engine.runtime import NOTES, note
    rows = list(session.scalars(select(Deadline).where(
        Deadline.status == "open", Deadline.provisional.is_(True)).order_by(Deadline.id)))
    from engine.deadlines import log
    changes, touched = [], []
    for row in rows:
        due = legaltime.compute(row.direction, row.anchor_date, row.amount, row.unit,
                                calendar=cal)
        if (due.date, due.provisional) == (row.due_date, row.provisional):
            if row.basis != due.basis:
                row.basis = due.basis        # same day, same status: wording only
                touched.append(row)
            continue
        touched.append(row)
        ch = Change(row.case_id, row.id, row.key, row.label, row.due_date, due.date,
                    row.provisional, due.provisional)
        row.due_date, row.ends_at = due.date, due.ends_at
        row.provisional, row.basis = due.provisional, due.basis
        case = session.get(Case, row.case_id)
        payload = {"deadline_id": row.id, "key": row.key, "label": row.label,
                   "old_due": ch.old_due.isoformat(), "new_due": ch.new_due.isoformat(),
                   "old_provisional": ch.old_provisional, "provisional": ch.new_provisional,
                   "basis": due.basis, "reason": reason}
        note(session, case, "deadline_recomputed", NOTES["deadline_recomputed"], payload, now=now)
        changes.append(ch)
    log(session, touched)
    return len(rows), changes


def import_arrangement(session: Session, arr: Arrangement, notice_no: str = "", *,
                       now: Optional[datetime] = None, attempts: int = 3) -> ImportResult:
    """Store a year's arrangement (replacing an earlier version of that year), recompute
    the open provisional deadlines on the new calendar, note each change; one commit.
    The new calendar is installed in this process after the commit. A concurrent step
    on one of the cases makes the transaction start again (up to `attempts` times)."""
    now = now or datetime.now(timezone.utc)
    for attempt in range(1, attempts + 1):
        try:
            replaced = _store(session, arr, notice_no, now)
            cal = calendar_from(session)
            reason = f"{arr.year}年节假日安排已导入（{arr.notice}）"
            checked, changes = recompute_provisional(session, cal, now, reason)
            session.commit()
            break
        except (StaleDataError, StaleCase, OperationalError) as exc:
            # A case was advanced meanwhile (its optimistic lock moved): start again.
            session.rollback()
            if attempt == attempts or (isinstance(exc, OperationalError)
                                       and "lock" not in str(exc).lower()
                                       and "serializ" not in str(exc).lower()):
                raise
        except BaseException:
            session.rollback()
            raise
    legaltime.install(cal)
    return ImportResult(arr.year, arr.notice, len(arr.rest), len(arr.work), replaced,
                        checked, changes)


def recompute(session: Session, *, now: Optional[datetime] = None) -> tuple[int, list[Change]]:
    """Recompute the open provisional deadlines on the database's calendar; one commit."""
    now = now or datetime.now(timezone.utc)
    try:
        cal = calendar_from(session)
        out = recompute_provisional(session, cal, now, "按已载入的节假日安排重新计算")
        session.commit()
    except BaseException:
        session.rollback()
        raise
    legaltime.install(cal)
    return out


def seed_rows(arrs: list[Arrangement]) -> tuple[list[dict], list[dict]]:
    """Rows for the tables from arrangements (used by the migration's seed)."""
    now = datetime.now(timezone.utc)
    years, days = [], []
    for a in arrs:
        years.append({"year": a.year, "notice": a.notice, "notice_no": "",
                      "published_on": a.published_on, "source": a.source, "revision": 1,
                      "imported_at": now})
        for kind, these in ((REST, a.rest), (WORK, a.work)):
            days += [{"year": a.year, "day": d, "kind": kind, "name": n}
                     for d, n in sorted(these.items())]
    return years, days

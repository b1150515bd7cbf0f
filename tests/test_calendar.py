"""The holiday calendar as data: the arrangement file, `flask calendar import` with the
recomputation of provisional deadlines and its audit trail, several processes, and
`flask period`.

The 2027 arrangement below is INVENTED test data (no 2027 notice was known when this was
written): 元旦 1-3 Jan off; 春节 5 Feb (Fri) - 11 Feb (Thu) off, 20 Feb (Sat) a working day.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from engine import legaltime
from engine.audit import verify_all
from engine.calendar_store import (EXAMPLES, CalendarDay, CalendarFileError, CalendarYear,
                                   import_arrangement, load_file, parse_arrangement, sync)
from engine.models import Deadline, Event
from engine.runtime import advance, open_case
from tests.helpers import at

MADE_UP_2027 = """\
# 虚构的测试安排，不是官方通知
year = 2027
notice = "国务院办公厅关于2027年部分节假日安排的通知"
published_on = 2026-11-25

[[holidays]]
name = "元旦"
rest_from = 2027-01-01
rest_to = 2027-01-03
work = []

[[holidays]]
name = "春节"
rest_from = 2027-02-05
rest_to = 2027-02-11
work = [2027-02-20]
"""


@pytest.fixture(autouse=True)
def _builtin_calendar():
    legaltime.reset()
    yield
    legaltime.reset()


@pytest.fixture
def file2027(tmp_path) -> Path:
    p = tmp_path / "2027.toml"
    p.write_text(MADE_UP_2027, encoding="utf-8")
    return p


def contract(signed: date) -> dict:
    return {"contract_kind": "assembly", "contract_no": "HT-1", "client": "业主委员会",
            "signed_on": signed.isoformat(), "term_start": "2027-03-01",
            "term_end": "2030-02-28", "fee": "1.80", "area": "1000.00"}


# -- the file format ------------------------------------------------------------------

def test_the_shipped_2026_file_matches_the_official_arrangement():
    arr, _ = load_file(EXAMPLES / "2026.toml")
    assert arr.year == 2026 and arr.notice == "《国务院办公厅关于2026年部分节假日安排的通知》"
    assert arr.published_on == date(2025, 11, 4)
    assert sorted(arr.work) == [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28),
                                date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10)]
    # 3 + 9 + 3 + 5 + 3 + 3 + 7 days off
    assert len(arr.rest) == 33
    assert arr.rest[date(2026, 2, 23)] == "春节" and arr.rest[date(2026, 10, 7)] == "国庆节"


@pytest.mark.parametrize("text,message", [
    ("year = 2027\n", "notice"),
    ("notice = \"x\"\n", "year"),
    ('year = 2027\nnotice = "n"\n[[holidays]]\nname = "春节"\nrest_from = 2027-02-05\n', "rest_to"),
    ('year = 2027\nnotice = "n"\n[[holidays]]\nname = "春节"\nrest_from = 2027-02-05\n'
     'rest_to = 2027-02-11\nwork = [2027-02-22]\n', "不是星期六或星期日"),
    ('year = 2027\nnotice = "n"\n[[holidays]]\nname = "春节"\nrest_from = 2027-02-11\n'
     'rest_to = 2027-02-05\n', "早于"),
    ('year = 2027\nnotice = "n"\n[[holidays]]\nname = "国庆节"\nrest_from = 2028-10-01\n'
     'rest_to = 2028-10-07\n', "不在 2027 年"),
    ("year = [", "TOML"),
])
def test_a_bad_file_is_refused_with_a_chinese_reason(text, message):
    with pytest.raises(CalendarFileError) as info:
        parse_arrangement(text)
    assert message in str(info.value)


# -- import, recomputation, audit ------------------------------------------------------

def test_import_recomputes_provisional_open_deadlines_and_notes_each_change(
        runner, session, district, file2027):
    ent = district.actor("enterprise")
    henan, shandong = district.estates["jinxiu"], district.estates["taishan"]
    # A: Henan, signed 25 Jan 2027: 15 days -> Tue 9 Feb 2027. The projection has the
    # Spring Festival 5-8 Feb plus 补假 9-10 Feb, so Thu 11 Feb, provisional.
    a = open_case(session, "contract_filing", henan.id, ent, contract(date(2027, 1, 25)),
                  now=at(date(2027, 1, 26)))
    # B: Shandong, signed 10 Jan 2027: 10 days -> Wed 20 Jan 2027, provisional.
    b = open_case(session, "contract_filing", shandong.id, district.actor("enterprise2"),
                  contract(date(2027, 1, 10)), now=at(date(2027, 1, 11)))
    # C: inside 2026, final: untouched.
    c = open_case(session, "contract_filing", henan.id, ent, contract(date(2026, 9, 16)),
                  now=at(date(2026, 9, 17)))
    # D: provisional but already met: untouched.
    d = open_case(session, "contract_filing", henan.id, ent, contract(date(2027, 1, 24)),
                  now=at(date(2027, 1, 25)))
    advance(session, d.id, "submit", ent, {}, now=at(date(2027, 1, 26)))

    def dl(case):
        return session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()

    assert (dl(a).due_date, dl(a).provisional) == (date(2027, 2, 11), True)
    assert "2027年节假日安排尚未公布" in dl(a).basis
    assert (dl(b).due_date, dl(b).provisional) == (date(2027, 1, 20), True)
    assert (dl(c).due_date, dl(c).provisional) == (date(2026, 10, 8), False)
    met_before = (dl(d).due_date, dl(d).provisional, dl(d).status)
    events_before = session.scalar(select(func.count(Event.id)))
    session.commit()

    result = runner.invoke(args=["calendar", "import", str(file2027),
                                 "--now", "2026-11-26T09:00:00+08:00"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["year"] == 2027 and summary["recomputed"] == 2
    assert {(ch["case_id"], ch["old_due"], ch["new_due"]) for ch in summary["changes"]} == {
        (a.id, "2027-02-11", "2027-02-12"),      # official: off 5-11 Feb -> Fri 12 Feb
        (b.id, "2027-01-20", "2027-01-20"),      # same day, now final
    }

    session.expire_all()
    assert (dl(a).due_date, dl(a).provisional) == (date(2027, 2, 12), False)
    assert "国务院办公厅关于2027年部分节假日安排的通知" in dl(a).basis
    assert "尚未公布" not in dl(a).basis
    assert dl(a).ends_at == datetime(2027, 2, 12, 16, 0, tzinfo=timezone.utc)
    assert (dl(b).due_date, dl(b).provisional) == (date(2027, 1, 20), False)
    assert (dl(c).due_date, dl(c).provisional) == (date(2026, 10, 8), False)
    assert (dl(d).due_date, dl(d).provisional, dl(d).status) == met_before

    # One audit event per change, in the case's own chain.
    notes = session.scalars(select(Event).where(Event.trigger == "deadline_recomputed")
                            .order_by(Event.case_id)).all()
    assert [n.case_id for n in notes] == [a.id, b.id]
    assert session.scalar(select(func.count(Event.id))) == events_before + 2
    first = notes[0]
    assert first.label == "期限重新计算" and first.role == "system"
    assert first.payload["old_due"] == "2027-02-11" and first.payload["new_due"] == "2027-02-12"
    assert first.payload["old_provisional"] is True and first.payload["provisional"] is False
    assert "2027年节假日安排已导入" in first.payload["reason"]
    assert first.created_at == datetime(2026, 11, 26, 1, 0, tzinfo=timezone.utc)
    assert first.from_state == first.to_state == "registered"
    assert verify_all(session) == (4, [])

    # The table holds the year with its notice; computations in this process use it.
    year = session.get(CalendarYear, 2027)
    assert year.notice == "《国务院办公厅关于2027年部分节假日安排的通知》"
    assert session.scalar(select(func.count(CalendarDay.id)).where(CalendarDay.year == 2027)) == 11
    due = legaltime.period_end(date(2027, 1, 25), 15, "day")
    assert due.date == date(2027, 2, 12) and not due.provisional

    # Importing the same file again changes nothing and writes no event.
    again = runner.invoke(args=["calendar", "import", str(file2027)])
    assert again.exit_code == 0
    assert json.loads(again.stdout.strip().splitlines()[-1])["recomputed"] == 0
    session.expire_all()
    assert session.scalar(select(func.count(Event.id))) == events_before + 2


def test_a_bad_file_changes_nothing(runner, session, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('year = 2027\nnotice = "n"\n[[holidays]]\nname = "x"\nrest_from = 2027-02-05\n'
                   'rest_to = 2027-02-06\nwork = [2027-02-08]\n', encoding="utf-8")
    result = runner.invoke(args=["calendar", "import", str(bad)])
    assert result.exit_code == 2
    assert "导入失败" in result.output and "不是星期六或星期日" in result.output
    assert session.scalar(select(func.count(CalendarYear.year))) == 0
    missing = runner.invoke(args=["calendar", "import", str(tmp_path / "none.toml")])
    assert missing.exit_code == 2 and "无法读取文件" in missing.output


def test_other_processes_pick_up_an_import_by_a_version_check(session, db_engine, file2027):
    arr, no = load_file(file2027)
    assert sync(db_engine) is True              # first look: installs the (empty) table
    assert sync(db_engine) is False             # unchanged: nothing reloaded
    import_arrangement(session, arr, no, now=at(date(2026, 11, 26)))
    legaltime.reset()                           # this "worker" still has the old calendar
    assert legaltime.period_end(date(2027, 1, 25), 15, "day").provisional
    assert sync(db_engine) is True
    assert legaltime.period_end(date(2027, 1, 25), 15, "day").date == date(2027, 2, 12)
    # A re-import elsewhere bumps the revision: seen too.
    session.execute(update(CalendarYear).values(revision=CalendarYear.revision + 1))
    session.commit()
    assert sync(db_engine) is True


def test_web_requests_sync_before_writing(app, session, file2027):
    arr, no = load_file(file2027)
    import_arrangement(session, arr, no, now=at(date(2026, 11, 26)))
    legaltime.reset()
    client = app.test_client()
    client.post("/login", data={"username": "nobody", "password": "x"})
    assert legaltime.is_published(2027)


# -- flask period -------------------------------------------------------------------------

def period(runner, *args):
    result = runner.invoke(args=["period", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_period_prints_the_contract_json(runner):
    out = period(runner, "2026-09-16", "15", "day")
    assert set(out) == {"due", "ends_at", "provisional", "basis"}
    assert out["due"] == "2026-10-08"
    assert out["ends_at"] == "2026-10-09T00:00:00+08:00"
    assert out["provisional"] is False
    assert "民法典第二百零三条" in out["basis"] and "国庆节" in out["basis"]


def test_period_reports_the_province_pack(runner):
    henan = period(runner, "2026-09-16", "15", "day", "--province", "河南省")["basis"]
    assert "适用规则包：河南省物业管理条例" in henan
    shandong = period(runner, "2026-06-01", "10", "day", "--province", "山东")
    assert shandong["due"] == "2026-06-11" and "山东省物业管理条例" in shandong["basis"]
    hunan = period(runner, "2026-09-16", "15", "day", "--province", "湖南省")["basis"]
    assert "全国规则" in hunan and "湖南省物业管理条例尚未载入" in hunan
    guizhou = period(runner, "2026-09-16", "15", "day", "-p", "贵州省")["basis"]
    assert "贵州省物业管理条例尚未载入" in guizhou


def test_period_units_before_and_provisional(runner):
    assert period(runner, "2026-02-12", "5", "workday")["due"] == "2026-02-26"
    assert period(runner, "2026-01-31", "1", "month")["due"] == "2026-02-28"
    assert period(runner, "2026-10-12", "10", "day", "--before")["due"] == "2026-09-30"
    out = period(runner, "2026-12-20", "15", "day")
    assert out["due"] == "2027-01-04" and out["provisional"] is True
    assert "待国务院办公厅通知公布" in out["basis"]


def test_period_uses_an_imported_year(runner, session, file2027):
    arr, no = load_file(file2027)
    import_arrangement(session, arr, no, now=at(date(2026, 11, 26)))
    legaltime.reset()          # as if `flask period` ran in a fresh process
    out = period(runner, "2027-01-25", "15", "day")
    assert out == {**out, "due": "2027-02-12", "provisional": False}


@pytest.mark.parametrize("args,message", [
    (["2026-13-01", "1", "day"], "不是日期"),
    (["2026-01-01", "1", "week"], "不是期间单位"),
    (["2026-01-01", "-1", "day"], "-1"),
])
def test_period_refuses_bad_input(runner, args, message):
    result = runner.invoke(args=["period", *args])
    assert result.exit_code == 2 and message in result.output


def test_calendar_list_names_each_years_notice(runner):
    result = runner.invoke(args=["calendar", "list"])
    assert result.exit_code == 0
    assert "2026  《国务院办公厅关于2026年部分节假日安排的通知》" in result.output
    assert "2027 年起：尚未公布" in result.output


# -- the migration's seed ------------------------------------------------------------------

def test_migration_seeds_the_package_years(tmp_path):
    from engine.db import make_engine, upgrade
    from engine.calendar_store import arrangements
    url = f"sqlite:///{tmp_path / 'seed.db'}"
    upgrade(url)
    eng = make_engine(url)
    with eng.connect() as conn:
        got = {a.year: a for a in arrangements(conn)}
    eng.dispose()
    shipped, _ = load_file(EXAMPLES / "2026.toml")
    assert set(got) >= set(range(2010, 2027))
    assert got[2026].rest == shipped.rest and got[2026].work == shipped.work
    assert got[2026].notice == shipped.notice


def test_import_starts_again_when_a_case_moved_meanwhile(session, district, file2027):
    """A step taken on a case during the import makes its optimistic lock fail; the
    import rolls back and runs again, writing each audit event once."""
    from sqlalchemy import event as sa_event
    from sqlalchemy.orm.exc import StaleDataError
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id,
                     district.actor("enterprise"), contract(date(2027, 1, 25)),
                     now=at(date(2027, 1, 26)))
    failures = []

    def once(_session):
        if not failures:
            failures.append(1)
            raise StaleDataError("simulated concurrent step")

    sa_event.listen(session, "before_commit", once)
    try:
        arr, no = load_file(file2027)
        result = import_arrangement(session, arr, no, now=at(date(2026, 11, 26)))
    finally:
        sa_event.remove(session, "before_commit", once)
    assert failures == [1] and len(result.changes) == 1
    notes = session.scalars(select(Event).where(Event.case_id == case.id,
                                                Event.trigger == "deadline_recomputed")).all()
    assert len(notes) == 1 and verify_all(session) == (1, [])


def test_calendar_recompute_catches_up_rows_written_with_an_old_calendar(
        runner, session, district, file2027):
    """A worker that computed a deadline on the projection just before an import (the
    version check races the import) leaves a provisional row; `calendar recompute` fixes it."""
    from engine.calendar_store import _store
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id,
                     district.actor("enterprise"), contract(date(2027, 1, 25)),
                     now=at(date(2027, 1, 26)))
    arr, no = load_file(file2027)
    _store(session, arr, no, at(date(2026, 11, 26)))       # the table only, no recomputation
    session.commit()
    result = runner.invoke(args=["calendar", "recompute"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["recomputed"] == 1
    session.expire_all()
    row = session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    assert (row.due_date, row.provisional) == (date(2027, 2, 12), False)

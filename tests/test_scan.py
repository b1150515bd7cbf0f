"""The deadline scan: due soon, overdue and escalation on the right days across the 2026
National Day holiday; each alert written once, also when scans repeat or race."""
from __future__ import annotations

import json
import threading
from datetime import date

from sqlalchemy import func, select

from engine.alerts import Alert, OutboxMessage, unread_count
from engine.db import make_sessionmaker
from engine.models import Deadline, Event
from engine.runtime import advance, open_case
from engine.scan import scan
from tests.helpers import at

SIGNED = date(2026, 9, 16)       # Henan: 15 days → 1 Oct, in the holiday → due Thu 8 Oct


def contract(signed=SIGNED, no="XY-2026-088"):
    return {"contract_kind": "assembly", "contract_no": no, "client": "锦绣花园业主委员会",
            "signed_on": signed.isoformat(), "term_start": "2026-10-01",
            "term_end": "2029-09-30", "fee": "1.80", "area": "86420.50"}


def alerts(session, case_id=None):
    session.expire_all()
    q = select(Alert).order_by(Alert.id)
    if case_id:
        q = q.where(Alert.case_id == case_id)
    return session.scalars(q).all()


def stages(session, case_id=None):
    return [(a.stage, a.organisation_id) for a in alerts(session, case_id)]


def open_filing(session, district, signed=SIGNED, estate="jinxiu", no="XY-2026-088"):
    ent = district.actor("enterprise")
    return open_case(session, "contract_filing", district.estates[estate].id, ent,
                     contract(signed, no), now=at(signed))


def test_due_soon_overdue_and_escalation_fall_on_working_days_around_national_day(session, district):
    case = open_filing(session, district)
    dl = session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    assert dl.due_date == date(2026, 10, 8)
    ent, street, bureau = (district.orgs[k].id for k in ("enterprise", "street", "bureau"))

    # Warning: 3 working days before the last day. Counting back from Thu 8 Oct skips the
    # holiday (1-7 Oct): 30, 29, 28 Sept → the warning starts Monday 28 Sept.
    assert scan(session, at(date(2026, 9, 25)))["due_soon"] == 0     # Friday before
    assert scan(session, at(date(2026, 9, 27)))["due_soon"] == 0     # Sunday
    s = scan(session, at(date(2026, 9, 28)))
    assert s["due_soon"] == 1 and s["missed"] == 0
    assert stages(session) == [("due_soon", ent)]
    # Last day, late evening: still not overdue (the period ends at 24:00).
    s = scan(session, at(date(2026, 10, 8), 23))
    assert s == {**s, "missed": 0, "due_soon": 0, "alerts": 0}

    # Midnight: missed, the enterprise is told, the case's trail records it.
    s = scan(session, at(date(2026, 10, 9), 0))
    assert (s["missed"], s["overdue"], s["escalated"]) == (1, 1, 0)
    session.refresh(dl)
    assert dl.status == "missed"
    ev = session.scalars(select(Event).where(Event.case_id == case.id)
                         .order_by(Event.seq.desc())).first()
    assert ev.trigger == "deadline_missed" and ev.payload["deadlines"][0]["deadline_id"] == dl.id
    assert ev.from_state == ev.to_state == "registered"

    # Escalation to the street office after 5 working days overdue: 9 Oct, Sat 10 Oct (a
    # make-up working day), 12, 13, 14 Oct → on Wednesday 14 Oct, not before.
    assert scan(session, at(date(2026, 10, 11)))["escalated"] == 0   # Sunday
    assert scan(session, at(date(2026, 10, 13)))["escalated"] == 0
    s = scan(session, at(date(2026, 10, 14)))
    assert s["escalated"] == 1
    assert stages(session)[-1] == ("escalated_1", street)
    # Then the housing bureau after 10 working days: 15, 16, 19, 20, 21 Oct.
    assert scan(session, at(date(2026, 10, 20)))["escalated"] == 0
    assert scan(session, at(date(2026, 10, 21)))["escalated"] == 1
    assert stages(session) == [("due_soon", ent), ("overdue", ent), ("escalated_1", street),
                               ("escalated_2", bureau)]
    # Nothing further, ever: a repeated scan writes nothing new.
    events_before = session.scalar(select(func.count(Event.id)))
    s = scan(session, at(date(2026, 12, 1)))
    assert s["alerts"] == 0 and s["missed"] == 0
    assert session.scalar(select(func.count(Event.id))) == events_before
    a = alerts(session)[-1]
    assert "逾期" in a.title and "第四十九条" in a.body


def test_a_scan_after_a_long_gap_writes_every_alert_that_is_due_once(session, district):
    case = open_filing(session, district)
    s = scan(session, at(date(2026, 11, 2)))
    # Too late for "due soon"; overdue and both escalation levels at once.
    assert (s["missed"], s["due_soon"], s["overdue"], s["escalated"]) == (1, 0, 1, 2)
    assert [a.stage for a in alerts(session, case.id)] == ["overdue", "escalated_1", "escalated_2"]
    again = scan(session, at(date(2026, 11, 2), 11))
    assert again["alerts"] == 0


def test_thresholds_are_configurable_per_procedure(session, district):
    open_filing(session, district)
    th = {"contract_filing": {"due_soon": 5, "escalate": [1]}}
    # 5 working days before 8 Oct, skipping National Day, the weekend of 26-27 Sept and
    # the Mid-Autumn Festival (Fri 25 Sept): 30, 29, 28, 24, 23 Sept → from Wed 23 Sept.
    assert scan(session, at(date(2026, 9, 22)), thresholds=th)["due_soon"] == 0
    assert scan(session, at(date(2026, 9, 23)), thresholds=th)["due_soon"] == 1
    s = scan(session, at(date(2026, 10, 9)), thresholds=th)
    assert s["escalated"] == 1     # one working day overdue: 9 Oct itself
    assert [a.stage for a in alerts(session)] == ["due_soon", "overdue", "escalated_1"]
    assert alerts(session)[-1].final
    assert scan(session, at(date(2026, 11, 30)), thresholds=th)["alerts"] == 0


def test_a_deadline_met_after_it_was_missed_stays_visible_as_late(session, district):
    case = open_filing(session, district)
    scan(session, at(date(2026, 10, 14)))
    ent = district.actor("enterprise")
    advance(session, case.id, "submit", ent, {"note": "补报"}, now=at(date(2026, 10, 15)))
    dl = session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    assert dl.status == "met" and dl.late
    # Met: no escalation to the bureau any more, but its history stays.
    assert scan(session, at(date(2026, 10, 30)))["alerts"] == 0
    assert [a.stage for a in alerts(session)] == ["overdue", "escalated_1"]
    triggers = session.scalars(select(Event.trigger).where(Event.case_id == case.id)
                               .order_by(Event.seq)).all()
    assert triggers == ["open", "deadline_missed", "submit"]


def test_withdrawn_and_filed_cases_raise_no_alerts(session, district):
    ent = district.actor("enterprise")
    c1 = open_filing(session, district, no="A-1")
    c2 = open_filing(session, district, no="A-2")
    advance(session, c1.id, "withdraw", ent, {"reason": "合同解除"}, now=at(date(2026, 9, 20)))
    advance(session, c2.id, "submit", ent, {}, now=at(date(2026, 9, 21)))
    s = scan(session, at(date(2026, 11, 2)))
    assert s["alerts"] == 0 and s["missed"] == 0


def test_the_alert_reaches_the_supervisor_when_the_estate_lacks_the_party(session, district):
    """An alert for a role the estate has no organisation for goes one level up."""
    from engine.alerts import resolve
    estate = {"street_office_id": 2, "community_id": 4, "committee_id": None, "bureau_id": 1}
    assert resolve("committee", None, estate) == ("community", 4)
    assert resolve("enterprise", 7, estate) == ("enterprise", 7)
    assert resolve("developer", None, {"bureau_id": 1}) == ("housing_bureau", 1)


def test_each_alert_is_queued_for_e_mail_once(session, district):
    open_filing(session, district)
    scan(session, at(date(2026, 10, 14)))
    scan(session, at(date(2026, 10, 14), 15))
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.to_addr for m in rows] == ["a@example.com", "street@example.gov.cn"]
    assert all(m.status == "pending" for m in rows)


def test_unread_count_follows_the_organisation(session, district):
    open_filing(session, district)
    scan(session, at(date(2026, 10, 14)))
    assert unread_count(session, district.actor("enterprise")) == 1
    assert unread_count(session, district.actor("street")) == 1
    assert unread_count(session, district.actor("street2")) == 0
    assert unread_count(session, district.actor("enterprise2")) == 0


def _race(db_engine, n_threads, now, **kw):
    Session = make_sessionmaker(db_engine)
    results, errors = [], []
    barrier = threading.Barrier(n_threads)

    def work():
        s = Session()
        try:
            barrier.wait()
            results.append(scan(s, now, **kw))
        except Exception as exc:     # pragma: no cover - reported below
            errors.append(exc)
        finally:
            s.close()

    threads = [threading.Thread(target=work) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_concurrent_scans_write_each_alert_and_trail_event_once(session, district, db_engine):
    cases = [open_filing(session, district, no=f"C-{i}", estate=("jinxiu", "hudong")[i % 2])
             for i in range(24)]
    results = _race(db_engine, 3, at(date(2026, 10, 21)), batch=4)
    assert sum(r["missed"] for r in results) == 24
    assert sum(r["alerts"] for r in results) == 24 * 3
    session.expire_all()
    assert session.scalar(select(func.count(Alert.id))) == 24 * 3
    dupes = session.execute(select(Alert.deadline_id, Alert.stage, func.count())
                            .group_by(Alert.deadline_id, Alert.stage).having(func.count() > 1)).all()
    assert dupes == []
    for c in cases:
        trail = session.scalars(select(Event.trigger).where(Event.case_id == c.id)).all()
        assert trail.count("deadline_missed") == 1
    from engine.audit import verify_all
    assert verify_all(session)[1] == []
    # And a second wave of racing scanners finds nothing to do.
    again = _race(db_engine, 2, at(date(2026, 10, 21), 18), batch=4)
    assert sum(r["alerts"] for r in again) == 0


def test_cli_scan_prints_a_json_summary(app, runner, session, district):
    open_filing(session, district)
    res = runner.invoke(args=["deadlines", "scan", "--now", "2026-10-09T08:00"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["missed"] == 1 and out["overdue"] == 1 and out["today"] == "2026-10-09"
    assert out["mail"]["queued"] == 1 and out["mail"]["sent"] == 0
    res = runner.invoke(args=["deadlines", "scan", "--now", "2026-10-09T09:00"])
    assert json.loads(res.output)["alerts"] == 0


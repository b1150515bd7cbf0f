"""The demo district (`flask demo`, docs/contract.md "Demo district"): whatever day it is loaded
on, a newcomer finds cases of every procedure under both street offices, in various
states, some overdue and some due soon, with the deadline scan already run so inboxes and
dashboards show the overdue work; loading twice changes nothing; the audit trail is intact.

The days include National Day (2026-10-02) and a day in a year whose official holiday
arrangement is not published yet (2027-02-10, just before the Spring Festival), so the
legal calendar rolls many of the demo's dates."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

import web.demo as demo
from engine import files, runtime
from engine.access import Actor, may_see_case
from engine.alerts import Alert
from engine.audit import verify_all
from engine.links import children
from engine.models import Case, Deadline, Estate, Event
from engine.registry import get as definition
from tests.helpers import at
from web.demo import ACCOUNTS, DEMO_PASSWORD, load_demo
from workflows import REGISTRY

DAYS = [date(2026, 11, 21), date(2026, 10, 2), date(2027, 2, 10)]


@pytest.fixture
def quiet(monkeypatch, session):
    """No PDFs and no certificates here: the CLI test below renders and signs them."""
    monkeypatch.setitem(session.info, "issuers", [])
    monkeypatch.setattr(demo, "_certificates", lambda session, district: None)


def counts(session):
    return tuple(session.scalar(select(func.count(m.id))) for m in (Case, Event, Deadline, Alert))


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_the_demo_is_a_living_district_whatever_the_day(session, quiet, today):
    assert load_demo(session, today=today) is True
    session.expire_all()
    cases = session.scalars(select(Case).order_by(Case.id)).all()

    # Every procedure, each in more than one state, with open work in each.
    by_proc: dict[str, list[Case]] = {}
    for c in cases:
        by_proc.setdefault(c.procedure, []).append(c)
    assert set(by_proc) == set(REGISTRY)
    for name, cs in by_proc.items():
        defn = definition(name, cs[0].version)
        assert len({c.state for c in cs}) >= 2, name
        assert any(not defn.state(c.state).final for c in cs), name

    # Under both street offices.
    offices = {session.get(Estate, c.estate_id).street_office_id for c in cases}
    street, street2 = demo_org(session, "street"), demo_org(session, "street2")
    assert offices == {street, street2}

    # Deadlines: overdue (found by the scan), due soon, met, met late.
    dls = session.scalars(select(Deadline)).all()
    missed = [d for d in dls if d.status == "missed"]
    assert len(missed) >= 3 and all(d.due_date < today for d in missed)
    assert len({d.case.procedure for d in missed}) >= 3
    soon = [d for d in dls if d.status == "open" and today <= d.due_date <= today + timedelta(days=15)]
    assert len({d.case.procedure for d in soon}) >= 3
    assert sum(d.status == "met" and not d.late for d in dls) >= 10
    assert any(d.status == "met" and d.late for d in dls)
    overdue_alerts = session.scalars(select(Alert).where(Alert.kind == "overdue")).all()
    assert overdue_alerts and all(a.organisation_id for a in overdue_alerts)
    assert session.scalar(select(func.count(Alert.id)).where(Alert.kind == "due_soon")) >= 1
    assert session.scalar(select(func.count(Event.id)).where(Event.trigger == "supervision_notice")) == 1

    # Nothing happened after the day the demo was loaded.
    assert max(e.created_at for e in session.scalars(select(Event))) <= at(today, 9)

    # The exit's materials checklist is part way: submitted, accepted, sent back, pending.
    statuses = [{v["status"] for v in c.data["materials"].values()} for c in by_proc["enterprise_exit"]
                if c.state == "handover"]
    assert statuses and all(s == {"pending", "submitted", "accepted", "rejected"} for s in statuses)
    # The tender that reached signing opened the contract's filing, with the winner as party.
    signed = [c for c in by_proc["pre_phase_tender"] if c.state == "contract_signed"]
    assert len(signed) == 1
    (filing,) = children(session, signed[0])
    assert filing.procedure == "contract_filing" and filing.enterprise_id == signed[0].data["winner_id"]
    assert filing.state == "filed"

    # 锦绣花园's committee has a handover to act on: an item waiting for it, one accepted,
    # one sent back with a reason; its enterprise has items still to submit.
    committee, enterprise = (Actor.of(user(session, u)) for u in ("committee", "enterprise"))
    handovers = [c for c in by_proc["enterprise_exit"] if c.state == "handover" and may_see_case(committee, c)]
    assert len(handovers) == 1
    (ho,) = handovers
    assert may_see_case(enterprise, ho) and ho.data["ground"] == "non_renewal"
    items = ho.data["materials"].values()
    assert sum(v["status"] == "submitted" for v in items) == 1
    assert sum(v["status"] == "accepted" for v in items) == 1
    assert [v.get("reason") for v in items if v["status"] == "rejected"] == ["清单缺少 5 号楼二次供水设备"]
    assert sum(v["status"] == "pending" for v in items) >= 3
    open_dl = {d.key: d for d in ho.deadlines if d.status == "open"}
    assert today < open_dl["handover_period"].due_date <= today + timedelta(days=15)
    # ...and each may act on it: the committee accepts or returns, the enterprise submits.
    def allowed(actor):
        return {a.trigger for a in runtime.available_actions(session, ho, actor, now=at(today, 9)) if a.allowed}
    assert {"accept_item", "reject_item"} <= allowed(committee)
    assert "submit_item" in allowed(enterprise)

    # The street office 老城 sees a tender that reached signing and opened its contract filing.
    street_actor = Actor.of(user(session, "street"))
    linked = [c for c in by_proc["pre_phase_tender"] if may_see_case(street_actor, c) and children(session, c)]
    assert linked and all(may_see_case(street_actor, ch) for c in linked for ch in children(session, c))

    # Loading again does nothing; every hash chain verifies.
    before = counts(session)
    assert load_demo(session, today=today) is False
    assert counts(session) == before
    assert verify_all(session) == (len(cases), [])


def user(session, username):
    from engine.models import User
    return session.scalar(select(User).where(User.username == username))


def demo_org(session, username):
    from engine.models import User
    return session.scalar(select(User.organisation_id).where(User.username == username))


def test_each_party_sees_its_own_work_and_only_that(session, quiet):
    load_demo(session, today=DAYS[0])
    from engine.access import Actor
    from engine.models import User
    actors = {u.username: Actor.of(u) for u in session.scalars(select(User))}
    cases = session.scalars(select(Case)).all()
    seen = {name: {c.id for c in cases if may_see_case(a, c)} for name, a in actors.items()}
    assert seen["bureau"] == {c.id for c in cases}
    assert seen["street"] and seen["street2"] and not seen["street"] & seen["street2"]
    assert seen["enterprise"] and seen["enterprise2"] and not seen["enterprise"] & seen["enterprise2"]
    for name in ("community", "committee", "developer"):
        assert seen[name], name
    # Every party that owes something has overdue or due-soon work in its inbox.
    alerted = {a.organisation_id for a in session.scalars(select(Alert))}
    for name in ("street", "street2", "enterprise", "developer", "bureau"):
        assert actors[name].org_id in alerted, name


TILE = re.compile(r'<span class="num"[^>]*>(\d+)</span><span>([^<]+)</span>')


def test_every_account_finds_work_on_its_first_page(app, db_engine, quiet):
    """Loaded for the real today, as `make run` does, then seen through the pages."""
    from engine.db import make_sessionmaker
    session = make_sessionmaker(db_engine)()
    try:
        assert load_demo(session) is True
        case_ids = session.scalars(select(Case.id)).all()
    finally:
        session.close()
    late = {"bureau", "street", "street2", "enterprise", "enterprise2", "developer"}
    for username, _, _, _ in ACCOUNTS:
        if username == "admin":
            continue
        client = app.test_client()
        r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert r.status_code == 302, username
        page = client.get("/")
        assert page.status_code == 200
        tiles = {label: int(n) for n, label in TILE.findall(page.get_data(as_text=True))}
        assert tiles["待我办理"] + tiles["即将到期"] + tiles["已逾期"] > 0, (username, tiles)
        if username in late:
            assert tiles["已逾期"] > 0, (username, tiles)
        if username == "bureau":
            assert client.get("/dashboard/").status_code == 200
            for case_id in case_ids:
                assert client.get(f"/cases/{case_id}").status_code == 200, case_id


def flask_demo(app, runner):
    # `flask` itself pushes the application context; the test runner does not.
    with app.app_context():
        return runner.invoke(args=["demo"])


def test_flask_demo_prints_the_accounts_and_issues_signed_documents(app, runner, db_engine, monkeypatch):
    from engine.db import make_sessionmaker
    from engine.documents import Document

    rendering = db_engine.dialect.name == "sqlite"
    if not rendering:
        # Rendering and signing the PDFs costs seconds; once (on SQLite) is enough here.
        # tests/test_forms.py issues documents on both databases.
        monkeypatch.setitem(app.extensions["session_info"], "issuers", [])
    result = flask_demo(app, runner)
    assert result.exit_code == 0, result.output
    assert "演示数据已载入" in result.output and DEMO_PASSWORD in result.output
    for username, name, _, _ in ACCOUNTS:
        assert username in result.output and name in result.output

    session = make_sessionmaker(db_engine)()
    try:
        docs = session.scalars(select(Document)).all()
        if rendering:
            assert {"contract_filing_receipt", "correction_notice", "preparatory_group_notice",
                    "first_meeting_notice", "committee_filing_certificate", "handover_checklist",
                    "tender_filing_receipt", "award_filing_receipt", "inspection_filing_receipt",
                    "supervision_notice"} <= {d.kind for d in docs}
            receipt = next(d for d in docs if d.kind == "award_filing_receipt")
            pdf = files.load(receipt.sha256)
            assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf     # signed by the bureau
        else:
            assert docs == []
        assert session.scalar(select(func.count(Alert.id))) > 0
        n = session.scalar(select(func.count(Case.id)))
    finally:
        session.close()

    again = flask_demo(app, runner)
    assert again.exit_code == 0 and "未重复载入" in again.output
    session = make_sessionmaker(db_engine)()
    try:
        assert session.scalar(select(func.count(Case.id))) == n
    finally:
        session.close()


def test_street_can_take_a_demo_contract_filing_to_filed(session, quiet):
    """A newcomer's first walk-through: sign in as `street` and file a contract on the first day."""
    load_demo(session, today=date(2026, 11, 21))
    street = Actor.of(user(session, "street"))
    waiting = [c for c in session.scalars(select(Case).where(Case.procedure == "contract_filing",
                                                             Case.state == "submitted"))
               if may_see_case(street, c)]
    assert waiting, "no contract filing awaits the street office's review"
    case = waiting[0]
    allowed = {a.trigger for a in runtime.available_actions(session, case, street) if a.allowed}
    assert {"accept", "request_correction", "reject"} <= allowed
    case = runtime.advance(session, case.id, "accept", street, {"remark": "予以备案"},
                           lock_version=case.lock_version, now=at(date(2026, 11, 21)))
    assert case.state == "filed"

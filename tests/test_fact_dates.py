"""Facts carry their own dates: a step records the day its act happened apart from the day
it is entered, and the periods that run from the act run from that day.

Seen as 老城街道办事处 does it: the preparatory group of 锦绣花园 was formed on 10 March,
but the clerk enters it on 20 March. The first meeting is due 60 days (Henan art. 20)
from the formation, not from the typing.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.errors import GuardRefused, PayloadInvalid
from engine.legaltime import period_end
from engine.models import Case, Deadline, Event
from engine.runtime import advance, open_case
from tests.helpers import at

D = date
PROC = "owners_assembly"


def application(**over):
    data = {"applicant": "developer", "applicant_name": "信阳城投置业有限公司",
            "condition": "delivered_half", "conditions_met_on": "2026-02-20",
            "applied_on": "2026-03-02"}
    data.update(over)
    return data


GROUP = {"leader": "李主任（老城街道办事处）", "member_count": 9, "owner_members": 5,
         "members": "街道办事处1人、社区居委会1人、建设单位1人、业主代表5人、派出所1人"}


def opened(session, district):
    return open_case(session, PROC, district.estates["jinxiu"].id, district.actor("developer"),
                     application(), now=at(D(2026, 3, 2)))


def deadline(session, case_id, key) -> Deadline:
    session.expire_all()
    return session.scalars(select(Deadline).where(Deadline.case_id == case_id, Deadline.key == key)
                           .order_by(Deadline.id.desc())).first()


def counts(session):
    session.expire_all()
    return (session.scalar(select(func.count(Event.id))), session.scalar(select(func.count(Deadline.id))),
            [(c.state, c.lock_version) for c in session.scalars(select(Case).order_by(Case.id))])


def test_a_step_entered_late_runs_its_periods_from_the_day_it_happened(session, district):
    case = opened(session, district)
    street = district.actor("street")
    advance(session, case.id, "form_group", street, {**GROUP, "fact_date": "2026-03-10"},
            now=at(D(2026, 3, 20)))
    first = deadline(session, case.id, "first_meeting")
    assert first.anchor_date == D(2026, 3, 10)
    assert first.due_date == period_end(D(2026, 3, 10), 60, "day").date
    # The formation met its own 30-day period (from 2 March) on the 10th, not on the 20th.
    formation = deadline(session, case.id, "group_formation")
    assert formation.status == "met" and not formation.late
    ev = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq.desc())).first()
    assert ev.fact_date == D(2026, 3, 10)
    assert ev.created_at.date() == D(2026, 3, 20)       # recorded: both dates on the trail
    assert session.get(Case, case.id).data["group_formed_on"] == "2026-03-10"


def test_a_fact_met_after_its_last_day_is_late_whenever_it_is_entered(session, district):
    case = opened(session, district)
    due = deadline(session, case.id, "group_formation").due_date          # 30 days after 2 March
    advance(session, case.id, "form_group", district.actor("street"),
            {**GROUP, "fact_date": (due + timedelta(days=2)).isoformat()}, now=at(due + timedelta(days=5)))
    d = deadline(session, case.id, "group_formation")
    assert d.status == "met" and d.late


@pytest.mark.parametrize("when, words", [
    (D(2026, 3, 25), "晚于今日"),          # not yet happened
    (D(2026, 3, 1), "早于本案上一步骤"),    # before the application it follows
    (D(1989, 12, 31), "早于"),
])
def test_a_fact_in_the_future_or_before_the_previous_step_is_refused(session, district, when, words):
    case = opened(session, district)
    before = counts(session)
    with pytest.raises(PayloadInvalid) as info:
        advance(session, case.id, "form_group", district.actor("street"),
                {**GROUP, "fact_date": when.isoformat()}, now=at(D(2026, 3, 20)))
    assert words in info.value.errors["fact_date"][0]
    assert counts(session) == before


def test_an_unreadable_fact_date_is_a_field_error(session, district):
    case = opened(session, district)
    with pytest.raises(PayloadInvalid) as info:
        advance(session, case.id, "form_group", district.actor("street"),
                {**GROUP, "fact_date": "3月10日"}, now=at(D(2026, 3, 20)))
    assert "年-月-日" in info.value.errors["fact_date"][0]


def test_without_a_fact_date_the_act_happened_the_day_it_is_entered(session, district):
    case = opened(session, district)
    advance(session, case.id, "form_group", district.actor("street"), GROUP, now=at(D(2026, 3, 20)))
    assert deadline(session, case.id, "first_meeting").anchor_date == D(2026, 3, 20)


# -- no contradictory cases --------------------------------------------------------------

def test_a_second_running_first_assembly_for_one_estate_is_refused_naming_the_first(session, district):
    first = opened(session, district)
    before = counts(session)
    with pytest.raises(GuardRefused) as info:
        open_case(session, PROC, district.estates["jinxiu"].id, district.actor("street"),
                  application(applicant="report", applicant_name="老城街道办事处"), now=at(D(2026, 3, 3)))
    assert f"案件 {first.id}" in info.value.message and "锦绣花园" in info.value.message
    assert counts(session) == before
    # Another estate is another matter.
    open_case(session, PROC, district.estates["binhe"].id, district.actor("street"),
              application(applicant="report", applicant_name="老城街道办事处"), now=at(D(2026, 3, 3)))


def test_once_the_first_case_has_ended_a_new_one_may_be_opened(session, district):
    first = opened(session, district)
    advance(session, first.id, "form_management_committee", district.actor("street"),
            {"reason": "业主大会未能成立", "members": "街道、社区、业主代表"}, now=at(D(2026, 3, 5)))
    again = open_case(session, PROC, district.estates["jinxiu"].id, district.actor("developer"),
                      application(applied_on="2026-04-01"), now=at(D(2026, 4, 1)))
    assert again.id != first.id


def test_the_case_page_offers_the_fact_date_and_the_trail_shows_a_late_entry(client, session, district):
    from tests.helpers import login
    case = opened(session, district)
    advance(session, case.id, "form_group", district.actor("street"), {**GROUP, "fact_date": "2026-03-10"},
            now=at(D(2026, 3, 20)))
    login(client, "street")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'name="fact_date"' in html              # the next step can be dated too
    assert "发生于" in html and "2026年3月10日" in html and "补录" in html


def test_rescheduling_the_meeting_supersedes_the_notice_period_and_voids_the_old_notice(session, district, issued):
    """A notice period missed for the first date moves with the meeting: the old row reads
    已撤销（改期）, is never 'met late', and the old 会议公告 is void."""
    from engine.deadlines import STATUS_LABELS, SUPERSEDED
    from engine.documents import VOID, Document
    from engine.scan import scan
    from tests.helpers import deadlines
    street = district.actor("street")
    case = opened(session, district)
    advance(session, case.id, "form_group", street, GROUP, now=at(D(2026, 3, 20)))
    advance(session, case.id, "publish_members", street, {"posted_at": "公告栏"}, now=at(D(2026, 3, 23)))
    advance(session, case.id, "schedule_meeting", street,
            {"meeting_on": "2026-05-09", "place": "小区广场", "meeting_form": "gathering"}, now=at(D(2026, 3, 25)))
    scan(session, at(D(2026, 4, 30)))                                   # the notice period ran out
    assert deadlines(session, case.id)["meeting_notice"].status == "missed"
    old_id = deadlines(session, case.id)["meeting_notice"].id
    advance(session, case.id, "schedule_meeting", street,
            {"meeting_on": "2026-06-20", "place": "小区广场", "meeting_form": "gathering"}, now=at(D(2026, 5, 2)))
    advance(session, case.id, "publish_notice", street, {"contents": "议事规则草案", "posted_at": "公告栏"},
            now=at(D(2026, 5, 6)))
    old = session.get(Deadline, old_id)
    assert old.status == SUPERSEDED and STATUS_LABELS[old.status] == "已撤销（改期）" and not old.late
    assert deadlines(session, case.id)["meeting_notice"].status == "met"
    # A notice published for the second date is voided when the meeting moves again.
    session.add(Document(case_id=case.id, kind="first_meeting_notice", title="首次业主大会会议公告",
                         serial="老城街告〔2026〕1号", serial_year=2026, serial_no=1,
                         issuer_org_id=district.orgs["street"].id, issuer_name="老城街道办事处",
                         sha256="0" * 64, size=1, code="TESTCODE23"))
    session.commit()
    advance(session, case.id, "schedule_meeting", street,
            {"meeting_on": "2026-07-04", "place": "小区广场", "meeting_form": "gathering"}, now=at(D(2026, 5, 8)))
    session.expire_all()
    assert session.scalar(select(Document.status).where(Document.code == "TESTCODE23")) == VOID

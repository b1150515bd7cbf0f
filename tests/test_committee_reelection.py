"""业主委员会换届选举: 锦绣花园业主委员会's term ends on 30 September 2026 (Henan). The
committee reports and convenes the assembly before the term ends; the election is
counted under art. 278 item 3 on the register; the old committee hands over seals and
archives within 10 days; the change is filed within 30 days. When the committee lets
the term run out, 老城街道办事处 takes over and organises the election.

Every refusal leaves the database exactly as it was."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.errors import GuardRefused, NotPermitted
from engine.models import Deadline, Estate, Event
from engine.runtime import advance, open_case
from engine.scan import scan
from tests.helpers import at
from tests.helpers import deadlines, figures, refused, runs_out  # noqa: F401

pytestmark = pytest.mark.usefixtures("issued")

D = date
PROC = "committee_reelection"
TERM = {"term_started_on": "2021-10-01", "term_ends_on": "2026-09-30",
        "report": "本届业主委员会任期将于2026年9月30日届满，拟于7月召开业主大会会议进行换届选举"}
MEETING = {"meeting_on": "2026-07-18", "place": "小区会所", "meeting_form": "gathering"}
NOTICE = {"contents": "候选人名单、选举办法、表决方式", "posted_at": "各楼栋公告栏"}
# 86420.50 m² and 812 owners on the register.
ELECTED = {**figures("election", "62000.00", 590, "40000.00", 380), "committee_members": "郑某、钱某、孙某、李某、周某"}


def opened(session, district, estate="jinxiu"):
    return open_case(session, PROC, district.estates[estate].id, district.actor("committee"), TERM,
                     now=at(D(2026, 6, 1)))


def elect(session, district, case_id, who="committee", meeting=MEETING, start=D(2026, 6, 10)):
    actor = district.actor(who)
    advance(session, case_id, "schedule_meeting", actor, meeting, now=at(start))
    advance(session, case_id, "publish_notice", actor, NOTICE, now=at(start))
    held = D.fromisoformat(meeting["meeting_on"])
    advance(session, case_id, "hold_meeting", actor, {}, now=at(held))
    return advance(session, case_id, "record_vote", actor, ELECTED, now=at(held))


def test_reelection_before_the_term_ends_in_henan(session, district, issued):
    committee, street = district.actor("committee"), district.actor("street")
    case = opened(session, district)
    assert case.state == "opened" and case.data["organiser"] == "committee"
    dl = deadlines(session, case.id)["reelection"]
    assert dl.direction == "before" and dl.due_date == D(2026, 9, 30) and dl.party == "committee"
    assert "《河南省物业管理条例》第三十三条第一款" in dl.citation

    # The street office does not convene while the committee is in charge.
    err = refused(session, GuardRefused, advance, case.id, "schedule_meeting", street, MEETING, now=at(D(2026, 6, 10)))
    assert "由业主委员会组织" in err.message

    advance(session, case.id, "schedule_meeting", committee, MEETING, now=at(D(2026, 6, 10)))
    notice = deadlines(session, case.id)["meeting_notice"]
    assert notice.due_date == D(2026, 7, 3) and "《物业管理条例》第十四条第一款" in notice.citation
    advance(session, case.id, "publish_notice", committee, NOTICE, now=at(D(2026, 6, 20)))
    advance(session, case.id, "hold_meeting", committee, {}, now=at(D(2026, 7, 18)))
    case = advance(session, case.id, "record_vote", committee, ELECTED, now=at(D(2026, 7, 18)))
    assert case.state == "elected" and case.data["votes"]["election"]["passed"]
    dl = deadlines(session, case.id)
    assert dl["reelection"].status == "met" and not dl["reelection"].late
    assert dl["handover"].due_date == D(2026, 7, 28) and "第三十三条第二款" in dl["handover"].citation
    assert dl["change_filing"].due_date == D(2026, 8, 17) and "第二十九条" in dl["change_filing"].citation

    advance(session, case.id, "submit_filing", committee, {"filing_materials": "换届选举决议、成员名单"},
            now=at(D(2026, 7, 24)))
    # No certificate while the old committee still holds the seals and archives.
    err = refused(session, GuardRefused, advance, case.id, "accept_filing", street, {}, now=at(D(2026, 7, 25)))
    assert "尚未移交档案资料、印章" in err.message
    case = advance(session, case.id, "hand_over", committee,
                   {"items": "业主大会印章、业主委员会印章各一枚；档案资料三箱；活动经费账册", "received_by": "郑某"},
                   now=at(D(2026, 7, 27)))
    assert case.state == "filing_submitted"                       # an item step: the state stays
    assert deadlines(session, case.id)["handover"].status == "met"
    err = refused(session, GuardRefused, advance, case.id, "accept_filing", district.actor("bureau"), {})
    assert "街道办事处办理" in err.message
    case = advance(session, case.id, "accept_filing", street, {"remark": "予以备案"}, now=at(D(2026, 7, 30)))
    assert case.state == "filed"
    assert {k: d.status for k, d in deadlines(session, case.id).items()} == {
        "reelection": "met", "meeting_notice": "met", "handover": "met", "change_filing": "met"}
    assert issued == [("accept_filing", "committee_filing_certificate")]


def test_a_failed_election_is_refused_with_the_tally(session, district):
    committee = district.actor("committee")
    case = opened(session, district)
    advance(session, case.id, "schedule_meeting", committee, MEETING, now=at(D(2026, 6, 10)))
    advance(session, case.id, "publish_notice", committee, NOTICE, now=at(D(2026, 6, 20)))
    advance(session, case.id, "hold_meeting", committee, {}, now=at(D(2026, 7, 18)))
    few = {**ELECTED, **figures("election", "50000.00", 590, "40000.00", 380)}
    err = refused(session, GuardRefused, advance, case.id, "record_vote", committee, few)
    assert err.reasons[0].startswith("「选举新一届业主委员会」未获通过")
    assert "参与表决专有部分面积占比 57.86%，未达到三分之二（参与表决 50000.00 / 总面积 86420.50 平方米）" in err.message
    case = advance(session, case.id, "record_failed_vote", committee,
                   {k: v for k, v in few.items() if k != "committee_members"}, now=at(D(2026, 7, 18)))
    assert case.state == "vote_failed" and not case.data["votes"]["election"]["quorum_met"]
    assert deadlines(session, case.id)["reelection"].status == "open"    # still owed


def test_the_street_office_takes_over_when_the_term_runs_out(session, district):
    committee, street = district.actor("committee"), district.actor("street")
    case = opened(session, district)
    err = refused(session, GuardRefused, advance, case.id, "take_over", street,
                  {"organise_by": "2026-11-30", "reason": "业主委员会未组织换届"}, now=at(D(2026, 9, 15)))
    assert "应于 2026-09-30 前组织换届选举" in err.message
    err = refused(session, NotPermitted, advance, case.id, "take_over", committee,
                  {"organise_by": "2026-11-30", "reason": "x"})

    scan(session, at(D(2026, 10, 1), 0))
    assert deadlines(session, case.id)["reelection"].status == "missed"
    case = advance(session, case.id, "take_over", street,
                   {"organise_by": "2026-11-30", "reason": "任期届满未换届"}, now=at(D(2026, 10, 9)))
    assert case.state == "street_organising" and case.data["organiser"] == "street_office"
    organise = deadlines(session, case.id)["street_election"]
    assert organise.due_date == D(2026, 11, 30) and organise.party == "street_office"
    assert "第三十三条第一款" in organise.citation

    # From now on the street office acts, not the committee.
    err = refused(session, GuardRefused, advance, case.id, "schedule_meeting", committee,
                  {**MEETING, "meeting_on": "2026-11-21"}, now=at(D(2026, 10, 12)))
    assert "已由街道办事处组织" in err.message
    case = elect(session, district, case.id, who="street",
                 meeting={**MEETING, "meeting_on": "2026-11-21"}, start=D(2026, 10, 12))
    dl = deadlines(session, case.id)
    assert dl["street_election"].status == "met" and not dl["street_election"].late
    assert dl["reelection"].status == "met" and dl["reelection"].late     # the committee's lateness stays visible
    trail = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all()
    assert "take_over" in [e.trigger for e in trail]


def test_the_street_office_s_own_period_and_the_notice_run_out(session, district):
    street = district.actor("street")
    case = opened(session, district)
    scan(session, at(D(2026, 10, 1), 0))
    advance(session, case.id, "take_over", street, {"organise_by": "2026-11-30", "reason": "任期届满未换届"},
            now=at(D(2026, 10, 9)))
    advance(session, case.id, "schedule_meeting", street, {**MEETING, "meeting_on": "2026-11-28"},
            now=at(D(2026, 10, 12)))
    assert runs_out(session, case.id, "meeting_notice") == D(2026, 11, 13)
    assert runs_out(session, case.id, "street_election") == D(2026, 11, 30)


def test_hand_over_missed_then_urged(session, district, issued):
    street = district.actor("street")
    case = opened(session, district)
    elect(session, district, case.id)
    scan(session, at(D(2026, 7, 28), 23))
    assert deadlines(session, case.id)["handover"].status == "open"
    scan(session, at(D(2026, 7, 29), 0))
    assert deadlines(session, case.id)["handover"].status == "missed"
    err = refused(session, NotPermitted, advance, case.id, "urge_handover", district.actor("community"),
                  {"order": "x"})
    case = advance(session, case.id, "urge_handover", street,
                   {"order": "限原业主委员会于8月5日前移交印章及档案资料"}, now=at(D(2026, 7, 30)))
    assert case.state == "elected" and issued == [("urge_handover", "handover_order")]
    advance(session, case.id, "hand_over", district.actor("committee"),
            {"items": "印章两枚、档案资料", "received_by": "郑某"}, now=at(D(2026, 8, 3)))
    dl = deadlines(session, case.id)["handover"]
    assert dl.status == "met" and dl.late


def test_change_filing_missed(session, district):
    case = opened(session, district)
    elect(session, district, case.id)
    scan(session, at(D(2026, 8, 18), 0))
    assert deadlines(session, case.id)["change_filing"].status == "missed"


def test_start_date_after_end_is_refused(session, district):
    with pytest.raises(GuardRefused) as info:
        open_case(session, PROC, district.estates["jinxiu"].id, district.actor("committee"),
                  {**TERM, "term_ends_on": "2021-09-30", "term_started_on": "2021-10-01"},
                  now=at(D(2026, 6, 1)))
    assert "应晚于任期起始之日" in info.value.message


def test_shandong_convenes_ninety_days_ahead_and_files_with_the_bureau(session, district):
    estate = session.get(Estate, district.estates["taishan"].id)
    estate.committee_id = district.orgs["committee"].id
    session.commit()
    case = opened(session, district, estate="taishan")
    dl = deadlines(session, case.id)["reelection"]
    assert dl.due_date == D(2026, 7, 2) and "《山东省物业管理条例》第三十三条第一款" in dl.citation
    # 泰山御园: 40000 m², 380 owners.
    advance(session, case.id, "schedule_meeting", district.actor("committee"),
            {**MEETING, "meeting_on": "2026-06-27"}, now=at(D(2026, 6, 2)))
    advance(session, case.id, "publish_notice", district.actor("committee"), NOTICE, now=at(D(2026, 6, 5)))
    advance(session, case.id, "hold_meeting", district.actor("committee"), {}, now=at(D(2026, 6, 27)))
    case = advance(session, case.id, "record_vote", district.actor("committee"),
                   {**figures("election", "30000", 300, "20000", 200), "committee_members": "七人名单"},
                   now=at(D(2026, 6, 29)))
    dl = deadlines(session, case.id)
    assert dl["reelection"].status == "met"
    assert "handover" not in dl                          # Shandong: "及时", no fixed period
    assert "第三十一条第三款" in dl["change_filing"].citation
    advance(session, case.id, "hand_over", district.actor("committee"), {"items": "印章", "received_by": "甲"},
            now=at(D(2026, 6, 30)))
    advance(session, case.id, "submit_filing", district.actor("committee"), {"filing_materials": "决议"},
            now=at(D(2026, 7, 1)))
    err = refused(session, GuardRefused, advance, case.id, "accept_filing", district.actor("street2"), {})
    assert "区住房和城乡建设局" in err.message
    assert advance(session, case.id, "accept_filing", district.actor("bureau"), {},
                   now=at(D(2026, 7, 2))).state == "filed"


def test_national_pack_three_months_unverified(session, district):
    hunan = Estate(name="湘江花园", province="湖南省", bureau_id=district.orgs["bureau"].id,
                   street_office_id=district.orgs["street"].id, committee_id=district.orgs["committee"].id,
                   total_area=1000, total_owners=10)
    session.add(hunan)
    session.commit()
    case = open_case(session, PROC, hunan.id, district.actor("committee"), TERM, now=at(D(2026, 6, 1)))
    dl = session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    assert dl.rulepack == "national" and dl.due_date == D(2026, 6, 30) and "待核实" in dl.citation

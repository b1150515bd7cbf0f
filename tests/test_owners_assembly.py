"""首次业主大会会议, as 老城街道办事处 runs it for 锦绣花园 (Henan) and 湖东街道办事处 for
泰山御园 (Shandong): application, preparatory group, notice 15 days ahead, the meeting,
the art. 278 vote on the estate's register, the committee's first meeting and filing.

Every refusal leaves the database exactly as it was."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.errors import GuardRefused, NotPermitted, PayloadInvalid
from engine.models import Case, Deadline, Estate, Event
from engine.runtime import advance, available_actions, open_case
from engine.scan import scan
from tests.helpers import at, deadlines, figures, refused, runs_out, snapshot  # noqa: F401

pytestmark = pytest.mark.usefixtures("issued")

D = date
PROC = "owners_assembly"



def application(**over):
    data = {"applicant": "developer", "applicant_name": "信阳城投置业有限公司",
            "condition": "delivered_half", "conditions_met_on": "2026-02-20",
            "applied_on": "2026-03-02", "note": "交付面积已达百分之五十二"}
    data.update(over)
    return data


GROUP = {"leader": "李主任（老城街道办事处）", "member_count": 9, "owner_members": 5,
         "members": "街道办事处1人、社区居委会1人、建设单位1人、业主代表5人、派出所1人"}

# 锦绣花园's register: 86420.50 m², 812 owners; two thirds are 57613.67 m² and 541.33 owners.
GOOD = {**figures("rules", "60000.00", 560, "45000.00", 420),
        **figures("covenant", "60000.00", 560, "44000.00", 410),
        **figures("election", "60000.00", 560, "41000.00", 400)}


def vote(**over):
    return {**GOOD, "committee_members": "郑某（主任候选人）、钱某、孙某、李某、周某", **over}


def walk_to_meeting(session, district, *, estate="jinxiu", street="street"):
    """Application on 2 March, group on 20 March, meeting on Saturday 9 May 2026."""
    dev, st = district.actor("developer"), district.actor(street)
    case = open_case(session, PROC, district.estates[estate].id, dev, application(), now=at(D(2026, 3, 2)))
    advance(session, case.id, "form_group", st, GROUP, now=at(D(2026, 3, 20)))
    advance(session, case.id, "publish_members", st, {"posted_at": "各楼栋单元公告栏"}, now=at(D(2026, 3, 23)))
    advance(session, case.id, "schedule_meeting", st,
            {"meeting_on": "2026-05-09", "place": "小区广场", "meeting_form": "gathering"},
            now=at(D(2026, 3, 25)))
    advance(session, case.id, "publish_notice", st,
            {"contents": "业主名册及投票权数、管理规约草案、议事规则草案、选举办法及候选人名单",
             "posted_at": "各楼栋单元公告栏"}, now=at(D(2026, 4, 20)))
    return advance(session, case.id, "hold_meeting", st, {"record": "到会业主签到"}, now=at(D(2026, 5, 9)))


# -- the happy path (Henan) -------------------------------------------------------------

def test_first_assembly_from_application_to_filed_committee_in_henan(session, district, issued):
    dev, street, committee = (district.actor(u) for u in ("developer", "street", "committee"))
    estate = district.estates["jinxiu"]

    case = open_case(session, PROC, estate.id, dev, application(), now=at(D(2026, 3, 2)))
    assert case.state == "applied"
    dl = deadlines(session, case.id)
    # Henan: documents within 2 months of the conditions (art. 19); the group within 30 days
    # of the application (art. 20). The Shandong rule (60 days from the conditions) is not run.
    assert set(dl) == {"developer_documents", "group_formation"}
    assert dl["developer_documents"].due_date == D(2026, 4, 20)
    assert "第十九条" in dl["developer_documents"].citation
    assert dl["group_formation"].due_date == D(2026, 4, 1)
    assert "第二十条" in dl["group_formation"].citation and dl["group_formation"].rulepack == "henan"

    advance(session, case.id, "submit_documents", dev,
            {"documents": "物业管理区域证明、业主名册、房屋及建筑物面积清册、建筑规划总平面图"},
            now=at(D(2026, 3, 10)))
    assert deadlines(session, case.id)["developer_documents"].status == "met"

    case = advance(session, case.id, "form_group", street, GROUP, now=at(D(2026, 3, 20)))
    assert case.state == "group_formed" and case.data["group_formed_on"] == "2026-03-20"
    dl = deadlines(session, case.id)
    assert dl["group_formation"].status == "met" and not dl["group_formation"].late
    assert "members_notice" not in dl                  # a Shandong duty only
    assert dl["first_meeting"].due_date == D(2026, 5, 19)   # 60 days from formation
    assert "第二十条" in dl["first_meeting"].citation

    advance(session, case.id, "publish_members", street, {"posted_at": "各楼栋单元公告栏"},
            now=at(D(2026, 3, 23)))
    case = advance(session, case.id, "schedule_meeting", street,
                   {"meeting_on": "2026-05-09", "place": "小区广场", "meeting_form": "gathering"},
                   now=at(D(2026, 3, 25)))
    notice = deadlines(session, case.id)["meeting_notice"]
    assert notice.direction == "before" and notice.due_date == D(2026, 4, 24)
    assert "第二十一条第二款" in notice.citation

    advance(session, case.id, "publish_notice", street,
            {"contents": "管理规约草案、议事规则草案、选举办法及候选人名单", "posted_at": "公告栏"},
            now=at(D(2026, 4, 20)))
    assert deadlines(session, case.id)["meeting_notice"].status == "met"

    case = advance(session, case.id, "hold_meeting", street, {}, now=at(D(2026, 5, 9)))
    assert deadlines(session, case.id)["first_meeting"].status == "met"

    case = advance(session, case.id, "record_vote", street, vote(), now=at(D(2026, 5, 9)))
    assert case.state == "committee_elected" and case.data["elected_on"] == "2026-05-09"
    votes = case.data["votes"]
    assert set(votes) == {"rules", "covenant", "election"} and all(v["passed"] for v in votes.values())
    assert votes["election"]["ratios"]["area_turnout"] == str(
        __import__("fractions").Fraction("60000.00") / __import__("fractions").Fraction("86420.50"))
    assert votes["rules"]["percentages"]["owner_turnout"] == "68.97%"      # 560 / 812
    dl = deadlines(session, case.id)
    # 7 days from Saturday 9 May is Saturday 16 May, a rest day: Monday 18 May (art. 203).
    assert dl["committee_first_meeting"].due_date == D(2026, 5, 18)
    assert "待核实" in dl["committee_first_meeting"].citation      # national guideline, text not loaded
    assert dl["committee_filing"].due_date == D(2026, 6, 8)
    assert "第二十九条" in dl["committee_filing"].citation

    advance(session, case.id, "first_committee_meeting", committee,
            {"chair": "郑某", "vice_chair": "钱某"}, now=at(D(2026, 5, 12)))
    case = advance(session, case.id, "submit_filing", committee,
                   {"filing_materials": "业主大会会议决议、议事规则、管理规约、成员名单"}, now=at(D(2026, 5, 20)))
    assert case.state == "filing_submitted"
    assert "filing_certificate" not in deadlines(session, case.id)     # Shandong only
    case = advance(session, case.id, "accept_filing", street, {"remark": "材料齐全，予以备案"},
                   now=at(D(2026, 5, 25)))
    assert case.state == "filed"
    assert all(d.status == "met" and not d.late for d in deadlines(session, case.id).values())
    assert issued == [("publish_members", "preparatory_group_notice"),
                      ("publish_notice", "first_meeting_notice"),
                      ("accept_filing", "committee_filing_certificate")]
    trail = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all()
    assert [e.role for e in trail] == ["developer"] * 2 + ["street_office"] * 6 + ["committee"] * 2 + ["street_office"]




@pytest.mark.parametrize("name", [PROC, "committee_reelection"])
def test_every_step_names_its_roles_and_documents_and_every_deadline_its_article(name):
    from workflows import REGISTRY
    defn = REGISTRY[name]
    assert defn.opening.roles
    for t in defn.transitions:
        assert t.roles and t.label and set(t.issues) <= {d.kind for d in defn.documents}
    for doc in defn.documents:
        assert "《" in doc.basis["national"] and doc.title, doc.kind
    for d in defn.deadlines:
        assert d.rules.keys() <= {"national", "henan", "shandong"}
        for pack, p in d.rules.items():
            if p is None:
                continue
            assert "《" in p.citation, (d.key, pack)
            assert "条" in p.citation or "待核实" in p.citation, (d.key, pack)
            if "指导规则" in p.citation and "《山东" not in p.citation and "《河南" not in p.citation:
                assert "待核实" in p.citation, (d.key, pack)   # not among the loaded texts


# -- the vote's guards -------------------------------------------------------------------

@pytest.fixture
def meeting(session, district):
    return walk_to_meeting(session, district)


def test_a_covenant_without_a_majority_refuses_the_vote_with_the_figures(session, district, meeting):
    err = refused(session, GuardRefused, advance, meeting.id, "record_vote", district.actor("street"),
                  vote(**figures("covenant", "60000.00", 560, "30000.00", 300)))
    assert len(err.reasons) == 1
    assert err.reasons[0].startswith("「管理规约」未获通过：")
    assert "同意的专有部分面积占比 50.00%，未超过半数（同意 30000.00 / 参与表决 60000.00 平方米）" in err.message
    assert "同意的人数占比 53.57%，超过半数（同意 300 / 参与表决 560 人）" in err.message


def test_too_few_owners_taking_part_refuses_every_matter(session, district, meeting):
    low = {**figures("rules", "60000.00", 541, "45000.00", 420),
           **figures("covenant", "60000.00", 541, "44000.00", 410),
           **figures("election", "60000.00", 541, "41000.00", 400)}
    err = refused(session, GuardRefused, advance, meeting.id, "record_vote", district.actor("street"), vote(**low))
    assert len(err.reasons) == 3
    assert all("参与表决人数占比 66.63%，未达到三分之二（参与表决 541 / 总人数 812 人）" in r for r in err.reasons)


def test_impossible_figures_are_field_errors(session, district, meeting):
    err = refused(session, PayloadInvalid, advance, meeting.id, "record_vote", district.actor("street"),
                  vote(**figures("election", "60000.00", 560, "70000.00", 600)))
    assert err.errors["election_yes_area"] == ["同意的专有部分面积不能大于参与表决专有部分面积"]
    assert err.errors["election_yes_owners"] == ["同意的业主人数不能大于参与表决业主人数"]


def test_absurd_figures_are_field_errors(session, district, meeting):
    err = refused(session, PayloadInvalid, advance, meeting.id, "record_vote", district.actor("street"),
                  vote(**figures("rules", "1E+999999", 560, "0.000001", 10 ** 12)))
    assert "rules_voted_area" in err.errors and "rules_yes_owners" in err.errors
    assert err.errors["rules_yes_area"] == ["面积最多保留四位小数"]


def test_more_voters_than_the_register_holds_is_refused(session, district, meeting):
    err = refused(session, GuardRefused, advance, meeting.id, "record_vote", district.actor("street"),
                  vote(**figures("rules", "90000.00", 560, "45000.00", 420)))
    assert "「业主大会议事规则」的表决数据有误" in err.message and "不能大于专有部分总面积（86420.50 平方米）" in err.message


def test_without_a_register_there_is_no_count(session, district, meeting):
    estate = session.get(Estate, district.estates["jinxiu"].id)
    estate.total_area = None
    session.commit()
    err = refused(session, GuardRefused, advance, meeting.id, "record_vote", district.actor("street"), vote())
    assert "尚未登记专有部分总面积和业主总人数" in err.message


def test_a_vote_that_passed_cannot_be_entered_as_failed(session, district, meeting):
    err = refused(session, GuardRefused, advance, meeting.id, "record_failed_vote", district.actor("street"), GOOD)
    assert "均已依法通过" in err.message


def test_failed_vote_then_a_property_management_committee(session, district, meeting, issued):
    street = district.actor("street")
    case = advance(session, meeting.id, "record_failed_vote", street,
                   {**GOOD, **figures("election", "60000.00", 560, "20000.00", 200),
                    "remark": "候选人得票未过半"}, now=at(D(2026, 5, 9)))
    assert case.state == "vote_failed"
    assert not case.data["votes"]["election"]["passed"] and case.data["votes"]["rules"]["passed"]
    actions = {a.trigger for a in available_actions(session, case, street)}
    assert {"schedule_meeting", "form_management_committee"} <= actions
    case = advance(session, case.id, "form_management_committee", street,
                   {"reason": "两次会议均未能选出业主委员会", "members": "街道办事处、社区居委会、业主代表"},
                   now=at(D(2026, 6, 1)))
    assert case.state == "management_committee"
    assert all(d.status in ("met", "cancelled") for d in deadlines(session, case.id).values())


def test_failed_vote_can_be_put_again_at_a_new_meeting(session, district, meeting):
    street = district.actor("street")
    advance(session, meeting.id, "record_failed_vote", street,
            {**GOOD, **figures("covenant", "50000.00", 500, "20000.00", 200)}, now=at(D(2026, 5, 9)))
    case = advance(session, meeting.id, "schedule_meeting", street,
                   {"meeting_on": "2026-06-20", "place": "社区活动中心", "meeting_form": "written"},
                   now=at(D(2026, 5, 11)))
    assert case.state == "meeting_scheduled"
    assert deadlines(session, case.id)["meeting_notice"].status == "open"


# -- the other guards --------------------------------------------------------------------

def test_ten_owners_must_sign_in_henan(session, district):
    street = district.actor("street")
    with pytest.raises(GuardRefused) as info:
        open_case(session, PROC, district.estates["jinxiu"].id, street,
                  application(applicant="owners", applicant_name="张某等", signatories=8),
                  now=at(D(2026, 3, 2)))
    assert "仅 8 名业主联名" in info.value.message and "第二十条第一款" in info.value.message
    assert session.scalar(select(func.count(Case.id))) == 0
    case = open_case(session, PROC, district.estates["jinxiu"].id, street,
                     application(applicant="owners", applicant_name="张某等", signatories=12),
                     now=at(D(2026, 3, 2)))
    assert case.state == "applied"


def test_a_developer_cannot_file_the_owners_application(session, district):
    with pytest.raises(GuardRefused) as info:
        open_case(session, PROC, district.estates["jinxiu"].id, district.actor("developer"),
                  application(applicant="owners", signatories=20), now=at(D(2026, 3, 2)))
    assert "由街道办事处登记" in info.value.message


def test_the_application_cannot_precede_the_conditions(session, district):
    with pytest.raises(GuardRefused) as info:
        open_case(session, PROC, district.estates["jinxiu"].id, district.actor("developer"),
                  application(conditions_met_on="2026-03-05"), now=at(D(2026, 3, 6)))
    assert "须符合成立业主大会条件后方可申请" in info.value.message


def test_only_the_street_office_forms_the_group(session, district):
    case = open_case(session, PROC, district.estates["jinxiu"].id, district.actor("developer"),
                     application(), now=at(D(2026, 3, 2)))
    err = refused(session, NotPermitted, advance, case.id, "form_group", district.actor("committee"), GROUP)
    assert "街道办事处" in err.message
    err = refused(session, NotPermitted, advance, case.id, "form_group", district.actor("street2"), GROUP)
    assert "管辖" in err.message


def test_owners_must_be_half_of_the_group(session, district):
    case = open_case(session, PROC, district.estates["jinxiu"].id, district.actor("developer"),
                     application(), now=at(D(2026, 3, 2)))
    err = refused(session, GuardRefused, advance, case.id, "form_group", district.actor("street"),
                  {**GROUP, "member_count": 9, "owner_members": 4})
    assert "业主代表仅 4 人，不足二分之一" in err.message and "河南省物业管理条例》第二十条第二款" in err.message


def test_a_meeting_too_soon_for_the_notice_is_refused(session, district):
    street = district.actor("street")
    case = open_case(session, PROC, district.estates["jinxiu"].id, district.actor("developer"),
                     application(), now=at(D(2026, 3, 2)))
    advance(session, case.id, "form_group", street, GROUP, now=at(D(2026, 3, 20)))
    advance(session, case.id, "publish_members", street, {"posted_at": "公告栏"}, now=at(D(2026, 3, 23)))
    err = refused(session, GuardRefused, advance, case.id, "schedule_meeting", street,
                  {"meeting_on": "2026-04-03", "place": "广场", "meeting_form": "gathering"},
                  now=at(D(2026, 3, 25)))
    assert "距今不足十五日" in err.message and "2026-03-19" in err.message


def test_a_late_notice_is_refused_and_the_deadline_missed(session, district):
    street = district.actor("street")
    case = open_case(session, PROC, district.estates["jinxiu"].id, district.actor("developer"),
                     application(), now=at(D(2026, 3, 2)))
    advance(session, case.id, "form_group", street, GROUP, now=at(D(2026, 3, 20)))
    advance(session, case.id, "publish_members", street, {"posted_at": "公告栏"}, now=at(D(2026, 3, 23)))
    advance(session, case.id, "schedule_meeting", street,
            {"meeting_on": "2026-05-09", "place": "广场", "meeting_form": "gathering"}, now=at(D(2026, 3, 25)))
    scan(session, at(D(2026, 4, 24), 23))
    assert deadlines(session, case.id)["meeting_notice"].status == "open"     # last day: 24 April
    scan(session, at(D(2026, 4, 25), 0))
    assert deadlines(session, case.id)["meeting_notice"].status == "missed"
    err = refused(session, GuardRefused, advance, case.id, "publish_notice", street,
                  {"contents": "x", "posted_at": "公告栏"}, now=at(D(2026, 4, 27)))
    assert "请先改定会议日期" in err.message
    # A new date restarts the notice period.
    advance(session, case.id, "schedule_meeting", street,
            {"meeting_on": "2026-05-23", "place": "广场", "meeting_form": "gathering"}, now=at(D(2026, 4, 27)))
    rows = session.scalars(select(Deadline).where(Deadline.case_id == case.id,
                                                  Deadline.key == "meeting_notice")).all()
    # The missed period moved with the meeting: it reads 已撤销（改期）, its lapse stays on the trail.
    assert [r.status for r in rows] == ["superseded", "open"] and rows[1].due_date == D(2026, 5, 8)


def test_the_meeting_waits_for_fifteen_days_of_notice(session, district):
    street = district.actor("street")
    case = open_case(session, PROC, district.estates["jinxiu"].id, district.actor("developer"),
                     application(), now=at(D(2026, 3, 2)))
    advance(session, case.id, "form_group", street, GROUP, now=at(D(2026, 3, 20)))
    advance(session, case.id, "publish_members", street, {"posted_at": "公告栏"}, now=at(D(2026, 3, 23)))
    advance(session, case.id, "schedule_meeting", street,
            {"meeting_on": "2026-05-09", "place": "广场", "meeting_form": "gathering"}, now=at(D(2026, 3, 25)))
    advance(session, case.id, "publish_notice", street, {"contents": "x", "posted_at": "公告栏"},
            now=at(D(2026, 4, 20)))
    err = refused(session, GuardRefused, advance, case.id, "hold_meeting", street, {}, now=at(D(2026, 4, 30)))
    assert "不满十五日的公告期" in err.message and "2026-05-05" in err.message


def test_the_filing_certificate_comes_from_the_street_office_in_henan(session, district, meeting):
    street, committee = district.actor("street"), district.actor("committee")
    advance(session, meeting.id, "record_vote", street, vote(), now=at(D(2026, 5, 9)))
    advance(session, meeting.id, "first_committee_meeting", committee,
            {"chair": "郑某", "vice_chair": "钱某"}, now=at(D(2026, 5, 12)))
    advance(session, meeting.id, "submit_filing", committee, {"filing_materials": "决议等"}, now=at(D(2026, 5, 20)))
    err = refused(session, GuardRefused, advance, meeting.id, "accept_filing", district.actor("bureau"), {})
    assert "由街道办事处出具" in err.message and "第二十九条" in err.message
    err = refused(session, NotPermitted, advance, meeting.id, "accept_filing", committee, {})
    case = advance(session, meeting.id, "request_correction", street, {"reasons": "缺少成员基本情况"},
                   now=at(D(2026, 5, 22)))
    assert case.state == "chair_elected"
    case = advance(session, meeting.id, "submit_filing", committee, {"filing_materials": "已补充"}, now=at(D(2026, 5, 25)))
    assert case.state == "filing_submitted"


# -- deadlines missed --------------------------------------------------------------------

def test_group_formation_missed_then_met_late(session, district):
    case = open_case(session, PROC, district.estates["jinxiu"].id, district.actor("developer"),
                     application(), now=at(D(2026, 3, 2)))
    assert scan(session, at(D(2026, 4, 1), 23))["missed"] == 0
    assert scan(session, at(D(2026, 4, 2), 0))["missed"] == 1      # the 30 days of art. 20
    assert deadlines(session, case.id)["group_formation"].status == "missed"
    advance(session, case.id, "form_group", district.actor("street"), GROUP, now=at(D(2026, 4, 8)))
    dl = deadlines(session, case.id)["group_formation"]
    assert dl.status == "met" and dl.late


def test_committee_filing_missed(session, district, meeting):
    street, committee = district.actor("street"), district.actor("committee")
    advance(session, meeting.id, "record_vote", street, vote(), now=at(D(2026, 5, 9)))
    advance(session, meeting.id, "first_committee_meeting", committee,
            {"chair": "郑某", "vice_chair": "钱某"}, now=at(D(2026, 5, 14)))
    scan(session, at(D(2026, 6, 9), 0))
    dl = deadlines(session, meeting.id)
    assert dl["committee_filing"].status == "missed" and dl["committee_first_meeting"].status == "met"
    advance(session, meeting.id, "submit_filing", committee, {"filing_materials": "决议等"}, now=at(D(2026, 6, 12)))
    dl = deadlines(session, meeting.id)["committee_filing"]
    assert dl.status == "met" and dl.late


def test_each_henan_period_runs_out_at_the_end_of_its_last_day(session, district):
    dev, street = district.actor("developer"), district.actor("street")
    case = open_case(session, PROC, district.estates["jinxiu"].id, dev, application(), now=at(D(2026, 3, 2)))
    assert runs_out(session, case.id, "group_formation") == D(2026, 4, 1)
    assert runs_out(session, case.id, "developer_documents") == D(2026, 4, 20)
    advance(session, case.id, "submit_documents", dev, {"documents": "业主名册等"}, now=at(D(2026, 4, 21)))
    advance(session, case.id, "form_group", street, GROUP, now=at(D(2026, 4, 22)))
    dl = deadlines(session, case.id)
    assert dl["developer_documents"].late and dl["group_formation"].late
    # 60 days from 22 April is Sunday 21 June: the period ends on Monday 22 June.
    assert runs_out(session, case.id, "first_meeting") == D(2026, 6, 22)


def test_the_committee_first_meeting_runs_out(session, district, meeting):
    advance(session, meeting.id, "record_vote", district.actor("street"), vote(), now=at(D(2026, 5, 9)))
    assert runs_out(session, meeting.id, "committee_first_meeting") == D(2026, 5, 18)
    advance(session, meeting.id, "first_committee_meeting", district.actor("committee"),
            {"chair": "郑某", "vice_chair": "钱某"}, now=at(D(2026, 5, 20)))
    dl = deadlines(session, meeting.id)["committee_first_meeting"]
    assert dl.status == "met" and dl.late


# -- Shandong and the national pack ------------------------------------------------------

def test_shandong_counts_from_the_conditions_and_the_bureau_certifies(session, district, issued):
    street2, bureau = district.actor("street2"), district.actor("bureau")
    estate = district.estates["taishan"]
    case = open_case(session, PROC, estate.id, street2,
                     application(applicant="report", applicant_name="湖东街道办事处",
                                 conditions_met_on="2026-03-02", applied_on="2026-03-02"),
                     now=at(D(2026, 3, 2)))
    dl = deadlines(session, case.id)
    assert set(dl) == {"group_formation_from_conditions"}
    # 60 days from 2 March is 1 May, inside the Labour Day holiday: Wednesday 6 May.
    assert dl["group_formation_from_conditions"].due_date == D(2026, 5, 6)
    assert "山东省物业管理条例》第二十一条第一款" in dl["group_formation_from_conditions"].citation

    err = refused(session, GuardRefused, advance, case.id, "form_group", street2,
                  {**GROUP, "member_count": 6, "owner_members": 4})
    assert "七人以上单数" in err.message
    advance(session, case.id, "form_group", street2, {**GROUP, "member_count": 7, "owner_members": 4},
            now=at(D(2026, 3, 20)))
    dl = deadlines(session, case.id)
    assert dl["group_formation_from_conditions"].status == "met"
    assert dl["members_notice"].due_date == D(2026, 3, 30)          # 10 days, art. 21 para. 3
    assert dl["first_meeting"].due_date == D(2026, 6, 18)           # 90 days, art. 22 para. 3
    assert scan(session, at(D(2026, 3, 31), 0))["missed"] == 1
    advance(session, case.id, "publish_members", street2, {"posted_at": "公告栏"}, now=at(D(2026, 4, 1)))
    assert deadlines(session, case.id)["members_notice"].late

    advance(session, case.id, "schedule_meeting", street2,
            {"meeting_on": "2026-05-09", "place": "会所", "meeting_form": "online"}, now=at(D(2026, 4, 2)))
    assert "第二十二条第二款" in deadlines(session, case.id)["meeting_notice"].citation
    advance(session, case.id, "publish_notice", street2, {"contents": "x", "posted_at": "公告栏"},
            now=at(D(2026, 4, 10)))
    advance(session, case.id, "hold_meeting", street2, {}, now=at(D(2026, 5, 9)))
    # 泰山御园: 40000 m², 380 owners.
    case = advance(session, case.id, "record_vote", street2, {
        **figures("rules", "30000", 300, "20000", 200), **figures("covenant", "30000", 300, "20000", 200),
        **figures("election", "30000", 300, "16000", 160), "committee_members": "五人名单"},
        now=at(D(2026, 5, 9)))
    assert "第三十条第二款" in deadlines(session, case.id)["committee_first_meeting"].citation
    # The new committee is registered as an organisation of the estate.
    session.get(Estate, estate.id).committee_id = district.orgs["committee"].id
    session.commit()
    committee = district.actor("committee")
    advance(session, case.id, "first_committee_meeting", committee, {"chair": "甲", "vice_chair": "乙"},
            now=at(D(2026, 5, 11)))
    advance(session, case.id, "submit_filing", committee, {"filing_materials": "决议等"}, now=at(D(2026, 5, 20)))
    cert = deadlines(session, case.id)["filing_certificate"]
    assert cert.party == "housing_bureau" and cert.due_date == D(2026, 6, 1)   # 30 May is a Saturday
    err = refused(session, GuardRefused, advance, case.id, "accept_filing", street2, {})
    assert "由区住房和城乡建设局出具" in err.message and "第三十一条第二款" in err.message
    assert runs_out(session, case.id, "filing_certificate") == D(2026, 6, 1)
    case = advance(session, case.id, "accept_filing", bureau, {}, now=at(D(2026, 6, 2)))
    cert = deadlines(session, case.id)["filing_certificate"]
    assert case.state == "filed" and cert.status == "met" and cert.late
    assert issued[-1] == ("accept_filing", "committee_filing_certificate")


def test_national_rules_where_no_provincial_text_is_loaded(session, district):
    hunan = Estate(name="湘江花园", province="湖南省", bureau_id=district.orgs["bureau"].id,
                   street_office_id=district.orgs["street"].id, developer_id=district.orgs["developer"].id,
                   total_area=1000, total_owners=10)
    session.add(hunan)
    session.commit()
    case = open_case(session, PROC, hunan.id, district.actor("developer"), application(), now=at(D(2026, 3, 2)))
    dl = deadlines(session, case.id)
    assert set(dl) == {"group_formation"}
    assert dl["group_formation"].rulepack == "national" and dl["group_formation"].due_date == D(2026, 5, 6)
    assert runs_out(session, case.id, "group_formation") == D(2026, 5, 6)
    assert "待核实" in dl["group_formation"].citation
    advance(session, case.id, "form_group", district.actor("street"), GROUP, now=at(D(2026, 3, 20)))
    first = deadlines(session, case.id)["first_meeting"]
    assert first.amount == 90 and "待核实" in first.citation


# -- through the pages, as the demo users ------------------------------------------------

def test_the_vote_and_the_filing_through_the_pages(client, session, district, issued):
    """The street office enters the figures on the case page; a failed matter is refused
    with tally's sentences; the committee then meets and files, and the street office's
    acceptance issues the filing certificate."""
    from datetime import datetime, timedelta

    # The recorder instead of the PDFs, whose rendering is tested in tests/test_forms.py.
    client.application.extensions["session_info"]["issuers"][:] = session.info["issuers"]

    from engine.legaltime import TZ
    today = datetime.now(TZ).date()
    T = lambda n: today - timedelta(days=n)     # noqa: E731
    dev, st = district.actor("developer"), district.actor("street")
    case = open_case(session, PROC, district.estates["jinxiu"].id, dev,
                     application(conditions_met_on=T(90).isoformat(), applied_on=T(80).isoformat()),
                     now=at(T(80)))
    advance(session, case.id, "form_group", st, GROUP, now=at(T(70)))
    advance(session, case.id, "publish_members", st, {"posted_at": "公告栏"}, now=at(T(69)))
    advance(session, case.id, "schedule_meeting", st,
            {"meeting_on": T(30).isoformat(), "place": "广场", "meeting_form": "gathering"}, now=at(T(60)))
    advance(session, case.id, "publish_notice", st, {"contents": "x", "posted_at": "公告栏"}, now=at(T(58)))
    advance(session, case.id, "hold_meeting", st, {}, now=at(T(30)))

    def login(username):
        client.post("/logout")
        r = client.post("/login", data={"username": username, "password": "demo12345"})
        assert r.status_code == 302

    login("street")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "管理规约：同意的专有部分面积（平方米）" in page
    bad = {k: str(v) for k, v in vote(**figures("covenant", "60000.00", 560, "30000.00", 300)).items()}
    r = client.post(f"/cases/{case.id}/actions/record_vote", data=bad)
    assert r.status_code == 422
    assert "「管理规约」未获通过" in r.get_data(as_text=True) and "50.00%，未超过半数" in r.get_data(as_text=True)
    r = client.post(f"/cases/{case.id}/actions/record_vote", data={k: str(v) for k, v in vote().items()})
    assert r.status_code == 302

    login("committee")
    assert client.post(f"/cases/{case.id}/actions/first_committee_meeting",
                       data={"chair": "郑某", "vice_chair": "钱某"}).status_code == 302
    assert client.post(f"/cases/{case.id}/actions/submit_filing",
                       data={"filing_materials": "决议、议事规则、管理规约、成员名单"}).status_code == 302
    login("street")
    assert client.post(f"/cases/{case.id}/actions/accept_filing", data={"remark": "予以备案"}).status_code == 302
    session.expire_all()
    assert session.get(Case, case.id).state == "filed"
    assert [kind for _, kind in issued] == ["preparatory_group_notice", "first_meeting_notice",
                                            "committee_filing_certificate"]

"""物业服务企业退出与交接, as a committee, a community, a street office and the housing
bureau run it (docs/procedures.md §7-8).

锦绣花园 (河南省) has 86,420.50 m² of exclusive area and 812 owners on its register;
泰山御园 follows the Shandong rules. Every refusal leaves the database as it was."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.audit import verify_all
from engine.files import FileIn, load
from engine.materials import blocking, checklist
from engine.models import Attachment, Case, Deadline, Event
from engine.runtime import advance, available_actions, open_case
from engine.scan import scan
from tests.helpers import REFUSALS, at, refused, snapshot  # noqa: F401
from workflows import REGISTRY

DEFN = REGISTRY["enterprise_exit"]
REQUIRED = [m.key for m in DEFN.materials if m.required]


def dismissal(**over):
    """The owners' assembly of 1 July 2026 dismissed the enterprise, effective 15 Sept."""
    data = {"ground": "dismissal", "contract_no": "XY-YZ-2024-007", "term_end": "2027-06-30",
            "end_on": "2026-09-15", "resolved_on": "2026-07-01",
            "voted_area": "60000.00", "voted_owners": 600, "yes_area": "40000.00", "yes_owners": 400}
    data.update(over)
    return data



def dismissal_from_vote(session, district, vote_id, estate="jinxiu"):
    """The committee starts the exit on a counted vote of the platform (no typed figures)."""
    data = {k: v for k, v in dismissal(resolved_on="2026-05-01", vote_id=vote_id).items()
            if k not in ("voted_area", "voted_owners", "yes_area", "yes_owners")}
    return open_case(session, "enterprise_exit", district.estates[estate].id, district.actor("committee"),
                     data, now=at(date(2026, 5, 2)))


def deadline(session, case, key):
    session.expire_all()
    return session.scalars(select(Deadline).where(Deadline.case_id == case.id,
                                                  Deadline.key == key)).one()




def in_handover(session, district, ended=date(2026, 9, 15)):
    """A dismissal case whose notice was served and whose contract has ended."""
    committee = district.actor("committee")
    case = open_case(session, "enterprise_exit", district.estates["jinxiu"].id, committee,
                     dismissal(end_on=ended.isoformat()), now=at(date(2026, 7, 2)))
    advance(session, case.id, "serve_notice", committee,
            {"served_on": "2026-07-03", "recipient": "信阳安居物业服务有限公司"}, now=at(date(2026, 7, 3)))
    return advance(session, case.id, "start_handover", committee,
                   {"ended_on": ended.isoformat(), "successor": "信阳宜家物业管理有限公司"},
                   now=at(date(2026, 9, 16)))


def test_dismissal_by_vote_then_handover_item_by_item_then_signed_and_left(session, district, issued):
    committee, community = district.actor("committee"), district.actor("community")
    ent, street, bureau = district.actor("enterprise"), district.actor("street"), district.actor("bureau")
    estate = district.estates["jinxiu"]

    # 1. The committee enters the assembly's vote; tally checks it against the register.
    case = open_case(session, "enterprise_exit", estate.id, committee, dismissal(), now=at(date(2026, 7, 2)))
    assert case.state == "notice_period"
    assert case.enterprise_id == district.orgs["enterprise"].id      # the estate's provider
    assert case.data["vote"]["passed"] and case.data["vote"]["matter"] == 4
    assert any("69.43%" in r and "86420.50" in r for r in case.data["vote"]["reasons"])
    # Early warning to the community and the street office, recorded in the case.
    warning = case.data["early_warning"]
    assert {(w["role"], w["org_id"]) for w in warning["to"]} == {
        ("community", district.orgs["community"].id), ("street_office", district.orgs["street"].id)}
    assert warning["on"] == "2026-07-02" and "第九百五十条" in warning["text"]
    # Written notice 60 days before 15 Sept: 17 July 2026 (a Friday), 民法典 art. 946.
    dl = deadline(session, case, "dismissal_notice")
    assert (dl.due_date, dl.direction, dl.party, dl.status) == (date(2026, 7, 17), "before", "committee", "open")
    assert "第九百四十六条" in dl.citation
    assert not session.scalars(select(Deadline).where(Deadline.key == "non_renewal_notice")).all()
    assert [v.status_label for v in checklist(DEFN, case)] == ["未提交"] * len(DEFN.materials)

    # 2. The enterprise is not the party that serves a dismissal notice.
    err = refused(session, REFUSALS, advance, case.id, "serve_notice", ent,
                  {"served_on": "2026-07-03", "recipient": "业主委员会"}, now=at(date(2026, 7, 3)))
    assert "应由业主委员会送达" in err.message
    case = advance(session, case.id, "serve_notice", committee,
                   {"served_on": "2026-07-10", "recipient": "信阳安居物业服务有限公司"}, now=at(date(2026, 7, 10)))
    assert case.state == "awaiting_end"
    dl = deadline(session, case, "dismissal_notice")
    assert dl.status == "met" and not dl.late

    # 3. Until the contract ends the old provider keeps serving (民法典 art. 950).
    err = refused(session, REFUSALS, advance, case.id, "start_handover", committee,
                  {"ended_on": "2026-09-15"}, now=at(date(2026, 9, 10)))
    assert "尚未到来" in err.message and "第九百五十条" in err.message
    case = advance(session, case.id, "start_handover", committee,
                   {"ended_on": "2026-09-15", "successor": "信阳宜家物业管理有限公司"}, now=at(date(2026, 9, 16)))
    assert case.state == "handover"
    hp = deadline(session, case, "handover_period")
    assert (hp.due_date, hp.party, hp.status, hp.rulepack) == (date(2026, 9, 30), "enterprise", "open", "henan")
    assert "第五十二条" in hp.citation and "待核实" in hp.citation

    # 4. Signing is refused while any required item is not accepted; the refusal names them.
    err = refused(session, REFUSALS, advance, case.id, "sign_handover", committee,
                  {"signed_on": "2026-09-16", "successor": "信阳宜家物业管理有限公司"}, now=at(date(2026, 9, 16)))
    assert "不能签署" in err.message
    for m in DEFN.materials:
        assert (f"「{m.label}」尚未提交" in err.message) == m.required
    sign = next(a for a in available_actions(session, case, committee, now=at(date(2026, 9, 16)))
                if a.trigger == "sign_handover")
    assert not sign.allowed and "物业服务用房及钥匙" in sign.reason

    # 5. Item by item: premises and keys submitted with a file, sent back, resubmitted, accepted.
    keys_list = FileIn("钥匙清单.pdf", "application/pdf", b"%PDF-1.4 keys", None)
    case = advance(session, case.id, "submit_item", ent, {"item": "premises_keys"},
                   files=[keys_list], now=at(date(2026, 9, 17)))
    item = case.data["materials"]["premises_keys"]
    assert item["status"] == "submitted" and len(item["attachments"]) == 1
    att = session.get(Attachment, item["attachments"][0])
    assert att.filename == "钥匙清单.pdf" and load(session, att.sha256) == b"%PDF-1.4 keys"
    assert session.get(Event, att.event_id).trigger == "submit_item"

    err = refused(session, REFUSALS, advance, case.id, "reject_item", committee, {"item": "premises_keys"},
                  now=at(date(2026, 9, 18)))
    assert "reason" in err.errors                                  # a reason is required
    case = advance(session, case.id, "reject_item", committee,
                   {"item": "premises_keys", "reason": "缺少地下车库及水泵房钥匙"}, now=at(date(2026, 9, 18)))
    assert checklist(DEFN, case)[0].status_label == "退回"
    assert "「物业服务用房及钥匙」已退回（缺少地下车库及水泵房钥匙），待重新提交" in blocking(DEFN, case)
    case = advance(session, case.id, "submit_item", ent,
                   {"item": "premises_keys", "declaration": "补交地下车库及水泵房钥匙共 6 把"},
                   files=[FileIn("补交钥匙.jpg", "image/jpeg", b"\xff\xd8 jpg", "premises_keys")],
                   now=at(date(2026, 9, 19)))
    item = case.data["materials"]["premises_keys"]
    assert item["status"] == "submitted" and item["reason"] == "" and len(item["attachments"]) == 2
    case = advance(session, case.id, "accept_item", community, {"item": "premises_keys", "reason": "已清点"},
                   now=at(date(2026, 9, 20)))
    assert checklist(DEFN, case)[0].status_label == "已接收"
    err = refused(session, REFUSALS, advance, case.id, "submit_item", ent,
                  {"item": "premises_keys", "declaration": "再交一次"}, now=at(date(2026, 9, 20)))
    assert "已接收，无需再次提交" in err.message

    # 6. The rest by declaration; the optional "others" item does not block signing.
    for key in REQUIRED[1:-1]:
        advance(session, case.id, "submit_item", ent, {"item": key, "declaration": "已整理成册，随附移交清单"},
                now=at(date(2026, 9, 21)))
        advance(session, case.id, "accept_item", committee, {"item": key}, now=at(date(2026, 9, 22)))
    last = DEFN.materials[[m.key for m in DEFN.materials].index(REQUIRED[-1])]
    err = refused(session, REFUSALS, advance, case.id, "sign_handover", committee,
                  {"signed_on": "2026-09-22", "successor": "信阳宜家物业管理有限公司"}, now=at(date(2026, 9, 22)))
    assert err.reasons == [f"以下移交事项尚未全部接收，不能签署：「{last.label}」尚未提交"]
    advance(session, case.id, "submit_item", ent, {"item": last.key, "declaration": "维修资金账目及预收费用已结清"},
            now=at(date(2026, 9, 23)))
    err = refused(session, REFUSALS, advance, case.id, "sign_handover", committee,
                  {"signed_on": "2026-09-23", "successor": "信阳宜家物业管理有限公司"}, now=at(date(2026, 9, 23)))
    assert "已提交，尚未接收" in err.message
    case = advance(session, case.id, "accept_item", committee, {"item": last.key}, now=at(date(2026, 9, 24)))
    assert blocking(DEFN, case) == []

    # 7. Signed in time; then the enterprise leaves and the case closes.
    case = advance(session, case.id, "sign_handover", committee,
                   {"signed_on": "2026-09-25", "successor": "信阳宜家物业管理有限公司",
                    "parties": "原、新物业服务企业，业主委员会，文化社区居委会"}, now=at(date(2026, 9, 25)))
    assert case.state == "signed"
    hp = deadline(session, case, "handover_period")
    assert hp.status == "met" and not hp.late
    refused(session, REFUSALS, advance, case.id, "confirm_departure", ent, {"left_on": "2026-09-26"}, now=at(date(2026, 9, 26)))
    case = advance(session, case.id, "confirm_departure", street, {"left_on": "2026-09-26"}, now=at(date(2026, 9, 26)))
    assert case.state == "closed" and DEFN.state("closed").final
    assert all(not a.allowed for a in available_actions(session, case, bureau)) or \
        available_actions(session, case, bureau) == []

    assert issued == [("start_handover", "handover_checklist"), ("sign_handover", "handover_confirmation")]
    trail = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all()
    assert [e.trigger for e in trail][:4] == ["open", "serve_notice", "start_handover", "submit_item"]
    assert trail[-1].organisation_name == "老城街道办事处"
    audit = verify_all(session)
    assert (audit.cases, audit.problems) == (1, [])


def test_dismissal_vote_refused_with_its_figures(session, district):
    committee, ent = district.actor("committee"), district.actor("enterprise")
    estate = district.estates["jinxiu"]
    # 500 of 812 owners took part: 61.58 %, short of two thirds.
    err = refused(session, REFUSALS, open_case, "enterprise_exit", estate.id, committee,
                  dismissal(voted_owners=500, yes_owners=400), now=at(date(2026, 7, 2)))
    assert "解聘物业服务企业的表决未通过" in err.message
    assert "参与表决人数占比 61.58%，未达到三分之二" in err.message and "812" in err.message
    # Quorum met, but only half of the participating area agreed: not "过半数".
    err = refused(session, REFUSALS, open_case, "enterprise_exit", estate.id, committee,
                  dismissal(yes_area="30000.00"), now=at(date(2026, 7, 2)))
    assert "未超过半数" in err.message
    # The enterprise cannot register its own dismissal.
    err = refused(session, REFUSALS, open_case, "enterprise_exit", estate.id, ent, dismissal(), now=at(date(2026, 7, 2)))
    assert "应由业主委员会、街道办事处登记" in err.message
    # A dismissal without its figures is a field error, field by field.
    data = dismissal()
    del data["voted_area"], data["end_on"]
    err = refused(session, REFUSALS, open_case, "enterprise_exit", estate.id, committee, data, now=at(date(2026, 7, 2)))
    assert set(err.errors) == {"voted_area", "end_on"}
    err = refused(session, REFUSALS, open_case, "enterprise_exit", estate.id, committee,
                  dismissal(resolved_on="2026-07-05"), now=at(date(2026, 7, 2)))
    assert "晚于今日" in err.message
    # Without the register's totals the vote cannot be checked at all.
    estate.total_owners = None
    session.commit()
    err = refused(session, REFUSALS, open_case, "enterprise_exit", estate.id, committee, dismissal(), now=at(date(2026, 7, 2)))
    assert "尚未登记专有部分总面积和业主总人数" in err.message


def test_dismissal_notice_missed_then_served_late(session, district):
    committee = district.actor("committee")
    case = open_case(session, "enterprise_exit", district.estates["jinxiu"].id, committee,
                     dismissal(), now=at(date(2026, 7, 2)))
    assert scan(session, at(date(2026, 7, 17), 23))["missed"] == 0
    assert scan(session, at(date(2026, 7, 18), 0))["missed"] >= 1
    assert deadline(session, case, "dismissal_notice").status == "missed"
    # Handover cannot start before the notice is served.
    err = refused(session, REFUSALS, advance, case.id, "start_handover", committee, {"ended_on": "2026-09-15"},
                  now=at(date(2026, 9, 16)))
    assert "尚未送达书面通知" in err.message
    # The enterprise cannot call off the owners' dismissal.
    err = refused(session, REFUSALS, advance, case.id, "withdraw", district.actor("enterprise"),
                  {"reason": "不同意解聘"}, now=at(date(2026, 7, 19)))
    assert "只能由业主委员会、街道办事处撤销" in err.message
    advance(session, case.id, "serve_notice", committee, {"served_on": "2026-07-20", "recipient": "物业服务企业"},
            now=at(date(2026, 7, 20)))
    dl = deadline(session, case, "dismissal_notice")
    assert dl.status == "met" and dl.late


def test_non_renewal_in_henan_three_months_and_a_report_to_the_street_office(session, district):
    ent, street = district.actor("enterprise"), district.actor("street")
    estate = district.estates["jinxiu"]
    committee = district.actor("committee")
    err = refused(session, REFUSALS, open_case, "enterprise_exit", estate.id, committee,
                  {"ground": "non_renewal", "term_end": "2026-12-31"}, now=at(date(2026, 9, 1)))
    assert "应由物业服务企业、街道办事处登记" in err.message
    case = open_case(session, "enterprise_exit", estate.id, ent,
                     {"ground": "non_renewal", "term_end": "2026-12-31"}, now=at(date(2026, 9, 1)))
    assert case.data["end_on"] == "2026-12-31"
    # Henan: three months before 31 Dec → 30 Sept (no 31 Sept; 民法典 art. 202), 河南 art. 51.
    dl = deadline(session, case, "non_renewal_notice")
    assert (dl.due_date, dl.unit, dl.party) == (date(2026, 9, 30), "month", "enterprise")
    assert "第五十一条" in dl.citation and dl.rulepack == "henan"
    err = refused(session, REFUSALS, advance, case.id, "serve_notice", ent,
                  {"served_on": "2026-09-02", "recipient": "锦绣花园业主委员会"}, now=at(date(2026, 9, 2)))
    assert "报告街道办事处" in err.message and "第五十一条" in err.message
    case = advance(session, case.id, "serve_notice", ent,
                   {"served_on": "2026-09-02", "recipient": "锦绣花园业主委员会",
                    "reported_to_street_office": True}, now=at(date(2026, 9, 2)))
    assert case.state == "awaiting_end" and case.data["reported_to_street_office"] is True
    assert deadline(session, case, "non_renewal_notice").status == "met"
    # The street office may withdraw the exit when the owners renew after all.
    case = advance(session, case.id, "withdraw", street, {"reason": "业主大会决定续聘"}, now=at(date(2026, 10, 9)))
    assert case.state == "withdrawn"


def test_non_renewal_in_shandong_ninety_days_rolled_back_before_national_day(session, district):
    ent2 = district.actor("enterprise2")
    case = open_case(session, "enterprise_exit", district.estates["taishan"].id, ent2,
                     {"ground": "non_renewal", "term_end": "2026-12-31"}, now=at(date(2026, 10, 9)))
    # 90 days before 31 Dec is Fri 2 Oct, a National Day rest day: the latest working day
    # before it is Wed 30 Sept. The notice comes late: the period is already overdue.
    dl = deadline(session, case, "non_renewal_notice")
    assert dl.due_date == date(2026, 9, 30) and "第九百四十七条" in dl.citation
    assert scan(session, at(date(2026, 10, 9), 11))["missed"] >= 1
    # No Henan report duty in Shandong.
    advance(session, case.id, "serve_notice", ent2, {"served_on": "2026-10-09", "recipient": "业主委员会"},
            now=at(date(2026, 10, 9)))
    dl = deadline(session, case, "non_renewal_notice")
    assert dl.status == "met" and dl.late


def test_contract_expiry_needs_no_notice_and_handover_overdue_escalates_to_the_bureau(session, district, issued):
    committee, community, ent = district.actor("committee"), district.actor("community"), district.actor("enterprise")
    bureau, street = district.actor("bureau"), district.actor("street")
    case = open_case(session, "enterprise_exit", district.estates["jinxiu"].id, committee,
                     {"ground": "expiry", "term_end": "2026-09-15"}, now=at(date(2026, 8, 1)))
    assert not session.scalars(select(Deadline).where(Deadline.case_id == case.id)).all()
    case = advance(session, case.id, "start_handover", committee, {"ended_on": "2026-09-15"}, now=at(date(2026, 9, 16)))
    assert deadline(session, case, "handover_period").due_date == date(2026, 9, 30)
    # Nothing handed over by 30 Sept: the period is missed at 24:00.
    assert scan(session, at(date(2026, 9, 30), 23))["missed"] == 0
    assert scan(session, at(date(2026, 10, 1), 0))["missed"] == 1
    assert deadline(session, case, "handover_period").status == "missed"
    # Refusal to hand over: escalated to the housing bureau (物业管理条例 art. 58).
    refused(session, REFUSALS, advance, case.id, "escalate", ent, {"refusal": "refuse_handover", "facts": "—"},
            now=at(date(2026, 10, 9)))
    case = advance(session, case.id, "escalate", community,
                   {"refusal": "refuse_handover", "facts": "原物业服务企业拒不交出物业服务用房钥匙及业主名册"},
                   now=at(date(2026, 10, 9)))
    assert case.state == "escalated" and case.data["refusal_label"].startswith("拒不移交")
    err = refused(session, REFUSALS, advance, case.id, "order_rectification", bureau,
                  {"rectify_by": "2026-10-09", "order": "限期移交"}, now=at(date(2026, 10, 9)))
    assert "改正期限应晚于今日" in err.message
    refused(session, REFUSALS, advance, case.id, "order_rectification", street,
            {"rectify_by": "2026-10-20", "order": "限期移交"}, now=at(date(2026, 10, 9)))
    case = advance(session, case.id, "order_rectification", bureau,
                   {"rectify_by": "2026-10-20", "order": "责令十日内移交全部资料及用房"}, now=at(date(2026, 10, 10)))
    assert case.state == "escalated" and case.data["rectify_by"] == "2026-10-20"
    # Items can be handed over under supervision; the enterprise cannot leave before signing.
    err = refused(session, REFUSALS, advance, case.id, "confirm_departure", street, {"left_on": "2026-10-12"},
                  now=at(date(2026, 10, 12)))
    assert "交接确认书尚未签署" in err.message
    case = advance(session, case.id, "resume_handover", bureau, {"note": "已按期改正"}, now=at(date(2026, 10, 15)))
    assert case.state == "handover"
    for key in REQUIRED:
        advance(session, case.id, "submit_item", ent, {"item": key, "declaration": "已移交"}, now=at(date(2026, 10, 16)))
        advance(session, case.id, "accept_item", community, {"item": key}, now=at(date(2026, 10, 16)))
    advance(session, case.id, "sign_handover", community, {"signed_on": "2026-10-16", "successor": "业主自行管理"},
            now=at(date(2026, 10, 16)))
    hp = deadline(session, case, "handover_period")
    assert hp.status == "met" and hp.late
    # Refusing to leave after signing is escalated too.
    case = advance(session, case.id, "escalate", committee, {"refusal": "refuse_leave", "facts": "签署后仍占用物业服务用房"},
                   now=at(date(2026, 10, 20)))
    case = advance(session, case.id, "confirm_departure", street, {"left_on": "2026-10-25"}, now=at(date(2026, 10, 25)))
    assert case.state == "closed"
    assert ("order_rectification", "rectification_order") in issued


def test_item_steps_refuse_what_makes_no_sense(session, district):
    committee, ent = district.actor("committee"), district.actor("enterprise")
    case = in_handover(session, district)
    err = refused(session, REFUSALS, advance, case.id, "submit_item", ent, {"item": "owner_register"}, now=at(date(2026, 9, 17)))
    assert "须附文件或填写书面说明" in err.message
    err = refused(session, REFUSALS, advance, case.id, "submit_item", ent, {"item": "owner_register"},
                  files=[FileIn("钥匙.pdf", "application/pdf", b"x", "premises_keys")], now=at(date(2026, 9, 17)))
    assert "属于其他事项" in err.message
    err = refused(session, REFUSALS, advance, case.id, "accept_item", committee, {"item": "owner_register"},
                  now=at(date(2026, 9, 17)))
    assert "当前状态为「未提交」" in err.message
    err = refused(session, REFUSALS, advance, case.id, "submit_item", ent, {"item": "no_such_item", "declaration": "x"},
                  now=at(date(2026, 9, 17)))
    assert "item" in err.errors
    refused(session, REFUSALS, advance, case.id, "accept_item", ent, {"item": "owner_register"}, now=at(date(2026, 9, 17)))
    # Another enterprise does not even see the case.
    refused(session, REFUSALS, advance, case.id, "submit_item", district.actor("enterprise2"),
            {"item": "owner_register", "declaration": "x"}, now=at(date(2026, 9, 17)))
    # Items are handed over only once the contract has ended (at another estate: one exit
    # at a time per estate).
    early = open_case(session, "enterprise_exit", district.estates["hudong"].id,
                      district.actor("street2"), dismissal(), now=at(date(2026, 7, 2)))
    refused(session, REFUSALS, advance, early.id, "submit_item", ent, {"item": "owner_register", "declaration": "x"},
            now=at(date(2026, 7, 3)))


def test_definition_declares_its_checklist_documents_and_citations():
    assert DEFN.name == "enterprise_exit" and "第九百五十条" in DEFN.summary
    keys = [m.key for m in DEFN.materials]
    assert keys == ["premises_keys", "common_facilities", "inspection_docs", "technical_records",
                    "owner_register", "fund_and_fees", "others"]
    assert all(m.basis for m in DEFN.materials)
    assert [m.key for m in DEFN.materials if not m.required] == ["others"]
    issues = {t.trigger: t.issues for t in DEFN.transitions if t.issues}
    assert issues == {"start_handover": ("handover_checklist",), "sign_handover": ("handover_confirmation",),
                      "order_rectification": ("rectification_order",)}
    assert {t.trigger for t in DEFN.transitions if t.dest is None} == {
        "submit_item", "accept_item", "reject_item", "order_rectification"}
    # The handover period's "reasonable period" is a declared reference, marked unverified.
    for pack in ("national", "henan", "shandong"):
        p = DEFN.deadline("handover_period").period_for(pack)
        assert (p.amount, p.unit) == (15, "day") and "待核实" in p.citation
    assert DEFN.deadline("non_renewal_notice").period_for("henan").unit == "month"


# -- through the web pages, as the demo users would ----------------------------------

@pytest.fixture
def web_district(app, session):
    from web.demo import build_district
    return build_district(session)


def test_demo_users_walk_the_exit_from_the_pages(client, web_district, session):
    from datetime import datetime, timedelta
    from io import BytesIO

    from engine.legaltime import TZ
    today = datetime.now(TZ).date()
    estate = web_district.estates["jinxiu"]

    def login(username):
        client.post("/logout")
        client.post("/login", data={"username": username, "password": "demo12345"})

    login("committee")
    r = client.get("/cases/new?procedure=enterprise_exit")
    assert r.status_code == 200 and "退出原因" in r.get_data(as_text=True)
    r = client.post("/cases/new", data={"procedure": "enterprise_exit", "estate_id": estate.id,
                                        "ground": "expiry", "term_end": (today - timedelta(days=1)).isoformat()})
    assert r.status_code == 302
    case_id = int(r.location.rstrip("/").split("/")[-1])
    r = client.post(f"/cases/{case_id}/actions/start_handover",
                    data={"ended_on": (today - timedelta(days=1)).isoformat()})
    assert r.status_code == 302
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "逐项移交中" in page and "退出交接期限" in page and "待核实" in page

    login("enterprise")
    r = client.post(f"/cases/{case_id}/materials/premises_keys/submit",
                    data={"declaration": "钥匙 42 把", "files": (BytesIO(b"%PDF-1.4 list"), "钥匙清单.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    login("committee")
    r = client.post(f"/cases/{case_id}/materials/premises_keys/reject", data={"reason": "缺少水泵房钥匙"})
    assert r.status_code == 302
    page = client.get(f"/cases/{case_id}/materials").get_data(as_text=True)
    assert "退回" in page and "缺少水泵房钥匙" in page and "钥匙清单.pdf" in page
    session.expire_all()
    item = session.get(Case, case_id).data["materials"]["premises_keys"]
    assert item["status"] == "rejected" and len(item["attachments"]) == 1

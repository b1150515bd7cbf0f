"""物业承接查验及备案, as a developer, an enterprise and the housing bureau run it
(docs/procedures.md §5). 锦绣花园 follows the Henan rules, 泰山御园 the Shandong ones."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.audit import verify_all
from engine.models import Deadline
from engine.runtime import advance, open_case
from engine.scan import scan
from tests.helpers import REFUSALS, at, refused, snapshot  # noqa: F401
from workflows import REGISTRY

DEFN = REGISTRY["handover_inspection"]
INSPECTED = {"inspected_on": "2026-08-28", "bureau_invited": True,
             "owner_representatives": "购房人代表张某、李某", "findings": "共用部位、共用设施设备查验合格，3 处渗漏已书面约定整改"}




def deadline(session, case, key):
    session.expire_all()
    return session.scalars(select(Deadline).where(Deadline.case_id == case.id, Deadline.key == key)).one()



def planned(session, district, estate="jinxiu", delivery="2026-09-15", when=date(2026, 8, 3)):
    return open_case(session, "handover_inspection", district.estates[estate].id, district.actor("developer"),
                     {"delivery_on": delivery, "inspection_plan": "8 月下旬查验共用部位及设施设备"}, now=at(when))


def test_inspected_before_delivery_filed_within_30_days_then_published(session, district, issued):
    dev, ent, bureau = district.actor("developer"), district.actor("enterprise"), district.actor("bureau")
    case = planned(session, district)
    assert case.state == "planned"
    # Delivery on 15 Sept: the inspection is finished by Mon 31 Aug (15 days before).
    dl = deadline(session, case, "inspection")
    assert (dl.due_date, dl.direction, dl.party, dl.status) == (date(2026, 8, 31), "before", "developer", "open")
    assert "15日前" in dl.citation and "待核实" in dl.citation and "第四十四条" in dl.citation

    # Henan: the housing bureau and owner representatives must be invited (河南 art. 44).
    err = refused(session, REFUSALS, advance, case.id, "complete_inspection", dev,
                  {**INSPECTED, "bureau_invited": False, "owner_representatives": ""}, now=at(date(2026, 8, 28)))
    assert "应当邀请区住建局、业主代表参加" in err.message and "第四十四条第二款" in err.message
    err = refused(session, REFUSALS, advance, case.id, "complete_inspection", dev,
                  {**INSPECTED, "inspected_on": "2026-08-29"}, now=at(date(2026, 8, 28)))
    assert "晚于今日" in err.message
    case = advance(session, case.id, "complete_inspection", dev, INSPECTED, now=at(date(2026, 8, 28)))
    assert case.state == "inspected"
    dl = deadline(session, case, "inspection")
    assert dl.status == "met" and not dl.late

    # Handover after the inspection; the filing period runs from it.
    err = refused(session, REFUSALS, advance, case.id, "hand_over", dev,
                  {"handed_over_on": "2026-08-27", "agreement_no": "CJ-2026-01"}, now=at(date(2026, 9, 1)))
    assert "早于查验完成日期" in err.message
    case = advance(session, case.id, "hand_over", dev, {"handed_over_on": "2026-09-01", "agreement_no": "CJ-2026-01"},
                   now=at(date(2026, 9, 1)))
    assert case.state == "handed_over"
    # 30 days from 1 Sept end on 1 Oct, in the National Day holiday: moved to Thu 8 Oct.
    fl = deadline(session, case, "filing")
    assert (fl.due_date, fl.party, fl.rulepack) == (date(2026, 10, 8), "enterprise", "henan")
    assert "第四十六条" in fl.citation

    # Only the enterprise files; the bureau asks for a correction, then files it.
    refused(session, REFUSALS, advance, case.id, "submit_filing", dev, {"documents": "查验协议"}, now=at(date(2026, 9, 10)))
    case = advance(session, case.id, "submit_filing", ent, {"documents": "前期物业服务合同、临时管理规约、承接查验协议"},
                   now=at(date(2026, 9, 10)))
    assert case.state == "submitted" and deadline(session, case, "filing").status == "met"
    case = advance(session, case.id, "request_correction", bureau, {"reasons": "缺少物业交接清单及查验记录"},
                   now=at(date(2026, 9, 14)))
    assert case.state == "handed_over" and case.data["reasons"] == "缺少物业交接清单及查验记录"
    advance(session, case.id, "submit_filing", ent, {"documents": "补充交接清单及查验记录"}, now=at(date(2026, 9, 18)))
    refused(session, REFUSALS, advance, case.id, "accept_filing", district.actor("street"), {}, now=at(date(2026, 9, 25)))
    case = advance(session, case.id, "accept_filing", bureau, {"remark": "材料齐全，予以备案"}, now=at(date(2026, 9, 25)))
    assert case.state == "filed" and case.data["filed_on"] == "2026-09-25"
    pn = deadline(session, case, "public_notice")
    assert (pn.due_date, pn.status) == (date(2026, 9, 30), "open")
    assert "地方实践" in pn.citation and "待核实" in pn.citation

    case = advance(session, case.id, "publish", ent, {"published_on": "2026-09-28", "place": "小区南门公告栏"},
                   now=at(date(2026, 9, 28)))
    assert case.state == "published" and DEFN.state("published").final
    assert deadline(session, case, "public_notice").status == "met"
    assert issued == [("request_correction", "correction_notice"), ("accept_filing", "inspection_filing_receipt")]
    assert verify_all(session) == (1, [])


def test_each_deadline_missed_then_met_late(session, district):
    dev, ent, bureau = district.actor("developer"), district.actor("enterprise"), district.actor("bureau")
    case = planned(session, district)
    # Inspection: last day Mon 31 Aug, overdue from 24:00.
    assert scan(session, at(date(2026, 8, 31), 23))["missed"] == 0
    assert scan(session, at(date(2026, 9, 1), 0))["missed"] == 1
    assert deadline(session, case, "inspection").status == "missed"
    advance(session, case.id, "complete_inspection", dev, {**INSPECTED, "inspected_on": "2026-09-03"},
            now=at(date(2026, 9, 3)))
    dl = deadline(session, case, "inspection")
    assert dl.status == "met" and dl.late
    # Filing: handed over 3 Sept → last day Sat 3 Oct is a holiday → Thu 8 Oct.
    advance(session, case.id, "hand_over", dev, {"handed_over_on": "2026-09-03", "agreement_no": "CJ-2"},
            now=at(date(2026, 9, 3)))
    assert deadline(session, case, "filing").due_date == date(2026, 10, 8)
    assert scan(session, at(date(2026, 10, 9), 0))["missed"] == 1
    advance(session, case.id, "submit_filing", ent, {"documents": "全套"}, now=at(date(2026, 10, 12)))
    assert deadline(session, case, "filing").late
    # Public notice: filed Tue 13 Oct → 5 days → Sun 18 Oct → Mon 19 Oct (art. 203).
    advance(session, case.id, "accept_filing", bureau, {}, now=at(date(2026, 10, 13)))
    pn = deadline(session, case, "public_notice")
    assert pn.due_date == date(2026, 10, 19)
    assert scan(session, at(date(2026, 10, 20), 0))["missed"] == 1
    advance(session, case.id, "publish", ent, {"published_on": "2026-10-21", "place": "公告栏"},
            now=at(date(2026, 10, 21)))
    pn = deadline(session, case, "public_notice")
    assert pn.status == "met" and pn.late


def test_plan_refusals_and_shandong_rules(session, district):
    dev, ent2 = district.actor("developer"), district.actor("enterprise2")
    err = refused(session, REFUSALS, planned, district, delivery="2026-08-03")
    assert "不晚于今日" in err.message
    refused(session, REFUSALS, open_case, "handover_inspection", district.estates["jinxiu"].id, district.actor("committee"),
            {"delivery_on": "2026-09-15"}, now=at(date(2026, 8, 3)))
    # Shandong: no invitation duty and the national (unverified) filing rule.
    case = planned(session, district, estate="taishan")
    advance(session, case.id, "complete_inspection", ent2,
            {"inspected_on": "2026-08-20", "findings": "合格"}, now=at(date(2026, 8, 20)))
    case = advance(session, case.id, "hand_over", ent2, {"handed_over_on": "2026-08-21", "agreement_no": "TS-1"},
                   now=at(date(2026, 8, 21)))
    fl = deadline(session, case, "filing")
    # 30 days end on Sun 20 Sept, a make-up working day for National Day: not moved.
    assert fl.rulepack == "shandong" and fl.due_date == date(2026, 9, 20) and "待核实" in fl.citation
    # Steps out of order are refused with the state they need.
    err = refused(session, REFUSALS, advance, case.id, "publish", ent2, {"published_on": "2026-08-21", "place": "x"},
                  now=at(date(2026, 8, 21)))
    assert "已备案，待公示" in err.message


def test_definition_names_roles_documents_and_citations():
    assert {t.trigger: t.roles for t in DEFN.transitions}["accept_filing"] == ("housing_bureau",)
    assert {t.trigger: t.issues for t in DEFN.transitions if t.issues} == {
        "request_correction": ("correction_notice",), "accept_filing": ("inspection_filing_receipt",)}
    for d in DEFN.deadlines:
        for pack, p in d.rules.items():
            assert p.citation
    assert DEFN.deadline("inspection").direction == "before"

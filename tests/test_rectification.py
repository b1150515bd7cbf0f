"""A 专项整治 inspection of 锦绣花园 against the self-inspection table, as the street office
runs it (docs/procedures.md §11): three items fail and become ledger entries; one is
rectified and closed (销号), one runs overdue and climbs to the street office and the
bureau, one is put under listed supervision (挂牌督办)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.alerts import Alert
from engine.files import FileIn
from engine.models import Case
from engine.runtime import advance, available_actions, open_case
from engine.scan import scan
from tests.helpers import REFUSALS, at, deadlines, refused
from workflows.rules.checklists import SPECIAL

PHOTO = FileIn("整改后.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)
FAILS = {
    "fire_lanes": {"problem": "5号楼东侧消防车通道被私家车占用", "measure": "清理占用车辆，施划禁停标线",
                   "rectify_by": "2026-11-09", "responsible_person": "周经理"},
    "ev_charging": {"problem": "3号楼楼道内电动自行车充电，飞线入户", "measure": "拆除飞线，增设集中充电桩",
                    "rectify_by": "2026-11-16", "responsible_person": "周经理", "serious": "yes"},
    "lifts": {"problem": "2号楼电梯年检合格证未公示", "measure": "在轿厢内张贴年检合格证",
              "rectify_by": "2026-11-06", "responsible_person": "秩序主管"},
}


def inspected(session, district):
    street = district.actor("street")
    case = open_case(session, "inspection", district.estates["jinxiu"].id, street,
                     {"kind": "special", "template": SPECIAL.key, "inspectors": "李主任、社区网格员"},
                     now=at(date(2026, 11, 2)))
    # Not every item answered: it cannot be completed.
    refused(session, REFUSALS, advance, case.id, "complete", street, {}, now=at(date(2026, 11, 2)))
    # A failure without its measure is refused (it would make an empty ledger entry).
    refused(session, REFUSALS, advance, case.id, "answer", street,
            {"item": "fire_lanes", "result": "fail", "problem": "通道占用"}, now=at(date(2026, 11, 2)))
    for item in SPECIAL.items():
        payload = {"item": item.key, "result": "fail", **FAILS[item.key]} if item.key in FAILS else \
            {"item": item.key, "result": "pass"}
        advance(session, case.id, "answer", street, payload, now=at(date(2026, 11, 2)),
                files=[PHOTO] if item.key in FAILS else ())
    return advance(session, case.id, "complete", street, {"summary": "发现问题3处，列入台账"}, now=at(date(2026, 11, 2)))


def test_a_special_inspection_with_three_findings(session, district, issued):
    street, bureau, ent = district.actor("street"), district.actor("bureau"), district.actor("enterprise")
    case = inspected(session, district)
    assert case.state == "inspected_all" and case.data["findings"] == 3
    entries = {c.data["responsible_person"] + c.data["rectify_by"]: c for c in session.scalars(
        select(Case).where(Case.parent_case_id == case.id).order_by(Case.id))}
    assert len(entries) == 3
    assert [k for k in issued if k[1] == "rectification_notice"] == [("open", "rectification_notice")] * 3
    lane, wires, lift = (entries["周经理2026-11-09"], entries["周经理2026-11-16"], entries["秩序主管2026-11-06"])
    assert lane.enterprise_id == district.orgs["enterprise"].id and lane.state == "ordered"
    assert deadlines(session, lane.id)["rectify"].due_date == date(2026, 11, 9)
    assert "待核实" in deadlines(session, lane.id)["rectify"].citation

    # 1. The fire lane is cleared: reported with a photo, re-checked, closed (销号). The
    # enterprise is offered the report (the photo comes with it); without one it is refused.
    assert {a.trigger: a.allowed for a in available_actions(session, lane, ent, now=at(date(2026, 11, 5)))} \
        == {"report": True, "supervise": False}
    refused(session, REFUSALS, advance, lane.id, "report", ent, {"measures_taken": "已清理"}, now=at(date(2026, 11, 5)))
    advance(session, lane.id, "report", ent, {"measures_taken": "已清理占用车辆并施划禁停标线"},
            now=at(date(2026, 11, 5)), files=[PHOTO])
    back = advance(session, lane.id, "send_back", street, {"reasons": "标线未覆盖转角", "rectify_by": "2026-11-09"},
                   now=at(date(2026, 11, 6)))
    assert back.state == "ordered"
    advance(session, lane.id, "report", ent, {"measures_taken": "补划转角标线"}, now=at(date(2026, 11, 9)), files=[PHOTO])
    lane = advance(session, lane.id, "clear", street, {"remark": "整改到位"}, now=at(date(2026, 11, 10)))
    assert lane.state == "cleared" and ("clear", "closure_confirmation") in issued

    # 2. The flying wires are serious: the bureau lists them for supervision (挂牌督办).
    refused(session, REFUSALS, advance, wires.id, "supervise", ent,
            {"requirements": "限期整改", "supervise_by": "2026-11-13"}, now=at(date(2026, 11, 4)))
    advance(session, wires.id, "supervise", bureau, {"requirements": "严重消防隐患，挂牌督办，限期拆除飞线",
                                                     "supervise_by": "2026-11-13"}, now=at(date(2026, 11, 4)))
    assert ("supervise", "listing_notice") in issued
    assert deadlines(session, wires.id)["listed"].due_date == date(2026, 11, 13)
    refused(session, REFUSALS, advance, wires.id, "supervise", bureau,
            {"requirements": "再次", "supervise_by": "2026-11-20"}, now=at(date(2026, 11, 5)))

    # 3. The lift certificate is not posted by 6 Nov: overdue, the enterprise is alerted,
    # then the street office (1 working day on) and the bureau (5 working days on).
    scan(session, at(date(2026, 11, 16)))
    rows = session.scalars(select(Alert).where(Alert.case_id == lift.id).order_by(Alert.level)).all()
    assert [(a.level, a.role) for a in rows if a.kind != "due_soon"] == \
        [(0, "enterprise"), (1, "street_office"), (2, "housing_bureau")]
    assert deadlines(session, lift.id)["rectify"].status == "missed"

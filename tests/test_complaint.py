"""投诉及12345工单办理, as a community's 物管员, a street office and a department run it
(docs/procedures.md §10): a 12345 order about 飞线充电 is signed for by the community,
escalated to the street office, transferred to the fire and rescue brigade, replied,
visited and closed."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.access import Actor, visible_cases
from engine.audit import verify_all
from engine.models import Case, Organisation, User
from engine.runtime import advance, open_case
from engine.scan import scan
from tests.helpers import REFUSALS, at, deadlines, refused

ORDER = {"source": "hotline_12345", "hotline_no": "XY12345-20261102-0017", "category": "flying_wire",
         "complainant": "刘女士", "phone": "13800000000",
         "content": "3号楼一单元有住户从五楼窗口拉电线给电动车充电，存在火灾隐患，物业劝阻无效"}


def department(session, name: str, username: str) -> Actor:
    org = Organisation(name=name, kind="department")
    session.add(org)
    session.flush()
    user = User(username=username, display_name=f"{name}值班员", role="department",
                organisation_id=org.id, password_hash="x")
    session.add(user)
    session.commit()
    return Actor.of(user)


def test_a_12345_order_about_flying_wires_goes_to_the_fire_brigade_and_is_closed(session, district, issued):
    community, street = district.actor("community"), district.actor("street")
    fire = department(session, "浉河区消防救援大队", "fire")
    market = department(session, "浉河区市场监督管理局", "market")
    jinxiu = district.estates["jinxiu"].id

    # A 12345 order needs its number.
    err = refused(session, REFUSALS, open_case, "complaint", jinxiu, community,
                  {**ORDER, "hotline_no": ""}, now=at(date(2026, 11, 2)))
    assert "工单编号" in str(err.errors["hotline_no"])
    case = open_case(session, "complaint", jinxiu, community, ORDER, now=at(date(2026, 11, 2)))
    assert case.state == "registered" and case.data["level"] == "community"
    assert issued == [("open", "complaint_receipt")]
    dl = deadlines(session, case.id)
    assert set(dl) == {"sign_for_community", "respond_community", "complete_community"}
    # Working days: opened Mon 2 Nov, signed for by Tue 3 Nov, completed in 10 working days.
    assert dl["sign_for_community"].due_date == date(2026, 11, 3)
    assert dl["complete_community"].due_date == date(2026, 11, 16)
    assert "待核实" in dl["complete_community"].citation and "第七十五条" in dl["complete_community"].citation

    # The street office does not sign for what the community holds.
    err = refused(session, REFUSALS, advance, case.id, "sign_for", street, {}, now=at(date(2026, 11, 2)))
    assert "社区居委会承办" in str(err)
    advance(session, case.id, "sign_for", community, {}, now=at(date(2026, 11, 2)))
    advance(session, case.id, "respond", community, {"note": "电话联系刘女士，已到现场查看"}, now=at(date(2026, 11, 3)))
    # The occupant refuses to stop: the community escalates, the street office calls the department.
    case = advance(session, case.id, "escalate", community, {"reasons": "劝阻无效，需执法部门处理"},
                   now=at(date(2026, 11, 4)))
    assert case.state == "registered" and case.data["level"] == "street_office"
    dl = deadlines(session, case.id)
    assert dl["complete_community"].status == "cancelled" and dl["complete_street"].status == "open"
    advance(session, case.id, "sign_for", street, {}, now=at(date(2026, 11, 4)))

    # Fire lanes and flying wires belong to the fire brigade, not market regulation.
    err = refused(session, REFUSALS, advance, case.id, "transfer", street,
                  {"department_id": market.org_id, "reasons": "请依法处理"}, now=at(date(2026, 11, 5)))
    assert "消防救援机构" in str(err)
    # Before the transfer the brigade sees nothing.
    assert session.scalars(visible_cases(fire)).all() == []
    case = advance(session, case.id, "transfer", street,
                   {"department_id": fire.org_id, "reasons": "飞线充电属消防救援机构职责，劝阻无效，请依法查处"},
                   now=at(date(2026, 11, 5)))
    assert case.state == "transferred" and issued[-1] == ("transfer", "transfer_order")
    assert [c.id for c in session.scalars(visible_cases(fire))] == [case.id]
    assert session.scalars(visible_cases(market)).all() == []

    advance(session, case.id, "accept_transfer", fire, {}, now=at(date(2026, 11, 5)))
    advance(session, case.id, "respond", fire, {"note": "已联系投诉人"}, now=at(date(2026, 11, 6)))
    advance(session, case.id, "extend", fire, {"reasons": "需约谈住户并复查"}, now=at(date(2026, 11, 9)))
    refused(session, REFUSALS, advance, case.id, "extend", fire, {"reasons": "再延"}, now=at(date(2026, 11, 10)))
    case = advance(session, case.id, "reply", fire,
                   {"finding": "substantiated", "reply": "已责令住户拆除飞线，设置集中充电点"}, now=at(date(2026, 11, 12)))
    assert case.state == "replied"
    dl = deadlines(session, case.id)
    assert dl["extended_department"].status == "met" and dl["visit_community"].status == "open"

    # The community registered it, so the community visits; not satisfied → reopened once.
    refused(session, REFUSALS, advance, case.id, "close", community, {"satisfaction": "unsatisfied"},
            now=at(date(2026, 11, 13)))
    case = advance(session, case.id, "reopen", community, {"reasons": "住户夜间仍拉线充电"}, now=at(date(2026, 11, 13)))
    assert case.state == "handling" and case.data["level"] == "department"
    assert deadlines(session, case.id)["complete_department"].status == "open"
    advance(session, case.id, "reply", fire, {"finding": "substantiated", "reply": "复查并处罚款，已整改"},
            now=at(date(2026, 11, 16)))
    refused(session, REFUSALS, advance, case.id, "reopen", community, {"reasons": "again"}, now=at(date(2026, 11, 17)))
    case = advance(session, case.id, "close", community, {"satisfaction": "satisfied", "visit_note": "回访满意"},
                   now=at(date(2026, 11, 17)))
    assert case.state == "closed"
    assert all(d.status in ("met", "cancelled", "superseded") for d in deadlines(session, case.id).values())
    assert verify_all(session).problems == []


def test_an_overdue_transfer_alerts_the_department_then_the_street_office(session, district):
    community, street = district.actor("community"), district.actor("street")
    fire = department(session, "浉河区消防救援大队", "fire")
    case = open_case(session, "complaint", district.estates["jinxiu"].id, street,
                     {**ORDER, "source": "street_window", "category": "fire_lane"}, now=at(date(2026, 11, 2)))
    advance(session, case.id, "escalate", community, {"reasons": "堵塞严重"}, now=at(date(2026, 11, 2)))
    advance(session, case.id, "transfer", street, {"department_id": fire.org_id, "reasons": "占用消防通道"},
            now=at(date(2026, 11, 2)))
    scan(session, at(date(2026, 11, 10)))
    from engine.alerts import Alert
    rows = session.scalars(select(Alert).where(Alert.case_id == case.id).order_by(Alert.id)).all()
    assert {(a.role, a.organisation_id) for a in rows if a.level == 0} == {("department", fire.org_id)}
    assert any(a.role == "street_office" and a.level == 1 for a in rows)


def test_the_routing_is_data_every_category_has_a_first_level():
    from workflows.complaint import ROUTES, competent
    assert ROUTES["fees"].first == "street_office" and competent("fees", "浉河区市场监督管理局")
    assert ROUTES["neighbours"].first == "community" and competent("neighbours", "五星司法所")
    assert not competent("water_supply", "浉河区消防救援大队")


def test_the_hotline_platform_posts_an_order_twice_and_one_case_is_opened(api):
    from engine.models import Case
    from sqlalchemy import func
    body = {"procedure": "complaint", "estate_id": api.district.estates["jinxiu"].id,
            "external_no": "XY12345-20261102-0099", "data": {**ORDER, "hotline_no": ""}}
    r = api.post("/cases", body, user="community")
    assert r.status_code == 201, r.get_json()
    first = r.get_json()
    assert first["data"]["hotline_no"] == "XY12345-20261102-0099" and first["state"] == "registered"
    again = api.post("/cases", body, user="community")
    assert again.status_code == 200 and again.get_json()["id"] == first["id"]
    assert api.count(Case) == 1
    # The number in the order must be the order's own.
    r = api.post("/cases", {**body, "external_no": "XY-2", "data": {**ORDER, "hotline_no": "XY-3"}},
                 user="community")
    assert r.status_code in (400, 422) and api.count(Case) == 1


def test_the_ledger_api_counts_what_the_caller_may_see(api):
    body = {"procedure": "complaint", "estate_id": api.district.estates["jinxiu"].id,
            "external_no": "XY12345-1", "data": {**ORDER, "category": "fees", "hotline_no": "XY12345-1"}}
    assert api.post("/cases", body, user="community").status_code == 201
    r = api.get("/ledgers/complaint?by=category", user="bureau")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["rows"] == [{"key": "fees", "name": "收费价格", "total": 1, "open": 1, "finished": 0,
                                     "overdue": 0}]
    assert api.get("/ledgers/complaint", user="street2").get_json()["rows"] == []
    assert api.get("/ledgers/contract_filing").status_code == 404
    assert api.get("/ledgers/complaint?by=nothing").status_code == 400
    assert api.get("/credit", user="bureau").get_json() == {"items": []}


def test_a_substantiated_complaint_about_the_enterprise_proposes_a_bad_credit_record(session, district):
    street, community = district.actor("street"), district.actor("community")
    case = open_case(session, "complaint", district.estates["jinxiu"].id, street,
                     {**ORDER, "source": "street_window", "category": "fees", "about_enterprise": "yes",
                      "content": "物业公司擅自上调停车费"}, now=at(date(2026, 11, 2)))
    assert case.data["level"] == "street_office" and case.data["enterprise_id"] == district.orgs["enterprise"].id
    advance(session, case.id, "sign_for", street, {}, now=at(date(2026, 11, 2)))
    advance(session, case.id, "respond", street, {"note": "约谈企业"}, now=at(date(2026, 11, 3)))
    advance(session, case.id, "reply", street, {"finding": "substantiated", "reply": "已责令退还多收费用"},
            now=at(date(2026, 11, 6)))
    # The street office registered it, so the street office visits.
    refused(session, REFUSALS, advance, case.id, "close", community, {"satisfaction": "satisfied"},
            now=at(date(2026, 11, 9)))
    advance(session, case.id, "close", street, {"satisfaction": "satisfied"}, now=at(date(2026, 11, 9)))
    (record,) = session.scalars(select(Case).where(Case.parent_case_id == case.id)).all()
    assert (record.procedure, record.state, record.enterprise_id) == \
        ("credit_record", "proposed", district.orgs["enterprise"].id)
    assert record.data["fact"] == "substantiated_complaint" and record.data["points"] == "2"


def test_a_repeated_complaint_is_merged_into_a_complaint_about_the_same_estate(session, district):
    community = district.actor("community")
    first = open_case(session, "complaint", district.estates["jinxiu"].id, community, ORDER, now=at(date(2026, 11, 2)))
    other_estate = open_case(session, "complaint", district.estates["binhe"].id, community, ORDER,
                             now=at(date(2026, 11, 2)))
    again = open_case(session, "complaint", district.estates["jinxiu"].id, community,
                      {**ORDER, "hotline_no": "XY12345-20261103-0002"}, now=at(date(2026, 11, 3)))
    for into, why in ((again.id, "自身"), (other_estate.id, "不是本物业管理区域的投诉"), (99999, "不是本物业管理区域的投诉")):
        err = refused(session, REFUSALS, advance, again.id, "merge", community,
                      {"into_case": into, "reasons": "重复"}, now=at(date(2026, 11, 3)))
        assert why in str(err.reasons if hasattr(err, "reasons") else err), (into, err)
    case = advance(session, again.id, "merge", community, {"into_case": first.id, "reasons": "同一住户重复来电"},
                   now=at(date(2026, 11, 3)))
    assert case.state == "merged" and all(d.status == "cancelled" for d in deadlines(session, again.id).values())

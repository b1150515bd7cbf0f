"""Duties the register raises by itself, found by the daily scan whether or not anybody
opened a case: a committee's term running out (山东 art. 33, 河南 art. 33), a contract
signed and never filed (河南 art. 49), a contract's term ending (民法典 art. 947); and the
estates with no property management on the coverage list."""
from __future__ import annotations

from datetime import date
from sqlalchemy import func, select

from engine import queries
from engine.models import Estate
from engine.register import Recorder, change, create, profile
from engine.register_duties import RegisterAlert, open_duties
from engine.register_models import Committee, Contract
from engine.runtime import open_case
from engine.scan import scan
from tests.helpers import at

D = date


def _committee(session, district, estate="jinxiu", term_end=D(2026, 12, 31)):
    e = session.get(Estate, district.estates[estate].id)
    c = create(session, Committee(estate_id=e.id, organisation_id=e.committee_id or district.orgs["committee"].id,
                                  kind="owners", term_basis="", certificate=""),
               {"status": "active", "term_start": D(2021, 12, 31), "term_end": term_end},
               Recorder(D(2021, 12, 31), district.actor("street")))
    session.commit()
    return c


def _contract(session, district, estate="hudong", enterprise="enterprise", **values):
    e = district.estates[estate]
    values = {"kind": "assembly", "signed_on": D(2026, 9, 1), "filing_status": "unfiled", **values}
    c = create(session, Contract(estate_id=e.id, enterprise_id=district.orgs[enterprise].id,
                                 contract_no="", receipt=""), values,
               Recorder(values["signed_on"], district.actor("street2")))
    session.commit()
    return c


def _alerts(session):
    return {(a.duty, a.kind, a.role, a.organisation_id)
            for a in session.scalars(select(RegisterAlert))}


def test_a_committee_whose_term_ends_is_reminded_with_the_street_office(session, district):
    c = _committee(session, district)
    # More than 90 days ahead: nothing yet.
    assert scan(session, at(D(2026, 9, 1)))["register_duties"] == 0
    s = scan(session, at(D(2026, 10, 12)))
    assert s["register_duties"] == 1 and s["register_alerts"] == 2
    (duty,) = open_duties(session, D(2026, 10, 12))
    assert duty.subject_id == c.id and "第三十三条" in duty.citation and "河南" in duty.citation
    assert _alerts(session) == {("committee_term", "due_soon", "committee", district.orgs["committee"].id),
                                ("committee_term", "due_soon", "street_office", district.orgs["street"].id)}
    # The same day again writes nothing; once the term has ended it is overdue.
    assert scan(session, at(D(2026, 10, 13)))["register_alerts"] == 0
    assert scan(session, at(D(2027, 1, 4)))["register_overdue"] == 1
    assert ("committee_term", "overdue", "street_office", district.orgs["street"].id) in _alerts(session)


def test_a_reelection_under_way_answers_the_term(session, district):
    _committee(session, district)
    open_case(session, "committee_reelection", district.estates["jinxiu"].id, district.actor("committee"),
              {"term_started_on": "2021-12-31", "term_ends_on": "2026-12-31", "report": "拟换届"},
              now=at(D(2026, 10, 1)))
    assert scan(session, at(D(2026, 10, 12)))["register_duties"] == 0


def test_shandong_counts_ninety_days_before_the_term_ends(session, district):
    _committee(session, district, estate="taishan", term_end=D(2027, 3, 31))
    (duty,) = open_duties(session, D(2026, 12, 20))
    assert duty.due <= D(2027, 1, 1) and "山东" in duty.citation and "九十日" in duty.citation


def test_a_signed_contract_nobody_filed_is_overdue_for_the_enterprise(session, district):
    c = _contract(session, district)          # 湖东新苑 (Henan), signed 1 Sept, no case
    s = scan(session, at(D(2026, 11, 2)))
    assert s["register_overdue"] == 1
    (duty,) = open_duties(session, D(2026, 11, 2))
    assert duty.anchor == D(2026, 9, 1) and "第四十九条" in duty.citation
    ent = district.actor("enterprise")
    assert [d.subject_id for d in queries.register_duties(session, ent, today=D(2026, 11, 2))] == [c.id]
    # The reviewer sees it; the other street office and the other enterprise do not.
    assert queries.register_duty_counts(session, district.actor("street2"), today=D(2026, 11, 2))["overdue"] == 1
    assert queries.register_duties(session, district.actor("street"), today=D(2026, 11, 2)) == []
    assert queries.register_duties(session, district.actor("enterprise2"), today=D(2026, 11, 2)) == []
    assert ("contract_unfiled", "overdue", "enterprise", district.orgs["enterprise"].id) in _alerts(session)
    # Filed through the register: the duty is gone.
    change(session, c, {"filing_status": "on_file", "filed_on": D(2026, 11, 3)},
           Recorder(D(2026, 11, 3), district.actor("street2")))
    session.commit()
    assert open_duties(session, D(2026, 11, 4)) == []


def test_a_contract_with_its_filing_case_is_left_to_the_case(session, district):
    from tests.helpers import filing_data
    open_case(session, "contract_filing", district.estates["hudong"].id, district.actor("enterprise"),
              filing_data("assembly", D(2026, 9, 16), contract_no="HD-1"), now=at(D(2026, 9, 17)))
    assert session.scalar(select(func.count()).select_from(Contract)) == 1
    assert open_duties(session, D(2026, 11, 2)) == []


def test_no_filing_duty_where_the_national_rules_set_none(session, district):
    e = session.get(Estate, district.estates["hudong"].id)
    e.province = "湖南省"                   # pending pack: national rules, no filing period
    session.commit()
    _contract(session, district)
    assert open_duties(session, D(2026, 11, 2)) == []


def test_a_contract_term_ending_within_ninety_days(session, district):
    _contract(session, district, estate="jinxiu", filing_status="on_file",
              term_end=D(2027, 1, 31), signed_on=D(2024, 2, 1))
    assert open_duties(session, D(2026, 10, 1)) == []
    (duty,) = open_duties(session, D(2026, 11, 10))
    assert "第九百四十七条" in duty.citation
    scan(session, at(D(2026, 11, 10)))
    assert {(a.role, a.organisation_id) for a in session.scalars(select(RegisterAlert))} == {
        ("committee", district.orgs["committee"].id), ("enterprise", district.orgs["enterprise"].id)}


def test_uncovered_estates_are_listed_with_how_long(session, district):
    e = session.get(Estate, district.estates["hudong"].id)
    change(session, e, {"enterprise_id": None}, Recorder(D(2026, 6, 1), district.actor("street2")))
    change(session, profile(session, e), {"management_mode": "无物业管理", "mode_since": D(2026, 6, 1)},
           Recorder(D(2026, 6, 1), district.actor("street2")))
    session.commit()
    rows = queries.uncovered_estates(session, district.actor("street2"), today=D(2026, 7, 1))
    assert [(r.estate.name, r.since, r.days) for r in rows] == [("湖东新苑", D(2026, 6, 1), 30)]
    assert queries.uncovered_estates(session, district.actor("street"), today=D(2026, 7, 1)) == []


def test_the_register_alerts_reach_the_inbox(client, session, district):
    from tests.helpers import signed_in, text
    _committee(session, district)
    scan(session, at(D(2026, 10, 12)))
    signed_in(client, "street")
    page = text(client.get("/inbox/"))
    assert "台账提醒" in page and "锦绣花园" in page and "换届" in page

"""The register (台账): credit codes, history "as of" a day, and what each procedure's
steps write into it in the step's own transaction.

Scenarios follow the demo district: 锦绣花园 elects and files its first committee,
滨河湾小区's owners take 宜家 in place of 安居, contracts are registered and filed."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st
from sqlalchemy import func, select

from engine import credit_code, evidence
from engine.errors import GuardRefused, PayloadInvalid
from engine.models import Estate, Organisation
from engine.register import Recorder, as_of, change, history, parse_members, profile
from engine.register_models import Committee, Contract, EstateProfile, RegisterChange
from engine.runtime import advance, open_case
from tests.helpers import at, filing_data, refused, snapshot
from tests.test_owners_assembly import application, vote, walk_to_meeting

pytestmark = pytest.mark.usefixtures("issued")
D = date


# -- 统一社会信用代码 -------------------------------------------------------------------------

BODY = st.text(alphabet=credit_code.ALPHABET, min_size=17, max_size=17).map(
    lambda s: s[:2] + "".join(c if c.isdigit() else "1" for c in s[2:8]) + s[8:])


@given(BODY)
@settings(max_examples=300, deadline=None)
def test_a_code_with_its_check_character_is_accepted(body):
    code = body + credit_code.check_character(body)
    assert credit_code.problem(code) is None
    assert credit_code.valid(" ".join([code[:9], code[9:]]).lower())   # pasted with a space


@given(BODY, st.sampled_from(credit_code.ALPHABET))
@settings(max_examples=300, deadline=None)
def test_any_other_check_character_is_refused_with_the_right_one_named(body, wrong):
    right = credit_code.check_character(body)
    if wrong == right:
        return
    why = credit_code.problem(body + wrong)
    assert "校验位错误" in why and f"应为 {right}" in why and "GB 32100" in why
    assert "check character" in why.en


@given(BODY, st.integers(0, 16), st.sampled_from(credit_code.ALPHABET))
@settings(max_examples=300, deadline=None)
def test_one_mistyped_character_is_always_caught(body, i, c):
    """The weights are coprime with 31, so one wrong character always changes the sum."""
    code = body + credit_code.check_character(body)
    typo = code[:i] + c + code[i + 1:]
    if typo != code and typo[2:8].isdigit():
        assert not credit_code.valid(typo)


def test_real_codes_and_plain_mistakes():
    assert credit_code.valid("91350100M000100Y43")            # the standard's example
    assert "18 位" in credit_code.problem("91350100M000100Y4")
    assert "不允许的字符" in credit_code.problem("91350100M000100YO3")   # letter O
    assert "未填写" in credit_code.problem("  ")


# -- history --------------------------------------------------------------------------------

def test_every_change_is_history_with_both_dates_and_an_evidence_leaf(session, district):
    estate = session.get(Estate, district.estates["hudong"].id)
    street = district.actor("street2")
    change(session, estate, {"total_owners": 650}, Recorder(D(2026, 3, 1), street, at(D(2026, 9, 1))))
    change(session, profile(session, estate), {"category": 2, "management_mode": "社区托管"},
           Recorder(D(2026, 6, 1), street, at(D(2026, 9, 2))))
    change(session, estate, {"total_owners": 650}, Recorder(D(2026, 7, 1), street))   # no change
    session.commit()
    rows = history(session, estate.id)
    assert [(r.field, r.fact_date) for r in rows] == [
        ("total_owners", D(2026, 3, 1)), ("category", D(2026, 6, 1)),
        ("management_mode", D(2026, 6, 1))]
    assert rows[0].recorded_at.date() == D(2026, 9, 1) and rows[0].recorder_name == street.name
    assert as_of(session, "estate", estate.id, D(2026, 2, 28)) == {}
    assert as_of(session, "estate", estate.id, D(2026, 5, 31)) == {"total_owners": 650}
    assert as_of(session, "estate", estate.id, D(2026, 6, 1))["management_mode"] == "社区托管"
    leaves = session.scalar(select(func.count()).select_from(evidence.LogEntry)
                            .where(evidence.LogEntry.kind == "register"))
    assert leaves == 3


def test_an_edited_history_row_is_named_by_the_audit(session, district):
    from engine.audit import verify_all
    estate = session.get(Estate, district.estates["hudong"].id)
    change(session, estate, {"total_owners": 650}, Recorder(D(2026, 3, 1), district.actor("street2")))
    session.commit()
    assert verify_all(session).problems == []
    row = session.scalars(select(RegisterChange)).one()
    row.new = "700"
    session.commit()
    problems = verify_all(session).problems
    assert problems and any("register:" in p for p in problems)


def test_members_are_read_from_the_election_record():
    assert parse_members("郑某（主任）、钱某（副主任）、孙某,李某；周某") == [
        ("郑某", "主任"), ("钱某", "副主任"), ("孙某", "委员"), ("李某", "委员"), ("周某", "委员")]
    assert parse_members("郑某（主任候选人）")[0] == ("郑某", "委员")


# -- committees -----------------------------------------------------------------------------

def test_first_assembly_writes_the_committee_the_estate_and_its_term(session, district):
    street, committee = district.actor("street"), district.actor("committee")
    case = walk_to_meeting(session, district)
    case = advance(session, case.id, "record_vote", street,
                   vote(committee_members="郑某、钱某、孙某、李某、周某"), now=at(D(2026, 5, 9)))
    c = session.scalars(select(Committee)).one()
    estate = session.get(Estate, district.estates["jinxiu"].id)
    # The estate's committee organisation is kept as the body of the new term, so its
    # members go on signing in as before.
    assert c.status == "pending" and c.organisation_id == estate.committee_id == district.orgs["committee"].id
    assert c.term_start == D(2026, 5, 9) and c.term_end == D(2031, 5, 9)
    assert "第二十八条" in c.term_basis and "五年" in c.term_basis
    assert [m.name for m in c.members] == ["郑某", "钱某", "孙某", "李某", "周某"]
    advance(session, case.id, "first_committee_meeting", committee,
            {"chair": "郑某", "vice_chair": "钱某"}, now=at(D(2026, 5, 12)))
    session.refresh(c)
    assert {m.name: m.position for m in c.members}["郑某"] == "主任"
    advance(session, case.id, "submit_filing", committee, {"filing_materials": "决议、规则、名单"},
            now=at(D(2026, 5, 20)))
    advance(session, case.id, "accept_filing", street, {"fact_date": "2026-05-25"}, now=at(D(2026, 6, 3)))
    session.refresh(c)
    assert c.status == "active" and c.filed_on == D(2026, 5, 25) and str(case.id) in c.certificate
    changes = [r for r in history(session, estate.id) if r.entity == "committee" and r.field == "status"]
    # The trail keeps both dates: filed on 25 May, recorded on 3 June.
    assert changes[-1].fact_date == D(2026, 5, 25) and changes[-1].recorded_at.date() == D(2026, 6, 3)
    assert changes[-1].case_id == case.id and changes[-1].event_id is not None


def test_a_new_organisation_when_the_estate_had_no_committee(session, district):
    estate = session.get(Estate, district.estates["binhe"].id)
    assert estate.committee_id is None
    case = walk_to_meeting(session, district, estate="binhe")
    advance(session, case.id, "record_vote", district.actor("street"),
            {**vote(), **_binhe_figures()}, now=at(D(2026, 5, 9)))
    session.refresh(estate)
    org = session.get(Organisation, estate.committee_id)
    assert org.kind == "committee" and org.name == "滨河湾小区业主委员会"
    assert org.parent_id == estate.community_id


def _binhe_figures():
    from tests.helpers import figures
    return {**figures("rules", "40000.00", 400, "30000.00", 300),
            **figures("covenant", "40000.00", 400, "30000.00", 300),
            **figures("election", "40000.00", 400, "30000.00", 300)}


def _filed_committee(session, district):
    street, committee = district.actor("street"), district.actor("committee")
    case = walk_to_meeting(session, district)
    advance(session, case.id, "record_vote", street, vote(), now=at(D(2026, 5, 9)))
    advance(session, case.id, "first_committee_meeting", committee,
            {"chair": "郑某", "vice_chair": "钱某"}, now=at(D(2026, 5, 12)))
    advance(session, case.id, "submit_filing", committee, {"filing_materials": "决议"}, now=at(D(2026, 5, 20)))
    advance(session, case.id, "accept_filing", street, {}, now=at(D(2026, 5, 25)))
    return case


def test_no_second_first_assembly_where_a_committee_is_in_office(session, district):
    case = _filed_committee(session, district)
    before = snapshot(session)
    err = refused(session, GuardRefused, open_case, "owners_assembly",
                  district.estates["jinxiu"].id, district.actor("developer"), application(),
                  now=at(D(2026, 6, 2)))
    assert "锦绣花园业主委员会" in err.message and f"案件 {case.id}" in err.message
    assert "换届" in err.message and snapshot(session) == before


def test_management_committee_is_an_interim_committee_in_office(session, district):
    street = district.actor("street")
    estate = district.estates["binhe"]
    case = open_case(session, "owners_assembly", estate.id, district.actor("developer"), application(),
                     now=at(D(2026, 3, 2)))
    advance(session, case.id, "form_management_committee", street,
            {"reason": "业主大会未能成立", "members": "街道办事处代表、社区代表、业主代表王某"},
            now=at(D(2026, 4, 1)))
    c = session.scalars(select(Committee)).one()
    assert c.kind == "management" and c.status == "active"
    assert session.get(Estate, estate.id).committee_id == c.organisation_id
    assert session.get(Organisation, c.organisation_id).name == "滨河湾小区物业管理委员会"


# -- enterprises and contracts -----------------------------------------------------------------

def test_exit_signed_changes_the_estates_enterprise_from_the_fact_date(session, district):
    from tests.test_enterprise_exit import REQUIRED, in_handover
    committee, ent = district.actor("committee"), district.actor("enterprise")
    case = in_handover(session, district)
    for key in REQUIRED:
        advance(session, case.id, "submit_item", ent, {"item": key, "declaration": "已移交"},
                now=at(D(2026, 9, 20)))
        advance(session, case.id, "accept_item", committee, {"item": key}, now=at(D(2026, 9, 22)))
    with pytest.raises(GuardRefused) as err:
        advance(session, case.id, "sign_handover", committee,
                {"signed_on": "2026-09-25", "successor": "信阳不存在物业有限公司"}, now=at(D(2026, 9, 25)))
    assert "不是台账中登记的物业服务企业" in err.value.message
    advance(session, case.id, "sign_handover", committee,
            {"signed_on": "2026-09-25", "successor": "信阳宜家物业管理有限公司"}, now=at(D(2026, 9, 28)))
    estate = session.get(Estate, district.estates["jinxiu"].id)
    yijia = district.orgs["enterprise2"].id
    assert estate.enterprise_id == yijia
    p = session.get(EstateProfile, estate.id)
    assert p.management_mode == "外聘物业服务企业" and p.enterprise_since == D(2026, 9, 25)
    # The successor's contract filing is owed from the takeover, case or no case.
    duty = session.scalars(select(Contract).where(Contract.enterprise_id == yijia)).one()
    assert duty.filing_status == "unfiled" and duty.signed_on == D(2026, 9, 25)
    # The register says 安居 until the 25th and 宜家 from then on.
    assert as_of(session, "estate", estate.id, D(2026, 9, 24)).get("enterprise_id") is None
    assert as_of(session, "estate", estate.id, D(2026, 9, 25))["enterprise_id"] == yijia


def test_contract_filing_registers_and_files_the_contract(session, district):
    ent, bureau = district.actor("enterprise"), district.actor("bureau")
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id, ent,
                     filing_data("pre_phase", D(2026, 9, 16), contract_no="XY-QQ-1"), now=at(D(2026, 9, 17)))
    c = session.scalars(select(Contract)).one()
    assert (c.kind, c.contract_no, c.signed_on, c.filing_status) == ("pre_phase", "XY-QQ-1", D(2026, 9, 16), "unfiled")
    assert isinstance(c.fee, Decimal)
    advance(session, case.id, "submit", ent, {}, now=at(D(2026, 9, 20)))
    advance(session, case.id, "accept", bureau, {}, now=at(D(2026, 9, 25)))
    session.refresh(c)
    assert c.filing_status == "on_file" and c.filed_on == D(2026, 9, 25) and str(case.id) in c.receipt


def test_no_pre_phase_tender_where_the_owners_chose_an_enterprise(session, district):
    ent = district.actor("enterprise")
    case = open_case(session, "contract_filing", district.estates["hudong"].id, ent,
                     filing_data("assembly", D(2026, 9, 16), contract_no="HD-YZ-1"), now=at(D(2026, 9, 17)))
    err = refused(session, GuardRefused, open_case, "pre_phase_tender",
                  district.estates["hudong"].id, district.actor("developer"),
                  {"project_name": "湖东新苑前期物业服务", "method": "public",
                   "planned_announcement_on": "2026-11-20"}, now=at(D(2026, 9, 20)))
    assert "信阳安居物业服务有限公司" in err.message and f"案件 {case.id}" in err.message


def test_no_pre_phase_tender_where_a_committee_is_in_office(session, district):
    _filed_committee(session, district)
    err = refused(session, GuardRefused, open_case, "pre_phase_tender",
                  district.estates["jinxiu"].id, district.actor("developer"),
                  {"project_name": "锦绣花园前期物业服务", "method": "public",
                   "planned_announcement_on": "2026-08-20"}, now=at(D(2026, 6, 2)))
    assert "锦绣花园业主委员会" in err.message


def test_register_facts_cannot_be_in_the_future():
    from engine.register import check_fact_date
    with pytest.raises(PayloadInvalid):
        check_fact_date(D(2026, 10, 2), D(2026, 10, 1))
    check_fact_date(D(2020, 1, 1), D(2026, 10, 1))

"""物业服务合同备案, as a street office and the housing bureau run it (docs/procedures.md §6).

Every refusal must leave the database exactly as it was."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.audit import verify_all
from engine.errors import (GuardRefused, InvalidTransition, NotPermitted, PayloadInvalid,
                           StaleCase)
from engine.models import Case, Deadline, Event
from engine.runtime import advance, available_actions, open_case
from engine.scan import scan
from tests.helpers import at, refused, snapshot  # noqa: F401

SIGNED = date(2026, 9, 16)


def contract(kind="assembly", signed=SIGNED, **over):
    data = {"contract_kind": kind, "contract_no": "XY-2026-088", "client": "锦绣花园业主委员会",
            "signed_on": signed.isoformat(), "term_start": "2026-10-01", "term_end": "2029-09-30",
            "fee": "1.80", "area": "86420.50"}
    data.update(over)
    return data



def test_signed_contract_filed_within_15_days_in_henan(session, district):
    ent, street = district.actor("enterprise"), district.actor("street")
    estate = district.estates["jinxiu"]          # 河南省: 15 days from signing
    case = open_case(session, "contract_filing", estate.id, ent, contract(), now=at(date(2026, 9, 18)))
    assert case.state == "registered"
    dl = session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    # Signed 16 Sept: counting starts the 17th; the 15th day is 1 Oct, inside the National
    # Day holiday (1-7 Oct 2026), so the period ends on Thursday 8 Oct (art. 203).
    assert dl.due_date == date(2026, 10, 8)
    assert dl.rulepack == "henan" and "第四十九条" in dl.citation and dl.status == "open"

    case = advance(session, case.id, "submit", ent, {"note": "合同正本一份"},
                   lock_version=case.lock_version, now=at(date(2026, 9, 25)))
    assert case.state == "submitted"
    session.refresh(dl)
    assert dl.status == "met" and not dl.late

    case = advance(session, case.id, "accept", street, {"remark": "材料齐全，予以备案"},
                   lock_version=case.lock_version, now=at(date(2026, 9, 28)))
    assert case.state == "filed"
    trail = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all()
    assert [e.trigger for e in trail] == ["open", "submit", "accept"]
    assert [e.organisation_name for e in trail][-1] == "老城街道办事处"
    assert verify_all(session) == (1, [])


def test_correction_then_resubmission_then_filing(session, district):
    ent, bureau = district.actor("enterprise"), district.actor("bureau")
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id, ent,
                     contract(kind="pre_phase"), now=at(date(2026, 9, 18)))
    advance(session, case.id, "submit", ent, {}, now=at(date(2026, 9, 20)))
    case = advance(session, case.id, "request_correction", bureau,
                   {"reasons": "缺少物业服务用房说明"}, now=at(date(2026, 9, 22)))
    assert case.state == "correction"
    assert case.data["reasons"] == "缺少物业服务用房说明"
    case = advance(session, case.id, "resubmit", ent, {"note": "已补充用房说明"}, now=at(date(2026, 9, 23)))
    case = advance(session, case.id, "accept", bureau, {}, now=at(date(2026, 9, 24)))
    assert case.state == "filed"


def test_rejection_is_final(session, district):
    ent, bureau = district.actor("enterprise"), district.actor("bureau")
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id, ent,
                     contract(kind="pre_phase"), now=at(date(2026, 9, 18)))
    advance(session, case.id, "submit", ent, {}, now=at(date(2026, 9, 20)))
    case = advance(session, case.id, "reject", bureau, {"reason": "合同主体不符"}, now=at(date(2026, 9, 21)))
    assert case.state == "rejected"
    assert all(not a.allowed for a in available_actions(session, case, bureau)) or \
        available_actions(session, case, bureau) == []


def test_filing_deadline_missed_then_met_late_stays_visible(session, district):
    ent = district.actor("enterprise")
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id, ent,
                     contract(), now=at(date(2026, 9, 18)))
    # The last day is 8 Oct (see above); at 24:00 that day the period has run out.
    assert scan(session, at(date(2026, 10, 8), 23))["missed"] == 0
    assert scan(session, at(date(2026, 10, 9), 0))["missed"] == 1
    dl = session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    assert dl.status == "missed"
    advance(session, case.id, "submit", ent, {}, now=at(date(2026, 10, 12)))
    session.refresh(dl)
    assert dl.status == "met" and dl.late


def test_shandong_estate_files_within_10_days(session, district):
    ent2 = district.actor("enterprise2")
    case = open_case(session, "contract_filing", district.estates["taishan"].id, ent2,
                     contract(signed=date(2026, 6, 1)), now=at(date(2026, 6, 2)))
    dl = case.deadlines[0] if case.deadlines else session.scalars(
        select(Deadline).where(Deadline.case_id == case.id)).one()
    assert dl.rulepack == "shandong" and "第五十七条" in dl.citation
    assert dl.due_date == date(2026, 6, 11)      # 10 days from 1 June; 11 June is a Thursday


def test_withdrawal_cancels_the_filing_deadline(session, district):
    ent = district.actor("enterprise")
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id, ent, contract(),
                     now=at(date(2026, 9, 18)))
    advance(session, case.id, "withdraw", ent, {"reason": "合同解除"}, now=at(date(2026, 9, 19)))
    dl = session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    assert dl.status == "cancelled"


# -- refusals: each one leaves the database unchanged ----------------------------------

@pytest.fixture
def submitted(session, district):
    ent = district.actor("enterprise")
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id, ent, contract(),
                     now=at(date(2026, 9, 18)))
    return advance(session, case.id, "submit", ent, {}, now=at(date(2026, 9, 20)))



def test_wrong_role_is_refused(session, district, submitted):
    err = refused(session, NotPermitted, advance, submitted.id, "accept", district.actor("enterprise"), {})
    assert "街道办事处" in err.message


def test_other_street_office_is_refused(session, district, submitted):
    err = refused(session, NotPermitted, advance, submitted.id, "accept", district.actor("street2"), {})
    assert "管辖" in err.message


def test_other_enterprise_is_refused(session, district, submitted):
    err = refused(session, NotPermitted, advance, submitted.id, "withdraw", district.actor("enterprise2"),
                  {"reason": "x"})
    assert "贵单位" in err.message


def test_wrong_state_is_refused_with_the_reason(session, district, submitted):
    err = refused(session, InvalidTransition, advance, submitted.id, "submit", district.actor("enterprise"), {})
    assert "已报送待审查" in err.message and "报送备案" in err.message


def test_bad_payload_gives_field_errors(session, district, submitted):
    err = refused(session, PayloadInvalid, advance, submitted.id, "request_correction", district.actor("street"),
                  {"reasons": "", "extra": 1})
    assert err.errors["reasons"] == ["此项不能为空"]
    assert err.errors["extra"] == ["未知字段"]


def test_guard_refusal_names_the_competent_authority(session, district, submitted):
    err = refused(session, GuardRefused, advance, submitted.id, "accept", district.actor("bureau"), {})
    assert "街道办事处审查备案" in err.message


def test_stale_lock_version_is_refused(session, district, submitted):
    refused(session, StaleCase, advance, submitted.id, "accept", district.actor("street"), {},
            lock_version=submitted.lock_version - 1)


def test_concurrent_writer_loses_cleanly(session, district, submitted, db_engine):
    """Two officers load the same case; the second commit is a conflict, not a double step."""
    from engine.db import make_sessionmaker
    other = make_sessionmaker(db_engine)()
    try:
        seen = submitted.lock_version
        advance(other, submitted.id, "accept", district.actor("street"), {}, lock_version=seen)
        with pytest.raises(StaleCase):
            advance(session, submitted.id, "request_correction", district.actor("street"),
                    {"reasons": "x"}, lock_version=seen)
    finally:
        other.close()
    session.expire_all()
    case = session.get(Case, submitted.id)
    assert case.state == "filed"
    assert session.scalar(select(func.count(Event.id)).where(Event.case_id == case.id)) == 3


def test_signing_date_in_the_future_is_refused(session, district):
    with pytest.raises(GuardRefused) as info:
        open_case(session, "contract_filing", district.estates["jinxiu"].id, district.actor("enterprise"),
                  contract(signed=date(2026, 12, 1)), now=at(date(2026, 9, 18)))
    assert "晚于今日" in info.value.message
    assert session.scalar(select(func.count(Case.id))) == 0


def test_available_actions_explain_what_may_not_be_done(session, district, submitted):
    actions = {a.trigger: a for a in available_actions(session, submitted, district.actor("street"))}
    assert actions["accept"].allowed and actions["request_correction"].allowed
    for_bureau = {a.trigger: a for a in available_actions(session, submitted, district.actor("bureau"))}
    assert not for_bureau["accept"].allowed and "街道办事处" in for_bureau["accept"].reason
    for_ent = {a.trigger: a for a in available_actions(session, submitted, district.actor("enterprise"))}
    assert not for_ent["accept"].allowed and "只能由" in for_ent["accept"].reason


def test_tampering_with_the_trail_is_detected(session, district, submitted):
    ev = session.scalars(select(Event).where(Event.case_id == submitted.id, Event.seq == 2)).one()
    ev.payload = {"note": "篡改"}
    session.commit()
    count, problems = verify_all(session)
    assert problems and "altered" in problems[0]


def test_deleting_the_last_event_is_detected(session, district, submitted):
    ev = session.scalars(select(Event).where(Event.case_id == submitted.id, Event.seq == 2)).one()
    session.delete(ev)
    session.commit()
    count, problems = verify_all(session)
    assert any("removed" in p for p in problems)


def test_steps_taken_in_fresh_sessions_chain_correctly(session, district, db_engine):
    """As in production: every request has its own session."""
    from engine.db import make_sessionmaker
    Session = make_sessionmaker(db_engine)
    ent, street = district.actor("enterprise"), district.actor("street")
    with Session() as s:
        cid = open_case(s, "contract_filing", district.estates["jinxiu"].id, ent, contract(),
                        now=at(date(2026, 9, 18))).id
    with Session() as s:
        advance(s, cid, "submit", ent, {}, now=at(date(2026, 9, 19)))
    with Session() as s:
        case = advance(s, cid, "accept", street, {}, now=at(date(2026, 9, 20)))
        assert case.state == "filed"
    with Session() as s:
        assert verify_all(s) == (1, [])
        assert s.get(Case, cid).event_seq == 3

"""Who is told and how it is acknowledged; the supervision notice (逾期督办通知书)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.alerts import (Alert, acknowledge, acknowledge_all, escalation_chain,
                           unread_count, window_for, windows)
from engine.errors import NotFound, NotPermitted, PayloadInvalid
from engine.models import Deadline, Event
from engine.runtime import advance, open_case
from engine.scan import scan
from engine.supervision import issue_notice
from tests.helpers import at


def filing(session, district, estate="jinxiu", signed=date(2026, 9, 16)):
    return open_case(session, "contract_filing", district.estates[estate].id,
                     district.actor("enterprise"),
                     {"contract_kind": "assembly", "contract_no": "XY-9", "client": "业主委员会",
                      "signed_on": signed.isoformat(), "term_start": "2026-10-01",
                      "term_end": "2029-09-30", "fee": "1.80", "area": "100.00"},
                     now=at(signed))


def deadline_of(session, case):
    return session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()


def test_escalation_chain_follows_the_definition_or_the_supervisors():
    assert escalation_chain("enterprise", ("street_office", "housing_bureau"), 2) == \
        ["street_office", "housing_bureau"]
    # No declared chain: community → street office → housing bureau, one level at a time.
    assert escalation_chain("community", (), 2) == ["street_office", "housing_bureau"]
    assert escalation_chain("enterprise", (), 3) == ["community", "street_office", "housing_bureau"]
    assert escalation_chain("enterprise", (), 1) == ["community"]



def test_alert_windows_are_the_declared_ones_unless_the_deployment_overrides_them():
    from workflows import REGISTRY
    declared = windows()
    assert declared.keys() == REGISTRY.keys()
    assert all(declared[n] == d.alerts for n, d in REGISTRY.items())
    assert window_for(declared, "contract_filing").due_soon == 3
    assert window_for(declared, "no_such_procedure").escalate == (3, 10)
    over = windows({"contract_filing": {"escalate": [1, 2]}})
    assert over["contract_filing"].escalate == (1, 2) and over["contract_filing"].due_soon == 3


def test_acknowledging_clears_the_unread_count_for_the_whole_office(session, district):
    filing(session, district)
    scan(session, at(date(2026, 10, 14)))
    street = district.actor("street")
    alert = session.scalars(select(Alert).where(Alert.organisation_id == street.org_id)).one()
    # Another office cannot sign for it.
    assert not acknowledge(session, alert.id, district.actor("street2"))
    assert acknowledge(session, alert.id, street, now=at(date(2026, 10, 14), 11))
    assert unread_count(session, street) == 0
    session.refresh(alert)
    assert alert.acknowledged_by_id == street.user_id
    assert acknowledge(session, alert.id, street)        # idempotent
    ent = district.actor("enterprise")
    assert unread_count(session, ent) == 1
    assert acknowledge_all(session, ent) == 1 and unread_count(session, ent) == 0


@pytest.fixture
def issued(monkeypatch, session):
    calls = []
    monkeypatch.setitem(session.info, "issuers",
                        [lambda s, case, ev, kind, actor, now: calls.append((case.id, ev.id, kind, actor.role))])
    return calls


def test_street_office_issues_a_supervision_notice_on_an_overdue_case(session, district, issued):
    case = filing(session, district)
    scan(session, at(date(2026, 10, 12)))
    dl = deadline_of(session, case)
    street = district.actor("street")
    ev = issue_notice(session, case.id, dl.id, street, "请于五个工作日内报送备案材料",
                      rectify_by=date(2026, 10, 19), now=at(date(2026, 10, 12), 15))
    assert ev.trigger == "supervision_notice" and ev.label == "下发逾期督办通知书"
    assert ev.payload["deadline_id"] == dl.id
    assert ev.payload["requirements"] == "请于五个工作日内报送备案材料"
    assert ev.organisation_name == "老城街道办事处" and ev.from_state == ev.to_state == "registered"
    assert issued == [(case.id, ev.id, "supervision_notice", "street_office")]
    # The enterprise that must act finds it in its inbox.
    note = session.scalars(select(Alert).where(Alert.kind == "supervision")).one()
    assert note.organisation_id == district.orgs["enterprise"].id
    assert "2026年10月19日前办结" in note.body
    from engine.alerts import OutboxMessage
    mail = session.scalars(select(OutboxMessage).where(OutboxMessage.alert_id == note.id)).one()
    assert mail.to_addr == "a@example.com" and mail.subject.startswith("【逾期督办】")
    from engine.audit import verify_all
    assert verify_all(session)[1] == []


def test_the_bureau_may_issue_one_even_before_the_scan_ran(session, district, issued):
    case = filing(session, district)
    dl = deadline_of(session, case)
    assert dl.status == "open"
    ev = issue_notice(session, case.id, dl.id, district.actor("bureau"), "限期备案",
                      now=at(date(2026, 10, 20)))
    assert ev.payload["deadline_id"] == dl.id and ev.role == "housing_bureau"


def test_supervision_refusals_write_nothing(session, district, issued):
    case = filing(session, district)
    dl = deadline_of(session, case)
    street, street2 = district.actor("street"), district.actor("street2")
    before = session.scalar(select(func.count(Event.id)))
    late = at(date(2026, 10, 20))
    with pytest.raises(PayloadInvalid) as e:        # not overdue yet
        issue_notice(session, case.id, dl.id, street, "督办", now=at(date(2026, 10, 8)))
    assert "尚未逾期" in e.value.errors["deadline_id"][0]
    with pytest.raises(PayloadInvalid) as e:
        issue_notice(session, case.id, dl.id, street, "  ", now=late)
    assert e.value.errors == {"requirements": ["请填写督办要求"]}
    with pytest.raises(NotPermitted):               # another street's estate
        issue_notice(session, case.id, dl.id, street2, "督办", now=late)
    with pytest.raises(NotPermitted):               # a community does not issue notices
        issue_notice(session, case.id, dl.id, district.actor("community"), "督办", now=late)
    with pytest.raises(NotFound):
        issue_notice(session, case.id, dl.id + 999, street, "督办", now=late)
    advance(session, case.id, "submit", district.actor("enterprise"), {}, now=late)
    with pytest.raises(PayloadInvalid) as e:        # met (late) meanwhile
        issue_notice(session, case.id, dl.id, street, "督办", now=late)
    assert "已履行" in e.value.errors["deadline_id"][0]
    assert session.scalar(select(func.count(Event.id))) == before + 1   # only the submit
    assert issued == []

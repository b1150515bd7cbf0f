"""Hand-off notices: each step that passes a case to another organisation tells it — the
filing submitted (the reviewer), a correction requested (the enterprise), resubmitted,
accepted or refused (the enterprise that opened it), a case assigned (the officer) — in
the inbox with a read state per user, and by e-mail."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from engine import assignment, notices
from engine.alerts import OutboxMessage
from engine.models import User
from engine.runtime import advance
from tests.helpers import contract, login


def _to(session, org_id):
    return [n.title for n in session.scalars(select(notices.Notice).where(
        notices.Notice.organisation_id == org_id).order_by(notices.Notice.id))]


def test_every_hand_off_of_a_filing_tells_the_next_organisation(session, district):
    ent, street = district.actor("enterprise"), district.actor("street")
    case = contract(session, district)            # an assembly contract: the street files it
    assert _to(session, street.org_id) == []      # registered only: nothing handed over yet
    advance(session, case.id, "submit", ent, {})
    advance(session, case.id, "request_correction", street, {"reasons": "缺少合同附件"})
    advance(session, case.id, "resubmit", ent, {"note": "已补充附件"})
    advance(session, case.id, "accept", street, {"remark": "材料齐全"})
    to_street, to_ent = _to(session, street.org_id), _to(session, ent.org_id)
    assert [t.rsplit("：", 1)[1] for t in to_street] == ["报送备案", "补正后重新报送"]
    assert [t.rsplit("：", 1)[1] for t in to_ent] == ["要求补正", "予以备案"]
    # Never told of its own step; told by e-mail too, with the case's page.
    mails = session.scalars(select(OutboxMessage).where(OutboxMessage.alert_id.is_(None))).all()
    assert mails and all(f"/cases/{case.id}" in m.body for m in mails)


def test_a_refused_filing_tells_the_enterprise(session, district):
    ent, street = district.actor("enterprise"), district.actor("street")
    case = contract(session, district)
    advance(session, case.id, "submit", ent, {})
    advance(session, case.id, "reject", street, {"reason": "非本街道受理范围"})
    assert _to(session, ent.org_id)[-1].endswith("不予备案")


def test_read_state_is_per_user_and_the_inbox_shows_it(app, client, session, district):
    ent, street = district.actor("enterprise"), district.actor("street")
    case = contract(session, district)
    advance(session, case.id, "submit", ent, {})
    colleague = User(username="street_c", display_name="孙科员", role="street_office",
                     organisation_id=street.org_id, active=True, email="sun@example.gov.cn",
                     password_hash=generate_password_hash("demo12345", method="pbkdf2:sha256:1"))
    session.add(colleague)
    session.commit()
    login(client, "street")
    page = client.get("/inbox/").get_data(as_text=True)
    assert 'class="notice unread"' in page and "报送备案" in page
    n = session.scalars(select(notices.Notice).where(
        notices.Notice.organisation_id == street.org_id)).one()
    client.post("/inbox/notices/read", data={"id": n.id})
    session.rollback()
    assert notices.unread_count(session, street) == 0
    from engine.access import Actor
    assert notices.unread_count(session, Actor.of(colleague)) == 1
    # An assignment tells the officer named, personally.
    assignment.assign(session, case.id, colleague.id, street)
    assert notices.unread_count(session, Actor.of(colleague)) == 2
    assert notices.unread_count(session, street) == 0
    assert session.scalar(select(OutboxMessage.id).where(OutboxMessage.to_addr == "sun@example.gov.cn"))

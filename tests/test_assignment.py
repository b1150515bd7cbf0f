"""承办人: an organisation names one of its officers to handle a case, may name another
later, and the case's trail records both; the worklist and the case list filter to the
cases the signed-in officer handles."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from engine import assignment
from engine.errors import NotFound, NotPermitted, PayloadInvalid
from engine.models import Event, User
from engine.queries import worklist
from tests.helpers import contract, login


def _second_officer(session, district, org_key="street", username="street_b"):
    u = User(username=username, display_name="钱科员", role="street_office",
             organisation_id=district.orgs[org_key].id, active=True,
             password_hash=generate_password_hash("demo12345", method="pbkdf2:sha256:1"))
    session.add(u)
    session.commit()
    return u


def test_assign_then_reassign_is_recorded_in_the_trail(session, district):
    case = contract(session, district)
    street = district.actor("street")
    other = _second_officer(session, district)
    me = district.users["street"]
    assignment.assign(session, case.id, me.id, street)
    assert assignment.current(session, case.id, street.org_id).id == me.id
    assignment.assign(session, case.id, other.id, street)
    assert assignment.current(session, case.id, street.org_id).id == other.id
    notes = session.scalars(select(Event).where(Event.case_id == case.id,
                                                Event.trigger == "assign")
                            .order_by(Event.seq)).all()
    assert [n.payload["assignee"] for n in notes] == ["李主任", "钱科员"]
    assert notes[1].payload["previous"] == "李主任"
    assert notes[1].actor_name == "李主任" and notes[1].organisation_name == "老城街道办事处"


def test_only_an_active_officer_of_ones_own_organisation(session, district):
    case = contract(session, district)
    street = district.actor("street")
    with pytest.raises(PayloadInvalid):
        assignment.assign(session, case.id, district.users["street2"].id, street)
    with pytest.raises(PayloadInvalid):
        assignment.assign(session, case.id, 0, street)
    with pytest.raises(NotFound):          # another office's case: as if it did not exist
        assignment.assign(session, case.id, district.users["street2"].id,
                          district.actor("street2"))
    with pytest.raises(NotPermitted):
        assignment.assign(session, case.id, district.users["admin"].id, district.actor("admin"))
    assert session.scalars(select(Event).where(Event.trigger == "assign")).all() == []


def test_mine_filters_the_worklist_and_the_case_list(app, client, session, district):
    from engine.runtime import advance
    case = contract(session, district, no="MINE-001")
    other_case = contract(session, district, no="OTHER-001", estate="jinxiu")
    ent = district.actor("enterprise")
    advance(session, case.id, "submit", ent, {})
    advance(session, other_case.id, "submit", ent, {})
    street = district.actor("street")
    assignment.assign(session, case.id, district.users["street"].id, street)
    mine = worklist(session, street, mine=True)
    assert [i.case.id for i in mine] == [case.id]
    assert {i.case.id for i in worklist(session, street)} >= {case.id, other_case.id}
    login(client, "street")
    page = client.get("/cases?mine=1").get_data(as_text=True)
    assert "MINE-001" in page or f"#{case.id}" in page
    assert f'href="/cases/{other_case.id}"' not in page
    home = client.get("/?mine=1").get_data(as_text=True)
    assert f'href="/cases/{case.id}"' in home and f'href="/cases/{other_case.id}"' not in home


def test_the_case_page_assigns_and_shows_the_officer(app, client, session, district):
    case = contract(session, district)
    other = _second_officer(session, district)
    login(client, "street")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "本单位承办人：" in page and "未指派" in page
    resp = client.post(f"/cases/{case.id}/assign", data={"user_id": other.id})
    assert resp.status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="handler"><span translate="no">钱科员</span>' in page
    assert "指派承办人" in page and "承办人" in page       # in the timeline
    resp = client.post(f"/cases/{case.id}/assign", data={"user_id": district.users["street2"].id})
    assert resp.status_code == 400
    assert "请选择本单位在岗的工作人员" in resp.get_data(as_text=True)

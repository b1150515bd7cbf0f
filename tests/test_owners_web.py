"""The platform's pages: an owner of the demo's 翠湖雅苑 votes on a phone with the code from
the paper notice, sees only the unit the code opens, checks the receipt; the street office
sees the register (ID numbers masked) and the live turnout, and two clerks enter a sheet."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from engine import clock
from engine.ballots import Ballot
from engine.models import Case, Estate
from engine.owners_register import RegisterUnit
from tests.helpers import fresh, signed_in, text
from web.demo import _Clock
from web.demo_owners import ESTATE, OWNER_ACCOUNTS, build_owners_vote, resident_id

pytestmark = pytest.mark.usefixtures("issued")


@pytest.fixture
def demo(app, session):
    from web.demo import build_district
    d = build_district(session)
    build_owners_vote(session, d, _Clock(clock.today()))
    estate = session.scalars(select(Estate).where(Estate.name == ESTATE)).one()
    vote = session.scalars(select(Case).where(Case.estate_id == estate.id, Case.state == "ballot_open")).one()
    return d, estate, vote


def test_an_owner_votes_on_the_phone_and_checks_the_receipt(client, demo, session):
    _, estate, vote = demo
    place, code, tail = OWNER_ACCOUNTS[0]
    r = client.post("/vote/", data={"code": code, "id_tail": "0000"})
    assert r.status_code == 403 and "投票码或证件号码后四位不正确" in text(r)
    r = client.post("/vote/", data={"code": code.lower(), "id_tail": tail})
    assert r.status_code == 302
    page = text(client.get("/vote/ballot"))
    # Only this unit, its owner's ID masked, the three matters.
    assert place in page and "**************" + tail in page and resident_id(0) not in page
    assert "选举业主委员会" in page and "管理规约" in page
    r = client.post("/vote/ballot", data={"m1": "yes", "m2": "no", "m3": "yes"}, follow_redirects=True)
    receipt = re.search(r"回执码：([0-9A-Z]{12})", text(r)).group(1)
    # A double submit is one ballot.
    r = client.post("/vote/ballot", data={"m1": "yes", "m2": "no", "m3": "yes"}, follow_redirects=True)
    assert "未重复记录" in text(r)
    fresh(session)
    assert len(session.scalars(select(Ballot).where(Ballot.receipt == receipt)).all()) == 3
    r = client.post("/vote/receipt", data={"code": receipt})
    assert text(r).count("按所投计入") == 3
    # Signed out, the ballot page asks for the code again.
    client.post("/vote/signout")
    assert client.get("/vote/ballot").status_code == 302


def test_guessing_codes_on_the_page_is_answered_with_429(client, demo):
    for n in range(60):
        r = client.post("/vote/", data={"code": f"GUESS{n:05d}", "id_tail": "1234"})
        if r.status_code == 429:
            assert r.headers["Retry-After"] and "尝试次数过多" in text(r)
            break
    else:
        pytest.fail("never throttled")


def test_the_street_office_sees_the_register_and_the_live_turnout(client, demo, session):
    d, estate, vote = demo
    signed_in(client, "street")
    assert f"/estates/{estate.id}/owners" in client.get("/owners/").get_data(as_text=True)
    page = text(client.get(f"/estates/{estate.id}/owners"))
    # 40 units; 36 counted owners + the buyer of two units − 1 + the developer.
    assert "业主 36 人" in page and resident_id(1) not in page and "**************" in page
    assert f"/votes/{vote.id}/turnout" in client.get(f"/cases/{vote.id}").get_data(as_text=True)
    page = text(client.get(f"/votes/{vote.id}/turnout"))
    assert "参与表决业主 12 / 36 人" in page and "未达到三分之二" in page
    # Two clerks enter a sheet for an owner: the first waits, the second agrees.
    unit = session.scalars(select(RegisterUnit).where(RegisterUnit.estate_id == estate.id,
                                                      RegisterUnit.building == "3")).first()
    r = client.post(f"/votes/{vote.id}/paper", data={"place": unit.place, "m1": "yes", "m2": "yes", "m3": "no"},
                    follow_redirects=True)
    assert "等待另一名录入员" in text(r)
    client.post("/logout")
    signed_in(client, "community")
    r = client.post(f"/votes/{vote.id}/paper", data={"place": unit.place, "m1": "yes", "m2": "yes", "m3": "no"},
                    follow_redirects=True)
    assert "纸质表决票已计入" in text(r) and "参与表决业主 13 / 36 人" in text(r)
    # Codes for the paper notices come as a workbook, from the convener only.
    assert client.post(f"/votes/{vote.id}/codes").status_code == 302
    client.post("/logout")
    signed_in(client, "street")
    r = client.post(f"/votes/{vote.id}/codes")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws["A1"].value == "房屋" and ws.max_row == 37


def test_the_enterprise_sees_no_register(client, demo):
    _, estate, vote = demo
    signed_in(client, "enterprise")
    assert client.get(f"/estates/{estate.id}/owners").status_code == 404
    assert client.get(f"/votes/{vote.id}/turnout").status_code == 404


def test_importing_a_bad_register_on_the_page_names_the_rows(client, demo):
    _, estate, _ = demo
    signed_in(client, "street")
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["楼栋", "单元", "房号", "专有部分面积", "面积来源", "业主姓名", "证件号码", "交付状态"])
    wb.active.append(["9", "1", "101", "abc", "登记簿", "某", "123", "已交付"])
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post(f"/estates/{estate.id}/owners/import",
                    data={"file": (io.BytesIO(buf.getvalue()), "名册.xlsx")}, follow_redirects=True)
    page = text(r)
    assert "第2行" in page and "未导入任何内容" in page


def test_the_contract_lists_the_demo_owner_accounts():
    from pathlib import Path
    contract = (Path(__file__).resolve().parents[1] / "docs" / "contract.md").read_text(encoding="utf-8")
    for place, code, tail in OWNER_ACCOUNTS:
        assert f"| {place} | `{code}` | `{tail}` |" in contract

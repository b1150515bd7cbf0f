"""The handover-materials page of an enterprise exit: per-item upload, statuses
未提交 / 已提交 / 已接收 / 退回 with the reason, progress, what still blocks signing."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from engine.models import Case
from engine.runtime import advance, open_case
from tests.helpers import TODAY, fresh, lock, login, text

pytestmark = pytest.mark.skipif(
    "enterprise_exit" not in __import__("workflows").REGISTRY, reason="enterprise_exit not declared")


def exit_in_handover(session, d):
    """An exit on 锦绣花园 (enterprise A) whose contract ended yesterday: handing over."""
    c = open_case(session, "enterprise_exit", d.estates["jinxiu"].id, d.actor("committee"), {
        "ground": "expiry", "contract_no": "XY-QQ-2023-001",
        "term_end": (TODAY - timedelta(days=1)).isoformat()})
    advance(session, c.id, "start_handover", d.actor("committee"),
            {"ended_on": (TODAY - timedelta(days=1)).isoformat(), "successor": "信阳宜家物业管理有限公司"})
    return c


def items_of(session, case_id):
    fresh(session)
    return {k: v["status"] for k, v in session.get(Case, case_id).data["materials"].items()}


def test_materials_page_lists_every_item_with_status_and_blockers(client, district, session):
    c = exit_in_handover(session, district)
    login(client, "enterprise")
    r = client.get(f"/cases/{c.id}/materials")
    assert r.status_code == 200
    page = text(r)
    assert "物业服务用房及钥匙" in page and "其他应移交事项" in page and "选交" in page
    assert page.count("未提交") >= 7
    assert "必交材料已接收 0 / 6 项" in page
    assert "尚不能签署交接确认书" in page and "「物业服务用房及钥匙」尚未提交" in page
    html = r.get_data(as_text=True)
    assert 'action="/cases/%d/materials/premises_keys/submit"' % c.id in html
    assert "/accept" not in html                       # the enterprise does not accept
    # the case page points to the checklist instead of item forms
    r = client.get(f"/cases/{c.id}")
    assert 'id="action-submit_item"' not in r.get_data(as_text=True)
    assert "逐项提交、接收交接材料请到「交接材料清单」页面" in text(r)


def test_enterprise_submits_and_committee_accepts_or_returns(client, district, session):
    c = exit_in_handover(session, district)
    login(client, "enterprise")
    r = client.post(f"/cases/{c.id}/materials/premises_keys/submit", data={
        "lock_version": lock(session, c.id), "declaration": "钥匙 36 把，物业服务用房 2 间",
        "files": (io.BytesIO(b"%PDF-1.4 keys"), "钥匙清单.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 302 and r.location.endswith("#item-premises_keys")
    page = text(client.get(f"/cases/{c.id}/materials"))
    assert "已提交：物业服务用房及钥匙" in page and "钥匙清单.pdf" in page
    assert items_of(session, c.id)["premises_keys"] == "submitted"
    client.post("/logout")

    login(client, "committee")
    html = client.get(f"/cases/{c.id}/materials").get_data(as_text=True)
    assert f"/cases/{c.id}/materials/premises_keys/accept" in html
    assert f"/cases/{c.id}/materials/common_facilities/accept" not in html   # nothing submitted yet
    r = client.post(f"/cases/{c.id}/materials/premises_keys/reject",
                    data={"lock_version": lock(session, c.id), "reason": ""})
    assert r.status_code == 400
    block = r.get_data(as_text=True).split('id="item-premises_keys"')[1].split('id="item-common_facilities"')[0]
    assert "此项为必填项" in block                       # beside that item's return form
    r = client.post(f"/cases/{c.id}/materials/premises_keys/reject",
                    data={"lock_version": lock(session, c.id), "reason": "缺少消防控制室钥匙"})
    assert r.status_code == 302
    page = text(client.get(f"/cases/{c.id}/materials"))
    assert "退回理由：缺少消防控制室钥匙" in page
    assert items_of(session, c.id)["premises_keys"] == "rejected"
    client.post("/logout")

    login(client, "enterprise")
    client.post(f"/cases/{c.id}/materials/premises_keys/submit", data={
        "lock_version": lock(session, c.id), "declaration": "补交消防控制室钥匙"})
    client.post("/logout")
    login(client, "committee")
    r = client.post(f"/cases/{c.id}/materials/premises_keys/accept",
                    data={"lock_version": lock(session, c.id)})
    assert r.status_code == 302
    page = text(client.get(f"/cases/{c.id}/materials"))
    assert "必交材料已接收 1 / 6 项" in page
    assert "「物业服务用房及钥匙」" not in page.split("尚不能签署交接确认书")[1].split("1.")[0]


def test_all_required_accepted_unblocks_signing(client, district, session):
    c = exit_in_handover(session, district)
    ent, com = district.actor("enterprise"), district.actor("committee")
    required = ["premises_keys", "common_facilities", "inspection_docs", "technical_records",
                "owner_register", "fund_and_fees"]
    for k in required:
        advance(session, c.id, "submit_item", ent, {"item": k, "declaration": "已移交"})
        advance(session, c.id, "accept_item", com, {"item": k})
    login(client, "committee")
    page = text(client.get(f"/cases/{c.id}/materials"))
    assert "全部必交材料已接收，可以签署交接确认书" in page and "必交材料已接收 6 / 6 项" in page
    page = text(client.get(f"/cases/{c.id}"))
    assert "签署交接确认书" in page.split("暂不能办理的事项")[0]


def test_refusals_on_the_materials_page(client, district, session):
    c = exit_in_handover(session, district)
    login(client, "enterprise")
    # neither a file nor a declaration: the guard explains
    r = client.post(f"/cases/{c.id}/materials/premises_keys/submit",
                    data={"lock_version": lock(session, c.id)})
    assert r.status_code == 422 and "须附文件或填写书面说明" in text(r)
    # the enterprise may not accept its own items
    r = client.post(f"/cases/{c.id}/materials/premises_keys/accept",
                    data={"lock_version": lock(session, c.id)})
    assert r.status_code == 403
    # stale page
    seen = lock(session, c.id)
    advance(session, c.id, "submit_item", district.actor("enterprise"),
            {"item": "owner_register", "declaration": "名册一册"})
    r = client.post(f"/cases/{c.id}/materials/premises_keys/submit",
                    data={"lock_version": seen, "declaration": "x"})
    assert r.status_code == 409 and "此案件已被他人更新，请刷新后重试" in text(r)
    # unknown item or step
    assert client.post(f"/cases/{c.id}/materials/nope/submit", data={}).status_code == 404
    assert client.post(f"/cases/{c.id}/materials/premises_keys/bogus", data={}).status_code == 404
    client.post("/logout")
    # another enterprise, another street office: 404
    for who in ("enterprise2", "street2"):
        login(client, who)
        assert client.get(f"/cases/{c.id}/materials").status_code == 404
        client.post("/logout")


def test_materials_page_only_for_procedures_with_a_checklist(client, district, session):
    from tests.helpers import contract
    c = contract(session, district)
    login(client, "enterprise")
    assert client.get(f"/cases/{c.id}/materials").status_code == 404


def test_home_links_item_steps_to_the_materials_page(client, district, session):
    c = exit_in_handover(session, district)
    login(client, "enterprise")
    html = client.get("/").get_data(as_text=True)
    assert re.search(rf'href="/cases/{c.id}/materials"', html)
    client.post("/logout")
    # the committee has nothing to accept until an item is submitted
    login(client, "committee")
    todo = client.get("/").get_data(as_text=True).split('id="todo"')[1].split("</section>")[0]
    assert "接收移交事项" not in todo
    advance(session, c.id, "submit_item", district.actor("enterprise"),
            {"item": "premises_keys", "declaration": "钥匙 36 把"})
    todo = client.get("/").get_data(as_text=True).split('id="todo"')[1].split("</section>")[0]
    assert "接收移交事项" in todo and f'href="/cases/{c.id}/materials"' in todo

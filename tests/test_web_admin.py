"""Administration pages: users and organisations, an estate's rule pack, the import of a
holiday arrangement; only for the admin role."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.models import Estate, Organisation, User
from tests.helpers import fresh, login, text

ADMIN_PAGES = ["/admin/", "/admin/users", "/admin/users/new", "/admin/orgs", "/admin/orgs/new",
               "/admin/estates", "/admin/calendar"]


@pytest.mark.parametrize("who", ["street", "bureau", "enterprise"])
def test_only_admins_may_administer(client, district, who):
    login(client, who)
    for path in ADMIN_PAGES:
        r = client.get(path)
        assert r.status_code == 403, path
    assert "只有系统管理员可以进入系统管理" in text(client.get("/admin/users"))
    r = client.post("/admin/users/new", data={"username": "x", "display_name": "x",
                                              "role": "admin", "password": "longenough"})
    assert r.status_code == 403
    assert "系统管理" not in text(client.get("/")).split("退出")[0]     # no menu entry either


def test_admin_pages_render(client, district):
    login(client, "admin")
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path
    page = text(client.get("/admin/users"))
    assert "street2" in page and "湖东街道办事处" in page


def test_create_user_with_hashed_password_who_can_then_sign_in(client, district, session):
    login(client, "admin")
    org = district.orgs["street2"]
    r = client.post("/admin/users/new", data={
        "username": "street3", "display_name": "钱科员", "role": "street_office",
        "organisation_id": org.id, "email": "s3@example.com", "active": "1",
        "password": "s3cret-pass"})
    assert r.status_code == 302
    fresh(session)
    u = session.scalar(select(User).where(User.username == "street3"))
    assert u.password_hash != "s3cret-pass" and u.password_hash.startswith(("scrypt:", "pbkdf2:"))
    client.post("/logout")
    assert login(client, "street3", "s3cret-pass").status_code == 302
    assert "湖东街道办事处 · 钱科员" in text(client.get("/"))


def test_user_form_errors_beside_fields(client, district):
    login(client, "admin")
    r = client.post("/admin/users/new", data={
        "username": "street", "display_name": "", "role": "enterprise",
        "organisation_id": district.orgs["street"].id, "password": "short"})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    for field, msg in (("u-username", "用户名已被使用"), ("u-name", "此项为必填项"),
                       ("u-org", "与角色不符"), ("u-password", "密码至少 8 位")):
        block = html.split(f'id="{field}"')[1].split('<div class="field')[0]
        assert msg in block, field


def test_edit_user_deactivate_and_reset_password(client, district, session):
    login(client, "admin")
    uid = district.users["enterprise2"].id
    r = client.post(f"/admin/users/{uid}", data={
        "display_name": "吴经理", "role": "enterprise",
        "organisation_id": district.orgs["enterprise2"].id, "password": "new-password-1"})
    assert r.status_code == 302                        # "active" unticked: disabled
    client.post("/logout")
    assert login(client, "enterprise2", "new-password-1").status_code == 401
    login(client, "admin")
    client.post(f"/admin/users/{uid}", data={
        "display_name": "吴经理", "role": "enterprise", "active": "1",
        "organisation_id": district.orgs["enterprise2"].id})
    client.post("/logout")
    assert login(client, "enterprise2", "new-password-1").status_code == 302


def test_admin_cannot_lock_themselves_out(client, district):
    login(client, "admin")
    uid = district.users["admin"].id
    r = client.post(f"/admin/users/{uid}", data={"display_name": "系统管理员", "role": "admin"})
    assert r.status_code == 400 and "不能停用自己" in text(r)


def test_organisations_crud(client, district, session):
    login(client, "admin")
    r = client.post("/admin/orgs/new", data={"name": "南湖社区居民委员会", "kind": "community",
                                             "parent_id": district.orgs["street2"].id})
    assert r.status_code == 302
    fresh(session)
    org = session.scalar(select(Organisation).where(Organisation.name == "南湖社区居民委员会"))
    assert org.kind == "community" and org.parent_id == district.orgs["street2"].id
    r = client.post(f"/admin/orgs/{org.id}", data={"name": "南湖社区居委会", "kind": "community",
                                                   "email": "nanhu@example.gov.cn"})
    assert r.status_code == 302
    assert "南湖社区居委会" in text(client.get("/admin/orgs"))
    r = client.post("/admin/orgs/new", data={"name": "", "kind": "nonsense"})
    assert r.status_code == 400 and "请选择单位类型" in text(r)
    # the kind of an organisation with users cannot change under them
    r = client.post(f"/admin/orgs/{district.orgs['street'].id}",
                    data={"name": "老城街道办事处", "kind": "community"})
    assert r.status_code == 400 and "不能更改单位类型" in text(r)
    assert client.get("/admin/orgs/99999").status_code == 404


def test_rule_pack_per_estate(client, district, session):
    login(client, "admin")
    eid = district.estates["jinxiu"].id
    page = text(client.get("/admin/estates"))
    assert "河南省物业管理条例" in page
    r = client.post(f"/admin/estates/{eid}/rulepack", data={"rulepack": "shandong"})
    assert r.status_code == 302
    fresh(session)
    assert session.get(Estate, eid).rulepack == "shandong"
    assert "由管理员为本区域指定" in text(client.get("/admin/estates"))
    client.post(f"/admin/estates/{eid}/rulepack", data={"rulepack": ""})
    fresh(session)
    assert session.get(Estate, eid).rulepack is None
    r = client.post(f"/admin/estates/{eid}/rulepack", data={"rulepack": "mars"})
    assert "未知的规则包" in text(client.get("/admin/estates"))


def test_holiday_arrangement_import(client, district):
    login(client, "admin")
    sample = Path(__file__).resolve().parents[1] / "engine" / "data" / "holidays" / "2026.toml"
    r = client.post("/admin/calendar", data={"file": (io.BytesIO(sample.read_bytes()), "2026.toml")},
                    content_type="multipart/form-data")
    assert r.status_code == 200
    page = text(r)
    assert "已导入2026年节假日安排" in page and "国务院办公厅关于2026年部分节假日安排的通知" in page
    r = client.post("/admin/calendar", data={"file": (io.BytesIO(b"year = 2027\n"), "bad.toml")},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "导入失败" in text(r) and "notice" in text(r)
    r = client.post("/admin/calendar", data={}, content_type="multipart/form-data")
    assert r.status_code == 400 and "请选择要导入的节假日安排文件" in text(r)


def test_password_reset_signs_out_the_users_open_sessions(app, client, district):
    other = app.test_client()
    login(other, "street2")
    assert other.get("/").status_code == 200
    login(client, "admin")
    uid = district.users["street2"].id
    r = client.post(f"/admin/users/{uid}", data={
        "display_name": "赵主任", "role": "street_office", "active": "1",
        "organisation_id": district.orgs["street2"].id, "password": "brand-new-pass"})
    assert r.status_code == 302
    assert other.get("/").status_code == 302          # back to the sign-in page
    assert login(other, "street2", "brand-new-pass").status_code == 302

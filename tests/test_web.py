"""The web front end through Flask's test client: sign-in, 工作台, the case list, opening a
case, the case page, taking actions, and every refusal a user can meet there (wrong role,
another street office's case, wrong state, bad payload, stale page, CSRF)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from engine.models import Case, Event
from engine.runtime import advance
from tests.helpers import PASSWORD, TODAY, at, contract, fresh, lock, login, text  # noqa: F401










def submitted(session, d, **kw):
    c = contract(session, d, **kw)
    advance(session, c.id, "submit", d.actor(kw.get("user", "enterprise")), {})
    return c


# -- sign-in ---------------------------------------------------------------------------------

def test_pages_need_sign_in(client, district):
    for path in ("/", "/cases", "/cases/new", "/admin/"):
        r = client.get(path)
        assert r.status_code == 302 and "/login" in r.location


def test_sign_in_and_out(client, district):
    r = client.get("/login")
    assert r.status_code == 200 and "登录" in text(r)
    r = login(client, "street", "wrong")
    assert r.status_code == 401 and "用户名或密码不正确" in text(r)
    r = login(client, "street")
    assert r.status_code == 302 and r.location.endswith("/")
    assert "老城街道办事处" in text(client.get("/"))
    assert client.get("/logout").status_code == 405       # sign-out is a POST (CSRF-protected)
    r = client.post("/logout")
    assert r.status_code == 302
    assert client.get("/").status_code == 302


def test_sign_in_never_redirects_off_site(client, district):
    r = client.post("/login?next=//evil.example/x", data={"username": "street", "password": PASSWORD})
    assert r.location in ("/", "http://localhost/")
    client.post("/logout")
    r = client.post("/login?next=/cases%3Foverdue%3D1", data={"username": "street", "password": PASSWORD})
    assert r.location.endswith("/cases?overdue=1")


def test_inactive_user_cannot_sign_in(client, district, session):
    district.users["street2"].active = False
    session.commit()
    assert login(client, "street2").status_code == 401


def test_repeated_wrong_passwords_lock_the_name(client, district):
    from web import auth
    auth._failures.pop("developer", None)
    for _ in range(auth.MAX_FAILURES):
        assert login(client, "developer", "nope").status_code == 401
    r = login(client, "developer")                 # even the right password, for a while
    assert r.status_code == 429 and "5 分钟后再试" in text(r)
    auth._failures.pop("developer", None)
    assert login(client, "developer").status_code == 302


def test_session_cookie_and_headers_are_hardened(client, district):
    r = login(client, "street")
    cookie = r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    r = client.get("/")
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in r.headers["Cache-Control"]
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]


def test_csrf_is_enforced_when_enabled(app, district):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    r = client.post("/login", data={"username": "street", "password": PASSWORD})
    assert r.status_code == 400 and "安全校验失败" in text(r)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"username": "street", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302
    r = client.post("/logout")                      # no token: refused, still signed in
    assert r.status_code == 400
    assert client.get("/").status_code == 200


# -- 工作台 -------------------------------------------------------------------------------------

def test_home_shows_what_to_act_on_due_soon_and_overdue(client, district, session):
    mine = submitted(session, district, kind="assembly", no="YZ-1")          # street reviews it
    late = contract(session, district, kind="pre_phase", signed_days_ago=40, no="QQ-LATE")
    soon = contract(session, district, kind="assembly", estate="hudong", signed_days_ago=10, no="YZ-SOON")
    login(client, "street")
    page = text(client.get("/"))
    todo = page.split("待我办理", 2)[2].split("已逾期")[0]
    assert f"#{mine.id}" in todo and "予以备案" in todo
    assert f"#{late.id}" not in todo                 # the enterprise must act, not the street office
    overdue = page.split("已逾期", 2)[2]
    assert f"#{late.id}" in overdue and "逾期" in overdue
    assert f"#{soon.id}" not in page                 # another street office's estate
    days = (TODAY - session.get(Case, late.id).deadlines[0].due_date).days
    assert f"逾期 {days} 天" in page
    assert "逾期期限分布（按社区居委会）" in page and "文化社区居民委员会" in page


def test_home_for_the_bureau_counts_overdue_per_street_office(client, district, session):
    contract(session, district, kind="pre_phase", signed_days_ago=40, no="QQ-1")
    contract(session, district, kind="pre_phase", estate="hudong", signed_days_ago=50, no="QQ-2")
    contract(session, district, kind="pre_phase", estate="hudong", signed_days_ago=60, no="QQ-3")
    login(client, "bureau")
    r = client.get("/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    unit = html.split('id="by-unit"')[1]
    assert re.search(r"湖东街道办事处</td><td class=\"num\"><strong>2<", unit)
    assert re.search(r"老城街道办事处</td><td class=\"num\"><strong>1<", unit)
    assert "物业服务合同备案" in text(r).split("各程序案件数")[1]


def test_home_for_a_community_counts_overdue_per_estate(client, district, session):
    contract(session, district, kind="pre_phase", signed_days_ago=40, no="QQ-1")
    contract(session, district, kind="pre_phase", estate="hudong", signed_days_ago=40, no="QQ-2")
    login(client, "community")
    unit = client.get("/").get_data(as_text=True).split('id="by-unit"')[1]
    assert "逾期期限分布（按物业管理区域）" in text(client.get("/"))
    assert re.search(r"锦绣花园</td><td class=\"num\"><strong>1<", unit)
    assert "湖东新苑" not in unit                     # another community's estate


def test_home_of_an_enterprise_shows_only_its_own(client, district, session):
    a = contract(session, district, no="A-1")
    b = contract(session, district, estate="binhe", user="enterprise2", no="B-1")
    login(client, "enterprise2")
    page = text(client.get("/"))
    assert f"#{b.id}" in page and f"#{a.id}" not in page
    assert "逾期案件分布" not in page               # no supervision view for an enterprise


# -- the case list ---------------------------------------------------------------------------------

def test_list_filters_by_procedure_state_estate_overdue_and_search(client, district, session):
    a = contract(session, district, no="HT-AAA", signed_days_ago=40, kind="pre_phase")
    b = submitted(session, district, no="HT-BBB")
    c = contract(session, district, no="HT-CCC", estate="binhe", user="enterprise2")
    login(client, "street")

    def ids(query):
        r = client.get("/cases" + query)
        assert r.status_code == 200
        return {int(x) for x in re.findall(r'href="/cases/(\d+)"', r.get_data(as_text=True))}

    assert ids("") == {a.id, b.id, c.id}
    assert ids("?procedure=contract_filing") == {a.id, b.id, c.id}
    assert ids("?procedure=enterprise_exit") == set()
    assert ids("?state=submitted") == {b.id}
    assert ids(f"?estate={district.estates['binhe'].id}") == {c.id}
    assert ids("?overdue=1") == {a.id}
    assert ids("?overdue=true&state=registered") == {a.id}
    assert ids("?q=HT-BBB") == {b.id}
    assert ids("?q=滨河") == {c.id}                    # estate name
    assert ids(f"?q={c.id}") >= {c.id}
    assert ids("?q=锦绣花园业主委员会") == {a.id, b.id, c.id}   # Chinese text in the case data
    assert "没有符合条件的案件" in text(client.get("/cases?q=nothing-like-this"))


def test_list_is_paginated(client, district, session):
    for i in range(23):
        contract(session, district, no=f"P-{i:02d}")
    login(client, "enterprise")
    r = client.get("/cases")
    page1 = set(re.findall(r'href="/cases/(\d+)"', r.get_data(as_text=True)))
    assert len(page1) == 20 and "共 23 件" in text(r) and "第 1 / 2 页" in text(r)
    r = client.get("/cases?page=2")
    page2 = set(re.findall(r'href="/cases/(\d+)"', r.get_data(as_text=True)))
    assert len(page2) == 3 and not page1 & page2
    assert client.get("/cases?page=99").status_code == 200     # clamped to the last page


def test_list_never_shows_another_street_offices_or_enterprises_cases(client, district, session):
    mine = contract(session, district, no="JX-1")
    theirs = contract(session, district, estate="hudong", no="HD-1")
    login(client, "street2")
    html = client.get("/cases").get_data(as_text=True)
    assert f'href="/cases/{theirs.id}"' in html and f'href="/cases/{mine.id}"' not in html
    client.post("/logout")
    login(client, "enterprise2")
    assert "HD-1" not in client.get("/cases?q=HD").get_data(as_text=True)


# -- opening a case ----------------------------------------------------------------------------------

def _contract_form(estate_id, **over):
    signed = TODAY - timedelta(days=2)
    form = {"procedure": "contract_filing", "estate_id": str(estate_id),
            "contract_kind": "assembly", "contract_no": "NEW-001", "client": "锦绣花园业主委员会",
            "signed_on": signed.isoformat(), "term_start": signed.isoformat(),
            "term_end": (signed + timedelta(days=700)).isoformat(), "fee": "2.00", "area": "500"}
    form.update(over)
    return form


def test_enterprise_opens_a_contract_filing(client, district, session):
    login(client, "enterprise")
    r = client.get("/cases/new?procedure=contract_filing")
    assert r.status_code == 200 and "登记已签订的物业服务合同" in text(r)
    assert "锦绣花园" in text(r) and "湖东新苑" in text(r) and "滨河湾小区" not in text(r)
    r = client.post("/cases/new", data=_contract_form(district.estates["jinxiu"].id))
    assert r.status_code == 302
    case_id = int(r.location.rsplit("/", 1)[1])
    page = text(client.get(r.location))
    assert "已立案" in page and "已登记待报送" in page and "NEW-001" in page


def test_new_case_shows_field_errors_beside_the_fields(client, district):
    login(client, "enterprise")
    r = client.post("/cases/new", data=_contract_form(district.estates["jinxiu"].id, contract_no="",
                                                       term_end="2020-01-01", fee="abc"))
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "提交的内容有误，请按提示修改" in html
    for field, msg in (("contract_no", "此项为必填项"), ("fee", "应为数字")):
        block = html.split(f'id="f-{field}"')[1].split('class="field')[0]
        assert msg in block, field
    assert 'value="锦绣花园业主委员会"' in html            # what was typed stays


def test_new_case_refuses_an_estate_outside_my_jurisdiction(client, district):
    login(client, "enterprise2")
    r = client.post("/cases/new", data=_contract_form(district.estates["jinxiu"].id))
    assert r.status_code == 400 and "请选择您有权办理的物业管理区域" in text(r)


def test_new_case_of_a_procedure_my_role_may_not_open_is_403(client, district, session):
    login(client, "street")
    r = client.post("/cases/new", data=_contract_form(district.estates["jinxiu"].id))
    assert r.status_code == 403 and "您的角色不能发起「物业服务合同备案」" in text(r)
    assert session.query(Case).count() == 0
    assert client.post("/cases/new", data={"procedure": "no_such"}).status_code == 404


def test_new_case_guard_refusal_is_explained(client, district):
    login(client, "enterprise")
    future = (TODAY + timedelta(days=5)).isoformat()
    r = client.post("/cases/new", data=_contract_form(district.estates["jinxiu"].id, signed_on=future,
                                                       term_start=future))
    assert r.status_code == 422 and "晚于今日" in text(r)


def test_a_role_that_opens_nothing_is_told_so(client, district):
    login(client, "admin")                      # administers; opens no procedure
    r = client.get("/cases/new")
    assert r.status_code == 200 and "您的角色不能发起任何程序" in text(r)


# -- the case page ---------------------------------------------------------------------------------------

def test_case_page_shows_header_deadlines_timeline_and_actions(client, district, session):
    c = contract(session, district, kind="assembly", signed_days_ago=3, no="SHOW-1")
    login(client, "enterprise")
    r = client.get(f"/cases/{c.id}")
    assert r.status_code == 200
    page = text(r)
    assert "物业服务合同备案" in page and "锦绣花园" in page and "已登记待报送" in page
    assert "程序第 1 版" in page and f"数据版本 {lock(session, c.id)}" in page
    dl = session.get(Case, c.id).deadlines[0]
    assert f"{dl.due_date.year}年{dl.due_date.month}月{dl.due_date.day}日" in page
    assert f"剩余 {(dl.due_date - TODAY).days} 天" in page
    assert "《河南省物业管理条例》第四十九条" in page and "规则：河南省物业管理条例" in page
    # timeline: who, organisation, what, with labelled payload
    assert "信阳安居物业服务有限公司 · 周经理" in page and "登记已签订的物业服务合同" in page
    assert "合同类型 业主大会选聘的物业服务合同" in page
    # actions from the payload schema, with the lock version
    html = r.get_data(as_text=True)
    assert 'id="action-submit"' in html and 'name="note"' in html and f'name="lock_version" value="{lock(session, c.id)}"' in html
    assert "<svg" in html or 'class="states"' in html       # the diagram (or its fallback)
    if "<svg" in html:
        r = client.get(f"/cases/{c.id}/diagram.svg")
        assert r.status_code == 200 and r.mimetype == "image/svg+xml" and "已登记待报送" in r.get_data(as_text=True)
    assert "尚未出具文书" in page or 'id="documents"' in html


def test_case_page_lists_actions_i_may_not_take_with_the_reason(client, district, session):
    c = submitted(session, district, kind="pre_phase")
    login(client, "street")
    page = text(client.get(f"/cases/{c.id}"))
    assert "暂不能办理的事项" in page
    assert "前期物业服务合同由区住房和城乡建设局审查备案" in page
    login(client, "enterprise")
    page = text(client.get(f"/cases/{c.id}"))
    assert "只能由" in page and "办理" in page


@pytest.mark.parametrize("who, estate, owner", [
    ("street2", "jinxiu", "enterprise"),      # another street office's estate
    ("street", "hudong", "enterprise"),
    ("enterprise2", "jinxiu", "enterprise"),  # another enterprise's case
    ("community", "hudong", "enterprise"),
    ("committee", "hudong", "enterprise"),
])
def test_a_case_outside_my_jurisdiction_is_404(client, district, session, who, estate, owner):
    c = contract(session, district, estate=estate, user=owner)
    login(client, who)
    r = client.get(f"/cases/{c.id}")
    assert r.status_code == 404 and "页面不存在，或您无权查看" in text(r)
    assert client.post(f"/cases/{c.id}/actions/submit", data={"lock_version": lock(session, c.id)}).status_code == 404
    assert client.get(f"/cases/{c.id}/diagram.svg").status_code == 404
    assert client.get(f"/cases/{c.id + 999}").status_code == 404     # same answer as missing


def test_enterprise2_and_street2_cannot_open_the_first_ones_cases(client, district, session):
    c = contract(session, district)
    for who in ("enterprise2", "street2"):
        login(client, who)
        assert client.get(f"/cases/{c.id}").status_code == 404
        client.post("/logout")
    for who in ("enterprise", "street", "community", "bureau", "admin"):
        login(client, who)
        assert client.get(f"/cases/{c.id}").status_code == 200, who
        client.post("/logout")


# -- taking actions -----------------------------------------------------------------------------------------

def test_street_office_files_an_assembly_contract(client, district, session):
    c = submitted(session, district, kind="assembly")
    login(client, "street")
    r = client.post(f"/cases/{c.id}/actions/accept", data={"lock_version": lock(session, c.id), "remark": "材料齐全"})
    assert r.status_code == 302
    page = text(client.get(r.location))
    assert "已办理：予以备案" in page and "已备案" in page and "材料齐全" in page
    lock(session, c.id)
    assert session.get(Case, c.id).state == "filed"
    assert "本案件已办结" in page


def test_issued_documents_are_listed_with_download_verify_and_print(app, client, district, session):
    if "documents.download" not in app.view_functions:
        pytest.skip("printed forms not present")
    c = submitted(session, district, kind="assembly")
    login(client, "street")
    client.post(f"/cases/{c.id}/actions/accept", data={"lock_version": lock(session, c.id)})
    html = client.get(f"/cases/{c.id}").get_data(as_text=True)
    docs = html.split('id="documents"')[1].split("</section>")[0]
    assert "物业服务合同备案回执" in docs and "核验码" in docs
    pdf = re.search(r'href="(/documents/\d+\.pdf)"', docs).group(1)
    assert client.get(pdf).data[:5] == b"%PDF-"
    assert f'href="/cases/{c.id}/documents.pdf"' in docs          # print all
    assert "重新出具" in docs                                       # the issuing office may reissue
    client.post("/logout")
    login(client, "enterprise")
    docs = client.get(f"/cases/{c.id}").get_data(as_text=True).split('id="documents"')[1]
    assert "物业服务合同备案回执" in docs and "重新出具" not in docs.split("</section>")[0]


def test_wrong_role_is_refused_with_403(client, district, session):
    c = submitted(session, district)
    login(client, "enterprise")
    r = client.post(f"/cases/{c.id}/actions/accept", data={"lock_version": lock(session, c.id)})
    assert r.status_code == 403
    assert "「予以备案」只能由区住房和城乡建设局、街道办事处办理" in text(r)
    lock(session, c.id)
    assert session.get(Case, c.id).state == "submitted"


def test_guard_refusal_is_422_with_the_reason(client, district, session):
    c = submitted(session, district, kind="pre_phase")
    login(client, "street")
    r = client.post(f"/cases/{c.id}/actions/accept", data={"lock_version": lock(session, c.id)})
    assert r.status_code == 422 and "前期物业服务合同由区住房和城乡建设局审查备案" in text(r)


def test_wrong_state_is_refused_with_409(client, district, session):
    c = contract(session, district)
    login(client, "street")
    r = client.post(f"/cases/{c.id}/actions/accept", data={"lock_version": lock(session, c.id)})
    assert r.status_code == 409
    assert "案件当前状态为「已登记待报送」，不能办理「予以备案」" in text(r)
    assert client.post(f"/cases/{c.id}/actions/no_such_step", data={}).status_code == 404


def test_bad_payload_shows_the_error_beside_the_field(client, district, session):
    c = submitted(session, district)
    login(client, "street")
    r = client.post(f"/cases/{c.id}/actions/request_correction",
                    data={"lock_version": lock(session, c.id), "reasons": "  "})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    form = html.split('id="action-request_correction"')[1].split("</form>")[0]
    assert "has-error" in form and "此项为必填项" in form
    other = html.split('id="action-reject"')[1].split("</form>")[0]
    assert "此项为必填项" not in other                # only beside the form that was sent


def test_stale_page_gets_the_conflict_message(client, district, session):
    c = submitted(session, district)
    login(client, "street")
    page = client.get(f"/cases/{c.id}").get_data(as_text=True)
    seen = int(re.search(r'name="lock_version" value="(\d+)"', page).group(1))
    assert seen == lock(session, c.id)
    advance(session, c.id, "request_correction", district.actor("street"),
            {"reasons": "缺页"})                        # someone else acts first
    r = client.post(f"/cases/{c.id}/actions/accept", data={"lock_version": seen})
    assert r.status_code == 409 and "此案件已被他人更新，请刷新后重试" in text(r)
    lock(session, c.id)
    assert session.get(Case, c.id).state == "correction"


def test_files_go_with_a_step_and_are_downloadable_by_who_may_see_the_case(client, district, session):
    import io
    c = contract(session, district)
    login(client, "enterprise")
    r = client.post(f"/cases/{c.id}/actions/submit", data={
        "lock_version": lock(session, c.id), "note": "正本扫描件",
        "files": (io.BytesIO(b"%PDF-1.4 contract"), "合同正本.pdf")},
        content_type="multipart/form-data")
    assert r.status_code == 302
    html = client.get(f"/cases/{c.id}").get_data(as_text=True)
    m = re.search(rf'href="(/cases/{c.id}/files/\d+)"', html)
    assert m and "合同正本.pdf" in html
    r = client.get(m.group(1))
    assert r.status_code == 200 and r.data == b"%PDF-1.4 contract"
    assert "attachment" in r.headers["Content-Disposition"]
    client.post("/logout")
    login(client, "enterprise2")
    assert client.get(m.group(1)).status_code == 404


def test_unaccepted_file_types_are_refused(client, district, session):
    import io
    c = contract(session, district)
    login(client, "enterprise")
    # a renamed executable is judged by its content, not its name
    r = client.post(f"/cases/{c.id}/actions/submit", data={
        "lock_version": lock(session, c.id), "files": (io.BytesIO(b"MZ\x90\x00"), "scan.pdf")},
        content_type="multipart/form-data")
    assert r.status_code == 415 and "不支持的文件类型" in text(r)
    client.post("/logout")
    login(client, "enterprise")
    r = client.post(f"/cases/{c.id}/actions/submit", data={
        "lock_version": lock(session, c.id), "files": (io.BytesIO(b"MZ..."), "virus.exe")},
        content_type="multipart/form-data")
    assert r.status_code == 415 and "virus.exe：不支持的文件类型" in text(r)
    lock(session, c.id)
    assert session.get(Case, c.id).state == "registered"


def test_every_step_left_one_audit_event(client, district, session):
    c = submitted(session, district)
    login(client, "street")
    client.post(f"/cases/{c.id}/actions/request_correction", data={"lock_version": lock(session, c.id), "reasons": "缺少附件"})
    client.post(f"/cases/{c.id}/actions/request_correction", data={"lock_version": lock(session, c.id), "reasons": "重复"})
    lock(session, c.id)
    events = session.query(Event).filter_by(case_id=c.id).order_by(Event.seq).all()
    assert [e.trigger for e in events] == ["open", "submit", "request_correction"]


# -- language --------------------------------------------------------------------------------------------

def test_english_is_available(client, district, session):
    c = contract(session, district)
    login(client, "enterprise")
    r = client.get("/lang/en?next=/cases")
    assert r.status_code == 302 and r.location.endswith("/cases")
    page = text(client.get("/"))
    assert "Workbench" in page and "Cases" in page and "中文" in page
    page = text(client.get(f"/cases/{c.id}"))
    assert "Property-service contract filing" in page and "registered" in page
    client.get("/lang/zh")
    assert "工作台" in text(client.get("/"))
    assert client.get("/lang/en?next=https://evil.example/").location.endswith("/")


def test_error_pages_are_in_words(client, district):
    login(client, "street")
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "页面不存在" in text(r)


def test_too_large_upload_is_refused_in_words(app, client, district, session):
    import io
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    c = contract(session, district)
    login(client, "enterprise")
    r = client.post(f"/cases/{c.id}/actions/submit", data={
        "lock_version": lock(session, c.id),
        "files": (io.BytesIO(b"x" * (3 * 1024 * 1024)), "big.pdf")},
        content_type="multipart/form-data")
    assert r.status_code == 413 and "上传的文件过大（不能超过 2 MB）" in text(r)
    fresh(session)
    assert session.get(Case, c.id).state == "registered"


def test_every_procedure_has_a_new_case_form_from_its_schema(client, district):
    """Each procedure's opening form renders for a role that may open it, every field
    labelled from the schema's metadata."""
    from workflows import REGISTRY
    users = {role: name for name, _n, role, _o in __import__("web.demo", fromlist=["ACCOUNTS"]).ACCOUNTS}
    for name, defn in REGISTRY.items():
        role = next((r for r in defn.opening.roles if r in users), None)
        if role is None:
            continue
        login(client, users[role])
        r = client.get(f"/cases/new?procedure={name}")
        assert r.status_code == 200, name
        page = text(r)
        assert defn.opening.label in page, name
        if defn.opening.schema:
            for fname, f in defn.opening.schema().fields.items():
                assert f.metadata.get("label", fname) in page, (name, fname)
        client.post("/logout")


def test_overdue_work_comes_first_in_red(client, district, session):
    fresh_case = contract(session, district, no="NEW-1", signed_days_ago=1)
    late = contract(session, district, no="LATE-1", signed_days_ago=40, kind="pre_phase")
    login(client, "enterprise")
    html = client.get("/").get_data(as_text=True)
    todo = html.split('id="todo"')[1].split("</section>")[0]
    rows = re.findall(r'<tr class="([^"]*)">\s*<td[^>]*><a href="/cases/(\d+)"', todo)
    assert rows[0] == ("overdue", str(late.id))
    assert ("", str(fresh_case.id)) in rows


def test_an_unexpected_error_is_explained_not_dumped(app):
    def boom():
        raise RuntimeError("internal detail")
    app.add_url_rule("/boom-for-test", "boom_for_test", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    r = app.test_client().get("/boom-for-test")
    assert r.status_code == 500 and "系统出错" in text(r) and "internal detail" not in text(r)

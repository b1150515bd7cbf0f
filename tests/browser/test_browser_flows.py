"""Real-browser scenarios (Chromium via Playwright) against the served app with the demo
district: a contract filing from registration to 已备案, an exit's handover materials
item by item, and the jurisdiction walls between enterprises and between street offices.
Screenshots go to test-artifacts/screenshots/."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import Page, expect

from engine.legaltime import TZ

PASSWORD = "demo12345"
TODAY = datetime.now(TZ).date()


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()


def case_id_of(page: Page) -> int:
    return int(re.search(r"/cases/(\d+)", page.url).group(1))


def test_street_officer_takes_a_contract_filing_to_filed(page: Page, live_url, shot):
    # The enterprise registers an assembly-selected contract and submits it for filing.
    sign_in(page, live_url, "enterprise")
    shot(page, "01-enterprise-home")
    page.get_by_role("link", name="新建案件").click()
    expect(page.get_by_role("heading", name="新建案件")).to_be_visible()
    page.goto(f"{live_url}/cases/new?procedure=contract_filing")
    form = page.locator("form[method=post]").filter(has=page.locator("input[name=contract_no]"))
    form.get_by_label("物业管理区域").select_option(label="锦绣花园（河南省）")
    form.get_by_label("合同类型").select_option("assembly")
    signed = (TODAY - timedelta(days=2)).isoformat()
    form.get_by_label("合同编号").fill("BROWSER-YZ-001")
    form.get_by_label("委托方").fill("锦绣花园业主委员会")
    form.get_by_label("签订日期").fill(signed)
    form.get_by_label("服务期限起").fill(signed)
    form.get_by_label("服务期限止").fill((TODAY + timedelta(days=1000)).isoformat())
    form.get_by_label("物业费标准").fill("1.95")
    form.get_by_label("服务面积").fill("86420.50")
    form.get_by_role("button", name="立案").click()
    expect(page.locator("#case-state")).to_have_text("已登记待报送")
    case_id = case_id_of(page)
    expect(page.locator("#deadlines")).to_contain_text("《河南省物业管理条例》第四十九条")
    shot(page, "02-enterprise-case-registered")
    page.locator("#action-submit").get_by_role("button", name="报送备案").click()
    expect(page.locator("#case-state")).to_have_text("已报送待审查")
    sign_out(page)

    # The street office reviews it: first a wrong empty correction, then files it.
    sign_in(page, live_url, "street")
    todo = page.locator("#todo")
    expect(todo).to_contain_text(f"#{case_id}")
    shot(page, "03-street-home")
    todo.get_by_role("link", name=f"#{case_id}").click()
    expect(page.locator("#case-state")).to_have_text("已报送待审查")
    page.locator("#action-request_correction").get_by_role("button", name="要求补正").click()
    expect(page.locator("#action-request_correction .field .error")).to_have_text("此项为必填项")
    shot(page, "04-street-field-error")
    page.locator("#action-accept").get_by_label("审查意见").fill("材料齐全，予以备案")
    page.locator("#action-accept").get_by_role("button", name="予以备案").click()
    expect(page.locator(".flash.ok")).to_contain_text("已办理：予以备案")
    expect(page.locator("#case-state")).to_have_text("已备案")
    expect(page.locator("#timeline")).to_contain_text("材料齐全，予以备案")
    expect(page.locator("#timeline")).to_contain_text("老城街道办事处 · 李主任")
    shot(page, "05-street-case-filed")

    # The list finds it by its contract number and state.
    page.goto(f"{live_url}/cases?q=BROWSER-YZ&state=filed")
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    shot(page, "06-street-case-list")


def _exit_in_handover(db) -> int:
    """An exit whose contract ended yesterday, handing over (via the engine), on an estate
    like 滨河湾小区 (宜家 serving, 文化社区): every demo estate runs an exit already, and an
    estate has one exit at a time."""
    from sqlalchemy import select

    from engine.access import Actor
    from engine.models import Estate, User
    from engine.runtime import advance, open_case
    binhe = db.scalar(select(Estate).where(Estate.name == "滨河湾小区"))
    estate = Estate(name="滨河湾二期", province=binhe.province, address="浉河区滨河路 68 号",
                    bureau_id=binhe.bureau_id, street_office_id=binhe.street_office_id,
                    community_id=binhe.community_id, developer_id=binhe.developer_id,
                    enterprise_id=binhe.enterprise_id, total_area=binhe.total_area,
                    total_owners=binhe.total_owners)
    db.add(estate)
    db.commit()
    street = Actor.of(db.scalar(select(User).where(User.username == "street")))
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    c = open_case(db, "enterprise_exit", estate.id, street,
                  {"ground": "expiry", "contract_no": "YJ-QQ-2023-001", "term_end": yesterday})
    advance(db, c.id, "start_handover", street,
            {"ended_on": yesterday, "successor": "信阳安居物业服务有限公司"})
    return c.id


def test_enterprise_hands_over_item_by_item_and_community_accepts(page: Page, live_url, arrange,
                                                                    shot):
    from engine.registry import current
    defn = current("enterprise_exit")
    case_id = arrange(_exit_in_handover)
    required = [m for m in defn.materials if m.required]

    sign_in(page, live_url, "enterprise2")
    page.goto(f"{live_url}/cases/{case_id}/materials")
    expect(page.locator("#blocking")).to_contain_text("尚不能签署交接确认书")
    shot(page, "10-enterprise-materials-empty")
    for i, m in enumerate(required):
        item = page.locator(f"#item-{m.key}")
        item.locator("textarea").first.fill(f"{m.label}：已按清单移交")
        item.locator("input[type=file]").set_input_files(
            files=[{"name": f"{m.key}.pdf", "mimeType": "application/pdf",
                    "buffer": b"%PDF-1.4 handover " + m.key.encode()}])
        item.get_by_role("button", name="提交此项").click()
        expect(page.locator(".flash.ok")).to_contain_text(f"已提交：{m.label}")
        expect(page.locator(f"#item-{m.key} .badge")).to_have_text("已提交")
        if i == 1:
            shot(page, "11-enterprise-materials-partly-submitted")
    expect(page.locator("#progress-text")).to_contain_text(f"已提交 {len(required)} /")
    sign_out(page)

    sign_in(page, live_url, "community")
    page.goto(f"{live_url}/cases/{case_id}/materials")
    shot(page, "12-community-materials-to-accept")
    # One item is sent back first, with a reason the enterprise will see.
    first = required[0]
    back = page.locator(f"#item-{first.key} form").filter(has=page.get_by_role("button", name="退回"))
    back.locator("textarea").fill("缺少消防控制室钥匙")
    back.get_by_role("button", name="退回").click()
    expect(page.locator(f"#item-{first.key} .badge")).to_have_text("退回")
    expect(page.locator(f"#item-{first.key}")).to_contain_text("退回理由：缺少消防控制室钥匙")
    for m in required[1:]:
        page.locator(f"#item-{m.key}").get_by_role("button", name="接收").click()
        expect(page.locator(f"#item-{m.key} .badge")).to_have_text("已接收")
    expect(page.locator("#blocking")).to_contain_text(first.label)
    shot(page, "13-community-one-item-returned")
    sign_out(page)

    sign_in(page, live_url, "enterprise2")
    page.goto(f"{live_url}/cases/{case_id}/materials")
    item = page.locator(f"#item-{first.key}")
    expect(item).to_contain_text("缺少消防控制室钥匙")
    item.locator("textarea").first.fill("补交消防控制室钥匙 2 把")
    item.get_by_role("button", name="重新提交").click()
    expect(page.locator(f"#item-{first.key} .badge")).to_have_text("已提交")
    sign_out(page)

    sign_in(page, live_url, "community")
    page.goto(f"{live_url}/cases/{case_id}/materials")
    page.locator(f"#item-{first.key}").get_by_role("button", name="接收").click()
    expect(page.locator("#blocking")).to_contain_text("可以签署交接确认书")
    expect(page.locator("#progress-text")).to_contain_text(f"必交材料已接收 {len(required)} / {len(required)} 项")
    shot(page, "14-community-all-accepted")
    page.get_by_role("link", name="前往案件页办理签署").click()
    sign = page.locator("#action-sign_handover")
    sign.get_by_label("交接确认书签署日期").fill(TODAY.isoformat())
    sign.get_by_label("接管方").fill("信阳安居物业服务有限公司")
    sign.get_by_role("button", name="签署交接确认书").click()
    expect(page.locator("#case-state")).to_have_text(defn.state("signed").label)
    shot(page, "15-community-handover-signed")
    page.goto(f"{live_url}/cases/{case_id}/materials")
    expect(page.locator("#blocking")).not_to_contain_text("可以签署")


def test_other_enterprise_and_other_street_office_cannot_open_a_case(page: Page, live_url, shot):
    sign_in(page, live_url, "enterprise")
    page.goto(f"{live_url}/cases?procedure=contract_filing")
    first = page.locator("table.list tbody tr td a").first
    case_url = live_url + first.get_attribute("href")
    first.click()
    expect(page.locator("#case-state")).to_be_visible()
    sign_out(page)

    sign_in(page, live_url, "enterprise2")
    resp = page.goto(case_url)
    assert resp.status == 404
    expect(page.get_by_role("heading", name="找不到该页面")).to_be_visible()
    shot(page, "20-enterprise2-404")
    sign_out(page)

    # street2 cannot open a case of the first street office's estates.
    sign_in(page, live_url, "street")
    page.goto(f"{live_url}/cases")
    rows = page.locator("table.list tbody tr")
    street_case = live_url + rows.first.locator("a").first.get_attribute("href")
    sign_out(page)
    sign_in(page, live_url, "street2")
    resp = page.goto(street_case)
    assert resp.status == 404
    page.goto(f"{live_url}/cases")
    expect(page.locator("table.list")).not_to_contain_text("锦绣花园")
    expect(page.locator("table.list")).not_to_contain_text("滨河湾小区")
    shot(page, "21-street2-list")


def test_tablet_and_english(page: Page, live_url, shot):
    page.set_viewport_size({"width": 820, "height": 1180})
    sign_in(page, live_url, "bureau")
    shot(page, "30-bureau-home-tablet")
    page.goto(f"{live_url}/cases?overdue=1")
    shot(page, "31-bureau-overdue-tablet")
    if page.locator("table.list tbody tr td a").count() == 0:     # demo without overdue cases
        page.goto(f"{live_url}/cases")
    page.locator("table.list tbody tr td a").first.click()
    expect(page.locator("#deadlines")).to_be_visible()
    shot(page, "32-bureau-case-tablet")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("link", name="Workbench")).to_be_visible()
    shot(page, "33-bureau-case-english")
    page.get_by_role("link", name="中文").click()
    expect(page.get_by_role("link", name="工作台")).to_be_visible()
    page.goto(f"{live_url}/cases?procedure=enterprise_exit")
    if page.locator("table.list tbody tr td a").count():
        page.locator("table.list tbody tr td a").first.click()
        page.locator("a.button-link", has_text="交接材料清单").click()
        expect(page.locator("#blocking")).to_be_visible()
        shot(page, "34-bureau-materials-tablet")


def test_tour_of_every_procedure(page: Page, live_url, shot):
    """The bureau opens one case of each procedure in the demo: header, deadlines, diagram
    and timeline render (screenshots for a human to look at)."""
    from workflows import REGISTRY
    sign_in(page, live_url, "bureau")
    seen = 0
    for name in REGISTRY:
        page.goto(f"{live_url}/cases?procedure={name}")
        links = page.locator("table.list tbody tr td a")
        if links.count() == 0:
            continue
        links.first.click()
        expect(page.locator("#case-state")).to_be_visible()
        expect(page.locator("#timeline li").first).to_be_visible()
        shot(page, f"40-tour-{name}")
        seen += 1
    assert seen >= 1

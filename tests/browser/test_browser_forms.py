"""Forms as a clerk meets them: a refusal by a rule (422) or by a field (400) keeps every
input and shows the reason at the top of the refused form, in view; text fields count
their characters against their limit; numbers are number inputs; file inputs say how
large a file may be; branches nothing requires today stand apart (也可办理); a one-way
branch is marked and asks before it is taken."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from engine.legaltime import TZ
from tests.browser.session import signed_in

TODAY = datetime.now(TZ).date()


def _case_in(session, procedure: str, states: tuple[str, ...], username: str):
    from engine.access import Actor, visible_cases
    from engine.models import Case, User
    actor = Actor.of(session.scalar(select(User).where(User.username == username)))
    return session.scalar(visible_cases(actor).where(Case.procedure == procedure,
                                                     Case.state.in_(states))
                          .order_by(Case.id))


def _assembly_to_schedule(session):
    from engine.models import Case
    case = _case_in(session, "owners_assembly", ("members_published", "meeting_scheduled"),
                    "street2")
    if case is None:    # the demo keeps one; say so rather than skip silently
        raise AssertionError("the demo has no first assembly waiting for its meeting date")
    return case.id


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] < page.viewport_size["height"]


def test_a_rule_refusal_keeps_every_input_and_shows_why_beside_the_form(browser, live_url,
                                                                        arrange):
    case_id = arrange(_assembly_to_schedule)
    with signed_in(browser, live_url, "street2", viewport={"width": 390, "height": 844}) as page:
        page.goto(f"{live_url}/cases/{case_id}")
        form = page.locator("#action-schedule_meeting")
        too_soon = (TODAY + timedelta(days=3)).isoformat()
        form.get_by_label("首次业主大会会议召开日期").fill(too_soon)
        form.get_by_label("会议地点").fill("小区会所二楼多功能厅")
        form.get_by_label("会议形式").select_option(index=1)
        chosen = form.get_by_label("会议形式").input_value()
        with page.expect_response(lambda r: "/actions/schedule_meeting" in r.url) as resp:
            form.get_by_role("button", name="确定首次业主大会会议时间、地点和形式").click()
        assert resp.value.status == 422
        form = page.locator("#action-schedule_meeting")
        refusal = form.locator(".refusal")
        expect(refusal).to_contain_text("公告")
        assert in_viewport(page, refusal), "the reason must be in view after the refusal"
        expect(form.get_by_label("首次业主大会会议召开日期")).to_have_value(too_soon)
        expect(form.get_by_label("会议地点")).to_have_value("小区会所二楼多功能厅")
        expect(form.get_by_label("会议形式")).to_have_value(chosen)


def test_a_field_refusal_keeps_the_other_inputs(browser, live_url, arrange):
    case_id = arrange(_assembly_to_schedule)
    with signed_in(browser, live_url, "street2", viewport={"width": 390, "height": 844}) as page:
        page.goto(f"{live_url}/cases/{case_id}")
        form = page.locator("#action-schedule_meeting")
        form.get_by_label("会议地点").fill("小区会所")
        with page.expect_response(lambda r: "/actions/schedule_meeting" in r.url) as resp:
            form.get_by_role("button", name="确定首次业主大会会议时间、地点和形式").click()
        assert resp.value.status == 400
        form = page.locator("#action-schedule_meeting")
        expect(form.locator(".has-error").first).to_be_visible()
        expect(form.get_by_label("会议地点")).to_have_value("小区会所")
        assert in_viewport(page, form.locator(".refusal"))


def test_limits_counters_and_number_inputs(browser, live_url, arrange):
    case_id = arrange(_assembly_to_schedule)
    with signed_in(browser, live_url, "street2") as page:
        page.goto(f"{live_url}/cases/{case_id}")
        form = page.locator("#action-schedule_meeting")
        place = form.get_by_label("会议地点")
        expect(place).to_have_attribute("maxlength", "200")
        place.fill("会所")
        expect(form.locator("#schedule_meeting-place-count")).to_have_text("已输入 2 / 200 字")
        expect(form.locator("input[type=file] + small, input[type=file] ~ small")).to_contain_text(
            "每个文件不超过 10.0 MB")
        page.goto(f"{live_url}/cases/new?procedure=contract_filing")
        expect(page.get_by_label("物业管理区域")).to_have_value("")      # starts at 请选择
    with signed_in(browser, live_url, "enterprise") as page:
        page.goto(f"{live_url}/cases/new?procedure=contract_filing")
        expect(page.get_by_label("物业费标准")).to_have_attribute("type", "number")
        expect(page.get_by_label("物业费标准")).to_have_attribute("step", "0.01")


def test_optional_branches_stand_apart_and_one_way_ones_ask_first(browser, live_url, arrange):
    case_id = arrange(_assembly_to_schedule)
    with signed_in(browser, live_url, "street2") as page:
        page.goto(f"{live_url}/cases/{case_id}")
        also = page.locator("#actions h3.also")
        expect(also).to_have_text("也可办理 法律允许、但目前并不要求的步骤")
        branch = page.locator("#action-form_management_committee")
        expect(branch).to_have_class("action optional one-way")
        expect(branch.locator(".one-way-tag")).to_have_text("不可撤回")
        # The expected step comes before the optional heading, the branch after it.
        order = page.evaluate("""() => [...document.querySelectorAll('#actions form.action, #actions h3.also')]
                                       .map(e => e.id || 'also')""")
        assert order.index("action-schedule_meeting") < order.index("also") \
            < order.index("action-form_management_committee")
        branch.get_by_label("未能成立业主大会的原因").fill("多次召集均不足法定人数")
        branch.get_by_label("物业管理委员会组成人员").fill("街道、社区、业主代表")
        asked = []
        page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
        branch.get_by_role("button", name="组建物业管理委员会").click()
        assert asked and "不可撤回" in asked[0]
        page.wait_for_timeout(300)
        expect(page.locator("#case-state")).not_to_have_text("已组建物业管理委员会")
        # The worklist names what the law expects next, the branch only as 也可办理.
        page.goto(f"{live_url}/")
        row = page.locator("#todo tr", has=page.get_by_role("link", name=f"#{case_id}", exact=True))
        expect(row.locator(".expected")).to_contain_text("确定首次业主大会会议时间")
        expect(row.locator(".also")).to_contain_text("组建物业管理委员会")


def _overdue_case_of(session, username: str) -> int:
    from engine.access import Actor, visible_cases
    from engine.models import Case, Deadline, User
    actor = Actor.of(session.scalar(select(User).where(User.username == username)))
    visible = visible_cases(actor).subquery()
    return session.scalar(select(Deadline.case_id).where(
        Deadline.case_id.in_(select(visible.c.id)), Deadline.status == "missed")
        .order_by(Deadline.case_id))


def test_supervisors_find_the_supervision_button_on_an_overdue_case(browser, live_url, arrange):
    case_id = arrange(lambda s: _overdue_case_of(s, "bureau"))
    with signed_in(browser, live_url, "bureau") as page:
        page.goto(f"{live_url}/cases/{case_id}")
        page.locator("#deadlines .deadline.overdue").first.get_by_role("link", name="督办").click()
        expect(page).to_have_url(re.compile(r"/dashboard/supervise/\d+$"))
    with signed_in(browser, live_url, "enterprise") as page:
        cid = arrange(lambda s: _overdue_case_of(s, "enterprise"))
        page.goto(f"{live_url}/cases/{cid}")
        expect(page.locator("#deadlines").get_by_role("link", name="督办")).to_have_count(0)


def test_filters_offer_the_chosen_procedures_states(browser, live_url):
    from workflows import REGISTRY
    with signed_in(browser, live_url, "street") as page:
        page.goto(f"{live_url}/cases")
        state = page.locator("select[name=state]")
        expect(state).to_be_disabled()
        page.locator("select[name=procedure]").select_option("contract_filing")
        page.wait_for_url(re.compile(r"procedure=contract_filing"))
        expect(page.locator("select[name=state]")).to_be_enabled()
        offered = page.locator("select[name=state] option").all_inner_texts()
        assert len(offered) == 1 + len(REGISTRY["contract_filing"].states)


def test_new_case_is_offered_only_to_those_who_may_open_one(browser, live_url):
    # Who may open a case is declared on the procedures' openings; the demo accounts cover
    # both kinds (the administrator opens nothing, a street office opens several procedures).
    from engine import registry
    from web.demo import ACCOUNTS
    openers = {r for p in registry.all_current().values() for r in p.opening.roles}
    roles = {a[0]: a[2] for a in ACCOUNTS}
    cases = [(u, roles[u] in openers) for u in ("community", "bureau", "street", "enterprise", "admin")]
    assert {offered for _u, offered in cases} == {True, False}
    for username, offered in cases:
        with signed_in(browser, live_url, username) as page:
            expect(page.locator("nav.main-nav").get_by_role("link", name="新建案件")) \
                .to_have_count(1 if offered else 0)


def test_assign_an_officer_and_see_hand_off_notices(browser, live_url, arrange):
    case_id = arrange(_assembly_to_schedule)
    with signed_in(browser, live_url, "street2") as page:
        page.goto(f"{live_url}/cases/{case_id}")
        page.locator("#assign-user").select_option(label="赵主任")
        page.locator("#assign").get_by_role("button", name="指派").click()
        expect(page.locator(".flash.ok")).to_have_text("已指派承办人")
        expect(page.locator("#handler")).to_have_text("赵主任")
        expect(page.locator("#timeline")).to_contain_text("指派承办人")
        page.goto(f"{live_url}/?mine=1")
        expect(page.locator("#todo")).to_contain_text(f"#{case_id}")
        # The inbox lists hand-off notices with this user's read state.
        page.goto(f"{live_url}/inbox/")
        expect(page.locator("#notices h2")).to_contain_text("办理通知")
    with signed_in(browser, live_url, "developer") as page:
        page.goto(f"{live_url}/inbox/")
        # The demo's steps handed cases to the developer (its tenders, its inspections).
        unread = page.locator("#notices li.notice.unread")
        before = unread.count()
        assert before > 0
        unread.first.get_by_role("button", name="标为已读").click()
        expect(page.locator("#notices li.notice.unread")).to_have_count(before - 1)

"""Signing a demo user in once per browser context, for sweeps over many pages."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import expect

PASSWORD = "demo12345"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "layout"


@contextmanager
def signed_in(browser, url: str, username: str, **context_args):
    """A page signed in as `username`. The context bypasses the Content Security Policy
    only so that tests may inject axe-core; the app's own pages never need it."""
    ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True,
                              **context_args)
    page = ctx.new_page()
    try:
        page.goto(f"{url}/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="工作台")).to_be_visible()
        yield page
    finally:
        ctx.close()


@contextmanager
def voter_page(browser, url: str, code: str | None = None, id_tail: str | None = None,
               **context_args):
    """An owner's phone page: signed out, or signed in with a voting code (vote/signin)."""
    ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True,
                              **context_args)
    page = ctx.new_page()
    try:
        if code:
            page.goto(f"{url}/vote/")
            page.get_by_label("投票码").fill(code)
            page.get_by_label("证件号码后四位").fill(id_tail)
            page.get_by_role("button", name="进入投票").click()
            page.wait_for_url("**/vote/ballot")
        yield page
    finally:
        ctx.close()

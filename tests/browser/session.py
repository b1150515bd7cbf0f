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

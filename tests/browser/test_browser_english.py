"""English mode in a real browser: every demo account visits every kind of page it can
reach, and no page shows Chinese outside the values marked as data.

Data values — names of estates, organisations and people, addresses, what users typed,
serial numbers, and quotations of Chinese law — are marked `translate="no"` in the
templates (docs/translations.md); everything else on a page is the interface and must be
English. Chinese punctuation counts as Chinese. Closed <details> are opened first, and
attributes people read (placeholders, tooltips, accessible names, the labels of responsive
table cells, optgroups) count as text.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from web.demo import ACCOUNTS

PASSWORD = "demo12345"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
SUPERVISORS = {"bureau", "street", "street2", "community", "community2", "admin"}

# The page's interface text (not data) that contains Chinese, as the reader sees it.
CHINESE_OUTSIDE_DATA = """() => {
  const CJK = /[\\u3000-\\u303f\\u3400-\\u4dbf\\u4e00-\\u9fff\\uff00-\\uffef]/;
  const data = el => el.closest('[translate="no"], script, style, noscript');
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement && !data(node.parentElement) && CJK.test(node.nodeValue))
      found.push(node.nodeValue.trim().slice(0, 120));
  }
  const attrs = ['placeholder', 'title', 'aria-label', 'alt', 'label', 'data-label'];
  for (const el of document.querySelectorAll('*')) {
    if (data(el)) continue;
    for (const a of attrs) {
      const v = el.getAttribute(a);
      if (v && CJK.test(v)) found.push(`[${a}] ${v.slice(0, 120)}`);
    }
    if (el.matches('input[type=submit], input[type=button]') && CJK.test(el.value))
      found.push(`[value] ${el.value}`);
  }
  if (CJK.test(document.title)) found.push(`[title] ${document.title}`);
  return found;
}"""


def chinese_on(page: Page) -> list[str]:
    return page.evaluate(CHINESE_OUTSIDE_DATA)


def links(page: Page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")


class Visits:
    """Pages visited in English and the Chinese found on each."""

    def __init__(self, page: Page, base: str):
        self.page, self.base, self.problems, self.seen = page, base, {}, []

    def go(self, path: str, *, status: int = 200, ready: str | None = None) -> None:
        resp = self.page.goto(self.base + path)
        assert resp is not None and resp.status == status, (path, resp and resp.status)
        if ready:
            self.page.wait_for_selector(ready)
        self.check(path)

    def check(self, where: str) -> None:
        self.seen.append(where)
        found = chinese_on(self.page)
        if found:
            self.problems[where] = sorted(set(found))


def sign_in_in_english(page: Page, base: str, username: str, visits: Visits) -> None:
    page.goto(f"{base}/lang/en?next=/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    visits.check("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Workbench")).to_be_visible()
    visits.check("/ (after signing in)")


def case_ids(visits: Visits) -> list[int]:
    ids, path = [], "/cases"
    while path:
        visits.go(path)
        ids += [int(h.rsplit("/", 1)[1]) for h in links(visits.page, "table.list td a[href^='/cases/']")]
        nxt = links(visits.page, "a[rel=next]")
        path = nxt[0] if nxt else None
    return sorted(set(ids))


@pytest.mark.parametrize("username", [a[0] for a in ACCOUNTS])
def test_every_page_an_account_reaches_is_english(page: Page, live_url, username, shot):
    v = Visits(page, live_url)
    sign_in_in_english(page, live_url, username, v)
    shot(page, f"english-{username}-home")

    # Cases: the list (every page of it), each case, its materials, the new-case forms.
    verify_codes = []
    for cid in case_ids(v):
        v.go(f"/cases/{cid}")
        verify_codes += links(page, "#documents a[href^='/verify/']")
        if links(page, f"a[href='/cases/{cid}/materials']"):
            v.go(f"/cases/{cid}/materials")
    v.go("/cases?overdue=1")
    v.go("/cases/new")
    for procedure in page.eval_on_selector_all("select[name=procedure] option",
                                               "els => els.map(e => e.value)"):
        v.go(f"/cases/new?procedure={procedure}")

    v.go("/inbox/?show=all")
    v.go("/inbox/?show=unread")

    if username in SUPERVISORS:
        v.go("/dashboard/")
        drill = links(page, "td a[title]")
        v.go("/dashboard/cases?which=overdue")
        supervise = links(page, "a[href^='/dashboard/supervise/']")
        v.go("/dashboard/cases?which=due_soon")
        v.go("/dashboard/cases?which=late")
        if drill:
            v.go(drill[0])
        if supervise:
            v.go(supervise[0])
        v.go("/dashboard/progress")

    else:
        v.go("/dashboard/", status=403)
    if username != "admin":
        v.go("/admin/", status=403)

    if username == "admin":
        for path in ("/admin/", "/admin/users/new", "/admin/orgs/new", "/admin/estates",
                     "/admin/calendar", "/admin/users"):
            v.go(path)
        v.go(links(page, "td a[href^='/admin/users/']")[-1])
        v.go("/admin/orgs")
        org_pages, forms_pages = links(page, "td a[href^='/admin/orgs/']"), links(page, "a[href$='/forms']")
        v.go(org_pages[-1])
        v.go(forms_pages[0])

    # The public pages: document verification (found, and not found) and the API docs.
    v.go("/verify")
    if verify_codes:
        v.go(verify_codes[0])
    v.go("/verify/ZZZZZZZZZZ", status=404)
    v.go("/api/v1/docs", ready=".opblock-summary")
    v.go("/cases/999999", status=404)

    page.goto(f"{live_url}/")
    # Wait for the sign-out's own page: on a loaded machine the POST and its redirect can
    # take longer than an assertion's default wait.
    with page.expect_navigation(url=re.compile(r"/login"), timeout=30_000):
        page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".flash.ok")).to_have_text("You have signed out", timeout=15_000)
    v.check("/login (signed out)")
    assert len(v.seen) > 10
    assert not v.problems, v.problems


def test_refusals_and_confirmations_are_english(page: Page, live_url):
    """What a user sees after acting: field errors of a refused form, the confirmation of
    a new case and of a step, a refusal on the case page."""
    v = Visits(page, live_url)
    sign_in_in_english(page, live_url, "enterprise", v)
    page.goto(f"{live_url}/cases/new?procedure=contract_filing")
    form = page.locator("form[method=post]").filter(has=page.locator("input[name=contract_no]"))
    form.get_by_role("button", name="Open case").click()
    expect(page.locator(".flash.error")).to_have_text(
        "Some entries are wrong; please correct them as indicated")
    expect(form.locator(".field .error").first).to_have_text("Choose an estate you may act for")
    v.check("/cases/new (refused)")
    form.locator("select[name=estate_id]").select_option(index=1)
    form.get_by_label("Contract kind").select_option("assembly")
    form.get_by_label("Contract number").fill("EN-001")
    form.get_by_label("Client (the developer or the owners' committee)").fill("锦绣花园业主委员会")
    for label in ("Signed on", "Service term from"):
        form.get_by_label(label).fill("2026-01-10")
    form.get_by_label("Service term to").fill("2026-01-01")          # ends before it starts
    form.get_by_label("Service fee (yuan per m² per month)").fill("1.5")
    form.get_by_label("Service area (m²)").fill("1000")
    form.get_by_role("button", name="Open case").click()
    expect(form.locator(".error", has_text="The term must end after it starts")).to_be_visible()
    v.check("/cases/new (term refused)")
    form.get_by_label("Service term to").fill("2029-01-01")
    form.get_by_role("button", name="Open case").click()
    # Signed long ago: the filing deadline is past, and the page asks before opening.
    expect(form.locator("#born-late")).to_contain_text("this case is overdue from the start")
    v.check("/cases/new (born overdue)")
    form.get_by_role("button", name="Open the case (already overdue)").click()
    expect(page.locator(".flash.ok")).to_contain_text("Case opened: Property-service contract filing")
    expect(page.locator("#case-state")).to_have_text("registered")
    v.check("/cases/<new>")
    page.locator("#action-submit").get_by_role("button", name="submit for filing").click()
    expect(page.locator(".flash.ok")).to_have_text("Done: submit for filing")
    v.check("/cases/<new> (submitted)")
    assert not v.problems, v.problems

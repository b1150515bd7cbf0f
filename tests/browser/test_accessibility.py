"""WCAG 2.1 AA (the basis of GB/T 37668-2019) on every page type (tests/browser/pages.py)
for every demo role: axe-core finds no serious or critical violation, at a desktop's and
at a phone's size; and the keyboard focus is visible wherever it lands."""
from __future__ import annotations

from pathlib import Path

import axe_playwright_python
import pytest

from tests.browser.pages import (ROLES, SIZES, VOTE_PAGES_SIGNED_IN, VOTE_PAGES_SIGNED_OUT, VOTER,
                                 facts_for, urls_for)
from tests.browser.session import signed_in, voter_page

AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_problems(page) -> list[str]:
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                 resultTypes: ['violations']})""", TAGS)
    out = []
    for v in result["violations"]:
        if v["impact"] not in ("serious", "critical"):
            continue
        targets = "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
        out.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}×): {v['help']} — {targets}")
    return out


@pytest.mark.parametrize("username", list(ROLES))
def test_no_serious_accessibility_violation_on_any_page(username, browser, live_url, arrange):
    facts = arrange(lambda s: facts_for(s, username))
    problems = []
    with signed_in(browser, live_url, username) as page:
        for size in ("desktop", "phone"):
            w, h = SIZES[size]
            page.set_viewport_size({"width": w, "height": h})
            for name, path in urls_for(username, facts):
                page.goto(live_url + path)
                problems += [f"{name} {path} at {size}: {p}" for p in axe_problems(page)]
    assert not problems, "\n".join(problems)


def test_pages_before_signing_in_are_accessible(browser, live_url):
    page = browser.new_context(locale="zh-CN", bypass_csp=True).new_page()
    problems = []
    for path in ("/login", "/verify"):
        page.goto(live_url + path)
        problems += [f"{path}: {p}" for p in axe_problems(page)]
    page.context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("signed", ["signed-out", "voter"])
def test_owners_vote_pages_are_accessible(signed, browser, live_url):
    creds = VOTER if signed == "voter" else (None, None)
    paths = VOTE_PAGES_SIGNED_OUT + (VOTE_PAGES_SIGNED_IN if signed == "voter" else ())
    problems = []
    with voter_page(browser, live_url, *creds) as page:
        for size in ("desktop", "phone"):
            w, h = SIZES[size]
            page.set_viewport_size({"width": w, "height": h})
            for path in paths:
                page.goto(live_url + path)
                problems += [f"{path} at {size}: {p}" for p in axe_problems(page)]
    assert not problems, "\n".join(problems)


FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const st = getComputedStyle(el);
  const outline = st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2;
  const ring = st.boxShadow && st.boxShadow !== 'none';
  return {tag: el.tagName, text: (el.innerText || el.value || '').slice(0, 20),
          visible: outline || ring};
}"""


@pytest.mark.parametrize("username", ["street", "enterprise"])
def test_keyboard_focus_is_always_visible(username, browser, live_url, arrange):
    facts = arrange(lambda s: facts_for(s, username))
    unseen = []
    with signed_in(browser, live_url, username) as page:
        for path in ("/", "/cases", f"/cases/{facts['case_id']}"):
            page.goto(live_url + path)
            for _ in range(25):
                page.keyboard.press("Tab")
                f = page.evaluate(FOCUS_JS)
                if f and not f["visible"]:
                    unseen.append(f"{path}: {f['tag']} «{f['text']}»")
    assert not unseen, "focus not visible on:\n" + "\n".join(unseen[:20])

"""Every page type (tests/browser/pages.py) for every demo role at a phone's, a
tablet's and a desktop's size: no page scrolls sideways, no column squeezes its text to
a character or two a line, nothing spills out of its card (tests/browser/layout.js
measures it in the page). The case page is saved as a screenshot at each size under
test-artifacts/layout/ (git-ignored)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.pages import ROLES, SIZES, facts_for, urls_for
from tests.browser.session import ARTIFACTS, signed_in

LAYOUT_JS = (Path(__file__).parent / "layout.js").read_text()


@pytest.mark.parametrize("username", list(ROLES))
def test_every_page_reads_well_at_three_sizes(username, browser, live_url, arrange):
    facts = arrange(lambda s: facts_for(s, username))
    pages = urls_for(username, facts)
    problems = []
    with signed_in(browser, live_url, username) as page:
        for size, (w, h) in SIZES.items():
            page.set_viewport_size({"width": w, "height": h})
            for name, path in pages:
                resp = page.goto(live_url + path)
                assert resp.status == 200, f"{username} {path}: {resp.status}"
                for p in page.evaluate(LAYOUT_JS):
                    problems.append(f"{name} {path} at {size} {w}×{h}: {p}")
                if name == "case":
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(ARTIFACTS / f"case-{username}-{size}.png"),
                                    full_page=True)
    assert not problems, "\n".join(problems)

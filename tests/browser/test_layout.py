"""Every page type (tests/browser/pages.py) for every demo role at a phone's, a
tablet's and a desktop's size: no page scrolls sideways, no column squeezes its text to
a character or two a line, nothing spills out of its card (tests/browser/layout.js
measures it in the page). The case page is saved as a screenshot at each size under
test-artifacts/layout/ (git-ignored)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.pages import (ROLES, SIZES, VOTE_PAGES_SIGNED_IN, VOTE_PAGES_SIGNED_OUT, VOTER,
                                 facts_for, urls_for)
from tests.browser.session import ARTIFACTS, signed_in, voter_page

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


@pytest.mark.parametrize("signed", ["signed-out", "voter"])
def test_owners_vote_pages_read_well_at_three_sizes(signed, browser, live_url):
    """The owners' phone pages (/vote/), before and after signing in with a voting code."""
    creds = VOTER if signed == "voter" else (None, None)
    paths = VOTE_PAGES_SIGNED_OUT + (VOTE_PAGES_SIGNED_IN if signed == "voter" else ())
    problems = []
    with voter_page(browser, live_url, *creds) as page:
        for size, (w, h) in SIZES.items():
            page.set_viewport_size({"width": w, "height": h})
            for path in paths:
                resp = page.goto(live_url + path)
                assert resp.status == 200, f"{signed} {path}: {resp.status}"
                problems += [f"{path} at {size} {w}×{h}: {p}" for p in page.evaluate(LAYOUT_JS)]
    assert not problems, "\n".join(problems)

"""Where each kind of knowledge lives, checked.

- The law is data: no procedure's name and no state of one appears as a string outside
  `workflows/` (the engine's own vocabularies excepted: checklist item statuses,
  deadline statuses, alert kinds). The demo district, like the tests, is seed data
  entered through the engine as a user would, so it may name what it opens.
- One read side: 工作台, 督办看板, the API's worklist and the inbox show the same counts of
  overdue and due-soon deadlines, and the same to-do list, for every demo user.
"""
from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Seed data written as a user would enter it (see the module docstring).
SEED = {ROOT / "web" / "demo.py", *(ROOT / "web").glob("demo_*.py")}


def _names():
    from engine import alerts, deadlines, materials, registry
    import workflows  # noqa: F401
    procs, states = set(), set()
    for defn in registry.all_versions():
        procs.add(defn.name)
        states |= {s.name for s in defn.states}
    engine_words = set(materials.STATUS_LABELS) | set(deadlines.STATUS_LABELS) | set(alerts.KIND_LABELS)
    return procs, states - engine_words


def _python_strings(path: Path):
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if tok.type == tokenize.STRING:
            body = re.sub(r"^[rRbBuUfF]*", "", tok.string).strip("'\"")
            yield tok.start[0], body


def _template_strings(path: Path):
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for m in re.findall(r"""['"]([a-z_]+)['"]""", line):
            yield n, m


def test_no_procedure_or_state_is_named_outside_workflows():
    procs, states = _names()
    found = []
    for layer in ("engine", "forms", "web"):
        for path in sorted((ROOT / layer).rglob("*")):
            if path in SEED or "migrations" in path.parts:
                continue
            if path.suffix == ".py":
                strings = _python_strings(path)
            elif path.suffix == ".html":
                strings = _template_strings(path)
            else:
                continue
            for line, s in strings:
                if s in procs or s in states:
                    kind = "procedure" if s in procs else "state"
                    found.append(f"{path.relative_to(ROOT)}:{line}: {kind} {s!r}")
    assert not found, "declare it on the procedure in workflows/ instead:\n" + "\n".join(found)


def test_the_check_above_can_fail(tmp_path):
    """The scanner sees a name in code and in a template."""
    procs, states = _names()
    py = tmp_path / "x.py"
    py.write_text('if case.procedure == "owners_assembly" and case.state == "filed":\n    pass\n')
    html = tmp_path / "x.html"
    html.write_text("{% if c.state == 'committee_elected' %}x{% endif %}\n")
    assert {s for _, s in _python_strings(py)} & procs == {"owners_assembly"}
    assert {s for _, s in _python_strings(py)} & states == {"filed"}
    assert {s for _, s in _template_strings(html)} & states == {"committee_elected"}


# -- one read side ----------------------------------------------------------------------------

def _number(html: str, element_id: str) -> int:
    m = re.search(rf'id="{element_id}">(\d+)<', html)
    assert m, f"no #{element_id} on the page"
    return int(m.group(1))


@pytest.fixture
def demo_app(app):
    from web.db import get_session
    from web.demo import load_demo
    # Rendering PDFs is tested elsewhere; the counts do not depend on them.
    app.extensions["session_info"]["issuers"][:] = []
    with app.app_context():
        load_demo(get_session())
    return app


def test_every_page_and_the_api_count_the_same_deadlines_for_every_demo_user(demo_app):
    from web.demo import ACCOUNTS, DEMO_PASSWORD
    from web.dashboard import SUPERVISORS
    seen = {}
    for username, _name, role, _org in ACCOUNTS:
        client = demo_app.test_client()
        r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert r.status_code == 302, username
        home = client.get("/").get_data(as_text=True)
        inbox = client.get("/inbox/").get_data(as_text=True)
        token = client.post("/api/v1/tokens", json={"username": username,
                                                    "password": DEMO_PASSWORD}).get_json()["token"]
        api = client.get("/api/v1/worklist?per_page=100",
                         headers={"Authorization": f"Bearer {token}"}).get_json()
        overdue, due_soon = _number(home, "home-overdue"), _number(home, "home-due-soon")
        seen[username] = (overdue, due_soon)
        assert (_number(inbox, "inbox-overdue"), _number(inbox, "inbox-due-soon")) == \
            (overdue, due_soon), username
        assert (api["counts"]["overdue"], api["counts"]["due_soon"]) == (overdue, due_soon), username
        assert api["total"] == _number(home, "home-todo"), username
        home_cases = set(re.findall(r'<a href="/cases/(\d+)">#\d+</a>', home.split('id="overdue"')[0]))
        assert {str(i["id"]) for i in api["items"]} == home_cases, username
        if role in SUPERVISORS:
            board = client.get("/dashboard/").get_data(as_text=True)
            assert (_number(board, "total-overdue"), _number(board, "total-due-soon")) == \
                (overdue, due_soon), username
    # The comparison is not vacuous: the demo district owes overdue and due-soon work.
    assert seen["bureau"][0] > 0 and seen["admin"][1] > 0
    assert seen["street"] != seen["street2"]

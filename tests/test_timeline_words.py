"""The 办理记录 speaks Chinese: every event of every demo case (steps, missed deadlines,
recomputed deadlines, 督办 notices, uploads) shows labels and values a clerk reads, never
a payload key, a role code or a Python repr."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

import web.demo as demo
from engine.models import Case, Event
from engine.roles import ROLES
from tests.helpers import login

REPR = re.compile(r"\{'|\[\{|'\}|\w+=\w+|None\b|True\b|False\b")


@pytest.fixture
def demo_app(app, session, monkeypatch):
    monkeypatch.setattr(demo, "_certificates", lambda session, district: None)
    with app.app_context():
        from web.db import get_session
        demo.load_demo(get_session())
    return app


def timeline_text(html: str) -> str:
    part = html.split('id="timeline"', 1)[1].split("</section>", 1)[0]
    return re.sub(r"<[^>]+>", " ", part)


def test_no_key_role_code_or_repr_in_any_timeline(demo_app, client, session):
    assert login(client, "admin").status_code == 302
    session.expire_all()
    keys = set()
    for ev in session.scalars(select(Event)).all():
        for k, v in (ev.payload or {}).items():
            keys.add(k)
            if isinstance(v, list):
                for d in v:
                    if isinstance(d, dict):
                        keys.update(d)
    codes = {k for k in keys if "_" in k} | {r for r in ROLES if "_" in r}
    assert "deadline_id" in codes and "street_office" in codes
    notes = 0
    for case in session.scalars(select(Case).order_by(Case.id)).all():
        resp = client.get(f"/cases/{case.id}")
        assert resp.status_code == 200
        text = timeline_text(resp.get_data(as_text=True))
        notes += text.count("期限届满未履行") + text.count("下发逾期督办通知书")
        leaked = sorted(c for c in codes if re.search(rf"(?<![\w/.-]){re.escape(c)}(?![\w/.-])", text))
        assert not leaked, f"case {case.id} shows {leaked}"
        assert not REPR.search(text), f"case {case.id}: {REPR.search(text).group(0)!r}"
    assert notes, "the demo's timelines carry missed deadlines and 督办 notices"

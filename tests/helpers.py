"""What the tests share, written once: moments in Beijing time, signing in and reading a
page, "a refusal leaves nothing written", PDF text, and the cases many tests start from
(built through the engine, as the officers would). Fixtures live in conftest.py.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from engine import clock
from engine.errors import GuardRefused, InvalidTransition, NotPermitted, PayloadInvalid
from engine.legaltime import TZ
from engine.models import Attachment, Case, Deadline, Event

D = date
PASSWORD = "demo12345"
TODAY = clock.today()
# What a step refused by the engine raises (403, 400, 409, 422).
REFUSALS = (GuardRefused, NotPermitted, InvalidTransition, PayloadInvalid)


def at(d: date, hour: int = 10) -> datetime:
    """A moment on day `d`, Beijing time, as an aware UTC datetime."""
    return datetime.combine(d, time(hour), TZ).astimezone(timezone.utc)


# -- pages -----------------------------------------------------------------------------------

def login(client, username: str, password: str = PASSWORD):
    """Sign in through the login form; returns the response (302 when it worked)."""
    return client.post("/login", data={"username": username, "password": password})


def signed_in(client, username: str):
    r = login(client, username)
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return client


def text(resp) -> str:
    """A page's visible text, whitespace collapsed (scripts, styles and charts left out)."""
    html = resp.get_data(as_text=True)
    html = re.sub(r"<(script|style|svg)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?span[^>]*>", "", html)        # inline: no break in the text
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def fresh(session) -> None:
    """Forget what this session read: the next read sees what the app committed."""
    session.rollback()
    session.expire_all()


def lock(session, case_id: int) -> int:
    fresh(session)
    return session.get(Case, case_id).lock_version


def pdf_text(data: bytes) -> str:
    """A PDF's text without whitespace (CJK text wraps anywhere)."""
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data,
                             capture_output=True, check=True).stdout.decode("utf-8")
    else:       # pragma: no cover
        import io

        from pypdf import PdfReader
        out = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return "".join(out.split())


# -- nothing written ---------------------------------------------------------------------------

def snapshot(session):
    """Everything a refused step must leave as it was."""
    session.expire_all()
    cases = [(c.id, c.state, c.lock_version, dict(c.data))
             for c in session.scalars(select(Case).order_by(Case.id))]
    return (cases, session.scalar(select(func.count(Event.id))),
            session.scalar(select(func.count(Attachment.id))),
            [(d.id, d.status) for d in session.scalars(select(Deadline).order_by(Deadline.id))])


def refused(session, exc_type, fn, *args, **kw):
    """Run a step that must be refused with `exc_type`; nothing may be written. Returns
    the error."""
    before = snapshot(session)
    with pytest.raises(exc_type) as info:
        fn(session, *args, **kw)
    assert snapshot(session) == before, "a refused step must leave nothing written"
    return info.value


def deadlines(session, case_id: int) -> dict[str, Deadline]:
    """The case's periods by key (the latest row of each)."""
    session.expire_all()
    rows = session.scalars(select(Deadline).where(Deadline.case_id == case_id)
                           .order_by(Deadline.id)).all()
    return {d.key: d for d in rows}


def runs_out(session, case_id: int, key: str) -> date:
    """The period is open until 24:00 of its last day and missed from then on (the scan).
    Returns its last day."""
    from engine.scan import scan
    due = deadlines(session, case_id)[key].due_date
    scan(session, at(due, 23))
    assert deadlines(session, case_id)[key].status == "open", key
    scan(session, at(due + timedelta(days=1), 0))
    assert deadlines(session, case_id)[key].status == "missed", key
    return due


# -- cases many tests start from ---------------------------------------------------------------

def filing_data(kind: str = "assembly", signed: date = D(2026, 9, 16), **over) -> dict:
    """The opening payload of a contract filing."""
    data = {"contract_kind": kind, "contract_no": "HT-2026-001", "client": "锦绣花园业主委员会",
            "signed_on": signed.isoformat(), "term_start": signed.isoformat(),
            "term_end": (signed + timedelta(days=365)).isoformat(), "fee": "1.50",
            "area": "1000.00"}
    data.update(over)
    return data


def contract(session, d, *, kind="assembly", estate="jinxiu", user="enterprise",
             signed_days_ago=3, no="HT-2026-001", today: date | None = None):
    """A contract filing registered by the enterprise, signed some days before today."""
    from engine.runtime import open_case
    signed = (today or TODAY) - timedelta(days=signed_days_ago)
    return open_case(session, "contract_filing", d.estates[estate].id, d.actor(user),
                     filing_data(kind, signed, contract_no=no), now=at(signed))


def build_cases(session, district, today: date) -> None:
    """Five contract filings, as the officers would have taken their steps (dated in the
    past): filed; submitted; registered long ago and overdue; correction requested;
    freshly registered."""
    from engine.runtime import advance

    ent, ent2 = district.actor("enterprise"), district.actor("enterprise2")
    bureau = district.actor("bureau")

    def opened(no, kind, days_ago, estate, user):
        return contract(session, district, kind=kind, estate=estate, user=user,
                        signed_days_ago=days_ago, no=no, today=today)

    c = opened("XY-QQ-2026-001", "pre_phase", 40, "jinxiu", "enterprise")
    advance(session, c.id, "submit", ent, {"note": "合同正本及附件"}, now=at(today - timedelta(days=35)))
    advance(session, c.id, "accept", bureau, {"remark": "材料齐全"}, now=at(today - timedelta(days=30)))
    c = opened("XY-YZ-2026-014", "assembly", 6, "jinxiu", "enterprise")
    advance(session, c.id, "submit", ent, {}, now=at(today - timedelta(days=2)))
    opened("XY-QQ-2026-009", "pre_phase", 45, "hudong", "enterprise")
    c = opened("YJ-QQ-2026-003", "pre_phase", 12, "binhe", "enterprise2")
    advance(session, c.id, "submit", ent2, {}, now=at(today - timedelta(days=10)))
    advance(session, c.id, "request_correction", bureau, {"reasons": "缺少收费标准附件"},
            now=at(today - timedelta(days=8)))
    opened("YJ-YZ-2026-021", "assembly", 7, "taishan", "enterprise2")


def figures(prefix, voted_area, voted_owners, yes_area, yes_owners) -> dict:
    """The four figures of one matter of a vote, as a step's payload names them."""
    return {f"{prefix}_voted_area": voted_area, f"{prefix}_voted_owners": voted_owners,
            f"{prefix}_yes_area": yes_area, f"{prefix}_yes_owners": yes_owners}


def register_tender(session, district, *, planned=D(2026, 8, 24), on=D(2026, 8, 3),
                    estate="binhe", method="public"):
    """A pre-phase tender registered by the developer."""
    from engine.runtime import open_case
    return open_case(session, "pre_phase_tender", district.estates[estate].id,
                     district.actor("developer"),
                     {"project_name": "滨河湾小区前期物业服务", "method": method,
                      "planned_announcement_on": planned.isoformat()}, now=at(on))


def tender_contract(signed=D(2026, 9, 29)) -> dict:
    """The payload of signing the pre-phase contract."""
    return {"contract_no": "BHW-QQ-2026-001", "signed_on": signed.isoformat(),
            "term_start": "2026-10-01", "term_end": "2028-09-30", "fee": "1.60",
            "area": "54210.00"}

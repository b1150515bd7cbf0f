"""Opening and advancing cases through the pages: a case whose deadline is already past
is opened only after the officer confirms, told which deadline and how late; a refusal
by a rule (422) re-renders the form with what was typed and the reason beside it."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from engine.models import Case
from tests.helpers import TODAY, filing_data, login


def _open(client, district, signed, **extra):
    data = filing_data("assembly", signed, contract_no="LATE-001")
    return client.post("/cases/new", data={"procedure": "contract_filing",
                                           "estate_id": district.estates["jinxiu"].id,
                                           **data, **extra})


def test_a_case_born_overdue_is_opened_only_after_confirmation(app, client, session, district):
    login(client, "enterprise")
    signed = TODAY - timedelta(days=40)
    resp = _open(client, district, signed)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert session.scalar(select(func.count(Case.id))) == 0
    assert "本案件立案时即已逾期" in page
    assert "已逾期" in page and "天" in page
    assert "《河南省物业管理条例》第四十九条" in page       # the estate's own pack
    assert 'name="confirm_late" value="1"' in page
    assert 'value="LATE-001"' in page                       # nothing typed is lost
    resp = _open(client, district, signed, confirm_late="1")
    assert resp.status_code == 302
    session.rollback()          # a fresh snapshot: the page committed the case
    assert session.scalar(select(func.count(Case.id))) == 1
    shown = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "立案时已逾期" in shown


def test_a_case_on_time_opens_at_once(app, client, session, district):
    login(client, "enterprise")
    resp = _open(client, district, TODAY - timedelta(days=2))
    assert resp.status_code == 302
    session.rollback()
    assert session.scalar(select(func.count(Case.id))) == 1


def test_favicon_and_the_calendar_files_explained(app, client, district):
    assert client.get("/favicon.ico").status_code == 301
    assert client.get("/static/favicon.svg").status_code == 200
    login(client, "admin")
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert "TOML" in page and "rest_from" in page and "/admin/calendar/example.toml" in page
    example = client.get("/admin/calendar/example.toml")
    assert example.status_code == 200
    assert "attachment" in example.headers["Content-Disposition"]
    from engine.calendar_store import parse_arrangement
    arr, _no = parse_arrangement(example.get_data(as_text=True), source="example")
    assert arr.year == 2026


def test_pdf_and_image_attachments_preview_inline(app, client, session, district):
    from engine.files import FileIn
    from engine.uploads import attach
    from tests.helpers import contract
    case = contract(session, district)
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
           b"\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
           b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
    ent = district.actor("enterprise")
    attach(session, case.id, ent, FileIn("合同扫描件.pdf", "application/pdf", b"%PDF-1.4 scan"))
    attach(session, case.id, ent, FileIn("现场照片.png", "image/png", png))
    login(client, "enterprise")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert page.count('<details class="preview">') == 2
    assert '<iframe src="/cases/' in page and '<img src="/cases/' in page
    att = page.split('<iframe src="')[1].split('"')[0].replace("&amp;", "&")
    resp = client.get(att)
    assert resp.headers["Content-Disposition"].startswith("inline;")
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in resp.headers["Content-Security-Policy"]
    plain = client.get(att.split("?")[0])
    assert plain.headers["Content-Disposition"].startswith("attachment;")
    assert plain.headers["X-Frame-Options"] == "DENY"


def test_selected_cases_print_their_documents_and_export(app, client, session, district):
    from io import BytesIO
    from openpyxl import load_workbook
    from pypdf import PdfReader
    from engine.runtime import advance
    from tests.helpers import contract
    filed = contract(session, district, no="SEL-001")
    other = contract(session, district, no="SEL-002")
    ent, street = district.actor("enterprise"), district.actor("street")
    advance(session, filed.id, "submit", ent, {})
    advance(session, filed.id, "accept", street, {"remark": "材料齐全"})
    login(client, "street")
    page = client.get("/cases").get_data(as_text=True)
    assert 'form="selected"' in page and "打印所选案件的有效文书" in page
    pdf = client.get(f"/cases/selected/documents.pdf?case={filed.id}&case={other.id}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert len(PdfReader(BytesIO(pdf.data)).pages) >= 1
    assert client.get(f"/cases/selected/documents.pdf?case={other.id}").status_code == 404
    assert client.get("/cases/selected/documents.pdf").status_code == 400
    xlsx = client.get(f"/cases/selected.xlsx?case={filed.id}&case={other.id}")
    assert xlsx.status_code == 200
    rows = list(load_workbook(BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "程序", "物业管理区域", "状态")
    assert {r[0] for r in rows[1:]} == {filed.id, other.id}
    login(client, "street2")
    assert client.get(f"/cases/selected.xlsx?case={filed.id}").status_code == 404
    assert client.get(f"/cases/selected/documents.pdf?case={filed.id}").status_code == 404

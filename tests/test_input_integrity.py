"""What is printed is what is stored, and edges end in a clear answer, never a 500:
hidden and direction-changing characters, implausible dates and excess decimals are
refused by the payload schemas on every path (engine, API, pages); file names are
cleaned and capped on every path; concurrent reissues and uploads; `next` targets."""
from __future__ import annotations

import io
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.documents import Document
from engine.errors import PayloadInvalid
from engine.models import Attachment, Case
from engine.runtime import advance, open_case
from tests.helpers import (PASSWORD, PDF, TODAY, api_filing as contract, assert_error, at,
                           contract as registered, signed_in, upload)

PASSWORD = "demo12345"


# -- hidden characters -------------------------------------------------------------------

@pytest.mark.parametrize("ch", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200b", "\u200f",
                                "\ufeff", "\u2060", "\u00ad", "\x07", "\u2028"])
def test_hidden_characters_are_refused_in_every_text_field(session, district, ch):
    ent = district.actor("enterprise")
    with pytest.raises(PayloadInvalid) as info:
        open_case(session, "contract_filing", district.estates["jinxiu"].id, ent,
                  contract(contract_no=f"XY-{ch}4102-YZ"), now=at(TODAY))
    (why,) = info.value.errors["contract_no"]
    assert "看不见的控制字符" in why and f"U+{ord(ch):04X}" in why
    assert session.scalar(select(func.count(Case.id))) == 0


def test_line_breaks_and_tabs_are_text(session, district):
    ent = district.actor("enterprise")
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id, ent,
                     contract(), now=at(TODAY))
    case = advance(session, case.id, "submit", ent, {"note": "第一行\n第二行\t附件"}, now=at(TODAY))
    assert case.state == "submitted"


def test_the_api_and_the_pages_refuse_them_with_the_field_named(api, app, district):
    r = api.post("/cases", {"procedure": "contract_filing", "estate_id": district.estates["jinxiu"].id,
                            "data": contract(contract_no="XY-\u202e4102-YZ")}, user="enterprise")
    body = assert_error(r, 400)
    assert "看不见的控制字符" in body["errors"]["data"]["contract_no"][0]
    case = api.open_contract()
    r = api.post(f"/cases/{case['id']}/actions/submit",
                 {"lock_version": case["lock_version"], "note": "正本\u200b"}, user="enterprise")
    assert "U+200B" in assert_error(r, 400)["errors"]["note"][0]
    client = signed_in(app.test_client(), "enterprise")
    r = client.post(f"/cases/{case['id']}/actions/submit",
                    data={"lock_version": case["lock_version"], "note": "正本\u202e"})
    assert r.status_code == 400 and "看不见的控制字符" in r.get_data(as_text=True)


def test_uploads_refuse_them_in_the_note(api):
    case = api.open_contract()
    r = upload(api, case["id"], note="说明\u202e")
    assert "看不见的控制字符" in assert_error(r, 400)["errors"]["note"][0]


# -- dates and numbers ---------------------------------------------------------------------

@pytest.mark.parametrize("signed", ["0001-01-01", "1989-12-31"])
def test_implausible_dates_are_refused(session, district, signed):
    ent = district.actor("enterprise")
    with pytest.raises(PayloadInvalid) as info:
        open_case(session, "contract_filing", district.estates["jinxiu"].id, ent,
                  {**contract(), "signed_on": signed}, now=at(TODAY))
    assert "日期不合理：应在1990年1月1日至" in info.value.errors["signed_on"][0]


def test_dates_are_judged_against_the_day_of_the_step(session, district):
    ent = district.actor("enterprise")
    day = date(2026, 9, 21)
    far = date(2046, 9, 22)               # more than twenty years after the step
    with pytest.raises(PayloadInvalid) as info:
        open_case(session, "contract_filing", district.estates["jinxiu"].id, ent,
                  {**contract(signed=date(2026, 9, 20)), "term_end": far.isoformat()}, now=at(day))
    assert "2046年9月21日" in info.value.errors["term_end"][0]
    ok = open_case(session, "contract_filing", district.estates["jinxiu"].id, ent,
                   {**contract(signed=date(2026, 9, 20)), "term_end": "2046-09-21"}, now=at(day))
    assert ok.data["term_end"] == "2046-09-21"


@pytest.mark.parametrize("fee,stored", [("1.50", "1.50"), ("1.500", "1.50"), ("2", "2.00")])
def test_decimals_within_their_places_are_kept(session, district, fee, stored):
    ent = district.actor("enterprise")
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id, ent,
                     contract(fee=fee), now=at(TODAY))
    assert case.data["fee"] == stored


@pytest.mark.parametrize("fee", ["0.005", "1.801", 0.005])
def test_decimals_with_more_places_are_refused_not_rounded(session, district, fee):
    ent = district.actor("enterprise")
    with pytest.raises(PayloadInvalid) as info:
        open_case(session, "contract_filing", district.estates["jinxiu"].id, ent,
                  contract(fee=fee), now=at(TODAY))
    assert "最多保留 2 位小数" in info.value.errors["fee"][0] and "不会自动舍入" in info.value.errors["fee"][0]
    assert session.scalar(select(func.count(Case.id))) == 0


@pytest.mark.parametrize("fee", ["1e400", 1e308, "NaN", "Infinity", "-0.001"])
def test_numbers_no_field_can_hold_are_refused_not_crashed_on(api, district, fee):
    r = api.post("/cases", {"procedure": "contract_filing", "estate_id": district.estates["jinxiu"].id,
                            "data": contract(fee=fee)}, user="enterprise")
    assert assert_error(r, 400)["errors"]["data"]["fee"]


# -- file names -------------------------------------------------------------------------------

@pytest.mark.parametrize("sent,kept", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("a\u202efdp.exe", "afdp.exe.pdf"),
    ("  .hidden.pdf", "hidden.pdf"),
    ("扫描件", "扫描件.pdf"),
    ("合" * 300 + ".pdf", "合" * 116 + ".pdf"),
])
def test_file_names_are_cleaned_and_capped_on_every_path(api, sent, kept):
    case = api.open_contract()
    r = upload(api, case["id"], filename=sent)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["filename"] == kept
    r = api.client.post(f"/api/v1/cases/{case['id']}/actions/submit",
                        data={"lock_version": str(r.get_json()["case_lock_version"]),
                              "file": (io.BytesIO(PDF), sent, "application/pdf")},
                        headers=api.headers("enterprise"), content_type="multipart/form-data")
    assert r.status_code == 200, r.get_json()
    api.session.rollback()
    names = api.session.scalars(select(Attachment.filename).order_by(Attachment.id)).all()
    assert names == [kept, kept] and all(len(n) <= 120 for n in names)


def test_the_pages_clean_names_the_same_way(app, api):
    case = api.open_contract()
    client = signed_in(app.test_client(), "enterprise")
    r = client.post(f"/cases/{case['id']}/actions/submit",
                    data={"lock_version": case["lock_version"],
                          "files": (io.BytesIO(PDF), "../../etc/a\u202efdp.exe", "application/pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    api.session.rollback()
    assert api.session.scalars(select(Attachment.filename)).one() == "afdp.exe.pdf"


# -- concurrency: 409, never 500 --------------------------------------------------------------

def _together(n, fn):
    """Run fn(i) in n threads released at once; their results in order."""
    gate = threading.Barrier(n)
    out = [None] * n

    def run(i):
        gate.wait()
        out[i] = fn(i)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_concurrent_reissues_of_one_document_give_one_new_serial_and_409s(app, session, district):
    ent, bureau = district.actor("enterprise"), district.actor("bureau")
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id, ent,
                     contract(kind="pre_phase", signed=date(2026, 9, 20)), now=at(date(2026, 9, 21)))
    advance(session, case.id, "submit", ent, {}, now=at(date(2026, 9, 25)))
    advance(session, case.id, "accept", bureau, {}, now=at(date(2026, 10, 8)))
    (doc,) = session.scalars(select(Document)).all()
    clients = [signed_in(app.test_client(), "bureau") for _ in range(6)]
    codes = _together(6, lambda i: clients[i].post(f"/documents/{doc.id}/reissue").status_code)
    assert sorted(codes) == [302] + [409] * 5, codes
    session.rollback()
    docs = session.scalars(select(Document).order_by(Document.id)).all()
    assert [d.status for d in docs] == ["superseded", "valid"] and docs[0].superseded_by_id == docs[1].id
    from engine.audit import verify_all
    assert verify_all(session).problems == []


def test_concurrent_uploads_to_one_case_all_succeed(api):
    case = api.open_contract()
    for user in ("enterprise",):
        api.token(user)
    results = _together(6, lambda i: upload(api, case["id"], data=PDF + str(i).encode(),
                                            filename=f"第{i}份.pdf").status_code)
    assert results == [201] * 6
    api.session.rollback()
    assert api.session.scalar(select(func.count(Attachment.id))) == 6
    assert api.session.get(Case, case["id"]).event_seq == 7


# -- next -----------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["/\n/x", "/\r\nSet-Cookie: a=b", "/\t/evil.example",
                                    "//evil.example", "/\\evil.example", "https://evil.example/",
                                    "/ /evil.example", "javascript:alert(1)", "/\x7f/x"])
def test_next_targets_outside_the_site_are_ignored(app, session, district, target):
    from engine.alerts import Alert
    from engine.scan import scan
    registered(session, district, signed_days_ago=40)
    scan(session, at(TODAY))
    alert = session.scalars(select(Alert).where(Alert.organisation_id == district.orgs["enterprise"].id)).first()
    client = signed_in(app.test_client(), "enterprise")
    r = client.post(f"/inbox/{alert.id}/ack", data={"next": target})
    assert r.status_code == 302 and r.location.endswith("/inbox/")
    r = client.get("/lang/en", query_string={"next": target})
    assert r.status_code == 302 and r.location.endswith("/")
    fresh = app.test_client()
    r = fresh.post("/login", query_string={"next": target},
                   data={"username": "street", "password": PASSWORD})
    assert r.status_code == 302 and "evil" not in r.location and "\n" not in r.location


def test_a_local_next_target_is_followed(app, district):
    client = app.test_client()
    r = client.post("/login", query_string={"next": "/inbox/?show=all"},
                    data={"username": "street", "password": PASSWORD})
    assert r.status_code == 302 and r.location.endswith("/inbox/?show=all")

"""Issued documents on the web: download within one's jurisdiction only, batch printing,
the public /verify page for a genuine, a modified, a superseded and an unknown document
(with the PDF upload that checks the bytes, CSRF token included), reissue from the case
page, and the administrator's seal and certificate settings."""
from __future__ import annotations

import hashlib
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from engine import files
from engine.documents import Document, OrgFormSettings, for_case
from engine.runtime import advance, open_case
from tests.helpers import PASSWORD, at, signed_in as login, text  # noqa: F401







@pytest.fixture
def receipt(session, district) -> Document:
    """A contract filing accepted by the housing bureau: one receipt issued."""
    ent = district.actor("enterprise")
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id, ent, {
        "contract_kind": "pre_phase", "contract_no": "XY-QQ-2026-001", "client": "信阳城投置业有限公司",
        "signed_on": "2026-09-20", "term_start": "2026-10-01", "term_end": "2029-09-30",
        "fee": "1.80", "area": "86420.50"}, now=at(date(2026, 9, 21)))
    advance(session, case.id, "submit", ent, {}, now=at(date(2026, 9, 25)))
    advance(session, case.id, "accept", district.actor("bureau"), {}, now=at(date(2026, 10, 8)))
    (doc,) = for_case(session, case.id)
    return doc


def test_download_for_users_who_may_see_the_case_only(client, receipt):
    r = client.get(f"/documents/{receipt.id}.pdf")
    assert r.status_code == 302 and "/login" in r.location          # signed-in users only
    for user in ("bureau", "street", "enterprise"):
        login(client, user)
        r = client.get(f"/documents/{receipt.id}.pdf")
        assert r.status_code == 200 and r.mimetype == "application/pdf", user
        assert hashlib.sha256(r.data).hexdigest() == receipt.sha256
        assert "filename*=UTF-8''" in r.headers["Content-Disposition"]
        client.post("/logout")
    for user in ("street2", "enterprise2"):           # another street office, another enterprise
        login(client, user)
        assert client.get(f"/documents/{receipt.id}.pdf").status_code == 404, user
        assert client.get(f"/cases/{receipt.case_id}/documents.pdf").status_code == 404, user
        client.post("/logout")
    login(client, "bureau")
    assert client.get("/documents/99999.pdf").status_code == 404


def test_batch_printing_merges_the_documents(client, session, district, receipt):
    from pypdf import PdfReader
    login(client, "bureau")
    r = client.get(f"/cases/{receipt.case_id}/documents.pdf")
    assert r.status_code == 200 and len(PdfReader(io.BytesIO(r.data)).pages) == 1
    r = client.get(f"/documents/batch.pdf?ids={receipt.id},{receipt.id}")
    assert r.status_code == 200 and len(PdfReader(io.BytesIO(r.data)).pages) == 1
    assert client.get("/documents/batch.pdf?ids=").status_code == 400


def test_verify_page_for_a_genuine_document(client, receipt):
    r = client.get(f"/verify/{receipt.code}")                 # public: nobody signed in
    page = text(r)
    assert r.status_code == 200
    for fact in ("本系统出具过此文书", receipt.serial, "浉河区住房和城乡建设局", "2026年10月8日",
                 "物业服务合同备案", "锦绣花园", "现行有效", "完整：存档原件的 SHA-256 与登记的哈希值一致"):
        assert fact in page, fact
    # Codes are read off paper: lower case and the printed dash are accepted.
    spaced = receipt.code[:5].lower() + "-" + receipt.code[5:].lower()
    assert client.get(f"/verify/{spaced}").status_code == 200
    r = client.get(f"/verify?code={spaced}")
    assert r.status_code == 302 and r.location.endswith(f"/verify/{receipt.code}")


def test_uploading_the_genuine_and_a_modified_pdf(client, receipt):
    genuine = files.load(receipt.sha256)
    r = client.post(f"/verify/{receipt.code}", data={"file": (io.BytesIO(genuine), "回执.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 200 and "一致：上传的文件与存档原件逐字节相同" in text(r)
    i = len(genuine) // 2                        # one byte changed in the middle of the file
    modified = genuine[:i] + bytes([genuine[i] ^ 0x01]) + genuine[i + 1:]
    r = client.post(f"/verify/{receipt.code}", data={"file": (io.BytesIO(modified), "回执.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 200 and "不一致" in text(r)
    assert hashlib.sha256(modified).hexdigest() in text(r)
    r = client.post(f"/verify/{receipt.code}", data={}, content_type="multipart/form-data")
    assert "请选择要核对的 PDF 文件" in text(r)


def test_a_stored_file_that_was_altered_is_reported(client, receipt):
    path = files.path_of(receipt.sha256)
    path.write_bytes(path.read_bytes() + b"\n% tampered")
    assert "异常：存档原件缺失或与登记的哈希值不一致" in text(client.get(f"/verify/{receipt.code}"))


def test_unknown_code(client, receipt):
    r = client.get("/verify/ZZZZZ99999")
    assert r.status_code == 404 and "未找到验证码" in text(r) and "不是本系统出具的" in text(r)
    r = client.post("/verify/ZZZZZ99999", data={"file": (io.BytesIO(b"%PDF-1.7"), "x.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 404


def test_verify_upload_carries_the_csrf_token(app, receipt):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get(f"/verify/{receipt.code}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = files.load(receipt.sha256)
    r = client.post(f"/verify/{receipt.code}", data={"file": (io.BytesIO(data), "a.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 400                                   # no token: refused
    r = client.post(f"/verify/{receipt.code}", data={"csrf_token": token,
                                                     "file": (io.BytesIO(data), "a.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 200 and "逐字节相同" in text(r)


def test_reissue_by_the_issuer_supersedes_and_verify_says_so(client, session, receipt):
    login(client, "street")                      # not the issuer: refused
    r = client.post(f"/documents/{receipt.id}/reissue", follow_redirects=True)
    assert "只有出具该文书的单位可以重新出具" in text(r)
    client.post("/logout")
    login(client, "bureau")
    r = client.post(f"/documents/{receipt.id}/reissue", follow_redirects=True)
    assert "浉住建备〔2026〕2号" in text(r) and "已作废" in text(r)
    session.rollback()                 # a fresh snapshot
    new = session.scalar(select(Document).where(Document.serial == "浉住建备〔2026〕2号"))
    page = text(client.get(f"/verify/{receipt.code}"))
    assert "已作废" in page and "浉住建备〔2026〕2号" in page
    assert "现行有效" in text(client.get(f"/verify/{new.code}"))


def test_admin_sets_prefix_seal_and_demo_certificate(client, session, district, receipt):
    from PIL import Image
    org = district.orgs["street"]
    login(client, "street")
    assert client.get(f"/admin/organisations/{org.id}/forms").status_code == 403
    client.post("/logout")
    login(client, "admin")
    page = text(client.get(f"/admin/organisations/{org.id}/forms"))
    assert "老城街" in page and "按单位名称绘制的印章" in page
    r = client.post(f"/admin/organisations/{org.id}/forms",
                    data={"action": "prefix", "serial_prefix": "老街办"}, follow_redirects=True)
    assert "已保存机关代字" in text(r)
    r = client.post(f"/admin/organisations/{org.id}/forms",
                    data={"action": "seal", "seal": (io.BytesIO(b"GIF89a nonsense"), "seal.gif")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "无法识别的图片" in text(r)
    buf = io.BytesIO()
    Image.new("RGBA", (500, 500), (217, 0, 27, 200)).save(buf, format="PNG")
    r = client.post(f"/admin/organisations/{org.id}/forms",
                    data={"action": "seal", "seal": (io.BytesIO(buf.getvalue()), "seal.png")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "已上传印章图片" in text(r)
    r = client.post(f"/admin/organisations/{org.id}/forms", data={"action": "demo_cert"},
                    follow_redirects=True)
    assert "已生成演示用自签名证书" in text(r)
    session.rollback()                 # a fresh snapshot
    row = session.get(OrgFormSettings, org.id)
    assert row.serial_prefix == "老街办" and row.seal_image and row.cert_pem and row.key_pem

    # The street office's next document uses all three.
    ent = district.actor("enterprise")
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id, ent, {
        "contract_kind": "assembly", "contract_no": "XY-YZ-2026-014", "client": "锦绣花园业主委员会",
        "signed_on": "2026-09-20", "term_start": "2026-10-01", "term_end": "2029-09-30",
        "fee": "1.80", "area": "86420.50"}, now=at(date(2026, 9, 21)))
    advance(session, case.id, "submit", ent, {}, now=at(date(2026, 9, 25)))
    advance(session, case.id, "accept", district.actor("street"), {}, now=at(date(2026, 10, 8)))
    (doc,) = for_case(session, case.id)
    assert doc.serial == "老街办备〔2026〕1号" and doc.signed
    data = files.load(doc.sha256)
    r = client.post(f"/verify/{doc.code}", data={"file": (io.BytesIO(data), "a.pdf")},
                    content_type="multipart/form-data")
    assert "电子签名有效" in text(r)
    assert "电子签名有效（签名人：老城街道办事处）" in text(client.get(f"/verify/{doc.code}"))


def test_start_up_warns_loudly_when_the_subsetter_or_fonts_are_missing(app, monkeypatch, capsys, caplog):
    import web.documents as wd
    from forms import fonts
    monkeypatch.setattr(wd, "_warned", False)
    monkeypatch.setattr(fonts, "harfbuzz_subsetter_ok", lambda: False)
    monkeypatch.setattr(fonts, "cjk_fonts_ok", lambda: False)
    problems = wd.warn_environment(app)
    assert len(problems) == 2
    err = capsys.readouterr().err
    assert "libharfbuzz-subset0" in err and "fonts-noto-cjk" in err and "!!!!" in err
    assert "libharfbuzz-subset0" in caplog.text


def test_no_warning_on_a_complete_system(app):
    assert app.extensions["forms_problems"] == []

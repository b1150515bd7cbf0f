"""Issued documents: download (signed-in, jurisdiction checked), batch printing, the
public verification page, reissue, and the administrator's seal and certificate settings.

Files served are files issued: every download reads the stored bytes through
`engine.files.load`, which refuses bytes that no longer hash to what was registered;
such a download is refused with a page saying so, and the administrators are e-mailed.
The public /verify page says 现行有效 only for a valid document whose stored file is
intact and whose row is what the evidence log recorded when it was issued.
"""
from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from typing import Optional
from urllib.parse import quote

from flask import (Blueprint, Flask, Response, abort, flash, redirect, render_template,
                   request, url_for)
from flask_login import login_required
from markupsafe import Markup, escape

from engine import clock, evidence, files, registry
from engine.access import visible_cases
from engine.documents import (Document, by_code, format_code, for_case,
                              normalise_code, settings_for)
from engine.errors import StaleCase
from engine.models import Case, Organisation
from web.auth import current_actor
from web.db import get_session
from web.i18n import _, datum, document_title, proc_title, tr

log = logging.getLogger(__name__)
bp = Blueprint("documents", __name__)

MAX_VERIFY_UPLOAD = 20 * 1024 * 1024


def _visible_document(doc_id: int) -> Document:
    s = get_session()
    doc = s.get(Document, doc_id)
    if doc is None:
        abort(404)
    case = s.scalar(visible_cases(current_actor()).where(Case.id == doc.case_id))
    if case is None:
        abort(404)     # same answer whether it does not exist or is someone else's
    return doc


def _pdf_response(data: bytes, filename: str, *, inline: bool = True) -> Response:
    resp = Response(data, mimetype="application/pdf")
    disp = "inline" if inline else "attachment"
    resp.headers["Content-Disposition"] = (
        f"{disp}; filename=\"document.pdf\"; filename*=UTF-8''{quote(filename)}")
    resp.headers["Cache-Control"] = "private, max-age=0"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@dataclass(frozen=True)
class Refusal:
    altered: bool                 # the bytes changed (else: missing)
    message: str

    def page(self):
        status = 409 if self.altered else 404
        return render_template("error.html", status=status, message=self.message), status


def stored_or_refuse(doc: Document) -> tuple[Optional[bytes], Optional[Refusal]]:
    """The document's stored bytes, or why they must not be served (administrators told)."""
    return stored_file(doc.sha256, f"文书 {doc.serial}（编号 {doc.id}，案件 {doc.case_id}）",
                       _("文书 %(serial)s", serial=doc.serial))


def stored_file(sha256: str, what: str, shown: str) -> tuple[Optional[bytes], Optional[Refusal]]:
    """The bytes stored under `sha256` or a refusal; `what` names the file in the
    administrators' e-mail (Chinese, like every e-mail), `shown` on the page."""
    from engine.alerts import notify_admins
    s = get_session()
    try:
        return files.load(s, sha256), None
    except FileNotFoundError:
        log.error("%s: stored file %s is missing", what, sha256)
        notify_admins(s, f"【存档文件缺失】{what}", f"{what}的存档文件（SHA-256 {sha256}）缺失。"
                      "请从备份恢复，并运行 flask audit verify 核查。")
        return None, Refusal(False, _("%(what)s的存档文件缺失，已通知系统管理员；请联系出具机关。",
                                      what=shown))
    except files.FileAltered as exc:
        log.error("%s: stored file %s now hashes to %s", what, sha256, exc.actual)
        notify_admins(s, f"【存档文件被改动】{what}",
                      f"{what}的存档文件应为 SHA-256 {sha256}，现为 {exc.actual}：文件在存储中被改动。"
                      "系统已拒绝提供该文件。请从备份恢复，并运行 flask audit verify 核查。")
        return None, Refusal(True, _("不一致：%(what)s的存档文件与出具时登记的 SHA-256 不一致，"
                                     "可能已被改动，系统拒绝提供；已通知系统管理员，请联系出具机关核实。",
                                     what=shown))


@bp.route("/documents/<int:doc_id>.pdf")
@login_required
def download(doc_id: int):
    doc = _visible_document(doc_id)
    data, refusal = stored_or_refuse(doc)
    if refusal:
        return refusal.page()
    return _pdf_response(data, doc.filename, inline=request.args.get("download") != "1")


def _merged(docs: list[Document]):
    """(one PDF of the documents, None) or (None, the first refusal)."""
    from pypdf import PdfWriter
    w = PdfWriter()
    for d in docs:
        data, refusal = stored_or_refuse(d)
        if refusal:
            return None, refusal
        w.append(io.BytesIO(data))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue(), None


@bp.route("/documents/batch.pdf")
@login_required
def batch():
    """Several documents in one PDF for printing: ?ids=1,2,3 (each must be visible)."""
    ids = []
    for part in request.args.get("ids", "").replace(" ", "").split(","):
        if part.isdigit():
            ids.append(int(part))
    if not ids or len(ids) > 200:
        abort(400)
    docs = [_visible_document(i) for i in dict.fromkeys(ids)]
    pdf, refusal = _merged(docs)
    return refusal.page() if refusal else _pdf_response(pdf, "批量打印.pdf")


@bp.route("/cases/<int:case_id>/documents.pdf")
@login_required
def case_batch(case_id: int):
    """Every valid document of a case, oldest first, in one PDF for printing."""
    s = get_session()
    case = s.scalar(visible_cases(current_actor()).where(Case.id == case_id))
    if case is None:
        abort(404)
    docs = [d for d in for_case(s, case_id) if d.status == "valid"]
    if not docs:
        abort(404)
    pdf, refusal = _merged(docs)
    return refusal.page() if refusal else _pdf_response(pdf, f"案件{case_id}-文书.pdf")


@bp.route("/cases/selected/documents.pdf")
@login_required
def cases_batch():
    """Every valid document of the cases ticked in the list (?case=1&case=2), case by
    case, oldest first, in one PDF for printing; cases the user may not see are 404."""
    s = get_session()
    ids = list(dict.fromkeys(request.args.getlist("case", type=int)))
    if not ids or len(ids) > 100:
        abort(400)
    visible = set(s.scalars(visible_cases(current_actor()).with_only_columns(Case.id)
                            .where(Case.id.in_(ids))))
    if visible != set(ids):
        abort(404)
    docs = [d for cid in ids for d in for_case(s, cid) if d.status == "valid"]
    if not docs:
        abort(404, description=_("所选案件没有有效文书"))
    pdf, refusal = _merged(docs)
    return refusal.page() if refusal else _pdf_response(pdf, "所选案件-文书.pdf")


@bp.post("/documents/<int:doc_id>/reissue")
@login_required
def reissue(doc_id: int):
    from engine.runtime import unit_of_work
    from forms.issuer import reissue as do_reissue
    doc = _visible_document(doc_id)
    actor = current_actor()
    s = get_session()
    if actor.role != "admin" and actor.org_id != doc.issuer_org_id:
        flash(_("只有出具该文书的单位可以重新出具"), "error")
        return redirect(url_for("cases.show", case_id=doc.case_id))
    old_serial, case_id = doc.serial, doc.case_id
    try:
        with unit_of_work(s):
            new = do_reissue(s, doc, actor, clock.now())
    except StaleCase:
        return render_template("error.html", status=409, message=_(
            "该文书刚刚已由他人重新出具（或案件已有新的办理），本次未出具；"
            "请返回案件页面查看最新的文书")), 409
    except ValueError as exc:
        flash(tr(exc.args[0]), "error")
        return redirect(url_for("cases.show", case_id=case_id))
    flash(_("已重新出具%(title)s，新文号 %(serial)s；原文号 %(old)s 已作废",
            title=document_title(new), serial=new.serial, old=old_serial), "ok")
    return redirect(url_for("cases.show", case_id=case_id))


# -- public verification ---------------------------------------------------------------------

def _verify_view(doc: Document | None, code: str, upload: dict | None = None, status: int = 200):
    s = get_session()
    ctx = {"doc": doc, "code": code, "upload": upload, "code_display": format_code(code)}
    if doc is not None:
        case = s.get(Case, doc.case_id)
        try:
            title = proc_title(registry.get(case.procedure, case.version))
        except Exception:
            title = case.procedure
        stored, refusal = stored_or_refuse(doc)
        stored_ok = refusal is None
        logged = evidence.latest(s, Document, doc.id, doc.case_id)
        record_ok = logged is not None and not evidence.differences(
            logged, evidence.record_of(Document, doc))
        signature = _signature_summary(stored, doc) if doc.signed and stored_ok else ""
        ctx.update(case=case, procedure_title=title, stored_ok=stored_ok, record_ok=record_ok,
                   signature=signature,
                   successor=s.get(Document, doc.superseded_by_id) if doc.superseded_by_id else None)
    return render_template("documents/verify.html", **ctx), status


@bp.route("/verify", methods=["GET"])
def verify_lookup():
    code = normalise_code(request.args.get("code", ""))
    if code:
        return redirect(url_for("documents.verify", code=code))
    return render_template("documents/verify_lookup.html")


@bp.route("/verify/<code>", methods=["GET", "POST"])
def verify(code: str):
    s = get_session()
    norm = normalise_code(code)
    doc = by_code(s, norm)
    if doc is None:
        return _verify_view(None, norm, status=404)
    upload = None
    if request.method == "POST":
        f = request.files.get("file")
        data = f.read(MAX_VERIFY_UPLOAD + 1) if f else b""
        if not data:
            upload = {"ok": False, "message": _("请选择要核对的 PDF 文件")}
        elif len(data) > MAX_VERIFY_UPLOAD:
            upload = {"ok": False, "message": _("文件过大，无法核对")}
        else:
            sha = hashlib.sha256(data).hexdigest()
            if sha == doc.sha256:
                upload = {"ok": True, "sha256": sha, "filename": f.filename,
                          "message": _("一致：上传的文件与存档原件逐字节相同，未被改动。")}
                if doc.signed:
                    upload["signature"] = _signature_summary(data, doc)
            else:
                upload = {"ok": False, "sha256": sha, "filename": f.filename,
                          "message": _("不一致：上传的文件与存档原件不同，可能已被改动，"
                                       "或不是本系统出具的该份文书。")}
    return _verify_view(doc, norm, upload, 200)


def _signature_summary(data: bytes, doc: Document) -> Markup:
    """The signature check in the page language; the signer's name marked as data."""
    from forms.signing import check_signature
    row = settings_for(get_session(), doc.issuer_org_id)
    trust = (row.cert_pem,) if row is not None and row.cert_pem else ()
    try:
        check = check_signature(data, trust)
    except Exception:
        log.exception("signature check of document %s", doc.id)
        return Markup(escape(_("电子签名无法校验")))
    if not check.present:
        return Markup(escape(_("未签名")))
    if not check.intact:
        return Markup(escape(_("电子签名无效：签名后的内容已被改动")))
    trusted = _("证书可信") if check.trusted else _("证书未被信任（演示用自签名证书）")
    if check.signer:
        return Markup(_("电子签名有效（签名人：%(signer)s），%(trust)s",
                        signer=datum(check.signer), trust=escape(trusted)))
    return Markup(_("电子签名有效，%(trust)s", trust=escape(trusted)))


# -- administrator: seal image, serial prefix, signing certificate -------------------------------

def _require_admin():
    if current_actor().role != "admin":
        abort(403)


@bp.route("/admin/organisations/<int:org_id>/forms", methods=["GET", "POST"])
@login_required
def org_settings(org_id: int):
    from forms import seal as seal_mod
    from forms import signing
    _require_admin()
    s = get_session()
    org = s.get(Organisation, org_id)
    if org is None:
        abort(404)
    row = settings_for(s, org_id)
    if request.method == "POST":
        action = request.form.get("action", "")
        row = settings_for(s, org_id, create=True)
        try:
            if action == "prefix":
                prefix = request.form.get("serial_prefix", "").strip()
                if len(prefix) > 20:
                    raise ValueError(_("机关代字不能超过 20 个字符"))
                row.serial_prefix = prefix or None
                msg = _("已保存机关代字")
            elif action == "seal":
                f = request.files.get("seal")
                png, ctype = seal_mod.normalise_upload(f.read() if f else b"")
                row.seal_image, row.seal_content_type = png, ctype
                msg = _("已上传印章图片，此后出具的文书使用该印章")
            elif action == "seal_clear":
                row.seal_image = row.seal_content_type = None
                msg = _("已改为按单位名称绘制印章")
            elif action == "demo_cert":
                signing.ensure_demo_certificate(s, org)
                msg = _("已生成演示用自签名证书，此后出具的文书将加盖电子签名")
            elif action == "cert_clear":
                row.cert_pem = row.key_pem = None
                msg = _("已停用电子签名")
            else:
                abort(400)
        except ValueError as exc:
            s.rollback()
            flash(tr(exc.args[0]), "error")
            return redirect(url_for("documents.org_settings", org_id=org_id))
        s.commit()
        flash(msg, "ok")
        return redirect(url_for("documents.org_settings", org_id=org_id))
    from forms import fonts
    from forms.issuer import default_prefix
    preview = seal_mod.seal_src(org.name, fonts.FAMILY,
                                row.seal_image if row else None,
                                row.seal_content_type if row else None, vector=True)
    return render_template("documents/org_settings.html", org=org, row=row, preview=preview,
                           default_prefix=default_prefix(org.name))


_warned = False


def warn_environment(app: Flask) -> list[str]:
    """Say loudly, once per process, what is missing for fast and correct CJK forms."""
    global _warned
    from forms.fonts import environment_problems
    problems = environment_problems()
    if problems and not _warned:
        _warned = True
        banner = "\n".join(["", "!" * 78, "!! 打印文书环境不完整 (printed forms: missing system packages)",
                            *[f"!! {p}" for p in problems], "!" * 78, ""])
        app.logger.warning(banner)
        import sys
        print(banner, file=sys.stderr)
    return problems


def init_app(app: Flask) -> None:
    """Blueprint and the engine's document issuer (in the app's session info, web.db)."""
    import forms
    app.register_blueprint(bp)
    issuers = app.extensions["session_info"]["issuers"]
    if forms.issue not in issuers:
        issuers.append(forms.issue)
    app.extensions["forms_problems"] = warn_environment(app)

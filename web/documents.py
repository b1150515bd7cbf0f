"""Issued documents: download (signed-in, jurisdiction checked), batch printing, the
public verification page, reissue, and the administrator's seal and certificate settings."""
from __future__ import annotations

import hashlib
import io
import logging
from datetime import datetime, timezone
from urllib.parse import quote

from flask import (Blueprint, Flask, Response, abort, flash, redirect, render_template,
                   request, url_for)
from flask_login import login_required
from markupsafe import Markup, escape

from engine import files, registry
from engine.access import visible_cases
from engine.documents import (Document, by_code, format_code, for_case,
                              normalise_code, settings_for)
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


@bp.route("/documents/<int:doc_id>.pdf")
@login_required
def download(doc_id: int):
    doc = _visible_document(doc_id)
    try:
        data = files.load(doc.sha256)
    except FileNotFoundError:
        log.error("document %s: stored file %s is missing", doc.id, doc.sha256)
        abort(404)
    return _pdf_response(data, doc.filename, inline=request.args.get("download") != "1")


def _merge(docs: list[Document]) -> bytes:
    from pypdf import PdfWriter
    w = PdfWriter()
    for d in docs:
        w.append(io.BytesIO(files.load(d.sha256)))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


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
    return _pdf_response(_merge(docs), "批量打印.pdf")


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
    return _pdf_response(_merge(docs), f"案件{case_id}-文书.pdf")


@bp.post("/documents/<int:doc_id>/reissue")
@login_required
def reissue(doc_id: int):
    from forms.issuer import reissue as do_reissue
    doc = _visible_document(doc_id)
    actor = current_actor()
    s = get_session()
    if actor.role != "admin" and actor.org_id != doc.issuer_org_id:
        flash(_("只有出具该文书的单位可以重新出具"), "error")
        return redirect(url_for("cases.show", case_id=doc.case_id))
    try:
        new = do_reissue(s, doc, actor, datetime.now(timezone.utc))
        s.commit()
    except ValueError as exc:
        s.rollback()
        flash(tr(exc.args[0]), "error")
        return redirect(url_for("cases.show", case_id=doc.case_id))
    flash(_("已重新出具%(title)s，新文号 %(serial)s；原文号 %(old)s 已作废",
            title=document_title(new), serial=new.serial, old=doc.serial), "ok")
    return redirect(url_for("cases.show", case_id=doc.case_id))


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
        try:
            stored = files.load(doc.sha256)
            stored_ok = hashlib.sha256(stored).hexdigest() == doc.sha256
        except FileNotFoundError:
            stored, stored_ok = b"", False
        signature = _signature_summary(stored, doc) if doc.signed and stored_ok else ""
        ctx.update(case=case, procedure_title=title, stored_ok=stored_ok, signature=signature,
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

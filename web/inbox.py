"""收件箱 (in-app inbox): the alerts addressed to the user's organisation, newest first,
with acknowledgement (签收). The unread count is offered to every page as
`inbox_unread()` (the nav badge in base.html)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from engine import alerts as A, clock, notices, queries, registry, supervision
from engine.bilingual import Bi, embed, labelled
from engine.deadlines import STATUS_LABELS
from engine.errors import NotFound
from engine.models import Case, Deadline, Estate, Event
from web.auth import current_actor
from web.db import alert_windows, get_session
from web.i18n import _, lang, tr
from web.redirects import safe_next

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
PER_PAGE = 50


@bp.get("/")
@login_required
def index():
    s = get_session()
    actor = current_actor()
    show = request.args.get("show", "unread" if A.unread_count(s, actor) else "all")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    q = A.visible_alerts(actor)
    if show == "unread":
        q = q.where(A.Alert.acknowledged_at.is_(None))
    total = s.scalar(select(func.count()).select_from(q.subquery()))
    rows = s.execute(
        q.add_columns(Deadline, Case, Estate.name)
        .join(Deadline, Deadline.id == A.Alert.deadline_id)
        .join(Case, Case.id == A.Alert.case_id).join(Estate, Estate.id == Case.estate_id)
        .order_by(A.Alert.created_at.desc(), A.Alert.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template("inbox/index.html", rows=[_row(s, *r) for r in rows], show=show,
                           total=total, page=page,
                           pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
                           unread=A.unread_count(s, actor),
                           counts=queries.counts(s, actor, alert_windows()),
                           register_alerts=_register_alerts(s, actor),
                           notices=notice_rows(s, actor),
                           notices_unread=notices.unread_count(s, actor))


def _register_alerts(s, actor) -> list:
    """The register's own alerts to the organisation (engine.register_duties): duties
    nobody opened a case for."""
    from engine.register_duties import alerts_for
    return alerts_for(s, actor.org_id, limit=PER_PAGE) if actor.org_id else []


@dataclass
class Row:
    alert: A.Alert
    kind_label: str
    title: str
    body: str
    status_label: str
    late: bool
    pdf_url: str = ""           # the 督办通知书 a supervision alert names


_NOTICE_PDF = re.compile(r"/documents/(\d+)\.pdf")


def _row(session, alert: A.Alert, dl: Deadline, case: Case, estate_name: str) -> Row:
    """An alert as the inbox shows it: as stored and sent (Chinese), or in English
    worded again from its deadline and case by the engine's own wording."""
    title, body = alert.title, alert.body
    if lang() == "en":
        title, body = _english(session, alert, dl, case, estate_name) or (title, body)
    pdf = _NOTICE_PDF.search(alert.body or "")
    return Row(alert, tr(A.KIND_LABELS.get(alert.kind, alert.kind)), title, body,
               tr(STATUS_LABELS.get(dl.status, dl.status)), bool(dl.late),
               url_for("documents.download", doc_id=int(pdf.group(1))) if pdf else "")


def _english(session, alert: A.Alert, dl: Deadline, case: Case, estate_name: str):
    """(title, body) worded again in English by the engine (alerts.compose,
    supervision.compose) from the alert's deadline and case; the names, the quoted article
    and the supervisor's words stay as they are, marked as data."""
    try:
        defn = registry.get(case.procedure, case.version)
    except NotFound:
        return None
    title = labelled(defn, "title")
    try:
        spec = defn.deadline(dl.key)
        label, consequence = Bi(dl.label, labelled(spec).en), labelled(spec, "consequence")
    except KeyError:
        label, consequence = Bi(dl.label, embed(dl.label)), ""
    if alert.kind == A.SUPERVISION:
        event_id = supervision.event_id_of(alert.stage)
        ev = session.get(Event, event_id) if event_id else None
        if ev is None:
            return None
        p = ev.payload or {}
        rectify_by = p.get("rectify_by")
        words = supervision.compose(
            issuer=p.get("issuer_org") or A.role_label(p.get("issuer_role", "")),
            estate_name=estate_name, procedure_title=title, case_id=case.id, label=label,
            citation=dl.citation, requirements=p.get("requirements", ""),
            rectify_by=date.fromisoformat(rectify_by) if rectify_by else None)
    else:
        words = A.compose(alert.kind, level=alert.level or 0, role=alert.role,
                          estate_name=estate_name, procedure_title=title, case_id=case.id,
                          label=label, due=alert.due_date or dl.due_date,
                          citation=dl.citation, consequence=consequence, party=dl.party)
    return tuple(tr(w) for w in words)


@bp.post("/<int:alert_id>/ack")
@login_required
def ack(alert_id: int):
    if not A.acknowledge(get_session(), alert_id, current_actor()):
        abort(404)
    flash(_("已签收"), "ok")
    return redirect(safe_next(request.form.get("next"), url_for("inbox.index")))


@bp.post("/ack-all")
@login_required
def ack_all():
    n = A.acknowledge_all(get_session(), current_actor())
    flash(_("已全部签收（%(n)s 条）", n=n), "ok")
    return redirect(url_for("inbox.index"))


@bp.post("/notices/read")
@login_required
def notices_read():
    """Mark hand-off notices read for this user (?id=… several, or all of them)."""
    s, actor = get_session(), current_actor()
    if request.form.get("all"):
        ids = [n.id for n, _read in s.execute(notices.visible(actor)).all()]
    else:
        ids = [int(i) for i in request.form.getlist("id") if i.isdigit()]
    notices.mark_read(s, actor, ids, clock.now())
    return redirect(safe_next(request.form.get("next"), url_for("inbox.index")))


NOTICES_SHOWN = 30


def notice_rows(s, actor) -> list:
    return s.execute(notices.visible(actor).order_by(notices.Notice.created_at.desc(),
                                                     notices.Notice.id.desc())
                     .limit(NOTICES_SHOWN)).all()


def _unread() -> int:
    """Unacknowledged alerts of the organisation plus this user's unread notices."""
    if not current_user.is_authenticated:
        return 0
    s, actor = get_session(), current_actor()
    return A.unread_count(s, actor) + notices.unread_count(s, actor)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["inbox_unread"] = _unread

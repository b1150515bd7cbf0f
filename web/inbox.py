"""收件箱 (in-app inbox): the alerts addressed to the user's organisation, newest first,
with acknowledgement (签收). The unread count is offered to every page as
`inbox_unread()` (the nav badge in base.html)."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from engine import alerts as A, queries
from engine.deadlines import STATUS_LABELS
from engine.models import Case, Deadline, Estate
from web.auth import current_actor
from web.db import alert_windows, get_session
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
        q.add_columns(Deadline.status, Deadline.late, Deadline.label, Case.procedure,
                      Estate.name)
        .join(Deadline, Deadline.id == A.Alert.deadline_id)
        .join(Case, Case.id == A.Alert.case_id).join(Estate, Estate.id == Case.estate_id)
        .order_by(A.Alert.created_at.desc(), A.Alert.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template("inbox/index.html", rows=rows, show=show, total=total, page=page,
                           pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
                           unread=A.unread_count(s, actor), status_labels=STATUS_LABELS,
                           counts=queries.counts(s, actor, alert_windows()),
                           kind_labels=A.KIND_LABELS)


@bp.post("/<int:alert_id>/ack")
@login_required
def ack(alert_id: int):
    if not A.acknowledge(get_session(), alert_id, current_actor()):
        abort(404)
    flash("已签收", "ok")
    return redirect(safe_next(request.form.get("next"), url_for("inbox.index")))


@bp.post("/ack-all")
@login_required
def ack_all():
    n = A.acknowledge_all(get_session(), current_actor())
    flash(f"已全部签收（{n} 条）", "ok")
    return redirect(url_for("inbox.index"))


def _unread() -> int:
    if not current_user.is_authenticated:
        return 0
    return A.unread_count(get_session(), current_actor())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["inbox_unread"] = _unread

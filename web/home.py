"""工作台 (home): what I must act on now, what is due soon, what is overdue (red, with
the days overdue), counts per procedure; for supervisors, overdue deadlines per street
office (housing bureau), community (street office) or estate (community). Every figure
comes from the read side (engine.queries), the same as the 督办看板, the inbox and the API."""
from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_login import login_required

from engine import clock, materials, queries, registry
from web.auth import current_actor
from web.db import alert_windows, get_session
from web.i18n import N_

bp = Blueprint("home", __name__)

SHOW = 50
UNIT_LABELS = {"street_office": N_("街道办事处"), "community": N_("社区居委会"),
               "estate": N_("物业管理区域")}


@bp.route("/")
@login_required
def index():
    s = get_session()
    actor = current_actor()
    now = clock.now()
    ref = clock.today(now)
    wins = alert_windows()
    mine = request.args.get("mine") == "1"
    work = queries.worklist(s, actor, now=now, mine=mine)
    soon, soon_total = queries.deadlines(s, actor, queries.DUE_SOON, wins, today=ref, limit=SHOW)
    overdue, overdue_total = queries.deadlines(s, actor, queries.OVERDUE, wins, today=ref, limit=SHOW)
    unit, by_unit = queries.overdue_by_unit(s, actor, today=ref)
    defs = registry.all_current()
    counts = [(r.procedure, {"defn": defs.get(r.procedure), "total": r.total,
                             "running": r.running, "overdue": r.overdue})
              for r in queries.procedure_counts(s, actor, today=ref)]
    return render_template("home.html", todo=[(i.case, i.actions) for i in work[:SHOW]],
                           also={i.case.id: i.also for i in work[:SHOW]}, mine=mine,
                           todo_total=len(work), late_ids={i.case.id for i in work if i.overdue},
                           soon=[(d, c) for d, c, _e in soon], soon_total=soon_total,
                           overdue=[(d, c) for d, c, _e in overdue], overdue_total=overdue_total,
                           ref=ref, counts=counts, unit_label=UNIT_LABELS.get(unit),
                           by_unit=by_unit, registry=registry,
                           item_triggers=materials.ITEM_TRIGGERS)


@bp.get("/favicon.ico")
def favicon():
    """Browsers and bookmarks ask for /favicon.ico whatever the page says."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

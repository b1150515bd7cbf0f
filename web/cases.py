"""Cases: the list a user may see, a case's page, and taking an action from a form."""
from __future__ import annotations

from flask import (Blueprint, Flask, abort, flash, redirect, render_template, request,
                   url_for)
from flask_login import login_required
from sqlalchemy import select

from engine import registry
from engine.access import visible_cases, visible_estates
from engine.deadlines import STATUS_LABELS, pack_label
from engine.errors import EngineError, PayloadInvalid
from engine.models import Case, Event
from engine.runtime import advance, available_actions, open_case
from web.auth import current_actor
from web.db import get_session

bp = Blueprint("cases", __name__)


def form_payload(schema_cls, form) -> dict:
    """Only the schema's fields, blanks left out so 'required' speaks for them."""
    if schema_cls is None:
        return {}
    out = {}
    for name in schema_cls().fields:
        v = form.get(name, "").strip()
        if v != "":
            out[name] = v
    return out


def load_visible_case(case_id: int) -> Case:
    s = get_session()
    case = s.scalar(visible_cases(current_actor()).where(Case.id == case_id))
    if case is None:
        # Same answer whether it does not exist or is someone else's.
        abort(404)
    return case


@bp.route("/")
@login_required
def index():
    s = get_session()
    rows = s.scalars(visible_cases(current_actor()).order_by(Case.id.desc()).limit(200)).all()
    return render_template("cases/index.html", cases=rows, defs=registry.all_current())


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
def new():
    s = get_session()
    actor = current_actor()
    defs = {n: d for n, d in registry.all_current().items() if actor.role in d.opening.roles}
    estates = s.scalars(visible_estates(actor)).all()
    name = request.values.get("procedure") or next(iter(defs), None)
    errors, values = {}, {}
    if request.method == "POST" and name in defs:
        values = form_payload(defs[name].opening.schema, request.form)
        try:
            case = open_case(s, name, int(request.form.get("estate_id") or 0), actor, values)
        except PayloadInvalid as exc:
            errors = exc.errors
            flash(exc.message, "error")
        except EngineError as exc:
            flash(exc.message, "error")
        else:
            flash(f"已立案：{defs[name].title}（案件 {case.id}）", "ok")
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/new.html", defs=defs, name=name, estates=estates,
                           errors=errors, values=values), (400 if errors else 200)


@bp.route("/cases/<int:case_id>")
@login_required
def show(case_id: int):
    case = load_visible_case(case_id)
    return _render_case(case)


def _render_case(case: Case, errors_for: str | None = None, errors: dict | None = None,
                 values: dict | None = None, status: int = 200):
    s = get_session()
    defn = registry.get(case.procedure, case.version)
    events = s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all()
    actions = available_actions(s, case, current_actor())
    return render_template("cases/show.html", case=case, defn=defn, events=events,
                           actions=actions, errors_for=errors_for, errors=errors or {},
                           values=values or {}, status_labels=STATUS_LABELS,
                           pack_label=pack_label), status


@bp.post("/cases/<int:case_id>/actions/<trigger>")
@login_required
def act(case_id: int, trigger: str):
    case = load_visible_case(case_id)
    s = get_session()
    defn = registry.get(case.procedure, case.version)
    t = defn.transition(trigger)
    if t is None:
        abort(404)
    values = form_payload(t.schema, request.form)
    try:
        advance(s, case.id, trigger, current_actor(), values,
                lock_version=request.form.get("lock_version", type=int))
    except PayloadInvalid as exc:
        flash(exc.message, "error")
        case = load_visible_case(case_id)
        return _render_case(case, trigger, exc.errors, values, 400)
    except EngineError as exc:
        flash(exc.message, "error")
        case = load_visible_case(case_id)
        return _render_case(case, status=exc.status)
    flash(f"已办理：{t.label}", "ok")
    return redirect(url_for("cases.show", case_id=case_id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

"""工作台 (home): what I must act on now, what is due soon, what is overdue (red, with
the days overdue), counts per procedure; for supervisors, overdue counts per street office
(housing bureau) or per community (street office). Everything is read through
`engine.access.visible_cases`, so the page never counts what the user may not see."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, render_template
from flask_login import login_required
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from engine import materials, registry
from engine.access import visible_cases
from engine.models import Case, Deadline, Estate, Organisation
from engine.runtime import available_actions
from web.auth import current_actor
from web.cases import ITEM_TRIGGERS, overdue_condition
from web.db import get_session
from web.i18n import N_, today

bp = Blueprint("home", __name__)

DUE_SOON_DAYS = 7
MAX_TODO = 300       # cases whose actions are evaluated for the "act now" list
SHOW = 50


def _actionable_condition(role: str):
    """Cases in a state where some step is open to `role` (cheap pre-filter; guards are
    then checked per case by available_actions)."""
    conds = []
    for name, d in registry.all_current().items():
        states = sorted({s for t in d.transitions if role in t.roles for s in t.sources})
        if states:
            conds.append(and_(Case.procedure == name, Case.state.in_(states)))
    return or_(*conds) if conds else None


def todo_cases(session, actor):
    cond = _actionable_condition(actor.role)
    if cond is None:
        return []
    rows = session.scalars(visible_cases(actor).where(cond).options(contains_eager(Case.estate))
                           .order_by(Case.updated_at.desc()).limit(MAX_TODO)).all()
    out = []
    for c in rows:
        acts = [a for a in available_actions(session, c, actor)
                if a.allowed and _item_step_has_work(c, a.trigger)]
        if acts:
            out.append((c, acts))
    return out


# An item step is work only when some item waits for it (INTERFACES.md statuses).
_ITEM_WAITS_IN = {"submit_item": (materials.PENDING, materials.REJECTED),
                  "accept_item": (materials.SUBMITTED,), "reject_item": (materials.SUBMITTED,)}


def _item_step_has_work(case, trigger: str) -> bool:
    wanted = _ITEM_WAITS_IN.get(trigger)
    defn = registry.get(case.procedure, case.version)
    if wanted is None or not defn.materials:
        return True
    return any(v.status in wanted for v in materials.checklist(defn, case))


def _deadline_rows(session, actor, *conds, order=None, limit=SHOW):
    sub = visible_cases(actor).with_only_columns(Case.id).scalar_subquery()
    q = (select(Deadline, Case).join(Case, Deadline.case_id == Case.id)
         .options(joinedload(Case.estate))
         .where(Deadline.case_id.in_(sub), *conds)
         .order_by(*(order or (Deadline.due_date, Deadline.id))))
    total = session.scalar(select(func.count()).select_from(
        select(Deadline.id).where(Deadline.case_id.in_(sub), *conds).subquery()))
    return session.execute(q.limit(limit)).all(), total


def procedure_counts(session, actor):
    defs = registry.all_current()
    q = (visible_cases(actor).with_only_columns(Case.procedure, Case.version, Case.state,
                                                func.count(Case.id))
         .group_by(Case.procedure, Case.version, Case.state))
    counts: dict[str, dict] = {}
    for proc, version, state, n in session.execute(q):
        row = counts.setdefault(proc, {"total": 0, "running": 0, "overdue": 0,
                                       "defn": defs.get(proc)})
        row["total"] += n
        try:
            final = registry.get(proc, version).state(state).final
        except Exception:
            final = False
        if not final:
            row["running"] += n
    oq = (visible_cases(actor).where(overdue_condition())
          .with_only_columns(Case.procedure, func.count(Case.id)).group_by(Case.procedure))
    for proc, n in session.execute(oq):
        if proc in counts:
            counts[proc]["overdue"] = n
    return sorted(counts.items(), key=lambda kv: kv[0])


SUPERVISED_BY = {
    # the supervisor's role → the estate column whose organisations it supervises
    "housing_bureau": ("street_office_id", N_("街道办事处")),
    "admin": ("street_office_id", N_("街道办事处")),
    "street_office": ("community_id", N_("社区居委会")),
    "community": ("id", N_("物业管理区域")),       # a community follows its estates
}


def overdue_by_unit(session, actor):
    spec = SUPERVISED_BY.get(actor.role)
    if not spec:
        return None, []
    col = getattr(Estate, spec[0])
    q = (visible_cases(actor).where(overdue_condition())
         .with_only_columns(col, func.count(Case.id)).group_by(col))
    rows = session.execute(q).all()
    named = Estate if spec[0] == "id" else Organisation
    names = dict(session.execute(select(named.id, named.name)
                                 .where(named.id.in_([r[0] for r in rows if r[0]]))).all())
    out = sorted(((names.get(oid, "—"), oid, n) for oid, n in rows), key=lambda r: -r[2])
    return spec[1], out


@bp.route("/")
@login_required
def index():
    s = get_session()
    actor = current_actor()
    ref = today()
    todo = todo_cases(s, actor)
    late_ids: set[int] = set()
    if todo:
        late_ids = set(s.scalars(select(Deadline.case_id).where(
            Deadline.case_id.in_([c.id for c, _a in todo]),
            Deadline.status.in_(("open", "missed")), Deadline.due_date < ref)))
        todo.sort(key=lambda ca: ca[0].id not in late_ids)     # overdue first, stable
    soon, soon_total = _deadline_rows(
        s, actor, Deadline.status == "open", Deadline.due_date >= ref,
        Deadline.due_date <= ref + timedelta(days=DUE_SOON_DAYS))
    overdue, overdue_total = _deadline_rows(
        s, actor, Deadline.status.in_(("open", "missed")), Deadline.due_date < ref)
    unit_label, by_unit = overdue_by_unit(s, actor)
    return render_template("home.html", todo=todo[:SHOW], todo_total=len(todo), late_ids=late_ids, soon=soon, soon_total=soon_total,
                           overdue=overdue, overdue_total=overdue_total, ref=ref,
                           counts=procedure_counts(s, actor), unit_label=unit_label,
                           by_unit=by_unit, registry=registry, due_soon_days=DUE_SOON_DAYS,
                           item_triggers=ITEM_TRIGGERS)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

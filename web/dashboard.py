"""督办看板 (supervisor dashboard): where statutory work is late.

- overdue and due-soon counts (cases) by street office, community, estate and procedure,
  with an inline SVG bar chart (server-side, no CDN); drill-down by street office and
  community; every count is one click from the cases behind it (the case list's filters
  `procedure`, `estate`, `overdue`, or this blueprint's own list for the groupings the case
  list has no filter for);
- 调度表 (the progress table of 「物业管理调度方案」附件5, docs/sources.md: estates by management status) as a page and a CSV
  export (UTF-8 with BOM, so Excel opens it);
- 逾期督办通知书: a housing bureau or street office issues one from an overdue deadline.

Only supervisors use it: housing bureau, street office, community, administrator. Every
query goes through engine.access.case_condition / estate_condition (jurisdiction).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from flask import (Blueprint, Flask, Response, abort, flash, redirect, render_template,
                   request, url_for)
from flask_login import login_required
from markupsafe import Markup, escape
from sqlalchemy import select

from engine import clock, queries, registry
from engine.access import case_condition
from engine.alerts import Alert
from engine.errors import EngineError, PayloadInvalid
from engine.models import Case, Deadline, Estate
from engine.supervision import ROLES as SUPERVISING_ROLES, issue_notice
from web.auth import current_actor
from web.db import alert_windows, get_session
from web.i18n import N_, _, proc_title, tr
from workflows.rules import estate_status

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

SUPERVISORS = ("housing_bureau", "street_office", "community", "admin")
DIMENSIONS = {"street_office": N_("街道办事处"), "community": N_("社区"),
              "estate": N_("物业管理区域"), "procedure": N_("程序")}
LIST_LIMIT = 300


def _actor():
    actor = current_actor()
    if actor.role not in SUPERVISORS:
        abort(403)
    return actor


def scope_from(args) -> queries.Scope:
    def num(k):
        v = (args.get(k) or "").strip()
        return int(v) if v.isdigit() else None
    return queries.Scope(num("street_office"), num("community"), num("estate"),
                         (args.get("procedure") or "").strip()[:40])


@dataclass
class Row:
    key: object
    label: str
    overdue: int
    due_soon: int
    overdue_url: str = ""
    due_soon_url: str = ""
    drill_url: str = ""


@dataclass
class Counts:
    totals: queries.Counts
    by: dict = field(default_factory=dict)


def dashboard_counts(session, actor, today: date, scope: queries.Scope) -> Counts:
    wins = alert_windows()
    out = Counts(totals=queries.counts(session, actor, wins, today=today, scope=scope))
    for dim in DIMENSIONS:
        rows = queries.counts_by(session, actor, wins, dim, today=today, scope=scope)
        names = queries.names_of(session, dim, [r[0] for r in rows])
        if dim == "procedure":
            defs = registry.all_current()
            names = {k: proc_title(defs[k]) if k in defs else k for k in names}
        items = []
        for key, o, ds in rows:
            label = names.get(key) or (_("（未设社区）") if dim == "community" else str(key))
            r = Row(key, label, o, ds)
            r.overdue_url = url_for("dashboard.cases", which="overdue", **scope.args(**{dim: key}))
            r.due_soon_url = url_for("dashboard.cases", which="due_soon", **scope.args(**{dim: key}))
            if dim in ("street_office", "community") and key:
                r.drill_url = url_for("dashboard.index", **scope.args(**{dim: key}))
            items.append(r)
        items.sort(key=lambda r: (-r.overdue, -r.due_soon, r.label))
        out.by[dim] = items
    return out


# -- the chart ---------------------------------------------------------------------------

def bar_chart(rows: list[Row], title: str, limit: int = 12, names_are_data: bool = True) -> Markup:
    """Horizontal grouped bars (overdue red, due soon amber) as inline SVG. Row labels that
    are names (of organisations, estates) are marked as data (`translate="no"`)."""
    rows = rows[:limit]
    if not rows:
        return Markup("")
    label_w, bar_w, row_h, top = 170, 360, 34, 28
    peak = max(max(r.overdue, r.due_soon) for r in rows) or 1
    h = top + row_h * len(rows) + 10
    # A group, not an image: its bars are links, and an image may not hold controls.
    parts = [f'<svg class="chart" role="group" xmlns="http://www.w3.org/2000/svg" '
             f'viewBox="0 0 {label_w + bar_w + 60} {h}" width="{label_w + bar_w + 60}" '
             f'height="{h}" style="max-width:100%;height:auto" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<rect x="{label_w}" y="6" width="12" height="12" fill="#b3261e"/>'
             f'<text x="{label_w + 16}" y="16" font-size="12">{escape(_("已逾期"))}</text>'
             f'<rect x="{label_w + 80}" y="6" width="12" height="12" fill="#e0a100"/>'
             f'<text x="{label_w + 96}" y="16" font-size="12">{escape(_("即将到期"))}</text>']
    no = ' translate="no"' if names_are_data else ""
    for i, r in enumerate(rows):
        y = top + i * row_h
        name = r.label if len(r.label) <= 12 else r.label[:11] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 17}" font-size="13" text-anchor="end"{no}>'
                     f'{escape(name)}</text>')
        for j, (n, color, url) in enumerate(((r.overdue, "#b3261e", r.overdue_url),
                                              (r.due_soon, "#e0a100", r.due_soon_url))):
            w = round(bar_w * n / peak) if n else 0
            yy = y + 2 + j * 13
            bar = (f'<rect x="{label_w}" y="{yy}" width="{max(w, 1 if n else 0)}" height="12" '
                   f'fill="{color}"><title{no}>{escape(r.label)}: {n}</title></rect>'
                   f'<text x="{label_w + w + 4}" y="{yy + 10}" font-size="11">{n}</text>')
            parts.append(f'<a href="{escape(url)}">{bar}</a>' if url and n else bar)
    parts.append("</svg>")
    return Markup("".join(parts))


# -- pages -------------------------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    actor = _actor()
    s = get_session()
    flt = scope_from(request.args)
    today = clock.today()
    counts = dashboard_counts(s, actor, today, flt)
    if actor.role in ("housing_bureau", "admin") and not (flt.street_office or flt.community):
        main = "street_office"
    elif actor.role != "community" and not flt.community:
        main = "community"
    else:
        main = "estate"
    crumbs = _crumbs(s, flt)
    chart = bar_chart(counts.by[main], _("按%(dimension)s统计的逾期与即将到期案件",
                                         dimension=_(DIMENSIONS[main])),
                      names_are_data=main != "procedure")
    return render_template("dashboard/index.html", counts=counts, main=main, chart=chart,
                           dims=DIMENSIONS, flt=flt, crumbs=crumbs, today=today)


def _crumbs(session, flt: queries.Scope) -> list[tuple[str, str]]:
    out = [(_("全部"), url_for("dashboard.index"))]
    if flt.street_office:
        out.append((queries.names_of(session, "street_office", [flt.street_office]).get(flt.street_office, _("街道")),
                    url_for("dashboard.index", street_office=flt.street_office)))
    if flt.community:
        out.append((queries.names_of(session, "community", [flt.community]).get(flt.community, _("社区")),
                    url_for("dashboard.index", **flt.args(estate=None, procedure=None))))
    return out


@bp.get("/cases")
@login_required
def cases():
    """The deadlines (and their cases) behind a count: overdue, due soon or met late."""
    actor = _actor()
    s = get_session()
    flt = scope_from(request.args)
    which = request.args.get("which", "overdue")
    today = clock.today()
    if which not in queries.WHICH:
        abort(404)
    rows, total = queries.deadlines(s, actor, which, alert_windows(), today=today, scope=flt,
                                    limit=LIST_LIMIT)
    ids = [d.id for d, _, _ in rows]
    stages: dict[int, list[str]] = {}
    if ids:
        for did, kind, level in s.execute(select(Alert.deadline_id, Alert.kind, Alert.level)
                                          .where(Alert.deadline_id.in_(ids)).order_by(Alert.id)):
            from engine.alerts import KIND_LABELS
            label = tr(KIND_LABELS.get(kind, kind))
            stages.setdefault(did, []).append(
                _("%(kind)s·%(level)s级", kind=label, level=level) if level else label)
    titles = {n: proc_title(d) for n, d in registry.all_current().items()}
    return render_template("dashboard/cases.html", rows=rows, total=total, which=which,
                           flt=flt, stages=stages, titles=titles, today=today, registry=registry,
                           may_supervise=actor.role in SUPERVISING_ROLES,
                           crumbs=_crumbs(s, flt), limit=LIST_LIMIT,
                           case_list_url=url_for("cases.index", overdue=1, **{
                               k: v for k, v in flt.args().items() if k in ("procedure", "estate")}))


@bp.route("/supervise/<int:deadline_id>", methods=["GET", "POST"])
@login_required
def supervise(deadline_id: int):
    actor = _actor()
    s = get_session()
    row = s.execute(select(Deadline, Case, Estate).join(Case, Case.id == Deadline.case_id)
                    .join(Estate, Estate.id == Case.estate_id)
                    .where(Deadline.id == deadline_id, case_condition(actor))).first()
    if row is None:
        abort(404)
    dl, c, estate = row
    if actor.role not in SUPERVISING_ROLES:
        abort(403)
    errors, values = {}, {"requirements": "", "rectify_by": ""}
    status = 200
    if request.method == "POST":
        values = {k: (request.form.get(k) or "").strip() for k in values}
        rectify_by = None
        if values["rectify_by"]:
            try:
                rectify_by = date.fromisoformat(values["rectify_by"])
            except ValueError:
                errors["rectify_by"] = [_("日期格式应为 年-月-日")]
        if not errors:
            try:
                issue_notice(s, c.id, dl.id, actor, values["requirements"], rectify_by=rectify_by)
            except PayloadInvalid as exc:
                errors = exc.errors
            except EngineError as exc:
                flash(tr(exc.message), "error")
                status = exc.status
            else:
                flash(_("已下发逾期督办通知书，已记入案件办理记录"), "ok")
                return redirect(url_for("cases.show", case_id=c.id))
        if errors:
            flash(_("提交的内容有误，请按提示修改"), "error")
            status = 400
    defn = registry.get(c.procedure, c.version)
    return render_template("dashboard/supervise.html", dl=dl, case=c, estate=estate, defn=defn,
                           errors=errors, values=values, overdue=queries.is_overdue(dl, clock.today()),
                           title=proc_title(defn)), status


# -- 调度表 (progress table) ---------------------------------------------------------------

STATUSES = estate_status.STATUSES


@dataclass
class EstateProgress:
    estate: Estate
    street: str
    community: str
    status: str
    enterprise: str
    preparing: bool
    open_cases: int
    overdue: int
    due_soon: int
    profile: object = None          # the register's columns (engine.register_models.EstateProfile)

    @property
    def mode(self) -> str:
        from engine.register_models import ENGAGED, MANAGEMENT_MODES, NO_MANAGEMENT
        mode = self.profile.management_mode if self.profile is not None else (
            ENGAGED if self.estate.enterprise_id else NO_MANAGEMENT)
        return MANAGEMENT_MODES.get(mode, mode)


def progress(session, actor, today: date) -> tuple[list[EstateProgress], list[dict]]:
    """Every visible estate with its management status (workflows.rules.estate_status)
    and its open cases and overdue and due-soon deadlines; then a summary per street
    office."""
    facts = queries.estate_facts(session, actor, alert_windows(), today=today)
    names = queries.names_of(session, "street_office", [x for f in facts for x in (
        f.estate.street_office_id, f.estate.community_id, f.estate.enterprise_id)])
    rows = []
    for f in facts:
        e = f.estate
        rows.append(EstateProgress(
            e, names.get(e.street_office_id, ""), names.get(e.community_id, "") if e.community_id else "",
            estate_status.status(e.committee_id, e.enterprise_id, f.reached,
                                 committee_kind=f.committee_kind,
                                 mode=f.profile.management_mode if f.profile else None),
            names.get(e.enterprise_id, "") if e.enterprise_id else "",
            estate_status.preparing(f.running), f.open_cases, f.overdue, f.due_soon, f.profile))
    summary: dict[str, dict] = {}
    for r in rows:
        d = summary.setdefault(r.street, {"street": r.street, "total": 0, "overdue": 0,
                                          **{k: 0 for k in STATUSES}})
        d["total"] += 1
        d[r.status] += 1
        d["overdue"] += 1 if r.overdue else 0
    out = list(summary.values())
    if out:
        out.append({"street": _("合计"), **{k: sum(d[k] for d in out) for k in
                                        ("total", "overdue", *STATUSES)}})
    for d in out:
        d["coverage"] = _pct(d["total"] - d[estate_status.NONE], d["total"])
        d["committee_rate"] = _pct(d[estate_status.COMMITTEE], d["total"])
    return rows, out


def _pct(n: int, total: int) -> str:
    if not total:
        return "—"
    f = Fraction(n * 100, total)
    if f.denominator == 1:
        return f"{f.numerator}%"
    # Exact to one place, half up as officials round (Fraction has no float formatting).
    tenths = (f * 10 + Fraction(1, 2)).__floor__()
    return f"{tenths // 10}.{tenths % 10}%"


@bp.get("/progress")
@login_required
def progress_page():
    actor = _actor()
    today = clock.today()
    rows, summary = progress(get_session(), actor, today)
    return render_template("dashboard/progress.html", rows=rows, summary=summary,
                           statuses=STATUSES, today=today)


CSV_HEADER = [N_("街道办事处"), N_("社区"), N_("物业管理区域"), N_("地址"), N_("管理状态"),
              N_("物业服务企业"), N_("业主大会筹备中"), N_("在办案件"), N_("逾期案件"),
              N_("即将到期案件"), N_("类别"), N_("物业管理性质"), N_("入驻时间"), N_("服务内容"),
              N_("物业负责人"), N_("联系电话"), N_("备注")]


@bp.get("/progress.csv")
@login_required
def progress_csv():
    actor = _actor()
    today = clock.today()
    rows, summary = progress(get_session(), actor, today)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([_(h) for h in CSV_HEADER])
    for r in rows:
        p = r.profile
        w.writerow([r.street, r.community, r.estate.name, r.estate.address, tr(r.status),
                    r.enterprise, _("是") if r.preparing else _("否"), r.open_cases, r.overdue,
                    r.due_soon, (p.category or "") if p else "", r.mode,
                    p.enterprise_since.isoformat() if p and p.enterprise_since else "",
                    p.service_content if p else "", p.project_manager if p else "",
                    p.phone if p else "", p.remark if p else ""])
    w.writerow([])
    w.writerow([_("街道办事处"), _("小区总数"), *map(tr, STATUSES), _("物业管理覆盖率"),
                _("业委会组建率"), _("有逾期案件的小区")])
    for d in summary:
        w.writerow([d["street"], d["total"], *(d[k] for k in STATUSES), d["coverage"],
                    d["committee_rate"], d["overdue"]])
    data = "\ufeff" + buf.getvalue()
    fname = f"progress-{today.isoformat()}.csv"
    return Response(data.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f"attachment; filename={fname}; filename*=UTF-8''%E8%B0%83%E5%BA%A6%E8%A1%A8-{today.isoformat()}.csv"})


def show_dashboard() -> bool:
    from flask_login import current_user
    return bool(current_user.is_authenticated and current_user.actor.role in SUPERVISORS)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["show_dashboard"] = show_dashboard

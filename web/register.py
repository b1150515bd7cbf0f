"""The register's pages (台账): street offices keep their estates and see their
committees; the housing bureau its district, enterprises and contracts; the administrator
everything. Thin callers of engine.register_edit, engine.register_io, engine.register and
engine.queries; every change is recorded with its history there."""
from __future__ import annotations

from datetime import date

from flask import (Blueprint, Flask, Response, abort, flash, redirect, render_template,
                   request, url_for)
from flask_login import current_user, login_required

from engine import clock, files as file_store, queries, register as reg, register_edit as edit
from engine import register_io
from engine.access import visible_estates
from engine.errors import EngineError, NotFound, PayloadInvalid
from engine.models import Organisation
from engine.register_models import (CATEGORIES, COMMITTEE_KINDS, COMMITTEE_STATUSES,
                                    CONTRACT_KINDS, FILING_STATUSES, MANAGEMENT_MODES)
from sqlalchemy import select
from web.db import alert_windows, get_session
from web.i18n import _

bp = Blueprint("register", __name__, url_prefix="/register")

FORM_FIELDS = ("name", "province", "address", "community_id", "category", "management_mode",
               "enterprise_id", "enterprise_since", "service_content", "project_manager",
               "phone", "total_area", "total_owners", "designated_on", "designation_notice",
               "remark", "fact_date", "street_office_id")


def _actor():
    return current_user.actor


def _keeper() -> bool:
    return _actor().role in edit.KEEPERS


@bp.before_request
@login_required
def _signed_in():
    return None


@bp.get("/")
def index():
    s, actor = get_session(), _actor()
    today = clock.today()
    estates = [edit.estate_record(s, e) for e in s.scalars(visible_estates(actor))]
    names = {o.id: o.name for o in s.scalars(select(Organisation))}
    return render_template(
        "register/index.html", estates=estates, keeper=_keeper(), today=today,
        committees=edit.committees(s, actor), contracts=edit.contracts(s, actor),
        enterprises=edit.enterprises(s, actor) if actor.role in ("housing_bureau", "admin", "street_office") else [],
        uncovered=queries.uncovered_estates(s, actor, today=today),
        duties=queries.register_duties(s, actor, today=today, windows=alert_windows()),
        names=names, committee_kinds=COMMITTEE_KINDS, committee_statuses=COMMITTEE_STATUSES,
        contract_kinds=CONTRACT_KINDS, filing_statuses=FILING_STATUSES, modes=MANAGEMENT_MODES)


def _choices(s):
    actor = _actor()
    q = select(Organisation).where(Organisation.kind == "community")
    offices = select(Organisation).where(Organisation.kind == "street_office")
    if actor.role == "street_office":
        q = q.where(Organisation.parent_id == actor.org_id)
        offices = offices.where(Organisation.id == actor.org_id)
    elif actor.role == "housing_bureau":
        offices = offices.where(Organisation.parent_id == actor.org_id)
    return {"communities": list(s.scalars(q.order_by(Organisation.name))),
            "offices": list(s.scalars(offices.order_by(Organisation.name))),
            "enterprises": list(s.scalars(select(Organisation).where(Organisation.kind == "enterprise")
                                          .order_by(Organisation.name))),
            "modes": MANAGEMENT_MODES, "categories": CATEGORIES}


def _form_values() -> dict:
    f = request.form
    values = {k: f.get(k, "").strip() for k in FORM_FIELDS if k in f}
    for k in ("community_id", "enterprise_id", "category", "street_office_id", "fact_date",
              "enterprise_since", "designated_on", "total_area", "total_owners"):
        if values.get(k) == "":
            values[k] = None
    if values.get("fact_date") is None:
        values.pop("fact_date", None)
    return values


@bp.route("/estates/new", methods=["GET", "POST"])
def estate_new():
    if not _keeper():
        abort(403, description=_("只有街道办事处、区住房和城乡建设局和系统管理员可以维护台账"))
    s = get_session()
    errors, values = {}, {"management_mode": "无物业管理"}
    if request.method == "POST":
        values = _form_values()
        try:
            e = edit.create_estate(s, _actor(), values)
            s.commit()
            flash(_("已登记物业管理区域 %(name)s", name=e.name), "ok")
            return redirect(url_for("register.index"))
        except PayloadInvalid as exc:
            s.rollback()
            errors = exc.errors
        except EngineError as exc:
            s.rollback()
            errors = {"_schema": [exc.message]}
        flash(_("提交的内容有误，请按提示修改"), "error")
    return render_template("register/estate_form.html", estate=None, errors=errors, values=values,
                           **_choices(s)), (400 if errors else 200)


@bp.route("/estates/<int:estate_id>", methods=["GET", "POST"])
def estate_edit(estate_id: int):
    s = get_session()
    try:
        e = edit.visible_estate(s, _actor(), estate_id)
    except NotFound:
        abort(404)
    errors = {}
    values = {k: ("" if v is None else (v.isoformat() if isinstance(v, date) else v))
              for k, v in edit.estate_record(s, e).items()}
    if request.method == "POST":
        if not _keeper():
            abort(403, description=_("只有街道办事处、区住房和城乡建设局和系统管理员可以维护台账"))
        posted = _form_values()
        posted.pop("street_office_id", None)
        try:
            edit.update_estate(s, _actor(), estate_id, posted)
            s.commit()
            flash(_("已保存，变更已记入台账历史"), "ok")
            return redirect(url_for("register.estate_edit", estate_id=estate_id))
        except PayloadInvalid as exc:
            s.rollback()
            errors = exc.errors
        except EngineError as exc:
            s.rollback()
            errors = {"_schema": [exc.message]}
        values.update(posted)
        flash(_("提交的内容有误，请按提示修改"), "error")
    as_of = request.args.get("as_of")
    try:
        day = date.fromisoformat(as_of) if as_of else clock.today()
    except ValueError:
        day = clock.today()
    changes = [reg.change_dict(c) for c in reg.history(s, e.id, until=day)]
    return render_template("register/estate_form.html", estate=e, errors=errors, values=values,
                           changes=changes, as_of=day, keeper=_keeper(), **_choices(s)), \
        (400 if errors else 200)


@bp.route("/enterprises/new", methods=["GET", "POST"])
def enterprise_new():
    if not _keeper():
        abort(403, description=_("只有街道办事处、区住房和城乡建设局和系统管理员可以维护台账"))
    s = get_session()
    errors, values = {}, {}
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in ("name", "credit_code", "contact", "phone", "address")}
        try:
            org = edit.create_enterprise(s, _actor(), values)
            s.commit()
            flash(_("已登记物业服务企业 %(name)s", name=org.name), "ok")
            return redirect(url_for("register.index") + "#enterprises")
        except PayloadInvalid as exc:
            s.rollback()
            errors = exc.errors
        flash(_("提交的内容有误，请按提示修改"), "error")
    return render_template("register/enterprise_form.html", errors=errors, values=values), \
        (400 if errors else 200)


@bp.route("/import", methods=["GET", "POST"])
def import_page():
    if not _keeper():
        abort(403, description=_("只有街道办事处、区住房和城乡建设局和系统管理员可以维护台账"))
    s = get_session()
    result, sha, filename = None, "", ""
    if request.method == "POST":
        sha = request.form.get("sha256", "")
        if sha:
            try:
                data = file_store.load(s, sha)
            except Exception:       # a stale or forged reference: start again
                data = None
            if data is None:
                flash(_("文件已失效，请重新选择"), "error")
                return redirect(url_for("register.import_page"))
            result = register_io.import_register(s, _actor(), data, apply=True)
            if result.written:
                flash(_("已导入：新建 %(c)s 个，修改 %(m)s 个，未变 %(u)s 个", c=result.created,
                        m=result.changed, u=result.unchanged), "ok")
                return redirect(url_for("register.index"))
        else:
            up = request.files.get("file")
            data = up.read() if up is not None else b""
            filename = up.filename if up is not None else ""
            result = register_io.import_register(s, _actor(), data, apply=False)
            if not result.errors and data:
                sha = file_store.store(s, data)
                s.commit()
    return render_template("register/import.html", result=result, sha=sha, filename=filename,
                           columns=register_io.COLUMNS, optional=register_io.OPTIONAL)


CHANGE_LABELS = {"new_estate": "新登记的物业管理区域", "enterprise_changed": "更换物业服务企业",
                 "became_unmanaged": "变为无物业管理", "committee_formed": "业主委员会（物业管理委员会）成立",
                 "committee_ended": "业主委员会任期届满或解散"}


@bp.get("/changes")
def changes():
    """每月统计辖区住宅小区物业管理变化情况, from the register's history."""
    today = clock.today()
    month = request.args.get("month") or today.strftime("%Y-%m")
    try:
        first = date.fromisoformat(month + "-01")
    except ValueError:
        first = today.replace(day=1)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    from datetime import timedelta
    rows = queries.monthly_changes(get_session(), _actor(), first, nxt - timedelta(days=1))
    return render_template("register/changes.html", rows=rows, month=first.strftime("%Y-%m"),
                           kinds=queries.CHANGE_KINDS, labels={k: _(v) for k, v in CHANGE_LABELS.items()})


@bp.get("/export.<fmt>")
def export(fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    data = register_io.export_register(get_session(), _actor(), fmt)
    today = clock.today().isoformat()
    mime = "text/csv" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, mimetype=mime, headers={
        "Content-Disposition": f"attachment; filename=register-{today}.{fmt}; "
                               f"filename*=UTF-8''%E5%8F%B0%E8%B4%A6-{today}.{fmt}"})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

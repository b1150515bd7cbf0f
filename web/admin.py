"""Administration (role `admin` only): users and organisations, the rule pack of each
estate, and the import of an official holiday arrangement.

Passwords are stored hashed (werkzeug's scrypt/pbkdf2); resetting one ends the user's
sessions and revokes its API tokens (engine.signin.set_password); a user's role must match
the kind of the organisation it acts for (an admin acts for none). The holiday import goes
through engine.calendar_store, which recomputes provisional deadlines.
"""
from __future__ import annotations

import logging

from flask import (Blueprint, Flask, Response, abort, flash, redirect, render_template,
                   request, url_for)
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from engine import calendar_store, clock, signin
from engine.models import Case, Estate, Organisation, User
from engine.roles import ORG_KINDS, ROLES
from engine.rulepacks import PACKS, pack_for_estate
from web.db import get_session
from web.i18n import _, role_label, tr, with_html

log = logging.getLogger(__name__)
bp = Blueprint("admin", __name__, url_prefix="/admin")

USER_ROLES = {k: v for k, v in ROLES.items() if k != "system"}
MIN_PASSWORD = 8


@bp.before_request
@login_required
def _admins_only():
    if not getattr(current_user, "is_admin", False):
        abort(403, description=_("只有系统管理员可以进入系统管理"))


@bp.route("/")
def index():
    s = get_session()
    counts = {
        "users": s.scalar(select(func.count(User.id))),
        "orgs": s.scalar(select(func.count(Organisation.id))),
        "estates": s.scalar(select(func.count(Estate.id))),
        "cases": s.scalar(select(func.count(Case.id))),
    }
    return render_template("admin/index.html", counts=counts)


# -- users ------------------------------------------------------------------------------

def _orgs():
    return get_session().scalars(select(Organisation).order_by(Organisation.kind,
                                                               Organisation.name)).all()


@bp.route("/users")
def users():
    rows = get_session().scalars(select(User).order_by(User.role, User.username)).all()
    return render_template("admin/users.html", users=rows, roles=USER_ROLES)


def _user_form(user: User | None):
    """Validate the posted user form; returns (errors, values)."""
    f = request.form
    v = {
        "username": f.get("username", "").strip(),
        "display_name": f.get("display_name", "").strip(),
        "role": f.get("role", ""),
        "organisation_id": f.get("organisation_id", type=int),
        "email": f.get("email", "").strip(),
        "active": f.get("active") in ("1", "on", "true"),
        "password": f.get("password", ""),
    }
    errors: dict[str, list[str]] = {}
    s = get_session()
    if user is None:
        if not v["username"]:
            errors["username"] = [_("此项为必填项")]
        elif not v["username"].replace("_", "").replace("-", "").replace(".", "").isalnum():
            errors["username"] = [_("用户名只能包含字母、数字、下划线、短横线和点")]
        elif s.scalar(select(User.id).where(User.username == v["username"])):
            errors["username"] = [_("用户名已被使用")]
    if not v["display_name"]:
        errors["display_name"] = [_("此项为必填项")]
    if v["role"] not in USER_ROLES:
        errors["role"] = [_("请选择角色")]
    org = s.get(Organisation, v["organisation_id"]) if v["organisation_id"] else None
    if v["role"] == "admin":
        if org is not None:
            errors["organisation_id"] = [_("系统管理员不属于任何单位")]
    elif v["role"] in ORG_KINDS:
        if org is None:
            errors["organisation_id"] = [_("请选择所属单位")]
        elif org.kind != v["role"]:
            errors["organisation_id"] = [_("单位类型（%(kind)s）与角色不符", kind=role_label(org.kind))]
    if user is None or v["password"]:
        if len(v["password"]) < MIN_PASSWORD:
            errors["password"] = [_("密码至少 %(n)s 位", n=MIN_PASSWORD)]
    if v["email"] and "@" not in v["email"]:
        errors["email"] = [_("电子邮件地址不正确")]
    return errors, v


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    errors, values = {}, {"active": True}
    if request.method == "POST":
        errors, values = _user_form(None)
        if not errors:
            s = get_session()
            u = User(username=values["username"], display_name=values["display_name"],
                     role=values["role"], organisation_id=values["organisation_id"]
                     if values["role"] != "admin" else None,
                     email=values["email"] or None, active=values["active"],
                     password_hash=generate_password_hash(values["password"]))
            s.add(u)
            s.commit()
            flash(_("已创建用户 %(u)s", u=u.username), "ok")
            return redirect(url_for("admin.users"))
        flash(_("提交的内容有误，请按提示修改"), "error")
    return render_template("admin/user_form.html", user=None, errors=errors, values=values,
                           roles=USER_ROLES, orgs=_orgs()), (400 if errors else 200)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    s = get_session()
    user = s.get(User, user_id)
    if user is None:
        abort(404)
    errors = {}
    values = {"username": user.username, "display_name": user.display_name, "role": user.role,
              "organisation_id": user.organisation_id, "email": user.email or "",
              "active": user.active}
    if request.method == "POST":
        errors, posted = _user_form(user)
        posted["username"] = user.username
        if user.id == current_user.user.id and (not posted["active"] or posted["role"] != "admin"):
            errors["role"] = [_("不能停用自己或取消自己的管理员角色")]
        values = posted
        if not errors:
            user.display_name = posted["display_name"]
            user.role = posted["role"]
            user.organisation_id = posted["organisation_id"] if posted["role"] != "admin" else None
            user.email = posted["email"] or None
            user.active = posted["active"]
            if posted["password"]:
                # Ends the user's sessions and revokes every API token.
                signin.set_password(s, user, posted["password"], clock.now())
            s.commit()
            flash(_("已保存用户 %(u)s", u=user.username), "ok")
            return redirect(url_for("admin.users"))
        flash(_("提交的内容有误，请按提示修改"), "error")
    return render_template("admin/user_form.html", user=user, errors=errors, values=values,
                           roles=USER_ROLES, orgs=_orgs()), (400 if errors else 200)


# -- organisations ---------------------------------------------------------------------------

@bp.route("/orgs")
def orgs():
    from flask import current_app
    return render_template("admin/orgs.html", orgs=_orgs(), kinds=ORG_KINDS,
                           has_forms="documents.org_settings" in current_app.view_functions)


def _org_form(org: Organisation | None):
    f = request.form
    v = {"name": f.get("name", "").strip(), "kind": f.get("kind", ""),
         "parent_id": f.get("parent_id", type=int), "email": f.get("email", "").strip()}
    errors: dict[str, list[str]] = {}
    if not v["name"]:
        errors["name"] = [_("此项为必填项")]
    if v["kind"] not in ORG_KINDS:
        errors["kind"] = [_("请选择单位类型")]
    if v["parent_id"]:
        parent = get_session().get(Organisation, v["parent_id"])
        if parent is None or (org is not None and parent.id == org.id):
            errors["parent_id"] = [_("上级单位不正确")]
    if v["email"] and "@" not in v["email"]:
        errors["email"] = [_("电子邮件地址不正确")]
    return errors, v


@bp.route("/orgs/new", methods=["GET", "POST"])
@bp.route("/orgs/<int:org_id>", methods=["GET", "POST"])
def org_edit(org_id: int | None = None):
    s = get_session()
    org = s.get(Organisation, org_id) if org_id else None
    if org_id and org is None:
        abort(404)
    errors = {}
    values = ({"name": org.name, "kind": org.kind, "parent_id": org.parent_id,
               "email": org.email or ""} if org else {})
    if request.method == "POST":
        errors, values = _org_form(org)
        if org is not None and values["kind"] != org.kind and s.scalar(
                select(func.count(User.id)).where(User.organisation_id == org.id)):
            errors["kind"] = [_("该单位已有用户，不能更改单位类型")]
        if not errors:
            if org is None:
                org = Organisation()
                s.add(org)
            org.name, org.kind = values["name"], values["kind"]
            org.parent_id, org.email = values["parent_id"] or None, values["email"] or None
            s.commit()
            flash(_("已保存单位 %(n)s", n=org.name), "ok")
            return redirect(url_for("admin.orgs"))
        flash(_("提交的内容有误，请按提示修改"), "error")
    return render_template("admin/org_form.html", org=org, errors=errors, values=values,
                           kinds=ORG_KINDS, orgs=_orgs()), (400 if errors else 200)


# -- estates: rule pack ---------------------------------------------------------------------------

@bp.route("/estates")
def estates():
    rows = get_session().scalars(select(Estate).order_by(Estate.id)).all()
    return render_template("admin/estates.html", estates=rows, packs=PACKS,
                           choice={e.id: pack_for_estate(e) for e in rows})


@bp.post("/estates/<int:estate_id>/rulepack")
def estate_rulepack(estate_id: int):
    s = get_session()
    estate = s.get(Estate, estate_id)
    if estate is None:
        abort(404)
    pack = request.form.get("rulepack", "")
    if pack and pack not in PACKS:
        flash(_("未知的规则包：%(p)s", p=pack), "error")
        return redirect(url_for("admin.estates")), 303
    estate.rulepack = pack or None
    s.commit()
    flash(_("已更新「%(e)s」适用的规则：%(p)s", e=estate.name, p=tr(pack_for_estate(estate).label)), "ok")
    return redirect(url_for("admin.estates"))


# -- holiday arrangement ---------------------------------------------------------------------------

@bp.get("/calendar/example.toml")
def calendar_example():
    """The example arrangement (engine/data/holidays/2026.toml), whose comments explain
    every key, to download and fill in from the next official notice."""
    from importlib.resources import files
    text = files("engine.data.holidays").joinpath("2026.toml").read_text(encoding="utf-8")
    return Response(text, mimetype="application/toml",
                    headers={"Content-Disposition": "attachment; filename=holidays-example.toml"})


@bp.route("/calendar", methods=["GET", "POST"])
def calendar():
    """Import an official holiday arrangement (the format of engine/data/holidays/*.toml);
    engine.calendar_store stores it and recomputes the provisional deadlines."""
    s = get_session()
    result = None
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("请选择要导入的节假日安排文件"), "error")
            status = 400
        else:
            try:
                text = upload.read().decode("utf-8")
                arr, notice_no = calendar_store.parse_arrangement(
                    text, source=f"管理员上传 {upload.filename}")
                result = calendar_store.import_arrangement(s, arr, notice_no)
            except UnicodeDecodeError:
                flash(_("导入失败：%(e)s", e=_("文件应为 UTF-8 编码的文本")), "error")
                status = 400
            except calendar_store.CalendarFileError as exc:
                s.rollback()
                flash(with_html(_("导入失败：%(e)s"), e=tr(exc.args[0])), "error")
                status = 400
            else:
                flash(_("已导入%(year)s年节假日安排（%(notice)s），重新计算期限 %(n)s 项",
                        year=result.year, notice=result.notice, n=len(result.changes)), "ok")
    years = s.scalars(select(calendar_store.CalendarYear)
                      .order_by(calendar_store.CalendarYear.year.desc())).all()
    return render_template("admin/calendar.html", result=result, years=years), status


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

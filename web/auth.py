"""Sign-in (Flask-Login), CSRF on every form (Flask-WTF), the current actor."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import (LoginManager, UserMixin, current_user, login_required, login_user,
                         logout_user)
from flask_wtf import CSRFProtect
from sqlalchemy import select
from werkzeug.security import check_password_hash

from engine.access import Actor
from engine.models import User
from web.db import get_session

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()


class SessionUser(UserMixin):
    """What Flask-Login keeps per request: the user row and its engine Actor."""

    def __init__(self, user: User):
        self.user = user
        self.id = str(user.id)
        self.actor = Actor.of(user)

    @property
    def is_active(self) -> bool:
        return bool(self.user.active)


@login_manager.user_loader
def _load(user_id: str):
    user = get_session().get(User, int(user_id))
    return SessionUser(user) if user else None


def current_actor() -> Actor:
    return current_user.actor


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        user = get_session().scalar(select(User).where(User.username == username))
        if user is None or not user.active or not check_password_hash(user.password_hash, password):
            flash("用户名或密码不正确", "error")
            return render_template("login.html", username=username), 401
        login_user(SessionUser(user))
        nxt = request.args.get("next") or ""
        # Only same-site relative targets: never an open redirect.
        if not nxt.startswith("/") or nxt.startswith("//") or urlsplit(nxt).netloc:
            nxt = url_for("cases.index")
        return redirect(nxt)
    return render_template("login.html", username="")


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    app.register_blueprint(bp)

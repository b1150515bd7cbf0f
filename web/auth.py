"""Sign-in (Flask-Login), CSRF on every form (Flask-WTF), hardened sessions, the current
actor, and the error pages every blueprint shares.

Session hardening: the session is cleared on sign-in (no fixation) and on sign-out;
cookies are HttpOnly and SameSite=Lax (Secure when `SESSION_COOKIE_SECURE` is set, as it
must be behind HTTPS); sessions expire after `PERMANENT_SESSION_LIFETIME`; Flask-Login's
"strong" protection drops a session whose browser fingerprint changes; a password change
or a disabled account ends every existing session of that user; pages carry
no-store and anti-framing headers.

Wrong passwords are throttled in the database (engine.signin), shared by every process
and host: per account name and per client address, with delays that grow, never a
lock. A browser that has signed in to an account before carries a signed device cookie
and is counted on its own, so nobody can slow an official down by failing at her name.
The same throttle guards `POST /api/v1/tokens` (`Throttle.attempt`).
"""
from __future__ import annotations

import hashlib
import hmac
import math
import secrets

from flask import (Blueprint, Flask, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_login import (LoginManager, UserMixin, current_user, login_required, login_user,
                         logout_user)
from flask_wtf import CSRFProtect
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.security import check_password_hash

from engine import clock, signin
from engine.access import Actor
from engine.models import User
from web.db import get_session
from web.i18n import N_, _
from web.redirects import safe_next

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()

DEVICE_COOKIE = "wuye_device"
DEVICE_DAYS = 180


class Throttle:
    """The sign-in throttle of one app (app.extensions["signin_throttle"]): which keys an
    attempt counts against, and the device cookies that give a known browser its own."""

    def __init__(self, app: Flask):
        self.devices = URLSafeSerializer(app.secret_key or "", salt="signin-device")
        self.secure = bool(app.config.get("SESSION_COOKIE_SECURE"))

    def device_of(self, username: str) -> str | None:
        """The device id in this browser's cookie when it was issued for `username`."""
        raw = request.cookies.get(DEVICE_COOKIE)
        if not raw:
            return None
        try:
            got = self.devices.loads(raw)
        except BadSignature:
            return None
        if isinstance(got, dict) and got.get("u") == username.strip().casefold():
            return str(got.get("d") or "") or None
        return None

    def keys(self, username: str, *, device: bool) -> list[tuple[str, signin.Policy]]:
        dev = self.device_of(username) if device else None
        if dev:
            return [(signin.device_key(dev), signin.DEVICE)]
        return [(signin.account_key(username), signin.ACCOUNT),
                (signin.address_key(request.remote_addr), signin.ADDRESS)]

    def attempt(self, username: str, *, device: bool = True):
        """(seconds to wait, keys): count this attempt, or say how long to wait."""
        keys = self.keys(username, device=device)
        return signin.reserve(get_session(), keys, clock.now()), keys

    def succeeded(self, keys) -> None:
        signin.succeeded(get_session(), [k for k, _p in keys if not k.startswith("address:")])

    def remember_device(self, resp, username: str) -> None:
        if self.device_of(username):
            return
        value = self.devices.dumps({"u": username.strip().casefold(), "d": secrets.token_hex(16)})
        resp.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_DAYS * 86400, httponly=True,
                        samesite="Lax", secure=self.secure)


def throttle() -> Throttle:
    return current_app.extensions["signin_throttle"]


def wait_message(wait: float) -> str:
    return _("尝试次数过多，请 %(n)s 秒后再试", n=max(1, math.ceil(wait)))


class SessionUser(UserMixin):
    """What Flask-Login keeps per request: the user row and its engine Actor."""

    def __init__(self, user: User):
        self.user = user
        # The session remembers the user and a fingerprint of the password hash, so a
        # password change (or reset by the administrator) signs out every old session.
        self.id = f"{user.id}.{_fingerprint(user)}"
        self.actor = Actor.of(user)

    @property
    def is_active(self) -> bool:
        return bool(self.user.active)

    @property
    def is_admin(self) -> bool:
        return self.user.role == "admin"


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


@login_manager.user_loader
def _load(session_id: str):
    uid, _, fp = (session_id or "").partition(".")
    try:
        user = get_session().get(User, int(uid))
    except (TypeError, ValueError):
        return None
    if user is None or not user.active or not hmac.compare_digest(fp, _fingerprint(user)):
        return None
    return SessionUser(user)


def current_actor() -> Actor:
    return current_user.actor


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()[:80]
        password = request.form.get("password") or ""
        wait, keys = throttle().attempt(username)
        if wait:
            flash(wait_message(wait), "error")
            resp = current_app.make_response((render_template("login.html", username=username), 429))
            resp.headers["Retry-After"] = str(max(1, math.ceil(wait)))
            return resp
        user = get_session().scalar(select(User).where(User.username == username))
        if user is None or not user.active or not check_password_hash(user.password_hash, password):
            flash(_("用户名或密码不正确"), "error")
            return render_template("login.html", username=username), 401
        throttle().succeeded(keys)
        lang = session.get("lang")
        session.clear()                       # a new session: no fixation
        if lang:
            session["lang"] = lang
        session.permanent = True
        login_user(SessionUser(user))
        resp = redirect(safe_next(request.args.get("next"), url_for("home.index")))
        throttle().remember_device(resp, username)
        return resp
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    return render_template("login.html", username="")


@bp.post("/logout")
@login_required
def logout():
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("您已退出登录"), "ok")
    return redirect(url_for("auth.login"))


def _error_page(status: int, message: str):
    if request.path.startswith("/api/"):
        from flask import jsonify
        return jsonify({"error": message}), status
    return render_template("error.html", status=status, message=message), status


def _security_headers(resp):
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("X-Frame-Options", "DENY")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    resp.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'")
    # The API never reads the session cookie (its answers are never cached either).
    if not request.path.startswith(("/static/", "/api/")) and current_user \
            and getattr(current_user, "is_authenticated", False):
        resp.headers["Cache-Control"] = "no-store"
    return resp


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_NAME", "wuye_session")
    app.extensions["signin_throttle"] = Throttle(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("请先登录")
    login_manager.localize_callback = _
    login_manager.login_message_category = "error"
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    app.register_blueprint(bp)
    app.after_request(_security_headers)

    @app.errorhandler(CSRFError)
    def _csrf(_e):
        return _error_page(400, _("页面已过期或来源不明（安全校验失败），请刷新页面后重试"))

    @app.errorhandler(403)
    def _forbidden(e):
        return _error_page(403, getattr(e, "description", None) if _custom(e)
                           else _("您无权进行此操作"))

    @app.errorhandler(404)
    def _not_found(e):
        return _error_page(404, getattr(e, "description", None) if _custom(e)
                           else _("页面不存在，或您无权查看"))

    @app.errorhandler(500)
    def _server_error(_e):
        return _error_page(500, _("系统出错，未能完成操作；请稍后重试，如仍出现请联系系统管理员"))

    @app.errorhandler(405)
    def _method(_e):
        return _error_page(405, _("不支持这种访问方式，请从页面上的按钮操作"))

    @app.errorhandler(413)
    def _too_large(_e):
        mb = (app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
        return _error_page(413, _("上传的文件过大（不能超过 %(mb)s MB）", mb=mb))


def _custom(e) -> bool:
    from werkzeug.exceptions import HTTPException
    d = getattr(e, "description", None)
    return bool(d) and d != type(e).description and isinstance(e, HTTPException)

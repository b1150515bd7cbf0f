"""Language and time on the pages: Chinese first, English available; Beijing time.

Page texts are written in Chinese in the templates and code and wrapped in `_()`; when a
user switches to English, `_()` looks the sentence up in `web.i18n_en.EN` (an untranslated
sentence stays Chinese rather than failing). Flask-Babel gets the locale (the user's
choice in the session, else Chinese) and the time zone.

Dates are Asia/Shanghai dates; a deadline's last day is written the Chinese way
(2026年10月8日) with the days left or overdue beside it.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from urllib.parse import urlsplit

from flask import Blueprint, Flask, redirect, request, session, url_for
from flask_babel import Babel

from engine import clock
from engine.legaltime import TZ
from engine.roles import role_label as _zh_role_label
from engine.timefmt import cn_date

LANGS = {"zh": "中文", "en": "English"}
DEFAULT = "zh"

bp = Blueprint("i18n", __name__)
babel = Babel()


def _select_locale() -> str:
    # Chinese first: English only when the user chose it (the switch in the top bar).
    return lang()


def _has_request() -> bool:
    from flask import has_request_context
    return has_request_context()


def lang() -> str:
    """The current page language: 'zh' or 'en'."""
    if not _has_request():
        return DEFAULT
    chosen = session.get("lang")
    if chosen in LANGS:
        return chosen
    return DEFAULT


def _(text: str, **kw) -> str:
    """Translate a Chinese page text; `{name}` placeholders are filled from `kw`."""
    if lang() == "en":
        from web.i18n_en import EN
        text = EN.get(text, text)
    return text.format(**kw) if kw else text


gettext = _


# -- labels -------------------------------------------------------------------------

ROLE_EN = {
    "housing_bureau": "District housing bureau", "street_office": "Street office",
    "community": "Community committee", "enterprise": "Property-service enterprise",
    "developer": "Developer", "committee": "Owners' committee", "admin": "Administrator",
    "system": "System",
}


def role_label(role: str) -> str:
    if lang() == "en":
        return ROLE_EN.get(role, role)
    return _zh_role_label(role)


def proc_title(defn) -> str:
    if defn is None:
        return ""
    if lang() == "en" and getattr(defn, "title_en", ""):
        return defn.title_en
    return defn.title


def state_label(defn, state: str) -> str:
    try:
        s = defn.state(state)
    except (KeyError, AttributeError):
        return state
    if lang() == "en" and s.label_en:
        return s.label_en
    return s.label


def action_label(t) -> str:
    if lang() == "en" and getattr(t, "label_en", ""):
        return t.label_en
    return t.label


# -- dates ---------------------------------------------------------------------------

def today() -> date:
    """Today in Beijing (engine.clock, the one clock)."""
    return clock.today()


def local(ts: datetime) -> datetime:
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=timezone.utc)
    return ts.astimezone(TZ)


def zh_date(d) -> str:
    """2026年10月8日 (the way a deadline's last day is written on pages and forms)."""
    if d is None or d == "":
        return ""
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    if isinstance(d, datetime):
        d = local(d).date()
    return cn_date(d)


def local_date(ts) -> date:
    """The Beijing calendar day of a stored moment."""
    return local(ts).date()


def today_iso() -> str:
    return clock.today().isoformat()


def zh_datetime(ts) -> str:
    if ts is None:
        return ""
    t = local(ts)
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"


def show_date(d) -> str:
    """A date in the page language (Chinese way, or ISO in English)."""
    if d is None or d == "":
        return ""
    if lang() == "en":
        if isinstance(d, datetime):
            d = local(d).date()
        return str(d)[:10]
    return zh_date(d)


def show_datetime(ts) -> str:
    if ts is None:
        return ""
    if lang() == "en":
        return local(ts).strftime("%Y-%m-%d %H:%M")
    return zh_datetime(ts)


def days_until(due: date, ref: date | None = None) -> int:
    """Calendar days from today (Beijing) to the last day; negative when overdue."""
    return (due - (ref or today())).days


def days_text(due: date, ref: date | None = None) -> str:
    """还剩 N 天 / 今日届满 / 逾期 N 天 (a deadline ends at 24:00 of its last day)."""
    ref = ref or today()
    if lang() == "zh":
        try:
            from engine.timefmt import remaining  # 剩余 N 天（M 个工作日）/ 今天到期 / 逾期 N 天
        except ImportError:
            pass
        else:
            return remaining(due, ref)
    n = days_until(due, ref)
    if n > 0:
        return _("还剩 {n} 天", n=n)
    if n == 0:
        return _("今日届满")
    return _("逾期 {n} 天", n=-n)


def filesize(n) -> str:
    n = int(n or 0)
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


# -- the switch -----------------------------------------------------------------------

def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return url_for("home.index")
    return target


@bp.get("/lang/<code>")
def switch(code: str):
    if code in LANGS:
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))


def init_app(app: Flask) -> None:
    babel.init_app(app, default_locale="zh", default_timezone="Asia/Shanghai",
                   locale_selector=_select_locale)
    app.jinja_env.globals.update(_=_, lang=lang, LANGS=LANGS, proc_title=proc_title,
                                 state_label=state_label, action_label=action_label,
                                 days_text=days_text, days_until=days_until, today_iso=today_iso)
    app.jinja_env.filters.update(zh_date=zh_date, zh_datetime=zh_datetime,
                                 role_label=role_label, show_date=show_date,
                                 show_datetime=show_datetime, filesize=filesize, local_date=local_date)
    app.register_blueprint(bp)

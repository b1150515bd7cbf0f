"""Language and time on the pages: Chinese first, English available; Beijing time.

Two sources of English, one rule each (docs/translations.md):

- The web's own texts (templates, flash messages, labels in web/*.py) are written in
  Chinese and wrapped in `_()` — Flask-Babel's gettext. The Chinese sentence is the
  message id; the English lives in the gettext catalog
  `web/translations/en/LC_MESSAGES/messages.po`, compiled to `messages.mo` when the app
  starts (`compile_catalogs`). Placeholders are gettext's: `_("共 %(n)s 件", n=total)`.
  A module-level text is marked with `N_()` and translated where it is shown.
- Texts of the declarations (workflows/) and of the engine carry their English beside the
  Chinese: `title_en` / `label_en` fields and `engine.bilingual.Bi` strings. `tr()` and the
  label helpers below pick the side of the page's language.

Flask-Babel gets the locale (the user's choice in the session, else Chinese) and the time
zone. Dates are Asia/Shanghai dates: a deadline's last day is written the Chinese way
(2026年10月8日) in Chinese and as ISO (2026-10-08) in English.
"""
from __future__ import annotations

import os
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, has_request_context, redirect, request, session, url_for
from flask_babel import Babel, gettext
from markupsafe import Markup, escape

from engine import clock
from engine.bilingual import EMBED_END, EMBED_START, english, labelled
from engine.legaltime import TZ
from engine.roles import role_label as _role_label
from engine.timefmt import cn_date, remaining

LANGS = {"zh": "中文", "en": "English"}
DEFAULT = "zh"
CATALOGS = Path(__file__).parent / "translations"

bp = Blueprint("i18n", __name__)
babel = Babel()

_ = gettext


def with_html(message: str, **values) -> Markup:
    """Fill a translated message (`_("…%(e)s")`) with values that may be HTML already
    (what `tr()` returns with data marked in it); every other value is escaped."""
    return Markup(escape(message)) % values


def N_(text: str) -> str:
    """Mark a text for the catalog without translating it here (gettext_noop): it is
    translated with `_()` where it is shown."""
    return text


def lang() -> str:
    """The current page language: 'zh' or 'en'."""
    if not has_request_context():
        return DEFAULT
    chosen = session.get("lang")
    return chosen if chosen in LANGS else DEFAULT


def tr(text) -> str:
    """An engine or declaration text in the page language (`Bi` → its English side);
    a plain string (a name, a number, a user's words) as it is. Values the English quotes
    as they are (`engine.bilingual.embed`) come out marked as data (HTML)."""
    if text is None:
        return ""
    if lang() != "en":
        return text if isinstance(text, Markup) else str(text)
    text = english(text)
    if not isinstance(text, str) or EMBED_START not in text:
        return text
    return Markup(str(escape(text)).replace(EMBED_START, '<span translate="no">')
                  .replace(EMBED_END, "</span>"))


def datum(value) -> Markup:
    """A data value (a name, an address, a user's words, a quoted article) shown as it
    is in every language: marked `translate="no"` so translators (and the English-mode
    test) leave it alone."""
    return Markup('<span translate="no">%s</span>') % ("" if value is None else value)


# -- labels of the declarations ---------------------------------------------------------

def label_of(decl, attr: str = "label") -> str:
    """A declaration's `label` / `title` … in the page language (its `…_en` in English)."""
    return tr(labelled(decl, attr))


def role_label(role: str) -> str:
    return tr(_role_label(role))


def proc_title(defn) -> str:
    return "" if defn is None else label_of(defn, "title")


def state_label(defn, state: str) -> str:
    try:
        return label_of(defn.state(state))
    except (KeyError, AttributeError):
        return state


def action_label(t) -> str:
    return label_of(t)


def deadline_label(defn, key: str, stored: str) -> str:
    """A deadline's label as its row stored it when the period started (`stored`) or, in
    English, the English of the procedure's declaration of that deadline (`key`)."""
    if lang() != "en":
        return stored
    try:
        return label_of(defn.deadline(key))
    except (KeyError, AttributeError):
        return stored


def deadline_consequence(defn, key: str) -> str:
    try:
        return label_of(defn.deadline(key), "consequence")
    except (KeyError, AttributeError):
        return ""


def document_title(doc) -> str:
    """An issued document's title as printed on it, or in English its declaration's
    `title_en` (the document itself stays Chinese)."""
    if lang() == "en":
        from engine.errors import EngineError
        from forms.issuer import document_spec
        try:
            return document_spec(doc.case, doc.kind).title_en or doc.title
        except (KeyError, EngineError):
            return doc.title
    return doc.title or doc.kind


def field_label(field, name: str = "") -> str:
    meta = field.metadata
    zh = meta.get("label", name)
    return (meta.get("label_en") or zh) if lang() == "en" else zh


def field_help(field) -> str:
    meta = field.metadata
    if lang() == "en":
        return meta.get("help_en") or meta.get("help", "")
    return meta.get("help", "")


# -- dates ---------------------------------------------------------------------------

def today() -> date:
    """Today in Beijing (engine.clock, the one clock)."""
    return clock.today()


def local(ts: datetime) -> datetime:
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=timezone.utc)
    return ts.astimezone(TZ)


def _as_date(d) -> date:
    if isinstance(d, str):
        return date.fromisoformat(d[:10])
    if isinstance(d, datetime):
        return local(d).date()
    return d


def zh_date(d) -> str:
    """2026年10月8日 (the way a deadline's last day is written on pages and forms)."""
    if d is None or d == "":
        return ""
    return cn_date(_as_date(d))


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
        return _as_date(d).isoformat()
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
    """剩余 N 天（M 个工作日）/ 今天到期 / 逾期 N 天 (a deadline ends at 24:00 of its last day)."""
    return tr(remaining(due, ref or today()))


def filesize(n) -> str:
    n = int(n or 0)
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


# -- the catalogs ----------------------------------------------------------------------

def compile_catalogs(source: Path = CATALOGS, target: Path | None = None) -> Path:
    """Compile every `messages.po` under `source` to its `messages.mo` when the .mo is
    missing or older, and return the directory holding the compiled catalogs. The .mo
    files are build products (not in the repository); when the package directory is
    read-only they go to `target` instead (the instance folder)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    out = source
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if target is not None and not os.access(po.parent, os.W_OK):
            out = target
            mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parts[-3])
        mo.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed: processes starting together never read half a file.
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as f:
            write_mo(f, catalog)
        os.replace(tmp, mo)
    return out


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
    compiled = compile_catalogs(CATALOGS, Path(app.instance_path) / "translations")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(compiled))
    babel.init_app(app, default_locale=DEFAULT, default_timezone="Asia/Shanghai",
                   locale_selector=lang)
    app.jinja_env.globals.update(
        lang=lang, LANGS=LANGS, tr=tr, label_of=label_of, proc_title=proc_title,
        state_label=state_label, action_label=action_label, deadline_label=deadline_label,
        document_title=document_title,
        field_label=field_label, field_help=field_help, days_text=days_text,
        days_until=days_until, today_iso=today_iso)
    app.jinja_env.filters.update(zh_date=zh_date, zh_datetime=zh_datetime, tr=tr, datum=datum,
                                 role_label=role_label, show_date=show_date,
                                 show_datetime=show_datetime, filesize=filesize, local_date=local_date)
    app.register_blueprint(bp)


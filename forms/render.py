"""HTML templates → PDF with WeasyPrint.

One Jinja environment for every form. A value that is missing from a case renders as
"—" (never an error): procedures are declared independently of the forms, so a template
must print whatever it is given.
"""
from __future__ import annotations

import threading
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import jinja2
import segno

from engine.legaltime import TZ
from forms import fonts

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
DASH = "—"


class Dash(jinja2.ChainableUndefined):
    """Undefined that prints as a dash, chains through attributes and items."""
    __slots__ = ()

    def __str__(self) -> str:
        return DASH

    def __html__(self) -> str:
        return DASH

    def __iter__(self):
        return iter(())

    def __bool__(self) -> bool:
        return False


def _finalize(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return DASH
    return value


def zh_date(value: Any) -> str:
    """2026年10月8日 (Beijing date for datetimes); "—" when missing or unreadable."""
    if value is None or isinstance(value, jinja2.Undefined) or value == "":
        return DASH
    try:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=timezone.utc)
            value = value.astimezone(TZ).date()
        elif isinstance(value, str):
            value = date.fromisoformat(value[:10])
        if isinstance(value, date):
            return f"{value.year}年{value.month}月{value.day}日"
    except (TypeError, ValueError):
        pass
    return str(value)


def zh_count(value: Any) -> str:
    if value is None or isinstance(value, jinja2.Undefined) or value == "":
        return DASH
    return str(value)


def dash(value: Any) -> Any:
    return _finalize(value) if not isinstance(value, jinja2.Undefined) else DASH


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=Dash, finalize=_finalize, trim_blocks=True, lstrip_blocks=True)
_env.filters.update(zh_date=zh_date, zh_count=zh_count, dash=dash)


def env() -> jinja2.Environment:
    return _env


def qr_src(url: str) -> str:
    """QR code of the verification address, as a small vector image."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#000",
                                                   omitsize=False)


_css_text: str | None = None


def stylesheet() -> str:
    global _css_text
    if _css_text is None:
        _css_text = fonts.font_css() + "\n" + (TEMPLATES / "form.css").read_text("utf-8")
    return _css_text


def render_html(template: str, ctx: dict) -> str:
    return _env.get_template(template).render(css=stylesheet(),
                                              font_family=fonts.font_family(), **ctx)


# WeasyPrint's font configuration keeps the @font-face files it has registered, so one
# shared instance saves re-registering the trimmed CJK faces for every document. Pango is
# not re-entrant enough to share it between threads: render one document at a time.
_render_lock = threading.Lock()
_font_config = None


def html_to_pdf(html: str) -> bytes:
    global _font_config
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    with _render_lock:
        if _font_config is None:
            _font_config = FontConfiguration()
        return weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf(
            font_config=_font_config)


def render_pdf(template: str, ctx: dict) -> bytes:
    return html_to_pdf(render_html(template, ctx))

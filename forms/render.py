"""HTML templates → PDF with WeasyPrint.

One Jinja environment for every form. A value that is missing from a case renders as
"—" (never an error): procedures are declared independently of the forms, so a template
must print whatever it is given.
"""
from __future__ import annotations

import atexit
import threading
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import jinja2
import segno

from engine.legaltime import TZ
from engine.timefmt import cn_date
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
            return cn_date(value)
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
    """QR code of the verification address: one pixel per module, printed with
    `image-rendering: pixelated` so every module stays a sharp square (a vector path
    costs WeasyPrint ~40 ms a page to parse; this costs nothing and weighs < 1 KB)."""
    return segno.make(url, error="m").png_data_uri(scale=1, border=0)


_form_css: str | None = None


def stylesheet() -> str:
    global _form_css
    if _form_css is None:
        _form_css = (TEMPLATES / "form.css").read_text("utf-8")
    return fonts.font_css() + "\n" + _form_css


def render_html(template: str, ctx: dict) -> str:
    tmpl = _env.get_template(template)
    html = tmpl.render(css=stylesheet(), font_family=fonts.font_family(), **ctx)
    if fonts.ensure_covered(html):       # a rare character: faces rebuilt, render again
        html = tmpl.render(css=stylesheet(), font_family=fonts.font_family(), **ctx)
    return html


# WeasyPrint's font configuration keeps the @font-face files it has registered, so one
# shared instance saves re-registering the trimmed CJK faces for every document. Pango is
# not re-entrant enough to share it between threads: render one document at a time.
_render_lock = threading.Lock()
_font_config = None


# WeasyPrint's image cache, shared between documents so an organisation's seal is decoded
# once. WeasyPrint also keeps the images' encoded data in it while it writes a PDF, so it
# is only ever emptied between two documents (when it has grown), never during one.
_image_cache: dict = {}
IMAGE_CACHE_LIMIT = 200

# Pictures that recur in many documents (an organisation's seal) are handed to WeasyPrint
# under a short URL instead of a 100 KB data: URI in the HTML, so the page parses faster
# and the decoded picture is reused from the image cache.
_blobs: dict[str, tuple[bytes, str]] = {}


def blob_url(data: bytes, mime: str) -> str:
    import hashlib
    key = "wuye-blob:" + hashlib.sha1(data).hexdigest()
    if key not in _blobs:
        if len(_blobs) > 256:
            _blobs.clear()
        _blobs[key] = (data, mime)
    return key


_fetcher = None


def _url_fetcher():
    """WeasyPrint's URL fetcher, also answering our short wuye-blob: URLs."""
    global _fetcher
    if _fetcher is None:
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        class Fetcher(URLFetcher):
            def fetch(self, url, headers=None):
                if url.startswith("wuye-blob:") and url in _blobs:
                    data, mime = _blobs[url]
                    return URLFetcherResponse(url, data, {"Content-Type": mime})
                return super().fetch(url, headers)

        _fetcher = Fetcher()
    return _fetcher


def _release() -> None:
    """Drop the shared font configuration while its libraries are still loaded (its
    finaliser fails noisily if it runs during interpreter shutdown)."""
    global _font_config
    _font_config = None


def html_to_pdf(html: str) -> bytes:
    global _font_config
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    with _render_lock:
        if _font_config is None:
            _font_config = FontConfiguration()
            atexit.register(_release)
        if len(_image_cache) > IMAGE_CACHE_LIMIT:
            _image_cache.clear()
        return weasyprint.HTML(string=html, base_url=str(TEMPLATES),
                               url_fetcher=_url_fetcher()).write_pdf(
            font_config=_font_config, cache=_image_cache)


def render_pdf(template: str, ctx: dict) -> bytes:
    return html_to_pdf(render_html(template, ctx))

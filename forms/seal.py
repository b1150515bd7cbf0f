"""The issuing organisation's round red seal (公章).

Drawn as SVG from the organisation's name the way a government seal is cut: a double-weight
red ring, a five-pointed star in the centre, the name running clockwise along the upper
arc, characters upright towards the rim. An administrator may upload a scanned seal
instead (PNG/JPEG, stored on the organisation's form settings, downscaled on upload).
"""
from __future__ import annotations

import base64
import functools
import io
import math
import threading
from html import escape
from typing import Optional

from engine.bilingual import Bi

SEAL_RED = "#d9001b"
MAX_UPLOAD = 2 * 1024 * 1024
SEAL_PIXELS = 360


def _star(cx: float, cy: float, r: float) -> str:
    pts = []
    for i in range(10):
        rad = r if i % 2 == 0 else r * 0.382
        a = math.radians(-90 + i * 36)
        pts.append(f"{cx + rad * math.cos(a):.2f},{cy + rad * math.sin(a):.2f}")
    return " ".join(pts)


_glyph_font = None
_glyph_generation = -1
_glyph_lock = threading.Lock()


def _outline_font():
    """fontTools view of the bold trimmed face (None when unavailable)."""
    global _glyph_font, _glyph_generation
    from forms import fonts
    with _glyph_lock:
        if _glyph_font is None or _glyph_generation != fonts.generation:
            _glyph_generation = fonts.generation
            _glyph.cache_clear()
            try:
                from fontTools.ttLib import TTFont
                path = fonts.trimmed_face("bold")
                _glyph_font = TTFont(str(path), lazy=True) if path else False
            except Exception:
                _glyph_font = False
        return _glyph_font or None


@functools.lru_cache(maxsize=2048)
def _glyph(ch: str) -> tuple[str, int, int] | None:
    """(SVG path data in font units, advance width, units per em) of one character."""
    font = _outline_font()
    if font is None:
        return None
    from fontTools.pens.svgPathPen import SVGPathPen
    with _glyph_lock:
        gname = font.getBestCmap().get(ord(ch))
        if gname is None:
            return None
        gs = font.getGlyphSet()
        pen = SVGPathPen(gs)
        gs[gname].draw(pen)
        return pen.getCommands(), gs[gname].width, font["head"].unitsPerEm


def _char(ch: str, fs: float, baseline_r: float, angle: float) -> str:
    """One character of the name, drawn as outlines (so the seal adds no text to the
    page: copying or extracting the document's text is not disturbed by it)."""
    g = _glyph(ch)
    if g is None:
        return (f'<g transform="translate(100 100) rotate({angle:.2f})">'
                f'<text x="0" y="{-baseline_r:.2f}" font-size="{fs:.1f}">{escape(ch)}</text></g>')
    d, adv, upem = g
    k = fs / upem
    return (f'<g transform="translate(100 100) rotate({angle:.2f}) '
            f'translate({-adv * k / 2:.2f} {-baseline_r:.2f}) scale({k:.5f} {-k:.5f})">'
            f'<path d="{d}"/></g>')


def seal_svg(name: str, font_family: str = "serif", *, bottom: str = "") -> str:
    """SVG markup (200×200 user units) of a round seal for `name`."""
    from forms import fonts
    fonts.ensure_covered(name or "")
    chars = [c for c in (name or "").strip() if not c.isspace()] or ["印"]
    n = len(chars)
    # The name spans a wider arc the longer it is, up to 260° (as on real seals).
    span = min(260.0, max(120.0, n * 24.0))
    fs = 27.0 if n <= 8 else (24.0 if n <= 12 else max(15.0, 24.0 * 12 / n))
    baseline_r = 86.0 - 0.88 * fs
    step = span / (n - 1) if n > 1 else 0.0
    start = -span / 2 if n > 1 else 0.0
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200">',
        f'<g fill="{SEAL_RED}" stroke="none" font-family="{escape(font_family, quote=True)}" '
        f'font-weight="bold" text-anchor="middle">',
        f'<circle cx="100" cy="100" r="95" fill="none" stroke="{SEAL_RED}" stroke-width="6"/>',
        f'<polygon points="{_star(100, 100, 33)}"/>',
    ]
    for i, ch in enumerate(chars):
        a = start + i * step
        parts.append(_char(ch, fs, baseline_r, a))
    if bottom:
        parts.append(f'<text x="100" y="158" font-size="15">{escape(bottom)}</text>')
    parts.append("</g></svg>")
    return "".join(parts)


@functools.lru_cache(maxsize=256)
def seal_png(name: str, pixels: int = 360) -> Optional[bytes]:
    """The same seal as a transparent PNG (drawn at 2× and downsampled for smooth
    edges). Printed forms use it: WeasyPrint parses vector paths in Python at every
    render, which cost ~40 ms a page for the eleven outlined characters of a name; the
    picture is drawn once per organisation and process. 360 px over 40 mm is 230 dpi,
    the resolution of a good scan of a stamped paper."""
    from forms import fonts
    fonts.ensure_covered(name or "")
    path = fonts.trimmed_face("bold")
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:       # pragma: no cover
        return None
    chars = [c for c in (name or "").strip() if not c.isspace()] or ["印"]
    n = len(chars)
    big = pixels * 2
    k = big / 200.0                      # SVG user units -> pixels
    red = (217, 0, 27, 255)
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    r_out, w = 95 * k, 6 * k
    draw.ellipse([100 * k - r_out - w / 2, 100 * k - r_out - w / 2,
                  100 * k + r_out + w / 2, 100 * k + r_out + w / 2], outline=red, width=round(w))
    pts = [tuple(float(v) * k for v in p.split(",")) for p in _star(100, 100, 33).split()]
    draw.polygon(pts, fill=red)
    span = min(260.0, max(120.0, n * 24.0))
    fs = 27.0 if n <= 8 else (24.0 if n <= 12 else max(15.0, 24.0 * 12 / n))
    baseline_r = 86.0 - 0.88 * fs
    step = span / (n - 1) if n > 1 else 0.0
    start = -span / 2 if n > 1 else 0.0
    try:
        font = ImageFont.truetype(str(path), round(fs * k)) if path else ImageFont.load_default()
    except OSError:
        font = ImageFont.load_default()
    cell = round(fs * k * 1.6)
    for i, ch in enumerate(chars):
        a = start + i * step
        glyph = Image.new("RGBA", (cell, cell), (0, 0, 0, 0))
        # Baseline at the cell's centre, horizontally centred: rotating about the centre
        # then puts the baseline's midpoint on the circle of radius baseline_r.
        ImageDraw.Draw(glyph).text((cell / 2, cell / 2), ch, font=font, fill=red, anchor="ms")
        glyph = glyph.rotate(-a, resample=Image.BICUBIC)
        rad = math.radians(a)
        cx = 100 * k + baseline_r * k * math.sin(rad)
        cy = 100 * k - baseline_r * k * math.cos(rad)
        img.alpha_composite(glyph, (round(cx - cell / 2), round(cy - cell / 2)))
    img = img.resize((pixels, pixels), Image.LANCZOS)
    # One flat red under an alpha mask: the colour plane compresses to almost nothing.
    alpha = img.getchannel("A")
    flat = [Image.new("L", img.size, v) for v in red[:3]]
    img = Image.merge("RGBA", (*flat, alpha))
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def normalise_upload(data: bytes) -> tuple[bytes, str]:
    """Check an uploaded seal image and return (PNG bytes, content type).

    Raises ValueError whose message (an `engine.bilingual.Bi`) says why, for anything that
    is not a usable image."""
    if not data:
        raise ValueError(Bi("请选择印章图片文件", "Choose a seal image file"))
    if len(data) > MAX_UPLOAD:
        raise ValueError(Bi("印章图片不能超过 2 MB", "The seal image must not exceed 2 MB"))
    try:
        from PIL import Image
        img = Image.open(io.BytesIO(data))
        img.load()
    except Exception:
        raise ValueError(Bi("无法识别的图片，请上传 PNG 或 JPEG 格式的印章图片",
                            "Unrecognised image; upload the seal as PNG or JPEG")) from None
    if img.format not in ("PNG", "JPEG"):
        raise ValueError(Bi("请上传 PNG 或 JPEG 格式的印章图片", "Upload the seal as PNG or JPEG"))
    img = img.convert("RGBA")
    img.thumbnail((SEAL_PIXELS, SEAL_PIXELS))
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue(), "image/png"


def seal_src(name: str, font_family: str, image: Optional[bytes] = None,
             content_type: Optional[str] = None, *, vector: bool = False) -> str:
    """The `src` of the seal's <img>: the uploaded image, else the drawn seal (PNG for
    print, SVG when `vector` — e.g. for a browser's preview)."""
    if image:
        if not vector:
            from forms.render import blob_url
            return blob_url(image, content_type or "image/png")
        return f"data:{content_type or 'image/png'};base64," + base64.b64encode(image).decode("ascii")
    if not vector:
        png = seal_png(name)
        if png:
            from forms.render import blob_url
            return blob_url(png, "image/png")
    return svg_data_uri(seal_svg(name, font_family))

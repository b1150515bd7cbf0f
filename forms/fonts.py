"""Fonts for printed forms: Noto CJK, subset with HarfBuzz.

Why this module exists: a Noto CJK face lives in a 20-27 MB TrueType collection with
65 535 glyphs. WeasyPrint (70) copies the whole face into Python for every face of every
document and subsets it twice, at a cost that grows with the face's glyph count; with the
HarfBuzz subsetter (`libharfbuzz-subset0`) that is tens of milliseconds a face, without
it WeasyPrint falls back to fontTools and a page takes seconds (it decides in
`weasyprint.pdf.fonts.Font.subset`: libharfbuzz-subset loaded and HarfBuzz >= 4.1.0).

So once per machine we cut the two faces the forms use (Noto Serif CJK SC regular and
bold) down to Latin, punctuation, symbols and the 6 763 hanzi of GB 2312 (about 8 000
glyphs), with HarfBuzz, in about a second, and cache the files. A rarer character met in
a document (浉 of 浉河区, say) is added to the machine's extra set and the faces are
rebuilt once. The CSS names the trimmed faces first and the installed Noto families after
them, so any character still prints (Pango falls back to the full font for it).
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Optional

log = logging.getLogger(__name__)

NOTO_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk",
             "/usr/share/fonts/google-noto-cjk", "/usr/local/share/fonts")
FACES = {   # our family weight -> (collection file, family name of the face in it)
    "regular": ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    "bold": ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),
}
FAMILY = "WuyeSerif"
FALLBACK = "'Noto Serif CJK SC', 'Noto Sans CJK SC', 'Source Han Serif SC', serif"
RANGES = [(0x20, 0x7E), (0xA0, 0x17F), (0x2000, 0x206F), (0x2100, 0x218F),
          (0x2190, 0x21FF), (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x26FF),
          (0x3000, 0x303F), (0x3200, 0x32FF), (0x4E00, 0x9FA5), (0xFE30, 0xFE4F),
          (0xFF00, 0xFFEF)]
SUBSET_VERSION = "2"

_lock = threading.Lock()
_css: Optional[str] = None


# -- environment checks -----------------------------------------------------------------

def harfbuzz_subsetter_ok() -> bool:
    """True when WeasyPrint will subset fonts with HarfBuzz (its own test, v70:
    libharfbuzz-subset loaded and HarfBuzz >= 4.1.0)."""
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    except Exception:       # pragma: no cover - WeasyPrint missing altogether
        return False
    try:
        return bool(harfbuzz_subset) and bool(harfbuzz.hb_version_atleast(4, 1, 0))
    except Exception:       # pragma: no cover
        return False


def find_face_file(name: str) -> Optional[Path]:
    for d in NOTO_DIRS:
        p = Path(d) / name
        if p.exists():
            return p
    return None


def cjk_fonts_ok() -> bool:
    return all(find_face_file(f) for f, _ in FACES.values())


def environment_problems() -> list[str]:
    """Chinese sentences naming what is missing for fast, correct forms."""
    out = []
    if not harfbuzz_subsetter_ok():
        out.append("缺少 HarfBuzz 字体子集库（Debian 软件包 libharfbuzz-subset0）：WeasyPrint 将改用 "
                   "fontTools 子集化，每页中文文书需要数秒。请执行 apt-get install libharfbuzz-subset0")
    if not cjk_fonts_ok():
        out.append("缺少 Noto CJK 中文字体（Debian 软件包 fonts-noto-cjk）：打印文书将无法正确显示中文。"
                   "请执行 apt-get install fonts-noto-cjk")
    return out


# -- trimmed faces ----------------------------------------------------------------------

def cache_dir() -> Path:
    root = os.environ.get("WUYE_FONT_CACHE")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    p = Path(base) / "wuye-forms" / "fonts"
    try:
        p.mkdir(parents=True, exist_ok=True)
        return p
    except OSError:
        return Path(tempfile.gettempdir()) / f"wuye-forms-fonts-{os.getuid()}"


def _face_index(path: Path, family: str) -> Optional[int]:
    from fontTools.ttLib import TTCollection
    coll = TTCollection(str(path), lazy=True)
    for i, font in enumerate(coll.fonts):
        if font["name"].getDebugName(1) == family:
            return i
    return None


def _hb():
    import cffi
    ffi = cffi.FFI()
    ffi.cdef("""
    typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;
    typedef struct hb_set_t hb_set_t; typedef struct hb_subset_input_t hb_subset_input_t;
    hb_blob_t * hb_blob_create_from_file_or_fail (const char *file_name);
    hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);
    hb_blob_t * hb_face_reference_blob (hb_face_t *face);
    const char * hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
    void hb_blob_destroy (hb_blob_t *blob);
    void hb_face_destroy (hb_face_t *face);
    void hb_set_add (hb_set_t *set, unsigned int codepoint);
    void hb_set_add_range (hb_set_t *set, unsigned int first, unsigned int last);
    void hb_set_clear (hb_set_t *set);
    hb_subset_input_t * hb_subset_input_create_or_fail (void);
    void hb_subset_input_destroy (hb_subset_input_t *input);
    hb_set_t * hb_subset_input_set (hb_subset_input_t *input, int set_type);
    hb_set_t * hb_subset_input_unicode_set (hb_subset_input_t *input);
    hb_face_t * hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
    """)
    return ffi, ffi.dlopen("libharfbuzz.so.0"), ffi.dlopen("libharfbuzz-subset.so.0")


def _trim(src: Path, index: int, codepoints) -> bytes:
    ffi, hb, hbs = _hb()
    blob = hb.hb_blob_create_from_file_or_fail(str(src).encode())
    if blob == ffi.NULL:
        raise OSError(f"cannot read {src}")
    face = hb.hb_face_create(blob, index)
    inp = hbs.hb_subset_input_create_or_fail()
    try:
        uni = hbs.hb_subset_input_unicode_set(inp)
        for cp in codepoints:
            hb.hb_set_add(uni, cp)
        hb.hb_set_clear(hbs.hb_subset_input_set(inp, 6))      # no layout features kept
        drop = hbs.hb_subset_input_set(inp, 3)                 # tables dropped
        for tag in (b"GSUB", b"GPOS", b"BASE", b"VORG", b"vhea", b"vmtx", b"DSIG"):
            hb.hb_set_add(drop, int.from_bytes(tag, "big"))
        out = hbs.hb_subset_or_fail(face, inp)
        if out == ffi.NULL:
            raise OSError(f"HarfBuzz could not subset {src}")
        oblob = hb.hb_face_reference_blob(out)
        n = ffi.new("unsigned int *")
        data = ffi.unpack(hb.hb_blob_get_data(oblob, n), n[0])
        hb.hb_blob_destroy(oblob)
        hb.hb_face_destroy(out)
        return data
    finally:
        hbs.hb_subset_input_destroy(inp)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def _gb2312_hanzi() -> list[int]:
    out = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return out


_base_cps: Optional[frozenset] = None


def base_codepoints() -> frozenset:
    """Latin, punctuation, symbols, and the 6 763 hanzi of GB 2312, plus the characters
    shipped in forms/extra_chars.txt (rare characters of local place names, e.g. 浉)."""
    global _base_cps
    if _base_cps is None:
        cps = set()
        for a, b in RANGES:
            if b < 0x4E00 or a > 0x9FA5:
                cps.update(range(a, b + 1))
        cps.update(_gb2312_hanzi())
        shipped = Path(__file__).with_name("extra_chars.txt")
        if shipped.exists():
            cps.update(ord(c) for c in shipped.read_text("utf-8") if ord(c) > 0x7F and not c.isspace())
        _base_cps = frozenset(cps)
    return _base_cps


def _extras_file() -> Path:
    return cache_dir() / "extra-chars.txt"


def _extras() -> frozenset:
    try:
        return frozenset(ord(c) for c in _extras_file().read_text("utf-8") if not c.isspace())
    except OSError:
        return frozenset()


_covered: Optional[frozenset] = None
generation = 0       # bumped whenever the trimmed faces change (the seal re-reads its font)


def _needs_font(cp: int) -> bool:
    return cp >= 0x2E80 and not (0xD800 <= cp <= 0xDFFF) and not (0xE000 <= cp <= 0xF8FF)


def ensure_covered(text: str) -> bool:
    """Make the trimmed faces cover every CJK character of `text`. Characters outside
    GB 2312 (a name such as 浉河区) are added once to the machine's extra set and the
    faces rebuilt (about a second); afterwards they cost nothing. Returns True when the
    faces changed (the caller re-renders with the new stylesheet)."""
    global _css, _covered, generation
    if not cjk_fonts_ok() or not harfbuzz_subsetter_ok():
        return False
    with _lock:
        if _covered is None:
            _covered = base_codepoints() | _extras()
        missing = {ord(c) for c in set(text)} - _covered
        missing = {cp for cp in missing if _needs_font(cp)}
        if not missing:
            return False
        try:
            f = _extras_file()
            f.parent.mkdir(parents=True, exist_ok=True)
            with open(f, "a", encoding="utf-8") as fh:
                fh.write("".join(chr(cp) for cp in sorted(missing)))
        except OSError:
            log.warning("cannot record extra characters for the forms' fonts")
            return False
        _covered = base_codepoints() | _extras()
        _css = None
        generation += 1
        return True


def trimmed_face(weight: str) -> Optional[Path]:
    """Path of the cached trimmed face, building it when needed; None if impossible."""
    fname, family = FACES[weight]
    src = find_face_file(fname)
    if src is None or not harfbuzz_subsetter_ok():
        return None
    cps = sorted(base_codepoints() | _extras())
    st = src.stat()
    key = hashlib.sha256(f"{src}|{st.st_size}|{st.st_mtime_ns}|{family}|{SUBSET_VERSION}|"
                         f"{','.join(map(str, cps))}".encode()).hexdigest()[:16]
    d = cache_dir()
    target = d / f"{FAMILY}-{weight}-{key}.otf"
    if target.exists():
        return target
    try:
        index = _face_index(src, family)
        if index is None:
            return None
        data = _trim(src, index, cps)
        d.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        for old in d.glob(f"{FAMILY}-{weight}-*.otf"):    # superseded character sets
            if old != target:
                try:
                    old.unlink()
                except OSError:
                    pass
        return target
    except Exception:
        log.exception("could not build the trimmed CJK font from %s; using the full font", src)
        return None


_family: Optional[str] = None


def font_css() -> str:
    """@font-face rules and the font-family stack for the forms' stylesheet. The family
    name carries the faces' key, so a rebuilt face never shares a name with an old one
    that WeasyPrint's font configuration has already registered."""
    global _css, _family
    with _lock:
        if _css is None:
            rules, name = [], FAMILY
            faces = [(w, cw, trimmed_face(w)) for w, cw in (("regular", "normal"), ("bold", "bold"))]
            if all(p is not None for _, _, p in faces):
                name = FAMILY + "-" + faces[0][2].stem.rsplit("-", 1)[-1][:8]
                for _, css_weight, p in faces:
                    rules.append(f"@font-face {{ font-family: '{name}'; font-weight: {css_weight}; "
                                 f"src: url('{p.as_uri()}'); }}")
            family = f"'{name}', {FALLBACK}" if rules else FALLBACK
            rules.append(f"body {{ font-family: {family}; }}")
            _css = "\n".join(rules)
            _family = family
        return _css


def font_family() -> str:
    font_css()
    return _family or FALLBACK

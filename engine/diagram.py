"""State diagrams of procedure definitions, as inline SVG with Chinese (or English) labels.

`svg(defn, highlight=None, lang="zh")` draws every state (its label; final states with a double
border, the initial state marked by an arrow from a dot) and every transition (its zh
label; item-level steps that keep the state, `dest=None`, as dashed self-loops). The
state named by `highlight` (a case's current state) is filled and outlined in a
contrasting colour and carries the CSS class "current".

The graph is laid out by Graphviz `dot` through the `graphviz` package, straight from
the definition: no `transitions` Machine is built for a diagram, and each
(name, version, highlight, language) is drawn once per process and cached. If `dot` is missing,
a plain list-style SVG is returned instead so a page never fails for want of a picture.
"""
from __future__ import annotations

import re
import threading
from html import escape
from typing import Optional

from engine.bilingual import english, labelled
from engine.definition import Procedure

FONT = "Noto Sans CJK SC"
# What the browser gets: the layout font first, then the usual CJK faces of other systems.
CSS_FONTS = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
CURRENT_FILL, CURRENT_LINE = "#fde68a", "#b45309"
FINAL_FILL, NORMAL_FILL, LINE = "#e5e7eb", "#ffffff", "#374151"

_cache: dict[tuple[str, int, Optional[str], str], tuple[Procedure, str]] = {}
_lock = threading.Lock()


def svg(defn: Procedure, highlight: Optional[str] = None, lang: str = "zh") -> str:
    """SVG markup (starting at `<svg`, no XML prolog or doctype) of the definition's
    state diagram, with `highlight` (a state name) marked as the current state; labels
    in Chinese, or in English (the declarations' `label_en`) when `lang` is "en"."""
    if highlight is not None and highlight not in {s.name for s in defn.states}:
        highlight = None
    key = (defn.name, defn.version, highlight, lang)
    hit = _cache.get(key)
    if hit is not None and hit[0] is defn:
        return hit[1]
    out = _render(defn, highlight, _Words(lang))
    with _lock:
        _cache[key] = (defn, out)
    return out


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def node_id(state: str) -> str:
    """The SVG id of a state's node (for links and tests)."""
    return f"state_{state}"


class _Words:
    """The diagram's texts in one language."""

    def __init__(self, lang: str):
        self.en = lang == "en"

    def of(self, decl, attr: str = "label") -> str:
        text = labelled(decl, attr)
        return english(text) if self.en else str(text)

    def title(self, defn: Procedure) -> str:
        return self.of(defn, "title")

    def diagram_of(self, defn: Procedure) -> str:
        return f"State diagram: {self.title(defn)}" if self.en else f"{defn.title}状态图"

    def final(self) -> str:
        return " (final)" if self.en else "（终结）"


# -- Graphviz ------------------------------------------------------------------------

def _dot_source(defn: Procedure, highlight: Optional[str], words: _Words):
    import graphviz

    title = words.title(defn)
    g = graphviz.Digraph(name=defn.name, format="svg")
    g.attr(rankdir="TB", fontname=FONT, labelloc="t", label=title, fontsize="16",
           nodesep="0.35", ranksep="0.45", bgcolor="transparent", tooltip=title)
    g.attr("node", fontname=FONT, fontsize="12", shape="box", style="rounded,filled",
           color=LINE, fillcolor=NORMAL_FILL, penwidth="1.2", margin="0.15,0.07")
    g.attr("edge", fontname=FONT, fontsize="10", color="#6b7280", fontcolor="#1f2937",
           arrowsize="0.7")
    g.node("__start__", label="", shape="point", width="0.14", style="filled",
           fillcolor=LINE, id="state__start")
    for s in defn.states:
        label = words.of(s)
        attrs = {"id": node_id(s.name), "tooltip": label}
        if s.final:
            attrs.update(peripheries="2", fillcolor=FINAL_FILL)
        if s.name == highlight:
            attrs.update(fillcolor=CURRENT_FILL, color=CURRENT_LINE, penwidth="3",
                         fontcolor="#7c2d12")
        g.node(s.name, label=label, **attrs)
    g.edge("__start__", defn.initial, label="", tooltip=words.of(defn.opening))
    for t in defn.transitions:
        label = words.of(t)
        for src in t.sources:
            attrs = {"label": label, "tooltip": label}
            if t.dest is None:
                g.edge(src, src, style="dashed", **attrs)
            else:
                g.edge(src, t.dest, **attrs)
    return g


_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)


def _render(defn: Procedure, highlight: Optional[str], words: _Words) -> str:
    try:
        import graphviz
        raw = _dot_source(defn, highlight, words).pipe(format="svg", encoding="utf-8")
    except Exception as exc:          # dot missing or failing: degrade, don't break a page
        if exc.__class__.__name__ in ("ExecutableNotFound", "CalledProcessError") or \
                isinstance(exc, (OSError, ImportError)):
            return _fallback(defn, highlight, words)
        raise
    out = _PROLOG.sub("", raw, count=1).strip()
    out = out.replace("<svg ", f'<svg role="img" aria-label="{escape(words.diagram_of(defn))}" '
                      f'class="state-diagram" ', 1)
    if highlight is not None:
        # Graphviz 2.43 writes no `class` attribute of its own: mark the current node,
        # and set its label in bold.
        head = f'<g id="{node_id(highlight)}" class="node">'
        start = out.find(head)
        if start >= 0:
            end = out.find("<!--", start)
            end = len(out) if end < 0 else end
            group = out[start:end].replace(head, f'<g id="{node_id(highlight)}" class="node current">', 1)
            group = group.replace(f'font-family="{FONT}"', f'font-family="{FONT}" font-weight="bold"')
            out = out[:start] + group + out[end:]
    return out.replace(f'font-family="{FONT}"', f'font-family="{CSS_FONTS}"')


def _fallback(defn: Procedure, highlight: Optional[str], words: _Words) -> str:
    """A dependency-free SVG: the states as a column of labelled boxes."""
    row, width = 34, 360
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="state-diagram" '
             f'aria-label="{escape(words.diagram_of(defn))}" width="{width}" '
             f'height="{row * (len(defn.states) + 1)}" viewBox="0 0 {width} {row * (len(defn.states) + 1)}">',
             f'<text x="10" y="22" font-family="{FONT}" font-size="16">{escape(words.title(defn))}</text>']
    for i, s in enumerate(defn.states, start=1):
        y = i * row
        cur = s.name == highlight
        cls = "node current" if cur else "node"
        fill = CURRENT_FILL if cur else (FINAL_FILL if s.final else NORMAL_FILL)
        stroke, pw = (CURRENT_LINE, 3) if cur else (LINE, 1.2)
        parts.append(f'<g id="{node_id(s.name)}" class="{cls}"><title>{escape(s.name)}</title>'
                     f'<rect x="10" y="{y}" width="{width - 20}" height="{row - 8}" rx="6" '
                     f'fill="{fill}" stroke="{stroke}" stroke-width="{pw}"/>'
                     f'<text x="20" y="{y + 18}" font-family="{FONT}" font-size="12">'
                     f'{escape(words.of(s))}{words.final() if s.final else ""}</text></g>')
    parts.append("</svg>")
    return "".join(parts)

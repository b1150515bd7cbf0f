"""State diagrams: every state's Chinese label is on the picture, the case's current
state stands out, final states are marked, and a diagram is drawn once, not per case."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from engine import diagram, machines
from workflows import REGISTRY

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def node(root: ET.Element, state: str) -> ET.Element:
    found = [g for g in root.iter(f"{SVG}g") if g.get("id") == diagram.node_id(state)]
    assert len(found) == 1, f"no single node for state {state!r}"
    return found[0]


def text_of(el: ET.Element) -> str:
    return "".join(t.text or "" for t in el.iter(f"{SVG}text"))


def shapes(el: ET.Element) -> list[ET.Element]:
    return [e for e in el.iter() if e.tag in (f"{SVG}path", f"{SVG}polygon", f"{SVG}rect",
                                              f"{SVG}ellipse")]


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_state_is_drawn_with_its_chinese_label(name):
    defn = REGISTRY[name]
    root = parse(diagram.svg(defn))
    for s in defn.states:
        assert text_of(node(root, s.name)) == s.label
    # Transitions carry their Chinese labels too.
    edge_text = "".join(text_of(g) for g in root.iter(f"{SVG}g") if g.get("class") == "edge")
    for t in defn.transitions:
        assert t.label in edge_text


def test_the_current_state_is_highlighted_and_no_other():
    defn = REGISTRY["pre_phase_tender"]
    root = parse(diagram.svg(defn, highlight="bidding"))
    current = node(root, "bidding")
    assert "current" in current.get("class").split()
    fills = {s.name: shapes(node(root, s.name))[0].get("fill") for s in defn.states}
    assert fills["bidding"] == diagram.CURRENT_FILL
    assert all(f != diagram.CURRENT_FILL for n, f in fills.items() if n != "bidding")
    assert shapes(current)[0].get("stroke-width") == "3"
    assert [g.get("id") for g in root.iter(f"{SVG}g") if "current" in (g.get("class") or "").split()] \
        == [diagram.node_id("bidding")]
    plain = parse(diagram.svg(defn))
    assert not any("current" in (g.get("class") or "") for g in plain.iter(f"{SVG}g"))


def test_final_states_are_marked_with_a_double_border():
    defn = REGISTRY["contract_filing"]
    root = parse(diagram.svg(defn))
    for s in defn.states:
        assert len(shapes(node(root, s.name))) == (2 if s.final else 1), s.name


def test_item_steps_that_keep_the_state_are_dashed_self_loops():
    defn = REGISTRY["pre_phase_tender"]          # 变更拟发布公告日期, 澄清或修改招标文件
    markup = diagram.svg(defn)
    root = parse(markup)
    loops = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "edge":
            title = g.find(f"{SVG}title").text
            src, _, dst = title.partition("->")
            if src == dst:
                loops[src] = (text_of(g), shapes(g)[0].get("stroke-dasharray"))
    assert loops["preparing"][0] == "变更拟发布公告日期" and loops["preparing"][1]
    assert loops["bidding"][0] == "澄清或修改招标文件"


def test_inline_svg_with_a_cjk_font_and_no_prolog():
    markup = diagram.svg(REGISTRY["pre_phase_tender"], "awarded")
    assert markup.startswith("<svg") and "<?xml" not in markup and "<!DOCTYPE" not in markup
    assert "Noto Sans CJK SC" in markup
    root = parse(markup)
    assert root.get("role") == "img" and "前期物业管理招标投标" in root.get("aria-label")


def test_diagrams_are_cached_and_build_no_machine():
    defn = REGISTRY["contract_filing"]
    before = machines.machine_count()
    first = diagram.svg(defn, "submitted")
    assert diagram.svg(defn, "submitted") is first
    assert diagram.svg(defn, "filed") is not first
    assert machines.machine_count() == before
    # An unknown state highlights nothing rather than failing.
    assert diagram.svg(defn, "no_such_state") is diagram.svg(defn)


def test_without_graphviz_a_plain_diagram_still_shows_the_states(monkeypatch):
    import graphviz

    def missing(*_a, **_k):
        raise graphviz.ExecutableNotFound(("dot",))

    defn = REGISTRY["contract_filing"]
    monkeypatch.setattr(diagram, "_dot_source", missing)
    diagram.clear_cache()
    try:
        root = parse(diagram.svg(defn, "correction"))
        for s in defn.states:
            assert s.label in text_of(node(root, s.name))
        assert "current" in node(root, "correction").get("class")
    finally:
        diagram.clear_cache()

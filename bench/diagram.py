"""State diagrams: the cost of drawing one (Graphviz `dot`, once per definition version
and highlighted state) beside serving it from the cache (every later case page)."""
from __future__ import annotations

import time

from engine import diagram, machines
from workflows import REGISTRY


def run() -> list[tuple]:
    rows = []
    machines_before = machines.machine_count()
    for name in ("contract_filing", "pre_phase_tender"):
        if name not in REGISTRY:
            continue
        defn = REGISTRY[name]
        diagram.clear_cache()
        t0 = time.perf_counter()
        first = diagram.svg(defn, defn.initial)
        cold = (time.perf_counter() - t0) * 1000
        n = 20000
        t0 = time.perf_counter()
        for _ in range(n):
            diagram.svg(defn, defn.initial)
        hot = (time.perf_counter() - t0) / n * 1e6
        rows.append((f"diagram first draw, {name} ({len(defn.states)} states)", cold, "ms",
                     "graphviz dot subprocess, once per (version, state)"))
        rows.append((f"diagram from cache, {name}", hot, "µs", "per case page"))
        rows.append((f"diagram size, {name}", len(first.encode()), "bytes", "inline SVG"))
    diagram.clear_cache()
    rows.append(("Machines built for diagrams", machines.machine_count() - machines_before, "",
                 "diagrams are drawn from the definition, not a per-case Machine"))
    return rows

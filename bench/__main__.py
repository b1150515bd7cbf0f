"""Print the benchmark table: `python -m bench [module …]`."""
from __future__ import annotations

import importlib
import sys
import time
import traceback

MODULES = ["engine", "legaltime", "voting", "diagram", "scan", "forms", "demo", "api", "hotpath", "web",
           "evidence", "register", "supervision", "owners"]


def fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:,.3f}" if v < 100 else f"{v:,.0f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def main(argv: list[str]) -> int:
    wanted = argv or MODULES
    rows, failed = [], []
    for name in wanted:
        try:
            mod = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.{name}":
                continue
            raise
        t0 = time.perf_counter()
        print(f"… {name}", file=sys.stderr, flush=True)
        try:
            for row in mod.run():
                rows.append((name, *row))
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"  {name} took {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    w = [max(len(str(r[i])) if i != 2 else len(fmt(r[2])) for r in rows + [("area", "figure", "value", "unit", "note")])
         for i in range(5)] if rows else [0] * 5
    print(f"{'area':<{w[0]}}  {'figure':<{w[1]}}  {'value':>{w[2]}}  {'unit':<{w[3]}}  note")
    for area, name, value, unit, note in rows:
        print(f"{area:<{w[0]}}  {name:<{w[1]}}  {fmt(value):>{w[2]}}  {unit:<{w[3]}}  {note}")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

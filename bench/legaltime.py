"""Legal periods computed per second (engine.legaltime, in process, no database)."""
from __future__ import annotations

import time
from datetime import date, timedelta

from engine import legaltime

CASES = [("day", 15, False), ("workday", 10, False), ("month", 3, False), ("day", 10, True),
         ("workday", 20, True)]


def _rate(unit: str, amount: int, before: bool, n: int = 20000) -> float:
    fn = legaltime.latest_before if before else legaltime.period_end
    start = date(2025, 1, 1)
    anchors = [start + timedelta(days=i % 730) for i in range(n)]
    t0 = time.perf_counter()
    for a in anchors:
        fn(a, amount, unit)
    return n / (time.perf_counter() - t0)


def run():
    legaltime.reset()
    legaltime.period_end(date(2026, 1, 1), 1, "day")          # warm the year tables
    rows = []
    for unit, amount, before in CASES:
        name = f"{'latest_before' if before else 'period_end'} {amount} {unit}"
        rows.append((name, _rate(unit, amount, before), "periods/s",
                     "anchors over 2025-2026 (+2027 projection), basis text included"))
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)

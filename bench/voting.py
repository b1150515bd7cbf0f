"""Vote tallies per second (workflows.rules.voting.tally, in process, no database): exact
Fraction arithmetic on register-sized figures, the four Chinese reasons included."""
from __future__ import annotations

import random
import time
from decimal import Decimal

from workflows.rules.voting import tally


def _cases(n: int, seed: int = 278):
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        total_cents = rnd.randint(10**6, 10**8)              # 10 000 - 1 000 000 m²
        owners = rnd.randint(100, 5000)
        voted_cents = rnd.randint(total_cents // 2, total_cents)
        voted = rnd.randint(owners // 2, owners)
        out.append((rnd.randint(1, 9), Decimal(total_cents).scaleb(-2), owners,
                    Decimal(voted_cents).scaleb(-2), voted,
                    Decimal(rnd.randint(0, voted_cents)).scaleb(-2), rnd.randint(0, voted)))
    return out


def _rate(cases, as_str: bool) -> float:
    if as_str:
        cases = [(m, str(a), str(o), str(va), str(vo), str(ya), str(yo))
                 for m, a, o, va, vo, ya, yo in cases]
    t0 = time.perf_counter()
    for c in cases:
        tally(*c)
    return len(cases) / (time.perf_counter() - t0)


def run():
    cases = _cases(5000)
    tally(*cases[0])
    return [
        ("tally (Decimal figures)", _rate(cases, False), "tallies/s", "matters 1-9, reasons included"),
        ("tally (str figures, as from forms)", _rate(cases, True), "tallies/s", "parsing and validation included"),
    ]


if __name__ == "__main__":
    for r in run():
        print(r)

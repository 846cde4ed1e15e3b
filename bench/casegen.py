# SPDX-License-Identifier: MIT
"""Deterministic synthetic cases for the benchmarks, drawn from whatever ruleset is loaded.

Indicator ids and measure names always come from the loaded ruleset (never hard-coded), so the
benchmark keeps working as the bundled Herefordshire ruleset grows. Cases are *fully known*
(age or unborn given, every measure recorded): zen-engine and the naive loop have no
three-valued logic, so unknown facts would make the comparison unfair to rhrt.
"""

from __future__ import annotations

import random
from typing import Any

from rhrt import Ruleset

Case = dict[str, Any]


def make_cases(ruleset: Ruleset, concerns: int, n: int, *, seed: int = 6) -> list[Case]:
    """``n`` valid cases with exactly ``concerns`` distinct indicators each (capped at the
    number of indicators in the ruleset)."""
    rng = random.Random(f"{seed}:{concerns}:{n}")
    ids = list(ruleset.plan.indicator_order)
    k = min(concerns, len(ids))
    measures = ruleset.plan.measures
    cases = []
    for _ in range(n):
        child: dict[str, Any]
        if rng.random() < 0.05:
            child = {"unborn": True}
        else:
            child = {"age_months": rng.randrange(0, 18 * 12)}
        values: dict[str, float] = {}
        for name, (low, high, integer) in measures.items():
            value = rng.uniform(low, high)
            values[name] = float(round(value)) if integer else round(value, 2)
        cases.append(
            {"child": child, "indicators": rng.sample(ids, k), "measures": values}
        )
    return cases


def concern_counts(ruleset: Ruleset, wanted: tuple[int, ...] = (0, 5, 20)) -> tuple[int, ...]:
    """The case sizes to benchmark (sizes above the ruleset's indicator count are dropped)."""
    total = len(ruleset.plan.indicator_order)
    return tuple(dict.fromkeys(min(w, total) for w in wanted))

"""Test helper: drawn cases as the Arrow table batch reads (one place for the test files that
compare batch with single-case decisions)."""

from __future__ import annotations

from typing import Any

import rhrt


def cases_table(drawn: list[rhrt.Case], ruleset: rhrt.Ruleset, *, context: bool = False) -> Any:
    """``drawn`` as a pyarrow table: indicators, the age the engines read, unborn, every measure
    of ``ruleset``; with ``context``, every case-context column (the strategies give a step-down
    in months, so ``stepped_down_on`` is left out)."""
    import pyarrow as pa

    facts = [ruleset.facts(case) for case in drawn]
    data: dict[str, Any] = {
        "indicators": pa.array([sorted(case.indicator_ids) for case in drawn],
                               pa.list_(pa.string())),
        "age_months": pa.array([f.age_months for f in facts], pa.float64()),
        "unborn": pa.array([f.unborn for f in facts]),
    }
    for name in ruleset.plan.measures:
        data[name] = pa.array([case.measures.get(name) for case in drawn], pa.float64())
    if context:
        from rhrt.batch._context import CONTEXT_COLUMNS

        for name in CONTEXT_COLUMNS:
            if name == "stepped_down_on":
                continue
            values = [getattr(case.context, name) for case in drawn]
            if name == "stepped_down_months_ago":
                data[name] = pa.array(values, pa.float64())
            elif name in ("child_protection_plan", "stepped_down_from", "stepped_down_category"):
                data[name] = pa.array(values, pa.string())
            else:
                data[name] = pa.array(values, pa.bool_())
    return pa.table(data)

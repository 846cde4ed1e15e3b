# SPDX-License-Identifier: MIT
"""A table's context columns (``rhrt.model.case.CaseContext``) as engine arrays.

Each column is read and refused as the case model reads and refuses one case (the same words,
from ``rhrt.model.case``), and the context states are what ``CaseContext.states`` gives each row:
1.0 recorded as holding, 0.0 as not, NaN not recorded. Property-tested against single cases
(``tests/test_context.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rhrt.batch._columns import Refusals, dates, numbers, texts, yes_no
from rhrt.model.case import (
    MAX_AGE_MONTHS,
    STEP_DOWN_CATEGORY_ONLY_CP,
    STEP_DOWN_DATE_AFTER,
    STEP_DOWN_DATE_NEEDS_ASSESSMENT,
    STEP_DOWN_NEEDS_WHEN,
    STEP_DOWN_ONE_WHEN,
    STEPPED_DOWN_MONTHS_OUT_OF_RANGE,
    step_down_needs_plan,
)
from rhrt.model.scale import CONTEXT_FLAGS, CP_CATEGORIES, STEPPED_DOWN_FROM

CONTEXT_COLUMNS = (
    *CONTEXT_FLAGS,
    "child_protection_plan",
    "stepped_down_from",
    "stepped_down_category",
    "stepped_down_on",
    "stepped_down_months_ago",
)


def _category(
    column: pa.ChunkedArray, name: str, allowed: tuple[str, ...], ref: Refusals
) -> Any:
    """A category column as an object array of its values (None where empty)."""
    text = pc.utf8_trim_whitespace(texts(column))
    values = np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
    values[values == ""] = None
    recorded = values != None  # noqa: E711 - elementwise over an object array
    ok = np.isin(values, np.array(allowed, dtype=object))
    ref.add(f"{name} must be one of {', '.join(allowed)}", recorded & ~ok, name)
    values[~ok] = None
    return values


def context_arrays(
    col: Callable[[str], pa.ChunkedArray | None],
    n: int,
    when: Any,
    ref: Refusals,
) -> tuple[dict[str, Any], Any]:
    """(context state → float array, months since a step-down or None) for ``n`` rows.

    ``col`` gives a prepared column by name (None when the table has none); ``when`` is the
    assessment dates (datetime64[D], NaT where not recorded) or None."""
    states: dict[str, Any] = {}
    for name in CONTEXT_FLAGS:
        column = col(name)
        if column is not None:
            states[name] = yes_no(column, name, ref)
    cp_col = col("child_protection_plan")
    if cp_col is not None:
        cp = _category(cp_col, "child_protection_plan", ("none", *CP_CATEGORIES), ref)
        known = cp != None  # noqa: E711
        states["child_protection_plan"] = np.where(known, (cp != "none") * 1.0, np.nan)
        for cat in CP_CATEGORIES:
            states[f"child_protection_plan_{cat}"] = np.where(known, (cp == cat) * 1.0, np.nan)
    months = _step_down(col, n, when, ref, states)
    return states, months


def _step_down(
    col: Callable[[str], pa.ChunkedArray | None],
    n: int,
    when: Any,
    ref: Refusals,
    states: dict[str, Any],
) -> Any:
    plan_col, cat_col = col("stepped_down_from"), col("stepped_down_category")
    on_col, ago_col = col("stepped_down_on"), col("stepped_down_months_ago")
    if plan_col is None and cat_col is None and on_col is None and ago_col is None:
        return None
    empty = np.full(n, None, dtype=object)
    plan = (
        _category(plan_col, "stepped_down_from", ("none", *STEPPED_DOWN_FROM), ref)
        if plan_col is not None else empty
    )
    category = (
        _category(cat_col, "stepped_down_category", CP_CATEGORIES, ref)
        if cat_col is not None else empty
    )
    ago = (
        numbers(ago_col, "stepped_down_months_ago", ref)
        if ago_col is not None else np.full(n, np.nan)
    )
    with np.errstate(invalid="ignore"):
        ref.add(STEPPED_DOWN_MONTHS_OUT_OF_RANGE, (ago < 0) | (ago > MAX_AGE_MONTHS),
                "stepped_down_months_ago")
    has_ago = ~np.isnan(ago)
    has_on = np.zeros(n, dtype=bool)
    from_on = np.full(n, np.nan)
    if on_col is not None:
        on = dates(on_col, "stepped_down_on", ref)
        has_on = ~np.isnat(on)
        when_ok = np.zeros(n, dtype=bool) if when is None else ~np.isnat(when)
        ref.add(STEP_DOWN_DATE_NEEDS_ASSESSMENT, has_on & ~when_ok, "stepped_down_on")
        both = has_on & when_ok
        if both.any():
            from rhrt.batch._columns import months_between as _months_between

            from_on[both] = _months_between(on[both], when[both])
            ref.add(STEP_DOWN_DATE_AFTER, both & (on > when), "stepped_down_on")
            ref.add(STEPPED_DOWN_MONTHS_OUT_OF_RANGE,
                    both & (on <= when) & (from_on > MAX_AGE_MONTHS), "stepped_down_on")
    ref.add(STEP_DOWN_ONE_WHEN, has_on & has_ago, "stepped_down_months_ago")
    ended = (plan != None) & (plan != "none")  # noqa: E711
    for name, given in (("stepped_down_category", category != None),  # noqa: E711
                        ("stepped_down_on", has_on), ("stepped_down_months_ago", has_ago)):
        ref.add(step_down_needs_plan(name), given & ~ended, name)
    ref.add(STEP_DOWN_NEEDS_WHEN, ended & ~has_on & ~has_ago, "stepped_down_from")
    ref.add(STEP_DOWN_CATEGORY_ONLY_CP,
            (category != None) & ended & (plan != "child_protection_plan"),  # noqa: E711
            "stepped_down_category")
    known = plan != None  # noqa: E711
    for option in STEPPED_DOWN_FROM:
        states[f"stepped_down_from_{option}"] = np.where(known, (plan == option) * 1.0, np.nan)
    is_cp = plan == "child_protection_plan"
    for cat in CP_CATEGORIES:
        value = np.where(category == cat, 1.0, 0.0)
        value = np.where(is_cp & (category == None), np.nan, value)  # noqa: E711
        states[f"stepped_down_from_child_protection_plan_{cat}"] = np.where(
            known, np.where(is_cp, value, 0.0), np.nan
        )
    return np.where(has_ago, ago, np.where(has_on, np.maximum(from_on, 0), np.nan))

# SPDX-License-Identifier: MIT
"""No recorded input is silently without effect, over whole tables: :mod:`rhrt.recorded` in
arrays.

For every row, which recorded measures change nothing (``recorded.unread_measures``) and whether
a recorded measure added a concern that was not selected (``recorded.implied_warnings``). The
meaning is not re-defined here: the rules that read a measure (``recorded.measure_readers``) and
the values to try (``recorded.candidates``, the range ends and every threshold with its
neighbours) are the single-case ones; for each value tried, the readers are evaluated by the
vector engine over the rows that record the measure, with the implied concerns recomputed from
that value, and a row's measure is unread when neither the implied concerns nor any reader's
three-valued truth differs between the values. Property-tested against ``Ruleset.assess``'s
warnings row by row (``tests/test_batch_recorded.py``).

Cost: per recorded measure, (values tried) × (rules reading it) node evaluations over the rows
that record it, with a copy of only the indicator rows those rules look at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rhrt.batch._vector import Arrays, BoolArray, VectorPlan
from rhrt.recorded import candidates, measure_readers
from rhrt.rules.plan import Count, HasAny, MeasureCmp, Node, derived, walk
from rhrt.rules.semantics import MEASURE_OPERATORS, gate

__all__ = ["RecordedRows", "recorded_rows"]


@dataclass(frozen=True)
class RecordedRows:
    """What the recorded measures did, row by row."""

    unread: dict[str, BoolArray]
    """Measure id → rows where it is recorded and changes nothing (only recorded measures)."""
    implied: BoolArray
    """Rows where a recorded measure added a concern that was not selected."""

    def any_unread(self, n: int) -> BoolArray:
        out = np.zeros(n, dtype=bool)
        for rows in self.unread.values():
            out |= rows
        return out

    def pairs(self) -> tuple[Any, Any, tuple[str, ...]]:
        """(row, measure index) pairs sorted by row, measures in id order within a row (as
        ``unread_measures``), and the measure ids indexed.

        One pass finds the rows with an unread measure; the rows × measures (id order) matrix
        over those rows, read flat, gives the pairs in order (a pass per measure and a sort of
        the pairs took ≈ 0.45 ms more per 262,144 rows; a 2-d ``nonzero`` ≈ 0.2 ms more)."""
        names = tuple(sorted(self.unread))
        if not names:
            return np.zeros(0, np.intp), np.zeros(0, np.int32), names
        masks = [self.unread[name] for name in names]
        rows = np.flatnonzero(self.any_unread(masks[0].size))
        which = np.empty((rows.size, len(masks)), dtype=bool)
        for k, mask in enumerate(masks):
            which[:, k] = mask[rows]
        at, idx = np.divmod(np.flatnonzero(which), len(masks))
        return rows[at], idx.astype(np.int32), names


def _holds(op: str, values: Any, threshold: float) -> Any:
    with np.errstate(invalid="ignore"):
        return MEASURE_OPERATORS[op](values, threshold) & ~np.isnan(values)  # type: ignore[index]


def recorded_rows(vp: VectorPlan, arrays: Arrays) -> RecordedRows:
    """The unread measures and implied concerns of every row (``arrays`` as ``arrays_of``
    builds them: ``arrays.selected`` holds the implied columns as selected)."""
    plan = vp.plan
    selected = {
        c: arrays.selected[c] if c in arrays.selected else arrays.column(c)
        for c in (vp.column[imp.indicator] for imp in plan.implications)
    }
    n = arrays.n
    implied = np.zeros(n, dtype=bool)
    for c, chosen in selected.items():
        implied |= arrays.column(c) & ~chosen
    readers = measure_readers(plan)
    unread: dict[str, BoolArray] = {}
    gates = derived(plan, "batch.recorded.gates", lambda _plan: _gates(vp, readers))
    # measures read by the same rules have the same gate: its rows are found once (a pass
    # over every row per measure took ≈ 0.4 ms more per 262,144 rows, bundled ruleset)
    opened: dict[tuple[int, ...], Any] = {}
    for name, values in arrays.measures.items():
        recorded = ~np.isnan(values)
        rules = readers.get(name, ())
        own = [imp for imp in plan.implications if imp.measure == name]
        if not rules and not own:
            unread[name] = recorded  # nothing reads it: unread wherever it is recorded
            continue
        gated = None if own else gates.get(name)
        if gated is not None:
            # a reader whose gate is closed is known false for every value tried: only the
            # rows holding one of the gates' concerns are tried (``semantics.gate``; the
            # measure implies nothing here, so trying it opens no gate)
            gate = tuple(gated.tolist())
            if gate not in opened:
                opened[gate] = np.flatnonzero(arrays.any_of(gated))
            rows = opened[gate][recorded[opened[gate]]]
        else:
            rows = np.flatnonzero(recorded)
        # unread: recorded, except on the rows tried where a value tried changes something
        unread[name] = recorded
        if rows.size:
            changed = _changes(vp, arrays, selected, name, rows, rules, own)
            recorded[rows[changed]] = False
    return RecordedRows(unread=unread, implied=implied)


def _gates(vp: VectorPlan, readers: Mapping[str, tuple[Any, ...]]) -> dict[str, Any]:
    """Measure id → :func:`_gate_columns` of its readers (only where they all have a gate);
    built once per plan."""
    gates = {}
    for name, rules in readers.items():
        columns = _gate_columns(vp, rules) if rules else None
        if columns is not None:
            gates[name] = columns
    return gates


def _gate_columns(vp: VectorPlan, rules: tuple[Any, ...]) -> Any:
    """The indicator columns one of which a row must hold for some rule of ``rules`` to be
    anything but false (the union of their gates), or None when a rule has no gate."""
    columns: set[int] = set()
    for rule in rules:
        ids = gate(rule.condition)
        if ids is None:
            return None
        columns.update(vp.column[i] for i in ids)
    return np.array(sorted(columns), dtype=np.intp)


def _read_columns(vp: VectorPlan, rules: tuple[Any, ...]) -> set[int]:
    """The indicator columns the rules' conditions look at."""
    return {
        vp.column[i]
        for rule in rules
        for node in walk(rule.condition)
        if isinstance(node, (HasAny, Count))
        for i in node.ids
    }


def _read_measures(rules: tuple[Any, ...]) -> set[str]:
    """The measures the rules' conditions compare."""
    return {
        node.measure
        for rule in rules
        for node in walk(rule.condition)
        if isinstance(node, MeasureCmp)
    }


def _changes(
    vp: VectorPlan,
    arrays: Arrays,
    selected: dict[int, BoolArray],
    name: str,
    rows: Any,
    rules: tuple[Any, ...],
    own: list[Any],
) -> BoolArray:
    """For the rows recording ``name``: whether some value tried changes the implied concerns or
    a reader's truth."""
    plan = vp.plan
    full = rows.size == arrays.n
    columns = sorted({vp.column[imp.indicator] for imp in own})
    # only the measures the trials read are copied to these rows: the readers' and those that
    # imply the concerns recomputed below (every other is never looked at)
    read = {name, *_read_measures(rules)}
    read.update(imp.measure for imp in plan.implications if vp.column[imp.indicator] in columns)
    measures = {m: (v if full else v[rows]) for m, v in arrays.measures.items() if m in read}
    # only the indicator rows the readers look at are copied (the rest stay zero, and a zeroed
    # matrix costs next to nothing): copying the whole matrix was most of this step's time
    present = np.zeros((arrays.indicators, rows.size), dtype=bool)
    for c in _read_columns(vp, rules) - set(columns):
        present[c] = arrays.column(c) if full else arrays.column(c)[rows]
    base = {c: (selected[c] if full else selected[c][rows]) for c in columns}
    sub_age = arrays.age_months if full else arrays.age_months[rows]
    sub_unborn = arrays.unborn if full else arrays.unborn[rows]
    sub_context = arrays.context if full else {k: v[rows] for k, v in arrays.context.items()}
    sub_down = arrays.stepped_down_months
    if sub_down is not None and not full:
        sub_down = sub_down[rows]
    k = rows.size
    changed = np.zeros(k, dtype=bool)
    first: list[BoolArray] | None = None
    for value in candidates(plan, name, rules):
        trial = {**measures, name: np.full(k, value)}
        signature: list[BoolArray] = []
        for c in columns:
            col = base[c].copy()
            for imp in plan.implications:
                if vp.column[imp.indicator] == c and imp.measure in trial:
                    col |= _holds(imp.op, trial[imp.measure], imp.value)
            present[c] = col
            signature.append(col)
        sub = Arrays(dense=present, measures=trial, age_months=sub_age, unborn=sub_unborn,
                     hits=(np.zeros(0, np.intp), np.zeros(0, np.intp)),  # hits: not read
                     context=sub_context, stepped_down_months=sub_down)
        memo: dict[Node, tuple[BoolArray, BoolArray | None]] = {}
        for rule in rules:
            t, u = vp._node(rule.condition, sub, memo)
            signature.append(t)
            signature.append(np.zeros(k, dtype=bool) if u is None else u)
        if first is None:
            first = [s.copy() for s in signature]
        else:
            for a, b in zip(first, signature, strict=True):
                changed |= a != b
    return changed

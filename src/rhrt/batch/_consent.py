# SPDX-License-Identifier: MIT
"""The consent position each row shows first, over arrays (``Decision.consent.id``).

The meaning is :meth:`rhrt.rules.consent.ConsentTable.applying`: the positions that apply,
ranked from the highest down; at one rank, urgent first, then concerns (file order), then the
level's own, then the pathways in the order they were first recommended.

How, without a pass per position over every row: each position gets one number, its
*priority*, smaller first (``(highest rank - rank) * stride + place``, where a non-pathway
position's place is its index in ``ConsentTable.all`` and a pathway position's is after all of
them plus the recommendation slot), and each row keeps the smallest priority that applies to
it. A pathway is first recommended at its smallest slot that applies, so a row's best pathway
priority is the smallest over the slots that apply: its level's own (a look-up by level) and
each fired rule's (one masked minimum per rule). A row's level gives its own position and its
level's pathways in one look-up; concern positions touch only the rows that hold one of their
concerns, and are applied last with the urgent one (they do not depend on the pathways, and a
minimum does not depend on the order). Only rows where a rule may have taken a pathway away
(``instead_of``) read the pathways' ranks. Checked against ``Ruleset.assess`` row by row on
generated rulesets (``tests/test_batch.py``, ``tests/test_batch_sparse.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rhrt.batch._vector import Arrays, VectorPlan, VectorResult, _any_rows, _Sparse
from rhrt.rules.consent import PATHWAY_PREFIX
from rhrt.rules.plan import derived
from rhrt.rules.semantics import LEVELS

__all__ = ["consent_first"]


@dataclass(frozen=True)
class _Priorities:
    """A vector plan's consent positions as priorities (built once per plan; int32 arrays)."""

    words: tuple[str, ...]
    """Priority → the id of its position, for every priority below ``none`` ("" for one no
    position has, never a row's): the priorities are the codes of the ``consent_position``
    text, with no second look-up (a priority → position table took ≈ 0.3 ms per 262,144
    rows). ``none`` is past the end: the text of a row without a position is refused."""
    urgent: tuple[int, ...]
    """Priorities of the urgent position (none or one)."""
    by_level: Any
    """Level → the priority of the level's own position."""
    level_best: Any
    """Level → the smaller of ``by_level`` and the smallest priority of a pathway position the
    level's own pathways give (one look-up for both: a second took ≈ 0.3 ms per 262,144
    rows)."""
    concerns: tuple[tuple[int, Any, float | None], ...]
    """(priority, indicator columns, minimum age in months or None) per concern position."""
    rules: tuple[tuple[int, int], ...]
    """(rule index, the smallest priority of the pathway positions its slots give) per rule
    that recommends a pathway with a position."""
    pathways: tuple[tuple[int, int], ...]
    """(vector pathway index, priority before the pathway's slot is added) per pathway
    position whose pathway the plan recommends."""
    replacing: tuple[int, ...]
    """Rules that may take a recommended pathway away (``instead_of``)."""
    none: int
    """The priority of no position (larger than every other)."""


def _priorities(vp: VectorPlan) -> _Priorities:
    table = vp.plan.consent
    assert table is not None  # checked by the caller
    positions = table.all
    top = max((pos.rank for pos in positions), default=0)
    places = len(positions)
    stride = places + vp.no_rank + 1
    none = (top + 1) * stride
    pathway_index = {pid: p for p, pid in enumerate(vp.pathway_ids)}
    decode = np.full(none + 1, -1, dtype=np.int32)
    urgent: list[int] = []
    by_level = np.full(max(LEVELS) + 1, none, dtype=np.int32)
    level_pathways = by_level.copy()
    concerns: list[tuple[int, Any, float | None]] = []
    pathways: dict[int, int] = {}
    for code, pos in enumerate(positions):
        base = (top - pos.rank) * stride
        if pos.trigger == "pathway":
            p = pathway_index.get(pos.id.removeprefix(PATHWAY_PREFIX))
            if p is not None:
                pathways[p] = base + places
                for slot, (sp, _source) in enumerate(vp.slots):
                    if sp == p:
                        decode[base + places + slot] = code
            continue
        decode[base + code] = code
        if pos.trigger == "urgent":
            urgent.append(base + code)
        elif pos.trigger == "level":
            lv = int(pos.id.rsplit("-", 1)[1])
            by_level[lv] = min(int(by_level[lv]), base + code)
        else:
            concerns.append((base + code, vp._columns(pos.matches), pos.min_age_months))
    # a slot's priority: its pathway's position, at the place of the slot (the pathway's first
    # recommendation is its smallest slot, so the smallest over slots is the pathway order)
    rules: dict[int, int] = {}
    for slot, (p, source) in enumerate(vp.slots):
        if p not in pathways:
            continue
        priority = pathways[p] + slot
        if source >= 0:
            rules[source] = min(rules.get(source, none), priority)
        else:
            level_pathways[-source] = min(int(level_pathways[-source]), priority)
    replacing = tuple(r for r, rule in enumerate(vp.rules) if rule.instead_of)
    words = tuple(positions[code].id if code >= 0 else "" for code in decode[:none].tolist())
    return _Priorities(words, tuple(urgent), by_level, np.minimum(by_level, level_pathways),
                       tuple(concerns), tuple(sorted(rules.items())),
                       tuple(sorted(pathways.items())), replacing, none)


def consent_first(
    vp: VectorPlan, arrays: Arrays, result: VectorResult
) -> tuple[Any, tuple[str, ...]]:
    """Per row, the consent position shown first, as (codes, ids): ``ids[codes[i]]`` is row
    i's (``len(ids)`` where no position applies, which a ruleset's table never allows: a
    level's own position always applies)."""
    n = arrays.n
    if vp.plan.consent is None:  # a plan built without a ruleset's consent (never a Ruleset's)
        return np.zeros(n, dtype=np.int32), ("",)
    pr: _Priorities = derived(vp.plan, "batch.consent", lambda _plan: _priorities(vp))
    # the level's own position and pathways, and each fired rule's pathways
    best = pr.level_best[result.level]  # a fresh array
    for r, priority in pr.rules:
        _lower(best, result.rows_fired(r), priority)
    if pr.replacing:
        # where a rule may have taken a pathway away, the pathways are read from their ranks
        maybe = np.zeros(n, dtype=bool)
        for r in pr.replacing:
            maybe |= result.fired[r]
        idx = np.flatnonzero(maybe)
        if idx.size:
            sub = pr.by_level[result.level[idx]]
            for p, base in pr.pathways:
                slot = result.pathway_rank[p][idx]
                offered = np.where(slot < vp.no_rank, slot.astype(np.int32) + base, pr.none)
                np.minimum(sub, offered, out=sub)
            best[idx] = sub
    for priority in pr.urgent:
        _lower(best, np.flatnonzero(result.urgent), priority)
    sparse = _Sparse.of(arrays)
    for priority, cols, min_age in pr.concerns:
        if not cols.size:
            continue
        if sparse is not None:
            rows = sparse.rows_of(cols)
        else:
            rows = np.flatnonzero(_any_rows(arrays.present, cols, n))
        if min_age is not None:
            rows = rows[arrays.age_months[rows] >= min_age]  # NaN (not recorded): not old enough
        _lower(best, rows, priority)
    return best, pr.words


def _lower(best: Any, rows: Any, priority: int) -> None:
    """``best[rows] = min(best[rows], priority)``: on the rows a position applies to (a few
    per position), cheaper than a masked minimum over every row (``where=``, ≈ 3× slower)."""
    if rows.size:
        best[rows] = np.minimum(best[rows], priority)

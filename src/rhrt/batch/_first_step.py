# SPDX-License-Identifier: MIT
"""The ``first_step`` column: per row, what an urgent decision says to do first
(``Decision.first_step``), chosen by the same definition, :func:`rhrt.explain.choose_first_step`.

Why not a second, vectorised copy of the choice: the choice (an emergency route, else an
urgent rule's route, else the level's own or replacing route; never a pathway resting on
missing information) is a policy, written once; a copy over arrays could drift from it. Here the
vector engine gives, for each urgent row, the parts the choice reads: the rank (order) of each
pathway that could be chosen, whether it is conditional on missing facts
(:meth:`~rhrt.batch._vector.VectorPlan.conditional`, the fold's ``conditional``), whether a
definitely-true urgent rule recommends it, and which route replacements hold (a rule known true,
as ``semantics._replace_routes``). Rows with the same parts get the same choice, so the choice
is made once per distinct combination (a few hundred among 26,000 urgent rows of a synthetic
chunk, and kept per ruleset for the next chunk): the Python calls do not grow with rows.

A batch has no override, so the level to act on is the decided level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from rhrt.batch._vector import VectorPlan, VectorResult
from rhrt.explain import UrgentRoutes, choose_first_step, kept
from rhrt.rules.plan import derived

FIRST_STEP_COLUMN = "first_step"
"""Per row, the id of the pathway to act on first (one of the row's ``pathways``), or null:
``Decision.first_step`` (null when not urgent or no route qualifies)."""

_CONDITIONAL, _BY_URGENT_RULE, _FLAGS = 2, 1, 4
"""Each candidate pathway's part of a row's signature: ``rank * _FLAGS`` plus its flags."""

@dataclass(frozen=True)
class _Shape:
    """What the column reads of a vector plan, built once per plan."""

    routes: UrgentRoutes
    candidates: tuple[int, ...]
    """Pathway indices that can ever be a first step: emergency pathways, urgent rules'
    pathways, every level's own and the pathways of rules that replace a route."""
    urgent_rules: tuple[int, ...]
    """Rule positions with ``urgent`` and pathways."""
    swaps: tuple[tuple[int, int, tuple[int, ...]], ...]
    """(replacing rule, pathway it replaces, the safety rules that recommend that pathway)."""
    memo: dict[bytes, int]


def _shape(vp: VectorPlan) -> _Shape:
    return derived(vp.plan, "batch.first_step", lambda _plan: _build(vp))


def _build(vp: VectorPlan) -> _Shape:
    routes = UrgentRoutes.of_plan(vp.plan)
    index = {pid: p for p, pid in enumerate(vp.pathway_ids)}
    wanted = {index[pid] for pid in routes.emergency if pid in index}
    wanted.update(index[pid] for ids in routes.levels.values() for pid in ids if pid in index)
    for rule in vp.rules:
        if rule.urgent or rule.instead_of:
            wanted.update(rule.pathways)
    swaps = tuple(
        (r, p, tuple(s for s, other in enumerate(vp.rules) if other.safety and p in other.pathways))
        for r, rule in enumerate(vp.rules)
        for p in rule.instead_of
    )
    urgent = tuple(r for r, rule in enumerate(vp.rules) if rule.urgent and rule.pathways)
    return _Shape(routes, tuple(sorted(wanted)), urgent, swaps, {})


def first_steps(vp: VectorPlan, result: VectorResult) -> pa.Array:
    """The ``first_step`` column (string, null where none) of an evaluated chunk."""
    n = int(result.urgent.shape[0])
    codes = np.full(n, -1, dtype=np.int32)
    rows = np.flatnonzero(result.urgent)
    if rows.size:
        shape = _shape(vp)
        signature = _signature(vp, shape, result, rows)
        # one key of bytes per row: sorting them is far faster than np.unique(axis=0)
        width = signature.shape[1] * signature.itemsize
        keys = signature.view(np.dtype((np.void, width))).ravel()
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        chosen = np.array([_choose(vp, shape, signature[i]) for i in first.tolist()],
                          dtype=np.int32)
        codes[rows] = chosen[inverse.reshape(-1)]
    labels = pa.array(vp.pathway_ids, pa.string())
    return labels.take(pa.array(codes, mask=codes < 0))


def _dtype(vp: VectorPlan) -> Any:
    return np.int16 if (vp.no_rank + 1) * _FLAGS < 2**15 else np.int32


def _signature(vp: VectorPlan, shape: _Shape, result: VectorResult, rows: Any) -> Any:
    """(rows, 1 + candidates + swaps) integers: each urgent row's level, then per candidate
    pathway its rank and flags (rank ``no_rank``, no flags, when not recommended), then one 0/1
    per swap (the replacement holds)."""
    m = rows.size
    cand = np.array(shape.candidates, dtype=np.intp)
    rank = np.minimum(np.take(result.pathway_rank[cand], rows, axis=1), vp.no_rank)
    out = np.zeros((1 + cand.size + len(shape.swaps), m), dtype=_dtype(vp))
    out[0] = result.level[rows]
    recommended = rank < vp.no_rank
    parts = out[1 : 1 + cand.size]
    parts += rank.astype(out.dtype) * _FLAGS
    parts += vp.conditional(result, rows)[cand].astype(out.dtype) * _CONDITIONAL
    at = np.full(int(result.urgent.shape[0]), -1, dtype=np.intp)
    at[rows] = np.arange(m)

    def certain(r: int) -> Any:
        """Rule r's condition definitely true, at ``rows``."""
        known = np.take(result.fired[r], rows)
        if result.unsure_rows:
            unknown = at[result.unsure_rows[r]]
            known[unknown[unknown >= 0]] = False
        return known

    position = {p: k for k, p in enumerate(shape.candidates)}
    by_rule = np.zeros((cand.size, m), dtype=bool)
    for r in shape.urgent_rules:
        known = certain(r)
        for p in vp.rules[r].pathways:
            by_rule[position[p]] |= known
    parts += (by_rule & recommended).astype(out.dtype) * _BY_URGENT_RULE
    for k, (r, _p, keep) in enumerate(shape.swaps):
        # replaced where the rule is known true, unless a safety route that fired recommends
        # it (``semantics._replace_routes``, the vector engine's ``_replace_routes``)
        holds = certain(r)
        for s in keep:
            holds &= ~np.take(result.fired[s], rows)
        out[1 + cand.size + k] = holds
    return np.ascontiguousarray(out.T)


def _choose(vp: VectorPlan, shape: _Shape, signature: Any) -> int:
    """The pathway index :func:`choose_first_step` gives for one signature, or -1."""
    key = signature.tobytes()
    found = shape.memo.get(key)
    if found is not None:
        return found
    values = signature.tolist()
    k = len(shape.candidates)
    ids = vp.pathway_ids
    parts = dict(zip(shape.candidates, values[1 : 1 + k], strict=True))
    recommended = sorted((v // _FLAGS, p) for p, v in parts.items() if v // _FLAGS < vp.no_rank)
    replaced: dict[str, list[str]] = {}
    for holds, (r, p, _keep) in zip(values[1 + k :], shape.swaps, strict=True):
        if holds:
            replaced.setdefault(ids[p], []).extend(ids[q] for q in vp.rules[r].pathways)
    chosen = choose_first_step(
        shape.routes,
        urgent=True,
        final_level=values[0],
        firm=[ids[p] for _, p in recommended if not parts[p] & _CONDITIONAL],
        by_urgent_rule={ids[p] for _, p in recommended if parts[p] & _BY_URGENT_RULE},
        replaced=replaced,
    )
    code = -1 if chosen is None else ids.index(chosen)
    # kept per ruleset like every per-ruleset memo, bounded by rhrt.explain.MEMO_SIZE (a few
    # hundred signatures occur in practice); the keys are pathway ranks and flags, never case
    # content
    return kept(shape.memo, key, code)

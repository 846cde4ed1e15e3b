# SPDX-License-Identifier: MIT
"""The vectorised engine: a compiled :class:`~rhrt.rules.compile.Plan` evaluated over arrays.

Why a second engine: the reference engine evaluates one case at a time in Python, which is right
for explanations but far too slow for a million-row audit. Here every condition node becomes a
pair of boolean vectors over all cases at once (``true``, ``unknown``; false is neither), so a
ruleset is a few dozen numpy reductions whatever the number of rows.

Inputs (:class:`Arrays`) are column-major: ``present[c]`` is the presence vector of the c-th
indicator in ruleset order, which keeps every indicator slice contiguous in memory.

The meaning is :mod:`rhrt.rules.semantics` (Kleene logic, rules fire when true or unknown, the
level floor, unborn is under every age, the recommendation order), computed over arrays, and
``explain.determining_indicators``; the engines are property-tested to agree row by row
(``tests/test_batch.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, assert_never

from rhrt.rules.plan import (
    AgeCmp,
    All,
    AnyOf,
    ContextIs,
    Count,
    HasAny,
    IsUnborn,
    MeasureCmp,
    Node,
    Not,
    Plan,
    derived,
    walk,
)
from rhrt.rules.semantics import (
    AGE_OF_UNBORN,
    AGE_OPERATORS,
    LEVELS,
    LOWEST_LEVEL,
    MEASURE_OPERATORS,
    recommendation_slots,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    BoolArray = npt.NDArray[np.bool_]
    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.intp]
else:  # pragma: no cover - annotations only
    BoolArray = FloatArray = IntArray = Any


@dataclass(frozen=True)
class Arrays:
    """The facts of ``n`` cases as arrays (what ``Facts`` is for one case)."""

    dense: BoolArray | None
    """Shape (indicators, n): ``dense[c, i]`` when case i has the c-th indicator; or None,
    when ``hits`` (then required) are the only form given and the matrix is built only if
    :attr:`present` is read (see ``width``)."""
    measures: dict[str, FloatArray]
    """Measure id → values, NaN where not recorded. A missing key means never recorded."""
    age_months: FloatArray
    """Age in months, NaN where not recorded (and for unborn children)."""
    unborn: BoolArray
    hits: tuple[IntArray, IntArray] | None = None
    """The present indicators as (row, column) pairs, in any order and possibly repeated (a
    sparse copy of ``present``, much faster to explain from). Derived when not given."""
    selected: dict[int, BoolArray] = field(default_factory=dict)
    """Indicator column → its presence as selected, before the concerns recorded measures
    imply were added (only the columns some measure implies; see ``rhrt.batch._recorded``)."""
    context: dict[str, FloatArray] = field(default_factory=dict)
    """Context state → 1.0 recorded as holding, 0.0 as not, NaN not recorded (a missing key:
    never recorded). What ``CaseContext.states`` gives one case."""
    stepped_down_months: FloatArray | None = None
    """Months since the plan stepped down from ended, NaN where not recorded (None: never)."""
    width: int = 0
    """Number of indicator columns (the dense matrix's first dimension when ``dense`` is
    None)."""
    unique: bool = False
    """``hits`` are sorted by row, then column, without repeats (:func:`unique_pairs`): counts
    over them are exact, and a subset of them is already in explanation order."""
    _built: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)
    """What is derived on first use and kept: the dense matrix, the pairs by column."""

    @property
    def n(self) -> int:
        return int(self.unborn.shape[0])

    @property
    def indicators(self) -> int:
        """Number of indicator columns."""
        return int(self.dense.shape[0]) if self.dense is not None else self.width

    @property
    def present(self) -> BoolArray:
        """The dense (indicators, n) presence matrix: ``dense`` when given, else built from
        ``hits`` once, on first read (≈ 300 MB per 1M rows of the bundled ruleset; evaluation
        and the batch outputs do not need it, the audit's groupings and the what-if diff do)."""
        if self.dense is not None:
            return self.dense
        built = self._built.get("present")
        if built is None:
            import numpy as np

            if self.hits is None:
                raise ValueError("Arrays needs dense or hits")
            built = np.zeros((self.width, self.n), dtype=bool)
            built[self.hits[1], self.hits[0]] = True
            self._built["present"] = built
        return built

    def column(self, c: int) -> BoolArray:
        """The presence vector of the c-th indicator (a fresh array, or a view of the dense
        matrix: do not write to it), without building the dense matrix."""
        if self.dense is not None or "present" in self._built:
            row: BoolArray = self.present[c]
            return row
        return self.any_of(_one(c))

    def any_of(self, cols: IntArray) -> BoolArray:
        """Rows with at least one of the indicator columns ``cols`` (a fresh array), without
        building the dense matrix."""
        sparse = _Sparse.of(self)
        if sparse is None or self.dense is not None or "present" in self._built:
            return _any_rows(self.present, cols, self.n)
        return sparse.any_rows(cols, self.n)

    def pairs(self) -> tuple[IntArray, IntArray]:
        if self.hits is not None:
            return self.hits
        import numpy as np

        cols, rows = np.nonzero(self.present)
        return rows, cols


def _one(c: int) -> IntArray:
    import numpy as np

    return np.array([c], dtype=np.intp)


@dataclass(frozen=True)
class VectorResult:
    """The outcome for every case: what ``Evaluation`` is for one case."""

    level: Any
    """uint8 array of levels (on the scale ``LEVELS``)."""
    urgent: BoolArray
    fired: BoolArray
    """Shape (rules, n): rule r fired (true or unknown) for case i, in plan rule order."""
    pathway_rank: Any
    """Shape (pathways, n) int8 (int16 past 126 slots, int32 past 32,766): the slot at which
    each pathway was first recommended, or a value ≥ ``VectorPlan.no_rank`` when it was not
    recommended.
    Sorting by rank gives the reference engine's first-recommendation order."""
    known_level: Any
    """uint8 array: the level the known facts alone establish (``Evaluation.known_level``)."""
    known_urgent: BoolArray
    provisional: BoolArray
    """Recording the missing facts may change the outcome (``Evaluation.provisional``)."""
    fired_rows: tuple[IntArray, ...] = ()
    """Per rule, the rows it fired on (``np.flatnonzero(fired[r])``; a few per rule), when
    the engine gives them (it does): what the pathway ranks and consent positions read."""
    unsure_rows: tuple[IntArray, ...] = ()
    """Per rule, the rows it fired on only because information is missing (its condition
    unknown; few rules, few rows), when the engine gives them (it does): what
    :meth:`VectorPlan.conditional` reads."""

    def rows_fired(self, r: int) -> IntArray:
        """The rows rule ``r`` fired on."""
        if self.fired_rows:
            return self.fired_rows[r]
        import numpy as np

        return np.flatnonzero(self.fired[r])


@dataclass(frozen=True)
class _RuleVec:
    node: Node
    level: int | None
    urgent: bool
    pathways: tuple[int, ...]
    positive: IntArray
    """Indicator columns the rule can match outside any ``not`` (for determining indicators)."""
    instead_of: tuple[int, ...] = ()
    """Pathway indices this rule replaces when known true (``then.instead_of``)."""
    safety: bool = False


@dataclass
class VectorPlan:
    """A plan resolved to column indices, ready to evaluate arrays of any length.

    Built once per ruleset (see :func:`vector_plan`) and immutable afterwards, so chunks of a
    streamed file reuse it.
    """

    plan: Plan
    indicator_ids: tuple[str, ...]
    column: dict[str, int]
    indicator_level: Any
    """uint8 array, level of each indicator column."""
    level_columns: dict[int, IntArray]
    primary_domain: Any
    """intp array, primary-domain index of each indicator column."""
    rules: tuple[_RuleVec, ...]
    rule_ids: tuple[str, ...]
    pathway_ids: tuple[str, ...]
    level_pathways: dict[int, tuple[int, ...]]
    slots: tuple[tuple[int, int], ...]
    """Recommendation slots in order: (pathway, rule index) or (pathway, -level)."""
    no_rank: int
    _ids_cache: dict[frozenset[str], IntArray] = field(default_factory=dict, repr=False)
    _shared_nodes: list[frozenset[Node]] = field(default_factory=list, repr=False)
    _slot_cache: list[Any] = field(default_factory=list, repr=False)
    _from_level: dict[frozenset[str], int | None] = field(default_factory=dict, repr=False)

    def _shared(self) -> frozenset[Node]:
        """The condition nodes that occur more than once among the rules: only their vectors
        are kept while a batch is evaluated (a node's vectors cost 1-2 bytes per row; keeping
        every node's was ≈ 100 MB per 1M rows)."""
        if not self._shared_nodes:
            seen: set[Node] = set()
            twice: set[Node] = set()
            for rule in self.rules:
                for node in walk(rule.node):
                    (twice if node in seen else seen).add(node)
            self._shared_nodes.append(frozenset(twice))
        return self._shared_nodes[0]

    # -- compilation ------------------------------------------------------------------------

    @classmethod
    def compile(cls, plan: Plan) -> VectorPlan:
        import numpy as np

        ids = plan.indicator_order
        column = {ind: c for c, ind in enumerate(ids)}
        levels = np.array([plan.indicator_level[i] for i in ids], dtype=np.uint8)
        domains = sorted({plan.indicator_domain[i] for i in ids})
        dom_index = {d: k for k, d in enumerate(domains)}
        primary = np.array([dom_index[plan.indicator_domain[i]] for i in ids], dtype=np.intp)

        pathway_ids: list[str] = []
        seen: dict[str, int] = {}

        def pid(name: str) -> int:
            if name not in seen:
                seen[name] = len(pathway_ids)
                pathway_ids.append(name)
            return seen[name]

        rules = []
        for rule in plan.rules:
            rules.append(
                _RuleVec(
                    node=rule.condition,
                    level=rule.level,
                    urgent=rule.urgent,
                    pathways=tuple(pid(p) for p in rule.pathways),
                    positive=np.array(
                        sorted(column[i] for i in rule.indicator_ids), dtype=np.intp
                    ),
                    instead_of=tuple(pid(p) for p in rule.instead_of),
                    safety=rule.safety,
                )
            )
        slots = tuple((pid(p), source) for p, source in recommendation_slots(plan))
        level_pathways = {
            lv: tuple(p for p, source in slots if source == -lv) for lv in LEVELS
        }
        return cls(
            plan=plan,
            indicator_ids=ids,
            column=column,
            indicator_level=levels,
            level_columns={lv: np.flatnonzero(levels == lv).astype(np.intp) for lv in LEVELS},
            primary_domain=primary,
            rules=tuple(rules),
            rule_ids=tuple(r.id for r in plan.rules),
            pathway_ids=tuple(pathway_ids),
            level_pathways=level_pathways,
            slots=slots,
            no_rank=len(slots) + 1,
        )

    def _at_or_above(self, ids: frozenset[str]) -> int | None:
        """The level L when ``ids`` are exactly the indicators at level L or above (as
        "at least 1 level-3-or-above concerns" reads them), else None: then a row holds one
        of them exactly when the highest level among its concerns is L or above."""
        if ids not in self._from_level:
            import numpy as np

            cols = set(self._columns(ids).tolist())
            found = None
            for lv in LEVELS[1:]:
                if cols and cols == set(np.flatnonzero(self.indicator_level >= lv).tolist()):
                    found = lv
            self._from_level[ids] = found
        return self._from_level[ids]

    def _columns(self, ids: frozenset[str]) -> IntArray:
        found = self._ids_cache.get(ids)
        if found is None:
            import numpy as np

            found = np.array(sorted(self.column[i] for i in ids), dtype=np.intp)
            self._ids_cache[ids] = found
        return found

    # -- evaluation -------------------------------------------------------------------------

    def evaluate(self, arrays: Arrays) -> VectorResult:
        """Evaluate every rule on every case (no short-circuit, like the reference engine)."""
        import numpy as np

        n = arrays.n
        memo: dict[Node, tuple[BoolArray, BoolArray | None]] = {}
        level = np.full(n, LOWEST_LEVEL, dtype=np.uint8)  # the level floor, from the concerns
        sparse = _Sparse.of(arrays)
        if sparse is not None:
            np.maximum(sparse.top_level(self.indicator_level), np.uint8(LOWEST_LEVEL), out=level)
        else:
            for lv in LEVELS[1:]:
                cols = self.level_columns[lv]
                if cols.size:
                    level[_any_rows(arrays.present, cols, n)] = lv
        known_level = level.copy()
        urgent = np.zeros(n, dtype=bool)
        known_urgent = np.zeros(n, dtype=bool)
        fired = np.empty((len(self.rules), n), dtype=bool)
        fired_rows: list[IntArray] = []
        unsure_rows: list[IntArray] = []
        no_rows = np.zeros(0, dtype=np.intp)
        unsure = np.zeros((len(self.rules), n), dtype=bool)
        any_unsure = np.zeros(n, dtype=bool)  # a few rules are ever unknown, on a few rows
        for r, rule in enumerate(self.rules):
            true, unknown = self._node(rule.node, arrays, memo, sparse)
            hit = true if unknown is None else true | unknown
            fired[r] = hit
            fired_rows.append(np.flatnonzero(hit))
            if unknown is not None:
                unsure[r] = unknown
                any_unsure |= unknown
                unsure_rows.append(np.flatnonzero(unknown))
            else:
                unsure_rows.append(no_rows)
            if rule.level is not None and rule.level > LOWEST_LEVEL:
                # hit × level is the rule's level where it fired, 0 elsewhere: an unmasked
                # maximum (a masked one, ``where=``, is ≈ 20× slower)
                raised = np.uint8(rule.level)
                np.maximum(level, hit.view(np.uint8) * raised, out=level)
                np.maximum(known_level, true.view(np.uint8) * raised, out=known_level)
            if rule.urgent:
                urgent |= hit
                known_urgent |= true
        urgent_cols = self._columns(frozenset(self.plan.urgent_indicators))
        if urgent_cols.size:
            pressing = (sparse.any_rows(urgent_cols, n) if sparse is not None
                        else _any_rows(arrays.present, urgent_cols, n))
            urgent |= pressing
            known_urgent |= pressing
        rank = self._pathway_rank(fired_rows, level, n)
        self._replace_routes(fired, unsure, rank)
        provisional = (level != known_level) | (urgent != known_urgent)
        provisional |= self._conditional_rows(fired, unsure, rank, known_level,
                                              provisional, any_unsure)
        return VectorResult(
            level=level,
            urgent=urgent,
            fired=fired,
            pathway_rank=rank,
            known_level=known_level,
            known_urgent=known_urgent,
            provisional=provisional,
            fired_rows=tuple(fired_rows),
            unsure_rows=tuple(unsure_rows),
        )

    def _conditional_rows(
        self, fired: BoolArray, unsure: BoolArray, rank: Any, known_level: Any, done: BoolArray,
        any_unsure: BoolArray,
    ) -> BoolArray:
        """Rows (not already ``done``) with a pathway that only rules fired on missing
        information recommend: a pathway recommended whose known-facts recommendation (a rule
        definitely true, or the known level's own) is absent. ``semantics.fold``'s
        ``conditional``, over arrays; only rows with an unknown fired rule are examined."""
        import numpy as np

        n = fired.shape[1]
        out = np.zeros(n, dtype=bool)
        idx = np.flatnonzero(any_unsure & ~done)  # any_unsure: unsure.any(axis=0)
        if not idx.size:
            return out
        # np.take along the rows: 2-3x faster than fired[:, idx]
        out[idx] = self._conditional_at(
            np.take(fired, idx, axis=1), np.take(unsure, idx, axis=1),
            np.take(rank, idx, axis=1), known_level[idx],
        ).any(axis=0)
        return out

    def conditional(self, result: VectorResult, rows: IntArray) -> BoolArray:
        """Shape (pathways, len(rows)): pathway p is recommended on ``rows[j]`` only by rules
        fired on missing information (``semantics.fold``'s ``conditional``: what
        ``PathwayRecommendation.conditional_on`` is given for), for any rows, status
        confirmed or provisional."""
        import numpy as np

        fired = np.take(result.fired, rows, axis=1)
        unsure = np.zeros_like(fired)
        at = np.full(result.fired.shape[1], -1, dtype=np.intp)
        at[rows] = np.arange(rows.size)
        for r, unknown in enumerate(result.unsure_rows):
            if unknown.size:
                mine = at[unknown]
                unsure[r, mine[mine >= 0]] = True
        return self._conditional_at(
            fired, unsure, np.take(result.pathway_rank, rows, axis=1), result.known_level[rows]
        )

    def _conditional_at(
        self, fired: BoolArray, unsure: BoolArray, rank: Any, known_level: Any
    ) -> BoolArray:
        """(pathways, m): recommended (``rank``) but not by the known facts alone (a rule
        definitely true, or the known level's own route), or droppable by a replacement fired
        only on missing information; every argument is taken at the same m rows."""
        import numpy as np

        certain = fired & ~unsure
        known = np.zeros((len(self.pathway_ids), fired.shape[1]), dtype=bool)
        for p, source in self.slots:
            known[p] |= certain[source] if source >= 0 else known_level == -source
        # a replacement fired only on missing information would drop a recommended pathway
        for r, rule in enumerate(self.rules):
            for p in rule.instead_of:
                pending = unsure[r].copy()
                for s, other in enumerate(self.rules):
                    if other.safety and p in other.pathways:
                        pending &= ~fired[s]
                known[p] &= ~pending
        conditional: BoolArray = (rank < self.no_rank) & ~known
        return conditional

    def _replace_routes(self, fired: BoolArray, unsure: BoolArray, rank: Any) -> None:
        """``semantics._replace_routes`` over arrays, in place on ``rank``: a pathway a rule
        known true replaces is not recommended, unless a safety route that fired recommends
        it."""
        for r, rule in enumerate(self.rules):
            if not rule.instead_of:
                continue
            certain = fired[r] & ~unsure[r]
            if not certain.any():
                continue
            for p in rule.instead_of:
                drop = certain.copy()
                for s, other in enumerate(self.rules):
                    if other.safety and p in other.pathways:
                        drop &= ~fired[s]
                rank[p][drop] = self.no_rank

    def _pathway_rank(self, fired_rows: list[IntArray], level: Any, n: int) -> Any:
        """First-recommendation slot of each pathway: rules in order, then the level's own.

        The level's own slots are a look-up by level; a rule's slots are written to the rows
        it fired on (a few per rule), keeping the smallest slot."""
        import numpy as np

        by_level, rule_slots = self._slot_tables()
        rank = np.empty((len(self.pathway_ids), n), dtype=by_level.dtype)
        at = None  # the levels as indices, converted once (not once per pathway)
        for p, row in enumerate(by_level):  # each row's level's own
            if (row[1:] == row[1]).all():  # most pathways are no level's own
                rank[p].fill(row[1])
            else:
                if at is None:
                    at = level.astype(np.intp)
                np.take(row, at, out=rank[p])
        for r, slots in rule_slots:
            rows = fired_rows[r]
            if not rows.size:
                continue
            for p, slot in slots:
                rank[p, rows] = np.minimum(rank[p, rows], slot)
        return rank

    def _slot_tables(self) -> tuple[Any, tuple[tuple[int, tuple[tuple[int, int], ...]], ...]]:
        """(pathways × levels array: the smallest slot of each level's own recommendation of
        each pathway, ``no_rank`` where none; per rule with slots, its (pathway, slot) pairs)."""
        if not self._slot_cache:
            import numpy as np

            # 31 pathways: 31 MB per 1M rows in int8 (47 slots); int16, int32 past
            small = (np.int8 if self.no_rank < 2**7 else np.int16 if self.no_rank < 2**15
                     else np.int32)
            by_level = np.full((len(self.pathway_ids), max(LEVELS) + 1), self.no_rank,
                               dtype=small)
            rules: dict[int, list[tuple[int, int]]] = {}
            for slot, (p, source) in enumerate(self.slots):
                if source < 0:
                    by_level[p, -source] = min(int(by_level[p, -source]), slot)
                else:
                    rules.setdefault(source, []).append((p, slot))
            self._slot_cache.append(
                (by_level, tuple((r, tuple(slots)) for r, slots in sorted(rules.items())))
            )
        return self._slot_cache[0]  # type: ignore[no-any-return]

    def _node(
        self,
        node: Node,
        a: Arrays,
        memo: dict[Node, tuple[BoolArray, BoolArray | None]],
        sparse: _Sparse | None = None,
    ) -> tuple[BoolArray, BoolArray | None]:
        """(true, unknown) vectors of a node; ``unknown`` is None when it is never unknown."""
        found = memo.get(node)
        if found is None:
            found = self._compute(node, a, memo, sparse)
            if node in self._shared():
                memo[node] = found
        return found

    def _count_rows(self, node: Count, a: Arrays) -> BoolArray:
        """A count over the dense indicator rows."""
        import numpy as np

        cols = self._columns(node.ids)
        sub = a.present[cols]
        ok = sub.sum(axis=0, dtype=np.int32) >= node.at_least
        if node.distinct_domains is not None:
            doms = self.primary_domain[cols]
            spread = np.zeros(ok.shape[0], dtype=np.int32)
            for dom in np.unique(doms):
                spread += np.logical_or.reduce(sub[doms == dom], axis=0)
            ok &= spread >= node.distinct_domains
        return np.asarray(ok, dtype=bool)

    def _compute(
        self,
        node: Node,
        a: Arrays,
        memo: dict[Node, tuple[BoolArray, BoolArray | None]],
        sparse: _Sparse | None = None,
    ) -> tuple[BoolArray, BoolArray | None]:
        import numpy as np

        n = a.n
        match node:
            case HasAny():
                cols = self._columns(node.ids)
                if sparse is not None and (a.dense is None or sparse.cheaper(cols.size)):
                    if (lv := self._at_or_above(node.ids)) is not None:
                        return sparse.top_level(self.indicator_level) >= lv, None
                    return sparse.any_rows(cols, n), None
                return _any_rows(a.present, cols, n), None
            case Count():
                cols = self._columns(node.ids)
                if cols.size < node.at_least:
                    return np.zeros(n, dtype=bool), None
                if sparse is not None and (a.dense is None or sparse.cheaper(cols.size)):
                    # Pairs may repeat (an id listed twice, or also implied), so their count
                    # per row is at least the true count: rows below ``at_least`` are false,
                    # and the few others are counted exactly on the dense columns.
                    if sparse.unique and node.distinct_domains is not None:
                        return sparse.exact_count(  # one pass: exact counts, then domains
                            cols, None, self.primary_domain, node.at_least,
                            node.distinct_domains), None
                    if (node.at_least <= 1 and node.distinct_domains is None
                            and (lv := self._at_or_above(node.ids)) is not None):
                        # one of the concerns at a level or above: the rows' highest level
                        return sparse.top_level(self.indicator_level) >= lv, None
                    counts = sparse.counts(cols, n)
                    if node.at_least <= 1 and node.distinct_domains is None:
                        return counts >= 1, None  # any pair will do: repeats change nothing
                    maybe = counts >= node.at_least
                    if not maybe.any() or (sparse.unique and node.distinct_domains is None):
                        return maybe, None  # repeat-free pairs: the count is exact
                    return sparse.exact_count(
                        cols, maybe, self.primary_domain, node.at_least, node.distinct_domains
                    ), None
                return self._count_rows(node, a), None
            case MeasureCmp():
                values = a.measures.get(node.measure)
                if values is None:
                    return np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
                return _compare(MEASURE_OPERATORS[node.op], values, node.value)
            case AgeCmp():
                # the age the rules see: unborn is under every age (built once per batch)
                age = a._built.get("rule_age")
                if age is None:
                    age = np.where(a.unborn, AGE_OF_UNBORN, a.age_months)
                    a._built["rule_age"] = age
                return _compare(AGE_OPERATORS[node.op], age, node.months)
            case IsUnborn():
                # neither unborn nor an age recorded: whether the child is unborn is unknown
                unknown = ~a.unborn & np.isnan(a.age_months)
                true = a.unborn.copy() if node.value else ~a.unborn & ~unknown
                return true, (unknown if unknown.any() else None)
            case ContextIs():
                # semantics.context_truth over arrays: Kleene "and" of state and recency
                state = a.context.get(node.state)
                if state is None:
                    s_true, s_false = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
                else:
                    s_true, s_false = state == 1.0, state == 0.0
                if node.within_months is None:
                    return s_true, _unknown(s_true, s_false)
                months = a.stepped_down_months
                if months is None:
                    r_true, r_false = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
                else:
                    with np.errstate(invalid="ignore"):
                        r_true = months <= node.within_months
                        r_false = months > node.within_months
                true = s_true & r_true
                return true, _unknown(true, s_false | r_false)
            case All():
                parts = [self._node(child, a, memo, sparse) for child in node.children]
                true = np.ones(n, dtype=bool)
                for t, _u in parts:
                    true &= t
                if all(u is None for _t, u in parts):
                    return true, None  # every part known: so is the whole (false = ~true)
                false = np.zeros(n, dtype=bool)
                for t, u in parts:
                    false |= ~t if u is None else ~(t | u)
                return true, _unknown(true, false)
            case AnyOf():
                parts = [self._node(child, a, memo, sparse) for child in node.children]
                true = np.zeros(n, dtype=bool)
                for t, _u in parts:
                    true |= t
                if all(u is None for _t, u in parts):
                    return true, None  # every part known: so is the whole (false = ~true)
                false = np.ones(n, dtype=bool)
                for t, u in parts:
                    false &= ~t if u is None else ~(t | u)
                return true, _unknown(true, false)
            case Not():
                t, u = self._node(node.child, a, memo, sparse)
                if u is None:
                    return ~t, None
                return ~(t | u), u
            case _:
                assert_never(node)

    # -- explanation ------------------------------------------------------------------------

    def determining(self, arrays: Arrays, result: VectorResult) -> tuple[IntArray, IntArray]:
        """The determining indicators of each case as (row, column) pairs, sorted by row and
        then ruleset order, without duplicates.

        Exactly ``explain.determining_indicators``: present indicators at the decided level,
        plus present indicators matched by a fired rule whose level is the decided level.
        Computed on the sparse pairs (a few per case), not the dense matrix.
        """
        import numpy as np

        level = result.level
        rows, cols = arrays.pairs()
        chosen = self.indicator_level[cols] == level[rows]
        if arrays.unique:
            # pairs sorted by row: each rule reads only the pairs of the rows it fired on at
            # its own level (a few), not every pair and row
            sparse = _Sparse.of(arrays) or _Sparse(rows, cols, arrays.n, arrays.indicators, True)
            _total, starts = sparse._row_runs()
            member = np.zeros(len(self.indicator_ids), dtype=bool)
            for r, rule in enumerate(self.rules):
                if rule.level is None or not rule.positive.size:
                    continue
                fired = result.rows_fired(r)
                fired = fired[level[fired] == rule.level]
                if not fired.size:
                    continue
                idx = _ranges(starts[fired], starts[fired + 1])
                member[:] = False
                member[rule.positive] = True
                chosen[idx[member[cols[idx]]]] = True
            return rows[chosen], cols[chosen]  # already in (row, ruleset) order, each once
        rest = np.flatnonzero(~chosen)
        member = np.zeros(len(self.indicator_ids), dtype=bool)
        for r, rule in enumerate(self.rules):
            if rule.level is None or not rule.positive.size or not rest.size:
                continue
            sets_level = result.fired[r] & (level == rule.level)
            if not sets_level.any():
                continue
            member[:] = False
            member[rule.positive] = True
            hit = member[cols[rest]] & sets_level[rows[rest]]
            if hit.any():
                chosen[rest[hit]] = True
                rest = rest[~hit]
        k = len(self.indicator_ids)
        key = sorted_unique(rows[chosen].astype(np.int64) * k + cols[chosen])
        return (key // k).astype(np.intp), (key % k).astype(np.intp)

    def ordered_pathways(self, result: VectorResult) -> tuple[Any, Any]:
        """(row, pathway index) pairs, rows ascending and each row's pathways in the order
        they were first recommended, without a per-row sort."""
        import numpy as np

        rank = result.pathway_rank
        rows: list[Any] = []
        values: list[Any] = []
        at_level: dict[int, Any] = {}
        for slot, (p, source) in enumerate(self.slots):
            # a pathway's first slot applies to the row: only the rows it applies to are read
            # (the rule's fired rows, or the level's rows), not every row once per slot
            if source >= 0:
                applies: Any = result.rows_fired(source)
            elif -source in at_level:
                applies = at_level[-source]
            else:
                applies = at_level[-source] = np.flatnonzero(result.level == -source)
            hit = applies[rank[p][applies] == slot]
            if hit.size:
                rows.append(hit)
                values.append(np.full(hit.size, p, dtype=np.int32))
        if not rows:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int32)
        all_rows = np.concatenate(rows)
        order = np.argsort(all_rows, kind="stable")
        return all_rows[order], np.concatenate(values)[order]


class _Sparse:
    """The present indicators of a batch as (row, column) pairs, for leaves over many indicator
    columns: the work is proportional to the pairs (a few per case) instead of columns × rows.
    Pairs may repeat; what is computed from them here does not depend on repeats (any, max) or
    is checked exactly where it could (counts, see ``VectorPlan._compute``)."""

    __slots__ = ("_by_col", "_k", "_runs", "_top", "cols", "n", "rows", "unique")

    def __init__(self, rows: Any, cols: Any, n: int, k: int, unique: bool = False) -> None:
        self.rows = rows
        self.cols = cols
        self.n = n
        self._k = k
        self.unique = unique
        """The pairs are sorted by row, then column, without repeats (``Arrays.unique``)."""
        self._by_col: tuple[Any, Any] | None = None
        self._runs: tuple[Any, Any] | None = None
        self._top: Any = None

    @classmethod
    def of(cls, arrays: Arrays) -> _Sparse | None:
        """The pairs of ``arrays`` (kept with them: built once), or None without pairs."""
        if arrays.hits is None or arrays.n == 0:
            return None
        found = arrays._built.get("sparse")
        if found is None:
            rows, cols = arrays.hits
            found = cls(rows, cols, arrays.n, arrays.indicators, arrays.unique)
            arrays._built["sparse"] = found
        return found

    def _column_index(self) -> tuple[Any, Any]:
        """(rows ordered by column, then row, start of each column's run): the pairs of one
        column without a pass over all of them."""
        if self._by_col is None:
            import numpy as np

            starts = np.zeros(self._k + 1, dtype=np.intp)
            np.cumsum(np.bincount(self.cols, minlength=self._k), out=starts[1:])
            shift = max(int(self.n - 1).bit_length(), 1)
            if self._k << shift < 2**31:
                # one sort of (column, row) packed in int32: the rows come out grouped by
                # column, ascending within it, as the stable sort by column gives them
                # (numpy sorts int32 keys ≈ 2× faster than an argsort and a gather)
                key = self.cols.astype(np.int32)
                key <<= shift
                key |= self.rows.astype(np.int32, copy=False)
                key.sort()
                key &= (1 << shift) - 1
                self._by_col = (key, starts)
            else:  # the same order, for batches too wide to pack
                self._by_col = (self.rows[np.lexsort((self.rows, self.cols))], starts)
        return self._by_col

    def _row_runs(self) -> tuple[Any, Any]:
        """(pairs per row, start of each row's run of pairs (n + 1)): the pairs must be
        sorted by row (``unique``)."""
        if self._runs is None:
            import numpy as np

            total = np.bincount(self.rows, minlength=self.n)
            starts = np.zeros(self.n + 1, dtype=np.intp)
            np.cumsum(total, out=starts[1:])
            self._runs = (total, starts)
        return self._runs

    def top_level(self, indicator_level: Any) -> Any:
        """Per row (uint8), the highest of ``indicator_level`` (each column's level) among its
        pairs, 0 for a row without pairs; built once per levels array (repeats change no
        maximum)."""
        if self._top is not None and self._top[0] is indicator_level:
            return self._top[1]
        import numpy as np

        top = np.zeros(self.n, dtype=np.uint8)
        # an unbuffered maximum over each row's pairs, in one pass without sorting or
        # compacting them (numpy's ``ufunc.at`` has a fast path since 1.25)
        np.maximum.at(top, self.rows, indicator_level[self.cols].astype(np.uint8, copy=False))
        self._top = (indicator_level, top)
        return top

    def cheaper(self, columns: int) -> bool:
        """Whether a leaf over ``columns`` indicator columns is cheaper on the pairs (about
        four passes over them) than on the dense rows (one pass per column)."""
        return bool(columns * self.n > 4 * self.rows.size)

    def _member(self, cols: Any) -> Any:
        import numpy as np

        member = np.zeros(self._k, dtype=bool)
        member[cols] = True
        return member[self.cols]

    def any_rows(self, cols: Any, n: int) -> BoolArray:
        import numpy as np

        out = np.zeros(n, dtype=bool)
        if cols.size > _FEW_COLUMNS:
            out[self.rows[self._member(cols)]] = True
            return out
        by_col, starts = self._column_index()
        for c in cols.tolist():
            out[by_col[starts[c]:starts[c + 1]]] = True
        return out

    def rows_of(self, cols: Any) -> IntArray:
        """The rows of the pairs in ``cols`` (a row once per pair), without a pass over all
        the pairs."""
        import numpy as np

        by_col, starts = self._column_index()
        parts = [by_col[starts[c]:starts[c + 1]] for c in cols.tolist()]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)

    def counts(self, cols: Any, n: int) -> Any:
        """Pairs in ``cols`` per row (an upper bound of the distinct count: pairs may repeat)."""
        import numpy as np

        if cols.size <= _FEW_COLUMNS:
            return np.bincount(self.rows_of(cols), minlength=n)
        return np.bincount(self.rows[self._member(cols)], minlength=n)

    def exact_count(
        self, cols: Any, maybe: BoolArray | None, domain: Any, at_least: int, distinct: int | None
    ) -> BoolArray:
        """Rows (among ``maybe``; every other row is false) with at least ``at_least`` distinct
        indicators of ``cols``, over at least ``distinct`` distinct primary domains (``domain``:
        each column's domain number) when given: repeated pairs are removed first. On
        repeat-free pairs (``unique``) ``maybe`` is not read: the count is exact."""
        import numpy as np

        n, k = self.n, self._k
        if self.unique:  # already distinct, and the rows ascend: count, then keep the rows
            member = np.zeros(k, dtype=bool)
            member[cols] = True
            total, starts = self._row_runs()
            if 2 * cols.size > k:  # most columns: count the pairs of the others
                ok = total - np.bincount(self.rows_of(np.flatnonzero(~member)),
                                         minlength=n) >= at_least
            else:
                ok = np.bincount(self.rows[member[self.cols]], minlength=n) >= at_least
            if distinct is None or not ok.any():
                return np.asarray(ok, dtype=bool)
            reach = np.flatnonzero(ok)  # only these rows' pairs are read again
            idx = _ranges(starts[reach], starts[reach + 1])
            idx = idx[member[self.cols[idx]]]
            rows, found = self.rows[idx], self.cols[idx]
        else:
            assert maybe is not None
            sel = self._member(cols) & maybe[self.rows]
            key = sorted_unique(self.rows[sel].astype(np.int64) * k + self.cols[sel])
            rows, found = key // k, key % k
            ok = np.bincount(rows, minlength=n) >= at_least
        if distinct is not None:
            spread = int(domain.max()) + 1 if domain.size else 1
            if distinct == 2:
                # rows ascend: a row's pairs are not all of one domain exactly when two
                # neighbouring pairs of the row differ in domain
                dom = domain[found]
                change = (rows[1:] == rows[:-1]) & (dom[1:] != dom[:-1])
                wide = np.zeros(n, dtype=bool)
                wide[rows[1:][change]] = True
                ok &= wide
            elif self.unique and spread <= 63 and rows.size and hasattr(np, "bitwise_count"):
                # rows ascend: one bit per domain, OR-ed over each row's run of pairs
                # (numpy >= 2; numpy 1.26 sorts, below)
                bits = np.left_shift(np.int64(1), domain[found].astype(np.int64))
                starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
                spread_of = np.bitwise_count(np.bitwise_or.reduceat(bits, starts))
                wide = np.zeros(n, dtype=bool)
                wide[rows[starts]] = spread_of >= distinct
                ok &= wide
            else:
                doms = sorted_unique(rows * spread + domain[found], runs=True)
                ok &= np.bincount(doms // spread, minlength=n) >= distinct
        return np.asarray(ok, dtype=bool)


_FEW_COLUMNS = 32
"""Up to this many columns, ``_Sparse.any_rows`` reads each column's run of pairs; past it,
one pass over all the pairs."""


def sorted_unique(values: Any, *, runs: bool = False) -> Any:
    """Sorted distinct values (``np.unique`` hashes in numpy 2, many times slower here).

    ``runs``: the values are mostly in order already (a few sorted runs, e.g. pairs keyed by
    row then column, whose rows ascend): a stable sort (timsort) merges the runs, ≈ 20× faster
    there than the default sort, and slower on values in random order."""
    import numpy as np

    values = np.sort(values, kind="stable" if runs else None)
    if values.size < 2:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def unique_pairs(rows: Any, cols: Any, width: int) -> tuple[IntArray, IntArray]:
    """(row, column) pairs sorted by row, then column, each once (``Arrays.unique``).

    Fast when the rows mostly ascend already (as an indicator list column and each ``ind:``
    column give them): see :func:`sorted_unique`."""
    last = int(rows.max()) + 1 if rows.size else 0
    return unique_pairs_of([(rows, cols)], width, last)


def unique_pairs_of(parts: list[tuple[Any, Any]], width: int, n: int) -> tuple[IntArray, IntArray]:
    """:func:`unique_pairs` of several (rows, columns) parts at once (rows below ``n``), without
    first copying the parts together: only their int32 keys are."""
    import numpy as np

    shift = max(int(width - 1).bit_length(), 1)
    small = np.int32 if n << shift < 2**31 else np.int64  # half the memory traffic
    keys = []
    for rows, cols in parts:
        key = rows.astype(small)
        key <<= shift
        key |= cols.astype(small, copy=False)
        keys.append(key)
    if not keys:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    joined = sorted_unique(np.concatenate(keys) if len(keys) > 1 else keys[0], runs=True)
    return (joined >> shift).astype(np.intp), (joined & ((1 << shift) - 1)).astype(np.intp)


def _ranges(lo: IntArray, hi: IntArray) -> IntArray:
    """The concatenation of ``arange(lo[i], hi[i])`` for every i, without a Python loop."""
    import numpy as np

    lens = hi - lo
    ends = np.cumsum(lens)
    total = int(ends[-1]) if ends.size else 0
    if not total:
        return np.zeros(0, dtype=np.intp)
    out: IntArray = np.arange(total, dtype=np.intp) + np.repeat(lo - (ends - lens), lens)
    return out


def _any_rows(present: BoolArray, cols: IntArray, n: int) -> BoolArray:
    import numpy as np

    if cols.size == 0:
        return np.zeros(n, dtype=bool)
    if cols.size == 1:
        return np.array(present[int(cols[0])], dtype=bool)
    return np.asarray(np.logical_or.reduce(present[cols], axis=0), dtype=bool)


def _unknown(true: BoolArray, false: BoolArray) -> BoolArray | None:
    unknown = ~(true | false)
    return unknown if unknown.any() else None


def _compare(op: Any, values: FloatArray, threshold: float) -> tuple[BoolArray, BoolArray]:
    """(true, unknown) of ``values <op> threshold``; NaN (not recorded) is unknown."""
    import numpy as np

    missing = np.isnan(values)
    with np.errstate(invalid="ignore"):
        true = op(values, threshold)
    return true & ~missing, missing


def vector_plan(plan: Plan) -> VectorPlan:
    """The vector plan of a plan, compiled once and kept with the plan while it is alive."""
    return derived(plan, "batch.vector", VectorPlan.compile)

# SPDX-License-Identifier: MIT
"""The reference engine: the plain-Python truth of each rule, for one case at a time.

Every other engine (vectorised batch, durable-rules) is tested against this one. Every rule
gets a result on every case, so the trace is complete; a rule that no present concern can make
other than false (its :func:`~rhrt.rules.semantics.gate`) is known false without evaluating its
condition. What the truths mean (Kleene logic, the level floor, the fold to a level, urgency
and pathways) is in :mod:`rhrt.rules.semantics`; this module only reads a case's
:class:`Facts` at the leaves, and compiles each plan once (:func:`compiled`).
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from functools import lru_cache

from rhrt.rules.plan import (
    AgeCmp,
    ContextIs,
    Count,
    HasAny,
    IsUnborn,
    MeasureCmp,
    Node,
    Plan,
    derived,
)
from rhrt.rules.semantics import (
    AGE_OPERATORS,
    MEASURE_OPERATORS,
    MISSING_AGE,
    MISSING_STEP_DOWN_DATE,
    TOP_LEVEL,
    Check,
    Evaluation,
    Facts,
    Kleene,
    RuleResult,
    Truth,
    context_truth,
    count_holds,
    fold,
    gate,
    level_floor,
    missing_context,
    missing_measure,
    rule_age,
    unborn_truth,
    unknown,
)

__all__ = [
    "TOP_LEVEL",
    "Compiled",
    "Evaluation",
    "Facts",
    "RuleResult",
    "Truth",
    "compare",
    "compiled",
    "evaluate",
    "level_of",
    "rule_truth",
    "truth",
]


class _Leaves(Kleene[Facts]):
    """The leaves, read straight from one case's facts."""

    def has_any(self, node: HasAny) -> Check[Facts]:
        ids = node.ids

        def check(facts: Facts, unknowns: list[str] | None) -> Truth:
            return not ids.isdisjoint(facts.present)

        return check

    def count(self, node: Count) -> Check[Facts]:
        def check(facts: Facts, unknowns: list[str] | None) -> Truth:
            return count_holds(node, facts.present, facts.domains)

        return check

    def measure(self, node: MeasureCmp) -> Check[Facts]:
        name, threshold, op = node.measure, node.value, MEASURE_OPERATORS[node.op]
        missing = missing_measure(name)

        def check(facts: Facts, unknowns: list[str] | None) -> Truth:
            value = facts.measures.get(name)
            if value is None:
                return unknown(missing, unknowns)
            return bool(op(value, threshold))

        return check

    def age(self, node: AgeCmp) -> Check[Facts]:
        months, op = node.months, AGE_OPERATORS[node.op]

        def check(facts: Facts, unknowns: list[str] | None) -> Truth:
            age = rule_age(facts.age_months, facts.unborn)
            if age is None:
                return unknown(MISSING_AGE, unknowns)
            return bool(op(age, months))

        return check

    def unborn(self, node: IsUnborn) -> Check[Facts]:
        wanted = node.value

        def check(facts: Facts, unknowns: list[str] | None) -> Truth:
            value = unborn_truth(wanted, facts.age_months, facts.unborn)
            if value is None:
                return unknown(MISSING_AGE, unknowns)
            return value

        return check

    def context(self, node: ContextIs) -> Check[Facts]:
        state, within = node.state, node.within_months
        missing = missing_context(state)

        def check(facts: Facts, unknowns: list[str] | None) -> Truth:
            value, undated = context_truth(
                facts.context.get(state), facts.stepped_down_months, within
            )
            if value is None:
                return unknown(MISSING_STEP_DOWN_DATE if undated else missing, unknowns)
            return value

        return check


_LEAVES = _Leaves()


@lru_cache(maxsize=4096)
def _check(node: Node) -> Check[Facts]:
    return _LEAVES.visit(node)


def truth(node: Node, facts: Facts, unknowns: list[str] | None = None) -> Truth:
    """Evaluate a condition node; append the names of missing facts it needed to ``unknowns``.

    For a node of a plan at hand, :meth:`Compiled.check` is cheaper (no hashing of the node).
    """
    return _check(node)(facts, unknowns)


def compare(op: str, value: float, threshold: float) -> bool:
    """``value <op> threshold`` for a measure comparison (see ``MEASURE_OPERATORS``)."""
    return bool(MEASURE_OPERATORS[op](value, threshold))  # type: ignore[index]


class Compiled:
    """A plan compiled once for the reference engine (see :func:`compiled`); immutable after
    construction, shared by every thread.

    ``checks[r]`` is rule ``r``'s condition as a :data:`~rhrt.rules.semantics.Check`;
    :meth:`check` gives the compiled check of any node of the plan (parts of conditions
    included). ``gates[r]`` is rule ``r``'s :func:`~rhrt.rules.semantics.gate`: when none of
    those indicators is present the rule is known false, so :func:`evaluate` only evaluates
    the rules a case's concerns reach (``by_indicator``) and those without a gate
    (``ungated``). Known results (false, true: nothing assumed) are built once and shared;
    only an unknown result, which lists the missing facts, is built per case.
    """

    __slots__ = (
        "_memo",
        "by_indicator",
        "checks",
        "false",
        "gates",
        "levels",
        "raising",
        "true",
        "ungated",
    )

    def __init__(self, plan: Plan) -> None:
        memo: dict[int, Check[Facts]] = {}
        leaves = _Leaves(memo)
        rules = plan.rules
        self.checks = tuple(leaves.visit(rule.condition) for rule in rules)
        self._memo = memo  # node identity -> check; the plan keeps every node alive
        self.gates = tuple(gate(rule.condition) for rule in rules)
        self.levels = tuple(rule.level for rule in rules)
        self.false = tuple(RuleResult(rule, False, ()) for rule in rules)
        self.true = tuple(RuleResult(rule, True, ()) for rule in rules)
        index: dict[str, list[int]] = {}
        for pos, found in enumerate(self.gates):
            for ind in found or ():
                index.setdefault(ind, []).append(pos)
        self.by_indicator: Mapping[str, tuple[int, ...]] = {
            k: tuple(v) for k, v in index.items()
        }
        self.ungated = frozenset(p for p, g in enumerate(self.gates) if g is None)
        # highest level first (plan order within a level): see level_of
        self.raising = tuple(
            sorted(
                (
                    (rule.level, self.gates[pos], self.checks[pos])
                    for pos, rule in enumerate(rules)
                    if rule.level is not None
                ),
                key=lambda item: -item[0],
            )
        )

    def check(self, node: Node) -> Check[Facts]:
        """The compiled check of ``node``: kept from compiling the plan when ``node`` is one of
        its nodes, else compiled (and cached by value) now."""
        found = self._memo.get(id(node))
        return found if found is not None else _check(node)

    def reached(self, present: AbstractSet[str]) -> set[int]:
        """Positions of the rules that may be other than false for these concerns: those
        without a gate and those whose gate a present concern opens."""
        positions = set(self.ungated)
        get = self.by_indicator.get
        for ind in present:
            hits = get(ind)
            if hits is not None:
                positions.update(hits)
        return positions


def compiled(plan: Plan) -> Compiled:
    """The plan compiled for the reference engine: built once per plan, kept with it."""
    return derived(plan, "reference.compiled", Compiled)


def evaluate(plan: Plan, facts: Facts) -> Evaluation:
    """Evaluate every rule of a plan against one case's facts.

    Every rule gets a result; a rule whose gate no present concern opens is known false
    without evaluating it (:func:`~rhrt.rules.semantics.gate`)."""
    c = compiled(plan)
    results = list(c.false)
    reached = sorted(c.reached(facts.present))
    for pos in reached:
        check = c.checks[pos]
        value = check(facts, None)
        if value is None:  # unknown: evaluate again, collecting the missing facts
            unknowns: list[str] = []
            check(facts, unknowns)
            results[pos] = RuleResult(plan.rules[pos], None, tuple(dict.fromkeys(unknowns)))
        elif value:
            results[pos] = c.true[pos]
    return fold(plan, facts.present, results, reached)


def rule_truth(plan: Plan, position: int, facts: Facts) -> Truth:
    """The truth of the rule at ``position`` in the plan for these facts."""
    c = compiled(plan)
    found = c.gates[position]
    if found is not None and found.isdisjoint(facts.present):
        return False
    return c.checks[position](facts, None)


_FEW = 8
"""Up to this many concerns (and rules without a gate), :func:`level_of` reads only the rules
they reach instead of scanning every rule that sets a level."""


def level_of(plan: Plan, facts: Facts) -> int:
    """Only the level, with no trace: used many times per case to find the holding set.

    Skips every rule that cannot raise the level further, so it does far less work than
    :func:`evaluate` while giving the same level (that of :func:`~rhrt.rules.semantics.fold`).
    """
    present = facts.present
    level = level_floor(plan, present)
    if level >= TOP_LEVEL:
        return level  # nothing can raise it further
    c = compiled(plan)
    if len(present) <= _FEW and len(c.ungated) <= _FEW:
        # A few concerns reach a few rules (with the few ungated ones; every other rule is
        # known false by its gate): the highest level among those that may fire.
        levels, checks = c.levels, c.checks
        for pos in c.reached(present):
            rule_level = levels[pos]
            if rule_level is not None and rule_level > level and checks[pos](
                facts, None
            ) is not False:
                level = rule_level
        return level
    # Rules highest level first: the first that may fire gives the level, and none from a
    # level at or below the one reached can raise it.
    for rule_level, found, check in c.raising:
        if rule_level <= level:
            break
        if (found is None or not found.isdisjoint(present)) and check(facts, None) is not False:
            return rule_level
    return level

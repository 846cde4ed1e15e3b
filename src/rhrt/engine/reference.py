# SPDX-License-Identifier: MIT
"""The reference engine: the plain-Python truth of each rule, for one case at a time.

Every other engine (vectorised batch, durable-rules) is tested against this one. It evaluates
every rule on every case (no short-circuiting between rules), so the trace is complete. What the
truths mean (Kleene logic, the level floor, the fold to a level, urgency and pathways) is in
:mod:`rhrt.rules.semantics`; this module only reads a case's :class:`Facts` at the leaves.
"""

from __future__ import annotations

from functools import lru_cache

from rhrt.rules.plan import AgeCmp, Count, HasAny, IsUnborn, MeasureCmp, Node, Plan, derived
from rhrt.rules.semantics import (
    AGE_OPERATORS,
    MEASURE_OPERATORS,
    MISSING_AGE,
    TOP_LEVEL,
    Check,
    Evaluation,
    Facts,
    Kleene,
    RuleResult,
    Truth,
    count_holds,
    fold,
    level_floor,
    missing_measure,
    rule_age,
    unborn_truth,
    unknown,
)

__all__ = [
    "TOP_LEVEL",
    "Evaluation",
    "Facts",
    "RuleResult",
    "Truth",
    "compare",
    "evaluate",
    "level_of",
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


_LEAVES = _Leaves()


@lru_cache(maxsize=4096)
def _check(node: Node) -> Check[Facts]:
    return _LEAVES.visit(node)


def truth(node: Node, facts: Facts, unknowns: list[str] | None = None) -> Truth:
    """Evaluate a condition node; append the names of missing facts it needed to ``unknowns``."""
    return _check(node)(facts, unknowns)


def compare(op: str, value: float, threshold: float) -> bool:
    """``value <op> threshold`` for a measure comparison (see ``MEASURE_OPERATORS``)."""
    return bool(MEASURE_OPERATORS[op](value, threshold))  # type: ignore[index]


class _Compiled:
    """Per plan: each rule's check, and its (false, true) results with nothing assumed.

    Results are frozen, so every evaluation can share them; only an unknown result (which
    carries the missing facts) is built per case. This saves most of the per-rule allocation.
    """

    def __init__(self, plan: Plan) -> None:
        self.rules = tuple(
            (rule, _LEAVES.visit(rule.condition), RuleResult(rule, False, ()),
             RuleResult(rule, True, ()))
            for rule in plan.rules
        )
        self.raising = tuple(
            (rule.level, check) for rule, check, _, _ in self.rules if rule.level is not None
        )


def _compiled(plan: Plan) -> _Compiled:
    return derived(plan, "reference.compiled", _Compiled)


def evaluate(plan: Plan, facts: Facts) -> Evaluation:
    """Evaluate every rule of a plan against one case's facts."""
    results = []
    for rule, check, false, true in _compiled(plan).rules:
        unknowns: list[str] = []
        value = check(facts, unknowns)
        if value is None:
            results.append(RuleResult(rule, None, tuple(dict.fromkeys(unknowns))))
        else:
            results.append(true if value else false)
    return fold(plan, facts.present, results)


def level_of(plan: Plan, facts: Facts) -> int:
    """Only the level, with no trace: used many times per case to find the holding set.

    Skips every rule that cannot raise the level further, so it does far less work than
    :func:`evaluate` while giving the same level (that of :func:`~rhrt.rules.semantics.fold`).
    """
    level = level_floor(plan, facts.present)
    if level >= TOP_LEVEL:
        return level  # nothing can raise it further
    for rule_level, check in _compiled(plan).raising:
        if rule_level > level and check(facts, None) is not False:
            level = rule_level
    return level

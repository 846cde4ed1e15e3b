# SPDX-License-Identifier: MIT
"""The reference engine: the plain-Python truth of each rule, for one case at a time.

Every other engine (vectorised batch, durable-rules) is tested against this one. It evaluates
every rule on every case (no short-circuiting between rules), so the trace is complete. What the
truths mean (Kleene logic, the level floor, the fold to a level, urgency and pathways) is in
:mod:`rhrt.rules.semantics`; this module only reads a case's :class:`Facts` at the leaves.
"""

from __future__ import annotations

from rhrt.rules.plan import AgeCmp, Count, HasAny, IsUnborn, MeasureCmp, Node, Plan, derived
from rhrt.rules.semantics import (
    AGE_OPERATORS,
    MEASURE_OPERATORS,
    MISSING_AGE,
    TOP_LEVEL,
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


class _Leaves(Kleene):
    """The leaves read straight from one case's facts."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.age_months = rule_age(facts.age_months, facts.unborn)

    def has_any(self, node: HasAny) -> Truth:
        return not node.ids.isdisjoint(self.facts.present)

    def count(self, node: Count) -> Truth:
        return count_holds(node, self.facts.present, self.facts.domains)

    def measure(self, node: MeasureCmp) -> Truth:
        value = self.facts.measures.get(node.measure)
        if value is None:
            self.missing(missing_measure(node.measure))
            return None
        return compare(node.op, value, node.value)

    def age(self, node: AgeCmp) -> Truth:
        age = self.age_months
        if age is None:
            self.missing(MISSING_AGE)
            return None
        return bool(AGE_OPERATORS[node.op](age, node.months))

    def unborn(self, node: IsUnborn) -> Truth:
        value = unborn_truth(node.value, self.facts.age_months, self.facts.unborn)
        if value is None:
            self.missing(MISSING_AGE)
        return value


def truth(node: Node, facts: Facts, unknowns: list[str] | None = None) -> Truth:
    """Evaluate a condition node; append the names of missing facts it needed to ``unknowns``."""
    return _Leaves(facts).truth(node, unknowns)


def compare(op: str, value: float, threshold: float) -> bool:
    """``value <op> threshold`` for a measure comparison (see ``MEASURE_OPERATORS``)."""
    return bool(MEASURE_OPERATORS[op](value, threshold))  # type: ignore[index]


def _known_results(plan: Plan) -> tuple[tuple[RuleResult, RuleResult], ...]:
    """Per rule, its (false, true) results with nothing assumed, built once per plan.

    Results are frozen, so every evaluation can share them; only an unknown result (which
    carries the missing facts) is built per case. This saves most of the per-rule allocation.
    """
    return tuple((RuleResult(r, False, ()), RuleResult(r, True, ())) for r in plan.rules)


def evaluate(plan: Plan, facts: Facts) -> Evaluation:
    """Evaluate every rule of a plan against one case's facts."""
    leaves = _Leaves(facts)
    results = []
    for rule, known in zip(plan.rules, derived(plan, "reference.known", _known_results),
                           strict=True):
        unknowns: list[str] = []
        value = leaves.truth(rule.condition, unknowns)
        if value is None:
            results.append(RuleResult(rule, None, tuple(dict.fromkeys(unknowns))))
        else:
            results.append(known[value])
    return fold(plan, facts.present, results)


def level_of(plan: Plan, facts: Facts) -> int:
    """Only the level, with no trace: used many times per case to find the holding set.

    Skips every rule that cannot raise the level further, so it does far less work than
    :func:`evaluate` while giving the same level (that of :func:`~rhrt.rules.semantics.fold`).
    """
    level = level_floor(plan, facts.present)
    if level >= TOP_LEVEL:
        return level  # nothing can raise it further
    leaves = _Leaves(facts)
    for rule in plan.rules:
        if (
            rule.level is not None
            and rule.level > level
            and leaves.truth(rule.condition) is not False
        ):
            level = rule.level
    return level

# SPDX-License-Identifier: MIT
"""The reference engine: the plain-Python meaning of a compiled plan.

Every other engine (vectorised batch, durable-rules) is tested against this one. It evaluates
every rule on every case (no short-circuiting), so the trace is complete.

Three-valued logic: a condition that depends on a fact that is not recorded (age, a measure) is
*unknown* (None). ``all``/``any``/``not`` follow Kleene's rules, and a rule whose condition is
unknown still fires. Because a known-true or known-false condition stays so whatever the missing
facts turn out to be, this makes the level with missing facts at least the level of any
completion of them: unknown information never lowers a level.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Mapping
from dataclasses import dataclass

from rhrt.rules.compile import (
    MEASURE_OPERATORS,
    AgeCmp,
    All,
    AnyOf,
    CompiledRule,
    Count,
    HasAny,
    IsUnborn,
    MeasureCmp,
    Node,
    Not,
    Plan,
)

Truth = bool | None  # None = unknown
TOP_LEVEL = 4  # levels are 1-4 (the ruleset schema's LevelNumber)


@dataclass(frozen=True)
class Facts:
    """The parts of a case the rules can see."""

    present: frozenset[str]
    measures: dict[str, float]
    age_months: float | None
    unborn: bool
    domains: Mapping[str, str]
    """Indicator id → primary domain (the plan's, shared, never copied)."""

    def with_present(self, present: frozenset[str]) -> Facts:
        """The same facts with other indicators present.

        Cheaper than ``dataclasses.replace`` (which re-runs the frozen ``__init__``): the
        holding set asks for one of these per concern on every assessment.
        """
        new = object.__new__(Facts)
        new.__dict__.update(self.__dict__)
        object.__setattr__(new, "present", present)
        return new


@dataclass(frozen=True)
class RuleResult:
    rule: CompiledRule
    truth: Truth
    assumed: tuple[str, ...]
    """The missing facts an unknown result depended on."""

    @property
    def fired(self) -> bool:
        return self.truth is not False


@dataclass(frozen=True)
class Evaluation:
    level: int
    urgent: bool
    pathways: dict[str, tuple[str, ...]]
    """Pathway id → why (rule ids or ``level-N``), in first-recommended order."""
    results: tuple[RuleResult, ...]

    @property
    def fired(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.fired)


def truth(node: Node, facts: Facts, unknowns: list[str] | None = None) -> Truth:
    """Evaluate a condition node; append the names of missing facts it needed to ``unknowns``."""
    if isinstance(node, HasAny):
        return not node.ids.isdisjoint(facts.present)
    if isinstance(node, Count):
        hits = node.ids & facts.present
        if len(hits) < node.at_least:
            return False
        if node.distinct_domains is None:
            return True
        return len({facts.domains[i] for i in hits}) >= node.distinct_domains
    if isinstance(node, MeasureCmp):
        value = facts.measures.get(node.measure)
        if value is None:
            if unknowns is not None:
                unknowns.append(f"measure {node.measure}")
            return None
        return compare(node.op, value, node.value)
    if isinstance(node, AgeCmp):
        if facts.unborn:
            return node.op == "under"
        if facts.age_months is None:
            if unknowns is not None:
                unknowns.append("child's age")
            return None
        if node.op == "under":
            return facts.age_months < node.months
        return facts.age_months >= node.months
    if isinstance(node, IsUnborn):
        if not facts.unborn and facts.age_months is None:
            # Neither unborn nor an age recorded: the child may be unborn (fail-safe: unknown).
            if unknowns is not None:
                unknowns.append("child's age")
            return None
        return facts.unborn == node.value
    if isinstance(node, (All, AnyOf)):
        # The decisive value: False for ``all``, True for ``any``. Missing facts are reported
        # only when the result is unknown, so a rule never blames a fact that could not have
        # changed its outcome (e.g. an unknown measure beside a true alternative).
        decisive = isinstance(node, AnyOf)
        result: Truth = not decisive
        mine: list[str] | None = [] if unknowns is not None else None
        for child in node.children:
            value = truth(child, facts, mine)
            if value is decisive:
                return decisive
            if value is None:
                result = None
        if result is None and unknowns is not None and mine:
            unknowns.extend(mine)
        return result
    if isinstance(node, Not):
        value = truth(node.child, facts, unknowns)
        return None if value is None else not value
    raise TypeError(f"unknown node {type(node).__name__}")  # pragma: no cover


def compare(op: str, value: float, threshold: float) -> bool:
    """``value <op> threshold`` for a measure comparison (see ``MEASURE_OPERATORS``)."""
    return bool(MEASURE_OPERATORS[op](value, threshold))


_KNOWN: dict[int, tuple[weakref.ref[Plan], tuple[tuple[RuleResult, RuleResult], ...]]] = {}


def _known_results(plan: Plan) -> tuple[tuple[RuleResult, RuleResult], ...]:
    """Per rule, its (false, true) results with nothing assumed, built once per plan.

    Results are frozen, so every evaluation can share them; only an unknown result (which
    carries the missing facts) is built per case. This saves most of the per-rule allocation.
    Keyed by ``id(plan)``, checked against a weak reference and dropped when the plan goes.
    """
    key = id(plan)
    entry = _KNOWN.get(key)
    if entry is not None and entry[0]() is plan:
        return entry[1]
    known = tuple((RuleResult(r, False, ()), RuleResult(r, True, ())) for r in plan.rules)
    _KNOWN[key] = (weakref.ref(plan, functools.partial(_forget, key)), known)
    return known


def _forget(key: int, ref: weakref.ref[Plan]) -> None:
    entry = _KNOWN.get(key)
    if entry is not None and entry[0] is ref:
        _KNOWN.pop(key, None)


def evaluate(plan: Plan, facts: Facts) -> Evaluation:
    """Evaluate every rule of a plan against one case's facts."""
    results = []
    level = max(map(plan.indicator_level.__getitem__, facts.present), default=1)
    urgent = False
    pathways: dict[str, list[str]] = {}
    for rule, known in zip(plan.rules, _known_results(plan), strict=True):
        unknowns: list[str] = []
        value = truth(rule.condition, facts, unknowns)
        if value is None:
            results.append(RuleResult(rule, None, tuple(dict.fromkeys(unknowns))))
        else:
            results.append(known[value])
        if value is False:
            continue
        if rule.level is not None:
            level = max(level, rule.level)
        urgent = urgent or rule.urgent
        for pathway in rule.pathways:
            pathways.setdefault(pathway, []).append(rule.id)
    for pathway in plan.level_pathways.get(level, ()):
        pathways.setdefault(pathway, []).append(f"level-{level}")
    return Evaluation(
        level=level,
        urgent=urgent,
        pathways={k: tuple(v) for k, v in pathways.items()},
        results=tuple(results),
    )


def level_of(plan: Plan, facts: Facts) -> int:
    """Only the level, with no trace: used many times per case to find the holding set.

    Skips every rule that cannot raise the level further, so it does far less work than
    :func:`evaluate` while giving the same level.
    """
    level = max(map(plan.indicator_level.__getitem__, facts.present), default=1)
    if level >= TOP_LEVEL:
        return level  # nothing can raise it further
    for rule in plan.rules:
        if (
            rule.level is not None
            and rule.level > level
            and truth(rule.condition, facts) is not False
        ):
            level = rule.level
    return level

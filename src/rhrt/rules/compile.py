# SPDX-License-Identifier: MIT
"""Compile a validated ruleset into a plan every engine evaluates.

Why a plan: tag, domain and count conditions name *sets* of indicators; resolving them once at
load time (instead of on every case) makes evaluation a handful of set operations, and gives the
reference engine, the vectorised batch engine and the durable-rules backend one shared, explicit
meaning of each rule. The safety routes (immediate danger, allegations) are compiled into
ordinary rules here, first in order, so no engine can forget them.

Every node is a frozen dataclass: a plan is immutable and safe to share across threads.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from rhrt.model import ruleset as m

# --- condition nodes ------------------------------------------------------------------------


@dataclass(frozen=True)
class HasAny:
    """True when any of ``ids`` is present (an indicator, tag or domain condition)."""

    ids: frozenset[str]
    label: str
    """What the condition said, for explanations: ``indicator X``, ``tag T`` or ``domain D``."""


@dataclass(frozen=True)
class Count:
    """True when at least ``at_least`` of ``ids`` are present, over ``distinct_domains``."""

    ids: frozenset[str]
    at_least: int
    distinct_domains: int | None
    label: str


MEASURE_OPERATORS: Mapping[str, Callable[[Any, Any], Any]] = MappingProxyType(
    {
        "at_least": operator.ge,
        "more_than": operator.gt,
        "at_most": operator.le,
        "less_than": operator.lt,
    }
)
"""What each measure comparison means, for every engine (plain numbers or numpy arrays)."""


@dataclass(frozen=True)
class MeasureCmp:
    """Compares a measure; unknown when the measure is not recorded."""

    measure: str
    op: Literal["at_least", "more_than", "at_most", "less_than"]
    value: float


@dataclass(frozen=True)
class AgeCmp:
    """Compares the child's age in months; unknown when not recorded. Unborn is under any age."""

    op: Literal["under", "at_least"]
    months: float
    label: str


@dataclass(frozen=True)
class IsUnborn:
    value: bool


@dataclass(frozen=True)
class All:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = HasAny | Count | MeasureCmp | AgeCmp | IsUnborn | All | AnyOf | Not


@dataclass(frozen=True)
class CompiledRule:
    id: str
    because: str
    condition: Node
    level: int | None
    urgent: bool
    pathways: tuple[str, ...]
    indicator_ids: frozenset[str]
    """Indicators the condition can match outside any ``not`` (used to explain a firing)."""
    safety: bool = False


@dataclass(frozen=True)
class Plan:
    """Everything an engine needs, resolved to ids."""

    indicator_level: Mapping[str, int]
    indicator_domain: Mapping[str, str]
    indicator_order: tuple[str, ...]
    rules: tuple[CompiledRule, ...]
    level_pathways: Mapping[int, tuple[str, ...]]
    measures: Mapping[str, tuple[float, float, bool]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    indicator_rank: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """Indicator id → position in ruleset order (sorting a case's few concerns by rank is far
    cheaper than scanning every indicator of the ruleset)."""
    hint_rules: tuple[int, ...] = ()
    """Positions in ``rules`` of those that can be a near miss (see ``explain.near_misses``):
    a count needing more than one concern, or an ``all`` with a measure threshold."""
    """Measure id → (min, max, integer)."""


# --- compilation ----------------------------------------------------------------------------


def compile_ruleset(model: m.RulesetModel) -> Plan:
    """Build the plan. The model must already be cross-checked (see ``rules.load``)."""
    by_tag: dict[str, set[str]] = {}
    by_domain: dict[str, set[str]] = {}
    for ind in model.indicators:
        for tag in ind.tags:
            by_tag.setdefault(tag, set()).add(ind.id)
        for dom in (ind.domain, *ind.topics):
            by_domain.setdefault(dom, set()).add(ind.id)
    levels = {ind.id: ind.level for ind in model.indicators}
    compiler = _Compiler(levels, by_tag, by_domain)

    safety = model.safety
    rules: list[CompiledRule] = [
        _safety_rule(
            "safety.immediate-danger",
            safety.immediate_danger,
            frozenset(by_tag.get(safety.immediate_danger.tag, ())),
            level=4,
            urgent=True,
        ),
        _safety_rule(
            "safety.allegation",
            safety.allegation,
            frozenset(by_tag.get(safety.allegation.tag, ())),
            level=None,
            urgent=False,
        ),
    ]
    for rule in model.rules:
        node = compiler.node(rule.when)
        rules.append(
            CompiledRule(
                id=rule.id,
                because=rule.because,
                condition=node,
                level=rule.then.level,
                urgent=rule.then.urgent,
                pathways=rule.then.pathways,
                indicator_ids=frozenset(positive_indicators(node)),
            )
        )
    return Plan(
        indicator_level=MappingProxyType(levels),
        indicator_domain=MappingProxyType({ind.id: ind.domain for ind in model.indicators}),
        indicator_order=tuple(ind.id for ind in model.indicators),
        rules=tuple(rules),
        level_pathways=MappingProxyType({lv.level: lv.pathways for lv in model.levels}),
        measures=MappingProxyType({ms.id: (ms.min, ms.max, ms.integer) for ms in model.measures}),
        indicator_rank=MappingProxyType({ind.id: n for n, ind in enumerate(model.indicators)}),
        hint_rules=tuple(n for n, rule in enumerate(rules) if _can_be_near_miss(rule)),
    )


def _can_be_near_miss(rule: CompiledRule) -> bool:
    node = rule.condition
    if rule.safety:
        return False
    if isinstance(node, Count):
        return node.at_least > 1
    return isinstance(node, All) and any(isinstance(c, MeasureCmp) for c in node.children)


def _safety_rule(
    rule_id: str, route: m.SafetyRoute, ids: frozenset[str], *, level: int | None, urgent: bool
) -> CompiledRule:
    return CompiledRule(
        id=rule_id,
        because=route.because,
        condition=HasAny(ids, f"tag {route.tag}"),
        level=level,
        urgent=urgent,
        pathways=route.pathways,
        indicator_ids=ids,
        safety=True,
    )


@dataclass
class _Compiler:
    levels: dict[str, int]
    by_tag: dict[str, set[str]]
    by_domain: dict[str, set[str]]

    def node(self, cond: m.Condition) -> Node:
        if isinstance(cond, m.IndicatorCond):
            return HasAny(frozenset({cond.indicator}), f"indicator {cond.indicator}")
        if isinstance(cond, m.TagCond):
            return HasAny(frozenset(self.by_tag.get(cond.tag, ())), f"tag {cond.tag}")
        if isinstance(cond, m.DomainCond):
            return HasAny(frozenset(self.by_domain.get(cond.domain, ())), f"domain {cond.domain}")
        if isinstance(cond, m.CountCond):
            return self._count(cond.count)
        if isinstance(cond, m.MeasureCond):
            op, value = cond.measure.comparison
            return MeasureCmp(cond.measure.id, op, value)  # type: ignore[arg-type]
        if isinstance(cond, m.AgeCond):
            op, months = cond.age.bound
            return AgeCmp(op, months, _age_label(cond.age))
        if isinstance(cond, m.UnbornCond):
            return IsUnborn(cond.unborn)
        if isinstance(cond, m.AllCond):
            return All(tuple(self.node(c) for c in cond.all))
        if isinstance(cond, m.AnyCond):
            return AnyOf(tuple(self.node(c) for c in cond.any))
        if isinstance(cond, m.NotCond):
            return Not(self.node(cond.not_))
        raise TypeError(f"unknown condition {type(cond).__name__}")  # pragma: no cover

    def _count(self, spec: m.CountSpec) -> Count:
        ids = set(self.levels)
        parts = [f"at least {spec.at_least}"]
        if spec.level is not None:
            ids = {i for i in ids if self.levels[i] == spec.level}
            parts.append(f"level-{spec.level}")
        if spec.min_level is not None:
            ids = {i for i in ids if self.levels[i] >= spec.min_level}
            parts.append(f"level-{spec.min_level}-or-above")
        parts.append("concerns")
        if spec.tag is not None:
            ids &= self.by_tag.get(spec.tag, set())
            parts.append(f"tagged {spec.tag}")
        if spec.domain is not None:
            ids &= self.by_domain.get(spec.domain, set())
            parts.append(f"in {spec.domain}")
        if spec.distinct_domains is not None:
            parts.append(f"across at least {spec.distinct_domains} domains")
        return Count(frozenset(ids), spec.at_least, spec.distinct_domains, " ".join(parts))


def _age_label(spec: m.AgeSpec) -> str:
    for key in ("under_months", "under_years", "at_least_months", "at_least_years"):
        value = getattr(spec, key)
        if value is not None:
            words, unit = key.rsplit("_", 1)
            number = f"{value:g}"
            return f"aged {words.replace('_', ' ')} {number} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def positive_indicators(node: Node) -> set[str]:
    """Indicator ids a node can match, ignoring anything under ``not``."""
    if isinstance(node, (HasAny, Count)):
        return set(node.ids)
    if isinstance(node, (All, AnyOf)):
        out: set[str] = set()
        for child in node.children:
            out |= positive_indicators(child)
        return out
    return set()


def uses_not(node: Node) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, (All, AnyOf)):
        return any(uses_not(c) for c in node.children)
    return False

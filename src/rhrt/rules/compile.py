# SPDX-License-Identifier: MIT
"""Compile a validated ruleset into a plan every engine evaluates (see :mod:`rhrt.rules.plan`).

The compiler resolves tag, domain and count conditions to sets of indicator ids and normalises
every leaf (ages in months, one operator per measure comparison). The safety routes (immediate
danger, allegations) are compiled into ordinary rules here, first in order, so no engine can
forget them.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import assert_never

from rhrt.model import ruleset as m
from rhrt.model.scale import TOP_LEVEL
from rhrt.rules.consent import consent_table
from rhrt.rules.plan import (
    AgeCmp,
    All,
    AnyOf,
    CompiledRule,
    ContextImplied,
    ContextIs,
    Count,
    HasAny,
    Implied,
    IsUnborn,
    MeasureCmp,
    Node,
    Not,
    Plan,
    walk,
)
from rhrt.rules.semantics import MEASURE_OPERATORS, age_bound_words

__all__ = [
    "MEASURE_OPERATORS",
    "AgeCmp",
    "All",
    "AnyOf",
    "CompiledRule",
    "Count",
    "HasAny",
    "IsUnborn",
    "MeasureCmp",
    "Node",
    "Not",
    "Plan",
    "compile_ruleset",
    "emergency_pathways",
    "positive_indicators",
    "uses_not",
]


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
            level=TOP_LEVEL,
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
                instead_of=rule.then.instead_of,
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
        implications=tuple(
            Implied(ms.id, *imp.comparison, imp.indicator)
            for ms in model.measures
            for imp in ms.implies
        ),
        consent=consent_table(model),
        urgent_indicators=MappingProxyType(
            {ind.id: ind.urgent_because or ind.text for ind in model.indicators if ind.urgent}
        ),
        context_implications=tuple(
            ContextImplied(imp.is_, imp.within_months, imp.indicator)
            for imp in model.context.implies
        ),
        emergency_pathways=emergency_pathways(model),
    )


def emergency_pathways(model: m.RulesetModel) -> frozenset[str]:
    """The ids of the pathways marked ``emergency: true`` (the emergency response)."""
    return frozenset(pw.id for pw in model.pathways if pw.emergency)


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
        match cond:
            case m.IndicatorCond():
                return HasAny(frozenset({cond.indicator}), f"indicator {cond.indicator}")
            case m.TagCond():
                return HasAny(frozenset(self.by_tag.get(cond.tag, ())), f"tag {cond.tag}")
            case m.DomainCond():
                ids = frozenset(self.by_domain.get(cond.domain, ()))
                return HasAny(ids, f"domain {cond.domain}")
            case m.CountCond():
                return self._count(cond.count)
            case m.MeasureCond():
                op, value = cond.measure.comparison
                return MeasureCmp(cond.measure.id, op, value)
            case m.AgeCond():
                age_op, months = cond.age.bound
                return AgeCmp(age_op, months, f"aged {age_bound_words(*cond.age.given)}")
            case m.UnbornCond():
                return IsUnborn(cond.unborn)
            case m.ContextCond():
                spec = cond.context
                return ContextIs(spec.is_, spec.within_months)
            case m.AllCond():
                return All(tuple(self.node(c) for c in cond.all))
            case m.AnyCond():
                return AnyOf(tuple(self.node(c) for c in cond.any))
            case m.NotCond():
                return Not(self.node(cond.not_))
            case _:
                assert_never(cond)

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


def positive_indicators(node: Node) -> set[str]:
    """Indicator ids a node can match, ignoring anything under ``not``."""
    match node:
        case HasAny() | Count():
            return set(node.ids)
        case All() | AnyOf():
            out: set[str] = set()
            for child in node.children:
                out |= positive_indicators(child)
            return out
        case Not() | MeasureCmp() | AgeCmp() | IsUnborn() | ContextIs():
            return set()
        case _:
            assert_never(node)


def uses_not(node: Node) -> bool:
    """Whether ``not`` appears anywhere in the condition."""
    return any(isinstance(part, Not) for part in walk(node))

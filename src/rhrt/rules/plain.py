# SPDX-License-Identifier: MIT
"""Rule conditions and outcomes in plain English.

Why: a practitioner challenging a decision, or a board member reviewing the ruleset, must be
able to read *what a rule says* without reading YAML. The wording is generated from the
validated model (never hand-written beside it), so the published Levels of Need document and
every decision describe exactly the rule the engine evaluates.

Everything here is deterministic and pure: the same model always gives the same words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import assert_never

from rhrt.model import ruleset as m
from rhrt.rules.semantics import (
    MEASURE_WORDS,
    MISSING_AGE,
    MISSING_STEP_DOWN_DATE,
    TOP_LEVEL,
    age_bound_words,
    context_words,
    missing_context,
    missing_measure,
    number_words,
)


def describe_condition(cond: m.Condition, model: m.RulesetModel) -> str:
    """One sentence fragment saying when ``cond`` is true (e.g. ``the child is under 6 months``)."""
    return _Describer(model).describe(cond)


def describe_outcome(then: m.Outcome, model: m.RulesetModel) -> str:
    """What a rule does when it fires, e.g. ``the level is at least 4 (Acute); urgent; ...``."""
    parts: list[str] = []
    if then.level is not None:
        name = _level_name(model, then.level)
        parts.append(f"the level is at least {then.level} ({name})")
    if then.urgent:
        parts.append("the decision is urgent")
    if then.pathways:
        parts.append("recommend " + _join(_pathway_titles(model, then.pathways), "and"))
    return _join(parts, "and")


def describe_rule(rule: m.Rule, model: m.RulesetModel) -> str:
    """A whole rule as one sentence: ``When <condition>, <outcome>.``"""
    return f"When {describe_condition(rule.when, model)}, {describe_outcome(rule.then, model)}."


def describe_safety(route: m.SafetyRoute, model: m.RulesetModel, *, immediate: bool) -> str:
    """A built-in safety route in words (they are rules too, compiled first)."""
    what = _Describer(model).tag(route.tag)
    titles = _join(_pathway_titles(model, route.pathways), "and")
    if immediate:
        return (
            f"When {what}, the level is {TOP_LEVEL} ({_level_name(model, TOP_LEVEL)}), "
            "the decision is urgent, "
            f"and recommend {titles}."
        )
    return f"When {what}, recommend {titles}, whatever the level."


def rule_conditions(model: m.RulesetModel) -> dict[str, str]:
    """Rule id → plain-English condition, including the two safety routes (``safety.*``)."""
    desc = _Describer(model)
    out = {
        "safety.immediate-danger": desc.tag(model.safety.immediate_danger.tag),
        "safety.allegation": desc.tag(model.safety.allegation.tag),
    }
    for rule in model.rules:
        out[rule.id] = desc.describe(rule.when)
    return out


def describe_missing(
    cond: m.Condition, model: m.RulesetModel, missing: Iterable[str]
) -> str | None:
    """The parts of ``cond`` that depend on the ``missing`` facts, in plain words: what must
    turn out true for a rule fired only on missing information to apply (``the DASH risk
    checklist score is 14 or more 'yes' answers``). None when no part names a missing fact.

    ``missing`` names facts as the engines do (``measure <id>``, ``child's age``). Parts on
    recorded facts are left out: they are known, and did not stop the rule firing.
    """
    pruned = _prune(cond, frozenset(missing))
    return None if pruned is None else _Describer(model).describe(pruned)


def _prune(cond: m.Condition, missing: frozenset[str]) -> m.Condition | None:
    match cond:
        case m.MeasureCond():
            return cond if missing_measure(cond.measure.id) in missing else None
        case m.AgeCond() | m.UnbornCond():
            return cond if MISSING_AGE in missing else None
        case m.ContextCond():
            spec = cond.context
            dated = spec.within_months is not None and MISSING_STEP_DOWN_DATE in missing
            return cond if missing_context(spec.is_) in missing or dated else None
        case m.IndicatorCond() | m.TagCond() | m.DomainCond() | m.CountCond():
            return None
        case m.AllCond():
            kept = _pruned(cond.all, missing)
            if len(kept) < 2:
                return kept[0] if kept else None
            return m.AllCond.model_construct(all=kept)
        case m.AnyCond():
            kept = _pruned(cond.any, missing)
            if len(kept) < 2:
                return kept[0] if kept else None
            return m.AnyCond.model_construct(any=kept)
        case m.NotCond():
            inner = _prune(cond.not_, missing)
            return None if inner is None else m.NotCond.model_construct(not_=inner)
        case _:
            assert_never(cond)


def _pruned(
    conds: tuple[m.Condition, ...], missing: frozenset[str]
) -> tuple[m.Condition, ...]:
    return tuple(c for c in (_prune(c, missing) for c in conds) if c is not None)


def _level_name(model: m.RulesetModel, level: int) -> str:
    return model.level(level).name


def _pathway_titles(model: m.RulesetModel, ids: tuple[str, ...]) -> list[str]:
    titles = {p.id: p.title for p in model.pathways}
    return [titles.get(i, i) for i in ids]


def _join(parts: list[str], word: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {word} " + parts[-1]


class _Describer:
    """Holds the lookups (indicator texts, tag descriptions, domain titles) for one model."""

    def __init__(self, model: m.RulesetModel) -> None:
        self.model = model
        self.indicators = {i.id: i.text for i in model.indicators}
        self.tags = {t.id: t.description for t in model.tags}
        self.domains = {d.id: d.title for d in model.domains}
        self.measures = {ms.id: ms for ms in model.measures}

    def tag(self, tag: str) -> str:
        description = self.tags.get(tag)
        if description:
            return f"any concern is tagged '{tag}' ({description.rstrip('.')})"
        return f"any concern is tagged '{tag}'"

    def _measure(self, measure_id: str, comparison: str) -> str:
        """A measure compared with a value, as a sentence fragment.

        A measure that counts its unit ("Domestic abuse incidents in the last 12 months",
        unit "incidents") reads "the number of domestic abuse incidents in the last 12 months
        is 3 or more"; any other ("DASH risk checklist score", unit "'yes' answers") reads "the
        DASH risk checklist score is 14 or more 'yes' answers". A title's first letter is
        lowered unless its first word is an acronym.
        """
        measure = self.measures.get(measure_id)
        if measure is None:
            return f"the measure {measure_id} {comparison}"
        title = measure.title
        first = title.split(" ", 1)[0]
        if not (len(first) > 1 and first.isupper()):
            title = title[:1].lower() + title[1:]
        unit = measure.unit.strip()
        if unit and re.search(rf"\b{re.escape(unit.lower())}\b", title.lower()):
            return f"the number of {title} {comparison}"
        return f"the {title} {comparison}" + (f" {unit}" if unit else "")

    def describe(self, cond: m.Condition, *, nested: bool = False) -> str:
        match cond:
            case m.IndicatorCond():
                text = self.indicators.get(cond.indicator, cond.indicator)
                return f"'{text}' ({cond.indicator}) is present"
            case m.TagCond():
                return self.tag(cond.tag)
            case m.DomainCond():
                return f"any concern is in {self.domains.get(cond.domain, cond.domain)}"
            case m.CountCond():
                return self._count(cond.count)
            case m.MeasureCond():
                spec = cond.measure
                op, value = spec.comparison
                return self._measure(spec.id, MEASURE_WORDS[op].format(v=number_words(value)))
            case m.AgeCond():
                return f"the child is {age_bound_words(*cond.age.given)}"
            case m.UnbornCond():
                return "the child is unborn" if cond.unborn else "the child has been born"
            case m.ContextCond():
                return context_words(cond.context.is_, cond.context.within_months)
            case m.AllCond():
                parts = [self.describe(c, nested=True) for c in cond.all]
                return self._combine(parts, "and", nested)
            case m.AnyCond():
                parts = [self.describe(c, nested=True) for c in cond.any]
                return self._combine(parts, "or", nested)
            case m.NotCond():
                return f"it is not the case that {self.describe(cond.not_, nested=True)}"
            case _:
                assert_never(cond)

    @staticmethod
    def _combine(parts: list[str], word: str, nested: bool) -> str:
        if len(parts) == 1:
            return parts[0]
        lead = "all of" if word == "and" else "any of"
        text = f"{lead}: " + "; ".join(parts)
        return f"({text})" if nested else text

    def _count(self, spec: m.CountSpec) -> str:
        words = [f"at least {spec.at_least}"]
        if spec.level is not None:
            words.append(f"level-{spec.level}")
        if spec.min_level is not None:
            words.append(f"level-{spec.min_level}-or-above")
        words.append("concern" if spec.at_least == 1 else "concerns")
        if spec.tag is not None:
            words.append(f"tagged '{spec.tag}'")
        if spec.domain is not None:
            words.append(f"in {self.domains.get(spec.domain, spec.domain)}")
        words.append("are present" if spec.at_least > 1 else "is present")
        if spec.distinct_domains is not None:
            words.append(f"across at least {spec.distinct_domains} different domains")
        return " ".join(words)


__all__ = [
    "describe_condition",
    "describe_missing",
    "describe_outcome",
    "describe_rule",
    "describe_safety",
    "rule_conditions",
]

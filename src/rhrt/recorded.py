# SPDX-License-Identifier: MIT
"""No recorded input is silently without effect: what a case's measures did, in words.

Two things a reader of a decision must be told (``Decision.warnings``, shown in every format):

* a concern that was **not selected** but follows from a recorded measure
  (``measures[].implies`` in the ruleset, applied to the facts of every engine);
* a measure that was **recorded but changes nothing** for this case: no rule reads it, or every
  rule that reads it comes out the same whatever the value (e.g. it also needs a concern that was
  not selected). The value may then be evidence of a concern the practitioner should record.

"Changes nothing" is decided exactly, not by sampling: a rule reads a measure only through
comparisons with thresholds, so its truth can change only where a threshold is crossed; trying
the measure's range ends and each threshold with its neighbours covers every outcome. Measure
values are case content and are never quoted: only measure ids, rule ids and thresholds.
"""

from __future__ import annotations

from collections.abc import Mapping

from rhrt.engine.reference import truth
from rhrt.rules.plan import CompiledRule, MeasureCmp, Plan, derived, walk
from rhrt.rules.semantics import (
    MEASURE_OPERATORS,
    MEASURE_WORDS,
    Facts,
    implied_indicators,
    number_words,
)

__all__ = [
    "candidates",
    "implied_warnings",
    "measure_readers",
    "unread_measures",
    "unread_warnings",
]


def implied_warnings(plan: Plan, selected: frozenset[str], facts: Facts) -> tuple[str, ...]:
    """One sentence per concern the recorded measures add that was not selected."""
    out: list[str] = []
    seen: set[str] = set()
    for imp in plan.implications:
        ind = imp.indicator
        if ind in selected or ind in seen or ind not in facts.present:
            continue
        value = facts.measures.get(imp.measure)
        if value is None or not MEASURE_OPERATORS[imp.op](value, imp.value):
            continue
        seen.add(ind)
        words = MEASURE_WORDS[imp.op].format(v=number_words(imp.value))
        out.append(
            f"The concern '{ind}' is included although it was not selected: the recorded "
            f"'{imp.measure}' {words}, which this ruleset treats as that concern."
        )
    return tuple(out)


def unread_measures(plan: Plan, selected: frozenset[str], facts: Facts) -> tuple[str, ...]:
    """The recorded measures that change nothing for these facts, in id order: neither the
    concerns they imply nor any rule that reads them differs whatever value they take.

    ``selected`` are the concerns the case records; the concerns a measure implies follow each
    value tried (so a recorded 0 that could have implied a concern is not "unread")."""
    readers = measure_readers(plan)
    out = []
    for name in sorted(facts.measures):
        if _constant(readers.get(name, ()), name, plan, selected, facts):
            out.append(name)
    return tuple(out)


def unread_warnings(plan: Plan, selected: frozenset[str], facts: Facts) -> tuple[str, ...]:
    """One sentence per recorded measure that changes nothing for this case."""
    readers = measure_readers(plan)
    out = []
    for name in unread_measures(plan, selected, facts):
        rules = readers.get(name, ())
        if not rules:
            out.append(
                f"The recorded '{name}' changes nothing: no rule in this ruleset reads it."
            )
        else:
            ids = ", ".join(rule.id for rule in rules)
            out.append(
                f"The recorded '{name}' changes nothing for this case: the rules that read it "
                f"({ids}) come out the same whatever its value. If it is evidence of a concern, "
                "select that concern."
            )
    return tuple(out)


def measure_readers(plan: Plan) -> Mapping[str, tuple[CompiledRule, ...]]:
    """Measure id → the rules whose condition compares it, in plan order (built once per
    plan). The batch engine (``rhrt.batch._recorded``) uses the same readers."""
    return derived(plan, "recorded.readers", _readers)


def _readers(plan: Plan) -> Mapping[str, tuple[CompiledRule, ...]]:
    found: dict[str, list[CompiledRule]] = {}
    for rule in plan.rules:
        names = {n.measure for n in walk(rule.condition) if isinstance(n, MeasureCmp)}
        for name in sorted(names):
            found.setdefault(name, []).append(rule)
    return {name: tuple(rules) for name, rules in found.items()}


def candidates(plan: Plan, name: str, rules: tuple[CompiledRule, ...]) -> tuple[float, ...]:
    """The values to try for measure ``name`` read by ``rules``: the measure's range ends and
    each threshold it is compared with (by a rule or an implication), with its neighbours:
    between them nothing can change. The batch engine tries the same values."""
    low, high, integer = plan.measures[name]
    points = {low, high}
    step = 1.0 if integer else 1e-6
    thresholds = [n.value for rule in rules for n in walk(rule.condition)
                  if isinstance(n, MeasureCmp) and n.measure == name]
    thresholds += [imp.value for imp in plan.implications if imp.measure == name]
    for value in thresholds:
        points.update((value - step, value, value + step))
    return tuple(sorted(p for p in points if low <= p <= high))


def _constant(
    rules: tuple[CompiledRule, ...],
    name: str,
    plan: Plan,
    selected: frozenset[str],
    facts: Facts,
) -> bool:
    """Whether the implied concerns and every rule's truth are the same for every value the
    measure could take."""
    seen: set[tuple[frozenset[str], tuple[object, ...]]] = set()
    for value in candidates(plan, name, rules):
        measures = {**facts.measures, name: value}
        present = selected | implied_indicators(plan, measures)
        trial = Facts(
            present=present,
            measures=measures,
            age_months=facts.age_months,
            unborn=facts.unborn,
            domains=facts.domains,
        )
        seen.add((present, tuple(truth(rule.condition, trial) for rule in rules)))
        if len(seen) > 1:
            return False
    return True

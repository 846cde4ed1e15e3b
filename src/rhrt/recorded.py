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

from rhrt.engine.reference import compiled
from rhrt.rules.plan import CompiledRule, MeasureCmp, Plan, derived, walk
from rhrt.rules.semantics import (
    MEASURE_OPERATORS,
    MEASURE_WORDS,
    Facts,
    Truth,
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
    sentences = derived(plan, "recorded.implied_sentences", _implied_sentences)
    for imp, sentence in zip(plan.implications, sentences, strict=True):
        ind = imp.indicator
        if ind in selected or ind in seen or ind not in facts.present:
            continue
        value = facts.measures.get(imp.measure)
        if value is None or not MEASURE_OPERATORS[imp.op](value, imp.value):
            continue
        seen.add(ind)
        out.append(sentence)
    return tuple(out)


def _implied_sentences(plan: Plan) -> tuple[str, ...]:
    """Each implication's warning (ruleset ids and thresholds only), built once per plan."""
    out = []
    for imp in plan.implications:
        words = MEASURE_WORDS[imp.op].format(v=number_words(imp.value))
        out.append(
            f"The concern '{imp.indicator}' is included although it was not selected: the "
            f"recorded '{imp.measure}' {words}, which this ruleset treats as that concern."
        )
    return tuple(out)


def unread_measures(plan: Plan, selected: frozenset[str], facts: Facts) -> tuple[str, ...]:
    """The recorded measures that change nothing for these facts, in id order: neither the
    concerns they imply nor any rule that reads them differs whatever value they take.

    ``selected`` are the concerns the case records; the concerns a measure implies follow each
    value tried (so a recorded 0 that could have implied a concern is not "unread")."""
    if not facts.measures:
        return ()
    trials = _trials(plan)
    implied = _implied_by(plan, facts.measures)
    out = []
    for name in sorted(facts.measures):
        found = trials.get(name)
        if found is None or found.constant(plan, selected, facts, implied):
            out.append(name)  # no rule reads it and it implies nothing: nothing can change
    return tuple(out)


def _implied_by(plan: Plan, measures: Mapping[str, float]) -> dict[str, frozenset[str]]:
    """Recorded measure → the concerns its recorded value implies (those implying any)."""
    out: dict[str, set[str]] = {}
    for imp in plan.implications:
        value = measures.get(imp.measure)
        if value is not None and MEASURE_OPERATORS[imp.op](value, imp.value):
            out.setdefault(imp.measure, set()).add(imp.indicator)
    return {name: frozenset(ids) for name, ids in out.items()}


def unread_warnings(plan: Plan, selected: frozenset[str], facts: Facts) -> tuple[str, ...]:
    """One sentence per recorded measure that changes nothing for this case."""
    sentences = derived(plan, "recorded.unread_sentences", _unread_sentences)
    return tuple([
        sentences.get(name) or _unread_sentence(plan, name)
        for name in unread_measures(plan, selected, facts)
    ])


def _unread_sentences(plan: Plan) -> Mapping[str, str]:
    """Each of the plan's measures' warning (ruleset ids only), built once per plan."""
    return {name: _unread_sentence(plan, name) for name in plan.measures}


def _unread_sentence(plan: Plan, name: str) -> str:
    rules = measure_readers(plan).get(name, ())
    if not rules:
        return f"The recorded '{name}' changes nothing: no rule in this ruleset reads it."
    ids = ", ".join(rule.id for rule in rules)
    return (
        f"The recorded '{name}' changes nothing for this case: the rules that read it "
        f"({ids}) come out the same whatever its value. If it is evidence of a concern, "
        "select that concern."
    )


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


class _Trial:
    """What trying the values of one measure needs, built once per plan (see
    :func:`unread_measures`): the values to try, the positions of the rules that read it, and
    what the measure itself implies at each value."""

    __slots__ = ("distinct", "name", "readers", "values")

    def __init__(self, plan: Plan, name: str, rules: tuple[CompiledRule, ...]) -> None:
        self.name = name
        self.values = candidates(plan, name, rules)
        reading = {id(rule) for rule in rules}
        self.readers = tuple(n for n, rule in enumerate(plan.rules) if id(rule) in reading)
        own = [imp for imp in plan.implications if imp.measure == name]
        implies = {
            frozenset(
                imp.indicator for imp in own if MEASURE_OPERATORS[imp.op](value, imp.value)
            )
            for value in self.values
        }
        self.distinct = tuple(implies)
        """The different sets of concerns the measure implies over its values."""

    def constant(
        self,
        plan: Plan,
        selected: frozenset[str],
        facts: Facts,
        implied: Mapping[str, frozenset[str]] | None = None,
    ) -> bool:
        """Whether the implied concerns and every reading rule's truth are the same for every
        value the measure could take (the other facts as recorded).

        The concerns present differ between values exactly when the measure implies different
        concerns not otherwise present. When they do not differ, a reading rule whose gate
        (:func:`~rhrt.rules.semantics.gate`) they leave closed is false for every value; only
        the others are evaluated at each value. ``implied``: what each recorded measure implies
        at its recorded value (:func:`_implied_by`), when at hand."""
        measures = facts.measures
        if implied is None:
            implied = _implied_by(plan, measures)
        base = selected.union(*[ids for name, ids in implied.items() if name != self.name])
        if len(self.distinct) == 1:
            present = base | self.distinct[0]
        else:
            presents = {base | own for own in self.distinct}
            if len(presents) > 1:
                return False
            (present,) = presents
        c = compiled(plan)
        gates = c.gates
        checks = []
        for pos in self.readers:
            closed_by = gates[pos]
            if closed_by is None or not closed_by.isdisjoint(present):
                checks.append(c.checks[pos])  # its gate is open: its condition decides
        if not checks:
            return True
        trial = facts.with_present(present)
        values = dict(measures)  # this trial's own copy, changed in place per value tried
        object.__setattr__(trial, "measures", values)
        name = self.name
        first: list[Truth] | None = None
        for value in self.values:
            values[name] = value
            truths = [check(trial, None) for check in checks]
            if first is None:
                first = truths
            elif truths != first:
                return False
        return True


def _trials(plan: Plan) -> Mapping[str, _Trial]:
    """Measure id → its :class:`_Trial`, for the measures a rule reads or that imply a concern
    (any other measure changes nothing whatever its value)."""
    return derived(plan, "recorded.trials", _build_trials)


def _build_trials(plan: Plan) -> Mapping[str, _Trial]:
    readers = measure_readers(plan)
    names = set(readers) | {imp.measure for imp in plan.implications}
    return {name: _Trial(plan, name, readers.get(name, ())) for name in sorted(names)}

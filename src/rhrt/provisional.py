# SPDX-License-Identifier: MIT
"""What a provisional decision asks of a practitioner: the facts to find out first, and the
pathways that apply only if the missing facts turn out so.

Why: a rule that fires only because information is missing keeps the level fail-safe (never
lower than any completion of the missing facts), but a practitioner must see that the level is
assumed, not found. The fold (:func:`rhrt.rules.semantics.fold`, the same for every engine)
says which parts of the outcome rest on missing information (``known_level``,
``conditional``); this module puts them in the ruleset's words:

* each pathway the known facts alone do not recommend carries ``conditional_on``: the parts of
  the conditions of the rules it depends on that name a missing fact, in the plain words of
  :func:`rhrt.rules.plain.describe_missing` (never written by hand per rule);
* ``gather_first``: the missing facts those rules depend on, with the ruleset's
  ``measures[].find_out`` (what to do and by when, as the sources give it: a measure without a
  timescale has none, and the decision says the sources are silent).
"""

from __future__ import annotations

from collections.abc import Iterable

from rhrt.explain import citation
from rhrt.model import decision as d
from rhrt.model import trusted
from rhrt.model.ruleset import Condition, RulesetModel
from rhrt.rules.plain import describe_missing
from rhrt.rules.semantics import MISSING_AGE, Evaluation, RuleResult, missing_measure

AGE_STEP = "Record the child's age (date of birth), or that the child is unborn"
"""How to find out the child's age: not a measure, so not in the ruleset's ``find_out``."""

__all__ = ["AGE_STEP", "Provisional"]


class Provisional:
    """Per ruleset: how to find out each missing fact, and each rule's condition."""

    def __init__(self, model: RulesetModel) -> None:
        self.model = model
        self.conditions: dict[str, Condition] = {rule.id: rule.when for rule in model.rules}
        steps = {MISSING_AGE: d.GatherStep(fact=MISSING_AGE, what=AGE_STEP)}
        for ms in model.measures:
            fact = missing_measure(ms.id)
            how = ms.find_out
            if how is None:
                steps[fact] = d.GatherStep(fact=fact, what=f"Find out the {ms.title}")
            else:
                steps[fact] = d.GatherStep(
                    fact=fact,
                    what=how.what,
                    timescale=how.timescale,
                    source=citation(model, how.source) if how.source is not None else None,
                )
        self.steps = steps
        self._words_cache: dict[tuple[str, tuple[str, ...]], str | None] = {}

    def gather_first(self, evaluation: Evaluation) -> tuple[d.GatherStep, ...]:
        """The missing facts the provisional parts of the outcome depend on, in the order the
        rules name them; () when the decision is confirmed."""
        if not evaluation.provisional:
            return ()
        facts = dict.fromkeys(a for r in _deciding(evaluation) for a in r.assumed)
        return tuple(self.steps.get(f) or d.GatherStep(fact=f, what=f"Find out the {f}")
                     for f in facts)

    def conditional_on(self, evaluation: Evaluation) -> dict[str, str]:
        """Pathway id → the missing facts it depends on, in plain words (``the DASH risk
        checklist score is 14 or more 'yes' answers``; alternatives joined by "or")."""
        if not evaluation.conditional:
            return {}
        by_rule = {r.rule.id: r for r in evaluation.results if r.truth is None}
        out = {}
        for pathway, rule_ids in evaluation.conditional.items():
            words = dict.fromkeys(
                w for w in (self._words(by_rule[i]) for i in rule_ids if i in by_rule) if w
            )
            out[pathway] = " or ".join(words) if words else "the missing information turns out so"
        return out

    def with_unknowns(self, explanation: d.Explanation, evaluation: Evaluation) -> d.Explanation:
        """``explanation`` with each rule fired only on missing information that changes the
        outcome saying, in plain words, what is not yet known (:attr:`FiredRule.not_yet_known`).
        A rule fired on missing information that changes nothing (its level and pathways come
        from known facts too) gets none."""
        if not evaluation.provisional:
            return explanation
        words = {
            r.rule.id: w for r in _deciding(evaluation) if (w := self._words(r)) is not None
        }
        if not words:
            return explanation
        rules = tuple(
            trusted(d.FiredRule, **{**r.__dict__, "not_yet_known": words[r.id]})
            if r.id in words
            else r
            for r in explanation.rules
        )
        return trusted(d.Explanation, **{**explanation.__dict__, "rules": rules})

    def _words(self, result: RuleResult) -> str | None:
        """The missing parts of a rule's condition in words; the same rule and missing facts
        always give the same words, so they are built once per ruleset and kept."""
        key = (result.rule.id, result.assumed)
        if key in self._words_cache:
            return self._words_cache[key]
        cond = self.conditions.get(result.rule.id)
        words = None if cond is None else describe_missing(cond, self.model, result.assumed)
        return self._words_cache.setdefault(key, words)


def _deciding(evaluation: Evaluation) -> Iterable[RuleResult]:
    """The rules fired only on missing information that change the outcome: they raise the
    level above the known level, make it urgent, or recommend a conditional pathway."""
    conditional: set[str] = {i for ids in evaluation.conditional.values() for i in ids}
    for result in evaluation.results:
        if result.truth is not None:
            continue
        rule = result.rule
        if (
            rule.id in conditional
            or (rule.level is not None and rule.level > evaluation.known_level)
            or (rule.urgent and not evaluation.known_urgent)
        ):
            yield result

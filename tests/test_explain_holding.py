# SPDX-License-Identifier: MIT
"""The holding set is computed incrementally; it must equal plain greedy deletion exactly.

``_holding_by_full_recomputation`` below is the algorithm rhrt used before (one full level
computation per concern, quadratic in concerns × rules: 143 s for 1,990 concerns and 2,000
rules, issue 12). It is kept here, unchanged, as the oracle for the new one.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rhrt
from rhrt.engine.reference import TOP_LEVEL, Facts, evaluate, level_of
from rhrt.explain import _Holding, _in_order, holding_set
from rhrt.rules.compile import Plan
from rhrt.testing.strategies import cases, rulesets

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _holding_by_full_recomputation(plan: Plan, facts: Facts, level: int) -> tuple[str, ...]:
    """The previous ``explain.holding_set``, verbatim (the oracle)."""
    levels = plan.indicator_level
    in_order = _in_order(plan, facts.present)
    kept = set(facts.present)
    tops = sum(1 for i in kept if levels[i] >= TOP_LEVEL) if level >= TOP_LEVEL else 0
    for ind in sorted(in_order, key=levels.__getitem__):
        kept.discard(ind)
        is_top = levels[ind] >= TOP_LEVEL
        if tops - is_top > 0:
            tops -= is_top
            continue
        if level_of(plan, facts.with_present(frozenset(kept))) != level:
            kept.add(ind)
        elif is_top:
            tops -= 1
    return tuple(i for i in in_order if i in kept)


def _agree(ruleset: rhrt.Ruleset, case: rhrt.Case) -> None:
    facts = ruleset.facts(case)
    evaluation = evaluate(ruleset.plan, facts)
    level = evaluation.level
    new = holding_set(ruleset.plan, facts, level)
    assert new == _holding_by_full_recomputation(ruleset.plan, facts, level)
    assert holding_set(ruleset.plan, facts, level, evaluation.results) == new
    if facts.present:  # the incremental algorithm itself, also where holding_set recomputes
        assert _Holding(ruleset.plan, facts, level, evaluation.results).run() == new
        assert _Holding(ruleset.plan, facts, level, None).run() == new
    # and it does what it says: alone, it gives the same level
    assert level_of(ruleset.plan, facts.with_present(frozenset(new))) == level


def _generated(data: st.DataObject) -> None:
    ruleset = data.draw(rulesets(max_indicators=10, max_rules=6, max_depth=3, allow_not=True))
    for _ in range(3):
        _agree(ruleset, data.draw(cases(ruleset)))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_same_as_full_recomputation_on_generated_rulesets(data: st.DataObject) -> None:
    """Generated rulesets, with ``not`` (non-monotone rules), counts, ages and measures."""
    _generated(data)


@pytest.mark.slow
@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_same_as_full_recomputation_on_many_generated_rulesets(data: st.DataObject) -> None:
    _generated(data)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_same_as_full_recomputation_on_the_bundled_ruleset(data: st.DataObject) -> None:
    ruleset = rhrt.load_ruleset()
    _agree(ruleset, data.draw(cases(ruleset, max_indicators=25)))


def test_same_as_full_recomputation_on_a_large_generated_ruleset() -> None:
    """The benchmark's large ruleset (scaled down so the oracle stays quick), many concerns."""
    sys.path.insert(0, str(BENCH))
    try:
        import casegen
    finally:
        sys.path.remove(str(BENCH))
    ruleset = rhrt.ruleset_from_text(casegen.large_ruleset_text(300, 300, seed=3))
    ids = list(ruleset.plan.indicator_order)
    rng = random.Random(5)
    for n in (0, 1, 5, 40, 150, 290):
        for age in (0.5, 10):
            chosen = rng.sample(ids, n)
            _agree(ruleset, ruleset.validate_case(
                {"child": {"age_years": age}, "indicators": chosen}
            ))


def test_a_level_that_is_not_the_level_of_the_facts_is_still_answered() -> None:
    """Called with a level the facts do not give (only possible from the Python API), the
    answer is the same as the plain deletion's."""
    ruleset = rhrt.load_ruleset(Path(__file__).parent / "rulesets" / "minimal.yaml")
    facts = ruleset.facts(ruleset.validate_case(
        {"child": {"age_years": 3}, "indicators": ["poor-diet", "bruise", "missed-checks"]}
    ))
    for level in (1, 2, 3, 4):
        assert holding_set(ruleset.plan, facts, level) == _holding_by_full_recomputation(
            ruleset.plan, facts, level
        )


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_each_near_miss_says_what_it_would_change(data: st.DataObject) -> None:
    """Issue 13: a near miss (``would_raise``) says by meaning what its rule would do, and each
    meaning is true of the rule and the decision: it raises above the decided level, it makes a
    decision urgent that is not, it adds only pathways not yet recommended."""
    ruleset = data.draw(rulesets(max_indicators=8, max_rules=5, max_depth=2))
    decision = ruleset.assess(data.draw(cases(ruleset)))
    rules = {r.id: r for r in ruleset.model.rules}
    explanation = decision.explanation
    for hint in explanation.would_raise:
        then = rules[hint.rule].then
        assert hint.raises_to is not None or hint.makes_urgent or hint.adds_pathways
        if hint.raises_to is not None:
            assert hint.raises_to == then.level and hint.raises_to > decision.level
        assert hint.makes_urgent == (then.urgent and not decision.urgent)
        assert hint.adds_pathways == tuple(
            p for p in then.pathways if p not in decision.pathway_ids
        )
    assert set(explanation.would_raise_level) | set(explanation.would_make_urgent) | set(
        explanation.would_add_pathway
    ) == set(explanation.would_raise)

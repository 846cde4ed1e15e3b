# SPDX-License-Identifier: MIT
"""The reference engine compiles each plan once (rules/semantics ``Kleene`` with a per-plan
memo, ``engine.reference.compiled``) and evaluates only the rules a case's concerns can reach
(``semantics.gate``). Both must give exactly what evaluating every condition from scratch gives,
three-valued results and the missing facts they name included."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import rhrt
from rhrt.engine.reference import _LEAVES, compiled, evaluate, level_of, rule_truth
from rhrt.rules import plan as p
from rhrt.rules.semantics import Facts, RuleResult, fold, gate
from rhrt.testing.strategies import cases, rulesets


def _from_scratch(plan: p.Plan, facts: Facts) -> list[RuleResult]:
    """Every rule's result, compiling its condition afresh (no memo, no gate)."""
    out = []
    for rule in plan.rules:
        unknowns: list[str] = []
        value = _LEAVES.visit(rule.condition)(facts, unknowns)
        out.append(RuleResult(rule, value, tuple(dict.fromkeys(unknowns)) if value is None else ()))
    return out


def _key(results: object) -> list[tuple[str, object, tuple[str, ...]]]:
    return [(r.rule.id, r.truth, r.assumed) for r in results]  # type: ignore[attr-defined]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_gated_compiled_evaluation_equals_evaluating_every_rule(data: st.DataObject) -> None:
    ruleset = data.draw(rulesets(max_indicators=10, max_rules=6, max_depth=3, allow_not=True))
    plan = ruleset.plan
    for case in data.draw(st.lists(cases(ruleset), min_size=1, max_size=6)):
        facts = ruleset.facts(case)
        expected = _from_scratch(plan, facts)
        got = evaluate(plan, facts)
        assert _key(got.results) == _key(expected)
        want = fold(plan, facts.present, expected)
        assert (got.level, got.urgent, got.pathways) == (want.level, want.urgent, want.pathways)
        assert level_of(plan, facts) == want.level
        for pos, result in enumerate(expected):
            assert rule_truth(plan, pos, facts) == result.truth


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_closed_gate_means_known_false(data: st.DataObject) -> None:
    """gate(node): with none of its indicators present the condition is false, never unknown,
    whatever else is (or is not) recorded."""
    ruleset = data.draw(rulesets(max_indicators=10, max_rules=6, max_depth=3, allow_not=True))
    case = data.draw(cases(ruleset))
    facts = ruleset.facts(case)
    for rule in ruleset.plan.rules:
        for node in p.walk(rule.condition):
            found = gate(node)
            if found is not None and found.isdisjoint(facts.present):
                assert _LEAVES.visit(node)(facts, None) is False


def test_every_node_of_a_plan_is_compiled_once_and_found_by_identity() -> None:
    ruleset = rhrt.load_ruleset()
    c = compiled(ruleset.plan)
    assert compiled(ruleset.plan) is c
    facts = ruleset.facts(ruleset.validate_case({"child": {"age_years": 3}}))
    for rule in ruleset.plan.rules:
        for node in p.walk(rule.condition):
            check = c.check(node)
            assert c.check(node) is check  # kept, not compiled again
            assert check(facts, None) == _LEAVES.visit(node)(facts, None)


def test_gates_of_each_node_kind() -> None:
    a = p.HasAny(frozenset({"a"}), "indicator a")
    b = p.HasAny(frozenset({"b", "c"}), "tag t")
    m = p.MeasureCmp("m", "at_least", 1.0)
    assert gate(a) == {"a"}
    assert gate(p.Count(frozenset({"a", "b"}), 2, None, "count")) == {"a", "b"}
    assert gate(m) is None
    assert gate(p.AgeCmp("under", 6.0, "age")) is None
    assert gate(p.IsUnborn(True)) is None
    assert gate(p.Not(a)) is None
    assert gate(p.All((m, b, a))) == {"a"}  # any one part's gate; the smallest
    assert gate(p.All((m,))) is None
    assert gate(p.AnyOf((a, b))) == {"a", "b", "c"}
    assert gate(p.AnyOf((a, m))) is None  # the measure part may be true (or unknown) alone


def test_ruleset_facts_sets_every_field_as_the_dataclass_would() -> None:
    """Ruleset.facts builds Facts without its frozen __init__: every field must be given (a
    field added to Facts with a default would otherwise be missing, not defaulted)."""
    import dataclasses

    from rhrt.rules.semantics import Facts

    ruleset = rhrt.load_ruleset()
    case = ruleset.validate_case(
        {"child": {"age_years": 3}, "indicators": [ruleset.plan.indicator_order[3]],
         "measures": {name: low for name, (low, _, _) in ruleset.plan.measures.items()}}
    )
    facts = ruleset.facts(case)
    names = [f.name for f in dataclasses.fields(Facts)]
    assert list(facts.__dict__) == names
    assert facts == Facts(**{name: getattr(facts, name) for name in names})

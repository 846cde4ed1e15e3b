# SPDX-License-Identifier: MIT
"""The one meaning of a plan (rules/semantics.py, rules/plan.py) and its single definitions."""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import rhrt
from rhrt.model.scale import LEVELS, LOWEST_LEVEL, MEASURE_OPS, TOP_LEVEL
from rhrt.rules import plan as p
from rhrt.rules.semantics import (
    AGE_OF_UNBORN,
    AGE_OPERATORS,
    MEASURE_HINT_WORDS,
    MEASURE_OPERATORS,
    MEASURE_WORDS,
    RuleResult,
    fold,
    level_floor,
    unborn_truth,
)
from rhrt.testing.strategies import cases, rulesets

SRC = Path(__file__).resolve().parents[1] / "src" / "rhrt"
MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"


def _leaves_and_branches() -> list[Any]:
    leaf = p.HasAny(frozenset({"a"}), "indicator a")
    return [
        leaf,
        p.Count(frozenset({"a", "b"}), 2, None, "count"),
        p.MeasureCmp("m", "at_least", 1.0),
        p.AgeCmp("under", 6.0, "age"),
        p.IsUnborn(True),
        p.ContextIs("looked_after", None),
        p.All((leaf,)),
        p.AnyOf((leaf,)),
        p.Not(leaf),
    ]


def test_visitor_dispatches_every_node_kind_to_its_own_method() -> None:
    kinds = typing.get_args(p.Node)
    nodes = _leaves_and_branches()
    assert {type(n) for n in nodes} == set(kinds)

    class Names(p.Visitor[str]):
        def has_any(self, node: p.HasAny) -> str:
            return "HasAny"

        def count(self, node: p.Count) -> str:
            return "Count"

        def measure(self, node: p.MeasureCmp) -> str:
            return "MeasureCmp"

        def age(self, node: p.AgeCmp) -> str:
            return "AgeCmp"

        def unborn(self, node: p.IsUnborn) -> str:
            return "IsUnborn"

        def context(self, node: p.ContextIs) -> str:
            return "ContextIs"

        def all(self, node: p.All) -> str:
            return "All"

        def any(self, node: p.AnyOf) -> str:
            return "AnyOf"

        def not_(self, node: p.Not) -> str:
            return "Not"

    assert [Names().visit(n) for n in nodes] == [type(n).__name__ for n in nodes]
    # one abstract method per node kind: a visitor that forgets one cannot be created
    assert len(p.Visitor.__abstractmethods__) == len(kinds)


def test_walk_visits_every_node_once_parents_first() -> None:
    a, b = p.HasAny(frozenset({"a"}), "a"), p.MeasureCmp("m", "less_than", 2.0)
    tree = p.All((p.Not(a), p.AnyOf((b, a))))
    assert list(p.walk(tree)) == [tree, p.Not(a), a, p.AnyOf((b, a)), b, a]


def test_words_and_operators_cover_the_same_comparisons() -> None:
    assert set(MEASURE_OPERATORS) == set(MEASURE_WORDS) == set(MEASURE_HINT_WORDS)
    assert set(MEASURE_OPERATORS) == set(MEASURE_OPS)


@given(st.floats(0, 400, allow_nan=False))
def test_unborn_is_under_every_age_and_at_least_none(months: float) -> None:
    assert AGE_OPERATORS["under"](AGE_OF_UNBORN, months)
    assert not AGE_OPERATORS["at_least"](AGE_OF_UNBORN, months)


@given(st.booleans(), st.one_of(st.none(), st.floats(0, 300)), st.booleans())
def test_unborn_is_unknown_only_without_unborn_or_an_age(
    wanted: bool, age: float | None, unborn: bool
) -> None:
    value = unborn_truth(wanted, None if unborn else age, unborn)
    if not unborn and age is None:
        assert value is None
    else:
        assert value == (unborn == wanted)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_fold_of_no_fired_rule_is_the_floor_and_its_pathways(data: st.DataObject) -> None:
    ruleset = data.draw(rulesets(allow_not=True))
    case = data.draw(cases(ruleset))
    plan = ruleset.plan
    ev = fold(plan, case.indicator_ids, [RuleResult(r, False, ()) for r in plan.rules])
    floor = level_floor(plan, case.indicator_ids)
    assert LOWEST_LEVEL <= floor <= TOP_LEVEL
    assert ev.level == floor
    # urgent only through a concern that is urgent in itself (indicators[].urgent)
    assert ev.urgent is not case.indicator_ids.isdisjoint(plan.urgent_indicators)
    assert list(ev.pathways) == list(dict.fromkeys(plan.level_pathways.get(floor, ())))


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_every_unknown_rule_names_what_it_assumed(data: st.DataObject) -> None:
    ruleset = data.draw(rulesets(allow_not=True))
    case = data.draw(cases(ruleset))
    facts = ruleset.facts(case)
    for result in ruleset.engine("reference")(facts).results:
        assert bool(result.assumed) == (result.truth is None)


def test_durable_finds_missing_facts_without_the_reference_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The differential test is independent: durable never asks the reference engine."""
    pytest.importorskip("durable.engine")
    from rhrt.engine import reference

    ruleset = rhrt.load_ruleset(MINIMAL)
    durable = ruleset.engine("durable")
    facts = ruleset.facts(ruleset.validate_case({"indicators": ["bruise", "da-incidents"]}))
    expected = ruleset.engine("reference")(facts)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("durable used the reference engine")

    monkeypatch.setattr(reference, "truth", refuse)
    monkeypatch.setattr(reference, "evaluate", refuse)
    monkeypatch.setattr(reference._Leaves, "visit", refuse)
    got = durable(facts)
    assert [(r.rule.id, r.truth, r.assumed) for r in got.results] == [
        (r.rule.id, r.truth, r.assumed) for r in expected.results
    ]
    assert any(r.assumed for r in got.results)


@settings(max_examples=25, deadline=None)
@given(st.permutations(LEVELS), st.data())
def test_levels_may_be_listed_in_any_order(order: list[int], data: st.DataObject) -> None:
    """Regression: the level's name and consent were taken by position (levels[n - 1]), so a
    file listing its levels 4, 3, 2, 1 named a level-1 decision "Acute" with level-4 consent."""
    model = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    by_number = {lv["level"]: lv for lv in model["levels"]}
    shuffled = {**model, "levels": [by_number[n] for n in order]}
    plain, other = rhrt.ruleset_from_data(model), rhrt.ruleset_from_data(shuffled)
    case = data.draw(cases(plain))
    override = {"level": data.draw(st.sampled_from(LEVELS)), "reason": "known", "role": "sw"}
    want = plain.assess(case, override=override)
    got = other.assess(case, override=override)
    assert got.level == want.level
    assert got.level_name == by_number[got.level]["name"] == want.level_name
    assert got.consent == want.consent
    assert got.override is not None and want.override is not None
    assert got.override.level_name == want.override.level_name


_SCALE_LITERALS = re.compile(
    r"\(1, 2, 3, 4\)|\[1, 2, 3, 4\]|\(2, 3, 4\)|le=4\b|integers\(1, 4\)|minlength=5|\(4, 4\)"
)


def test_the_level_scale_is_written_once() -> None:
    """Every module takes the scale from rhrt.model.scale, so no 1-4 literal creeps back."""
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "scale.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _SCALE_LITERALS.search(line)
    ]
    assert found == []

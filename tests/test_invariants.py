# SPDX-License-Identifier: MIT
"""The safety properties, over the bundled ruleset, the minimal one and generated rulesets.

Generated rulesets without ``not`` must satisfy every property (rules can only raise a level);
rulesets using ``not`` freely must still satisfy the properties the engine itself guarantees.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from measure_rulesets import lower_is_worse_ruleset
from rhrt import Case, Ruleset
from rhrt.errors import RhrtError
from rhrt.testing import (
    PROPERTIES,
    cases,
    check_invariants,
    check_property,
    rulesets,
)
from rhrt.testing.invariants import measure_direction

_SETTINGS = {"deadline": None, "suppress_health_check": list(HealthCheck), "database": None}


@pytest.mark.parametrize("which", ["bundled", "minimal"])
def test_properties_hold(which: str, request: pytest.FixtureRequest) -> None:
    ruleset: Ruleset = request.getfixturevalue(f"{which}_ruleset")
    report = check_invariants(ruleset, max_examples=150)
    assert report.ok, str(report)
    assert set(report.checked) | set(report.not_applicable) == {p.id for p in PROPERTIES}


@settings(max_examples=400, **_SETTINGS)  # type: ignore[arg-type]
@given(data=st.data())
def test_generated_rulesets_without_not_satisfy_every_property(data: st.DataObject) -> None:
    ruleset = data.draw(rulesets())
    prop = data.draw(st.sampled_from(PROPERTIES))
    examples = prop.examples(ruleset)
    if examples is None:
        return
    assert check_property(ruleset, prop, data.draw(examples)) is None


@settings(max_examples=400, **_SETTINGS)  # type: ignore[arg-type]
@given(data=st.data())
def test_engine_guarantees_hold_for_any_ruleset(data: st.DataObject) -> None:
    """Even with ``not`` anywhere, unknown information never lowers a level, immediate danger
    is level 4 and urgent, the LADO is always reached, decisions are deterministic."""
    ruleset = data.draw(rulesets(max_depth=3, allow_not=True))
    prop = data.draw(st.sampled_from([p for p in PROPERTIES if p.engine_guaranteed]))
    examples = prop.examples(ruleset)
    if examples is None:
        return
    assert check_property(ruleset, prop, data.draw(examples)) is None


# --- the strategies ------------------------------------------------------------------------


@settings(max_examples=200, **_SETTINGS)  # type: ignore[arg-type]
@given(data=st.data())
def test_cases_are_valid_for_their_ruleset(data: st.DataObject) -> None:
    ruleset = data.draw(rulesets())
    case = data.draw(cases(ruleset))
    ruleset.validate_case(case)  # raises CaseError when not valid


def test_cases_reach_every_kind_of_child(minimal_ruleset: Ruleset) -> None:
    strategy = cases(minimal_ruleset)
    assert find(strategy, lambda c: c.child.unborn).child.unborn
    assert find(strategy, lambda c: c.age_in_months() is None and not c.child.unborn)
    found = find(strategy, lambda c: c.age_in_months() is not None and c.age_in_months() > 240)
    assert found.age_in_months() is not None


def test_measures_cross_their_thresholds(minimal_ruleset: Ruleset) -> None:
    strategy = cases(minimal_ruleset)
    for value in (13.0, 14.0, 15.0, 0.0, 24.0):
        case = find(strategy, lambda c, v=value: c.measures.get("dash_score") == v)
        assert case.measures["dash_score"] == value


def test_cases_focus(minimal_ruleset: Ruleset) -> None:
    levels = minimal_ruleset.plan.indicator_level

    @settings(max_examples=50, **_SETTINGS)  # type: ignore[arg-type]
    @given(
        cases(minimal_ruleset, level=2),
        cases(minimal_ruleset, domain="domestic-abuse"),
        cases(minimal_ruleset, tag="injury", min_indicators=1),
    )
    def check(by_level, by_domain, by_tag):  # type: ignore[no-untyped-def]
        assert all(levels[i] == 2 for i in by_level.indicator_ids)
        assert by_domain.indicator_ids <= {"da-incidents"}
        assert by_tag.indicator_ids == {"bruise"}

    check()


def test_cases_focus_with_no_match(minimal_ruleset: Ruleset) -> None:
    with pytest.raises(RhrtError, match="no indicator"):
        cases(minimal_ruleset, level=4, tag="injury")


def test_import_rhrt_and_plugin_stay_light() -> None:
    """The pytest plugin is loaded by every pytest run: neither it nor ``import rhrt`` may pull
    in hypothesis or durable-rules."""
    code = (
        "import sys, rhrt, rhrt.testing, rhrt.testing.pytest_plugin; "
        "print(sorted(m for m in ('hypothesis', 'durable') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- which way a measure is more concerning ---------------------------------------------------


def test_a_measure_whose_implication_reads_it_downwards_is_lower_is_worse() -> None:
    """Regression (hypothesis seed 105, a flaky failure since session 4): the property checker
    and the prover took a measure's direction from rule comparisons only, so a measure read
    only by ``implies: at_most`` counted as "higher is worse" and a correct ruleset was reported
    as breaking "raising a measure never lowers the level" (m1 = 0 gives level 2, m1 = 5 level 1:
    a *lower* m1 is the concern)."""
    rs = lower_is_worse_ruleset("at_most")
    assert measure_direction(rs, "m1") == -1
    assert rs.assess({"measures": {"m1": 0}}).level == 2
    assert rs.assess({"measures": {"m1": 5}}).level == 1
    prop = next(p for p in PROPERTIES if p.id == "raising-a-measure")
    assert check_property(rs, prop, (Case(), "m1", 0.0, 5.0)) is None
    assert check_invariants(rs, max_examples=100).ok


@pytest.mark.parametrize(
    ("implies_op", "rule_op", "direction"),
    [("at_least", None, 1), ("less_than", None, -1), ("at_most", "at_most", -1),
     ("at_most", "at_least", 1), ("at_least", "less_than", 1)],
)
def test_measure_direction_reads_rules_and_implications(
    implies_op: str, rule_op: str | None, direction: int
) -> None:
    """Lower is worse only when every reading (rules and ``implies``) is ``at_most``/
    ``less_than``; read both ways, the default (higher is worse) stands and the property shows
    the ruleset reads it both ways."""
    assert measure_direction(lower_is_worse_ruleset(implies_op, rule_op), "m1") == direction


def test_a_measure_compared_under_not_reads_the_other_way() -> None:
    """Regression: the direction ignored ``not``, so a rule ``not: {m1 at_least 4} → level 3``
    (m1 below 4 is the concern) made m1 "higher is worse", and a correct ruleset was reported
    as breaking "raising a measure never lowers the level" (Raising m1 from 0 to 4 LOWERS the
    level from 3 to 1); the prover reads the same direction."""
    rs = lower_is_worse_ruleset("at_most", "at_least", negated=True)
    assert measure_direction(rs, "m1") == -1
    assert rs.assess({"measures": {"m1": 0}}).level == 3
    assert rs.assess({"measures": {"m1": 5}}).level == 1
    prop = next(p for p in PROPERTIES if p.id == "raising-a-measure")
    assert check_property(rs, prop, (Case(), "m1", 0.0, 5.0)) is None
    # and under not, at_most reads upwards: with implies at_most, read both ways
    assert measure_direction(lower_is_worse_ruleset("at_most", "at_most", negated=True),
                             "m1") == 1


def test_a_measure_read_both_ways_is_reported() -> None:
    """A ruleset that reads one measure both ways (a low value implies a concern, a high one
    raises the level) breaks the property, and the checker says so."""
    rs = lower_is_worse_ruleset("at_most", "at_least")
    prop = next(p for p in PROPERTIES if p.id == "raising-a-measure")
    found = check_property(rs, prop, (Case(), "m1", 0.0, 1.0))
    assert found is not None and "LOWERS the level from 2 to 1" in found[0]

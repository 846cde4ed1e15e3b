# SPDX-License-Identifier: MIT
"""No recorded input is silently without effect (issue 11, item 5).

A ruleset can declare that a measure value is itself a concern (``measures[].implies``); every
engine sees the implied concern, because it is added where a case becomes facts. A measure that
changes nothing for a case is said so in the decision's warnings (shown in every format).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rhrt
from rhrt.errors import RulesetReferenceError, RulesetSchemaError
from rhrt.recorded import unread_measures
from rhrt.render import render_decision
from rhrt.rules.semantics import implied_indicators
from rhrt.testing.strategies import cases, rulesets

MISSING = {"measures": {"missing_episodes_90_days": 5}}


def test_issue_example_missing_episodes_alone_bring_the_missing_route(
    bundled_ruleset: rhrt.Ruleset,
) -> None:
    decision = bundled_ruleset.assess(MISSING)
    assert decision.level == 3  # was level 2... in fact level 1, with nothing recommended
    ids = [p.id for p in decision.pathways]
    assert "missing-intervention-meeting" in ids and "return-home-interview" in ids
    assert "missing-from-home-occasional" in [i.id for i in decision.explanation.indicators]
    assert any("missing-from-home-occasional" in w for w in decision.warnings)
    # selecting the concern as well changes nothing but the warning
    both = bundled_ruleset.assess({**MISSING, "indicators": ["missing-from-home-occasional"]})
    assert (both.level, both.pathway_ids) == (decision.level, decision.pathway_ids)
    assert not any("not selected" in w for w in both.warnings)


@pytest.mark.parametrize(("episodes", "implied"), [(0, False), (1, True), (3, True), (4, True)])
def test_the_implication_threshold(
    bundled_ruleset: rhrt.Ruleset, episodes: int, implied: bool
) -> None:
    case = bundled_ruleset.validate_case({"measures": {"missing_episodes_90_days": episodes}})
    facts = bundled_ruleset.facts(case)
    assert ("missing-from-home-occasional" in facts.present) is implied
    mim = "missing-intervention-meeting" in bundled_ruleset.assess(case).pathway_ids
    assert mim is (episodes > 3)


@pytest.mark.parametrize("engine", ["reference", "durable"])
def test_every_engine_sees_the_implied_concern(bundled_ruleset: rhrt.Ruleset, engine: str) -> None:
    if engine == "durable":
        pytest.importorskip("durable")
    decision = bundled_ruleset.assess(MISSING, engine=engine)
    assert decision.level == 3
    assert "missing-intervention-meeting" in decision.pathway_ids


def test_batch_sees_the_implied_concern(bundled_ruleset: rhrt.Ruleset) -> None:
    pd = pytest.importorskip("pandas")
    from rhrt.batch import assess_table

    table = pd.DataFrame({"missing_episodes_90_days": [5, 1, 0, None]})
    out = assess_table(table, bundled_ruleset)
    levels = list(out.to_pandas()["level"]) if hasattr(out, "to_pandas") else list(out["level"])
    singles = [
        bundled_ruleset.assess({"measures": {"missing_episodes_90_days": v}} if v is not None
                               else {}).level
        for v in (5, 1, 0, None)
    ]
    assert levels == singles == [3, 2, 1, 1]


def test_a_measure_without_effect_is_a_visible_warning(bundled_ruleset: rhrt.Ruleset) -> None:
    decision = bundled_ruleset.assess({"measures": {"dash_score": 15}})
    assert decision.level == 1
    [warning] = [w for w in decision.warnings if "dash_score" in w]
    assert "changes nothing" in warning and "domestic-abuse-high-risk-dash" in warning
    for fmt in ("text", "markdown", "html"):
        shown = render_decision(decision, bundled_ruleset, fmt)
        assert "changes nothing" in shown, fmt  # (Markdown escapes the id's underscore)
    assert "changes nothing" in decision.to_json()
    # with the concern the rule needs, the score is read and there is no warning
    read = bundled_ruleset.assess(
        {
            "measures": {"dash_score": 15, "domestic_abuse_incidents_12_months": 1},
            "indicators": ["incidents-of-domestic-abuse"],
        }
    )
    assert read.level == 4 and not read.warnings


def _with_implication(text: str, implication: str) -> str:
    anchor = "max: 24, integer: true}"
    assert text.count(anchor) == 1
    return text.replace(anchor, f"max: 24, integer: true, implies: [{implication}]}}")


def test_an_implication_is_checked_like_a_rule(minimal_ruleset: rhrt.Ruleset) -> None:
    assert minimal_ruleset.path is not None
    text = minimal_ruleset.path.read_text(encoding="utf-8")
    bad_id = _with_implication(text, "{indicator: poor-dite, at_least: 1}")
    with pytest.raises(RulesetReferenceError, match="did you mean 'poor-diet'"):
        rhrt.ruleset_from_text(bad_id)
    out_of_range = _with_implication(text, "{indicator: poor-diet, at_least: 99}")
    with pytest.raises(RulesetReferenceError, match="outside the range"):
        rhrt.ruleset_from_text(out_of_range)
    two_ops = _with_implication(text, "{indicator: poor-diet, at_least: 1, at_most: 3}")
    with pytest.raises(RulesetSchemaError, match="exactly one of"):
        rhrt.ruleset_from_text(two_ops)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_implications_agree_across_facts_and_batch(data: st.DataObject) -> None:
    """Differential: implied concerns are the same for the reference facts and the batch arrays,
    and batch levels equal single-case levels, over generated rulesets with ``implies``."""
    pd = pytest.importorskip("pandas")
    from rhrt.batch import assess_table

    ruleset = data.draw(rulesets())
    batch_cases = data.draw(st.lists(cases(ruleset), min_size=1, max_size=5))
    rows: list[dict[str, Any]] = []
    for case in batch_cases:
        row: dict[str, Any] = {"indicators": ";".join(case.indicator_ids)}
        row.update(case.measures)
        rows.append(row)
    frame = pd.DataFrame(rows)
    for name in ruleset.plan.measures:
        if name not in frame:
            frame[name] = float("nan")
    out = assess_table(frame, ruleset)
    levels = list(out.to_pandas()["level"]) if hasattr(out, "to_pandas") else list(out["level"])
    singles = []
    for case in batch_cases:
        plain = {"indicators": sorted(case.indicator_ids), "measures": dict(case.measures)}
        singles.append(ruleset.assess(plain).level)
        facts = ruleset.facts(ruleset.validate_case(plain))
        assert implied_indicators(ruleset.plan, case.measures) <= facts.present
    assert levels == singles


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_an_unread_measure_really_changes_nothing(data: st.DataObject) -> None:
    """Whatever value an 'unread' measure takes, the decision's level, urgency and pathways stay
    the same (the warning is never wrong), on generated rulesets with implications."""
    ruleset = data.draw(rulesets())
    case = data.draw(cases(ruleset))
    facts = ruleset.facts(case)
    before = ruleset.assess(case)
    for name in unread_measures(ruleset.plan, case.indicator_ids, facts):
        low, high, integer = ruleset.plan.measures[name]
        value = data.draw(st.integers(int(low), int(high)) if integer else st.floats(low, high))
        changed = case.model_copy(update={"measures": {**case.measures, name: float(value)}})
        after = ruleset.assess(changed)
        assert (after.level, after.urgent, after.pathway_ids) == (
            before.level, before.urgent, before.pathway_ids
        )

# SPDX-License-Identifier: MIT
"""The batch engine evaluates leaves over many indicator columns on the sparse (row, indicator)
pairs (``batch/_vector._Sparse``). Pairs repeat when a row lists an id twice, or gives it both
in the list and in an ``ind:`` column, or a measure implies a concern also selected: a concern
still counts once, exactly as one case's set of concerns does."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import rhrt  # noqa: E402
from rhrt.batch import _vector, assess_table  # noqa: E402
from rhrt.testing.strategies import rulesets  # noqa: E402

COLUMNS = ("level", "urgent", "status", "known_level", "pathways", "determining_indicators")


@st.composite
def _repeating_rows(draw: Any, ruleset: rhrt.Ruleset) -> tuple[Any, list[dict[str, Any]]]:
    """A table whose rows repeat concerns, and each row's case as a dict (ids once)."""
    ids = list(ruleset.plan.indicator_order)
    flagged = ids[: max(1, len(ids) // 3)]  # also given as ind: columns
    n = draw(st.integers(1, 12))
    lists, flags, ages, cases = [], {i: [] for i in flagged}, [], []  # type: ignore[var-annotated]
    for _ in range(n):
        chosen = draw(st.lists(st.sampled_from(ids), max_size=6))
        repeated = chosen + draw(st.lists(st.sampled_from(chosen), max_size=4)) if chosen else []
        marked = {i for i in flagged if draw(st.booleans())} if draw(st.booleans()) else set()
        age = draw(st.sampled_from([None, 3.0, 120.0]))
        lists.append(repeated)
        for i in flagged:
            flags[i].append(i in marked)
        ages.append(age)
        case: dict[str, Any] = {"indicators": sorted(set(repeated) | marked)}
        if age is not None:
            case["child"] = {"age_months": age}
        cases.append(case)
    table = pa.table(
        {
            "indicators": pa.array(lists, pa.list_(pa.string())),
            "age_months": pa.array(ages, pa.float64()),
            **{f"ind:{i}": pa.array(v) for i, v in flags.items()},
        }
    )
    return table, cases


def _check(ruleset: rhrt.Ruleset, table: Any, cases: list[dict[str, Any]]) -> None:
    out = assess_table(table, ruleset, keep_input=False)
    with pytest.MonkeyPatch.context() as m:  # every leaf it can on the pairs
        m.setattr(_vector._Sparse, "cheaper", lambda self, columns: True)
        sparse = assess_table(table, ruleset, keep_input=False)
    with pytest.MonkeyPatch.context() as m:  # the dense engine on the same table
        m.setattr(_vector._Sparse, "of", classmethod(lambda cls, arrays: None))
        dense = assess_table(table, ruleset, keep_input=False)
    assert out.equals(dense)
    assert sparse.equals(dense)
    for i, case in enumerate(cases):
        decision = ruleset.assess(case)
        assert out.column("level")[i].as_py() == decision.level, (i, case)
        assert out.column("pathways")[i].as_py() == [p.id for p in decision.pathways], (i, case)
        assert out.column("determining_indicators")[i].as_py() == [
            f.id for f in decision.explanation.indicators
        ], (i, case)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_repeated_concerns_count_once_on_generated_rulesets(data: st.DataObject) -> None:
    ruleset = data.draw(rulesets(max_indicators=10, max_rules=6, max_depth=3, allow_not=True))
    _check(ruleset, *data.draw(_repeating_rows(ruleset)))


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_repeated_concerns_count_once_on_the_bundled_ruleset(data: st.DataObject) -> None:
    ruleset = rhrt.load_ruleset()
    _check(ruleset, *data.draw(_repeating_rows(ruleset)))


def test_one_concern_listed_three_times_is_one_concern() -> None:
    """A count of 'at least 3 concerns' is not met by one concern listed three times (nor by
    it listed twice and flagged in its own column)."""
    ruleset = rhrt.load_ruleset()
    counts = [
        rule for rule in ruleset.plan.rules
        if type(rule.condition).__name__ == "Count" and rule.condition.at_least >= 3  # type: ignore[union-attr]
    ]
    assert counts, "the bundled ruleset has a count of three or more concerns"
    rule = counts[0]
    one = sorted(rule.condition.ids)[0]  # type: ignore[union-attr]
    table = pa.table({
        "indicators": pa.array([[one, one, one], [one, one]], pa.list_(pa.string())),
        f"ind:{one}": pa.array([False, True]),
        "age_months": pa.array([60.0, 60.0]),
    })
    cases = [{"indicators": [one], "child": {"age_months": 60.0}}] * 2
    _check(ruleset, table, cases)
    fired = assess_table(table, ruleset, keep_input=False).column("pathways").to_pylist()
    decision = ruleset.assess(cases[0])
    assert all(p == [x.id for x in decision.pathways] for p in fired)
    assert rule.id not in {r.id for r in decision.explanation.rules}

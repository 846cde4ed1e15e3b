# SPDX-License-Identifier: MIT
"""The batch engine equals ``Ruleset.assess`` row by row, for any table shape and ruleset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import rhrt  # noqa: E402
from rhrt.batch import assess_table, iter_cases  # noqa: E402
from rhrt.errors import CaseError  # noqa: E402
from rhrt.testing.strategies import rulesets as _rulesets  # noqa: E402

MINIMAL_PATH = Path(__file__).parent / "rulesets" / "minimal.yaml"
MINIMAL = rhrt.load_ruleset(MINIMAL_PATH)


def _bundled() -> rhrt.Ruleset:
    return rhrt.load_ruleset()


# -- random rulesets: the one generator (rhrt.testing.strategies), every condition kind ---------


def rulesets() -> st.SearchStrategy[rhrt.Ruleset]:
    """Nested ``all``/``any``/``not`` over every condition kind (``allow_not``: unconstrained)."""
    return _rulesets(max_indicators=6, max_rules=5, max_depth=3, allow_not=True)


# -- random tables ----------------------------------------------------------------------------


@st.composite
def rows(draw: Any, ruleset: rhrt.Ruleset) -> dict[str, Any]:
    ids = list(ruleset.plan.indicator_order)
    age = draw(st.sampled_from(["years", "months", "unborn", "unknown"]))
    row: dict[str, Any] = {
        "indicators": draw(st.lists(st.sampled_from(ids), max_size=5, unique=True)),
        "age_years": None,
        "age_months": None,
        "unborn": age == "unborn",
    }
    if age == "years":
        row["age_years"] = draw(st.sampled_from([0.0, 0.4, 0.5, 1.0, 2.5, 12.0, 17.9, 25.0]))
    elif age == "months":
        row["age_months"] = draw(st.integers(0, 300)) * 1.0
    for mid, (low, high, _integer) in ruleset.plan.measures.items():
        if draw(st.booleans()):
            row[mid] = float(draw(st.integers(int(low), int(high))))
        else:
            row[mid] = None
    return row


def _shape(rows_: list[dict[str, Any]], ruleset: rhrt.Ruleset, shape: str, kind: str) -> Any:
    ids = list(ruleset.plan.indicator_order)
    data: dict[str, list[Any]] = {
        k: [r[k] for r in rows_] for k in rows_[0] if k != "indicators"
    }
    data["case_ref"] = [f"c{i}" for i in range(len(rows_))]
    if shape == "list":
        data["indicators"] = [r["indicators"] for r in rows_]
    elif shape == "text":
        data["indicators"] = [";".join(r["indicators"]) for r in rows_]
    else:  # one boolean column per indicator (and a list column for half of them)
        half = set(ids[::2])
        data["indicators"] = [[i for i in r["indicators"] if i in half] for r in rows_]
        for ind in ids:
            if ind not in half:
                data[f"ind:{ind}"] = [ind in r["indicators"] for r in rows_]
    table = pa.table(
        {
            k: pa.array(v, type=pa.float64())
            if k in ("age_years", "age_months", *ruleset.plan.measures)
            else pa.array(v)
            for k, v in data.items()
        }
    )
    if kind == "pandas":
        return table.to_pandas()
    if kind == "polars":
        return pl.from_arrow(table)
    return table


def _column(table: Any, name: str) -> list[Any]:
    if isinstance(table, pa.Table):
        return table.column(name).to_pylist()
    if isinstance(table, pl.DataFrame):
        return table.get_column(name).to_list()
    # a missing text cell is pandas' own missing value (NaN in pandas 3's str dtype, else None)
    return [v.tolist() if hasattr(v, "tolist") else None if _missing(v) else v
            for v in table[name]]


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _check_equal(table: Any, ruleset: rhrt.Ruleset) -> None:
    out = assess_table(table, ruleset)
    assert type(out) is type(table)
    cases = list(iter_cases(table, ruleset))
    levels = _column(out, "level")
    urgent = _column(out, "urgent")
    status = _column(out, "status")
    known = _column(out, "known_level")
    pathways = _column(out, "pathways")
    determining = _column(out, "determining_indicators")
    consent = _column(out, "consent_position")
    first = _column(out, "first_step")
    fast = assess_table(table, ruleset, fast=True, keep_input=False)
    unread = [list(v) for v in _column(out, "unread_measures")]
    assert [list(v) for v in _column(fast, "unread_measures")] == unread
    assert len(cases) == len(levels)
    for i, case in enumerate(cases):
        decision = ruleset.assess(case)
        assert levels[i] == decision.level, (i, case)
        assert urgent[i] == decision.urgent, (i, case)
        assert status[i] == decision.status, (i, case)
        assert known[i] == decision.known_level, (i, case)
        assert _column(fast, "status")[i] == decision.status
        assert list(pathways[i]) == [p.id for p in decision.pathways], (i, case)
        # what an urgent row does first: the decision's own choice (explain.choose_first_step)
        assert first[i] == decision.first_step, (i, case)
        assert list(determining[i]) == [f.id for f in decision.explanation.indicators], (i, case)
        # the consent position shown first: the same in every engine (issue 14 part 2)
        assert consent[i] == decision.consent.id, (i, case)
        assert _column(fast, "consent_position")[i] == decision.consent.id, (i, case)
        recommended = {p.id for p in decision.pathways}
        for name in (c for c in _columns(fast) if c.startswith("pathway:")):
            assert _column(fast, name)[i] == (name.removeprefix("pathway:") in recommended)
        assert _column(fast, "level")[i] == decision.level
        warned = [name for name in sorted(ruleset.plan.measures)
                  if any(w.startswith(f"The recorded '{name}' changes nothing")
                         for w in decision.warnings)]
        assert unread[i] == warned, (i, case)  # tests/test_batch_recorded.py has the rest


def _columns(table: Any) -> list[str]:
    return list(table.column_names if isinstance(table, pa.Table) else table.columns)


_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@_SETTINGS
@given(data=st.data())
def test_minimal_ruleset_matches_assess_row_by_row(data: Any) -> None:
    table_rows = data.draw(st.lists(rows(MINIMAL), min_size=1, max_size=25))
    shape = data.draw(st.sampled_from(["list", "text", "columns"]))
    kind = data.draw(st.sampled_from(["arrow", "pandas", "polars"]))
    _check_equal(_shape(table_rows, MINIMAL, shape, kind), MINIMAL)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_rulesets_match_assess_row_by_row(data: Any) -> None:
    """Nested all/any/not over every condition kind: Kleene logic agrees with the reference."""
    ruleset = data.draw(rulesets())
    table_rows = data.draw(st.lists(rows(ruleset), min_size=1, max_size=20))
    _check_equal(_shape(table_rows, ruleset, "list", "arrow"), ruleset)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_bundled_ruleset_matches_assess_row_by_row(data: Any) -> None:
    ruleset = _bundled()
    table_rows = data.draw(st.lists(rows(ruleset), min_size=1, max_size=20))
    kind = data.draw(st.sampled_from(["arrow", "pandas", "polars"]))
    _check_equal(_shape(table_rows, ruleset, "list", kind), ruleset)


def test_synthetic_population_matches_assess() -> None:
    from rhrt.synth import population

    for ruleset in (MINIMAL, _bundled()):
        table = population(300, seed=3, ruleset=ruleset)
        _check_equal(table, ruleset)


# -- the layout: errors name the row and column, never the value ------------------------------


def _table(**cols: list[Any]) -> Any:
    return pa.table(cols)


@pytest.mark.parametrize(
    ("columns", "path"),
    [
        ({"indicators": [["poor-diet"], ["secret-value"]]}, "rows[1].indicators"),
        ({"indicators": ["poor-diet", "poor-diet;secret-value"]}, "rows[1].indicators"),
        ({"ind:secret-value": [True, False]}, "ind:secret-value"),
        ({"age_years": [3.0, 99.0]}, "rows[1].age_years"),
        ({"dash_score": [3.0, 2.5]}, "rows[1].dash_score"),
        ({"dash_score": [30.0, 2.0]}, "rows[0].dash_score"),
        ({"age_years": [1.0, None], "age_months": [None, 3.0], "unborn": [True, False]},
         "rows[0].age_years"),
        ({"age_years": [1.0, 2.0], "age_months": [None, 3.0]}, "rows[1].age_months"),
        ({"gestation_weeks": [20.0, None]}, "rows[0].gestation_weeks"),
        ({"recorded_decision": [2, 5]}, "rows[1].recorded_decision"),
        ({"consent": ["given", "secret-value"]}, "rows[1].consent"),
        ({"age_years": ["3", "secret-value"]}, "rows[1].age_years"),
        ({"secret_column": [1, 2], "indicators": ["bruise", None]}, "secret_column"),
    ],
)
def test_bad_rows_raise_case_error_with_row_and_column(columns: dict[str, Any], path: str) -> None:
    with pytest.raises(CaseError) as info:
        assess_table(_table(**columns), MINIMAL)
    assert info.value.path == path
    assert "secret-value" not in str(info.value).replace("ind:secret-value", "")


def test_unknown_column_suggests_the_measure() -> None:
    with pytest.raises(CaseError) as info:
        assess_table(_table(dash_scor=[1.0]), MINIMAL)
    assert info.value.suggestion == "dash_score"


def test_ignore_columns_and_result_name_clash() -> None:
    table = _table(indicators=[["bruise"]], note=["free text"])
    out = assess_table(table, MINIMAL, ignore_columns=["note"])
    assert out.column("note").to_pylist() == ["free text"]
    with pytest.raises(CaseError):
        assess_table(_table(level=[1]), MINIMAL, ignore_columns=["level"])
    only = assess_table(table, MINIMAL, ignore_columns=["note"], keep_input=False)
    assert only.column_names == ["status", "level", "known_level", "urgent", "pathways",
                                 "first_step", "determining_indicators", "consent_position",
                                 "unread_measures"]
    with pytest.raises(CaseError):  # the unread-measures column is a result column too
        assess_table(_table(indicators=[["bruise"]], unread_measures=["x"]), MINIMAL,
                     ignore_columns=["unread_measures"])


def test_dates_of_birth_give_whole_months() -> None:
    import datetime as dt

    table = pa.table(
        {
            "indicators": [["bruise"], ["bruise"], ["bruise"]],
            "date_of_birth": [dt.date(2024, 1, 31), dt.date(2024, 1, 15), None],
            "assessment_date": [dt.date(2024, 7, 30), dt.date(2024, 7, 15), dt.date(2024, 7, 1)],
        }
    )
    _check_equal(table, MINIMAL)
    assert assess_table(table, MINIMAL).column("level").to_pylist() == [4, 3, 4]


def test_bool_columns_accept_text_and_numbers() -> None:
    table = _table(**{"ind:bruise": ["yes", "no"], "ind:poor-diet": [0, 1], "unborn": [1, 0]})
    out = assess_table(table, MINIMAL, keep_input=False)
    assert out.column("level").to_pylist() == [4, 2]
    assert out.column("determining_indicators").to_pylist() == [["bruise"], ["poor-diet"]]


def test_empty_table() -> None:
    out = assess_table(_table(indicators=pa.array([], pa.list_(pa.string()))), MINIMAL)
    assert out.num_rows == 0
    assert "level" in out.column_names


def test_record_batch_in_record_batch_out() -> None:
    batch = pa.record_batch({"indicators": [["danger"]]})
    out = assess_table(batch, MINIMAL)
    assert isinstance(out, pa.RecordBatch)
    assert out.column("urgent").to_pylist() == [True]


def test_iter_cases_without_ruleset_takes_other_columns_as_measures() -> None:
    table = _table(case_ref=["a"], indicators=["da-incidents; bruise"], dash_score=[15.0],
                   unborn=[False], age_years=[None])
    (case,) = iter_cases(table)
    assert case == {
        "reference": "a",
        "indicators": ["da-incidents", "bruise"],
        "measures": {"dash_score": 15},
    }
    assert MINIMAL.assess(case).level == 4


def test_vector_plan_is_compiled_once_per_ruleset() -> None:
    from rhrt.batch._vector import vector_plan

    assert vector_plan(MINIMAL.plan) is vector_plan(MINIMAL.plan)
    assert vector_plan(_bundled().plan) is not vector_plan(MINIMAL.plan)

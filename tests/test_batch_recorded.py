# SPDX-License-Identifier: MIT
"""Batch counts the rows whose recorded measures change nothing (issue 11, item 5).

``assess_table``'s ``unread_measures`` column and ``rhrt batch``'s summary must say, row by row,
exactly what ``Ruleset.assess`` warns for that row: the differential tests below compare them on
the bundled ruleset with synthetic populations, and on generated rulesets whose measures imply
concerns (``measures[].implies``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rhrt

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from case_tables import cases_table  # noqa: E402
from rhrt.batch import assess_file, assess_table, iter_cases  # noqa: E402
from rhrt.testing.strategies import cases, rulesets  # noqa: E402

IMPLIED = "is included although it was not selected"


def _warned(decision: rhrt.Decision, ruleset: rhrt.Ruleset) -> tuple[list[str], bool]:
    """The measures a decision warns change nothing (in id order), and whether it warns that a
    measure added a concern."""
    unread = [
        name for name in sorted(ruleset.plan.measures)
        if any(w.startswith(f"The recorded '{name}' changes nothing") for w in decision.warnings)
    ]
    return unread, any(IMPLIED in w for w in decision.warnings)


def _check(table: Any, ruleset: rhrt.Ruleset, tmp_path: Path | None = None) -> None:
    out = assess_table(table, ruleset, keep_input=False)
    fast = assess_table(table, ruleset, keep_input=False, fast=True)
    column = out.column("unread_measures").to_pylist()
    assert fast.column("unread_measures").to_pylist() == column
    unread_rows = implied_rows = 0
    for i, case in enumerate(iter_cases(table, ruleset)):
        unread, implied = _warned(ruleset.assess(case), ruleset)
        assert column[i] == unread, (i, case)
        unread_rows += bool(unread)
        implied_rows += implied
    if tmp_path is not None:
        source = tmp_path / "in.parquet"
        pq.write_table(table, source)
        for is_fast in (False, True):
            summary = assess_file(source, tmp_path / "out.parquet", ruleset, fast=is_fast,
                                  chunk_rows=max(1, table.num_rows // 3), progress=False)
            assert (summary.rows_unread, summary.rows_implied) == (unread_rows, implied_rows)
            assert summary.as_dict()["rows_unread"] == unread_rows


def test_bundled_ruleset_on_a_synthetic_population(tmp_path: Path) -> None:
    from rhrt.synth import population

    ruleset = rhrt.load_ruleset()
    table = population(400, seed=11, ruleset=ruleset)
    _check(table, ruleset, tmp_path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_rulesets_with_implied_concerns(data: Any) -> None:
    ruleset = data.draw(rulesets())
    drawn = data.draw(st.lists(cases(ruleset), min_size=1, max_size=15))
    _check(cases_table(drawn, ruleset), ruleset)


def test_bundled_ruleset_on_drawn_cases() -> None:
    ruleset = rhrt.load_ruleset()

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(drawn=st.lists(cases(ruleset, max_indicators=4), min_size=1, max_size=15))
    def check(drawn: list[rhrt.Case]) -> None:
        _check(cases_table(drawn, ruleset), ruleset)

    check()


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_unread_pairs_are_each_rows_unread_measures_in_id_order(data: Any) -> None:
    """``RecordedRows.pairs`` (one pass over the rows, the matrix over them read flat) against
    its definition: row by row, the measures unread there, in id order."""
    import numpy as np

    from rhrt.batch._recorded import RecordedRows

    n = data.draw(st.integers(0, 30))
    names = data.draw(st.lists(st.sampled_from("edcba"), unique=True, max_size=5))
    unread = {name: np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)),
                             dtype=bool) for name in names}
    rows, idx, ids = RecordedRows(unread=unread, implied=np.zeros(n, dtype=bool)).pairs()
    assert ids == tuple(sorted(names))
    expected = [(i, k) for i in range(n) for k, name in enumerate(ids) if unread[name][i]]
    assert list(zip(rows.tolist(), idx.tolist(), strict=True)) == expected
    assert (rows.dtype, idx.dtype) == (np.dtype(np.intp), np.dtype(np.int32))


def test_missing_episodes_with_and_without_the_concern(tmp_path: Path) -> None:
    """The issue's example in batch: episodes alone imply the missing concern (counted as
    implied, not unread); with the concern selected nothing is said; a DASH score with no
    domestic-abuse concern is read by no rule that can change, so it is unread."""
    ruleset = rhrt.load_ruleset()
    table = pa.table({
        "indicators": pa.array([[], ["missing-from-home-occasional"], [], []],
                               pa.list_(pa.string())),
        "missing_episodes_90_days": pa.array([5.0, 5.0, 0.0, None]),
        "dash_score": pa.array([None, None, None, 15.0]),
    })
    out = assess_table(table, ruleset, keep_input=False)
    assert out.column("unread_measures").to_pylist() == [[], [], [], ["dash_score"]]
    assert out.column("level").to_pylist()[:2] == [3, 3]
    _check(table, ruleset, tmp_path)
    source = tmp_path / "in.parquet"
    pq.write_table(table, source)
    summary = assess_file(source, tmp_path / "o.parquet", ruleset, progress=False)
    assert (summary.rows_unread, summary.rows_implied) == (1, 1)
    assert "unread_measures" in summary.to_text()


def test_cli_summary_json_counts_unread_rows(tmp_path: Path) -> None:
    from rhrt.cli import main

    source = tmp_path / "in.csv"
    source.write_text("case_ref,dash_score,missing_episodes_90_days\na,15,\nb,,2\nc,,\n")
    summary = tmp_path / "summary.json"
    code = main(["batch", str(source), "--out", str(tmp_path / "out.csv"),
                 "--summary-json", str(summary)])
    assert code == 0
    counts = json.loads(summary.read_text())
    assert (counts["rows_unread"], counts["rows_implied"]) == (1, 1)
    import csv

    with (tmp_path / "out.csv").open(newline="") as f:
        written = list(csv.DictReader(f))
    assert [row["unread_measures"] for row in written] == ["dash_score", "", ""]


def test_a_measure_read_only_through_an_unknown_is_read(tmp_path: Path) -> None:
    """A rule that needs a DASH score and an age, for a child whose age is not recorded: the
    score decides whether the rule is unknown (and so fires) or false, so it is read; for a
    child too old for the rule it changes nothing."""
    import copy

    import yaml

    data = yaml.safe_load((Path(__file__).parent / "rulesets" / "minimal.yaml").read_text())
    data = copy.deepcopy(data)
    data["rules"].append({
        "id": "young-and-high-risk", "because": "test",
        "when": {"all": [{"measure": {"id": "dash_score", "at_least": 14}},
                         {"age": {"under_years": 12}}]},
        "then": {"level": 3},
    })
    ruleset = rhrt.ruleset_from_data(data)
    table = pa.table({
        "indicators": pa.array([[], [], []], pa.list_(pa.string())),
        "age_years": pa.array([None, None, 15.0]),
        "dash_score": pa.array([15.0, 3.0, 15.0]),
    })
    out = assess_table(table, ruleset, keep_input=False)
    assert out.column("unread_measures").to_pylist() == [[], [], ["dash_score"]]
    assert out.column("level").to_pylist() == [3, 1, 1]
    _check(table, ruleset, tmp_path)


def test_measures_behind_different_gates_are_tried_on_their_own_gates_rows() -> None:
    """Two measures read only with a concern (their gates): each is tried on the rows holding
    its own gate's concern (the rows of a gate are found once per gate, not per measure)."""
    import copy

    import yaml

    data = yaml.safe_load((Path(__file__).parent / "rulesets" / "minimal.yaml").read_text())
    data = copy.deepcopy(data)
    data["measures"].append({"id": "missed_sessions", "title": "Missed sessions",
                             "unit": "sessions", "min": 0, "max": 50, "integer": True})
    data["rules"].append({
        "id": "injured-and-missing-sessions", "because": "test",
        "when": {"all": [{"tag": "injury"}, {"measure": {"id": "missed_sessions",
                                                          "at_least": 5}}]},
        "then": {"level": 3},
    })
    ruleset = rhrt.ruleset_from_data(data)
    table = pa.table({
        "indicators": pa.array([["bruise"], ["da-incidents"], ["bruise", "da-incidents"], []],
                               pa.list_(pa.string())),
        "age_years": pa.array([10.0] * 4),
        "dash_score": pa.array([None, 15.0, 3.0, 20.0]),
        "missed_sessions": pa.array([6.0, 6.0, 2.0, 9.0]),
    })
    out = assess_table(table, ruleset, keep_input=False, fast=True)
    assert out.column("unread_measures").to_pylist() == [
        [], ["missed_sessions"], [], ["dash_score", "missed_sessions"]]
    _check(table, ruleset)


def test_cli_keep_input_refuses_an_input_column_named_unread_measures(tmp_path: Path) -> None:
    from rhrt.cli import main

    source = tmp_path / "in.csv"
    source.write_text("case_ref,dash_score,unread_measures\na,15,\n")
    out = tmp_path / "out.csv"
    code = main(["batch", str(source), "--out", str(out), "--keep-input",
                 "--ignore-column", "unread_measures"])
    assert code == 2
    assert not out.exists()

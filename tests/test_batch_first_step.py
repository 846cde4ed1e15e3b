# SPDX-License-Identifier: MIT
"""The batch's ``first_step`` column says, row by row, what ``Ruleset.assess(case).first_step``
says: the pathway an urgent decision acts on first (``rhrt.explain.choose_first_step``, the one
definition both read), null when there is none.

Why: analysts and front doors triaging many referrals read the batch output, and an urgent
row's first listed pathway is not necessarily the one to act on first (immediate danger: 999
first; never a pathway conditional on missing information). The differential tests below
compare every row, on the bundled ruleset's synthetic population (with urgent concerns added
to some rows, since urgency is rare there) and on generated rulesets, with missing ages and
measures (provisional rows, conditional pathways) and urgent rows included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rhrt

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pytest.importorskip("numpy")

from case_tables import cases_table  # noqa: E402
from rhrt.batch import assess_file, assess_table, iter_cases, kernel  # noqa: E402
from rhrt.testing.strategies import cases, rulesets  # noqa: E402

_SETTINGS: dict[str, Any] = {
    "deadline": None, "suppress_health_check": list(HealthCheck), "database": None,
}


def _check(table: Any, ruleset: rhrt.Ruleset) -> dict[str, int]:
    """The column equals each row's decision; returns counts of the kinds of row seen."""
    out = assess_table(table, ruleset, keep_input=False)
    column = out.column("first_step").to_pylist()
    seen = {"urgent": 0, "named": 0, "provisional_urgent": 0, "not_first_listed": 0,
            "conditional": 0}
    for i, case in enumerate(iter_cases(table, ruleset)):
        decision = ruleset.assess(case)
        assert column[i] == decision.first_step, (i, case)
        seen["urgent"] += decision.urgent
        seen["named"] += decision.first_step is not None
        seen["provisional_urgent"] += decision.urgent and decision.status == "provisional"
        seen["conditional"] += any(p.conditional_on for p in decision.pathways)
        seen["not_first_listed"] += (decision.first_step is not None
                                     and decision.first_step != decision.pathway_ids[0])
    return seen


def _with_urgent_concerns(table: Any, ruleset: rhrt.Ruleset, every: int) -> Any:
    """``table`` with an urgent or immediate-danger concern added to every ``every``-th row
    (each in turn), so urgent rows meet the population's missing ages and measures."""
    pressing = sorted(ruleset.plan.urgent_indicators) + [
        ind.id for ind in ruleset.model.indicators if "immediate-danger" in ind.tags
    ]
    lists = table.column("indicators").to_pylist()
    for n, i in enumerate(range(0, len(lists), every)):
        lists[i] = list(dict.fromkeys([*lists[i], pressing[n % len(pressing)]]))
    at = table.column_names.index("indicators")
    return table.set_column(at, "indicators", pa.array(lists, pa.list_(pa.string())))


def test_synthetic_population_first_step_equals_assess(bundled_ruleset: rhrt.Ruleset) -> None:
    from rhrt.synth import population

    table = _with_urgent_concerns(population(1500, seed=7, ruleset=bundled_ruleset),
                                  bundled_ruleset, every=4)
    seen = _check(table, bundled_ruleset)
    # the population exercised what the column is for
    assert seen["urgent"] >= 300 and seen["named"] >= 300
    assert seen["provisional_urgent"] > 0  # urgent rows resting on missing facts
    assert seen["conditional"] > 0  # pathways conditional on missing facts
    assert seen["not_first_listed"] > 0  # the first listed is not the first step


@settings(max_examples=120, **_SETTINGS)
@given(data=st.data())
def test_generated_rulesets_first_step_equals_assess(data: st.DataObject) -> None:
    ruleset = data.draw(rulesets(max_indicators=6, max_rules=5, max_depth=3, allow_not=True))
    drawn = data.draw(st.lists(cases(ruleset, max_indicators=4), min_size=1, max_size=12))
    _check(cases_table(drawn, ruleset, context=True), ruleset)


@settings(max_examples=40, **_SETTINGS)
@given(data=st.data())
def test_bundled_ruleset_urgent_cases_first_step_equals_assess(
    bundled_ruleset: rhrt.Ruleset, data: st.DataObject
) -> None:
    """Urgent concerns and immediate danger beside any other concerns, missing facts included."""
    pressing = cases(bundled_ruleset, tag="immediate-danger", min_indicators=1,
                     max_indicators=2)
    drawn = data.draw(st.lists(pressing | cases(bundled_ruleset, max_indicators=6),
                               min_size=1, max_size=8))
    _check(cases_table(drawn, bundled_ruleset, context=True), bundled_ruleset)


def test_an_urgent_row_whose_first_listed_is_not_its_first_step(
    bundled_ruleset: rhrt.Ruleset,
) -> None:
    """The practice-review case (issue 14) in the batch: immediate danger with a neglect
    concern; whichever pathway is listed first, the column names the emergency route."""
    danger = next(i.id for i in bundled_ruleset.model.indicators if "immediate-danger" in i.tags)
    table = pa.table({"indicators": [[danger], []], "age_years": [4.0, None]})
    out = assess_table(table, bundled_ruleset, keep_input=False)
    steps = out.column("first_step").to_pylist()
    assert steps[0] in bundled_ruleset.plan.emergency_pathways
    assert steps[1] is None  # not urgent: null, never the first listed


def test_a_replaced_level_route_puts_the_replacing_route_first(
    bundled_ruleset: rhrt.Ruleset,
) -> None:
    """An urgent concern beside one whose rule replaces the level's own route (a young person in
    custody: youth justice instead of a new MASH referral): the first step is the replacing
    route, wherever it is listed."""
    plan = bundled_ruleset.plan
    rule = next(r for r in plan.rules if r.instead_of and r.indicator_ids)
    concern = sorted(rule.indicator_ids)[0]
    rows = [[concern, urgent] for urgent in sorted(plan.urgent_indicators)]
    table = pa.table({"indicators": rows, "age_years": [15.0] * len(rows)})
    _check(table, bundled_ruleset)
    steps = assess_table(table, bundled_ruleset, keep_input=False).to_pylist()
    # the level's own route was replaced: the replacing route comes first (without the
    # replacement no route of the level would qualify, and the row would have none)
    assert any(r["first_step"] in rule.pathways for r in steps)


def test_streamed_files_carry_the_column(bundled_ruleset: rhrt.Ruleset, tmp_path: Path) -> None:
    """``rhrt batch`` (assess_file): Parquet and CSV outputs, chunk by chunk, say what the
    in-memory table says."""
    import pyarrow.csv as pacsv

    from rhrt.synth import population

    table = _with_urgent_concerns(population(400, seed=2, ruleset=bundled_ruleset),
                                  bundled_ruleset, every=3)
    expected = assess_table(table, bundled_ruleset, keep_input=False).column("first_step")
    source = tmp_path / "in.parquet"
    pq.write_table(table, source)
    for name in ("out.parquet", "out.csv"):
        assess_file(source, tmp_path / name, bundled_ruleset, chunk_rows=97, progress=False)
        if name.endswith(".parquet"):
            got = pq.read_table(tmp_path / name).column("first_step").to_pylist()
        else:
            read = pacsv.read_csv(tmp_path / name, convert_options=pacsv.ConvertOptions(
                column_types={"first_step": pa.string()}, strings_can_be_null=True))
            got = read.column("first_step").to_pylist()
        assert got == expected.to_pylist()
    assert any(v is not None for v in expected.to_pylist())


def test_fast_mode_has_no_first_step_column(bundled_ruleset: rhrt.Ruleset) -> None:
    """Fast mode gives unordered pathway flags only (see docs/analysts.md for why)."""
    fast = kernel.result_columns(bundled_ruleset, fast=True)
    assert "first_step" not in fast
    assert "first_step" in kernel.result_columns(bundled_ruleset)


def test_chunked_tables_give_the_same_column(
    bundled_ruleset: rhrt.Ruleset, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rhrt.synth import population

    table = _with_urgent_concerns(population(300, seed=5, ruleset=bundled_ruleset),
                                  bundled_ruleset, every=5)
    whole = assess_table(table, bundled_ruleset, keep_input=False).column("first_step")
    monkeypatch.setattr(kernel, "CHUNK_ROWS", 64)
    chunked = assess_table(table, bundled_ruleset, keep_input=False).column("first_step")
    assert chunked.to_pylist() == whole.to_pylist()


@pytest.mark.parametrize("size", [0, 2])
def test_the_batch_choice_memo_reads_memo_size(
    monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """The batch's memo of first-step choices is a per-ruleset memo like the decision's: it is
    bounded by ``rhrt.explain.MEMO_SIZE`` read when it keeps (it once had its own constant, so
    setting the one documented setting left it on), and the column is right past the bound."""
    from rhrt import explain
    from rhrt.rules.bundled import bundled_ruleset_path
    from rhrt.synth import population

    monkeypatch.setattr(explain, "MEMO_SIZE", size)
    # its own plan (load_ruleset() shares one), so its memos start empty
    ruleset = rhrt.ruleset_from_text(bundled_ruleset_path().read_bytes())
    table = _with_urgent_concerns(population(400, seed=3, ruleset=ruleset), ruleset, every=3)
    seen = _check(table, ruleset)
    assert seen["named"] > 2
    memo = ruleset.plan._derived["batch.first_step"].memo
    assert len(memo) == size

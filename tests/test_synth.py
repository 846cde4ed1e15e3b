# SPDX-License-Identifier: MIT
"""Synthetic populations are reproducible, valid for the ruleset and shaped like a front door."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
import yaml  # noqa: E402

import rhrt  # noqa: E402
from rhrt.batch import assess_table, iter_cases  # noqa: E402
from rhrt.synth import (  # noqa: E402
    BLOCK,
    MAX_ROWS,
    population,
    population_batches,
    write_population,
)

MINIMAL_PATH = Path(__file__).parent / "rulesets" / "minimal.yaml"
MINIMAL = rhrt.load_ruleset(MINIMAL_PATH)


@pytest.fixture(scope="module")
def big() -> pa.Table:
    return population(40_000, seed=11, ruleset=MINIMAL)


def test_same_seed_same_table_and_prefixes_agree() -> None:
    a = population(1_000, seed=5, ruleset=MINIMAL)
    assert a.equals(population(1_000, seed=5, ruleset=MINIMAL))
    assert not a.equals(population(1_000, seed=6, ruleset=MINIMAL))
    assert population(300, seed=5, ruleset=MINIMAL).equals(a.slice(0, 300))


def test_batches_concatenate_to_the_population() -> None:
    n = BLOCK + 10
    parts = list(population_batches(n, seed=2, ruleset=MINIMAL))
    assert [p.num_rows for p in parts] == [BLOCK, 10]
    whole = population(n, seed=2, ruleset=MINIMAL)
    assert pa.concat_tables(parts).equals(whole)


def test_rows_are_valid_cases(big: pa.Table) -> None:
    for case in list(iter_cases(big.slice(0, 200), MINIMAL)):
        MINIMAL.validate_case(case)
    refs = big.column("case_ref").to_pylist()
    assert len(set(refs)) == len(refs)


def test_shape_follows_published_figures(big: pa.Table) -> None:
    sources = big.column("referral_source").to_numpy(zero_copy_only=False)
    names, counts = np.unique(sources, return_counts=True)
    assert names[counts.argmax()] == "police"
    assert 0.25 < counts.max() / len(sources) < 0.33

    out = assess_table(big, MINIMAL)
    level = out.column("level").to_numpy()
    assert np.mean(level <= 2) > 0.7  # most contacts never reach an assessment
    assert np.mean(level == 4) > 0.03  # but some need a statutory response

    # domestic abuse is the most common factor among the minimal ruleset's level-3 concerns
    flat = pa.compute.list_flatten(big.column("indicators")).to_numpy(zero_copy_only=False)
    ids, n = np.unique(flat, return_counts=True)
    level3 = {i: c for i, c in zip(ids, n, strict=True) if MINIMAL.plan.indicator_level[i] == 3}
    assert max(level3, key=level3.__getitem__) == "da-incidents"


def test_recorded_decision_sometimes_disagrees(big: pa.Table) -> None:
    out = assess_table(big, MINIMAL)
    level = out.column("level").to_numpy()
    recorded = out.column("recorded_decision").to_numpy(zero_copy_only=False).astype(float)
    has = ~np.isnan(recorded)
    assert 0.005 < 1 - has.mean() < 0.05
    agree = np.mean(recorded[has] == level[has])
    assert 0.75 < agree < 0.95
    police = big.column("referral_source").to_numpy(zero_copy_only=False) == "police"
    under = recorded < level
    assert under[has & police].mean() > under[has & ~police].mean()


def test_any_ruleset_even_without_level_one_indicators() -> None:
    data = yaml.safe_load(MINIMAL_PATH.read_text())
    data = copy.deepcopy(data)
    data["indicators"] = [i for i in data["indicators"] if i["level"] != 1]
    ruleset = rhrt.ruleset_from_data(data)
    table = population(2_000, seed=1, ruleset=ruleset)
    out = assess_table(table, ruleset, keep_input=False)
    assert out.num_rows == 2_000
    assert set(out.column("level").to_pylist()) <= {1, 2, 3, 4}


def test_bundled_ruleset_population_is_valid() -> None:
    ruleset = rhrt.load_ruleset()
    table = population(500, seed=0)
    assert assess_table(table, ruleset).num_rows == 500


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_write_population(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"pop{suffix}"
    seen: list[int] = []
    assert write_population(1_500, path, seed=4, ruleset=MINIMAL, progress=seen.append) == 1_500
    assert sum(seen) == 1_500
    if suffix == ".parquet":
        back = pq.read_table(path)
        assert back.equals(population(1_500, seed=4, ruleset=MINIMAL))
    else:
        text = path.read_text().splitlines()
        assert text[0].startswith('"case_ref"')
        assert len(text) == 1_501


def test_kinds_and_bad_arguments() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    assert isinstance(population(10, seed=1, ruleset=MINIMAL, kind="pandas"), pd.DataFrame)
    assert isinstance(population(10, seed=1, ruleset=MINIMAL, kind="polars"), pl.DataFrame)
    assert population(0, seed=1, ruleset=MINIMAL).num_rows == 0
    with pytest.raises(rhrt.CaseError):
        population(10, ruleset=MINIMAL, kind="excel")
    with pytest.raises(rhrt.CaseError):
        population(-1, ruleset=MINIMAL)


# -- an upper bound ---------------------------------------------------------------------------
# Regression: ``rhrt synth 99999999999999999999 --out s.csv`` ran ten minutes writing 7.6 GB.
# Above rhrt.synth.MAX_ROWS the request is refused (exit 2) before any row is made.


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a single block of rows is generated."""
    import rhrt.synth

    def refuse(*_: object) -> None:
        raise AssertionError("a block was generated")

    monkeypatch.setattr(rhrt.synth, "_block", refuse)


@pytest.mark.usefixtures("no_work")
@pytest.mark.parametrize("n", ["99999999999999999999", str(MAX_ROWS + 1)])
def test_cli_refuses_more_than_max_rows_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], n: str
) -> None:
    from rhrt.cli import main

    out = tmp_path / "s.csv"
    # a usage error (exit 2) from the shared range check of rhrt.cli._numbers
    with pytest.raises(SystemExit) as exc:
        main(["synth", n, "--out", str(out), "--rules", str(MINIMAL_PATH)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"{MAX_ROWS:,}" in err and n not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("no_work")
@pytest.mark.parametrize("n", [MAX_ROWS + 1, 10**20, True, 5.0, "5"])
def test_api_refuses_bad_row_counts_before_any_work(tmp_path: Path, n: object) -> None:
    out = tmp_path / "s.csv"
    with pytest.raises(rhrt.CaseError, match="number of cases"):
        population(n, ruleset=MINIMAL)  # type: ignore[arg-type]
    with pytest.raises(rhrt.CaseError, match="number of cases"):
        population_batches(n, ruleset=MINIMAL)  # type: ignore[arg-type]  # at the call
    with pytest.raises(rhrt.CaseError, match="number of cases"):
        write_population(n, out, ruleset=MINIMAL)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_max_rows_itself_is_allowed() -> None:
    """The bound is inclusive (checked without making the rows)."""
    from rhrt.synth import check_rows

    assert check_rows(MAX_ROWS) == MAX_ROWS
    assert check_rows(0) == 0

# SPDX-License-Identifier: MIT
"""``rhrt batch``, ``synth``, ``audit`` and ``diff`` on files, run in-process through ``main``."""

from __future__ import annotations

import builtins
import copy
import json
from pathlib import Path
from typing import Any

import pytest

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pytest.importorskip("pandas")
pytest.importorskip("matplotlib")
import yaml  # noqa: E402

import rhrt  # noqa: E402
from rhrt.batch import assess_table  # noqa: E402
from rhrt.cli import main  # noqa: E402

MINIMAL = str(Path(__file__).parent / "rulesets" / "minimal.yaml")
RULES = rhrt.load_ruleset(MINIMAL)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def population_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pop") / "population.parquet"
    assert main(["synth", "3000", "--out", str(path), "--seed", "7", "--rules", MINIMAL]) == 0
    return path


def test_synth_writes_a_reproducible_file(
    population_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rhrt.synth import population

    assert pq.read_table(population_file).equals(population(3000, seed=7, ruleset=RULES))
    code, _, err = run(capsys, "synth", "10", "--out", str(tmp_path / "x.csv"), "--rules", MINIMAL)
    assert code == 0 and "wrote 10 synthetic cases" in err


def test_batch_streams_in_chunks_and_equals_assess_table(
    population_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "levels.parquet"
    summary = tmp_path / "summary.json"
    code, _, err = run(capsys, "batch", str(population_file), "--out", str(out), "--rules",
                       MINIMAL, "--chunk-size", "700", "--summary-json", str(summary))
    assert code == 0
    got = pq.read_table(out)
    want = assess_table(pq.read_table(population_file), RULES)
    assert got.column_names == ["case_ref", "status", "level", "known_level", "urgent",
                                "pathways", "first_step", "determining_indicators",
                                "consent_position", "unread_measures"]
    for name in got.column_names:
        assert got.column(name).to_pylist() == want.column(name).to_pylist()
    counts = json.loads(summary.read_text())
    assert counts["rows"] == 3000
    level = want.column("level").to_numpy()
    assert counts["levels"] == {str(lv): int((level == lv).sum()) for lv in (1, 2, 3, 4)}
    assert counts["provisional"] == want.column("status").to_pylist().count("provisional")
    assert "3,000 cases assessed" in err and "level" in err and "%" in err


def test_batch_csv_round_trip_and_fast_mode(
    population_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_in = tmp_path / "in.csv"
    assert main(["synth", "500", "--out", str(csv_in), "--seed", "3", "--rules", MINIMAL]) == 0
    csv_out = tmp_path / "out.csv"
    assert main(["batch", str(csv_in), "--out", str(csv_out), "--rules", MINIMAL,
                 "--chunk-size", "64", "--keep-input"]) == 0
    from pyarrow import csv

    got = csv.read_csv(csv_out)
    from rhrt.synth import population

    want = assess_table(population(500, seed=3, ruleset=RULES), RULES, keep_input=False)
    assert got.column("level").to_pylist() == want.column("level").to_pylist()
    joined = [";".join(p) or None for p in want.column("pathways").to_pylist()]
    assert got.column("pathways").to_pylist() == joined
    assert "recorded_decision" in got.column_names  # --keep-input

    fast = tmp_path / "fast.parquet"
    assert main(["batch", str(csv_in), "--out", str(fast), "--rules", MINIMAL, "--fast"]) == 0
    names = pq.read_table(fast).column_names
    assert "pathway:mash" in names and "pathways" not in names
    capsys.readouterr()


def test_batch_errors_name_row_and_column_not_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("case_ref,indicators,age_years\nA,bruise,3\nB,poor-diet,secret-age\n")
    code, _, err = run(capsys, "batch", str(bad), "--out", str(tmp_path / "o.csv"), "--rules",
                       MINIMAL)
    assert code == 2
    assert "rows[1].age_years" in err and "secret" not in err
    assert not (tmp_path / "o.csv").exists()
    bad.write_text("case_ref,colour\nA,red\n")
    code, _, err = run(capsys, "batch", str(bad), "--out", str(tmp_path / "o.csv"), "--rules",
                       MINIMAL)
    assert code == 2 and "colour" in err and "red" not in err
    code, _, err = run(capsys, "batch", str(bad), "--out", str(tmp_path / "o.xlsx"))
    assert code == 2 and ".csv or .parquet" in err


def test_audit_reports(
    population_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "audit", str(population_file), "--rules", MINIMAL, "--top", "5")
    assert code == 0 and out.startswith("# Threshold consistency audit")
    html = tmp_path / "audit.html"
    tables = tmp_path / "tables"
    code, _, _ = run(capsys, "audit", str(population_file), "--rules", MINIMAL, "--out",
                     str(html), "--tables", str(tables))
    assert code == 0
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert (tables / "review.csv").exists() and (tables / "by_source.csv").exists()


def test_diff_report(
    population_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = yaml.safe_load(Path(MINIMAL).read_text())
    new = copy.deepcopy(data)
    new["rules"][0]["when"]["count"]["at_least"] = 4
    new_path = tmp_path / "new.yaml"
    new_path.write_text(yaml.safe_dump(new))
    code, out, _ = run(capsys, "diff", MINIMAL, str(new_path), str(population_file))
    assert code == 0
    assert "# Ruleset change impact" in out and "rule accumulation" in out
    assert "Cases that move down" in out


def test_missing_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_import = builtins.__import__

    def no_pyarrow(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    for argv in (["batch", "in.csv", "--out", "o.csv"], ["synth", "5", "--out", "o.csv"],
                 ["audit", "in.csv"], ["diff", MINIMAL, MINIMAL, "in.csv"]):
        code, _, err = run(capsys, *argv)
        assert code == 3  # the one documented code for "install the extra"
        assert "rhrt[analysis]" in err

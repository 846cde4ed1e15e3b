# SPDX-License-Identifier: MIT
"""Command-line conventions a newcomer expects (issue 20): files end with a newline, kept
input numbers stay numbers, progress and colour follow the terminal and NO_COLOR/--no-color,
and -v/--debug diagnostics never include case content."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from rhrt.cli import main

MINIMAL = str(Path(__file__).parent / "rulesets" / "minimal.yaml")


def _cases_csv(path: Path) -> Path:
    path.write_text(
        "case_ref,age_years,indicators,dash_score,recorded_decision,notes_col\n"
        "A1, 6 ,poor-diet,,2,007\n"
        "A2,0.5,,2e1,4,x\n"
        "A3,,,,,\n",
        encoding="utf-8",
    )
    return path


def _cells(line: str) -> list[object]:
    """A CSV line's cells: a quoted cell is text, an unquoted one a number (or empty/false)."""
    cells: list[object] = []
    for raw in re.findall(r'("(?:[^"]|"")*"|[^,]*)(?:,|$)', line)[: line.count(",") + 1]:
        if raw.startswith('"'):
            cells.append(raw[1:-1].replace('""', '"'))
        elif raw in ("", "true", "false"):
            cells.append(raw)
        else:
            cells.append(float(raw))
    return cells


def test_summary_json_ends_with_a_newline(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    cases = _cases_csv(tmp_path / "cases.csv")
    summary = tmp_path / "summary.json"
    args = ["batch", str(cases), "--out", str(tmp_path / "out.csv"), "--rules", MINIMAL]
    assert main([*args, "--ignore-column", "notes_col", "--summary-json", str(summary)]) == 0
    assert summary.read_text(encoding="utf-8").endswith("}\n")


def test_keep_input_keeps_number_columns_numeric_in_csv(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    cases = _cases_csv(tmp_path / "cases.csv")
    out = tmp_path / "out.csv"
    args = ["batch", str(cases), "--out", str(out), "--rules", MINIMAL, "--keep-input"]
    assert main([*args, "--ignore-column", "notes_col"]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([lines[0]]))
    body = [dict(zip(header, _cells(line), strict=True)) for line in lines[1:]]
    assert [r["age_years"] for r in body] == [6, 0.5, ""]
    assert [r["dash_score"] for r in body] == ["", 20, ""]
    assert [r["recorded_decision"] for r in body] == [2, 4, ""]
    # a column rhrt does not read is copied as it was: text stays text ("007" is not 7)
    assert [r["notes_col"] for r in body] == ["007", "x", ""]
    assert [r["case_ref"] for r in body] == ["A1", "A2", "A3"]

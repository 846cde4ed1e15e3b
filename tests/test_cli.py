# SPDX-License-Identifier: MIT
"""The command line: exit codes, formats and messages (run in-process through ``main``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rhrt.cli import main

MINIMAL = str(Path(__file__).parent / "rulesets" / "minimal.yaml")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_assess_text_puts_level_first_then_why_then_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("child: {age_months: 3}\nindicators: [bruise]\n")
    code, out, _ = run(capsys, "assess", str(case), "--rules", MINIMAL)
    assert code == 0
    text = out.lower()
    assert text.lstrip().startswith("level 4")
    assert text.index("level 4") < text.index("bruise") < text.index("urgent paediatric assessment")
    assert "professional judgement" in text


def test_assess_json_is_the_decision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "case.json"
    case.write_text(
        json.dumps(
            {
                "child": {"age_years": 6},
                "indicators": ["da-incidents"],
                "measures": {"dash_score": 16},
            }
        )
    )
    code, out, _ = run(capsys, "assess", str(case), "--rules", MINIMAL, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["level"] == 4 and data["urgent"] is False
    assert [p["id"] for p in data["pathways"]] == ["marac", "mash"]
    assert data["explanation"]["indicators"][0]["id"] == "da-incidents"
    assert len(data["ruleset"]["sha256"]) == 64


def test_assess_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import sys

    monkeypatch.setattr(
        sys,
        "stdin",
        io.TextIOWrapper(io.BytesIO(b"indicators: [poor-diet]\nchild: {age_years: 4}\n")),
    )
    code, out, _ = run(capsys, "assess", "-", "--rules", MINIMAL, "--format", "json")
    assert code == 0 and json.loads(out)["level"] == 2


def test_invalid_case_exits_2_with_message_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("indicators: [brusie]\n")
    code, out, err = run(capsys, "assess", str(case), "--rules", MINIMAL)
    assert code == 2 and out == ""
    assert "unknown indicator 'brusie'" in err and "did you mean 'bruise'" in err
    assert "Traceback" not in err


def test_validate_ok_and_broken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", MINIMAL)
    assert code == 0 and "valid" in out
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        Path(MINIMAL)
        .read_text()
        .replace("pathways: [marac]}", "pathways: [marca]}")
        .replace("tags: [injury], text", "tags: [injrury], text")
    )
    code, _, err = run(capsys, "validate", str(broken))
    assert code == 2
    assert "marca" in err and "injrury" in err and "line" in err and "2 problems found" in err


def test_indicators_filters_and_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "indicators", "--rules", MINIMAL, "--level", "2", "--format", "json")
    assert code == 0
    items = json.loads(out)
    assert {i["id"] for i in items} == {
        "poor-diet",
        "missed-checks",
        "poor-attendance",
        "inconsistent-care",
        "staff-allegation",
    }
    assert set(items[0]) >= {"id", "level", "domain", "text", "tags", "source"}
    code, out, _ = run(
        capsys, "indicators", "--rules", MINIMAL, "--search", "diet", "--format", "json"
    )
    assert [i["id"] for i in json.loads(out)] == ["poor-diet"]
    code, out, _ = run(capsys, "indicators", "--rules", MINIMAL, "--domain", "domestic-abuse")
    assert "da-incidents" in out and "1 indicator" in out and "1 indicators" not in out


def test_unexpected_errors_exit_1_without_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import rhrt.ruleset

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(rhrt.ruleset.Ruleset, "assess", boom)
    case = tmp_path / "c.yaml"
    case.write_text("indicators: []\n")
    code, _, err = run(capsys, "assess", str(case), "--rules", MINIMAL)
    assert (
        code == 1
        and "RuntimeError" in err
        and "secret internals" not in err
        and "Traceback" not in err
    )

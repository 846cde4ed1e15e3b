# SPDX-License-Identifier: MIT
"""``rhrt compare``: a change log in words (indicators, rules, pathways, levels, measures)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

import rhrt
from rhrt.cli import main
from rhrt.compare import Change, ruleset_changes, to_markdown

PATH = Path(__file__).parent / "rulesets" / "minimal.yaml"
OLD = rhrt.load_ruleset(PATH)
DATA = yaml.safe_load(PATH.read_text(encoding="utf-8"))


def _new(edit: Any) -> rhrt.Ruleset:
    data = copy.deepcopy(DATA)
    edit(data)
    return rhrt.ruleset_from_data(data)


def _ind(data: dict[str, Any], ind_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(i for i in data["indicators"] if i["id"] == ind_id)
    return found


def _edit(data: dict[str, Any]) -> None:
    _ind(data, "bruise")["tags"] = []  # baby-injury no longer matches it
    _ind(data, "poor-diet")["level"] = 1  # accumulation (min_level 2) no longer matches it
    _ind(data, "missed-checks")["text"] = "Missed health checks and immunisations"
    _ind(data, "thriving")["domain"] = "parenting"
    _ind(data, "thriving")["subdomain"] = "care"
    data["indicators"] = [i for i in data["indicators"] if i["id"] != "poor-attendance"]
    data["indicators"].append({"id": "new-need", "level": 2, "domain": "child",
                               "subdomain": "education", "text": "A new need",
                               "source": {"ref": "test"}})
    data["rules"][2]["then"]["urgent"] = True  # high-risk-da
    data["rules"].append({"id": "added-rule", "because": "b", "when": {"indicator": "new-need"},
                          "then": {"pathways": ["eha"]}})
    data["pathways"][0]["timescale"] = "within a week"
    data["levels"][1]["pathways"] = ["eha"]
    data["measures"][0]["max"] = 30


def test_every_kind_of_change_in_words() -> None:
    changes = {(c.kind, c.id, c.change) for c in ruleset_changes(OLD, _new(_edit))}
    assert changes == {
        ("indicator", "poor-diet", "moved from level 2 to 1"),
        ("indicator", "bruise", "tags: no longer 'injury'"),
        ("indicator", "missed-checks", f"reworded (was: {_ind(DATA, 'missed-checks')['text']})"),
        ("indicator", "thriving", "moved from child/health to parenting/care"),
        ("indicator", "poor-attendance", "removed (was level 2)"),
        ("indicator", "new-need", "added at level 2 in child"),
        ("rule", "accumulation",
         "now also matches 'new-need'; no longer matches 'poor-diet', 'poor-attendance'"),
        ("rule", "baby-injury", "no longer matches 'bruise'"),
        ("rule", "high-risk-da", "now urgent"),
        ("rule", "added-rule", "added"),
        ("pathway", "universal", "changed: timescale"),
        ("level", "level-2", "changed: pathways: now 'eha'; no longer 'early-help'"),
        ("measure", "dash_score", "range 0-24 → 0-30"),
    }


def test_a_rewritten_condition_is_given_before_and_after_in_plain_words() -> None:
    from rhrt.rules.plain import describe_condition

    def stricter(data: dict[str, Any]) -> None:
        data["rules"][0]["when"]["count"]["at_least"] += 1

    new = _new(stricter)
    (change,) = ruleset_changes(OLD, new)
    rule = OLD.model.rules[0]
    assert change == Change("rule", rule.id, (
        f"condition was: {describe_condition(rule.when, OLD.model)}; "
        f"now: {describe_condition(new.model.rules[0].when, new.model)}"
    ))
    assert describe_condition(rule.when, OLD.model) != describe_condition(
        new.model.rules[0].when, new.model
    )


def test_cases_report_says_route_changes_are_not_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # regression: a removed pathway gave "0 change level" and nothing else about the cases
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    cases = tmp_path / "cases.csv"
    cases.write_text("case_ref,indicators\na,bruise\n", encoding="utf-8")
    data = copy.deepcopy(DATA)
    data["rules"][2]["then"]["pathways"] = []
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["compare", str(PATH), str(new), str(cases)]) == 0
    text = capsys.readouterr().out
    assert "a change of route" in text and "is not" in text


def test_same_ruleset_has_no_changes() -> None:
    assert ruleset_changes(OLD, rhrt.load_ruleset(PATH)) == []
    text = to_markdown(OLD, OLD, [])
    assert "No differences" in text


def test_markdown_escapes_ruleset_text() -> None:
    def hostile(data: dict[str, Any]) -> None:
        _ind(data, "poor-diet")["text"] = "[click](javascript:alert(1)) <b>x</b>"
        _ind(data, "poor-diet")["level"] = 3

    new = _new(hostile)
    text = to_markdown(OLD, new, ruleset_changes(OLD, new))
    assert "## Indicators" in text
    assert "[click](" not in text and "<b>" not in text


def test_cli_writes_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = copy.deepcopy(DATA)
    _edit(data)
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "changes.md"
    assert main(["compare", str(PATH), str(new), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Changes: minimal-test 1")
    assert "no longer matches 'bruise'" in text


def test_cli_with_cases_counts_moves(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    cases = tmp_path / "cases.csv"
    cases.write_text("case_ref,indicators\na,bruise\nb,poor-diet\nc,danger\n", encoding="utf-8")

    def diet_3(data: dict[str, Any]) -> None:
        _ind(data, "poor-diet")["level"] = 3

    data = copy.deepcopy(DATA)
    diet_3(data)
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["compare", str(PATH), str(new), str(cases)]) == 0
    text = capsys.readouterr().out
    assert "Of 3 cases, 1 changes level: 1 up, 0 down." in text
    assert "| indicator poor-diet (level 2 → 3) | up | 1 |" in text
    assert ruleset_changes(OLD, _new(diet_3)) == [
        Change("indicator", "poor-diet", "moved from level 2 to 3")
    ]

# SPDX-License-Identifier: MIT
"""``rhrt validate`` reports every problem in one pass: a schema error does not hide the
misspelt ids elsewhere, and never makes valid references look wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rhrt import ruleset_from_data, ruleset_from_text
from rhrt.cli import main
from rhrt.errors import RulesetError, RulesetSchemaError
from rhrt.testing import ruleset_data

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"


def _data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    return data


def _rule(rule_id: str, when: Any, **then: Any) -> dict[str, Any]:
    return {"id": rule_id, "because": "b", "when": when, "then": then}


def _problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    text = yaml.safe_dump(data, sort_keys=False)
    with pytest.raises(RulesetError) as info:
        ruleset_from_text(text)
    assert isinstance(info.value, RulesetSchemaError)
    lines = [p.line for p in info.value.problems]
    assert all(line is not None for line in lines)
    assert lines == sorted(lines)  # in file order
    with pytest.raises(RulesetError) as from_data:
        ruleset_from_data(data)
    assert {p.path for p in from_data.value.problems} == {p.path for p in info.value.problems}
    return [(p.path, p.message) for p in info.value.problems]


def test_schema_and_reference_problems_together() -> None:
    data = _data()
    data["indicators"][1]["level"] = 7  # poor-diet
    data["rules"] += [
        _rule("uses-invalid", {"indicator": "poor-diet"}, level=2),
        _rule("misspelt", {"indicator": "missed-chekcs"}, level=2, pathways=["nowhere"]),
    ]
    data["pathways"][0]["colour"] = "red"
    problems = _problems(data)
    paths = [p for p, _ in problems]
    assert paths == [
        "indicators[1].level",
        "rules[4].when.indicator",
        "rules[4].then.pathways[0]",
        "pathways[0].colour",
    ]
    assert "unknown indicator 'missed-chekcs'" in problems[1][1]


def test_an_invalid_domain_or_measure_is_not_reported_again_where_used() -> None:
    data = _data()
    data["domains"][0]["kind"] = "triangel"  # child: schema error
    data["measures"][0]["max"] = "lots"  # dash_score: schema error
    data["rules"].append(_rule("typo", {"tag": "injuri"}, level=3))
    paths = [p for p, _ in _problems(data)]
    assert paths == ["domains[0].kind", "measures[0].max", "rules[3].when.tag"]


def test_invalid_safety_section_still_checks_rules() -> None:
    data = _data()
    data["safety"]["immediate_danger"]["pathways"] = []
    data["rules"].append(_rule("typo", {"indicator": "brusie"}, level=3))
    paths = [p for p, _ in _problems(data)]
    assert paths == ["safety.immediate_danger.pathways", "rules[3].when.indicator"]


def test_cli_prints_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _data()
    data["indicators"][0]["level"] = 0
    data["rules"].append(_rule("typo", {"indicator": "brusie"}, level=3))
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "indicators[0].level" in err
    assert "unknown indicator 'brusie'" in err and "did you mean 'bruise'" in err


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck),
          database=None)
@given(data=ruleset_data(allow_not=True), section=st.sampled_from(
    ["indicators", "rules", "pathways", "domains", "tags", "measures", "levels"]
), which=st.integers(0, 50))
def test_one_schema_error_in_a_valid_ruleset_is_the_only_problem(
    data: dict[str, Any], section: str, which: int
) -> None:
    """Whatever item breaks, nothing that refers to it is reported as well."""
    items = data[section]
    if not items:
        return
    index = which % len(items)
    items[index]["unexpected-key"] = 1
    with pytest.raises(RulesetError) as info:
        ruleset_from_data(data)
    messages = [p.message for p in info.value.problems]
    assert "unknown key 'unexpected-key'" in messages
    # nothing elsewhere (e.g. a rule naming the broken indicator) is reported as well
    assert all(p.path == section or p.path.startswith(f"{section}[{index}]")
               for p in info.value.problems), messages

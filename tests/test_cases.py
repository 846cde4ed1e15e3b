# SPDX-License-Identifier: MIT
"""Case input: every shape a caller may send, and a typed error naming the field for bad ones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import rhrt
from rhrt.errors import CaseError

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"
SECRET = "Zebra-Quokka-7731"


@pytest.fixture(scope="module")
def rs() -> rhrt.Ruleset:
    return rhrt.load_ruleset(MINIMAL)


def test_ids_or_objects_dict_yaml_json_and_model_agree(rs: rhrt.Ruleset) -> None:
    as_dict = rs.assess(
        {
            "child": {"age_years": 6},
            "indicators": ["poor-diet", {"id": "missed-checks", "note": "n"}],
        }
    )
    as_yaml = rs.assess(
        "child: {age_years: 6}\nindicators: [poor-diet, {id: missed-checks, note: 'n'}]\n"
    )
    as_json = rs.assess(
        b'{"child": {"age_years": 6}, '
        b'"indicators": ["poor-diet", {"id": "missed-checks", "note": "n"}]}'
    )
    as_model = rs.assess(
        rhrt.Case.model_validate(
            {
                "child": {"age_years": 6},
                "indicators": ["poor-diet", {"id": "missed-checks", "note": "n"}],
            }
        )
    )
    assert as_dict == as_yaml == as_json == as_model


def test_date_of_birth_needs_an_assessment_date(rs: rhrt.Ruleset) -> None:
    with pytest.raises(CaseError, match="assessment_date"):
        rs.assess({"child": {"date_of_birth": "2024-01-10"}, "indicators": ["bruise"]})
    d = rs.assess(
        {
            "child": {"date_of_birth": "2024-01-10"},
            "assessment_date": "2024-05-09",
            "indicators": ["bruise"],
        }
    )
    assert d.level == 4 and d.assessment_date == dt.date(2024, 5, 9)  # 3 months old
    older = rs.assess(
        {
            "child": {"date_of_birth": "2023-01-10"},
            "assessment_date": "2024-05-09",
            "indicators": ["bruise"],
        }
    )
    assert older.level == 3


@pytest.mark.parametrize(
    ("case", "path", "words"),
    [
        ({"indicators": ["poor-dite"]}, "indicators[0].id", "did you mean 'poor-diet'"),
        ({"measures": {"dash_scor": 3}}, "measures.dash_scor", "did you mean 'dash_score'"),
        ({"measures": {"dash_score": 99}}, "measures.dash_score", "out of range"),
        ({"measures": {"dash_score": 2.5}}, "measures.dash_score", "whole number"),
        ({"child": {"age_years": -1}}, "child.age_years", "invalid case"),
        ({"child": {"age_years": 3, "age_months": 36}}, "child", "only one of"),
        ({"child": {"unborn": True, "age_years": 1}}, "child", "unborn"),
        ({"consent": "maybe"}, "consent", "given"),
        ({"chlid": {}}, "chlid", "unknown field"),
        ({"recorded_decision": 7}, "recorded_decision", "invalid case"),
    ],
)
def test_bad_cases_raise_case_error_naming_the_field(
    rs: rhrt.Ruleset, case: dict[str, object], path: str, words: str
) -> None:
    with pytest.raises(CaseError) as info:
        rs.assess(case)
    assert info.value.path == path
    assert words in str(info.value)


def test_errors_and_reprs_never_echo_case_values(rs: rhrt.Ruleset) -> None:
    with pytest.raises(CaseError) as info:
        rs.assess(
            {"child": {"age_years": SECRET}, "indicators": [{"id": "poor-diet", "note": SECRET}]}
        )
    assert SECRET not in str(info.value)
    with pytest.raises(CaseError) as info2:
        rs.assess(f"child: {{age_years: 3}}\nindicators: [{{id: poor-diet, note: '{SECRET}'}}\n")
    assert SECRET not in str(info2.value)
    case = rhrt.Case.model_validate(
        {"indicators": [{"id": "poor-diet", "note": SECRET, "source": SECRET}]}
    )
    assert SECRET not in repr(case)
    decision = rs.assess(case)
    assert SECRET not in repr(decision)
    assert SECRET not in decision.to_json()
    assert SECRET in decision.to_json(include_notes=True)


def test_nothing_is_silently_dropped(rs: rhrt.Ruleset) -> None:
    d = rs.assess({"indicators": ["poor-diet", {"id": "poor-diet", "note": "second sighting"}]})
    assert d.level == 2
    assert [n.note for n in d.notes] == ["second sighting"]

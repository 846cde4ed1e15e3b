# SPDX-License-Identifier: MIT
"""Case context (a child's existing involvement with services) and the ``context`` condition.

The case model reads context strictly (refusing ambiguous input by field path, never value);
every engine reads the condition with Kleene logic: a context fact not recorded is unknown, so
a rule on it fires (unknown never lowers a level), and a context condition is refused under
``not`` (recording involvement must never lower a level).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import rhrt
from rhrt.errors import CaseError, RulesetReferenceError
from rhrt.model.case import Case

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"

_RULES = """  - id: looked-after-missing
    because: A looked-after child who goes missing follows the missing-from-care route.
    when: {all: [{context: {is: looked_after}}, {tag: da}]}
    then: {level: 4, pathways: [marac]}
  - id: after-neglect-plan
    because: A child protection plan for neglect ended recently.
    when:
      all:
        - context: {is: stepped_down_from_child_protection_plan_neglect, within_months: 6}
        - count: {at_least: 1, min_level: 2}
    then: {level: 3, pathways: [eha]}
  - id: accumulation
"""


@pytest.fixture(scope="module")
def rs() -> rhrt.Ruleset:
    text = MINIMAL.read_text(encoding="utf-8").replace("  - id: accumulation\n", _RULES)
    return rhrt.ruleset_from_text(text)


def _da(rs: rhrt.Ruleset) -> str:
    return next(i.id for i in rs.model.indicators if "da" in i.tags)


def _level2(rs: rhrt.Ruleset) -> str:
    return next(i.id for i in rs.model.indicators if i.level == 2)


# -- the case model ---------------------------------------------------------------------------


def test_context_not_recorded_is_unknown_and_fires(rs: rhrt.Ruleset) -> None:
    d = rs.assess({"child": {"age_years": 13}, "indicators": [_da(rs)]})
    assert d.level == 4
    assert "context looked_after" in d.explanation.missing_information


def test_context_recorded_true_fires_and_false_does_not(rs: rhrt.Ruleset) -> None:
    base: dict[str, Any] = {"child": {"age_years": 13}, "indicators": [_da(rs)],
                            "measures": {"dash_score": 3}}
    yes = rs.assess({**base, "context": {"looked_after": True, "stepped_down_from": "none"}})
    no = rs.assess({**base, "context": {"looked_after": False, "stepped_down_from": "none"}})
    assert yes.level == 4 and "looked-after-missing" in [r.id for r in yes.explanation.rules]
    assert "looked-after-missing" not in [r.id for r in no.explanation.rules]
    assert no.level < yes.level


@pytest.mark.parametrize(
    ("months", "fires"), [(0, True), (2, True), (6, True), (6.5, False), (24, False)]
)
def test_step_down_recency(rs: rhrt.Ruleset, months: float, fires: bool) -> None:
    case = {
        "child": {"age_years": 5},
        "indicators": [_level2(rs)],
        "context": {
            "looked_after": False,
            "stepped_down_from": "child_protection_plan",
            "stepped_down_category": "neglect",
            "stepped_down_months_ago": months,
        },
    }
    d = rs.assess(case)
    assert ("after-neglect-plan" in [r.id for r in d.explanation.rules]) is fires
    assert d.level == (3 if fires else 2)


def test_step_down_date_is_read_against_the_assessment_date(rs: rhrt.Ruleset) -> None:
    ctx = {"looked_after": False, "stepped_down_from": "child_protection_plan",
           "stepped_down_category": "neglect", "stepped_down_on": "2024-01-15"}
    case = {"indicators": [_level2(rs)], "child": {"age_years": 5}, "context": ctx}
    assert rs.assess({**case, "assessment_date": "2024-03-20"}).level == 3  # 2 months
    assert rs.assess({**case, "assessment_date": "2024-09-20"}).level == 2  # 8 months


def test_other_category_or_plan_is_known_false(rs: rhrt.Ruleset) -> None:
    for ctx in (
        {"stepped_down_from": "child_protection_plan", "stepped_down_category": "physical",
         "stepped_down_months_ago": 1},
        {"stepped_down_from": "early_help", "stepped_down_months_ago": 1},
        {"stepped_down_from": "none"},
    ):
        d = rs.assess({"indicators": [_level2(rs)], "child": {"age_years": 5},
                       "context": {"looked_after": False, **ctx}})
        assert d.level == 2, ctx


def test_step_down_without_category_is_unknown(rs: rhrt.Ruleset) -> None:
    d = rs.assess({"indicators": [_level2(rs)], "child": {"age_years": 5},
                   "context": {"looked_after": False, "stepped_down_from": "child_protection_plan",
                               "stepped_down_months_ago": 1}})
    assert d.level == 3
    assert ("context stepped_down_from_child_protection_plan_neglect"
            in d.explanation.missing_information)


@pytest.mark.parametrize(
    ("context", "extra", "path"),
    [
        ({"looked_after": "yes"}, {}, "context.looked_after"),
        ({"looked_after": 1}, {}, "context.looked_after"),
        ({"child_protection_plan": "Neglect!"}, {}, "context.child_protection_plan"),
        ({"stepped_down_from": "child_protection_plan"}, {}, "context.stepped_down_from"),
        ({"stepped_down_months_ago": 2}, {}, "context.stepped_down_months_ago"),
        ({"stepped_down_from": "early_help", "stepped_down_months_ago": 2,
          "stepped_down_category": "neglect"}, {}, "context.stepped_down_category"),
        ({"stepped_down_from": "early_help", "stepped_down_months_ago": 2,
          "stepped_down_on": "2024-01-01"}, {"assessment_date": "2024-02-01"},
         "context.stepped_down_months_ago"),
        ({"stepped_down_from": "early_help", "stepped_down_months_ago": -1}, {},
         "context.stepped_down_months_ago"),
        ({"stepped_down_from": "early_help", "stepped_down_months_ago": 301}, {},
         "context.stepped_down_months_ago"),
        ({"stepped_down_from": "early_help", "stepped_down_on": "2024-01-01"}, {},
         "context.stepped_down_on"),
        ({"stepped_down_from": "early_help", "stepped_down_on": "2024-05-01"},
         {"assessment_date": "2024-02-01"}, "context.stepped_down_on"),
        ({"stepped_down_from": "early_help", "stepped_down_on": "1990-05-01"},
         {"assessment_date": "2024-02-01"}, "context.stepped_down_on"),
        ({"stepped_down_from": "early_help", "stepped_down_on": 20240101},
         {"assessment_date": "2024-02-01"}, "context.stepped_down_on"),
        ({"allocated_worker": True}, {}, "context.allocated_worker"),
    ],
)
def test_ambiguous_context_is_refused_by_field_path_never_value(
    rs: rhrt.Ruleset, context: dict[str, Any], extra: dict[str, Any], path: str
) -> None:
    with pytest.raises(CaseError) as info:
        rs.validate_case({"context": context, **extra})
    assert info.value.path == path
    for value in context.values():
        if isinstance(value, str) and len(value) > 3:
            assert value not in str(info.value)


def test_context_states_follow_the_fields() -> None:
    case = Case.model_validate({"context": {"child_protection_plan": "sexual",
                                            "in_custody": True}})
    states = case.context.states()
    assert states["child_protection_plan"] is True
    assert states["child_protection_plan_sexual"] is True
    assert states["child_protection_plan_neglect"] is False
    assert states["in_custody"] is True
    assert "looked_after" not in states  # not recorded: unknown
    assert not any(s.startswith("stepped_down") for s in states)


# -- the ruleset ------------------------------------------------------------------------------


def test_context_condition_under_not_is_refused() -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "  - id: accumulation\n",
        "  - id: not-in-care\n    because: b\n"
        "    when: {not: {context: {is: looked_after}}}\n    then: {level: 3}\n"
        "  - id: accumulation\n",
    )
    with pytest.raises(RulesetReferenceError) as info:
        rhrt.ruleset_from_text(text)
    assert "rules[0].when.not.context" in str(info.value)


@pytest.mark.parametrize(
    "spec",
    ["{is: looked_after, within_months: 6}", "{is: on_the_moon}", "{is: looked_after, x: 1}",
     "{is: stepped_down_from_early_help, within_months: -1}"],
)
def test_bad_context_conditions_are_refused(spec: str) -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "  - id: accumulation\n",
        f"  - id: bad\n    because: b\n    when: {{context: {spec}}}\n    then: {{level: 3}}\n"
        "  - id: accumulation\n",
    )
    with pytest.raises(rhrt.errors.RhrtError):
        rhrt.ruleset_from_text(text)


def test_plain_words_for_a_context_condition(rs: rhrt.Ruleset) -> None:
    d = rs.assess({"indicators": [_level2(rs)], "child": {"age_years": 5},
                   "context": {"stepped_down_from": "child_protection_plan",
                               "stepped_down_category": "neglect",
                               "stepped_down_months_ago": 2}})
    (fired,) = [r for r in d.explanation.rules if r.id == "after-neglect-plan"]
    assert fired.condition is not None
    assert "stepped down from a child protection plan for neglect" in fired.condition
    assert "6 months" in fired.condition

"""The referral draft carries what the receiving team needs first: the child's involvement with
services (or that it is not recorded), why the decision is urgent, routes replaced because of
the child's context; and an urgent decision's first step is an urgent route.

Regressions (practice review, issue 14): the referral draft showed none of the case context, and
an urgent decision whose urgency came from an urgent concern opened "Act now: Graded Care
Profile 2" because a neglect rule's pathway came first in the list.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import rhrt
from rhrt.cli import main
from rhrt.model.case import Case
from rhrt.render import decision_context, render_referral

FORMATS = ("text", "markdown", "html")
STEPPED_DOWN = {
    "stepped_down_from": "child_protection_plan",
    "stepped_down_category": "neglect",
    "stepped_down_months_ago": 2,
}


@pytest.fixture(scope="module")
def ruleset() -> rhrt.Ruleset:
    return rhrt.load_ruleset()


def _referral(ruleset: rhrt.Ruleset, case: dict[str, Any], fmt: str) -> str:
    return render_referral(Case.model_validate(case), ruleset.assess(case), ruleset, fmt)


def test_an_urgent_concern_puts_the_level_route_first_not_the_first_listed(
    ruleset: rhrt.Ruleset,
) -> None:
    case = {"child": {"age_years": 6}, "context": STEPPED_DOWN,
            "indicators": ["no-one-to-care-for-child"]}
    decision = ruleset.assess(case)
    assert decision.urgent and decision.level == 4
    level_routes = set(ruleset.model.level(4).pathways)
    # Once another route was listed first here; since urgent and statutory routes are listed
    # first (9de33e0) the order agrees, but the first step is still chosen, never just read
    # off the list (tests/test_first_step.py checks that on generated rulesets).
    first = decision_context(decision, ruleset, "text")["first_step"]
    assert first is not None and first["id"] in level_routes
    # The decision itself names it, so a record, the JSON API or an application reading
    # ``pathways[0]`` cannot open with the first listed (``Decision.first_step``).
    assert decision.first_step == first["id"]
    assert json.loads(decision.to_json())["first_step"] == first["id"]


def test_the_cli_json_record_names_the_first_step(
    ruleset: rhrt.Ruleset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = {"child": {"age_years": 6}, "context": STEPPED_DOWN,
            "indicators": ["no-one-to-care-for-child"]}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    assert main(["assess", str(path), "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["first_step"] in ruleset.model.level(4).pathways
    assert record["first_step"] == ruleset.assess(case).first_step


def test_not_urgent_has_no_first_step(ruleset: rhrt.Ruleset) -> None:
    decision = ruleset.assess({"child": {"age_years": 6}, "context": STEPPED_DOWN})
    assert not decision.urgent
    assert decision_context(decision, ruleset, "text")["first_step"] is None
    assert decision.first_step is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_referral_lists_recorded_involvement_most_specific_first(
    ruleset: rhrt.Ruleset, fmt: str
) -> None:
    case = {"child": {"age_years": 16},
            "context": {"in_custody": True, "looked_after": False, **STEPPED_DOWN},
            "indicators": []}
    out = _referral(ruleset, case, fmt)
    assert "in custody or remanded" in out
    assert "stepped down from a child protection plan for neglect (ended 2 months ago)" in out
    assert "looked after" not in out  # recorded as not: not listed as involvement
    assert "Not recorded (unknown" not in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_involvement_not_recorded_is_said_to_be_unknown_not_none(
    ruleset: rhrt.Ruleset, fmt: str
) -> None:
    unknown = _referral(ruleset, {"child": {"age_years": 9}}, fmt)
    assert "Not recorded (unknown: not the same as none)" in unknown
    none = _referral(ruleset, {"child": {"age_years": 9}, "context": {"looked_after": False}},
                     fmt)
    assert "None recorded as current" in none and "Not recorded (unknown" not in none


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_referral_says_why_urgent_and_which_route_was_replaced(
    ruleset: rhrt.Ruleset, fmt: str
) -> None:
    case = {"child": {"age_years": 16}, "context": {"in_custody": True},
            "indicators": ["no-one-to-care-for-child"]}
    decision = ruleset.assess(case)
    assert decision.explanation.urgent_because and decision.explanation.replaced_pathways
    out = _referral(ruleset, case, fmt)
    assert "Urgent because:" in out
    gone = decision.explanation.replaced_pathways[0].id
    assert "Instead of" in out
    assert next(p.title for p in ruleset.model.pathways if p.id == gone).split(" (")[0] in out

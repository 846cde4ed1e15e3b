# SPDX-License-Identifier: MIT
"""The reference engine's semantics on the minimal ruleset, by example.

The general invariants are property-tested in test_invariants.py; these pin down each rule of
CONTRIBUTING.md "Semantics every engine must implement" with a case a reader can check by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import rhrt

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"


@pytest.fixture(scope="module")
def rs() -> rhrt.Ruleset:
    return rhrt.load_ruleset(MINIMAL)


def test_no_concerns_is_level_one_with_universal_services(rs: rhrt.Ruleset) -> None:
    d = rs.assess({"child": {"age_years": 8}})
    assert (d.level, d.level_name, d.urgent) == (1, "Universal", False)
    assert d.pathway_ids == ("universal",)
    assert d.explanation.rules == ()


def test_level_is_the_highest_indicator(rs: rhrt.Ruleset) -> None:
    d = rs.assess(
        {
            "child": {"age_years": 8},
            "indicators": ["poor-diet", "da-incidents"],
            "measures": {"dash_score": 3},
        }
    )
    assert d.level == 3
    assert [i.id for i in d.explanation.indicators] == ["da-incidents"]
    assert d.explanation.holding_set == ("da-incidents",)


def test_accumulation_needs_two_primary_domains(rs: rhrt.Ruleset) -> None:
    one = rs.assess(
        {"child": {"age_years": 6}, "indicators": ["poor-diet", "missed-checks", "poor-attendance"]}
    )
    assert one.level == 2, "three level-2 concerns in one domain stay at level 2"
    two = rs.assess(
        {
            "child": {"age_years": 6},
            "indicators": ["poor-diet", "missed-checks", "inconsistent-care"],
        }
    )
    assert two.level == 3
    assert [r.id for r in two.explanation.rules] == ["accumulation"]
    assert two.pathway_ids == ("eha",)
    assert set(i.id for i in two.explanation.indicators) == {
        "poor-diet",
        "missed-checks",
        "inconsistent-care",
    }


def test_unknown_age_fires_age_rules_and_says_so(rs: rhrt.Ruleset) -> None:
    known_old = rs.assess({"child": {"age_years": 5}, "indicators": ["bruise"]})
    assert known_old.level == 3
    unknown = rs.assess({"indicators": ["bruise"]})
    assert unknown.level == 4
    assert unknown.explanation.missing_information == ("child's age",)
    assert unknown.explanation.rules[0].assumed == ("child's age",)
    baby = rs.assess({"child": {"age_months": 3}, "indicators": ["bruise"]})
    assert baby.level == 4 and baby.explanation.missing_information == ()


def test_unborn_is_under_every_age(rs: rhrt.Ruleset) -> None:
    d = rs.assess({"child": {"unborn": True, "gestation_weeks": 20}, "indicators": ["bruise"]})
    assert d.level == 4


def test_unknown_measure_fires_fail_safe_and_known_low_measure_does_not(rs: rhrt.Ruleset) -> None:
    unknown = rs.assess({"child": {"age_years": 6}, "indicators": ["da-incidents"]})
    assert unknown.level == 4 and "marac" in unknown.pathway_ids
    assert unknown.explanation.missing_information == ("measure dash_score",)
    low = rs.assess(
        {"child": {"age_years": 6}, "indicators": ["da-incidents"], "measures": {"dash_score": 9}}
    )
    assert low.level == 3 and "marac" not in low.pathway_ids
    hints = [h.rule for h in low.explanation.would_raise]
    assert hints == ["high-risk-da"]
    (hint,) = low.explanation.would_raise
    assert (hint.raises_to, "marac" in hint.adds_pathways) == (4, True)
    assert low.explanation.would_raise_level == low.explanation.would_add_pathway == (hint,)
    high = rs.assess(
        {"child": {"age_years": 6}, "indicators": ["da-incidents"], "measures": {"dash_score": 14}}
    )
    assert high.level == 4 and high.pathway_ids == ("marac", "mash")


def test_immediate_danger_is_level_four_urgent_999_first(rs: rhrt.Ruleset) -> None:
    d = rs.assess({"child": {"age_years": 7}, "indicators": ["danger"]})
    assert d.level == 4 and d.urgent
    assert d.pathway_ids[0] == "police-999"
    assert d.explanation.rules[0].id == "safety.immediate-danger"
    # the ruleset's urgent consent position comes first (share-now outranks the level's)
    assert (d.consent.id, d.consent.rule) == ("urgent", "share-now")
    assert d.consent.applies == d.consent.text and d.consent.others[0].id == "level-4"


def test_allegation_adds_lado_whatever_the_level(rs: rhrt.Ruleset) -> None:
    d = rs.assess({"child": {"age_years": 15}, "indicators": ["staff-allegation"]})
    assert d.level == 2
    assert d.pathway_ids == ("lado", "early-help")
    assert d.pathways[0].why == ("safety.allegation",)
    assert d.pathways[1].why == ("level-2",)


def test_decision_records_ruleset_identity_and_judgement_statement(rs: rhrt.Ruleset) -> None:
    d = rs.assess({"child": {"age_years": 8}})
    assert d.ruleset.id == "minimal-test" and d.ruleset.version == "1"
    assert len(d.ruleset.sha256) == 64
    assert "does not replace, professional judgement" in d.statement
    assert d.rhrt_version == rhrt.__version__


def test_same_input_same_decision(rs: rhrt.Ruleset) -> None:
    case = {
        "child": {"age_years": 6},
        "indicators": ["poor-diet", "missed-checks", "inconsistent-care"],
    }
    assert rs.assess(case).to_json() == rs.assess(dict(case)).to_json()


def test_override_is_kept_beside_the_framework_level(rs: rhrt.Ruleset) -> None:
    d = rs.assess(
        {"child": {"age_years": 7}, "indicators": ["danger"]},
        override={"level": 3, "reason": "Child now safe with grandparent", "role": "Social worker"},
    )
    assert d.level == 4 and d.final_level == 3
    assert d.override is not None and d.override.management_review
    assert d.override.direction == "lowered"


def test_consent_position_follows_the_level(rs: rhrt.Ruleset) -> None:
    d = rs.assess({"child": {"age_years": 6}, "indicators": ["poor-diet"], "consent": "refused"})
    assert d.consent.rule == "required" and "refused" in d.consent.applies


def test_unborn_status_is_unknown_without_age_or_unborn_flag(tmp_path: Path) -> None:
    """Regression (found by the invariant kit): a rule on `unborn: true` must still fire when
    nothing says whether the child is born, or a missing age would lower the level."""
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "  - id: accumulation\n",
        "  - id: pre-birth\n    because: Unborn babies need a pre-birth assessment.\n"
        "    when: {unborn: true}\n    then: {level: 2}\n  - id: accumulation\n",
    )
    rs = rhrt.ruleset_from_text(text)
    assert rs.assess({"child": {"unborn": True}}).level == 2
    assert rs.assess({"child": {"age_years": 3}}).level == 1
    unknown = rs.assess({})
    assert unknown.level == 2
    assert unknown.explanation.missing_information == ("child's age",)


def test_assessment_date_outside_the_effective_period_is_flagged(rs: rhrt.Ruleset) -> None:
    inside = rs.assess({"assessment_date": "2024-06-01"})
    assert inside.warnings == ()
    before = rs.assess({"assessment_date": "2023-06-01"})
    assert before.level == 1 and len(before.warnings) == 1
    assert "before this ruleset came into force (2024-01-01)" in before.warnings[0]
    assert rs.assess({}).warnings == ()

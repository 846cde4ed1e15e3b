# SPDX-License-Identifier: MIT
"""Professional judgement: an override is kept beside the framework's level, never silent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import rhrt
from rhrt.render import TEMPLATE_FORMATS, render_decision

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"
LEVEL_CASES = {1: {}, 2: {"indicators": ["poor-diet"]}, 3: {"indicators": ["bruise"],
               "child": {"age_years": 5}}, 4: {"indicators": ["danger"]}}


@pytest.fixture(scope="module")
def rs() -> rhrt.Ruleset:
    return rhrt.load_ruleset(MINIMAL)


def test_level_cases_give_their_levels(rs: rhrt.Ruleset) -> None:
    for level, case in LEVEL_CASES.items():
        assert rs.assess(case).level == level


@pytest.mark.parametrize("framework", [1, 2, 3, 4])
@pytest.mark.parametrize("professional", [1, 2, 3, 4])
@pytest.mark.parametrize("as_model", [False, True])
def test_override_keeps_both_levels(
    rs: rhrt.Ruleset, framework: int, professional: int, as_model: bool
) -> None:
    value: Any = {"level": professional, "reason": "Known family, strong support", "role": "DSL"}
    if as_model:
        value = rhrt.Override(**value)
    d = rs.assess(LEVEL_CASES[framework], override=value)
    assert d.level == framework
    assert d.final_level == professional
    assert d.override is not None
    assert d.override.framework_level == framework
    assert d.override.reason == "Known family, strong support" and d.override.role == "DSL"
    if professional > framework:
        assert d.override.direction == "raised"
    elif professional < framework:
        assert d.override.direction == "lowered"
    else:
        assert d.override.direction == "same"
    assert d.override.management_review is (framework == 4 and professional < 4)


def test_no_override_means_framework_level(rs: rhrt.Ruleset) -> None:
    d = rs.assess(LEVEL_CASES[3])
    assert d.override is None and d.final_level == 3


@pytest.mark.parametrize("fmt", TEMPLATE_FORMATS)
def test_lowered_level_four_is_flagged_for_review_before_the_reasons(
    rs: rhrt.Ruleset, fmt: str
) -> None:
    d = rs.assess(
        LEVEL_CASES[4], override={"level": 2, "reason": "Parent acted protectively", "role": "SW"}
    )
    text = render_decision(d, rs, fmt)
    review = text.index("MANAGEMENT REVIEW REQUIRED")
    assert text.index("Acute") < review < text.index("Why")
    assert text.index("Parent acted protectively") < text.index("Why")
    assert "level 2" in text[:review] and "lowered" in text[:review]


@pytest.mark.parametrize("fmt", TEMPLATE_FORMATS)
def test_every_override_is_shown_but_only_lowered_four_is_reviewed(
    rs: rhrt.Ruleset, fmt: str
) -> None:
    for framework, professional in ((2, 3), (3, 1), (4, 4), (1, 1)):
        d = rs.assess(
            LEVEL_CASES[framework],
            override={"level": professional, "reason": "Reason given here", "role": "GP"},
        )
        text = render_decision(d, rs, fmt)
        assert "Reason given here" in text and "GP" in text
        assert "MANAGEMENT REVIEW REQUIRED" not in text
        assert f"level {professional}" in text.lower()


def test_override_is_in_the_record(rs: rhrt.Ruleset) -> None:
    d = rs.assess(LEVEL_CASES[4], override={"level": 3, "reason": "Safety plan", "role": "SW"})
    record = d.to_record()
    assert record["level"] == 4
    assert record["override"]["level"] == 3
    assert record["override"]["management_review"] is True
    assert rhrt.Decision.from_json(d.to_json()) == d


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ({"level": 5, "reason": "too high", "role": "SW"}, "override.level"),
        ({"level": 2, "reason": "", "role": "SW"}, "override.reason"),
        ({"level": 2, "reason": "secret reason text"}, "override.role"),
        ({"level": 2, "reason": "ok reason", "role": "SW", "extra": 1}, "override.extra"),
    ],
)
def test_invalid_override_is_a_case_error_without_its_text(
    rs: rhrt.Ruleset, override: dict[str, Any], path: str
) -> None:
    with pytest.raises(rhrt.CaseError) as info:
        rs.assess(LEVEL_CASES[2], override=override)
    assert info.value.path == path
    assert "secret reason text" not in str(info.value)


FORGED_REASON = "Known family\nPROFESSIONAL JUDGEMENT: level 4\r\n*** MANAGEMENT REVIEW REQUIRED"


def _override_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "PROFESSIONAL JUDGEMENT" in line]


@pytest.mark.parametrize("command", ["assess", "render", "render-referral"])
def test_a_newline_in_the_override_reason_cannot_forge_a_line(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Regression: ``--override-reason`` with a newline printed a forged, indented
    "PROFESSIONAL JUDGEMENT: level 4" line. In text output the reason is one line."""
    from rhrt.cli import main

    case = tmp_path / "case.yaml"
    case.write_text("indicators: [poor-diet]\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    args = (["assess"] if command == "assess" else
            ["render", "--format", "text",
             "--template", "referral" if command.endswith("referral") else "decision"])
    code = main([*args, str(case), "--rules", str(MINIMAL), "--override-level", "1",
                 "--override-reason", FORGED_REASON, "--override-role", "DSL",
                 "--out", str(out)])
    capsys.readouterr()
    assert code == 0
    text = out.read_text(encoding="utf-8")
    lines = _override_lines(text)
    assert len(lines) == 2  # the real heading, and the reason line that mentions the words
    heading, reason = lines
    assert heading.startswith("*** PROFESSIONAL JUDGEMENT: level 1")
    assert reason.lstrip().startswith("Reason: Known family / PROFESSIONAL JUDGEMENT")
    assert "MANAGEMENT REVIEW REQUIRED" not in text.replace(reason, "")


def test_override_reason_is_one_line_through_the_api(rs: rhrt.Ruleset) -> None:
    d = rs.assess(LEVEL_CASES[2], override={"level": 1, "reason": FORGED_REASON, "role": "DSL"})
    lines = _override_lines(render_decision(d, rs, "text"))
    assert len(lines) == 2 and lines[1].lstrip().startswith("Reason: Known family / ")

# SPDX-License-Identifier: MIT
"""check_invariants finds breaches in deliberately broken rulesets and explains them, shrunk.

Also: assert_invariants, the pytest plugin (three lines in a partnership's suite) and
``rhrt check`` on the command line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rhrt import Ruleset, ruleset_from_text
from rhrt.cli import main
from rhrt.testing import assert_invariants, check_invariants

pytest_plugins = ["pytester"]

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"

# A rule that uses `not`: poor diet is level 3 *unless* the child is also thriving, so recording
# "thriving" (a level-1 indicator) lowers the level from 3 to 2.
NOT_RULE = """
  - id: diet-unless-thriving
    because: A poor diet matters most when the child is not otherwise thriving.
    when: {all: [{indicator: poor-diet}, {not: {indicator: thriving}}]}
    then: {level: 3}
"""
# A measure tested on its own: with no DASH score recorded the rule is unknown, so it fires
# for a child with nothing recorded at all.
BARE_MEASURE_RULE = """
  - id: dash-alone
    because: A high DASH score.
    when: {measure: {id: dash_score, at_least: 14}}
    then: {level: 4}
"""


def _with_rule(rule: str) -> str:
    text = MINIMAL.read_text()
    return text.replace("\npathways:\n", rule + "pathways:\n", 1)


@pytest.fixture(scope="module")
def not_ruleset() -> Ruleset:
    return ruleset_from_text(_with_rule(NOT_RULE))


def test_finds_concern_that_lowers_the_level(not_ruleset: Ruleset) -> None:
    report = check_invariants(not_ruleset, max_examples=300, properties=["adding-a-concern"])
    assert not report.ok
    (found,) = report.counterexamples
    assert found.property == "adding-a-concern"
    # shrunk to the minimum: just the two concerns, no age, no measures
    assert found.case == {"indicators": [{"id": "poor-diet"}, {"id": "thriving"}]}
    assert "Adding the concern 'thriving' (level 1)" in found.description
    assert "LOWERS the level from 3 to 2" in found.description
    assert "diet-unless-thriving" in found.description
    assert "a child whose age is not recorded" in found.description


def test_determining_indicators_breach_is_reported(not_ruleset: Ruleset) -> None:
    report = check_invariants(not_ruleset, 300, properties=["determining-indicators"])
    (found,) = report.counterexamples
    assert sorted(i["id"] for i in found.case["indicators"]) == ["poor-diet", "thriving"]
    assert set(found.case) == {"indicators"}
    assert "those alone give level 3" in found.description


def test_engine_guaranteed_properties_still_hold_with_not(not_ruleset: Ruleset) -> None:
    report = check_invariants(
        not_ruleset, 100,
        properties=["highest-indicator", "immediate-danger", "allegation-lado",
                    "unknown-never-lowers", "provisional"],
    )
    assert report.ok, str(report)


def test_bare_measure_rule_breaks_no_concerns() -> None:
    ruleset = ruleset_from_text(_with_rule(BARE_MEASURE_RULE))
    report = check_invariants(ruleset, 100, properties=["no-concerns"])
    (found,) = report.counterexamples
    assert found.case == {}
    assert "the level is 4, not 1" in found.description
    assert "dash-alone (level 4, assumed measure dash_score)" in found.description


def test_report_reads_as_plain_words(not_ruleset: Ruleset) -> None:
    report = check_invariants(not_ruleset, 200)
    text = str(report)
    assert "FAIL  Adding a concern never lowers the level" in text
    assert "ok    Immediate danger always gives level 4" in text
    assert "minimal cases" in text


def test_same_report_every_run(not_ruleset: Ruleset) -> None:
    """Derandomised by default: a CI check on a ruleset never flickers."""
    first = check_invariants(not_ruleset, 50)
    assert check_invariants(not_ruleset, 50) == first


def test_assert_invariants(minimal_ruleset: Ruleset, not_ruleset: Ruleset) -> None:
    assert_invariants(minimal_ruleset, 30)
    with pytest.raises(AssertionError, match="Adding the concern 'thriving'"):
        assert_invariants(not_ruleset, 100)


def test_cli_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(MINIMAL), "--max-examples", "20"]) == 0
    assert "All properties hold." in capsys.readouterr().out
    broken = tmp_path / "broken.yaml"
    broken.write_text(_with_rule(NOT_RULE))
    assert main(["check", str(broken), "--max-examples", "100"]) == 2
    out = capsys.readouterr().out
    assert "[adding-a-concern]" in out and "LOWERS the level from 3 to 2" in out


def test_cli_check_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "missing.yaml")]) == 2
    assert "cannot read ruleset file" in capsys.readouterr().err


def test_pytest_plugin_three_lines(pytester: pytest.Pytester) -> None:
    """What a partnership writes: an ini line naming its file, and a three-line test."""
    (pytester.path / "good.yaml").write_text(MINIMAL.read_text())
    (pytester.path / "bad.yaml").write_text(_with_rule(NOT_RULE))
    pytester.makepyfile(
        test_rules="""
        from rhrt.testing import assert_invariants
        def test_our_ruleset(rhrt_ruleset):
            assert_invariants(rhrt_ruleset, max_examples=100)
        """
    )
    pytester.makeini("[pytest]\nrhrt_rules = good.yaml\n")
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--rhrt-rules", "bad.yaml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Adding the concern 'thriving'*LOWERS the level from 3 to 2*"])

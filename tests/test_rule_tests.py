# SPDX-License-Identifier: MIT
"""YAML rule tests (``*.rhrt-test.yaml``): ``rhrt test``, coverage, errors, the pytest plugin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rhrt import load_ruleset
from rhrt.cli import main
from rhrt.testing.yaml_tests import (
    RuleTestError,
    coverage,
    find_test_files,
    load_test_file,
    run_test,
)

pytest_plugins = ["pytester"]

HERE = Path(__file__).parent
SHIPPED = HERE / "rule-tests"
MINIMAL = HERE / "rulesets" / "minimal.yaml"

FAILING = """\
ruleset: minimal.yaml
tests:
  - name: passes
    case: {child: {age_years: 5}, indicators: [poor-diet]}
    expect: {level: 2, pathways: [early-help]}
  - name: wrong level and pathways
    case: {child: {age_years: 5}, indicators: [poor-diet]}
    expect:
      level: 3
      urgent: true
      pathways: [eha]
      pathways_include: [mash]
      pathways_exclude: [early-help]
"""


def _write(folder: Path, name: str, text: str) -> Path:
    (folder / "minimal.yaml").write_text(MINIMAL.read_text(encoding="utf-8"), encoding="utf-8")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_rule_tests_pass() -> None:
    files = find_test_files([SHIPPED])
    assert files
    ruleset = load_ruleset()
    outcomes = []
    for path in files:
        loaded = load_test_file(path, ruleset)
        outcomes += [run_test(loaded.ruleset, t) for t in loaded.tests]
    assert all(o.passed for o in outcomes), [o.failures for o in outcomes if not o.passed]
    cov = coverage(ruleset, outcomes)
    assert "safety.immediate-danger" not in cov.untested_rules
    assert "safety.allegation" not in cov.untested_rules


def test_cli_reports_failures_with_file_line_and_what_differed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "x.rhrt-test.yaml", FAILING)
    assert main(["test", str(path)]) == 2
    out = capsys.readouterr().out
    assert f"PASS  {path}:3  passes" in out
    assert f"FAIL  {path}:6  wrong level and pathways" in out
    assert "level: expected 3, got 2" in out
    assert "urgent: expected true, got false" in out
    assert "pathways: missing eha; not expected early-help" in out
    assert "pathways_include: missing mash" in out
    assert "pathways_exclude: recommended early-help" in out
    assert "2 tests: 1 passed, 1 failed" in out


def test_cli_passes_and_min_coverage_decides_the_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["test", str(SHIPPED), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    percent = report["coverage"][0]["percent"]
    assert 0 < percent < 100
    assert main(["test", str(SHIPPED), "--min-coverage", str(percent + 1)]) == 2
    assert "below --min-coverage" in capsys.readouterr().out
    assert main(["test", str(SHIPPED), "--min-coverage", str(percent - 1)]) == 0


def test_coverage_counts_what_tests_exercise(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.rhrt-test.yaml", FAILING)
    loaded = load_test_file(path)
    outcomes = [run_test(loaded.ruleset, t) for t in loaded.tests]
    cov = coverage(loaded.ruleset, outcomes)
    assert "poor-diet" not in cov.untested_indicators
    assert "thriving" in cov.untested_indicators
    assert "early-help" not in cov.untested_pathways and "mash" in cov.untested_pathways
    assert "baby-injury" in cov.untested_rules
    assert cov.percent == pytest.approx(100 * (cov.total - cov.untested) / cov.total)


@pytest.mark.parametrize(
    ("text", "path", "line"),
    [
        ("tests:\n  - name: a\n    case: {}\n    expext: {level: 1}\n", "tests[0].expext", 4),
        ("tests:\n  - name: a\n    case: {}\n    expect: {}\n", "tests[0].expect", 4),
        ("tests:\n  - name: a\n    case: {}\n    expect: {level: 7}\n", "tests[0].expect.level",
         4),
        ("tests:\n  - name: a\n    case: {indicators: [nope]}\n    expect: {level: 1}\n",
         "tests[0].case", 3),
        ("tests:\n  - name: a\n    case: {}\n    expect:\n      pathways: [early-help, nope]\n",
         "tests[0].expect.pathways[1]", 5),
        # the same pathway both included and excluded: the test could never pass
        ("tests:\n  - name: a\n    case: {}\n    expect:\n      pathways_include: [mash]\n"
         "      pathways_exclude: [early-help, mash]\n",
         "tests[0].expect.pathways_exclude[1]", 6),
        ("tests: []\n", "tests", 1),
    ],
)
def test_invalid_test_files_name_the_field_and_line(
    tmp_path: Path, text: str, path: str, line: int
) -> None:
    file = _write(tmp_path, "bad.rhrt-test.yaml", "ruleset: minimal.yaml\n" + text)
    with pytest.raises(RuleTestError) as info:
        load_test_file(file)
    found = [p for p in info.value.problems if p.path == path]
    assert found, info.value.problems
    assert found[0].line == line + 1
    assert found[0].file == str(file)


def test_errors_never_echo_case_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = "Jane Doe lives at 12 Secret Road"
    text = (
        "ruleset: minimal.yaml\ntests:\n  - name: a\n    case:\n"
        f"      child: {{age_years: 917}}\n      indicators: [{{id: poor-diet, note: {secret}}}]\n"
        "    expect: {level: 1}\n"
    )
    file = _write(tmp_path, "bad.rhrt-test.yaml", text)
    assert main(["test", str(file)]) == 2
    captured = capsys.readouterr()
    assert "tests[0].case" in captured.err
    assert secret not in captured.err + captured.out
    assert "917" not in captured.err


def test_pytest_collects_rule_tests(pytester: pytest.Pytester) -> None:
    _write(pytester.path, "ours.rhrt-test.yaml", FAILING)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*level: expected 3, got 2*"])


def test_pytest_rule_tests_use_the_configured_ruleset(pytester: pytest.Pytester) -> None:
    text = FAILING.replace("ruleset: minimal.yaml\n", "")
    _write(pytester.path, "ours.rhrt-test.yaml", text)
    pytester.makeini("[pytest]\nrhrt_rules = minimal.yaml\n")
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1, failed=1)


def test_several_problems_are_headed_as_a_rule_test_file_in_rhrts_words(tmp_path: Path) -> None:
    text = (
        "ruleset: minimal.yaml\ntests:\n  - name: a\n    case: {}\n    expect:\n"
        "      pathways_include: [mash, early-help]\n      pathways_exclude: [early-help, mash]\n"
    )
    with pytest.raises(RuleTestError) as info:
        load_test_file(_write(tmp_path, "bad.rhrt-test.yaml", text))
    message = str(info.value)
    assert message.startswith("2 problems in rule-test file:"), message
    assert "ruleset" not in message.splitlines()[0]
    assert all("can never pass" in p.message for p in info.value.problems)
    with pytest.raises(RuleTestError) as info:
        load_test_file(_write(tmp_path, "empty.rhrt-test.yaml", "tests: []\n"))
    assert "Tuple" not in str(info.value) and "at least one" in str(info.value)


def test_one_test_is_counted_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "ruleset: minimal.yaml\ntests:\n  - name: passes\n"
        "    case: {child: {age_years: 5}, indicators: [poor-diet]}\n    expect: {level: 2}\n"
    )
    assert main(["test", str(_write(tmp_path, "one.rhrt-test.yaml", text))]) == 0
    out = capsys.readouterr().out
    assert "1 test: 1 passed, 0 failed" in out and "1 tests" not in out

# SPDX-License-Identifier: MIT
"""Every numeric command-line option has a finite range; a value outside it is a usage error.

Regression: ``prove --timeout nan|inf|1e308`` ended in "unexpected error" (exit 1) and ``-1``/``0``
were accepted; ``check --max-examples 99999999999`` ran ten minutes; ``test --min-coverage
nan|-5|150`` were accepted (nan passed); ``audit --top -3`` was accepted. Each now exits 2 with
an argparse error naming the option, before any work (rhrt.cli._numbers).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rhrt.cli import main
from rhrt.cli._numbers import percentage, seconds, whole_number

MINIMAL = str(Path(__file__).parent / "rulesets" / "minimal.yaml")
RULE_TESTS = str(Path(__file__).parent / "rule-tests")
BAD_FLOATS = ["nan", "NaN", "inf", "-inf", "1e308", "1e3", "0x10", "", "abc"]
BAD_WHOLE = ["-1", "99999999999", "1.5", "nan", "1e3", "", "abc", "9" * 100]


def _command(option: str, value: str, tmp_path: Path) -> list[str]:
    """A command line that uses ``option`` with ``value`` and would otherwise run."""
    csv = str(tmp_path / "in.csv")
    out = str(tmp_path / "out.csv")
    return {
        "prove --timeout": ["prove", MINIMAL, "--timeout", value],
        "check --max-examples": ["check", MINIMAL, "--max-examples", value],
        "check --seed": ["check", MINIMAL, "--seed", value],
        "test --min-coverage": ["test", RULE_TESTS, "--min-coverage", value],
        "audit --top": ["audit", csv, "--rules", MINIMAL, "--top", value],
        "audit --chunk-size": ["audit", csv, "--rules", MINIMAL, "--chunk-size", value],
        "diff --top": ["diff", MINIMAL, MINIMAL, csv, "--top", value],
        "batch --chunk-size": ["batch", csv, "--out", out, "--chunk-size", value],
        "synth N": ["synth", value, "--out", out],
        "synth --seed": ["synth", "5", "--out", out, "--seed", value],
    }[option]


CASES = [
    ("prove --timeout", ["-1", "0", "3601", *BAD_FLOATS]),
    ("check --max-examples", ["0", "100001", *BAD_WHOLE]),
    ("check --seed", [str(2**64), *BAD_WHOLE[:1], *BAD_WHOLE[2:]]),
    ("test --min-coverage", ["-5", "150", "100.01", *BAD_FLOATS]),
    ("audit --top", ["-3", "1000001", *BAD_WHOLE[2:]]),
    ("audit --chunk-size", ["0", "10000001", *BAD_WHOLE]),
    ("diff --top", ["-3", "1000001", *BAD_WHOLE[2:]]),
    ("batch --chunk-size", ["0", "10000001", *BAD_WHOLE]),
    ("synth N", ["-1", "20000001", *BAD_WHOLE[2:]]),
    ("synth --seed", ["-1", str(2**128), *BAD_WHOLE[2:]]),
]


@pytest.mark.parametrize(("option", "values"), CASES, ids=[c[0] for c in CASES])
def test_out_of_range_values_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, values: list[str]
) -> None:
    name = option.split()[-1]
    for value in values:
        with pytest.raises(SystemExit) as exc:
            main(_command(option, value, tmp_path))
        err = capsys.readouterr().err
        assert exc.value.code == 2, (option, value)
        assert "unexpected" not in err
        label = "N" if name == "N" else f"argument {name}"
        assert label in err, (option, value, err)
        assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(("option", "value"), [
    ("test --min-coverage", "0"), ("test --min-coverage", "100"), ("check --max-examples", "1"),
    ("prove --timeout", "3600"), ("prove --timeout", "0.5"),
])
def test_values_at_the_ends_of_a_range_are_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    if option.startswith("prove"):
        pytest.importorskip("z3", reason="rhrt prove needs the prove extra (z3-solver)")
    code = main(_command(option, value, tmp_path))
    capsys.readouterr()
    assert code in (0, 2)  # 2 only for a coverage shortfall, never a usage error
    if not option.startswith("test") or value == "0":
        assert code == 0


def test_nan_coverage_no_longer_passes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["test", RULE_TESTS, "--min-coverage", "nan"])
    capsys.readouterr()


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_the_types_return_only_values_in_range(x: float) -> None:
    for parse, ok in ((percentage, lambda v: 0 <= v <= 100),
                      (seconds(), lambda v: 0 < v <= 3600)):
        try:
            value = parse(repr(x))
        except argparse.ArgumentTypeError:
            continue
        assert ok(value)


@given(st.integers())
def test_whole_number_keeps_its_range(n: int) -> None:
    parse = whole_number(0, 1000)
    try:
        value = parse(str(n))
    except argparse.ArgumentTypeError:
        assert not 0 <= n <= 1000
    else:
        assert value == n and 0 <= n <= 1000

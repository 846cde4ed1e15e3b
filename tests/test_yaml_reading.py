# SPDX-License-Identifier: MIT
"""One documented reading of YAML (and JSON) for cases and rulesets (issue 11).

YAML 1.2 core schema, refusing every form YAML 1.1 (or a person) could read differently: leading
zeros, base 60, hexadecimal/octal/binary, digit separators, infinities and NaN, yes/no/on/off.
The rules are in ``rhrt.rules.scalars`` and docs/security.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rhrt
from rhrt.cli import main
from rhrt.errors import CaseError, RulesetSyntaxError
from rhrt.rules.bundled import bundled_ruleset_path
from rhrt.rules.safe_yaml import YamlReadError, read_yaml

DASH_CASE = (
    "measures: {{dash_score: {score}, domestic_abuse_incidents_12_months: 1}}\n"
    "indicators: [incidents-of-domestic-abuse]\n"
)


def test_issue_example_dash_014_is_refused_and_14_gives_level_4_with_marac(
    bundled_ruleset: rhrt.Ruleset,
) -> None:
    with pytest.raises(CaseError) as info:
        bundled_ruleset.assess(DASH_CASE.format(score="014"))
    assert info.value.path == "measures.dash_score"
    assert "leading zero" in str(info.value) and "(line 1, col 24)" in str(info.value)
    assert "014" not in str(info.value)  # a case's values are never echoed
    decision = bundled_ruleset.assess(DASH_CASE.format(score="14"))
    assert decision.level == 4
    assert "marac" in [p.id for p in decision.pathways]
    # the same case given as JSON is read by the same rules
    with pytest.raises(CaseError, match="leading zero"):
        bundled_ruleset.assess('{"measures": {"dash_score": 014}}')


def test_issue_example_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(DASH_CASE.format(score="014"))
    assert main(["assess", str(case)]) == 2
    err = capsys.readouterr().err
    assert "line 1" in err and "Traceback" not in err


def _ruleset_with_threshold(tmp_path: Path, written: str) -> Path:
    text = bundled_ruleset_path().read_text(encoding="utf-8")
    assert text.count("dash_score, at_least: 14}") == 1
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace("dash_score, at_least: 14}", f"dash_score, at_least: {written}}}"))
    return path


def test_a_ruleset_threshold_013_is_refused_by_load_validate_and_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _ruleset_with_threshold(tmp_path, "013")
    with pytest.raises(RulesetSyntaxError) as info:
        rhrt.load_ruleset(path)
    exc = info.value
    assert exc.file == str(path) and exc.line is not None and exc.column is not None
    assert exc.problems[0].path.endswith("measure.at_least")
    assert "write 13" in str(exc) and "octal, 11" in str(exc)  # what it might have meant
    runs = (["validate", str(path)], ["validate", "--strict", str(path)], ["check", str(path)])
    for argv in runs:
        assert main(argv) == 2, argv
        assert f"line {exc.line}" in capsys.readouterr().err
    assert main(["validate", "--strict", str(_ruleset_with_threshold(tmp_path, "13"))]) == 0


AMBIGUOUS = {
    "leading-zero": ["014", "-014", "00", "007.5", "0_1"],
    "base-60": ["1:30", "190:20:30", "-1:30", "1:30.5"],
    "radix": ["0x1F", "0o17", "0b101", "-0x1", "0XFF"],
    "separators": ["1_000", "1_0.5"],
    "not-finite": [".inf", "-.Inf", "+.INF", ".nan", ".NaN", "1e400", "-1E999"],
    "yes-no": ["yes", "No", "ON", "off", "y", "N", "Yes", "OFF"],
}
AMBIGUOUS_PARAMS = [
    pytest.param(kind, token, id=f"{kind}:{token}")
    for kind, tokens in AMBIGUOUS.items()
    for token in tokens
]


def _private_message(token: str) -> str:
    with pytest.raises(YamlReadError) as info:
        read_yaml(f"a: {token}\n", echo_content=False)
    return info.value.problem.message


@pytest.mark.parametrize(("kind", "token"), AMBIGUOUS_PARAMS)
def test_every_ambiguous_plain_scalar_is_refused_where_it_is(kind: str, token: str) -> None:
    for text in (f"a:\n  b: {token}\n", f"a: {{b: [{token}]}}\n", f'{{"a": {{"b": {token}}}}}'):
        with pytest.raises(YamlReadError) as info:
            read_yaml(text, file="f.yaml")
        problem = info.value.problem
        assert problem.file == "f.yaml" and problem.line is not None
        assert problem.path.startswith("a.b")
        assert token in problem.message  # a ruleset's author is shown the value
        with pytest.raises(YamlReadError) as hidden:
            read_yaml(text, echo_content=False)
        # a case's value is not: its message is the same for every value of the kind
        private = hidden.value.problem.message
        assert private.startswith("ambiguous value")
        if kind != "not-finite":  # (1e400 is refused as too large, .inf as infinite)
            assert private == _private_message(AMBIGUOUS[kind][0])
    # quoted, the same characters are text
    assert read_yaml(f"a: {{b: '{token}'}}\n").data == {"a": {"b": token}}


@pytest.mark.parametrize("token", ["yes", "no", "on", "off"])
def test_yes_no_on_off_are_neither_booleans_nor_text_unless_quoted(
    minimal_ruleset: rhrt.Ruleset, token: str
) -> None:
    with pytest.raises(CaseError) as info:  # a boolean field
        minimal_ruleset.assess(f"child: {{unborn: {token}}}\n")
    assert info.value.path == "child.unborn"
    with pytest.raises(CaseError) as info:  # a text field
        minimal_ruleset.assess(f"indicators: [{{id: poor-diet, note: {token}}}]\n")
    assert info.value.path == "indicators[0].note"
    case = minimal_ruleset.validate_case(f"indicators: [{{id: poor-diet, note: '{token}'}}]\n")
    assert case.indicators[0].note == token
    assert minimal_ruleset.validate_case("child: {unborn: true}\n").child.unborn is True
    assert minimal_ruleset.validate_case("child: {unborn: false}\n").child.unborn is False


@pytest.mark.parametrize(
    ("plain", "value"),
    [
        ("14", 14), ("+14", 14), ("-3", -3), ("0", 0), ("-0", 0), ("2.5", 2.5), (".5", 0.5),
        ("-.5", -0.5), ("14.", 14.0), ("1e3", 1000.0), ("1.5E-2", 0.015), ("0.25", 0.25),
        ("0e0", 0.0), ("true", True), ("False", False), ("null", None), ("~", None), ("", None),
        ("Null", None), ("TRUE", True),
    ],
)
def test_the_core_forms_are_read_as_written(plain: str, value: Any) -> None:
    read = read_yaml(f"a: {plain}\n").data["a"]
    assert read == value and type(read) is type(value)


def test_key_forms_are_held_to_the_same_rules() -> None:
    with pytest.raises(YamlReadError, match="leading zero"):
        read_yaml("014: x\n")
    with pytest.raises(YamlReadError, match=r"YAML 1\.1"):
        read_yaml("on: x\n")


def _int_spellings(n: int) -> st.SearchStrategy[str]:
    sign = "-" if n < 0 else ""
    m = abs(n)
    spellings = [
        str(n), f"{n}.0", f"{n}.", f"{n}e0", f"{n}E+0", json.dumps(n),
        f"{sign}0{m}", f"{sign}00{m}",  # leading zeros
        f"{sign}{m:#x}", f"{sign}{m:#o}", f"{sign}{m:#b}",  # other bases
        f"{sign}{m:_}",  # digit separators (none below 1000)
    ]
    if n >= 0:
        spellings.append(f"+{n}")
    if m >= 60:
        spellings.append(f"{sign}{m // 60}:{m % 60:02d}")  # base 60
    return st.sampled_from(spellings)


def _float_spellings(x: float) -> st.SearchStrategy[str]:
    text = repr(x)
    sign = "-" if text.startswith("-") else ""
    body = text.lstrip("-")
    return st.sampled_from(
        [text, f"{x:.17e}", f"{x:.17E}", f"{x:.17g}", json.dumps(x), f"{sign}0{body}"]
    )


@st.composite
def _written_numbers(draw: st.DrawFn) -> tuple[float, str]:
    if draw(st.booleans()):
        n = draw(st.integers(-(10**12), 10**12))
        return n, draw(_int_spellings(n))
    x = draw(st.floats(allow_nan=False, allow_infinity=False))
    return x, draw(_float_spellings(x))


@given(_written_numbers(), st.sampled_from(["a: {}\n", "a: [{}]\n", '{{"a": {}}}']))
def test_any_written_number_is_read_as_meant_or_refused(
    written: tuple[float, str], shape: str
) -> None:
    value, spelling = written
    try:
        data = read_yaml(shape.format(spelling)).data["a"]
    except YamlReadError as exc:
        assert exc.problem.line is not None
        return
    read = data[0] if isinstance(data, list) else data
    assert not isinstance(read, (bool, str)), (spelling, read)  # never silently text
    assert read == value, (spelling, read)  # every spelling generated denotes the value exactly


def test_a_refused_case_value_never_echoes(minimal_ruleset: rhrt.Ruleset) -> None:
    with pytest.raises(CaseError) as info:
        minimal_ruleset.assess("measures: {'Larch Close note': 014}\n")
    assert "Larch" not in str(info.value) and info.value.path == ""


@pytest.mark.parametrize(
    ("case", "path"),
    [
        ("child: {age_years: true}\n", "child.age_years"),
        ("child: {age_months: '14'}\n", "child.age_months"),
        ("child: {unborn: 'yes'}\n", "child.unborn"),
        ('{"child": {"unborn": 1}}', "child.unborn"),
        ("recorded_decision: '3'\n", "recorded_decision"),
        ("measures: {dash_score: '14'}\n", "measures"),
        ("measures: {dash_score: true}\n", "measures"),
    ],
)
def test_a_typed_case_field_takes_only_its_type(
    minimal_ruleset: rhrt.Ruleset, case: str, path: str
) -> None:
    with pytest.raises(CaseError) as info:
        minimal_ruleset.assess(case)
    assert info.value.path == path


@pytest.mark.parametrize("written", ["'14'", "true", "'nan'", "'.inf'", "'013'"])
def test_a_ruleset_number_takes_only_a_finite_number(tmp_path: Path, written: str) -> None:
    with pytest.raises(rhrt.RulesetError) as info:
        rhrt.load_ruleset(_ruleset_with_threshold(tmp_path, written))
    assert info.value.problems[0].path.endswith("measure.at_least")
    assert info.value.line is not None


def test_a_ruleset_flag_takes_only_true_or_false() -> None:
    text = bundled_ruleset_path().read_text(encoding="utf-8")
    assert text.count("      urgent: true\n") >= 1  # a rule's then.urgent (several are urgent)
    for written in ("'yes'", "1", "'true'"):
        broken = text.replace("      urgent: true\n", f"      urgent: {written}\n", 1)
        with pytest.raises(rhrt.RulesetError) as info:
            rhrt.ruleset_from_text(broken)
        assert info.value.problems[0].path.endswith("then.urgent")

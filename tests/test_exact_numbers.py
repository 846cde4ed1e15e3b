# SPDX-License-Identifier: MIT
"""Number text is read as the value written, or refused: never rounded to another value.

``float("12.9999999999999999")`` is 13.0, so a child of "12.9999999999999999" years with early
sexual activity was assessed as 13 (level 2) instead of under 13 (level 4). Every reader of
number text (the YAML/JSON reader for cases and rulesets, batch text columns) now refuses text
with more digits than a float holds exactly, naming the field and line, never the value.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rhrt
from rhrt.errors import CaseError, RulesetError
from rhrt.rules.bundled import bundled_ruleset_path
from rhrt.rules.scalars import INEXACT_NUMBER, InexactNumber, exact_float

RULESET = rhrt.load_ruleset()
UNDER_13 = ("age_years", "12.99999999999999")
TOO_PRECISE = {"age_years": "12.9999999999999999", "age_months": "155.99999999999999"}


def _yaml_case(field: str, number: str) -> str:
    return f"child: {{{field}: {number}}}\nindicators: [early-sexual-activity]\n"


def test_a_number_a_float_holds_is_read_and_assessed_as_written() -> None:
    field, number = UNDER_13
    under = RULESET.assess(_yaml_case(field, number))
    assert under.level == RULESET.assess(_yaml_case(field, "12")).level
    assert under.level > RULESET.assess(_yaml_case(field, "13")).level


@pytest.mark.parametrize("field", sorted(TOO_PRECISE))
def test_too_many_digits_in_a_yaml_case_is_refused_with_field_and_line(field: str) -> None:
    number = TOO_PRECISE[field]
    with pytest.raises(CaseError) as info:
        RULESET.assess(_yaml_case(field, number))
    text = str(info.value)
    assert INEXACT_NUMBER in text and f"child.{field}" in text and "line 1" in text
    assert number not in text


@pytest.mark.parametrize("field", sorted(TOO_PRECISE))
def test_too_many_digits_in_a_json_case_is_refused(field: str) -> None:
    child = '{"' + field + '": ' + TOO_PRECISE[field] + "}"
    text = '{"child": ' + child + ', "indicators": ["early-sexual-activity"]}'
    json.loads(text)  # valid JSON
    with pytest.raises(CaseError, match="round it") as info:
        RULESET.assess(text)
    assert f"child.{field}" in str(info.value)


@pytest.mark.parametrize("field", sorted(TOO_PRECISE))
def test_too_many_digits_in_a_csv_batch_column_is_refused(field: str, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from rhrt.batch import assess_file

    source = tmp_path / "in.csv"
    source.write_text(
        f"case_ref,indicators,{field}\nA,early-sexual-activity,12\n"
        f"B,early-sexual-activity,{TOO_PRECISE[field]}\n"
    )
    with pytest.raises(CaseError, match="round it") as info:
        assess_file(source, tmp_path / "out.csv", RULESET)
    assert f"rows[1].{field}" in str(info.value)
    assert TOO_PRECISE[field] not in str(info.value)


def test_batch_cell_and_column_readers_agree_on_too_many_digits() -> None:
    pa = pytest.importorskip("pyarrow")
    from rhrt.batch._columns import CellError, Refusals, number_cell, numbers

    for text in ("12.9999999999999999", "1.30000000000000001e1", "1e-400"):
        with pytest.raises(CellError):
            number_cell(text)
        refusals = Refusals()
        numbers(pa.chunked_array([pa.array(["1", text])]), "x", refusals)
        assert refusals.first is not None and refusals.first[0] == 1


def test_a_ruleset_threshold_with_too_many_digits_is_refused(tmp_path: Path) -> None:
    text = bundled_ruleset_path().read_text(encoding="utf-8")
    # a measure threshold in the bundled file, rewritten with too many digits
    old = "at_least: 14"
    assert old in text
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace(old, "at_least: 13.9999999999999999", 1), encoding="utf-8")
    with pytest.raises(RulesetError, match="round it") as info:
        rhrt.load_ruleset(path)
    assert "rules.yaml" in str(info.value) and "line" in str(info.value)


def test_a_fractional_threshold_on_a_whole_number_measure_is_refused(tmp_path: Path) -> None:
    text = bundled_ruleset_path().read_text(encoding="utf-8")
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace("at_least: 14", "at_least: 14.5", 1), encoding="utf-8")
    with pytest.raises(RulesetError, match="not a whole number"):
        rhrt.load_ruleset(path)


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(allow_nan=False, allow_infinity=False).map(str)
    | st.from_regex(r"[+-]?[0-9]{1,25}(\.[0-9]{0,25})?([eE][+-]?[0-9]{1,3})?", fullmatch=True)
)
def test_decimal_text_is_read_exactly_or_refused(text: str) -> None:
    """Any decimal text the reader accepts is read as the value written (the float whose
    shortest form is that value), or refused."""
    try:
        number = exact_float(text)
    except InexactNumber:
        return
    if number != number or number in (float("inf"), float("-inf")):
        return
    assert Decimal(repr(number)) == Decimal(text)


def test_a_decimal_column_a_float_does_not_keep_is_refused_by_cell_and_column() -> None:
    pa = pytest.importorskip("pyarrow")
    from rhrt.batch._columns import CellError, Refusals, number_cell, numbers

    exact, inexact = Decimal("12.5"), Decimal("12.99999999999999999")
    column = pa.chunked_array([pa.array([exact, None, inexact], pa.decimal128(38, 17))])
    refusals = Refusals()
    values = numbers(column, "age_years", refusals)
    assert values[0] == 12.5
    assert refusals.first is not None and refusals.first[0] == 2
    assert number_cell(exact) == 12.5
    with pytest.raises(CellError):
        number_cell(inexact)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"-?[0-9]{1,22}\.[0-9]{1,22}", fullmatch=True))
def test_yaml_number_text_is_read_exactly_or_refused(text: str) -> None:
    """Through the reader cases and rulesets use: the value read is the value written."""
    from rhrt.rules.safe_yaml import YamlReadError, read_yaml

    if text.lstrip("-").startswith("0") and not text.lstrip("-").startswith("0."):
        return  # a leading zero: refused for another reason (tests/test_yaml_reading.py)
    try:
        value = read_yaml(f"x: {text}\n", echo_content=False).data["x"]
    except YamlReadError as exc:
        assert INEXACT_NUMBER in exc.problem.message
        return
    assert Decimal(repr(value)) == Decimal(text)


HUGE_EXPONENTS = ("0E1000000000000000000", "1e-1000000000000000000", "5E+999999999999999999999")


@pytest.mark.parametrize("text", HUGE_EXPONENTS[:2])
def test_an_exponent_beyond_any_decimal_is_refused_not_an_unexpected_error(text: str) -> None:
    """Regression (found by the cell/column property in CI): ``Decimal`` raised
    ``InvalidOperation`` for ``0E1000000000000000000``, which escaped every reader raw."""
    with pytest.raises(InexactNumber):
        exact_float(text)


@pytest.mark.parametrize("text", HUGE_EXPONENTS)
def test_an_exponent_beyond_any_decimal_in_a_case_or_batch_cell_is_a_typed_refusal(
    text: str,
) -> None:
    with pytest.raises(CaseError):
        RULESET.assess(f"child: {{age_years: {text}}}\nindicators: [early-sexual-activity]\n")
    pytest.importorskip("pyarrow")
    from rhrt.batch._columns import CellError, number_cell

    with pytest.raises(CellError):
        number_cell(text)

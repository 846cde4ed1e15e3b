# SPDX-License-Identifier: MIT
"""One rule for echoing a name in an error (``rhrt.errors.id_shaped``), on every path: a known id
or a short id-shaped name is shown; a name with capitals, or a kebab-case sentence, is not,
whether it arrives as a case's indicator or measure, a batch column, or an override key."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rhrt
from rhrt.errors import (
    MAX_SHOWN_LENGTH,
    MAX_SHOWN_SEGMENTS,
    NOT_SHOWN,
    CaseError,
    id_shaped,
    shown_id,
)

pa = pytest.importorskip("pyarrow")

MINIMAL = rhrt.load_ruleset(Path(__file__).parent / "rulesets" / "minimal.yaml")
BUNDLED = rhrt.load_ruleset()
CAPITALS = "Jane-Doe-SECRET-7731"
SENTENCE = "mum-said-she-would-kill-him-jane-doe-7731"
NAMES = [CAPITALS, SENTENCE]


def _everything(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)) + repr(exc) + repr(exc.args)


def _masked(exc: BaseException, name: str) -> None:
    text = _everything(exc)
    assert name not in text and name.lower() not in text, text
    assert "jane" not in text.lower() and "7731" not in text, text


@pytest.mark.parametrize("name", NAMES)
def test_names_are_masked_as_indicators_and_measures(name: str) -> None:
    for case in ({"indicators": [name]}, {"measures": {name: 1}}):
        for call in (MINIMAL.assess, MINIMAL.validate_case):
            with pytest.raises(CaseError) as info:
                call(case)
            _masked(info.value, name)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("column", ["{}", "ind:{}"])
def test_names_are_masked_as_batch_columns(name: str, column: str, tmp_path: Path) -> None:
    from rhrt.batch import assess_file, assess_table

    header = column.format(name)
    table = pa.table({"age_years": [5], header: [1]})
    with pytest.raises(CaseError) as info:
        assess_table(table, MINIMAL)
    _masked(info.value, name)
    assert NOT_SHOWN in str(info.value)
    csv = tmp_path / "in.csv"
    csv.write_text(f"age_years,{header}\n5,1\n", encoding="utf-8")
    with pytest.raises(CaseError) as info:
        assess_file(csv, tmp_path / "out.csv", MINIMAL)
    _masked(info.value, name)


def test_a_near_miss_shows_the_known_id_not_the_typed_name() -> None:
    from rhrt.batch import assess_table

    with pytest.raises(CaseError) as info:
        assess_table(pa.table({"age_years": [5], "ind:Poor-Diet": [True]}), MINIMAL)
    assert "Poor-Diet" not in str(info.value) + repr(info.value) + repr(info.value.args)
    assert info.value.suggestion == "ind:poor-diet"
    with pytest.raises(CaseError) as info:
        MINIMAL.assess({"indicators": ["Poor-Diet-said-mum-jane-doe-7731"]})
    assert "Poor-Diet" not in str(info.value) + repr(info.value) + repr(info.value.args)


def test_a_long_known_id_is_still_shown_in_a_cell_error() -> None:
    """Known ids are the ruleset's own names, not case data, whatever their length."""
    from rhrt.batch import assess_table

    long_id = max((i.id for i in BUNDLED.model.indicators), key=len)
    assert not id_shaped(long_id)  # longer or with more parts than a typed name may be
    column = f"ind:{long_id}"
    with pytest.raises(CaseError) as info:
        assess_table(pa.table({"age_years": [5, 6], column: ["true", "perhaps"]}), BUNDLED)
    assert info.value.path == f"rows[1].{column}"


@given(st.text(max_size=80))
def test_shown_is_the_name_only_when_short_and_shaped_like_an_id(name: str) -> None:
    shown = shown_id(name)
    assert shown in (name, NOT_SHOWN)
    if shown == name:
        assert len(name) <= MAX_SHOWN_LENGTH
        assert name == name.lower() and " " not in name
        parts = name.replace("_", "-").replace(".", "-").replace(":", "-").split("-")
        assert len(parts) <= MAX_SHOWN_SEGMENTS
    assert shown_id(name, known={name}) == name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("dash_score", True),
        ("domestic_abuse_incidents_12_months", True),
        ("ind:poor-diet", True),
        ("x" * MAX_SHOWN_LENGTH, True),
        ("x" * (MAX_SHOWN_LENGTH + 1), False),
        (CAPITALS, False),
        (SENTENCE, False),
        ("a-b-c-d-e-f", False),
    ],
)
def test_id_shape_bounds(name: str, shown: bool) -> None:
    assert id_shaped(name) is shown


# -- messages that say what is wrong (issue: wording) ------------------------------------------


@pytest.mark.parametrize("second", [False, True])
def test_a_cell_too_long_names_its_line_not_the_header(tmp_path: Path, second: bool) -> None:
    """A cell longer than the CSV reader's block (1 MiB with chunk_rows=1) in row 2 was reported
    as "cannot read the CSV header"."""
    from rhrt.batch import assess_file

    secret = "Jane-Doe-SECRET-7731" * ((2 << 20) // 20)
    rows = "5,a\n" if second else ""
    csv = tmp_path / "in.csv"
    csv.write_text(f"age_years,case_ref\n{rows}6,{secret}\n", encoding="utf-8")
    with pytest.raises(CaseError) as info:
        assess_file(csv, tmp_path / "out.csv", MINIMAL, chunk_rows=1)
    message = str(info.value)
    assert "header" not in message
    assert f"line {3 if second else 2} " in message and "too long" in message
    assert "Jane" not in _everything(info.value)


def test_a_small_long_cell_is_read_and_refused_with_its_row(tmp_path: Path) -> None:
    from rhrt.batch import assess_file

    csv = tmp_path / "in.csv"
    csv.write_text("age_years,case_ref\n5,a\n6," + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(CaseError) as info:
        assess_file(csv, tmp_path / "out.csv", MINIMAL)
    assert info.value.path == "rows[1].case_ref"


@pytest.mark.parametrize(
    ("text", "key_shown"),
    [
        ("reference: a\nreference: b\n", True),
        ("child: {age_years: 4}\nJane Doe said: 1\nJane Doe said: 2\n", False),
    ],
)
def test_a_duplicate_key_says_so_with_its_line(text: str, key_shown: bool) -> None:
    with pytest.raises(CaseError) as info:
        MINIMAL.assess(text)
    message = str(info.value)
    assert "duplicate key" in message and "line" in message
    assert ("reference" in message) is key_shown
    assert "Jane" not in message


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("child: {age_years: 4}\nnotes_secret: 1\n", 2),
        ("child: {age_years: 4}\nindicators: []\nJane Doe said: 1\n", 3),
        ("child: {age_years: 4, shoe: 1}\n", 1),
    ],
)
def test_an_unknown_case_key_gives_its_line(text: str, line: int) -> None:
    with pytest.raises(CaseError) as info:
        MINIMAL.assess(text)
    message = str(info.value)
    assert "unknown field" in message and f"(line {line}," in message
    assert "Jane" not in message

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

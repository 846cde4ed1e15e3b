# SPDX-License-Identifier: MIT
"""Numbers from a case are shown exactly as they were read, never rounded across a threshold:
``f"{v:g}"`` kept six significant figures, so a referral said "6 months old" for a child the
decision (rightly) read as under 6 months, and the decision log's export wrote 13 for an age of
12.9999999 years."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rhrt
from rhrt.render import render_referral
from rhrt.render.escape import as_text, number_text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_text_reads_back_as_the_same_number(value: float) -> None:
    text = number_text(value)
    assert float(text) == value
    assert "e" not in text.lower() and not text.endswith(".0")
    assert as_text(value) == text


@pytest.mark.parametrize(("value", "words"), [(6.0, "6"), (0.5, "0.5"), (3, "3"),
                                              (12.9999999, "12.9999999")])
def test_number_text_as_a_person_wrote_it(value: float, words: str) -> None:
    assert number_text(value) == words


@pytest.mark.parametrize(("child", "shown"), [
    ({"age_months": 5.9999999}, "5.9999999 months old"),
    ({"unborn": True, "gestation_weeks": 23.99999}, "23.99999 weeks"),
])
@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_the_referral_states_the_age_the_decision_read(child: dict[str, object], shown: str,
                                                       fmt: str) -> None:
    ruleset = rhrt.load_ruleset()
    injury = next(i.id for i in ruleset.model.indicators if "injury" in i.tags and i.level < 4)
    case = ruleset.validate_case({"child": child, "indicators": [injury]})
    text = render_referral(case, ruleset.assess(case), ruleset, fmt)
    assert shown in text
    assert not re.search(r"\b(6 months old|24 weeks)", text)

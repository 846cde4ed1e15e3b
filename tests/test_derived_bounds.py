# SPDX-License-Identifier: MIT
"""A value derived from inputs is held to the bounds of the value given directly (issue 11).

An age from ``date_of_birth`` + ``assessment_date`` is refused exactly as ``age_months`` would
be; an assessment date outside the fixed plausible window is refused (no clock is read); a
number is never read as a date. The bounds live in one place, ``rhrt.model.case``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rhrt
from rhrt.errors import CaseError
from rhrt.model.case import (
    AGE_OUT_OF_RANGE,
    EARLIEST_ASSESSMENT_DATE,
    LATEST_ASSESSMENT_DATE,
    MAX_AGE_MONTHS,
    Case,
    months_between,
)
from rhrt.testing.strategies import cases, dated_children


def _refusal(ruleset: rhrt.Ruleset, case: Any) -> CaseError:
    with pytest.raises(CaseError) as info:
        ruleset.assess(case)
    return info.value


def test_issue_example_a_112_year_old_from_dates_is_refused(bundled_ruleset: rhrt.Ruleset) -> None:
    case = {
        "child": {"date_of_birth": "1911-05-02"},
        "assessment_date": "2024-05-01",
        "indicators": ["early-sexual-activity"],
    }
    exc = _refusal(bundled_ruleset, case)
    assert exc.path == "child.date_of_birth"
    direct = _refusal(bundled_ruleset, {"child": {"age_years": 113}})
    assert direct.path == "child.age_years"
    # the same words for the same bound, whichever way the age was given
    assert AGE_OUT_OF_RANGE in str(exc) and AGE_OUT_OF_RANGE in str(direct)
    # and with a plausible date of birth the same concern decides level 4
    plausible = {**case, "child": {"date_of_birth": "2011-05-02"}}
    assert bundled_ruleset.assess(plausible).level == 4


def test_an_assessment_date_typo_is_refused(bundled_ruleset: rhrt.Ruleset) -> None:
    for case in (
        {"assessment_date": "2204-05-01", "indicators": ["early-sexual-activity"]},
        {"child": {"date_of_birth": "2011-05-02"}, "assessment_date": "2204-05-01"},
        {"assessment_date": "1024-05-01"},
    ):
        assert _refusal(bundled_ruleset, case).path == "assessment_date"


@pytest.mark.parametrize(
    ("child", "when", "path"),
    [
        ({"date_of_birth": 20110502}, "2024-05-01", "child.date_of_birth"),
        ({"date_of_birth": "2011-05-02"}, 1714521600, "assessment_date"),
        ({"date_of_birth": True}, "2024-05-01", "child.date_of_birth"),
    ],
)
def test_a_number_is_never_read_as_a_date(
    minimal_ruleset: rhrt.Ruleset, child: dict[str, Any], when: Any, path: str
) -> None:
    assert _refusal(minimal_ruleset, {"child": child, "assessment_date": when}).path == path


def test_the_window_and_the_age_bound_include_their_ends(minimal_ruleset: rhrt.Ruleset) -> None:
    for when in (EARLIEST_ASSESSMENT_DATE, LATEST_ASSESSMENT_DATE):
        assert minimal_ruleset.validate_case({"assessment_date": when}).assessment_date == when
    for when in (
        EARLIEST_ASSESSMENT_DATE - dt.timedelta(days=1),
        LATEST_ASSESSMENT_DATE + dt.timedelta(days=1),
    ):
        assert _refusal(minimal_ruleset, {"assessment_date": when}).path == "assessment_date"
    when = dt.date(2024, 5, 1)
    oldest = {"child": {"date_of_birth": dt.date(1999, 5, 1)}, "assessment_date": when}
    assert minimal_ruleset.validate_case(oldest).age_in_months() == MAX_AGE_MONTHS
    too_old = {"child": {"date_of_birth": dt.date(1999, 4, 1)}, "assessment_date": when}
    assert _refusal(minimal_ruleset, too_old).path == "child.date_of_birth"


@given(
    st.dates(dt.date(1900, 1, 1), dt.date(2150, 12, 31)),
    st.dates(dt.date(1900, 1, 1), dt.date(2150, 12, 31)),
)
def test_a_derived_age_is_accepted_exactly_when_the_direct_age_is(
    dob: dt.date, when: dt.date
) -> None:
    derived = {"child": {"date_of_birth": dob}, "assessment_date": when}
    months = months_between(dob, when)
    direct = {"child": {"age_months": months}, "assessment_date": when}
    outcomes = []
    for data in (derived, direct):
        try:
            outcomes.append(Case.model_validate(data).age_in_months())
        except ValueError:  # pydantic's ValidationError
            outcomes.append(None)
    if dob > when:  # refused as "after assessment_date"; a negative age is refused too
        assert outcomes == [None, None]
    else:
        assert outcomes[0] == outcomes[1]


@given(dated_children())
def test_the_testing_kit_dates_are_always_within_bounds(
    pair: tuple[dict[str, Any], dt.date],
) -> None:
    child, when = pair
    case = Case.model_validate({"child": child, "assessment_date": when})
    months = case.age_in_months()
    assert months is not None and 0 <= months <= MAX_AGE_MONTHS


def test_the_testing_kit_offers_dated_cases(minimal_ruleset: rhrt.Ruleset) -> None:
    from hypothesis import find

    found = find(cases(minimal_ruleset), lambda c: c.child.date_of_birth is not None)
    assert found.assessment_date is not None

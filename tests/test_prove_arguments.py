"""`rhrt.prove.prove` refuses arguments it would read wrongly, with or without z3 installed.

Regression: ``prove(ruleset, timeout_seconds=float("nan"))`` reached z3 as ``int(nan * 1000)``
(an unexpected ValueError) and ``properties="no-concerns"`` was read letter by letter; the CLI
already range-checked ``--timeout`` (cli/_numbers.py), the Python API did not.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rhrt import Ruleset
from rhrt.errors import ArgumentError
from rhrt.prove import MAX_TIMEOUT_SECONDS, PROPERTIES, prove

BAD_TIMEOUTS = [
    math.nan, math.inf, -math.inf, 0, 0.0, -1, MAX_TIMEOUT_SECONDS + 1, True, "60", None
]


@pytest.mark.parametrize("timeout", BAD_TIMEOUTS, ids=repr)
def test_out_of_range_or_mistyped_timeouts_are_refused(
    minimal_ruleset: Ruleset, timeout: object
) -> None:
    with pytest.raises(ArgumentError) as caught:
        prove(minimal_ruleset, timeout_seconds=timeout)  # type: ignore[arg-type]
    assert caught.value.argument == "timeout_seconds"
    assert isinstance(caught.value, TypeError)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_any_float_timeout_is_accepted_only_in_range(timeout: float) -> None:
    from rhrt.prove import _check_arguments

    in_range = math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT_SECONDS
    try:
        _check_arguments(None, timeout)
    except ArgumentError:
        assert not in_range
    else:
        assert in_range


@pytest.mark.parametrize(
    "properties", [next(iter(PROPERTIES)), b"no-concerns", 5, [5], {"no-concerns": 1}], ids=repr
)
def test_properties_must_be_a_sequence_of_ids(minimal_ruleset: Ruleset, properties: object) -> None:
    with pytest.raises(ArgumentError) as caught:
        prove(minimal_ruleset, properties=properties)  # type: ignore[arg-type]
    assert caught.value.argument == "properties"

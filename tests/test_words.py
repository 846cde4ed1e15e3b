# SPDX-License-Identifier: MIT
"""Counts in messages agree with their nouns (one helper: ``rhrt._words.plural``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rhrt._words import plural

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (0, "rule", "0 rules"),
        (1, "rule", "1 rule"),
        (2, "problem", "2 problems"),
        (1, "property", "1 property"),
        (3, "property", "3 properties"),
        (2, "day", "2 days"),
        (2, "match", "2 matches"),
        (1_234, "case", "1,234 cases"),
    ],
)
def test_plural(count: int, noun: str, expected: str) -> None:
    assert plural(count, noun) == expected


@given(st.integers(min_value=0, max_value=10**9))
def test_one_is_singular_and_every_other_count_plural(count: int) -> None:
    shown = plural(count, "indicator")
    assert shown.endswith("indicator" if count == 1 else "indicators")
    assert int(shown.split()[0].replace(",", "")) == count


def test_no_hand_rolled_plurals_in_the_source() -> None:
    """No "(s)", "(y/ies)" or "(ies)" after a word in any message rhrt prints."""
    pattern = re.compile(r"\b[a-z]{4,}\((s|es|y/ies|ies)\)(?=[\s\"',;:!?]|$)")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "src").rglob("*"))
        if path.suffix in {".py", ".j2"}
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and "http(s)" not in line and path.name != "_words.py"
    ]
    assert offenders == []


# A count in an f-string followed by a fixed plural: "{n} more problems", "{len(x)} tests".
_FIXED_PLURAL = re.compile(r"\{[^{}]*\} more [a-z]+s\b|\{len\([^{}]*\)[^{}]*\} [a-z]{3,}s\b(?!=)")


@pytest.mark.parametrize(
    ("line", "caught"),
    [
        ('f" (and {len(errors) - 1} more problems)"', True),
        ('f"{len(outcomes)} tests: {passed} passed"', True),
        ('f"{len(self.problems)} problems in ruleset"', True),
        ("f\" (and {plural(len(errors) - 1, 'more problem')})\"", False),
        ('f"{name} is unknown"', False),
        ('f"indicators={len(x)} rules={len(y)}>"', False),  # a repr's key=value, not English
    ],
)
def test_the_fixed_plural_check_catches_counts_before_a_plural(line: str, caught: bool) -> None:
    assert bool(_FIXED_PLURAL.search(line)) is caught


def test_no_count_before_a_fixed_plural_in_the_source() -> None:
    """Counts go through ``plural`` so that one is never followed by a plural noun."""
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "src").rglob("*.py"))
        if path.name != "_words.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _FIXED_PLURAL.search(line)
    ]
    assert offenders == []


def test_octal_takes_an() -> None:
    from rhrt.rules.scalars import AmbiguousScalar, _ambiguity

    found = _ambiguity("0o17")
    assert isinstance(found, AmbiguousScalar)
    assert "is an octal number" in found.message and "a octal" not in found.message


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            {"id": "domestic_abuse_incidents_12_months", "at_least": 3},
            "the number of domestic abuse incidents in the last 12 months is 3 or more",
        ),
        (
            {"id": "missing_episodes_90_days", "more_than": 3},
            "the number of missing episodes in the last 90 days is more than 3",
        ),
        ({"id": "dash_score", "at_least": 14}, "the DASH risk checklist score is 14 or more"),
    ],
)
def test_measure_conditions_read_as_english(spec: dict[str, object], expected: str) -> None:
    """Not "the Domestic abuse incidents in the last 12 months is 3 or more incidents"."""
    from pydantic import TypeAdapter

    import rhrt
    from rhrt.model import ruleset as m
    from rhrt.rules.plain import describe_condition

    cond = TypeAdapter(m.Condition).validate_python({"measure": spec})
    text = describe_condition(cond, rhrt.load_ruleset().model)
    assert text.startswith(expected), text

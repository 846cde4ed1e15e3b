# SPDX-License-Identifier: MIT
"""Decisions are built from values rhrt made itself without validating them again
(``rhrt.model.trusted``); built with validation they must be exactly the same: equal,
with the same fields set at every level, the same JSON, and valid when read back."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field

import rhrt
from rhrt.model import _base
from rhrt.model import decision as d
from rhrt.testing.strategies import cases, rulesets


def _fields_set(model: Any) -> Any:
    """Every model's fields set, recursively (``==`` on models does not compare them)."""
    if isinstance(model, BaseModel):
        return (
            type(model).__name__,
            sorted(model.model_fields_set),
            {k: _fields_set(v) for k, v in model.__dict__.items()},
        )
    if isinstance(model, tuple):
        return tuple(_fields_set(v) for v in model)
    return type(model).__name__


def _both(
    monkeypatch: pytest.MonkeyPatch, ruleset: rhrt.Ruleset, case: Any, **kw: Any
) -> tuple[d.Decision, d.Decision]:
    fast = ruleset.assess(case, **kw)
    with monkeypatch.context() as m:
        m.setattr(_base, "VALIDATE_TRUSTED", True)
        validated = ruleset.assess(case, **kw)
    return fast, validated


def _same(fast: d.Decision, validated: d.Decision) -> None:
    assert fast == validated
    assert _fields_set(fast) == _fields_set(validated)
    assert fast.to_json(include_notes=True) == validated.to_json(include_notes=True)
    assert d.Decision.model_validate(fast.model_dump()) == fast
    assert d.Decision.from_json(fast.to_json(include_notes=True)) == fast


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_trusted_construction_equals_validated_on_generated_cases(
    data: st.DataObject,
) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        ruleset = data.draw(rulesets(max_indicators=10, max_rules=6, max_depth=3, allow_not=True))
        for case in data.draw(st.lists(cases(ruleset), min_size=1, max_size=4)):
            _same(*_both(monkeypatch, ruleset, case))


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_trusted_construction_equals_validated_on_the_bundled_ruleset(
    data: st.DataObject,
) -> None:
    ruleset = rhrt.load_ruleset()
    case = data.draw(cases(ruleset, max_indicators=25))
    override = data.draw(
        st.none() | st.builds(
            lambda lv: {"level": lv, "reason": "seen at home", "role": "social worker"},
            st.integers(1, 4),
        )
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        _same(*_both(monkeypatch, ruleset, case, override=override))


def test_notes_and_dates_survive_trusted_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    ruleset = rhrt.load_ruleset()
    ind = ruleset.plan.indicator_order[5]
    case = {
        "child": {"age_years": 7},
        "indicators": [{"id": ind, "note": "a note", "source": "school"}],
        "assessment_date": "2025-01-10",
        "consent": "given",
        "recorded_decision": 2,
    }
    fast, validated = _both(monkeypatch, ruleset, case)
    _same(fast, validated)
    assert fast.notes and fast.notes[0].note == "a note"


def test_trusted_refuses_a_model_it_cannot_build_faithfully() -> None:
    """A default factory, or a mutable default (which pydantic copies per instance), cannot be
    shared the way trusted() shares defaults: such a model is refused, never built wrongly."""

    class Plain(_base.RhrtModel):
        items: tuple[int, ...] = ()

    class Mutable(_base.RhrtModel):
        items: list[int] = []  # noqa: RUF012 - the point of the test

    class Factory(_base.RhrtModel):
        items: list[int] = Field(default_factory=list)

    assert _base.trusted(Plain, items=(1,)) == Plain(items=(1,))
    assert _base.trusted(Plain) == Plain()
    for cls in (Mutable, Factory):
        with pytest.raises(TypeError):
            _base.trusted(cls)


def test_trusted_refuses_a_missing_or_unknown_field() -> None:
    """A required field left out would otherwise be silently absent from the model."""
    with pytest.raises(TypeError):
        _base.trusted(d.ChangeHint, rule="r")
    with pytest.raises(TypeError):
        _base.trusted(d.ChangeHint, rule="r", text="t", extra="x")
    assert _base.trusted(d.ChangeHint, rule="r", text="t") == d.ChangeHint(rule="r", text="t")

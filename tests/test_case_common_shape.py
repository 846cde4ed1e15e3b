# SPDX-License-Identifier: MIT
"""The common shape of a case is built without pydantic (``rhrt.cases._common_shape``): the
result must be exactly pydantic's, and anything pydantic refuses must go to pydantic (so it is
refused with the same error)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import rhrt
from rhrt.cases import _common_shape, parse_case
from rhrt.errors import CaseError
from rhrt.model.case import MAX_AGE_MONTHS, Case

_TEXT = st.one_of(
    st.sampled_from(["a", "dash_score", "x-1", " a", "a ", "\ta", "a\x1c", "", "é", "a" * 200,
                     "a" * 201, "A B"]),
    st.text(max_size=8),
)
_NUMBER = st.one_of(
    st.integers(-5, MAX_AGE_MONTHS + 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([2**53, 2**53 + 1, -(2**53) - 1, 10**400, True, False, 0, 0.0, -0.0]),
)
_ANY = st.one_of(_NUMBER, _TEXT, st.none(), st.lists(_TEXT, max_size=2), st.just({}))
_CHILD = st.one_of(
    st.dictionaries(
        st.sampled_from(["age_months", "age_years", "unborn", "gestation_weeks", "name"]),
        st.one_of(_NUMBER, st.booleans(), st.none(), _TEXT),
        max_size=3,
    ),
    _ANY,
)
_CASE = st.dictionaries(
    st.sampled_from(["child", "indicators", "measures", "consent", "context", "note", "unknown",
                     "reference", "referral_source", "recorded_decision"]),
    st.one_of(
        _CHILD,
        st.lists(_TEXT, max_size=4),
        st.tuples(_TEXT),
        st.dictionaries(_TEXT, _NUMBER, max_size=3),
        st.sampled_from(["given", "refused", "not_sought", "Given", " given"]),
        st.sampled_from(["SYN-1", "case 12", " x", "x\n", "", "r" * 100, "r" * 101, "r" * 201,
                         "é"]),
        st.sampled_from([1, 2, 3, 4, 0, 5, 4.0, True, "4", -1]),
        _ANY,
    ),
    max_size=4,
)


def _same(built: BaseModel, validated: BaseModel) -> None:
    """The same model, field for field, with the same types and the same fields set."""
    assert type(built) is type(validated)
    assert built.model_fields_set == validated.model_fields_set
    assert list(built.__dict__) == list(validated.__dict__)
    assert built.__pydantic_extra__ == validated.__pydantic_extra__
    assert built.__pydantic_private__ == validated.__pydantic_private__
    for name, value in validated.__dict__.items():
        mine = built.__dict__[name]
        assert type(mine) is type(value), name
        if isinstance(value, BaseModel):
            _same(mine, value)
        elif isinstance(value, tuple):
            assert len(mine) == len(value)
            for a, b in zip(mine, value, strict=True):
                if isinstance(b, BaseModel):
                    _same(a, b)
            assert mine == value
        elif isinstance(value, dict):
            assert list(mine.items()) == list(value.items())
            assert [type(v) for v in mine.values()] == [type(v) for v in value.values()]
        else:
            assert mine == value or (isinstance(value, float) and math.isnan(value))
    assert built == validated
    assert built.model_dump_json() == validated.model_dump_json()
    assert repr(built) == repr(validated)


def _check(data: dict[str, Any]) -> Case | None:
    built = _common_shape(dict(data))
    try:
        validated = Case.model_validate(dict(data))
    except ValidationError:
        assert built is None, "pydantic refuses this case, so it must be left to pydantic"
        with pytest.raises(CaseError):
            parse_case(data)
        return None
    if built is not None:
        _same(built, validated)
    return built


@settings(max_examples=600, deadline=None)
@given(_CASE)
def test_common_shape_is_pydantic_or_left_to_it(data: dict[str, Any]) -> None:
    _check(data)


_VALID = st.fixed_dictionaries(
    {},
    optional={
        "child": st.one_of(
            st.fixed_dictionaries({"age_months": st.integers(0, MAX_AGE_MONTHS)}),
            st.fixed_dictionaries({"age_years": st.floats(0, 25)}),
            st.fixed_dictionaries({"unborn": st.booleans()}),
            st.just({}),
        ),
        "indicators": st.lists(st.sampled_from(["a", "b-1", "c_2.x"]), max_size=5),
        "measures": st.dictionaries(
            st.sampled_from(["m", "n_1"]), st.one_of(st.integers(0, 99), st.floats(0, 99))
        ),
        "consent": st.sampled_from(["given", "refused", "not_sought"]),
        "reference": st.sampled_from(["SYN-6-000000001", "case 12", ""]),
        "referral_source": st.sampled_from(["health", "police", "r" * 100]),
        "recorded_decision": st.integers(1, 4),
    },
)


@settings(max_examples=300, deadline=None)
@given(_VALID)
def test_the_common_shape_is_built_directly(data: dict[str, Any]) -> None:
    assert _check(data) is not None


def test_a_ruleset_assesses_the_common_shape_as_a_validated_case() -> None:
    rs = rhrt.load_ruleset()
    ids = list(rs.plan.indicator_order)[:3]
    data = {"child": {"age_months": 30}, "indicators": ids, "measures": {"dash_score": 3}}
    assert _common_shape(dict(data)) is not None
    assert rs.assess(data) == rs.assess(Case.model_validate(data))
    assert rs.validate_case(data) == Case.model_validate(data)


class _Str(str):
    """A str whose own methods lie: the common shape must not trust them."""

    def strip(self, chars: str | None = None) -> str:
        return str(self)

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


class _Int(int):
    pass


class _Float(float):
    pass


class _Dict(dict):  # type: ignore[type-arg]
    pass


class _List(list):  # type: ignore[type-arg]
    pass


def _subclassed() -> list[dict[str, Any]]:
    np = pytest.importorskip("numpy")
    return [
        {"indicators": [_Str("a")]},
        {"indicators": [_Str(" a")]},
        {"indicators": _List(["a"])},
        {"measures": {_Str("m"): 1}},
        {"measures": {"m": _Int(3)}},
        {"measures": {"m": _Float(3.5)}},
        {"measures": {"m": np.int64(3)}},
        {"measures": {"m": np.float32(2.5)}},
        {"measures": {"m": np.bool_(True)}},
        {"measures": _Dict(m=1)},
        {"child": {"age_years": _Int(5)}},
        {"child": {"age_months": np.float64(30.0)}},
        {"child": {"age_months": np.int64(301)}},
        {"child": {"unborn": np.bool_(True)}},
        {"child": _Dict(age_years=5)},
        {"consent": _Str("given")},
        {"consent": _Str("nonsense")},
        {"reference": _Str(" padded ")},
        {"referral_source": _Str("x" * 101)},
        {"recorded_decision": _Int(2)},
        {"recorded_decision": np.int8(2)},
    ]


def test_subclasses_and_numpy_scalars_are_left_to_pydantic() -> None:
    """The common shape takes only the built-in types themselves: a subclass may override
    ``strip``, ``__eq__`` or ``__float__``, and numpy scalars are pydantic's to read (as
    ``rhrt.model.case._plain_number`` does), so each goes to pydantic and is read (or refused)
    exactly as it would be."""
    for data in _subclassed():
        assert _common_shape(dict(data)) is None, data
        _check(data)


def _shape_of_case_models() -> str:
    """Everything about the case models that decides what validation accepts and how it reads
    it: each model's config, fields (annotation, constraints, default) and validators."""
    import hashlib
    import inspect

    from rhrt.model.case import CaseContext, CaseIndicator, Child

    parts: list[str] = []
    for model in (Case, Child, CaseIndicator, CaseContext):
        parts.append(f"{model.__name__} {sorted(model.model_config.items())!r}")
        for name, info in model.model_fields.items():
            default = (
                f"factory {info.default_factory.__name__}"  # type: ignore[union-attr]
                if info.default_factory is not None
                else repr(info.default)
            )
            parts.append(f"  {name}: {info.annotation!r} {info.metadata!r} {default}")
        decorators = model.__pydantic_decorators__
        for kind in ("validators", "field_validators", "root_validators", "field_serializers",
                     "model_serializers", "model_validators", "computed_fields"):
            for name, dec in sorted(getattr(decorators, kind).items()):
                # what it applies to and when (not the info's repr: it differs between pydantic
                # releases), and its source: a changed body must trip the pin too
                func = getattr(dec.func, "__func__", dec.func)
                parts.append(f"  {kind} {name} {getattr(dec.info, 'fields', None)!r} "
                             f"{getattr(dec.info, 'mode', None)!r}")
                parts.append(inspect.getsource(func))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def test_the_case_models_are_the_ones_the_common_shape_was_written_for() -> None:
    """A tripwire: ``_common_shape`` repeats what validation does for its shape, so a change to
    the case models (a new field, constraint, default or validator) must be matched there
    before this pin is updated. The hypothesis tests above compare the two only on the inputs
    they draw; this makes the change impossible to miss."""
    assert _shape_of_case_models() == PINNED_CASE_MODELS, (
        "the case models changed: check rhrt.cases._common_shape still builds exactly what "
        "pydantic validates (and refuses what it refuses), extend the strategies above to "
        "draw the new field, then update PINNED_CASE_MODELS"
    )


PINNED_CASE_MODELS = "ea1f0799857c54ec41920cad7bb98dfe193cf284862cda9f3033b06fea5ddde0"

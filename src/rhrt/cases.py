# SPDX-License-Identifier: MIT
"""Turn what callers give us (a Case, a dict, YAML or JSON text, a file) into a :class:`Case`.

Errors are :class:`~rhrt.errors.CaseError` naming the field path, never the value: a case is a
child's personal data, and error messages end up in logs.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from rhrt._words import plural
from rhrt.errors import CaseError, field_path
from rhrt.model import known_keys
from rhrt.model.case import (
    MAX_INDICATORS,
    MAX_MEASURES,
    Case,
    CaseContext,
    CaseIndicator,
    Child,
    age_months_in_range,
)
from rhrt.model.scale import LOWEST_LEVEL, TOP_LEVEL
from rhrt.rules.safe_yaml import (
    DEFAULT_LIMITS,
    Limits,
    Located,
    YamlReadError,
    check_limits,
    read_limited,
    read_yaml,
)
from rhrt.rules.scalars import INEXACT_CASE_VALUE

CaseInput = Case | Mapping[str, Any]


def parse_case(value: CaseInput | str | bytes | Path, *, limits: Limits = DEFAULT_LIMITS) -> Case:
    """Validate a case's shape.

    ``value`` may be a :class:`Case`, a mapping, YAML/JSON text (str or bytes) or a
    :class:`pathlib.Path` to such a file.

    Raises:
        CaseError: the case is not valid (the field path is named, never the value).
        ArgumentError: ``limits`` is not a :class:`~rhrt.Limits`.
    """
    check_limits(limits)
    if isinstance(value, Case):
        return value
    if isinstance(value, Path):
        try:
            value = read_limited(value, limits.max_bytes)
        except OSError as exc:
            raise CaseError("cannot read the case file") from exc
    given = value
    located: Located | None = None
    if isinstance(value, (str, bytes)):
        located = _load_text(value, limits)
        value = located.data
    if not isinstance(value, Mapping):
        if isinstance(given, str) and _names_a_file(given):
            raise CaseError(
                "a case given as a str is read as YAML or JSON text, and this text is the name "
                "of a file: to read the file, pass a pathlib.Path (ruleset.assess(Path(name)))"
            )
        raise CaseError("a case must be a mapping with keys such as 'child' and 'indicators'")
    data = dict(value)
    found = _common_shape(data)
    if found is not None:
        return found
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise _case_error(exc, located) from None
    except RecursionError:
        raise CaseError("case is nested too deeply") from None


_TOP = frozenset({
    "child", "indicators", "measures", "consent", "reference", "referral_source",
    "recorded_decision",
})
_TEXTS = (("reference", 200), ("referral_source", 100))
"""The free-text fields of the common shape, with their maximum length."""
_AGES = frozenset({"age_months", "age_years", "unborn"})
_CONSENT = frozenset({"given", "refused", "not_sought"})
_EXACT = 2**53
"""Integers up to this size are exactly a float (as a measure or age, pydantic's float)."""


def _common_shape(data: dict[str, Any]) -> Case | None:
    """The :class:`Case` pydantic would validate from ``data``, built directly when ``data``
    has the common shape; None for anything else (pydantic then validates it, and refuses what
    it refuses with the same errors).

    The common shape: only ``child`` (``age_months`` or ``age_years`` in range, or
    ``unborn``: a bool), ``indicators`` (a list or tuple of plain ASCII strings, 1 to 200
    characters with nothing to strip), ``measures`` (a dict of such strings to finite ints or
    floats), ``consent`` (one of its three words), ``reference`` and ``referral_source``
    (ASCII text within their lengths with nothing to strip) and ``recorded_decision`` (an int
    on the level scale), each of exactly the built-in type. Every
    value here is one pydantic accepts as it is (ints become floats, as pydantic makes them),
    so the result is the same model, with the same fields set
    (``tests/test_case_common_shape.py`` compares the two on generated cases, valid and not,
    and pins the case models this was written for: a change to them fails it until this is
    checked again). Why: validating this shape was a quarter of an explained assessment with
    few concerns.
    """
    if not _TOP.issuperset(data):
        return None
    child_data = data.get("child")
    if child_data is None:
        if "child" in data:
            return None
        child = _built(Child, {})
    else:
        if type(child_data) is not dict or not _AGES.issuperset(child_data):
            return None
        ages = {}
        for name, number in child_data.items():
            kind = type(number)
            if name == "unborn":
                if kind is not bool:
                    return None
                ages[name] = number
                continue
            if not (kind is float or (kind is int and -_EXACT <= number <= _EXACT)):
                return None
            if not age_months_in_range(number * 12 if name == "age_years" else number):
                return None  # NaN and infinities included
            ages[name] = float(number)
        if len(ages) - ("unborn" in ages) > 1 or (ages.get("unborn") and len(ages) > 1):
            return None
        child = _built(Child, ages)
    items = data.get("indicators", ())
    if type(items) is not list and type(items) is not tuple:
        return None
    if len(items) > MAX_INDICATORS:
        return None
    indicators = []
    template = _INDICATOR
    for item in items:
        if type(item) is not str or not (
            0 < len(item) <= 200 and item.isascii() and item.strip() == item
        ):
            return None
        values = template.copy()
        values["id"] = item
        indicators.append(_built(CaseIndicator, values, {"id"}))
    given = data.get("measures", {})
    if type(given) is not dict or len(given) > MAX_MEASURES:
        return None
    measures = {}
    for name, number in given.items():
        kind = type(number)
        if type(name) is not str or not _plain_text(name):
            return None
        if kind is float:
            if not math.isfinite(number):
                return None
        elif kind is not int or not -_EXACT <= number <= _EXACT:
            return None
        measures[name] = float(number)
    consent = data.get("consent")
    if consent is not None and (type(consent) is not str or consent not in _CONSENT):
        return None
    if "consent" in data and consent is None:
        return None
    values = dict(_CASE_DEFAULTS)
    for name, longest in _TEXTS:
        if name in data:
            text = data[name]
            if type(text) is not str or not (
                len(text) <= longest and text.isascii() and text.strip() == text
            ):
                return None
            values[name] = text
    if "recorded_decision" in data:
        level = data["recorded_decision"]
        if type(level) is not int or not LOWEST_LEVEL <= level <= TOP_LEVEL:
            return None
        values["recorded_decision"] = level
    values.update(
        child=child, indicators=tuple(indicators), measures=measures, consent=consent,
        context=_NO_CONTEXT,
    )
    return _built(Case, values, set(data))


def _plain_text(text: str) -> bool:
    """ASCII text of 1 to 200 characters that stripping whitespace leaves as it is."""
    return 0 < len(text) <= 200 and text.isascii() and text.strip() == text


def _built(cls: type[_M], values: dict[str, Any], given: set[str] | None = None) -> _M:
    """An instance of ``cls`` as pydantic's validation leaves it: every field in ``__dict__``
    (declaration order), the fields given as its fields set. ``values`` hold already-valid
    values for the given fields (or, with ``given``, every field)."""
    if given is None:
        given = set(values)
        data = dict(_defaults(cls))
        data.update(values)
    else:
        data = values
    obj = cls.__new__(cls)
    _set(obj, "__dict__", data)
    _set_fields_set(obj, given)
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


def _defaults(cls: type[BaseModel]) -> dict[str, Any]:
    """Each field of ``cls`` (none with a default factory) and its default (built once)."""
    found = _DEFAULTS.get(cls)
    if found is None:
        found = {}
        for name, info in cls.model_fields.items():
            if info.default_factory is not None:
                raise TypeError(f"{cls.__name__}.{name} has a default factory")
            found[name] = info.default
        _DEFAULTS[cls] = found  # one assignment: safe when threads race to build it
    return found


_DEFAULTS: dict[type[BaseModel], dict[str, Any]] = {}


_M = TypeVar("_M", bound=BaseModel)
_set = object.__setattr__
# BaseModel's own slots, set through their descriptors (as pydantic's model_construct does).
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
_INDICATOR = dict(_defaults(CaseIndicator))
"""Every field of a :class:`CaseIndicator` with its default (the id is given per item)."""
_NO_CONTEXT = _built(CaseContext, {})
"""The context of a case that gives none (frozen, so one is shared, as every part of a decision
is): equal to pydantic's ``CaseContext()``, nothing recorded."""
_CASE_DEFAULTS = {
    name: None if info.default_factory is not None else info.default
    for name, info in Case.model_fields.items()
}
"""Case's fields in order; those with a default factory (child, measures, context) are always
given by :func:`_common_shape`."""


_FIXED_MESSAGES = (
    "invalid YAML syntax",
    "document is nested too deeply",
    "invalid value for its type",
    "unsafe or unknown YAML tag",
    "mapping keys must be plain scalars",
    "expected a single YAML document",
    "document is not valid UTF-8 text",
    "duplicate key",  # rules/safe_yaml.py: the key is named only when id-shaped (echo_content off)
    "ambiguous value",  # rules/scalars.py: the private wording, which never quotes the value
    INEXACT_CASE_VALUE,  # rules/scalars.py likewise
)
# A field path is shown only when every part is shaped like a field name or an index: a mapping
# key may be free text typed in the wrong place.
_SHOWN_PATH = re.compile(r"[a-z][a-z0-9_]{0,79}(?:(?:\.[a-z][a-z0-9_]{0,79})|\[[0-9]{1,6}\])*")


def _names_a_file(text: str) -> bool:
    """Whether ``text`` (already known not to be a YAML mapping) is an existing file's name."""
    name = text.strip()
    if not name or "\n" in name or len(name) > 4096:
        return False
    try:
        return Path(name).is_file()
    except (OSError, ValueError):  # e.g. a name too long for the system, or a NUL byte
        return False


def _load_text(text: str | bytes, limits: Limits) -> Located:
    try:
        return read_yaml(text, limits=limits, echo_content=False)  # JSON is YAML
    except YamlReadError as exc:
        where = ""
        if exc.problem.line is not None:
            where = f" (line {exc.problem.line}, col {exc.problem.column})"
        message = exc.problem.message
        # Only fixed wordings pass through: others (e.g. "duplicate key 'x'") may quote content.
        if not message.startswith(_FIXED_MESSAGES) and "limit" not in message:
            message = "invalid YAML or JSON"
        path = exc.problem.path or ""
        if not _SHOWN_PATH.fullmatch(path):
            path = ""
        raise CaseError(f"{message}{where}", path=path) from None


def _case_error(exc: ValidationError, located: Located | None = None) -> CaseError:
    """The first problem pydantic found, in rhrt's words, with its line when the case was read
    from text (``located``) and the reader knows where the field is."""
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    first = errors[0]
    path = field_path(first["loc"])
    kind = first["type"]
    if kind == "rhrt_case_field":  # a whole-case check names its field in its context
        context = exc.errors(include_url=False, include_input=False)[0].get("ctx") or {}
        path = str(context.get("field", path))
    where = ""
    if kind == "extra_forbidden":
        message = "unknown field"
        where = _key_line(first["loc"], located)
    elif kind == "missing":
        message = "missing required field"
    elif kind == "string_type":
        message = (
            "must be text: a number or true/false is not read as text, so put it in quotes "
            "if it is meant as text"
        )
    else:
        message = first["msg"].removeprefix("Value error, ")
    more = f" (and {plural(len(errors) - 1, 'more problem')})" if len(errors) > 1 else ""
    return CaseError(f"invalid case: {message}{where}{more}", path=path)


def _key_line(loc: tuple[int | str, ...], located: Located | None) -> str:
    """`` (line N, col M)`` of an unknown key when the case was read from text, else "".

    A named key has its own position; a key not shown (not shaped like a field name, so the
    error's path stops at its mapping) is found at the top level as the first key that is not a
    field of :class:`Case`.
    """
    if located is None:
        return ""
    position = located.key_positions.get(tuple(loc)) if loc else None
    if position is None and not loc and isinstance(located.data, dict):
        known = known_keys(Case)
        for key in located.data:
            if key not in known and (key,) in located.key_positions:
                position = located.key_positions[(key,)]
                break
    return "" if position is None else f" (line {position[0]}, col {position[1]})"


def dumps_case(case: Case) -> str:
    """A case as JSON (notes included: this is the caller's own data)."""
    return json.dumps(case.model_dump(mode="json", exclude_defaults=True), sort_keys=True)

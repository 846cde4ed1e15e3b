# SPDX-License-Identifier: MIT
"""The one base of every rhrt pydantic model.

Why: pydantic's ``ValidationError`` text quotes the input (``input_value='...'``), and a case's
values, names and notes are personal data. Every model hides its input in errors, whichever
path raises (``Case(**data)``, ``Case.model_validate``, ``Override(...)``,
``Decision.model_validate``); rhrt's own errors then name the field path, never the value.
Subclasses add their own settings (pydantic merges a subclass's ``model_config`` with this).

The modules that define models (``ruleset``, ``case``, ``decision``) do not use
``from __future__ import annotations``: with it, every field's annotation is a string that
pydantic compiles (``typing.ForwardRef``) and evaluates when it builds the class, work every
``import rhrt`` paid (issue 17); without it, Python evaluates each annotation once, to the same
objects (the models' fields, core schemas and JSON schemas are identical). A forward reference
(``Condition`` in ``AllCond``) is written in quotes; an ``after`` validator returns ``Self``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError, PydanticUndefined

from rhrt.errors import id_shaped

_KNOWN_KEYS: dict[type[BaseModel], frozenset[str]] = {}
"""Field names and aliases per model class, built once (a model's fields never change)."""


def known_keys(cls: type[BaseModel]) -> frozenset[str]:
    """The keys a mapping may give ``cls``: its field names and their aliases (built once)."""
    known = _KNOWN_KEYS.get(cls)
    if known is None:
        fields = cls.model_fields
        known = frozenset(fields) | {f.alias for f in fields.values() if f.alias}
        _KNOWN_KEYS[cls] = known  # one assignment: safe when threads race to build it
    return known


class RhrtModel(BaseModel):
    """Base of every rhrt model: input values are never shown in validation errors."""

    model_config = ConfigDict(hide_input_in_errors=True)


class PrivateModel(RhrtModel):
    """Base of the models that hold a child's case, a judgement or a decision: an unknown key
    that is not shaped like a field name (it may be a name or a sentence typed in the wrong
    place) is refused without naming it; pydantic would put the key in the error's path."""

    @model_validator(mode="before")
    @classmethod
    def _unknown_keys_unnamed(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = known_keys(cls)
            if known.issuperset(data):  # the usual case: one set operation, no loop
                return data
            for key in data:
                if key not in known and not (isinstance(key, str) and id_shaped(key)):
                    raise PydanticCustomError(
                        "extra_forbidden",
                        "unknown field (its name is not shown: it is not shaped like a field "
                        "name)",
                    )
        return data


M = TypeVar("M", bound=BaseModel)

VALIDATE_TRUSTED = False
"""When True, :func:`trusted` validates like ``cls(**values)``: the tests build every decision
both ways and compare them (``tests/test_trusted_models.py``)."""

_REQUIRED = object()
_TEMPLATES: dict[type[BaseModel], tuple[dict[str, Any], frozenset[str]]] = {}


def _template(cls: type[BaseModel]) -> tuple[dict[str, Any], frozenset[str]]:
    """Every field of ``cls`` in declaration order with its default (``_REQUIRED`` if none),
    and the names of the required fields."""
    found = _TEMPLATES.get(cls)
    if found is None:
        if cls.__pydantic_post_init__ or cls.__private_attributes__ or cls.__pydantic_root_model__:
            raise TypeError(f"{cls.__name__} cannot be built by rhrt.model.trusted")
        fields: dict[str, Any] = {}
        for name, info in cls.model_fields.items():
            if info.default_factory is not None:
                raise TypeError(f"{cls.__name__}.{name}: trusted() takes no default factories")
            default = info.default
            if default is PydanticUndefined:
                default = _REQUIRED
            elif not _immutable(default):
                # pydantic copies a mutable default for each instance; sharing it would not be
                raise TypeError(f"{cls.__name__}.{name}: trusted() takes immutable defaults only")
            fields[name] = default
        required = frozenset(k for k, v in fields.items() if v is _REQUIRED)
        found = _TEMPLATES[cls] = (fields, required)  # one assignment: safe when threads race
    return found


def _immutable(value: object) -> bool:
    if value is None or isinstance(value, (bool, int, float, str, bytes, frozenset)):
        return True
    return isinstance(value, tuple) and all(map(_immutable, value))


def trusted(cls: type[M], /, **values: Any) -> M:
    """An instance of ``cls`` from values rhrt built itself and already knows to be valid (the
    parts of a decision: ids from a validated ruleset, tuples of strings, nested models built
    the same way), without running validation again.

    Validation of these values is redundant and was a large part of an explained assessment;
    pydantic's own ``model_construct`` is slower than validating. The instance is exactly what
    ``cls(**values)`` gives for valid values, field for field, with the same fields set
    (``tests/test_trusted_models.py`` builds generated decisions both ways and compares them).
    Values must already have their field's type (a tuple, not a list). Never use this for
    anything a caller gave (cases, overrides, records read back): those are validated.

    Raises:
        TypeError: a required field is not given, a name is not a field, or ``cls`` has
            something this cannot reproduce (default factories, mutable defaults, private
            attributes, a post-init hook).
    """
    if VALIDATE_TRUSTED:
        return cls(**values)
    fields, required = _TEMPLATES.get(cls) or _template(cls)
    data = fields.copy()
    data.update(values)
    if len(data) != len(fields) or not values.keys() >= required:
        raise TypeError(f"{cls.__name__}: missing or unknown fields for trusted()")
    obj = cls.__new__(cls)
    _set(obj, "__dict__", data)
    _set_fields_set(obj, set(values))
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


_set = object.__setattr__
# BaseModel's own slots, set through their descriptors (as pydantic's model_construct does,
# without its per-field loop).
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__

# SPDX-License-Identifier: MIT
"""The one base of every rhrt pydantic model.

Why: pydantic's ``ValidationError`` text quotes the input (``input_value='...'``), and a case's
values, names and notes are personal data. Every model hides its input in errors, whichever
path raises (``Case(**data)``, ``Case.model_validate``, ``Override(...)``,
``Decision.model_validate``); rhrt's own errors then name the field path, never the value.
Subclasses add their own settings (pydantic merges a subclass's ``model_config`` with this).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from rhrt.errors import id_shaped

_KNOWN_KEYS: dict[type[BaseModel], frozenset[str]] = {}
"""Field names and aliases per model class, built once (a model's fields never change)."""


def _known_keys(cls: type[BaseModel]) -> frozenset[str]:
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
            known = _known_keys(cls)
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

# SPDX-License-Identifier: MIT
"""The case form: built from the :class:`rhrt.Case` model's own fields, and read back into the
mapping :meth:`rhrt.Ruleset.assess` takes.

Why from the model: a field added to the case model (case context, consent positions…) appears
on the page and is read back without a change here. Each field's *kind* follows its type:

=================================  ==========================================================
type                               control
=================================  ==========================================================
a nested model                     a fieldset of its own fields
``bool`` (default false)           a checkbox (unticked is the model's default, false)
``bool | None``                    a choice: not recorded / yes / no (unknown is never "no")
``Literal[...]`` (or ``| None``)   a choice, "not recorded" first when the field may be empty
a tuple of ``Literal``             a checkbox per value
``int`` in a range of up to 11     a choice of those whole numbers (a level)
``int`` / ``float``                a number
``datetime.date``                  a date
``str``                            a line of text (longer than 500 characters: a text area)
=================================  ==========================================================

Fields that identify a child or exist for audits only are not on the page
(:data:`NOT_ON_PAGE`). Indicators and measures come from the ruleset, not the model. Reading
back never judges: an empty control is "not recorded" (left out), a number must be a plain
decimal, and everything else is checked by the case model and the ruleset, whose
:class:`~rhrt.errors.CaseError` names the field path (never the value).
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from rhrt.errors import CaseError
from rhrt.model.case import Case
from rhrt.model.decision import Override

NOT_ON_PAGE = frozenset(
    {"reference", "child.date_of_birth", "recorded_decision", "indicators", "measures"}
)
"""Case fields the page does not ask for: identifiers (an age is enough), the audit-only
recorded decision, and the ruleset-driven indicators and measures (their own controls)."""

INDICATOR = "indicator"
"""Form name of the concern checkboxes (one value per ticked indicator id)."""
NOTE_PREFIX = "note:"
MEASURE_PREFIX = "measure:"
OVERRIDE_PREFIX = "override."
DECIDED_BY = "decided_by"
"""Who is deciding (a role), for the opt-in decision log only."""
MAX_FIELDS = 6_000
"""At most this many form fields are read (a ruleset's indicators and notes, with room)."""

_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*")


@dataclass(frozen=True)
class Control:
    """One form control. ``name`` is the field path (``child.age_years``)."""

    name: str
    kind: Literal["checkbox", "choice", "multi", "number", "date", "text", "textarea"]
    label: str
    hint: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    """(value, label) pairs; a value of "" is "not recorded"."""
    max_length: int | None = None
    numeric: bool = False
    """A choice whose values are whole numbers (read back as numbers)."""

    @property
    def dom_id(self) -> str:
        return "f-" + re.sub(r"[^a-z0-9_-]", "-", self.name.lower())


@dataclass(frozen=True)
class Group:
    """A nested model's fields, shown as a fieldset."""

    name: str
    label: str
    controls: tuple[Control | Group, ...] = field(default_factory=tuple)


def _label(name: str) -> str:
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _hint(info: FieldInfo) -> str | None:
    text = info.description
    if not text:
        return None
    return " ".join(text.split())


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The type without ``None`` and ``Annotated``; and whether ``None`` was allowed."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation, optional


def _max_length(info: FieldInfo) -> int | None:
    for meta in info.metadata:
        value = getattr(meta, "max_length", None)
        if isinstance(value, int):
            return value
    return None


def _bound(info: FieldInfo, which: str) -> int | None:
    for meta in info.metadata:
        value = getattr(meta, which, None)
        if isinstance(value, int):
            return value
    return None


def _control(name: str, info: FieldInfo) -> Control | Group | None:
    kind, optional = _unwrap(info.annotation)
    label, hint = _label(name.rsplit(".", 1)[-1]), _hint(info)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return Group(name, label, model_controls(kind, prefix=name + "."))
    origin = typing.get_origin(kind)
    if kind is bool:
        if optional or info.default is None:
            return Control(name, "choice", label, hint,
                           (("", "Not recorded"), ("true", "Yes"), ("false", "No")))
        return Control(name, "checkbox", label, hint)
    if origin is Literal:
        values = tuple((str(v), _label(str(v))) for v in typing.get_args(kind))
        empty = (("", "Not recorded"),) if optional or not info.is_required() else ()
        return Control(name, "choice", label, hint, empty + values)
    if origin in (tuple, list, frozenset, set):
        item, _ = _unwrap(typing.get_args(kind)[0]) if typing.get_args(kind) else (None, False)
        if typing.get_origin(item) is Literal:
            values = tuple((str(v), _label(str(v))) for v in typing.get_args(item))
            return Control(name, "multi", label, hint, values)
        return None
    if kind is int:
        low, high = _bound(info, "ge"), _bound(info, "le")
        if low is not None and high is not None and 0 <= high - low <= 10:
            empty = (("", "Not recorded"),) if optional or not info.is_required() else (
                ("", "Choose"),)
            values = tuple((str(n), str(n)) for n in range(low, high + 1))
            return Control(name, "choice", label, hint, empty + values, numeric=True)
    if kind in (int, float):
        return Control(name, "number", label, hint)
    if kind is dt.date:
        return Control(name, "date", label, hint)
    if kind is str:
        limit = _max_length(info)
        return Control(name, "textarea" if limit is None or limit > 500 else "text",
                       label, hint, max_length=limit)
    return None


def model_controls(model: type[BaseModel], *, prefix: str = "") -> tuple[Control | Group, ...]:
    """The controls for a model's fields (nested models as groups), in field order."""
    out: list[Control | Group] = []
    for name, info in model.model_fields.items():
        path = prefix + name
        if path in NOT_ON_PAGE:
            continue
        found = _control(path, info)
        if found is not None:
            out.append(found)
    return tuple(out)


def case_controls() -> tuple[Control | Group, ...]:
    """The case form's controls (beside concerns and measures)."""
    return model_controls(Case)


def override_controls() -> tuple[Control | Group, ...]:
    """A professional's judgement: level, reason, role (the :class:`rhrt.Override` fields)."""
    return model_controls(Override, prefix=OVERRIDE_PREFIX)


def _flat(controls: Sequence[Control | Group]) -> list[Control]:
    out: list[Control] = []
    for c in controls:
        out.extend(_flat(c.controls) if isinstance(c, Group) else [c])
    return out


def _number(text: str, path: str) -> int | float:
    if not _NUMBER.fullmatch(text):
        raise CaseError("must be a number written in decimal digits", path=path)
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


#: The longest "decided by" role the page and the API take (one limit for both).
MAX_DECIDED_BY = 200


def _single(values: Sequence[str], path: str) -> str:
    """The one value of a single-valued field; a field sent twice (which the page never does)
    is refused rather than one of its values silently chosen."""
    if len(values) > 1:
        raise CaseError("is given more than once", path=path)
    return values[0]


def _read(controls: Sequence[Control], form: Mapping[str, Sequence[str]],
          prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in controls:
        values = [v for v in form.get(c.name, ()) if v.strip()]
        path = c.name[len(prefix):]
        if c.kind == "multi":
            if values:
                _put(out, path, list(values))
            continue
        if not values:
            continue
        text = _single(values, c.name)
        if c.kind == "checkbox":
            _put(out, path, True)
        elif c.kind == "number" or c.numeric:
            _put(out, path, _number(text, c.name))
        elif c.kind == "choice" and text in ("true", "false") and {v for v, _ in c.choices} >= {
            "true", "false"
        }:
            _put(out, path, text == "true")
        else:
            _put(out, path, text)
    return out


@dataclass(frozen=True)
class Submission:
    """What a form submission asks for: the case mapping, an override, and who decided."""

    case: dict[str, Any]
    override: dict[str, Any] | None
    decided_by: str | None


def read_form(
    form: Mapping[str, Sequence[str]], measures: Sequence[str], indicator_ids: Sequence[str]
) -> Submission:
    """The case, override and decider a submitted form gives.

    ``indicator_ids`` and ``measures`` are the ruleset's (a note is read only for a ticked
    concern; a measure only when the ruleset has it and it is filled in).

    Raises:
        CaseError: a number that is not written as a decimal number (its field path only).
    """
    case = _read(_flat(case_controls()), form)
    known = set(indicator_ids)
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for value in form.get(INDICATOR, ()):
        if value in seen:
            continue
        seen.add(value)
        item: dict[str, Any] = {"id": value}
        if value in known:
            note = [n for n in form.get(NOTE_PREFIX + value, ()) if n.strip()]
            if note:
                item["note"] = _single(note, f"{NOTE_PREFIX}{value}")
        items.append(item)
    if items:
        case["indicators"] = items
    found: dict[str, int | float] = {}
    for name in measures:
        values = [v for v in form.get(MEASURE_PREFIX + name, ()) if v.strip()]
        if values:
            found[name] = _number(_single(values, f"measures.{name}"), f"measures.{name}")
    if found:
        case["measures"] = found
    override = _read(_flat(override_controls()), form, OVERRIDE_PREFIX) or None
    who = [v for v in form.get(DECIDED_BY, ()) if v.strip()]
    decided_by = _single(who, DECIDED_BY).strip() if who else None
    if decided_by is not None and len(decided_by) > MAX_DECIDED_BY:
        # refused, never cut short: the log would keep a role the practitioner did not write
        raise CaseError(f"must be at most {MAX_DECIDED_BY} characters", path=DECIDED_BY)
    return Submission(case, override, decided_by)


def parse_form(body: bytes) -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body as name → values (bounded field count).

    Raises:
        CaseError: not UTF-8, or more than :data:`MAX_FIELDS` fields.
    """
    from urllib.parse import parse_qsl

    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS,
                          errors="strict")
    except UnicodeDecodeError:
        raise CaseError("the form is not UTF-8 text") from None
    except ValueError:
        raise CaseError(f"the form has more than {MAX_FIELDS} fields") from None
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out

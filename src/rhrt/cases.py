# SPDX-License-Identifier: MIT
"""Turn what callers give us (a Case, a dict, YAML or JSON text, a file) into a :class:`Case`.

Errors are :class:`~rhrt.errors.CaseError` naming the field path, never the value: a case is a
child's personal data, and error messages end up in logs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rhrt._words import plural
from rhrt.errors import CaseError, field_path
from rhrt.model import known_keys
from rhrt.model.case import Case
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
    try:
        return Case.model_validate(dict(value))
    except ValidationError as exc:
        raise _case_error(exc, located) from None
    except RecursionError:
        raise CaseError("case is nested too deeply") from None


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

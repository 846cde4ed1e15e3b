# SPDX-License-Identifier: MIT
"""Every failure a caller can cause is a subclass of :class:`RhrtError`.

The hierarchy::

    RhrtError
    ├─ RulesetError (ValueError)        file, line, column, field path, suggestion
    │  ├─ RulesetSyntaxError           bad YAML, duplicate key, unsafe tag, size limits
    │  ├─ RulesetSchemaError           unknown key, wrong type, level outside 1-4
    │  └─ RulesetReferenceError        dangling or duplicate id
    ├─ TemplateRenderError              a template is missing, invalid, or failed in the sandbox
    ├─ CaseError (ValueError)           field path only; never echoes case values
    ├─ FileError (OSError)              an input or output file cannot be used (names the file)
    ├─ ArgumentError (TypeError)        a Python argument of the wrong type (e.g. engine=5)
    ├─ RecordError (ValueError)         a decision record that cannot be read back
    ├─ BackendError                     a second engine failed or disagreed
    └─ MissingExtraError (ImportError)  names the extra to install

Why a hierarchy with documented attributes: callers (case systems, portals) must be able to
catch *one* class and know the problem is the input, and the CLI maps classes to exit codes.
Messages never contain case values (children's data): only field names, ids from the ruleset
and positions. The underlying cause, when there is one, is kept as ``__cause__``.

This module imports nothing from rhrt but the leaf ``rhrt._text`` (the one sanitiser).
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rhrt._text import clean
from rhrt._words import plural

__all__ = [
    "ArgumentError",
    "BackendError",
    "CaseError",
    "FileError",
    "MissingExtraError",
    "Problem",
    "RecordError",
    "RhrtError",
    "RulesetError",
    "RulesetReferenceError",
    "RulesetSchemaError",
    "RulesetSyntaxError",
    "TemplateRenderError",
    "field_path",
    "id_shaped",
    "shown_id",
    "suggest",
]

MAX_SHOWN_LENGTH = 40
"""The longest name an error echoes (unless it is a known id)."""
MAX_SHOWN_SEGMENTS = 5
"""The most ``-``/``_``/``.``/``:``-separated parts a name an error echoes may have (unless it is
a known id): ``domestic_abuse_incidents_12_months`` is shown; ``mum-said-she-would-kill-him``
(a sentence in kebab case) is not."""
ID_SHAPE = re.compile(rf"[a-z0-9][a-z0-9_.:-]{{0,{MAX_SHOWN_LENGTH - 1}}}")
"""What an id looks like: lower-case letters, digits, ``-``, ``_``, ``.``, ``:``, at most
:data:`MAX_SHOWN_LENGTH` characters (and at most :data:`MAX_SHOWN_SEGMENTS` parts). Only text of
this shape, or a known id, is echoed in an error: anything else may be a note, a name or a
sentence typed into the wrong field, key or column."""
_SEPARATOR = re.compile(r"[-_.:]")
NOT_SHOWN = "<not shown>"
"""Stands in an error for a key or value that is not shaped like an id."""


def id_shaped(value: object, known: Container[str] = ()) -> bool:
    """Whether an error may echo ``value``: a known id (one of ``known``: the ruleset's or the
    format's own names), or a short string shaped like an id (see :data:`ID_SHAPE`,
    :data:`MAX_SHOWN_SEGMENTS`). The one rule for every path: cases, batch columns, rulesets,
    overrides. A near miss of a known id is shown through its suggestion (the known id), never
    the typed text, unless the typed text passes this rule."""
    if not isinstance(value, str):
        return False
    if value in known:
        return True
    return (
        ID_SHAPE.fullmatch(value) is not None
        and len(_SEPARATOR.split(value)) <= MAX_SHOWN_SEGMENTS
    )


def shown_id(value: object, known: Container[str] = ()) -> str:
    """``value`` when an error may echo it (:func:`id_shaped`), else :data:`NOT_SHOWN`: the one
    rule for echoing a name a caller gave (an unknown indicator, measure, key, column or engine)
    in an error."""
    return value if isinstance(value, str) and id_shaped(value, known) else NOT_SHOWN


def field_path(parts: Iterable[object]) -> str:
    """A field path for an error: ``('measures', 'dash_score')`` -> ``measures.dash_score``.

    Indexes are shown as ``[n]``; a key is shown only when it is shaped like an id, because a
    key may be case content (a note that became a key through bad indentation, a measure name
    that is a sentence).
    """
    out = ""
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            name = shown_id(part)
            out += f".{name}" if out else name
    return out


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """Return the nearest valid name to a misspelt one, or None.

    difflib's ratio is good enough for slugs like ``bruising-non-moble`` and avoids a
    hand-written edit distance. (Imported here: only an error needs it, and importing it
    costs every start-up.)
    """
    import difflib

    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


@dataclass(frozen=True)
class Problem:
    """One problem found in a ruleset file, with where it is."""

    message: str
    """What is wrong, in plain words."""
    path: str = ""
    """The field path, e.g. ``rules[3].when.indicator``."""
    file: str | None = None
    line: int | None = None
    """1-based line number in the file, where known."""
    column: int | None = None
    """1-based column number in the file, where known."""
    suggestion: str | None = None
    """The nearest valid name for a misspelt id or key."""

    def __str__(self) -> str:
        text = self.message
        if self.path:
            text += f" at {self.path}"
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"col {self.column}")
        if where:
            text += f" ({', '.join(where)})"
        if self.suggestion:
            text += f"; did you mean '{self.suggestion}'?"
        if self.file:
            text = f"{self.file}: {text}"
        return clean(text)  # one line: a key or file name cannot start a line of its own


class RhrtError(Exception):
    """Base class of every error rhrt raises on purpose.

    ``str()`` passes the message through rhrt's one sanitiser (:func:`rhrt._text.clean`): an
    error may name a file or a ruleset key, and printing it must never control a terminal.
    """

    def __str__(self) -> str:
        return clean(super().__str__(), multiline=True)

    #: The exit code the command line uses for this error.
    exit_code: ClassVar[int] = 2


class RulesetError(RhrtError, ValueError):
    """A ruleset file is not valid.

    A loader collects every problem it can find before raising, so an author fixes a file in one
    pass. The first problem's location is copied to the attributes for convenience.
    """

    subject: ClassVar[str] = "ruleset"
    """What the file is, as the heading of several problems says: "2 problems in ruleset"."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            problems = [Problem("invalid ruleset")]
        self.problems: tuple[Problem, ...] = tuple(problems)
        first = self.problems[0]
        self.file = first.file
        self.line = first.line
        self.column = first.column
        self.path = first.path
        self.suggestion = first.suggestion
        if len(self.problems) == 1:
            text = str(first)
        else:
            text = f"{plural(len(self.problems), 'problem')} in {self.subject}:\n" + "\n".join(
                f"  - {p}" for p in self.problems
            )
        super().__init__(text)


class RulesetSyntaxError(RulesetError):
    """The file is not safe, well-formed YAML (or breaks a size limit)."""


class RulesetSchemaError(RulesetError):
    """The YAML does not match the ruleset schema (unknown key, wrong type, bad value)."""


class RulesetReferenceError(RulesetError):
    """An id is duplicated, or a reference names an id that does not exist."""


class TemplateRenderError(RhrtError):
    """A template is missing, invalid, or failed (e.g. a misspelt variable in an override).

    Raised by :mod:`rhrt.render`. The message names the template and the problem, never case
    values; it is one line (a template or folder name holding a line break cannot start a line
    of its own).
    """

    def __str__(self) -> str:
        return clean(str(self.args[0]) if self.args else "")


class CaseError(RhrtError, ValueError):
    """A case is not valid.

    The message names the field path and what is wrong, never the value given (which may be a
    child's personal data).
    """

    row: int | None = None
    """For a table's row refused by the batch checks: its 0-based row number (also in ``path``),
    so a driver that numbers rows itself (Spark) can name the row in the whole input."""
    column: str | None = None
    """With ``row``: the column, as a table has it (shown in ``path`` only when id-shaped)."""
    reason: str = ""
    """The message without the path."""

    def __init__(self, message: str, *, path: str = "", suggestion: str | None = None) -> None:
        self.path = path
        self.suggestion = suggestion
        self.reason = message
        text = message
        if path:
            text += f" at {clean(path)}"  # one line: a path cannot start a line of its own
        if suggestion:
            text += f"; did you mean '{clean(suggestion)}'?"
        super().__init__(text)


class FileError(RhrtError, OSError):
    """A file named for input or output cannot be used: missing, unreadable, corrupt, a folder,
    the same file as an input, or the disk is full.

    ``path`` is the file as the caller named it; the message says what is wrong with it (and
    the system's reason), never anything read from it.
    """

    def __init__(self, message: str, *, path: str = "") -> None:
        self.path = path
        # one line: a file name holding "\r" or "\n" cannot start a line of its own
        text = f"{message}: {clean(path)}" if path else message
        super().__init__(text)

    def __str__(self) -> str:
        return clean(str(self.args[0]) if self.args else "", multiline=True)


class ArgumentError(RhrtError, TypeError):
    """A Python API argument has the wrong type (``engine=5``, ``limits=None``,
    ``load_ruleset(5)``): a programming mistake, distinct from invalid input data.

    A ``TypeError`` too, so callers who catch either see it; the message names the argument and
    the type expected, never the value.
    """

    def __init__(
        self, argument: str, expected: str, got: object, *, message: str | None = None
    ) -> None:
        self.argument = argument
        super().__init__(message or f"{argument} must be {expected}, not {type(got).__name__}")


def expect(value: object, kinds: type | tuple[type, ...], argument: str, expected: str) -> None:
    """Raise :class:`ArgumentError` unless ``value`` is an instance of ``kinds``."""
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _tuple(kinds)):
        raise ArgumentError(argument, expected, value)


def _tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


class RecordError(RhrtError, ValueError):
    """A stored decision record cannot be read back (``Decision.from_json``): not JSON, or not
    the shape of a decision. Names the field path and the kind of problem, never a value (a
    record holds override reasons and may hold notes)."""

    def __init__(self, message: str, *, path: str = "") -> None:
        self.path = path
        super().__init__(f"{message} at {clean(path)}" if path else message)


class BackendError(RhrtError):
    """An evaluation backend failed, or two backends disagreed."""

    exit_code: ClassVar[int] = 1


EXIT_MISSING_EXTRA = 3
"""The command line's exit code when a feature needs an extra that is not installed."""

EXTRA_OF_MODULE = {
    "numpy": "analysis",
    "pandas": "analysis",
    "pyarrow": "analysis",
    "polars": "analysis",
    "matplotlib": "analysis",
    "hypothesis": "testing",
    "durable": "durable",
    "z3": "prove",
}
"""Optional top-level modules → the rhrt extra that installs them."""


class MissingExtraError(RhrtError, ImportError):
    """An optional feature needs an extra that is not installed (exit code 3), or one that
    cannot be installed on this Python (``reason`` says why)."""

    exit_code: ClassVar[int] = EXIT_MISSING_EXTRA

    def __init__(self, feature: str, extra: str, reason: str | None = None) -> None:
        self.extra = extra
        super().__init__(
            f"{feature} needs the '{extra}' extra: "
            + (reason if reason is not None else f"pip install 'rhrt[{extra}]'")
        )

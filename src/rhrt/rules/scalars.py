# SPDX-License-Identifier: MIT
"""How rhrt reads a plain (unquoted) YAML scalar: one documented reading for rulesets and cases.

Why: PyYAML reads YAML 1.1, where ``014`` is octal 12, ``1:30`` is base-60 90, ``0x1F`` is 31,
``.nan`` is a number and ``no``/``on`` are booleans. A DASH score written ``014`` then becomes 12
and a child is under-assessed without any error. YAML 1.2 reads several of these differently, so
a person cannot know which reading they get. rhrt therefore reads the **YAML 1.2 core schema**
and **refuses every form the two readings (or a person) could disagree on**:

============================  ==========================================================
plain scalar                  read as
============================  ==========================================================
``null`` ``Null`` ``NULL``    nothing (``None``); so is ``~`` and an empty value
``~`` or empty
``true``/``false``            a boolean (also ``True``, ``TRUE``, ``False``, ``FALSE``)
``14`` ``-3`` ``+7`` ``0``    a whole number, in decimal
``2.5`` ``.5`` ``1e3``        a number (finite)
``2024-05-01``                a date (an impossible date is refused)
``<<``                        a merge key
anything else                 text
----------------------------  ----------------------------------------------------------
**refused**, with file:line   ``014``/``007.5`` (leading zero), ``1:30`` (base 60 or a
and what it may have meant    time), ``0x1F``/``0o17``/``0b101``, ``1_000``,
                              ``.inf``/``.nan`` and numbers too large to be finite,
                              ``yes``/``no``/``on``/``off``/``y``/``n`` in any case,
                              a number with more digits than a float holds exactly
                              (``12.9999999999999999`` would be read as 13)
============================  ==========================================================

Quoted scalars are always text, so ``'014'``, ``"yes"`` or ``"1:30"`` is how a person writes such
text. JSON is YAML and is read by the same rules (so ``1E400`` is refused as not finite). Any
explicit tag (``!!int 014``) is refused by the reader (``safe_yaml.py``); were one let through, it
would be held to these rules. The model then checks each value against its field.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MERGE_TAG = "tag:yaml.org,2002:merge"
AMBIGUOUS_TAG = "tag:rhrt.invalid,2026:ambiguous"
"""Resolved for a plain scalar rhrt refuses; never a tag a document can usefully write."""

CORE_TAGS = frozenset({NULL_TAG, BOOL_TAG, INT_TAG, FLOAT_TAG, AMBIGUOUS_TAG})
"""Tags whose value :func:`construct` reads (the others are left to PyYAML's safe loader)."""

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_YAML11_BOOLS = {
    **{word: True for word in ("y", "Y", "yes", "Yes", "YES", "on", "On", "ON")},
    **{word: False for word in ("n", "N", "no", "No", "NO", "off", "Off", "OFF")},
}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
# PyYAML's own timestamp expression (YAML 1.1 timestamp type).
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?"
)
_NON_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)")
_RADIX = re.compile(r"[-+]?0(?:[xX][0-9a-fA-F_]+|[oO][0-7_]+|[bB][01_]+)")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_NUMBERISH = re.compile(r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9_]")
# A plain scalar that starts with none of these is text: the fast path for most values.
MAYBE_SPECIAL = frozenset("0123456789+-.~<tTfFnNyYoO")
"""First characters of every plain scalar that may be read as anything but text (one that
starts with another character, and is not empty, is text: ``resolve_plain`` gives STR_TAG)."""


class AmbiguousScalar(ValueError):
    """A plain scalar rhrt refuses. ``message`` quotes the value and what it may have meant (for
    rulesets); ``private_message`` says the same without the value (for cases: personal data)."""

    def __init__(self, message: str, private_message: str) -> None:
        super().__init__(message)
        self.message = message
        self.private_message = private_message


INEXACT_NUMBER = "has more digits than can be read exactly; round it"
"""The one wording for a number :func:`exact_float` refuses (rulesets, cases, batch cells)."""
INEXACT_CASE_VALUE = f"a number that {INEXACT_NUMBER}"
"""The same without the value (for cases: personal data)."""


class InexactNumber(ValueError):
    """Decimal text that no float holds: reading it would silently change its value."""


def exact_float(text: str) -> float:
    """The float that decimal ``text`` (a finite number, e.g. ``12.5`` or ``1e3``) means.

    Why: ``float("12.9999999999999999")`` is 13.0, so a child of "12.9999999999999999" years
    would be assessed as 13. A number is read only when its value is kept: the text's exact
    decimal value must equal that of the float read (compared as decimals, so ``12.50`` and
    ``1e3`` are read; ``0.1`` is read as the float whose shortest form is ``0.1``).
    The ONE reading of number text for the YAML/JSON reader and batch text columns.

    Raises:
        InexactNumber: the text has more digits than a float holds exactly (also a non-zero
            number too small to be held, which would be read as 0, and an exponent too large
            for any decimal, e.g. ``0E1000000000000000000``).
        ValueError: the text is not a number (as ``float``).
    """
    number = float(text)
    if math.isfinite(number) and not _same_value(text, number):
        raise InexactNumber(INEXACT_NUMBER)
    return number


def _same_value(text: str, number: float) -> bool:
    # An exponent beyond what any decimal holds (``0E1000000000000000000``) cannot be compared;
    # such text is refused as inexact rather than read (refusing never misreads a value).
    try:
        return Decimal(text) == Decimal(repr(number))
    except InvalidOperation:
        return False


def resolve_plain(value: str) -> str:
    """The tag of a plain (unquoted) scalar under rhrt's reading (see the module docstring)."""
    if value and value[0] not in MAYBE_SPECIAL:
        return STR_TAG
    if value in _NULLS:
        return NULL_TAG
    if value in _BOOLS:
        return BOOL_TAG
    if value in _YAML11_BOOLS:
        return AMBIGUOUS_TAG
    if value == "<<":
        return MERGE_TAG
    if _INT.fullmatch(value):
        return INT_TAG
    if _FLOAT.fullmatch(value):
        return FLOAT_TAG
    if _TIMESTAMP.fullmatch(value):
        return TIMESTAMP_TAG
    if _ambiguity(value) is not None:
        return AMBIGUOUS_TAG
    return STR_TAG


def construct(tag: str, value: str) -> Any:
    """The value of a scalar with one of :data:`CORE_TAGS`, plain or explicitly tagged.

    Raises:
        AmbiguousScalar: a form rhrt refuses (it says what the value may have meant).
        ValueError: the value is not of the tag's type (e.g. ``!!int abc``, ``!!bool 1``).
    """
    ambiguity = _ambiguity(value)
    if ambiguity is not None:
        raise ambiguity
    if tag == NULL_TAG and value in _NULLS:
        return None
    if tag == BOOL_TAG and value in _BOOLS:
        return _BOOLS[value]
    if tag == INT_TAG and _INT.fullmatch(value):
        return int(value)  # ValueError beyond Python's digit limit
    if tag == FLOAT_TAG and (_FLOAT.fullmatch(value) or _INT.fullmatch(value)):
        try:
            number = exact_float(value)
        except InexactNumber:
            raise AmbiguousScalar(
                f"{value} {INEXACT_NUMBER} (it would be read as {float(value)!r})",
                INEXACT_CASE_VALUE,
            ) from None
        if math.isinf(number):
            raise AmbiguousScalar(
                f"{value} is too large to be a finite number: write a smaller number, "
                "or quote it if it is text",
                "ambiguous value: a number too large to be finite",
            )
        return number
    raise ValueError(f"not a valid {tag.rsplit(':', 1)[-1]}")


def _ambiguity(value: str) -> AmbiguousScalar | None:
    """Why a plain scalar is refused, or None when it is read unambiguously."""
    if not value or value[0] not in MAYBE_SPECIAL:
        return None
    if value in _YAML11_BOOLS:
        meant = "true" if _YAML11_BOOLS[value] else "false"
        return AmbiguousScalar(
            f"{value} is {meant} in YAML 1.1 but text in YAML 1.2: write {meant} if you mean "
            f"{meant}, or quote it ('{value}') if it is text",
            "ambiguous value: a yes/no/on/off word, which YAML 1.1 reads as true/false and "
            "YAML 1.2 as text, so rhrt reads it as neither (in a true/false field write true or "
            "false; if it is text, or one of a field's words, quote it)",
        )
    if _NON_FINITE.fullmatch(value):
        return AmbiguousScalar(
            f"{value} is not a finite number: write a number, or quote it if it is text",
            "ambiguous value: infinity or not-a-number (write a number, or quote it if it is "
            "text)",
        )
    if _RADIX.fullmatch(value):
        base = {"x": "hexadecimal", "o": "octal", "b": "binary"}[value.lstrip("+-")[1].lower()]
        try:
            decimal = f" ({int(value.replace('_', ''), 0)} in decimal)"
        except ValueError:
            decimal = ""
        article = "an" if base[0] in "aeiou" else "a"
        return AmbiguousScalar(
            f"{value} is {article} {base} number{decimal}: write the number in decimal, or quote "
            "it if it is text",
            "ambiguous value: a hexadecimal, octal or binary number (write it in decimal, or "
            "quote it if it is text)",
        )
    if _BASE60.fullmatch(value):
        return AmbiguousScalar(
            f"{value} is a base-60 number{_base60(value)} in YAML 1.1 (and looks like a time): "
            "write the number you mean, or quote it if it is text",
            "ambiguous value: a base-60 number or a time, hours:minutes (write the number you "
            "mean, or quote it if it is text)",
        )
    if _NUMBERISH.fullmatch(value):
        if _LEADING_ZERO.match(value):
            return AmbiguousScalar(
                f"{value} has a leading zero{_octal(value)}: write {_without_zeros(value)}, "
                "or quote it if it is text",
                "ambiguous value: a number with a leading zero (write it without the zero, or "
                "quote it if it is text)",
            )
        if "_" in value:
            return AmbiguousScalar(
                f"{value} has '_' between its digits: write {value.replace('_', '')}, or quote "
                "it if it is text",
                "ambiguous value: a number with '_' between its digits (write it without, or "
                "quote it if it is text)",
            )
    return None


def _without_zeros(value: str) -> str:
    sign = value[0] if value[0] in "+-" else ""
    body = value.lstrip("+-").replace("_", "").lstrip("0")
    if not body or body[0] in ".eE":
        body = "0" + body
    return sign + body


def _octal(value: str) -> str:
    digits = value.lstrip("+-").replace("_", "")
    if re.fullmatch(r"0[0-7]+", digits):
        sign = "-" if value.startswith("-") else ""
        return f" (YAML 1.1 reads it as octal, {sign}{int(digits, 8)})"
    return ""


def _base60(value: str) -> str:
    if "." in value:
        return ""
    sign = -1 if value.startswith("-") else 1
    total = 0
    for part in value.lstrip("+-").replace("_", "").split(":"):
        total = total * 60 + int(part)
    return f" ({sign * total})"

# SPDX-License-Identifier: MIT
"""Counting words for people: ``1 rule``, ``2 rules``, ``1 property``, ``3 properties``.

One helper, so no message says "1 rules" or "problem(s)".
"""

from __future__ import annotations

_IRREGULAR = {"property": "properties", "child": "children", "person": "people"}


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``count`` and the noun in the right number, with thousands separators.

    The plural is ``plural_form`` if given, else a known irregular one, else the singular with
    ``-s`` (``-es`` after s, x, z, ch, sh; ``-ies`` after a consonant and y).
    """
    return f"{count:,} {singular if count == 1 else (plural_form or plural_of(singular))}"


def plural_of(singular: str) -> str:
    """The plural of an English noun as rhrt's messages use them."""
    if singular in _IRREGULAR:
        return _IRREGULAR[singular]
    if singular.endswith(("s", "x", "z", "ch", "sh")):
        return singular + "es"
    if singular.endswith("y") and len(singular) > 1 and singular[-2] not in "aeiou":
        return singular[:-1] + "ies"
    return singular + "s"

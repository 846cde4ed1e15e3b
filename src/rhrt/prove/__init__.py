# SPDX-License-Identifier: MIT
"""Proofs of a ruleset's safety properties over *every* possible case (the ``prove`` extra).

``rhrt check`` samples cases with hypothesis; a sample that finds nothing is not a proof. The
rules are small enough to prove properties for all cases: :func:`prove` encodes the compiled
plan for the z3 solver (``rhrt.prove._encode``) and asks it for a case that breaks each
property. None means proved; one is minimised (fewest concerns, least information) and
reported in plain words and as case data ``rhrt assess`` reproduces.

>>> from rhrt import load_ruleset
>>> from rhrt.prove import prove
>>> report = prove(load_ruleset())          # doctest: +SKIP
>>> report.ok                                # doctest: +SKIP
True

Importing this package is light; z3 is imported by :func:`prove` (``MissingExtraError`` when
the ``prove`` extra is not installed). The properties and what each means are in
docs/rule-authors.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rhrt.errors import ArgumentError, MissingExtraError
from rhrt.prove._report import Counterexample, PropertyResult, Report

if TYPE_CHECKING:
    from rhrt.ruleset import Ruleset

__all__ = [
    "MAX_TIMEOUT_SECONDS",
    "PROPERTIES",
    "Counterexample",
    "PropertyResult",
    "Report",
    "available",
    "prove",
]

#: The longest a caller may let the solver spend on one question, in seconds (``prove`` and
#: ``rhrt prove --timeout`` share it).
MAX_TIMEOUT_SECONDS = 3600.0

PROPERTIES: dict[str, str] = {
    "no-concerns": "A child with no concerns recorded is at level 1",
    "adding-a-concern": "Adding a concern never lowers the level",
    "adding-keeps-urgency": "Adding a concern never drops urgency",
    "adding-keeps-routes": (
        "Adding a concern never removes an emergency or statutory route (a route replaced by "
        "the case's context, with who to tell instead, is not removed)"
    ),
    "raising-a-measure": (
        "Making a measure more concerning (e.g. a higher DASH score) never lowers the level"
    ),
    "missing-information": (
        "Missing information (age, unborn, a measure) never lowers the level, drops urgency or "
        "removes an emergency or statutory route"
    ),
    "immediate-danger": (
        "Every immediate-danger indicator gives level 4, urgent, with the emergency route"
    ),
    "allegation": "Every allegation indicator gives the allegation route's pathways",
    "reachable": "Every indicator, rule and pathway can be reached",
    "no-conflicts": "No two rules conflict on the same cases",
}
"""Property id → the property in words, in the order they are reported."""


def available() -> bool:
    """True when the ``prove`` extra (z3-solver) is installed."""
    import importlib.util

    return importlib.util.find_spec("z3") is not None


def prove(
    ruleset: Ruleset,
    *,
    properties: Sequence[str] | None = None,
    timeout_seconds: float = 60.0,
) -> Report:
    """Prove every safety property of ``ruleset`` for all cases, or find minimal breaches.

    Args:
        ruleset: a loaded ruleset.
        properties: only these property ids (default: all of :data:`PROPERTIES`).
        timeout_seconds: the most the solver may spend on one question; a question it cannot
            answer in time is reported ``unknown`` (never as proved).

    Raises:
        MissingExtraError: z3-solver is not installed (``pip install 'rhrt[prove]'``).
        KeyError: an unknown property id.
        ArgumentError: ``properties`` is not a sequence of property ids (a bare string is
            refused, not read letter by letter), or ``timeout_seconds`` is not a finite number
            of seconds above 0 and at most 3,600 (``nan``, ``inf``, ``0``, ``True``: the same
            range as ``rhrt prove --timeout``).
    """
    _check_arguments(properties, timeout_seconds)
    if not available():
        raise MissingExtraError("rhrt prove", "prove")
    from rhrt.prove._prover import run

    chosen = list(PROPERTIES) if properties is None else list(properties)
    for pid in chosen:
        if pid not in PROPERTIES:
            raise KeyError(f"unknown property '{pid}'")
    return run(ruleset, chosen, float(timeout_seconds))


def _check_arguments(properties: object, timeout_seconds: object) -> None:
    """Refuse arguments that would be read wrongly, before z3 is imported."""
    if properties is not None and (
        isinstance(properties, (str, bytes))
        or not isinstance(properties, Sequence)
        or not all(isinstance(p, str) for p in properties)
    ):
        raise ArgumentError("properties", "a sequence of property ids (or None)", properties)
    in_range = (
        isinstance(timeout_seconds, (int, float))
        and not isinstance(timeout_seconds, bool)
        and math.isfinite(timeout_seconds)
        and 0 < timeout_seconds <= MAX_TIMEOUT_SECONDS
    )
    if not in_range:
        raise ArgumentError(
            "timeout_seconds",
            f"a finite number of seconds above 0 and at most {MAX_TIMEOUT_SECONDS:,.0f}",
            timeout_seconds,
            message=(
                "timeout_seconds must be a finite number of seconds above 0 and at most "
                f"{MAX_TIMEOUT_SECONDS:,.0f}"
            ),
        )

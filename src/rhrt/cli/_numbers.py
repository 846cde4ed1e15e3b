# SPDX-License-Identifier: MIT
"""The argparse types of every numeric command-line option, each with a finite range.

Why: ``type=int``/``type=float`` accept ``nan``, ``inf``, ``1e308``, negative numbers and
99999999999, which then ran for ten minutes (``check --max-examples``), passed a check they
should fail (``test --min-coverage nan``) or ended in "unexpected error" (``prove --timeout
inf``). Every numeric option uses one of these instead, so a value outside its range is an
argparse usage error (exit 2) naming the option and the range, before any work starts.

- :func:`whole_number` ``(low, high)``: an integer (decimal digits, optional sign) in
  ``[low, high]``;
- :func:`percentage`: a finite number from 0 to 100;
- :func:`seconds` ``(high)``: a finite number of seconds above 0 and at most ``high``.

Ranges used by the commands (see each option's help): ``check --max-examples`` 1-100,000,
``check --seed`` 0 to 2**64-1, ``synth N`` 0-20,000,000, ``synth --seed`` 0 to 2**128-1,
``batch``/``audit``/``diff --chunk-size`` 1-10,000,000, ``audit``/``diff --top`` 0-1,000,000,
``test --min-coverage`` 0-100, ``prove --timeout`` (0, 3600] seconds.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable

from rhrt.prove import MAX_TIMEOUT_SECONDS

__all__ = [
    "MAX_CHUNK_ROWS",
    "MAX_EXAMPLES",
    "MAX_TIMEOUT_SECONDS",
    "MAX_TOP",
    "percentage",
    "seconds",
    "whole_number",
]

MAX_EXAMPLES = 100_000
MAX_CHUNK_ROWS = 10_000_000
MAX_TOP = 1_000_000

_WHOLE = re.compile(r"[+-]?[0-9]{1,60}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})")


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (both included)."""

    def parse(text: str) -> int:
        if not _WHOLE.fullmatch(text.strip()):
            raise argparse.ArgumentTypeError(f"must be a whole number from {low:,} to {high:,}")
        value = int(text.strip())
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low:,} to {high:,}")
        return value

    parse.__name__ = "whole number"
    return parse


def _finite(text: str, message: str) -> float:
    # plain decimals only: no nan, inf, exponents (1e308) or hex
    if not _DECIMAL.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(message)
    value = float(text.strip())
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(message)
    return value


def percentage(text: str) -> float:
    """An argparse type: a finite number from 0 to 100."""
    message = "must be a number from 0 to 100"
    value = _finite(text, message)
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(message)
    return value


def seconds(high: float = MAX_TIMEOUT_SECONDS) -> Callable[[str], float]:
    """An argparse type: a finite number of seconds above 0 and at most ``high``."""
    message = f"must be a number of seconds above 0 and at most {high:g}"

    def parse(text: str) -> float:
        value = _finite(text, message)
        if not 0 < value <= high:
            raise argparse.ArgumentTypeError(message)
        return value

    parse.__name__ = "seconds"
    return parse

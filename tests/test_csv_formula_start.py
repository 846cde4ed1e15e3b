# SPDX-License-Identifier: MIT
"""``rhrt.render.escape.FORMULA_START`` is listed by hand (computing it cost every start-up
about 2 ms, issue 17): it must be exactly the formula signs followed by every control (``Cc``)
and whitespace character, in code point order, over the whole of Unicode as this Python knows it.
"""

from __future__ import annotations

import sys
import unicodedata

from rhrt.render.escape import FORMULA_START


def test_formula_start_is_the_signs_then_every_control_and_space() -> None:
    defined = "=+-@" + "".join(
        ch
        for ch in map(chr, range(sys.maxunicode + 1))
        if unicodedata.category(ch) == "Cc" or ch.isspace()
    )
    assert defined == FORMULA_START


def test_formula_start_has_no_repeats() -> None:
    assert len(set(FORMULA_START)) == len(FORMULA_START)

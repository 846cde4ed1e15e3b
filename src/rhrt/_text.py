# SPDX-License-Identifier: MIT
"""The one sanitiser for text that reaches a terminal, a log line or a single-line field.

Why one function: case text (notes, sources, references) and ruleset text (titles, versions)
are typed or pasted by people and may carry terminal escape sequences (clear the screen, set
the window title), C1 controls (``\\x9b`` is a CSI on many terminals), backspaces that hide what
was printed, bidirectional overrides and isolates that reorder a line (Trojan Source), and
zero-width characters. Every path that prints (error messages, the CLI's output streams,
plain-text rendering, Markdown and HTML text) passes text through :func:`clean`, so there is
one definition of "safe to show" to test and to fix.

- ``clean(text)`` keeps one line: line breaks (``\\n``, ``\\r``, vertical tab, form feed,
  NEL, U+2028/U+2029) become `` / `` so a value can never start a line of its own (a newline
  in a ``reference`` must not forge a "PROFESSIONAL JUDGEMENT" line), tabs become spaces.
- ``clean(text, multiline=True)`` keeps newlines and tabs (notes, whole documents).
- Both remove complete escape sequences (CSI, OSC, DCS and two-character ``ESC x``) and then
  every remaining control (Unicode ``Cc``) and format character (``Cf``: bidi overrides and
  isolates, zero-width spaces and joiners, the BOM, soft hyphens…); other separators (``Zs``,
  e.g. a no-break space) become a plain space and a lone surrogate becomes U+FFFD.
- :func:`json_text` escapes the same characters in JSON text as ``\\uXXXX``: the data is
  unchanged, but nothing unsafe is printed raw.

This module imports nothing from rhrt.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["UNSAFE_CATEGORIES", "clean", "has_unsafe", "json_text"]

_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI: colours, cursor movement, clear screen
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # the same, as a C1 control
    r"|[\x1b][\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC/DCS/SOS/PM/APC: window title…
    r"|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # the same, as C1 controls
    r"|\x1b[ -/]*[0-~]?"  # two-character escapes (ESC c resets the terminal)
)
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
"""The Unicode categories never printed raw: controls, format characters (bidi overrides and
isolates, zero-width characters, the BOM, soft hyphens, tag characters U+E0000-U+E007F…), line
and paragraph separators, lone surrogates. Read from ``unicodedata``, not listed by hand: a
hand-written list of ranges missed the tag characters (regression: U+E0001)."""
_NOT_PLAIN = re.compile("[^\n -~]")
"""Every character but a newline and printable ASCII: the ones whose category is looked up."""


def clean(value: object, *, multiline: bool = False) -> str:
    """``value`` as text that is safe to print and, unless ``multiline``, on one line.

    ``None`` becomes the empty string. See the module docstring for what is removed.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():  # the common case, checked in C
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _LINE_BREAK.sub("\n", text)
    out: list[str] = []
    for ch in text:
        if ch.isprintable():
            out.append(ch)
        elif ch == "\n":
            out.append("\n" if multiline else "\0")
        elif ch == "\t":
            out.append("\t" if multiline else " ")
        else:
            category = unicodedata.category(ch)
            if category == "Zs":
                out.append(" ")
            elif category == "Cs":
                out.append("\ufffd")
            elif category not in UNSAFE_CATEGORIES:  # private use, unassigned: no control meaning
                out.append(ch)
            # the rest of UNSAFE_CATEGORIES (Cc, Cf, Zl, Zp, after _LINE_BREAK): dropped
    result = "".join(out)
    if not multiline and "\0" in result:
        result = " / ".join(part.strip() for part in result.split("\0") if part.strip())
    return result


def has_unsafe(text: str) -> bool:
    """Whether ``text`` holds a character of :data:`UNSAFE_CATEGORIES` (a newline or a tab
    included)."""
    if text.isprintable():  # the common case, checked in C
        return False
    return any(unicodedata.category(ch) in UNSAFE_CATEGORIES for ch in text)


def json_text(text: str) -> str:
    """JSON text with every character of :data:`UNSAFE_CATEGORIES` but the newline escaped
    (``\\uXXXX``, a surrogate pair past U+FFFF; a tab as ``\\t``): the data reads back the same.

    For JSON made with ``ensure_ascii=False``: json already escapes C0 controls inside strings,
    but leaves C1 controls, bidi overrides, zero-width and tag characters and lone surrogates
    raw. Outside strings JSON text holds only ASCII structure and whitespace (newlines and spaces
    are kept).
    """
    return _NOT_PLAIN.sub(_json_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch == "\t":
        return "\\t"
    if unicodedata.category(ch) not in UNSAFE_CATEGORIES:
        return ch
    code = ord(ch)
    if code > 0xFFFF:  # JSON escapes only 16-bit units: a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"

# SPDX-License-Identifier: MIT
"""A line reader for the plainest block-style YAML, the form every ruleset and case is written
in (issue 17: the first ``load_ruleset()`` spent most of its time turning libyaml's events into
Python objects, about 1.5 µs each, 11,000 for the bundled ruleset).

It reads a document only when every line is of a form it knows exactly, and otherwise raises
:class:`NotSimple` at once, so the document is read by ``safe_yaml``'s event reader (which is
also the reader of every document with a problem: this one never reports one). The forms:

- block mappings whose keys are plain words (``[A-Za-z0-9_][A-Za-z0-9_.-]*``, read as text),
  block sequences (also at their key's indentation), ``- key: value`` compact mappings;
- values on one line: plain scalars (read by ``rules/scalars.py`` as the event reader reads
  them; a date alone, no date and time), single-quoted, double-quoted without escapes, and
  flow collections of these on one line;
- ``>``, ``>-``, ``|`` and ``|-`` block scalars without leading blank lines, and (folded)
  without more-indented lines;
- comment and blank lines anywhere.

Anything else is handed over: tabs, carriage returns, non-printable characters, a byte-order
mark, document markers and directives, an empty or null value, a plain scalar that continues on
the next line, an anchor, alias, tag or merge key, a value rhrt refuses, a key that is not text, a
duplicate key, and a document over the nesting or value limits. What it reads (data, the position
of every value and key) is what the event reader gives: ``tests/test_yaml_one_pass.py`` compares
the two on generated documents and on every bundled and example file.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rhrt.rules import scalars

Path = tuple[str | int, ...]
Positions = dict[Path, tuple[int, int]]


class NotSimple(Exception):
    """The document has a form this reader does not read: read it with the event reader."""


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\n"
"""The ASCII characters read here: printable ones and the line feed (no tab or carriage
return; any other character is read only if Python counts it printable, which libyaml does
too)."""
_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.-]{0,999}):(?: +|$)")
"""A key and the spaces after it (at most 1,000 characters: libyaml refuses a key over 1,024)."""
_BLOCK_HEADER = re.compile(r"([>|])(-?)(?: *| +#.*)$")
_PLAIN_START_REFUSED = frozenset("?:,[]{}#&*!|>'\"%@`")
_FLOW_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.-]{0,999}): +")
_FLOW_PLAIN = re.compile(r"[^ ,\[\]{}#?'\"&*!|>%@`:](?:[^,\[\]{}#?:]|:(?=[^ ,\[\]{}]))*")
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_DOUBLE_QUOTED = re.compile(r'"([^"\\]*)"')
_SPECIAL = scalars.MAYBE_SPECIAL
_TEXT_STARTS = frozenset(map(chr, range(0x21, 0x7F))) - _PLAIN_START_REFUSED - _SPECIAL - {"-"}
"""First characters of a plain scalar that is text (see ``_plain``)."""
_STR_TAG = scalars.STR_TAG
_CORE_TAGS = scalars.CORE_TAGS
_TIMESTAMP_TAG = scalars.TIMESTAMP_TAG
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def read_block(
    text: str, max_depth: int, max_nodes: int, *, locate: bool = True
) -> tuple[Any, Positions, Positions]:
    """``(data, positions, key_positions)`` of a document in the forms above, as the event
    reader builds them (1-based line and column); without ``locate``, the positions are left
    empty (the same reading, about a third faster: ``safe_yaml`` reads them again only when a
    problem needs them).

    Raises:
        NotSimple: the document is not in those forms (or breaks a limit, or has a problem).
    """
    if text.isascii():  # then only the check for control characters (fast)
        if text.encode("ascii").translate(None, _PRINTABLE_ASCII):
            raise NotSimple
    elif not text.replace("\n", "").isprintable():  # stricter than libyaml: never looser
        raise NotSimple
    lines = text.split("\n")
    rows: list[int] = []
    indents: list[int] = []
    for number, line in enumerate(lines):
        content = line.lstrip(" ")
        if not content or content[0] == "#":
            continue
        indent = len(line) - len(content)
        if indent == 0 and content.startswith(("---", "...", "%")):
            raise NotSimple
        rows.append(number)
        indents.append(indent)
    if not rows:
        raise NotSimple
    reader = _Reader(lines, rows, indents, max_depth, locate)
    root = reader.block(indents[0], ())
    if reader.k < len(rows) or reader.nodes > max_nodes:
        raise NotSimple
    return root, reader.positions, reader.key_positions


class _Reader:
    """The reading of one document: ``k`` is the next content row (an index into ``rows``,
    the numbers of the lines that are neither blank nor comments, and ``indents``)."""

    __slots__ = ("depth", "indents", "k", "key_positions", "lines", "locate", "max_depth", "nodes",
                 "positions", "rows")

    def __init__(
        self, lines: list[str], rows: list[int], indents: list[int], max_depth: int, locate: bool
    ) -> None:
        self.locate = locate
        self.lines = lines
        self.rows = rows
        self.indents = indents
        self.max_depth = max_depth
        self.k = 0
        self.depth = 0
        self.nodes = 0
        self.positions: Positions = {}
        self.key_positions: Positions = {}

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise NotSimple

    def block(self, col: int, path: Any) -> Any:
        """The collection whose first line is row ``k``, at indentation ``col``."""
        line = self.lines[self.rows[self.k]]
        if line.startswith("-", col) and (len(line) == col + 1 or line[col + 1] == " "):
            return self.sequence(col, path, indentless=False)
        return self.mapping(col, path)

    def mapping(self, col: int, path: Path) -> dict[str, Any]:
        """A block mapping whose first key is at column ``col`` of row ``k``."""
        lines, rows, indents = self.lines, self.rows, self.indents
        positions, key_positions = self.positions, self.key_positions
        end = len(rows)
        number = rows[self.k]
        self._enter()
        self.nodes += 1
        locate = self.locate
        if locate:
            positions[path] = (number + 1, col + 1)
        out: dict[str, Any] = {}
        while True:
            line = lines[number]
            match = _KEY.match(line, col)
            if match is None:
                raise NotSimple
            key = match.group(1)
            if key in out or (key[0] in _SPECIAL and scalars.resolve_plain(key) != _STR_TAG):
                raise NotSimple
            self.nodes += 1
            if locate:
                here = (*path, key)
                key_positions[here] = (number + 1, col + 1)
            else:
                here = path
            self.k += 1
            at = match.end()
            if at == len(line) or line[at] == "#":
                out[key] = self.nested(col, here, indentless=True)
            elif line[at] in _TEXT_STARTS and " #" not in line and ": " not in line[at:]:
                # plain text, the most common value: what inline() does for it, inlined
                if locate:
                    positions[here] = (number + 1, at + 1)
                self.nodes += 1
                value = line[at:].rstrip(" ")
                if value[-1] == ":":
                    raise NotSimple
                out[key] = value
                if self.k < end and indents[self.k] > col:
                    raise NotSimple  # a continuation line, or a problem
            else:
                out[key] = self.inline(line, number, at, col, here)
            k = self.k
            if k == end or indents[k] < col:
                break
            if indents[k] > col:
                raise NotSimple
            number = rows[k]
        self.depth -= 1
        return out

    def sequence(self, col: int, path: Path, *, indentless: bool) -> list[Any]:
        """A block sequence whose first ``-`` is at column ``col`` of row ``k`` (``indentless``:
        at its key's indentation, so a line there without ``-`` is the mapping's next key)."""
        lines, rows, indents = self.lines, self.rows, self.indents
        end = len(rows)
        number = rows[self.k]
        self._enter()
        self.nodes += 1
        locate = self.locate
        if locate:
            self.positions[path] = (number + 1, col + 1)
        out: list[Any] = []
        while True:
            line = lines[number]
            here = (*path, len(out)) if locate else path
            rest = line[col + 1 :].lstrip(" ")
            at = len(line) - len(rest)
            self.k += 1
            if not rest or rest[0] == "#":
                out.append(self.nested(col, here, indentless=False))
            elif rest[0] == "-" and (len(rest) == 1 or rest[1] == " "):
                raise NotSimple  # "- - x"
            elif _KEY.match(line, at) is not None:
                self.k -= 1  # the mapping reads its first line itself
                out.append(self.mapping(at, here))
            else:
                out.append(self.inline(line, number, at, col, here))
            k = self.k
            if k == end or indents[k] < col:
                break
            if indents[k] > col:
                raise NotSimple
            number = rows[k]
            line = lines[number]
            if not (line.startswith("-", col) and (len(line) == col + 1 or line[col + 1] == " ")):
                if indentless:
                    break
                raise NotSimple
        self.depth -= 1
        return out

    def nested(self, col: int, path: Path, *, indentless: bool) -> Any:
        """The value of a key or ``-`` at column ``col`` with nothing after it on its line: the
        collection on the following lines (a null value is handed over)."""
        k = self.k
        if k == len(self.rows):
            raise NotSimple
        indent = self.indents[k]
        if indent > col:
            return self.block(indent, path)
        if indentless and indent == col:
            line = self.lines[self.rows[k]]
            if line.startswith("-", col) and (len(line) == col + 1 or line[col + 1] == " "):
                return self.sequence(col, path, indentless=True)
        raise NotSimple

    def inline(self, line: str, number: int, at: int, col: int, path: Path) -> Any:
        """The value starting at column ``at`` of line ``number`` (its row already read), in a
        collection at column ``col``."""
        if self.locate:
            self.positions[path] = (number + 1, at + 1)
        self.nodes += 1
        first = line[at]
        if first == "'":
            value: Any = _single_quoted(line, at)
        elif first == '"':
            close = line.find('"', at + 1)
            if close < 0:
                raise NotSimple
            value = line[at + 1 : close]
            if "\\" in value:
                raise NotSimple
            _after_value(line, close + 1)
        elif first == "[" or first == "{":
            value, after = self.flow(line, number, at, path)
            _after_value(line, after)
        elif first == ">" or first == "|":
            value = self.block_scalar(line, number, at, col)
        else:
            stop = line.find(" #", at)
            value = _plain((line[at:] if stop < 0 else line[at:stop]).rstrip(" "))
        k = self.k
        if k < len(self.rows) and self.indents[k] > col:
            raise NotSimple  # a continuation line, or a problem
        return value

    def flow(self, line: str, number: int, at: int, path: Path) -> tuple[Any, int]:
        """The flow collection (``[...]`` or ``{...}``, on this line) opening at column ``at``,
        and the column after it; each key a plain word, each scalar plain or quoted without
        escapes."""
        self._enter()
        end = len(line)
        pos = _skip(line, at + 1)
        closing = "]" if line[at] == "[" else "}"
        out: Any = [] if closing == "]" else {}
        if line.startswith(closing, pos):
            self.depth -= 1
            return out, pos + 1
        while True:
            if closing == "]":
                here = (*path, len(out)) if self.locate else path
                value, pos = self.flow_value(line, number, pos, here)
                out.append(value)
            else:
                match = _FLOW_KEY.match(line, pos)
                if match is None:
                    raise NotSimple
                key = match.group(1)
                if key in out or (key[0] in _SPECIAL and scalars.resolve_plain(key) != _STR_TAG):
                    raise NotSimple
                if self.locate:
                    here = (*path, key)
                    self.key_positions[here] = (number + 1, pos + 1)
                else:
                    here = path
                self.nodes += 1
                out[key], pos = self.flow_value(line, number, match.end(), here)
            pos = _skip(line, pos)
            if pos < end and line[pos] == ",":
                pos = _skip(line, pos + 1)
                continue
            if pos < end and line[pos] == closing:
                self.depth -= 1
                return out, pos + 1
            raise NotSimple

    def flow_value(self, line: str, number: int, pos: int, path: Path) -> tuple[Any, int]:
        """A value in a flow collection at column ``pos``, and the column after it."""
        if pos >= len(line):
            raise NotSimple  # the collection goes on to the next line
        if self.locate:
            self.positions[path] = (number + 1, pos + 1)
        self.nodes += 1
        first = line[pos]
        if first == "[" or first == "{":
            return self.flow(line, number, pos, path)
        if first == "'":
            match = _SINGLE_QUOTED.match(line, pos)
            if match is None:
                raise NotSimple
            return match.group(1).replace("''", "'"), match.end()
        if first == '"':
            match = _DOUBLE_QUOTED.match(line, pos)
            if match is None:
                raise NotSimple
            return match.group(1), match.end()
        match = _FLOW_PLAIN.match(line, pos)
        if match is None:
            raise NotSimple
        return _plain(match.group().rstrip(" ")), match.end()

    def block_scalar(self, line: str, number: int, at: int, col: int) -> str:
        """A ``>``/``|`` block scalar; the rows it covers are skipped."""
        header = _BLOCK_HEADER.match(line, at)
        if header is None:
            raise NotSimple
        folded = header.group(1) == ">"
        lines = self.lines
        indent = -1
        parts: list[str | None] = []  # the lines' text; None for a blank line
        j = number + 1
        while j < len(lines):
            text = lines[j]
            content = text.lstrip(" ")
            spaces = len(text) - len(content)
            if not content:
                if indent < 0 or spaces > indent:
                    raise NotSimple
                parts.append(None)
            elif indent < 0:
                if spaces <= col:
                    raise NotSimple  # an empty block scalar
                indent = spaces
                parts.append(content)
            elif spaces < indent:
                break
            elif spaces > indent and folded:
                raise NotSimple
            else:
                parts.append(text[indent:])
            j += 1
        if indent < 0 or (lines[-1] and j == len(lines) and parts[-1] is not None):
            raise NotSimple  # (its last line ends the document without a line break)
        while parts[-1] is None:
            parts.pop()
        if folded:
            value = ""
            blanks = -1  # before the first line
            for part in parts:
                if part is None:
                    blanks += 1
                    continue
                if blanks > 0:
                    value += "\n" * blanks
                elif blanks == 0:
                    value += " "
                value += part
                blanks = 0
        else:
            value = "\n".join("" if part is None else part for part in parts)
        rows, k = self.rows, self.k
        while k < len(rows) and rows[k] < j:
            k += 1
        self.k = k
        return value if header.group(2) else value + "\n"


def _after_value(line: str, at: int) -> None:
    """Only spaces, or spaces and a comment, may follow a quoted scalar or flow sequence."""
    rest = line[at:]
    if rest and (rest[0] != " " or rest.lstrip(" ")[:1] not in ("", "#")):
        raise NotSimple


def _single_quoted(line: str, at: int) -> str:
    start = at + 1
    while True:
        close = line.find("'", start)
        if close < 0:
            raise NotSimple  # continues on the next line
        if line.startswith("'", close + 1):
            start = close + 2
            continue
        _after_value(line, close + 1)
        return line[at + 1 : close].replace("''", "'")


def _skip(line: str, pos: int) -> int:
    """The column of the first character at or after ``pos`` that is not a space."""
    while pos < len(line) and line[pos] == " ":
        pos += 1
    return pos


def _plain(value: str) -> Any:
    """A plain scalar's value (the text from its first character to the end of its line or a
    comment, trailing spaces removed), read by rhrt's reading."""
    first = value[0]
    if first in _PLAIN_START_REFUSED or ": " in value or value[-1] == ":":
        raise NotSimple
    if first == "-" and (len(value) == 1 or value[1] == " "):
        raise NotSimple
    if first not in _SPECIAL:
        return value
    tag = scalars.resolve_plain(value)
    if tag == _STR_TAG:
        return value
    if tag == _TIMESTAMP_TAG and _DATE.fullmatch(value):
        try:  # as PyYAML's timestamp constructor reads a date alone
            return dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        except ValueError:
            raise NotSimple from None  # an impossible date
    if tag not in _CORE_TAGS:
        raise NotSimple  # a date and time, a merge key
    try:
        return scalars.construct(tag, value)
    except (scalars.AmbiguousScalar, ValueError, OverflowError):
        raise NotSimple from None

# SPDX-License-Identifier: MIT
"""The one-pass YAML reader and the composing reader agree exactly (issue 17).

``rules/safe_yaml.read_yaml`` reads a document without anchors, aliases or merge keys in one
pass over the event stream, and any other document by composing the node tree first. Both must
give the same data (types included), the same positions, or the same first problem (message,
path, line and column), for rulesets (values may be echoed) and cases (they may not), under the
default limits and under small ones.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rhrt.rules import safe_yaml
from rhrt.rules._block_yaml import NotSimple, read_block
from rhrt.rules.bundled import bundled_ruleset_path
from rhrt.rules.safe_yaml import DEFAULT_LIMITS, Limits, YamlReadError, read_yaml

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

TOKENS = [
    # text, numbers, nulls and booleans as rhrt reads them
    "a", "level", "x y", "", "~", "null", "NULL", "true", "False", "14", "-3", "+7", "0", "2.5",
    ".5", "1e3", "1E400", "12.9999999999999999", "2024-05-01", "2023-02-29", "2024-05-01 10:00:00",
    # forms rhrt refuses
    "014", "007.5", "1:30", "0x1F", "0o17", "0b101", "1_000", ".inf", "-.nan", "yes", "No", "on",
    "OFF", "y",
    # quoted: always text
    "'014'", '"yes"', "'1:30'", '""', "'a b'", '"\\x41"',
    # what the one-pass reader hands to the composer, and tags it refuses
    "<<", "&a 1", "*a", "!!int 3", "! x", "!custom y",
]
KEYS = ["a", "b", "id", "level", "1", "true", "null", "014", "yes", "2024-05-01", "'a'", '"b"',
        "1.5", "x y", "<<"]


@st.composite
def _block(draw: st.DrawFn, depth: int = 0, indent: int = 0) -> str:
    """A block-style YAML fragment (mappings, sequences, flow collections, scalars)."""
    pad = " " * indent
    kind = draw(st.sampled_from(["map", "seq", "flow"] if depth < 3 else ["flow"]))
    if kind == "flow":
        return pad + draw(_flow(depth)) + "\n"
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        nested = depth < 3 and draw(st.booleans())
        if kind == "map":
            key = draw(st.sampled_from(KEYS))
            if nested:
                lines.append(f"{pad}{key}:\n" + draw(_block(depth + 1, indent + 2)))
            else:
                lines.append(f"{pad}{key}: {draw(st.sampled_from(TOKENS))}\n")
        elif nested:
            lines.append(f"{pad}-\n" + draw(_block(depth + 1, indent + 2)))
        else:
            lines.append(f"{pad}- {draw(st.sampled_from(TOKENS))}\n")
    return "".join(lines)


@st.composite
def _flow(draw: st.DrawFn, depth: int = 0) -> str:
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from([t for t in TOKENS if not t.startswith(("!", "&", "*"))]))
    items = draw(st.integers(0, 3))
    if draw(st.booleans()):
        parts = [draw(_flow(depth + 1)) for _ in range(items)]
        return "[" + ", ".join(parts) + "]"
    pairs = []
    for _ in range(items):
        key = draw(st.sampled_from([*KEYS, "[a]", "{a: 1}"]))
        pairs.append(f"{key}: {draw(_flow(depth + 1))}")
    return "{" + ", ".join(pairs) + "}"


_NOISE = st.text(alphabet="ab01:-[]{},'\"\n #&*!<.~\t", max_size=60)


def _typed(value: Any) -> Any:
    """``value`` with every type spelt out, so ``1 == 1.0 == True`` does not hide a change."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    return (type(value).__name__, value)


def _outcome(text: str, *, reader: str, limits: Limits, echo: bool) -> Any:
    """What ``read_yaml`` gives when read by ``reader``: "lines" (the line reader first, as
    ``read_yaml`` does), "events" (the one-pass event reader first) or "composed"."""

    def needs_composer(*args: Any) -> Any:
        raise safe_yaml._NeedsComposer

    def not_simple(*args: Any) -> Any:
        raise NotSimple

    patches = []
    if reader != "lines":
        patches.append(mock.patch.object(safe_yaml, "_read_lines", not_simple))
    if reader == "composed":
        patches.append(mock.patch.object(safe_yaml, "_read_events", needs_composer))
    try:
        for patch in patches:
            patch.start()
        located = read_yaml(text, file="doc.yaml", limits=limits, echo_content=echo)
    except YamlReadError as exc:
        p = exc.problem
        return ("problem", p.message, p.path, p.file, p.line, p.column)
    finally:
        for patch in patches:
            patch.stop()
    return (
        "data",
        _typed(located.data),
        list(located.positions.items()),
        list(located.key_positions.items()),
        located.file,
    )


def _same_both_ways(text: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """The line reader, the one-pass event reader and the composing reader agree."""
    for echo in (True, False):
        composed = _outcome(text, reader="composed", limits=limits, echo=echo)
        assert _outcome(text, reader="events", limits=limits, echo=echo) == composed, text
        assert _outcome(text, reader="lines", limits=limits, echo=echo) == composed, text


SMALL = Limits(max_depth=3, max_nodes=12, max_aliases=2)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_block(), _flow().map(lambda s: s + "\n"), _NOISE))
def test_one_pass_and_composing_readers_agree(text: str) -> None:
    _same_both_ways(text)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(_block())
def test_they_agree_under_small_limits(text: str) -> None:
    _same_both_ways(text, SMALL)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "---\n",
        "--- 3\n",
        "a: 1\n---\nb: 2\n",  # two documents
        "a: 1\na: 2\n",  # a duplicate key
        "[a]: 1\n",  # a key that is not a scalar
        "2024-05-01: x\n",  # a key read as a date
        "a: 2023-02-30\n",  # an impossible date
        "a: 014\nb: [\n",  # a refused value, then a syntax error: the syntax error first
        "a: 014\nb: !!int 3\n",  # a refused value, then a tag: the tag first
        "a: {b: [1, {c: 2024-05-01}]}\n",
        "- a\n- [b, {c: d}]\n- e: f\n  g: h\n",
        "x: &anchor 1\ny: *anchor\n",  # read by the composer
        "base: &b {a: 1}\nmine:\n  <<: *b\n  c: 2\n",  # a merge key
        "a: <<\n",  # '<<' as a value
    ],
)
def test_documents_of_every_kind_read_the_same_both_ways(text: str) -> None:
    _same_both_ways(text)
    _same_both_ways(text, SMALL)


def test_every_bundled_and_example_document_is_read_the_same_both_ways() -> None:
    files = [bundled_ruleset_path(), *sorted(EXAMPLES.rglob("*.yaml"))]
    assert len(files) > 5
    for path in files:
        _same_both_ways(path.read_text(encoding="utf-8"))


def test_the_bundled_ruleset_is_read_in_one_pass() -> None:
    """The fast path is the one taken for real rulesets (no anchors, aliases or merges)."""
    text = bundled_ruleset_path().read_text(encoding="utf-8")
    located = safe_yaml._read_events(text, DEFAULT_LIMITS, "r.yaml", True)
    assert located.data["ruleset"]["id"]
    assert located.positions[("ruleset",)][0] >= 1


def test_an_anchor_an_alias_or_a_merge_key_goes_to_the_composer() -> None:
    for text in ("a: &x 1\n", "a: *x\n", "a:\n  <<: {b: 1}\n"):
        with pytest.raises(safe_yaml._NeedsComposer):
            safe_yaml._read_events(text, DEFAULT_LIMITS, None, True)
    assert read_yaml("a: &x 1\nb: *x\n").data == {"a": 1, "b": 1}
    assert read_yaml("a: {d: 2024-05-01}\n").data == {"a": {"d": dt.date(2024, 5, 1)}}


# --- the line reader (rules/_block_yaml.py) -----------------------------------------------

LINE_KEYS = ["a", "b", "id", "x_y", "a.b", "a-b", "k9", "true", "null", "y", "No", "014", "1",
             "1.5", "2024-05-01", "nullish", "on_call", "<<", "'q'", "a b", "é"]
LINE_VALUES = [
    *TOKENS, "plain text", "it's", "a, b", "a #b", "a#b", "x: y", "x:", "x :y", "http://a.b/#c",
    "[a, b]", "[a, 'b, c']", "[]", "[ ]", "[a,]", "[a, [b, c], {d: e}]", "[x:y, 'z']",
    "{a: 1, b: [x, y]}", '{t: "q, r"}', "{}", "{a: x:y}", "{a:1}", "{'a': 1}", "{a: 1, a: 2}",
    "'a''b'", "'a' # c", "'a'x", '"a, b"', '"a\\"b"', '"é ü"', "é ü", "-x", "- x", "-", "a   b",
    "trailing  ", "2024-13-01", "2024-05-01", "[2024-05-01, 2023-02-30]", "{d: 2024-05-01}",
    "x # comment", "?x", "%x", "@x", "`x", ">x", "|x", "x\ty", "x\r", "a\u00a0b", "\u2028",
    "[a, b", "{a: b", "'open", '"open', "a: b: c", "1e3", "12.9999999999999999", "~",
]
BLOCK_HEADERS = [">", ">-", "|", "|-", ">+", "|2", "> # note", ">x"]
BLOCK_LINES = ["text", "more text here", "", "  indented", "# not a comment", "   ", "a: b",
               "- c", "trail ", "é"]


@st.composite
def _line_doc(draw: st.DrawFn, depth: int = 0, indent: int = 0) -> list[str]:
    """The lines of a block-style document mostly in the line reader's forms, and often just
    outside them (so both the reading and the hand-over are compared)."""
    pad = " " * indent
    step = draw(st.sampled_from([2, 2, 4, 1]))
    kind = draw(st.sampled_from(["map", "seq"]))
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", "# a comment", pad + "  # indented", "  "])))
        lead = f"{pad}{draw(st.sampled_from(LINE_KEYS))}:" if kind == "map" else f"{pad}-"
        shape = draw(st.sampled_from(["value", "value", "value", "nested", "block", "compact"]))
        if shape == "nested" and depth < 3:
            lines.append(lead + draw(st.sampled_from(["", " # c", "  "])))
            inner = indent + (0 if kind == "map" and draw(st.booleans()) else step)
            lines += draw(_line_doc(depth + 1, inner))
        elif shape == "block":
            lines.append(f"{lead} {draw(st.sampled_from(BLOCK_HEADERS))}")
            more = indent + draw(st.sampled_from([step, step, step + 1, 0]))
            for _ in range(draw(st.integers(0, 4))):
                lines.append(" " * more + draw(st.sampled_from(BLOCK_LINES)))
        elif shape == "compact" and kind == "seq" and depth < 3:
            lines.append(f"{lead} {draw(st.sampled_from(LINE_KEYS[:6]))}: "
                         f"{draw(st.sampled_from(LINE_VALUES))}")
            for _ in range(draw(st.integers(0, 2))):
                lines.append(f"{pad}  {draw(st.sampled_from(LINE_KEYS[:6]))}: "
                             f"{draw(st.sampled_from(LINE_VALUES))}")
        else:
            lines.append(f"{lead} {draw(st.sampled_from(LINE_VALUES))}")
    return lines


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(_line_doc(), st.booleans())
def test_the_line_reader_and_the_other_readers_agree(lines: list[str], final: bool) -> None:
    _same_both_ways("\n".join(lines) + ("\n" if final else ""))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(_line_doc())
def test_the_line_reader_agrees_under_small_limits(lines: list[str]) -> None:
    _same_both_ways("\n".join(lines) + "\n", SMALL)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_line_doc())
def test_what_the_line_reader_reads_it_reads_with_the_event_readers_positions(
    lines: list[str],
) -> None:
    """Where the line reader reads a document at all, its data and positions (in order) are
    the event reader's, and reading without positions gives the same data."""
    text = "\n".join(lines) + "\n"
    try:
        data, positions, key_positions = read_block(text, 64, 500_000)
    except NotSimple:
        return
    events = safe_yaml._read_events(text, DEFAULT_LIMITS, None, True)
    assert _typed(data) == _typed(events.data)
    assert list(positions.items()) == list(events.positions.items())
    assert list(key_positions.items()) == list(events.key_positions.items())
    assert _typed(read_block(text, 64, 500_000, locate=False)[0]) == _typed(data)


@pytest.mark.parametrize(
    "text",
    [
        "a: >\n  one\n  two\n\n  three\n\n\nb: x\n",
        "a: |-\n  one\n   two\n\n  three\nb: x\n",
        "- >-\n  folded\n  text\n- |\n  kept\n",
        "a:\n- 1\n- b: 2\n  c: [x, 'y, z', {d: \"e\"}]\nf: g\n",
        "a: x\n  continued\n",  # a plain scalar on two lines: handed over
        "a:\nb: 1\n",  # a null value: handed over
        "a: 1\n\tb: 2\n",  # a tab
        "k" * 1100 + ": 1\n",  # a key longer than libyaml's simple-key limit
        "a: 'it''s'  # said\nb: \"x\" \n",
        "a:\n  b:\n    c: [1, 2.5, -3, true, null, 2024-05-01]\n",
    ],
)
def test_line_reader_examples(text: str) -> None:
    _same_both_ways(text)
    _same_both_ways(text, SMALL)


def test_every_bundled_and_example_document_is_read_by_the_line_reader() -> None:
    """The fast path is the one real rulesets and cases take (issue 17: the first
    ``load_ruleset()``); a change to the bundled files that leaves it shows here."""
    files = [bundled_ruleset_path(), *sorted(EXAMPLES.rglob("*.yaml"))]
    for path in files:
        text = path.read_text(encoding="utf-8")
        _, positions, _ = read_block(text, 64, 500_000)
        assert positions[()] >= (1, 1), path


def test_positions_are_found_when_first_asked_for() -> None:
    text = bundled_ruleset_path().read_text(encoding="utf-8")
    located = read_yaml(text)
    assert located._positions is None  # not read yet
    events = safe_yaml._read_events(text, DEFAULT_LIMITS, None, True)
    assert located.key_positions == events.key_positions
    assert located.positions == events.positions
    assert located._positions is not None

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


def _outcome(text: str, *, composed: bool, limits: Limits, echo: bool) -> Any:
    def needs_composer(*args: Any) -> Any:
        raise safe_yaml._NeedsComposer

    patch = mock.patch.object(safe_yaml, "_read_events", needs_composer) if composed else None
    try:
        if patch is not None:
            patch.start()
        located = read_yaml(text, file="doc.yaml", limits=limits, echo_content=echo)
    except YamlReadError as exc:
        p = exc.problem
        return ("problem", p.message, p.path, p.file, p.line, p.column)
    finally:
        if patch is not None:
            patch.stop()
    return (
        "data",
        _typed(located.data),
        list(located.positions.items()),
        list(located.key_positions.items()),
        located.file,
    )


def _same_both_ways(text: str, limits: Limits = DEFAULT_LIMITS) -> None:
    for echo in (True, False):
        one_pass = _outcome(text, composed=False, limits=limits, echo=echo)
        composed = _outcome(text, composed=True, limits=limits, echo=echo)
        assert one_pass == composed, text


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

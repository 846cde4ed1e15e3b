# SPDX-License-Identifier: MIT
"""Hostile sizes are refused with a clear RhrtError before they exhaust memory.

Each attack is tried against rulesets (``ruleset_from_text``, ``load_ruleset``) and cases
(``Ruleset.assess`` on YAML/JSON text or a file). "Without large memory" is checked with
tracemalloc: the peak of Python allocations during the call stays small (a few MB), where
expanding the attack would need gigabytes. The limits are those of :class:`rhrt.Limits`,
documented in docs/security.md, and every one of them is configurable.
"""

from __future__ import annotations

import json
import re
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import rhrt
from rhrt.errors import CaseError, RhrtError, RulesetSyntaxError

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"
MB = 1_000_000


@pytest.fixture(scope="module")
def rs() -> rhrt.Ruleset:
    return rhrt.load_ruleset(MINIMAL)


def billion_laughs(levels: int = 10, width: int = 10) -> str:
    lines = ['lol0: &lol0 ["lol"]']
    for i in range(1, levels):
        lines.append(f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def merge_bomb(levels: int = 32) -> str:
    """'<<' merges copy key/value pairs into place: each level doubles, in a single value."""
    inner = "&b0 {k: v}"
    for i in range(1, levels):
        inner = f"&b{i} {{<<: [{inner}, *b{i - 1}]}}"
    return f"x: {inner}\n"


def key_bomb(levels: int = 32) -> str:
    """The same doubling inside a complex mapping key, which used to be built before refusal."""
    parts = ["&a0 {k: v}"] + [f"&a{i} {{<<: [*a{i - 1}, *a{i - 1}]}}" for i in range(1, levels)]
    return "? [" + ", ".join(parts) + "]\n: x\n"


ATTACKS: dict[str, Callable[[], str | bytes]] = {
    "billion-laughs": billion_laughs,
    "merge-bomb": merge_bomb,
    "merge-bomb-in-key": key_bomb,
    "deep-flow-sequence-10000": lambda: "[" * 10_000 + "]" * 10_000,
    "deep-flow-mapping-10000": lambda: "{a: " * 10_000 + "1" + "}" * 10_000,
    "deep-block-mapping-10000": lambda: "".join(f"{' ' * i}a:\n" for i in range(10_000)) + "x",
    "deep-block-sequence-10000": lambda: "- " * 10_000 + "x",
    "unclosed-10000": lambda: "[" * 10_000,
    "50MB-document": lambda: b"a: " + b"x" * (50 * MB) + b"\n",
    "50MB-of-lines": lambda: "k: v\n" + "# padding\n" * (5 * MB),
    "1e6-values": lambda: "[" + "1," * 1_000_000 + "]",
    "1e6-indicators": lambda: "indicators: [" + "bruise, " * 1_000_000 + "]\n",
    "many-aliases": lambda: "a: &a x\nb: [" + ", ".join(["*a"] * 5_000) + "]\n",
}

# Refused by size before anything is parsed, so without a position in the document.
SIZE_ATTACKS = {"50MB-document", "50MB-of-lines", "1e6-indicators", "deep-block-mapping-10000"}
LOCATED = re.compile(r"\(line \d+, col \d+\)")

# Refused only after reading 500,000 values (linear, a few seconds under tracemalloc): slow run.
SLOW_ATTACKS = {"1e6-values"}
ATTACK_PARAMS = [
    pytest.param(name, marks=pytest.mark.slow) if name in SLOW_ATTACKS else name
    for name in sorted(ATTACKS)
]


class Peak:
    """Peak Python memory (MB) allocated since :meth:`reset`, above what was live then."""

    def __init__(self) -> None:
        self.baseline = 0

    def reset(self) -> None:
        tracemalloc.reset_peak()
        self.baseline = tracemalloc.get_traced_memory()[0]

    def __call__(self) -> float:
        return (tracemalloc.get_traced_memory()[1] - self.baseline) / MB


@pytest.fixture
def peak() -> Iterator[Peak]:
    tracemalloc.start()
    try:
        yield Peak()
    finally:
        tracemalloc.stop()


def _refused(call: Callable[[], Any], error: type[RhrtError], located: bool) -> RhrtError:
    """The behaviour asserted, whichever layer refuses first (rhrt's limits or libyaml's own):
    a typed error, located in the document unless refused by size before parsing. The wording
    of a dependency is never asserted: a new PyYAML/libyaml may refuse earlier, in its words."""
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    if located:
        assert LOCATED.search(message), message
    else:
        assert "size limit" in message, message
    return info.value


@pytest.mark.parametrize("name", ATTACK_PARAMS)
def test_ruleset_attacks_are_refused_cheaply(name: str, peak: Peak) -> None:
    document = ATTACKS[name]()
    peak.reset()
    exc = _refused(
        lambda: rhrt.ruleset_from_text(document, file="attack.yaml"),
        RulesetSyntaxError,
        located=name not in SIZE_ATTACKS,
    )
    assert isinstance(exc, rhrt.RulesetError)
    assert exc.file == "attack.yaml"
    assert (exc.line is None) == (name in SIZE_ATTACKS)
    # A str is encoded once (for the ruleset's hash); nothing else near the attack's size.
    assert peak() < len(document) * 1.2 / MB + 10, f"{peak():.0f} MB"


@pytest.mark.parametrize("name", ATTACK_PARAMS)
def test_case_attacks_are_refused_cheaply(name: str, rs: rhrt.Ruleset, peak: Peak) -> None:
    document = ATTACKS[name]()
    peak.reset()
    _refused(lambda: rs.assess(document), CaseError, located=name not in SIZE_ATTACKS)
    assert peak() < 10, f"{peak():.0f} MB"


def test_a_huge_ruleset_file_is_not_read_whole(tmp_path: Path, peak: Peak) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.write(b"a: ")
        for _ in range(60):
            handle.write(b"x" * MB)
    peak.reset()
    exc = _refused(lambda: rhrt.load_ruleset(big), RulesetSyntaxError, located=False)
    assert exc.file == str(big)
    assert peak() < 10, f"{peak():.0f} MB"  # at most the limit plus one byte is read


def test_a_huge_case_file_is_not_read_whole(tmp_path: Path, rs: rhrt.Ruleset, peak: Peak) -> None:
    big = tmp_path / "case.yaml"
    big.write_bytes(b"indicators: []\n" + b"#" * (20 * MB))
    peak.reset()
    _refused(lambda: rs.assess(big), CaseError, located=False)
    assert peak() < 10, f"{peak():.0f} MB"


@pytest.mark.parametrize(
    "case",
    [
        {"indicators": ["bruise"] * 1_000_000},
        {"indicators": [{"id": "bruise", "note": "n"}] * 1_000_000},
        {"measures": {f"m{i}": 1 for i in range(1_000_000)}},
    ],
    ids=["1e6-indicator-ids", "1e6-indicator-objects", "1e6-measures"],
)
def test_huge_case_mappings_are_refused_before_conversion(
    case: dict[str, Any], rs: rhrt.Ruleset, peak: Peak
) -> None:
    peak.reset()
    with pytest.raises(CaseError, match="at most"):
        rs.assess(case)
    assert peak() < 5, f"{peak():.0f} MB"


def test_long_free_text_is_refused_by_field() -> None:
    with pytest.raises(CaseError, match=r"at most 20000 characters") as info:
        rhrt.load_ruleset(MINIMAL).assess({"indicators": [{"id": "bruise", "note": "x" * 20_001}]})
    assert info.value.path == "indicators[0].note"
    assert "xxxx" not in str(info.value)


# -- the limits are configurable --------------------------------------------------------------


def test_default_limits_are_documented_values() -> None:
    limits = rhrt.Limits()
    assert (limits.max_bytes, limits.max_depth, limits.max_nodes, limits.max_aliases) == (
        5_000_000,
        64,
        500_000,
        1_000,
    )
    docs = (Path(__file__).parents[1] / "docs" / "security.md").read_text(encoding="utf-8")
    for value in ("5,000,000", "64", "500,000", "1,000"):
        assert value in docs


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (rhrt.Limits(max_bytes=1_000), "size limit of 1000 bytes"),
        (rhrt.Limits(max_depth=3), "nesting deeper than the limit of 3"),
        (rhrt.Limits(max_nodes=100), "limit of 100 values"),
        (rhrt.Limits(max_aliases=0), "limit of 0 aliases"),
    ],
)
def test_each_ruleset_limit_can_be_lowered(
    limits: rhrt.Limits, reason: str, tmp_path: Path
) -> None:
    text = MINIMAL.read_text(encoding="utf-8") + "x-anchor: &anchor 1\nx-alias: *anchor\n"
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesetSyntaxError, match=reason):
        rhrt.ruleset_from_text(text, limits=limits)
    with pytest.raises(RulesetSyntaxError, match=reason):
        rhrt.load_ruleset(path, limits=limits)


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (rhrt.Limits(max_bytes=50), "size limit of 50 bytes"),
        (rhrt.Limits(max_depth=2), "nesting deeper than the limit of 2"),
        (rhrt.Limits(max_nodes=10), "limit of 10 values"),
        (rhrt.Limits(max_aliases=0), "limit of 0 aliases"),
    ],
)
def test_each_case_limit_can_be_lowered(
    limits: rhrt.Limits, reason: str, rs: rhrt.Ruleset, tmp_path: Path
) -> None:
    text = (
        "child: {age_years: 7}\n"
        "indicators: [&i poor-diet, {id: bruise, note: fell over}, missed-checks, *i]\n"
    )
    assert rs.assess(text).level == 3  # within the defaults
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    for call in (
        lambda: rs.assess(text, limits=limits),
        lambda: rs.assess(path, limits=limits),
        lambda: rs.validate_case(text.encode(), limits=limits),
    ):
        with pytest.raises(CaseError, match=reason):
            call()


def test_limits_can_be_raised_for_a_big_ruleset() -> None:
    many = "\n".join(f"  - {{id: t{i}, description: d}}" for i in range(3_000))
    text = MINIMAL.read_text(encoding="utf-8").replace("tags:\n", "tags:\n" + many + "\n", 1)
    with pytest.raises(RulesetSyntaxError, match="limit of 5000 values"):
        rhrt.ruleset_from_text(text, limits=rhrt.Limits(max_nodes=5_000))
    loaded = rhrt.ruleset_from_text(text, limits=rhrt.Limits(max_nodes=50_000))
    assert len(loaded.model.tags) == 3_004


def test_json_cases_obey_the_same_limits(rs: rhrt.Ruleset) -> None:
    deep: Any = "x"
    for _ in range(100):
        deep = {"k": deep}
    text = json.dumps({"child": deep})
    with pytest.raises(CaseError, match="nesting deeper than the limit of 64"):
        rs.assess(text)


def test_limit_errors_are_located(rs: rhrt.Ruleset) -> None:
    text = "a:\n  b: [[[[1]]]]\n"
    with pytest.raises(RulesetSyntaxError) as info:
        rhrt.ruleset_from_text(text, file="deep.yaml", limits=rhrt.Limits(max_depth=3))
    assert (info.value.file, info.value.line, info.value.column) == ("deep.yaml", 2, 7)
    with pytest.raises(CaseError, match=r"\(line 2, col 7\)"):
        rs.assess(text, limits=rhrt.Limits(max_depth=3))


@pytest.mark.parametrize(
    "name", ["billion-laughs", "deep-flow-sequence-10000", "unclosed-10000", "many-aliases"]
)
def test_the_command_line_refuses_attacks_with_exit_2(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rhrt.cli import main

    attack = tmp_path / "attack.yaml"
    document = ATTACKS[name]()
    attack.write_bytes(document if isinstance(document, bytes) else document.encode())
    for argv in (["validate", str(attack)], ["assess", str(attack), "--rules", str(MINIMAL)]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "Traceback" not in err, err
        assert re.search(r"line \d+", err), err  # located in the document

# SPDX-License-Identifier: MIT
"""One broken ruleset per kind of mistake: each error names file, line, field path and a fix.

Each case edits the valid minimal ruleset in one place, so the expected line is known exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import rhrt
from rhrt.errors import (
    RulesetError,
    RulesetReferenceError,
    RulesetSchemaError,
    RulesetSyntaxError,
)

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"
TEXT = MINIMAL.read_text(encoding="utf-8")


def line_of(fragment: str) -> int:
    for number, line in enumerate(TEXT.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


CASES = [
    # (name, old, new, error class, words in message, line with the problem)
    (
        "misspelt indicator in a rule",
        "{tag: da}, {measure:",
        "{indicator: da-incidnets}, {measure:",
        RulesetReferenceError,
        [
            "unknown indicator 'da-incidnets'",
            "rules[2].when.all[0].indicator",
            "did you mean 'da-incidents'",
        ],
        line_of("{tag: da}, {measure:"),
    ),
    (
        "unknown key",
        "  - id: accumulation\n",
        "  - id: accumulation\n    becuase: typo\n",
        RulesetSchemaError,
        ["unknown key 'becuase'", "rules[0]", "did you mean 'because'"],
        line_of("- id: accumulation") + 1,
    ),
    (
        # regression (fuzz): a contact that fails its schema was left as None in the salvaged
        # model, and the contact-source check then raised AttributeError, not this error
        "a contact without its name",
        "mash: {name: MASH, how: Telephone}",
        "mash: {how: Telephone}",
        RulesetSchemaError,
        ["contacts.mash"],
        line_of("mash: {name: MASH"),
    ),
    (
        "a source with an unknown standing",
        "test: {title: Test source, standing: other-partnership}",
        "test: {title: Test source, standing: somewhere-else}",
        RulesetSchemaError,
        ["sources.test"],
        line_of("test: {title: Test source"),
    ),
    (
        "the pre-1.0 key 'herefordshire' (replaced by 'standing')",
        "test: {title: Test source, standing: other-partnership}",
        "test: {title: Test source, herefordshire: false}",
        RulesetSchemaError,
        ["'herefordshire' was replaced by 'standing'", "sources.test", "did you mean 'standing'"],
        line_of("test: {title: Test source"),
    ),
    (
        "a standing that is not one of the values",
        "test: {title: Test source, standing: other-partnership}",
        "test: {title: Test source, standing: herefordshire}",
        RulesetSchemaError,
        ["sources.test.standing", "partnership"],
        line_of("test: {title: Test source"),
    ),
    (
        "level outside 1-4",
        "{id: bruise, level: 3,",
        "{id: bruise, level: 5,",
        RulesetSchemaError,
        ["at indicators[6].level"],
        line_of("{id: bruise, level: 3,"),
    ),
    (
        "duplicate indicator id",
        "{id: missed-checks, level: 2,",
        "{id: poor-diet, level: 2,",
        RulesetReferenceError,
        ["duplicate indicator id 'poor-diet'", "indicators[2].id"],
        line_of("{id: missed-checks, level: 2,"),
    ),
    (
        "dangling pathway",
        "then: {level: 4, pathways: [marac]}",
        "then: {level: 4, pathways: [marca]}",
        RulesetReferenceError,
        ["unknown pathway 'marca'", "rules[2].then.pathways[0]", "did you mean 'marac'"],
        line_of("pathways: [marac]}"),
    ),
    (
        "measure threshold out of range",
        "dash_score, at_least: 14",
        "dash_score, at_least: 40",
        RulesetReferenceError,
        ["outside the range of measure 'dash_score'", "rules[2].when.all[1].measure.at_least"],
        line_of("dash_score, at_least: 14"),
    ),
    (
        "duplicate key",
        '  version: "1"\n',
        '  version: "1"\n  version: "2"\n',
        RulesetSyntaxError,
        ["duplicate key 'version'"],
        line_of('version: "1"') + 1,
    ),
    (
        "unsafe tag",
        "  title: Minimal test ruleset\n",
        "  title: !!python/object/apply:os.system ['echo hi']\n",
        RulesetSyntaxError,
        ["unsafe or unknown YAML tag"],
        line_of("title: Minimal test ruleset"),
    ),
    (
        "bad yaml",
        "  title: Minimal test ruleset\n",
        "  title: [unclosed\n",
        RulesetSyntaxError,
        [],
        None,
    ),
    (
        "condition with two keys",
        "when: {count: {at_least: 3, min_level: 2, distinct_domains: 2}}",
        "when: {count: {at_least: 3}, tag: da}",
        RulesetSchemaError,
        ["exactly one of", "rules[0].when"],
        line_of("when: {count: {at_least: 3, min_level: 2"),
    ),
    (
        "subdomain not in domain",
        "{id: thriving, level: 1, domain: child, subdomain: health,",
        "{id: thriving, level: 1, domain: child, subdomain: helth,",
        RulesetReferenceError,
        [
            "unknown subdomain of 'child' 'helth'",
            "indicators[0].subdomain",
            "did you mean 'health'",
        ],
        line_of("{id: thriving, level: 1,"),
    ),
    (
        "undeclared tag",
        "tags: [injury], text: A bruise",
        "tags: [injrury], text: A bruise",
        RulesetReferenceError,
        ["unknown tag 'injrury'", "indicators[6].tags[0]", "did you mean 'injury'"],
        line_of("tags: [injury], text: A bruise"),
    ),
    (
        "missing level",
        "  - {level: 4, name: Acute, description: d4, response: r4, pathways: [mash], "
        "consent: {rule: seek-unless-unsafe, text: seek}}\n",
        "",
        RulesetSchemaError,
        ["levels"],
        None,
    ),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "cls", "words", "line"), CASES, ids=[c[0] for c in CASES]
)
def test_each_mistake_is_reported_precisely(
    tmp_path: Path,
    name: str,
    old: str,
    new: str,
    cls: type[RulesetError],
    words: list[str],
    line: int | None,
) -> None:
    assert old in TEXT, name
    path = tmp_path / "broken.yaml"
    path.write_text(TEXT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(cls) as info:
        rhrt.load_ruleset(path)
    message = str(info.value)
    assert "broken.yaml" in message
    for word in words:
        assert word in message, message
    if line is not None:
        assert any(p.line == line for p in info.value.problems), (line, message)
    assert info.value.__traceback__ is not None


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = TEXT.replace("pathways: [marac]}", "pathways: [marca]}").replace(
        "tags: [injury], text: A bruise", "tags: [injrury], text: A bruise"
    )
    path = tmp_path / "two.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesetReferenceError) as info:
        rhrt.load_ruleset(path)
    assert len(info.value.problems) == 2


def test_a_missing_file_is_a_ruleset_error(tmp_path: Path) -> None:
    with pytest.raises(RulesetError, match="cannot read"):
        rhrt.load_ruleset(tmp_path / "nope.yaml")


def test_errors_are_value_errors_and_rhrt_errors() -> None:
    with pytest.raises(ValueError):
        rhrt.ruleset_from_text("- just a list")
    with pytest.raises(rhrt.RhrtError):
        rhrt.ruleset_from_text("- just a list")


def test_the_content_hash_is_of_the_file_bytes(tmp_path: Path) -> None:
    import hashlib

    ruleset = rhrt.load_ruleset(MINIMAL)
    assert ruleset.stamp.sha256 == hashlib.sha256(MINIMAL.read_bytes()).hexdigest()
    edited = tmp_path / "edited.yaml"
    edited.write_text(TEXT.replace('version: "1"', 'version: "2"'), encoding="utf-8")
    other = rhrt.load_ruleset(edited)
    assert other.stamp.sha256 != ruleset.stamp.sha256
    assert other.version == "2"

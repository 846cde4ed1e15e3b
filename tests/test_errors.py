# SPDX-License-Identifier: MIT
"""The error taxonomy: every failure a caller can cause is an RhrtError that says what to fix.

Rulesets: RulesetError subclasses with file, line, column and field path. Cases: CaseError with
the field path and never the value given (a child's personal data). The fuzz harness (fuzz/)
checks the same contract on 100,000s of generated inputs; here each kind of failure is pinned
by example, including the regressions the fuzzers found.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rhrt
from rhrt import errors
from rhrt.errors import (
    BackendError,
    CaseError,
    MissingExtraError,
    RhrtError,
    RulesetError,
    RulesetReferenceError,
    RulesetSchemaError,
    RulesetSyntaxError,
)

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"
TEXT = MINIMAL.read_text(encoding="utf-8")
SECRET = "Tamsin-Okonkwo-lives-at-14-Larch-Close-HR1-9ZZ"


@pytest.fixture(scope="module")
def rs() -> rhrt.Ruleset:
    return rhrt.load_ruleset(MINIMAL)


def shown(exc: BaseException) -> str:
    """Everything a log line or a printed traceback of this error would show."""
    return "".join(traceback.format_exception(exc)) + repr(exc) + repr(exc.args)


# -- the hierarchy ----------------------------------------------------------------------------


def test_every_public_error_class_is_an_rhrt_error() -> None:
    public = [getattr(errors, name) for name in errors.__all__]
    classes = [c for c in public if isinstance(c, type) and issubclass(c, Exception)]
    assert len(classes) >= 8
    for cls in classes:
        assert issubclass(cls, RhrtError), cls
    # Catching the built-in category a caller expects also works.
    assert issubclass(RulesetError, ValueError)
    assert issubclass(CaseError, ValueError)
    assert issubclass(MissingExtraError, ImportError)
    assert {RulesetSyntaxError, RulesetSchemaError, RulesetReferenceError} <= set(
        RulesetError.__subclasses__()
    )
    # The CLI's exit codes: 2 for bad input, 3 for a missing extra, 1 for backend trouble.
    assert RulesetError.exit_code == CaseError.exit_code == 2
    assert MissingExtraError.exit_code == 3
    assert BackendError.exit_code == 1


def test_missing_extra_names_the_install_command() -> None:
    exc = MissingExtraError("the durable engine", "durable")
    assert "pip install 'rhrt[durable]'" in str(exc)
    assert exc.extra == "durable"


# -- rulesets: every failure is located -------------------------------------------------------


def _line_of(fragment: str) -> int:
    return next(n for n, line in enumerate(TEXT.splitlines(), 1) if fragment in line)


def _broken(old: str, new: str) -> str:
    assert TEXT.count(old) == 1, old
    return TEXT.replace(old, new)


@pytest.mark.parametrize(
    ("text", "cls", "words", "line"),
    [
        ("a: [1, 2\nb: 3\n", RulesetSyntaxError, "expected", 2),
        ("a: 1\na: 2\n", RulesetSyntaxError, "duplicate key 'a'", 2),
        ("a: !!python/object/apply:os.system [echo hi]\n", RulesetSyntaxError, "unsafe", 1),
        ("a: !!set {x}\n", RulesetSyntaxError, "unsafe", 1),
        ("a: 2023-02-29\n", RulesetSyntaxError, "impossible date", 1),
        ("a: !!int nope\n", RulesetSyntaxError, "unsafe", 1),
        ("a: !!binary aGVsbG8=\n", RulesetSyntaxError, "unsafe", 1),
        ("a: !!str 5\n", RulesetSyntaxError, "unsafe", 1),
        ("a: ! 5\n", RulesetSyntaxError, "unsafe", 1),
        ("a: !custom {b: 1}\n", RulesetSyntaxError, "unsafe", 1),
        ("? [x]\n: 1\n", RulesetSyntaxError, "keys must be plain scalars", 1),
        ("a: 1\n---\nb: 2\n", RulesetSyntaxError, "single YAML document", 2),
        ("- just\n- a list\n", RulesetSchemaError, "must be a YAML mapping", 1),
        (
            _broken('version: "1"', 'version: "1"\n  colour: red'),
            RulesetSchemaError,
            "unknown key 'colour'",
            _line_of('version: "1"') + 1,
        ),
        (
            _broken(
                "level: 3, domain: child, subdomain: health, tags: [injury]",
                "level: 7, domain: child, subdomain: health, tags: [injury]",
            ),
            RulesetSchemaError,
            "at indicators[6].level",
            _line_of("tags: [injury]"),
        ),
        (
            _broken("tags: [injury]", "tags: [injuyr]"),
            RulesetReferenceError,
            "did you mean 'injury'",
            _line_of("tags: [injury]"),
        ),
    ],
    ids=[
        "syntax",
        "duplicate-key",
        "python-tag",
        "set-tag",
        "impossible-date",
        "int-tag",
        "binary-tag",
        "str-tag",
        "non-specific-tag",
        "custom-tag",
        "complex-key",
        "two-documents",
        "not-a-mapping",
        "unknown-key",
        "level-5",
        "typo-ref",
    ],
)
def test_ruleset_errors_carry_file_line_and_column(
    text: str, cls: type[RulesetError], words: str, line: int
) -> None:
    with pytest.raises(cls) as info:
        rhrt.ruleset_from_text(text, file="broken.yaml")
    exc = info.value
    assert words in str(exc)
    assert exc.file == "broken.yaml"
    assert str(exc).startswith("broken.yaml: ")
    assert exc.line == line
    assert exc.column is not None and exc.column >= 1
    assert all(p.file == "broken.yaml" and p.line is not None for p in exc.problems)


def test_ruleset_file_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(RulesetSyntaxError, match="cannot read ruleset file") as info:
        rhrt.load_ruleset(missing)
    assert info.value.file == str(missing)
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"a: \xff\xfe\n")
    with pytest.raises(RulesetSyntaxError, match="not valid UTF-8") as info:
        rhrt.load_ruleset(bad)
    assert info.value.file == str(bad)


def test_all_problems_are_reported_at_once() -> None:
    text = _broken("tags: [injury]", "tags: [injuyr]")
    text = text.replace("pathways: [paediatric]", "pathways: [paediatrc]")
    with pytest.raises(RulesetReferenceError) as info:
        rhrt.ruleset_from_text(text)
    assert len(info.value.problems) == 2
    assert "2 problems in ruleset" in str(info.value)


@pytest.mark.parametrize("data", [None, [], "text", 3, [{"schema_version": 1}]])
def test_ruleset_from_data_refuses_non_mappings(data: Any) -> None:
    """Regression: ``ruleset_from_data(None)`` raised a bare TypeError."""
    with pytest.raises(RulesetSchemaError, match="must be a mapping"):
        rhrt.ruleset_from_data(data)


def test_lone_surrogates_in_ruleset_text_are_a_syntax_error() -> None:
    """Regression: a str with a lone surrogate raised UnicodeEncodeError from the hasher."""
    with pytest.raises(RulesetSyntaxError, match="not valid UTF-8"):
        rhrt.ruleset_from_text("a: \ud800\n")


# -- cases: field paths, never values ---------------------------------------------------------

BAD_CASES: list[tuple[str, Any, str, str]] = [
    # (name, case, path, words)
    ("not-a-mapping", [SECRET], "", "must be a mapping"),
    ("unknown-field", {"child": {"name": SECRET}}, "child.name", "unknown field"),
    ("age-wrong-type", {"child": {"age_years": SECRET}}, "child.age_years", "valid number"),
    ("age-out-of-range", {"child": {"age_years": 26}}, "child.age_years", "invalid case"),
    ("two-ages", {"child": {"age_years": 3, "age_months": 36}}, "child", "only one of"),
    (
        "dob-no-date",
        {"child": {"date_of_birth": "2019-05-04"}},
        "child.date_of_birth",
        "assessment_date",
    ),
    ("bad-date", {"assessment_date": SECRET}, "assessment_date", "invalid case"),
    ("consent", {"consent": SECRET}, "consent", "'given', 'refused' or 'not_sought'"),
    ("indicators-not-list", {"indicators": SECRET}, "indicators", "valid tuple"),
    ("indicator-missing-id", {"indicators": [{"note": SECRET}]}, "indicators[0].id", "missing"),
    (
        "note-wrong-type",
        {"indicators": [{"id": "bruise", "note": [SECRET]}]},
        "indicators[0].note",
        "invalid case",
    ),
    (
        "note-too-long",
        {"indicators": [{"id": "bruise", "note": SECRET * 500}]},
        "indicators[0].note",
        "at most 20000 characters",
    ),
    ("unknown-indicator", {"indicators": ["bruse"]}, "indicators[0].id", "did you mean 'bruise'"),
    ("measure-not-number", {"measures": {"dash_score": SECRET}}, "measures", "must be a number"),
    ("measure-range", {"measures": {"dash_score": 99}}, "measures.dash_score", "0 to 24"),
    ("measure-integer", {"measures": {"dash_score": 2.5}}, "measures.dash_score", "whole number"),
    ("unknown-measure", {"measures": {"dash_scor": 1}}, "measures.dash_scor", "dash_score"),
    ("recorded-level", {"recorded_decision": 9}, "recorded_decision", "invalid case"),
    ("yaml-syntax", f"indicators: [{SECRET}\nchild: {{", "", "invalid YAML"),
    ("yaml-duplicate", f"reference: {SECRET}\nreference: {SECRET}\n", "", "duplicate key"),
    ("yaml-date", "assessment_date: 2023-02-29\n", "", "impossible date"),
    ("not-utf8", b"indicators: [\xff]", "", "not valid UTF-8"),
    # Regressions found by fuzzing: a lone surrogate escaped libyaml as UnicodeEncodeError; a
    # note typed into an id field was echoed in "unknown indicator '...'".
    ("lone-surrogate", "indicators: [\ud800]", "", "not valid UTF-8"),
    ("note-as-id", {"indicators": [SECRET]}, "indicators[0].id", "not shaped like an id"),
    (
        "note-as-id-in-list",
        {"indicators": [{"id": f"{SECRET} said"}]},
        "indicators[0].id",
        "not shaped like an id",
    ),
]


@pytest.mark.parametrize(
    ("name", "case", "path", "words"), BAD_CASES, ids=[c[0] for c in BAD_CASES]
)
def test_case_errors_name_the_field_never_the_value(
    rs: rhrt.Ruleset, name: str, case: Any, path: str, words: str
) -> None:
    for call in (rs.assess, rs.validate_case):
        with pytest.raises(CaseError) as info:
            call(case)
        exc = info.value
        assert words in str(exc), str(exc)
        assert exc.path == path
        assert SECRET not in shown(exc)
        assert "Larch" not in shown(exc)


def test_override_errors_are_case_errors_without_the_reason(rs: rhrt.Ruleset) -> None:
    for override, path in [
        ({"level": 9, "reason": SECRET, "role": "social worker"}, "override.level"),
        ({"level": 2, "reason": SECRET}, "override.role"),
        ({"level": 2, "reason": SECRET, "role": "sw", "why": SECRET}, "override.why"),
        ([SECRET], "override"),
    ]:
        with pytest.raises(CaseError) as info:
            rs.assess({}, override=override)
        assert info.value.path == path
        assert SECRET not in shown(info.value)


def test_unknown_engine_is_a_case_error_with_a_suggestion(rs: rhrt.Ruleset) -> None:
    with pytest.raises(CaseError, match="did you mean 'reference'"):
        rs.assess({}, engine="referenc")
    with pytest.raises(CaseError) as info:
        rs.assess({}, engine="x" * 10_000 + "\x1b[31m")
    assert len(str(info.value)) < 300 and "\x1b" not in str(info.value)


def test_unreadable_case_file_is_a_case_error(rs: rhrt.Ruleset, tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="cannot read the case file"):
        rs.assess(tmp_path / "missing.yaml")


# -- the contract as a property ----------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=15,
)
fields = st.sampled_from(
    [
        "child",
        "indicators",
        "measures",
        "consent",
        "recorded_decision",
        "assessment_date",
        "reference",
        "referral_source",
        "age_years",
        "id",
        "note",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(fields, json_values, max_size=5) | json_values)
def test_any_plain_value_gives_a_decision_or_a_case_error(value: Any) -> None:
    ruleset = rhrt.load_ruleset(MINIMAL)
    try:
        decision = ruleset.assess(value)
    except CaseError as exc:
        assert str(exc)
    else:
        assert 1 <= decision.level <= 4


ENTRY_POINTS: list[tuple[str, Callable[[], Any]]] = [
    ("load_ruleset-directory", lambda: rhrt.load_ruleset(Path(__file__).parent)),
    ("ruleset_from_text-empty", lambda: rhrt.ruleset_from_text("")),
    ("ruleset_from_text-null", lambda: rhrt.ruleset_from_text("~")),
    ("ruleset_from_data-empty", lambda: rhrt.ruleset_from_data({})),
    ("assess-empty-text", lambda: rhrt.load_ruleset(MINIMAL).assess("")),
    ("assess-bytes-null", lambda: rhrt.load_ruleset(MINIMAL).assess(b"null")),
]


@pytest.mark.parametrize("call", [c for _, c in ENTRY_POINTS], ids=[n for n, _ in ENTRY_POINTS])
def test_degenerate_inputs_raise_rhrt_errors(call: Callable[[], Any]) -> None:
    with pytest.raises(RhrtError) as info:
        call()
    assert str(info.value)

# SPDX-License-Identifier: MIT
"""Rule tests in YAML (``*.rhrt-test.yaml``): cases with the decision a rule author expects.

In the spirit of OpenFisca's YAML tests: a rule author writes down cases and what the
framework should decide, without writing Python. ``rhrt test FILES`` runs them with a pass/fail
report and a coverage report; the pytest plugin collects them as test items. The format::

    ruleset: ../rules/our_rules.yaml     # optional; relative to this file (default: --rules,
                                         # else the bundled ruleset)
    tests:
      - name: A bruised baby who cannot yet move is referred at once
        case:                            # exactly what `rhrt assess` reads
          child: {age_months: 4}
          indicators: [bruising-non-mobile-baby]
        expect:
          level: 4
          urgent: true
          pathways: [mash-referral, urgent-paediatric-assessment]   # exactly these (any order)
          pathways_include: [mash-referral]                         # at least these
          pathways_exclude: [universal-services]                    # none of these

Every ``expect`` key is optional, but a test must expect something. Problems in a test file are
:class:`RuleTestError` (file, line, field path; never a case value); a case that is not valid
for the ruleset is one too.

This module imports no hypothesis (the pytest plugin imports it while collecting).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ConfigDict, Field, ValidationError, model_validator

from rhrt.engine.reference import evaluate
from rhrt.errors import CaseError, Problem, RulesetError
from rhrt.model import RhrtModel
from rhrt.model.scale import LevelNumber
from rhrt.rules.safe_yaml import DEFAULT_LIMITS, Located, YamlReadError, format_path, read_yaml
from rhrt.ruleset import Ruleset, load_ruleset

SUFFIX = ".rhrt-test.yaml"

__all__ = [
    "SUFFIX",
    "Coverage",
    "Outcome",
    "RuleTest",
    "RuleTestError",
    "TestFile",
    "coverage",
    "find_test_files",
    "load_test_file",
    "run_test",
]


class RuleTestError(RulesetError):
    """A rule test file is not valid (with file, line and field path)."""

    subject: ClassVar[str] = "rule-test file"


class _Strict(RhrtModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Expect(_Strict):
    level: LevelNumber | None = None
    urgent: bool | None = None
    pathways: tuple[str, ...] | None = None
    """Exactly these pathways, in any order."""
    pathways_include: tuple[str, ...] = ()
    pathways_exclude: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _expects_something(self) -> Expect:
        if (
            self.level is None and self.urgent is None and self.pathways is None
            and not self.pathways_include and not self.pathways_exclude
        ):
            raise ValueError("expect at least one of level, urgent, pathways, "
                             "pathways_include, pathways_exclude")
        return self


class _TestSpec(_Strict):
    name: str = Field(min_length=1, max_length=300)
    description: str | None = None
    case: dict[str, Any]
    expect: Expect


class _FileSpec(_Strict):
    ruleset: str | None = None
    tests: tuple[_TestSpec, ...] = Field(min_length=1)


@dataclass(frozen=True)
class RuleTest:
    """One test: a named case and what is expected of its decision."""

    name: str
    case: dict[str, Any]
    expect: Expect
    file: str
    line: int | None
    index: int


@dataclass(frozen=True)
class TestFile:
    path: Path
    ruleset: Ruleset
    tests: tuple[RuleTest, ...]


@dataclass(frozen=True)
class Outcome:
    """What happened to one test."""

    test: RuleTest
    failures: tuple[str, ...]
    """What differed from the expectation, in words (levels and ids only)."""
    rules: frozenset[str] = frozenset()
    indicators: frozenset[str] = frozenset()
    pathways: frozenset[str] = frozenset()

    @property
    def passed(self) -> bool:
        return not self.failures


def find_test_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and ``*.rhrt-test.yaml`` files under folders named, in a stable order."""
    out: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            out.extend(sorted(path.rglob(f"*{SUFFIX}")))
        else:
            out.append(path)
    return out


def load_test_file(path: Path, default_ruleset: Ruleset | None = None) -> TestFile:
    """Read and check a test file: its structure, its ruleset, each case and expected id.

    Raises:
        RuleTestError: every problem found, each with its line.
        RulesetError: the ruleset the file names is not valid.
    """
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleTestError(
            [Problem(f"cannot read test file ({exc.strerror or 'error'})", file=file)]
        ) from None
    try:
        located = read_yaml(raw, file=file, limits=DEFAULT_LIMITS, echo_content=False)
    except YamlReadError as exc:
        raise RuleTestError([exc.problem]) from None
    try:
        spec = _FileSpec.model_validate(located.data)
    except ValidationError as exc:
        raise RuleTestError(_problems(exc, located, file)) from None
    if spec.ruleset is not None:
        ruleset = load_ruleset(path.parent / spec.ruleset)
    else:
        ruleset = default_ruleset if default_ruleset is not None else load_ruleset()
    problems: list[Problem] = []
    tests = []
    known_pathways = {p.id for p in ruleset.model.pathways}
    for i, test in enumerate(spec.tests):
        line, _ = located.where(("tests", i))
        try:
            ruleset.validate_case(test.case)
        except CaseError as exc:
            at: tuple[str | int, ...] = ("tests", i, "case")
            problems.append(Problem(
                # CaseError's message already says "invalid case: " when from the case model
                "invalid case: " + str(exc.args[0]).removeprefix("invalid case: "),
                path=format_path(at), file=file,
                line=located.where(at)[0],
            ))
        expect = test.expect
        for key in ("pathways", "pathways_include", "pathways_exclude"):
            for j, pid in enumerate(getattr(expect, key) or ()):
                if pid not in known_pathways:
                    where: tuple[str | int, ...] = ("tests", i, "expect", key, j)
                    problems.append(Problem(
                        f"unknown pathway '{_safe(pid)}'", path=format_path(where), file=file,
                        line=located.where(where)[0],
                    ))
        both = set(expect.pathways_include) & set(expect.pathways_exclude)
        for j, pid in enumerate(expect.pathways_exclude):
            if pid in both:
                at = ("tests", i, "expect", "pathways_exclude", j)
                shown = f" '{_safe(pid)}'" if pid in known_pathways else ""
                problems.append(Problem(
                    f"pathway{shown} is in both pathways_include and pathways_exclude, so "
                    "this test can never pass: remove it from one of them",
                    path=format_path(at), file=file, line=located.where(at)[0],
                ))
        tests.append(RuleTest(test.name, test.case, expect, file, line, i))
    if problems:
        raise RuleTestError(problems)
    return TestFile(path, ruleset, tuple(tests))


def run_test(ruleset: Ruleset, test: RuleTest) -> Outcome:
    """Assess the test's case with the reference engine and compare with the expectation."""
    case = ruleset.validate_case(test.case)
    facts = ruleset.facts(case)
    ev = evaluate(ruleset.plan, facts)
    got = set(ev.pathways)
    exp = test.expect
    failures = []
    if exp.level is not None and ev.level != exp.level:
        failures.append(f"level: expected {exp.level}, got {ev.level}")
    if exp.urgent is not None and ev.urgent != exp.urgent:
        failures.append(f"urgent: expected {_yes(exp.urgent)}, got {_yes(ev.urgent)}")
    if exp.pathways is not None and got != set(exp.pathways):
        missing = [p for p in exp.pathways if p not in got]
        extra = [p for p in ev.pathways if p not in exp.pathways]
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if extra:
            parts.append("not expected " + ", ".join(extra))
        failures.append("pathways: " + "; ".join(parts))
    missing = [p for p in exp.pathways_include if p not in got]
    if missing:
        failures.append("pathways_include: missing " + ", ".join(missing))
    extra = [p for p in exp.pathways_exclude if p in got]
    if extra:
        failures.append("pathways_exclude: recommended " + ", ".join(extra))
    return Outcome(
        test,
        tuple(failures),
        rules=frozenset(r.rule.id for r in ev.fired),
        indicators=frozenset(facts.present),
        pathways=frozenset(got),
    )


@dataclass(frozen=True)
class Coverage:
    """What a set of tests exercised in one ruleset, and what no test did."""

    ruleset: str
    rules: tuple[str, ...]
    indicators: tuple[str, ...]
    pathways: tuple[str, ...]
    untested_rules: tuple[str, ...] = field(default=())
    untested_indicators: tuple[str, ...] = field(default=())
    untested_pathways: tuple[str, ...] = field(default=())

    @property
    def total(self) -> int:
        return len(self.rules) + len(self.indicators) + len(self.pathways)

    @property
    def untested(self) -> int:
        return (len(self.untested_rules) + len(self.untested_indicators)
                + len(self.untested_pathways))

    @property
    def percent(self) -> float:
        """Share of rules, indicators and pathways some test exercised (100 when none exist)."""
        return 100.0 if not self.total else 100.0 * (self.total - self.untested) / self.total

    def to_dict(self) -> dict[str, Any]:
        def part(all_: Sequence[str], untested: Sequence[str]) -> dict[str, Any]:
            return {"total": len(all_), "untested": list(untested)}

        return {
            "ruleset": self.ruleset,
            "percent": round(self.percent, 1),
            "rules": part(self.rules, self.untested_rules),
            "indicators": part(self.indicators, self.untested_indicators),
            "pathways": part(self.pathways, self.untested_pathways),
        }


def coverage(ruleset: Ruleset, outcomes: Iterable[Outcome]) -> Coverage:
    """Rules fired, indicators present and pathways recommended in any test, against all.

    The safety routes count as rules (``safety.immediate-danger``, ``safety.allegation``).
    """
    rules: set[str] = set()
    indicators: set[str] = set()
    pathways: set[str] = set()
    for o in outcomes:
        rules |= o.rules
        indicators |= o.indicators
        pathways |= o.pathways
    plan = ruleset.plan
    all_rules = tuple(r.id for r in plan.rules)
    all_pathways = tuple(p.id for p in ruleset.model.pathways)
    return Coverage(
        ruleset=f"{ruleset.id} {ruleset.version}",
        rules=all_rules,
        indicators=plan.indicator_order,
        pathways=all_pathways,
        untested_rules=tuple(r for r in all_rules if r not in rules),
        untested_indicators=tuple(i for i in plan.indicator_order if i not in indicators),
        untested_pathways=tuple(p for p in all_pathways if p not in pathways),
    )


def _yes(value: bool) -> str:
    return "true" if value else "false"


def _safe(value: str) -> str:
    cleaned = "".join(ch for ch in value[:80] if ch.isprintable())
    return json.dumps(cleaned)[1:-1]


def _problems(exc: ValidationError, located: Located, file: str) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function")))
        kind = err["type"]
        if kind == "extra_forbidden":
            message, line = "unknown key", located.where_key(loc)[0]
        elif kind == "missing":
            message, line = "missing required key", located.where(loc[:-1])[0]
        elif kind == "too_short":
            message, line = "must list at least one entry", located.where(loc)[0]
        else:
            message, line = err["msg"].removeprefix("Value error, "), located.where(loc)[0]
        out.append(Problem(message, path=format_path(loc), file=file, line=line))
    return out

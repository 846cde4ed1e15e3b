# SPDX-License-Identifier: MIT
"""What ``rhrt prove`` found, as plain data: proved, failed (with minimal cases) or not applicable.

This module does not import z3, so a report can be read, printed and serialised anywhere.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from rhrt._text import clean as _clean_one_line


def clean(text: str) -> str:
    """Text from a ruleset file (e.g. its version) on one line, without terminal escapes, bidi
    overrides or zero-width characters (rhrt's one sanitiser, :func:`rhrt._text.clean`)."""
    return _clean_one_line(text)


Status = Literal["proved", "failed", "n/a", "unknown"]


@dataclass(frozen=True)
class Counterexample:
    """One breach of a property, as the smallest cases (one or two) that show it.

    ``cases`` are (role, case data) pairs: one case for a property about a single case
    (immediate danger, a conflict), two for a property comparing cases (``before``/``after`` a
    concern is added; ``complete``/``missing`` information). Each is a valid case for the
    ruleset that ``rhrt assess`` reproduces.
    """

    property: str
    description: str
    """What goes wrong, in plain words, naming indicators, levels, rules and pathways."""
    cases: tuple[tuple[str, dict[str, Any]], ...]
    breach: str
    """What to look for in the decisions: ``level``, ``urgency``, ``route``, ``danger``,
    ``allegation``, ``no-concerns`` or ``conflict``."""
    subject: tuple[str, ...] = ()
    """The pathway (route) or the rule ids (conflict) the breach is about."""

    def case(self, role: str) -> dict[str, Any]:
        return dict(self.cases)[role]


@dataclass(frozen=True)
class PropertyResult:
    id: str
    title: str
    status: Status
    counterexamples: tuple[Counterexample, ...] = ()
    problems: tuple[str, ...] = ()
    """Findings with no case to show (e.g. an unreachable rule), in plain words."""
    seconds: float = 0.0


@dataclass(frozen=True)
class Report:
    """The result of :func:`rhrt.prove.prove`: every property, proved or with counterexamples."""

    ruleset: str
    results: tuple[PropertyResult, ...]
    seconds: float = 0.0
    solver: str = field(default="z3")

    @property
    def ok(self) -> bool:
        return all(r.status in ("proved", "n/a") for r in self.results)

    @property
    def counterexamples(self) -> tuple[Counterexample, ...]:
        return tuple(c for r in self.results for c in r.counterexamples)

    def result(self, property_id: str) -> PropertyResult:
        for r in self.results:
            if r.id == property_id:
                return r
        raise KeyError(property_id)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    def __str__(self) -> str:
        lines = [
            f"rhrt prove: {self.ruleset} (proof over every possible case with the {self.solver} "
            f"solver, not a sample; {self.seconds:.1f} s)"
        ]
        marks = {"proved": "ok  ", "failed": "FAIL", "n/a": "n/a ", "unknown": "??  "}
        for r in self.results:
            note = ""
            if r.status == "n/a":
                note = " (nothing in this ruleset to check)"
            elif r.status == "unknown":
                note = " (the solver gave up: neither proved nor broken)"
            lines.append(f"  {marks[r.status]}  {r.title}{note}")
        if self.ok:
            lines.append("Every property is proved for every case.")
            return "\n".join(lines)
        n = 0
        for r in self.results:
            for problem in r.problems:
                lines.append(f"- [{r.id}] {problem}")
            for cex in r.counterexamples:
                n += 1
                lines.append(f"- [{r.id}] counterexample {n}: {cex.description}")
                for role, case in cex.cases:
                    lines.append(f"    {role}: {json.dumps(case, sort_keys=True)}")
        return "\n".join(lines)

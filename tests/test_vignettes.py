# SPDX-License-Identifier: MIT
"""Every vignette in tests/vignettes/ gives the outcome a practitioner would expect.

The public vignettes (tests/vignettes/public.yaml) are the shared examples mapped to the bundled
ruleset's ids; rhrt.yaml holds our own, covering every domain, topic and pathway. Each checks
under-assessment (level below the minimum — the failure that matters most) and over-assessment
(level above the maximum, or a pathway that must not be recommended).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field

import rhrt

VIGNETTES = Path(__file__).parent / "vignettes"


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: int | tuple[int, int] | None = None
    urgent: bool | None = None
    pathways: tuple[str, ...] = ()
    not_pathways: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    """Routes the child's recorded context replaces (``explanation.replaced_pathways``)."""
    step_down_guidance: bool | None = None
    """Whether the explanation says what would allow a step down."""
    status: str | None = None
    """confirmed or provisional (issue 14 part 3)."""
    known_level: int | None = None
    conditional: tuple[str, ...] = ()
    """Pathways that must be shown as conditional on missing facts."""
    gather_first: tuple[str, ...] = ()
    """Measures (ids) that must be first in the list of what to find out, in this order."""
    consent: str | None = None
    """The id of the consent position shown first (the most protective that applies)."""
    consent_also: tuple[str, ...] = ()
    """Positions that must still be shown (after the first)."""
    consent_not_first: tuple[str, ...] = ()
    """Kinds of position that must not be shown first (e.g. ``required``: "get the parents'
    consent" where asking endangers the child)."""
    first_step: str | None = None
    """The pathway an urgent decision puts first (``Decision.first_step``)."""
    order: tuple[str, ...] = ()
    """Pathways that must be recommended in this relative order (e.g. the MASH referral before
    a follow-up such as the return home interview)."""


class Vignette(BaseModel):
    """A vignette file entry; extra='forbid' so a misspelt key fails instead of being skipped."""

    model_config = ConfigDict(extra="forbid")
    id: str
    name: str | None = None
    story: str
    child: dict[str, Any] = Field(default_factory=dict)
    indicators: tuple[str, ...] = ()
    measures: dict[str, float] = Field(default_factory=dict)
    context: dict[str, Any] = Field(default_factory=dict)
    """The child's existing involvement with services (``Case.context``)."""
    assessment_date: dt.date | None = None
    expect: Expect


def _load() -> list[tuple[str, Vignette]]:
    out = []
    for path in sorted(VIGNETTES.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            out.append((path.stem, Vignette.model_validate(entry)))
    return out


ALL = _load()


def test_there_are_enough_vignettes() -> None:
    files = {name for name, _ in ALL}
    assert "public" in files
    assert len([v for name, v in ALL if name == "public"]) == 15
    assert len([v for name, v in ALL if name != "public"]) >= 40


@pytest.mark.parametrize(("source", "vignette"), ALL, ids=[f"{s}:{v.id}" for s, v in ALL])
def test_vignette(source: str, vignette: Vignette) -> None:
    ruleset = rhrt.load_ruleset()
    case = {
        "child": vignette.child,
        "indicators": list(vignette.indicators),
        "measures": vignette.measures,
        "context": vignette.context,
        "assessment_date": vignette.assessment_date,
    }
    decision = ruleset.assess(case)
    exp = vignette.expect
    why = f"{vignette.id}: {vignette.story}\nfired: {[r.id for r in decision.explanation.rules]}"
    if exp.level is not None:
        low, high = (exp.level, exp.level) if isinstance(exp.level, int) else exp.level
        assert decision.level >= low, f"under-assessed (level {decision.level} < {low}) {why}"
        assert decision.level <= high, f"over-assessed (level {decision.level} > {high}) {why}"
    if exp.urgent is not None:
        assert decision.urgent is exp.urgent, why
        assert bool(decision.explanation.urgent_because) is exp.urgent, why
    replaced = {r.id for r in decision.explanation.replaced_pathways}
    assert set(exp.replaced) <= replaced, f"not replaced {exp.replaced}; {why}"
    if exp.step_down_guidance is not None:
        assert bool(decision.explanation.would_allow_step_down) is exp.step_down_guidance, why
    got = set(decision.pathway_ids)
    missing = [p for p in exp.pathways if p not in got]
    assert not missing, f"missing pathways {missing}; got {sorted(got)} {why}"
    unwanted = [p for p in exp.not_pathways if p in got]
    assert not unwanted, f"pathways that must not be recommended {unwanted} {why}"
    if exp.status is not None:
        assert decision.status == exp.status, why
    if exp.known_level is not None:
        assert decision.known_level == exp.known_level, why
    conditional = {p.id for p in decision.pathways if p.conditional_on}
    assert set(exp.conditional) <= conditional, f"not shown as conditional {why}"
    gather = [g.fact for g in decision.gather_first][: len(exp.gather_first)]
    assert gather == [f"measure {m}" for m in exp.gather_first], why
    shown = decision.consent
    if exp.consent is not None:
        assert shown.id == exp.consent, f"consent shown first: {shown.id} {why}"
    others = {o.id for o in shown.others}
    assert not [c for c in exp.consent_also if c not in others], f"consent others {others} {why}"
    assert shown.rule not in exp.consent_not_first, f"consent first is {shown.rule} {why}"
    if exp.first_step is not None:
        assert decision.first_step == exp.first_step, f"first step {decision.first_step} {why}"
    listed = list(decision.pathway_ids)
    positions = [listed.index(p) for p in exp.order if p in listed]
    assert len(positions) == len(exp.order), f"order: missing some of {exp.order} {why}"
    assert positions == sorted(positions), f"pathways out of order: {listed} {why}"


def test_every_pathway_is_exercised_by_some_vignette() -> None:
    ruleset = rhrt.load_ruleset()
    seen: set[str] = set()
    for _, v in ALL:
        seen.update(v.expect.pathways)
    every = {p.id for p in ruleset.model.pathways}
    assert every - seen == set(), f"pathways no vignette expects: {sorted(every - seen)}"

# SPDX-License-Identifier: MIT
"""The scale of levels and the comparison words: the vocabulary every other module shares.

Why here, in ``model/``: the ruleset schema validates level numbers and comparison keys, and the
model sits below every other layer, so this is the one place all of them can import. What the
words *mean* (how a comparison is computed, how levels combine) is in
:mod:`rhrt.rules.semantics`.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal, get_args

from pydantic import Field, Strict

LEVELS: Final[tuple[int, ...]] = (1, 2, 3, 4)
"""Every level of need, lowest first (Herefordshire "Right Help, Right Time": 1 universal,
2 early help, 3 complex needs, 4 acute / statutory)."""
LOWEST_LEVEL: Final = LEVELS[0]
"""The level of a child with nothing recorded."""
TOP_LEVEL: Final = LEVELS[-1]
"""The highest level: immediate danger always gives it; nothing can raise a case above it."""

LevelNumber = Annotated[int, Strict(), Field(ge=LOWEST_LEVEL, le=TOP_LEVEL)]
"""A level on the scale (validated; a whole number only: not ``true``, ``"3"`` or ``3.0``)."""

MeasureOp = Literal["at_least", "more_than", "at_most", "less_than"]
"""A measure comparison, as a ruleset writes it (``measure: {id: x, at_least: 14}``)."""
MEASURE_OPS: Final[tuple[MeasureOp, ...]] = get_args(MeasureOp)

AgeOp = Literal["under", "at_least"]
"""An age comparison (``under_months``/``under_years``, ``at_least_months``/``_years``)."""
AGE_UNITS: Final[tuple[tuple[str, AgeOp, str, int], ...]] = (
    ("under_months", "under", "months", 1),
    ("under_years", "under", "years", 12),
    ("at_least_months", "at_least", "months", 1),
    ("at_least_years", "at_least", "years", 12),
)
"""Each way a ruleset gives an age bound: (key, comparison, unit, months per unit)."""

# -- case context: a child's existing involvement with services --------------------------------

CpCategory = Literal["neglect", "physical", "emotional", "sexual", "multiple"]
"""The category of a child protection plan (Working Together to Safeguard Children 2023: neglect,
physical abuse, emotional abuse, sexual abuse, or multiple categories)."""
CP_CATEGORIES: Final[tuple[CpCategory, ...]] = get_args(CpCategory)

SteppedDownFrom = Literal["child_protection_plan", "child_in_need_plan", "early_help"]
"""The plan a family has stepped down from (statutory work or early help ended)."""
STEPPED_DOWN_FROM: Final[tuple[SteppedDownFrom, ...]] = get_args(SteppedDownFrom)

CONTEXT_FLAGS: Final[tuple[str, ...]] = (
    "looked_after",
    "child_in_need_plan",
    "allocated_social_worker",
    "early_help_lead_professional",
    "care_leaver",
    "in_custody",
)
"""The yes/no facts of a case's context (each true, false or not recorded)."""


def _context_states() -> tuple[str, ...]:
    states = list(CONTEXT_FLAGS)
    states.append("child_protection_plan")
    states += [f"child_protection_plan_{cat}" for cat in CP_CATEGORIES]
    for plan in STEPPED_DOWN_FROM:
        states.append(f"stepped_down_from_{plan}")
    states += [f"stepped_down_from_child_protection_plan_{cat}" for cat in CP_CATEGORIES]
    return tuple(states)


CONTEXT_STATES: Final[tuple[str, ...]] = _context_states()
"""Every state a rule's ``context`` condition can name (``context: {is: looked_after}``). Each is
true, false or unknown for a case (see ``rhrt.model.case.CaseContext.states``)."""
STEP_DOWN_STATES: Final[frozenset[str]] = frozenset(
    s for s in CONTEXT_STATES if s.startswith("stepped_down_from_")
)
"""The states a ``within_months`` bound applies to (how long ago the plan ended)."""


ConsentKind = Literal[
    "not-needed",
    "required",
    "young-person",
    "seek-unless-unsafe",
    "without-consent",
    "not-alleged-perpetrator",
    "not-parents",
    "share-now",
]
"""What a consent position tells a practitioner to do, as a ruleset names it."""
CONSENT_KINDS: Final[tuple[ConsentKind, ...]] = get_args(ConsentKind)
"""Every kind of consent position, LEAST protective first: the one fixed order in which the
positions that apply to a decision are ranked (the decision shows the most protective first).

Why this order: each kind, read left to right, leaves less to the family's agreement and
guards more against the harm that asking can do (delay, the reaction of the person who may be
harming the child, lost evidence), so a later kind never lets a practitioner do something an
earlier one would have stopped to protect the child.

- ``not-needed``: universal services; nothing is shared beyond the usual, so no consent.
- ``required``: voluntary help (early help): the parents' (and a competent child's) consent.
- ``young-person``: a competent young person's own consent (Gillick competence, Fraser
  guidelines), not the parents', for confidential advice; safeguarding overrides confidence.
- ``seek-unless-unsafe``: seek consent unless seeking it would put the child at risk, cause
  delay or lose evidence; share without it to protect the child.
- ``without-consent``: a duty or a referral that is made without consent (a legal duty, the
  LADO, Prevent, the NRM): share; tell the family only where safe.
- ``not-alleged-perpetrator``: never tell or ask the alleged perpetrator (domestic abuse).
- ``not-parents``: do not seek the parents' consent or tell the family (forced marriage, FGM,
  sexual abuse within the family, fabricated or induced illness).
- ``share-now``: the child may be in immediate danger: share at once, do not delay to ask.
"""


def consent_rank(kind: ConsentKind) -> int:
    """A kind's place in :data:`CONSENT_KINDS` (higher = more protective)."""
    return CONSENT_KINDS.index(kind)

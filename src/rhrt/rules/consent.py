# SPDX-License-Identifier: MIT
"""Which consent positions apply to an outcome, most protective first: one meaning for every
engine (the reference and durable engines through ``explain``, the batch engine per row).

A ruleset gives consent positions in data (``docs/ruleset-format.md``, "Consent"):

- each level's own (``levels[n].consent``), which always applies at that level;
- the urgent one (``consent.urgent``), when the decision is urgent;
- by concern (``consent.positions``): when a present concern has one of its tags or is one of
  its indicators (domestic abuse: never alert the alleged perpetrator; forced marriage: do not
  seek the parents' consent; a competent young person's own consent);
- by pathway: a recommended pathway whose ``consent_rule`` is given.

They are ranked by kind in the one fixed order ``rhrt.model.scale.CONSENT_KINDS`` (least
protective first, with the reason); at equal rank the urgent one comes first, then concerns
(in file order), then the level's, then pathways (in recommendation order). Nothing is
dropped: the decision shows the first and keeps the others visible.

Why the selection is here and not in an engine: it depends only on the outcome (level, urgent,
pathways) and the present concerns, which every engine computes; written once, the engines
cannot disagree about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from rhrt.model import ruleset as m
from rhrt.model.scale import ConsentKind, consent_rank

Trigger = Literal["urgent", "concern", "level", "pathway"]
URGENT_ID = "urgent"
PATHWAY_PREFIX = "pathway:"


def level_position_id(level: int) -> str:
    """The id of a level's own consent position (``level-4``)."""
    return f"level-{level}"


@dataclass(frozen=True)
class Position:
    """One consent position a ruleset gives, ready to rank."""

    id: str
    """``level-N``, ``urgent``, ``pathway:<id>`` or a ``consent.positions`` id."""
    kind: ConsentKind
    rank: int
    text: str
    trigger: Trigger
    source: m.SourceRef | None = None
    matches: frozenset[str] = frozenset()
    """For a concern's position: the indicator ids it applies to."""
    min_age_months: float | None = None
    """For a concern's position: it applies only at this age or older (age recorded)."""


@dataclass(frozen=True)
class Applying:
    """A position that applies to one outcome, and why (indicator, rule or pathway ids, or
    ``level-N``)."""

    position: Position
    why: tuple[str, ...]


@dataclass(frozen=True)
class ConsentTable:
    """Every consent position of a ruleset, compiled once per ruleset."""

    levels: dict[int, Position]
    urgent: Position | None
    indicators: tuple[Position, ...]
    pathways: dict[str, Position]
    recorded: dict[ConsentKind, m.RecordedConsent]

    @property
    def all(self) -> tuple[Position, ...]:
        """Every position, in the tie-break order (urgent, concerns, levels, pathways)."""
        head = (self.urgent,) if self.urgent is not None else ()
        return (*head, *self.indicators, *self.levels.values(), *self.pathways.values())

    def applying(
        self,
        level: int,
        urgent: bool,
        pathways: Iterable[str],
        present: Iterable[str],
        age_months: float | None = None,
        *,
        urgent_why: Sequence[str] = (),
        indicator_rank: Mapping[str, int] | None = None,
    ) -> tuple[Applying, ...]:
        """The positions that apply, most protective first (never empty: the level's own
        always applies).

        ``present`` is the case's present concerns (as the rules see them, implied ones
        included); ``pathways`` the recommended pathway ids in recommendation order;
        ``age_months`` the child's age (None when not recorded or unborn); ``urgent_why`` the
        ids of the rules that made the decision urgent; ``indicator_rank`` orders a concern
        position's matched indicators (ruleset order; sorted by id without it).
        """
        found: list[Applying] = []
        if urgent and self.urgent is not None:
            found.append(Applying(self.urgent, tuple(urgent_why)))
        have = frozenset(present)
        if not have.isdisjoint(self._matched):
            for pos in self.indicators:
                hit = pos.matches & have
                if hit and pos.min_age_months is not None and (
                    age_months is None or age_months < pos.min_age_months
                ):
                    continue
                if hit:
                    ordered = (
                        sorted(hit) if indicator_rank is None
                        else sorted(hit, key=indicator_rank.__getitem__)
                    )
                    found.append(Applying(pos, tuple(ordered)))
        found.append(self._fixed[0][level])
        by_pathway = self._fixed[1]
        for pid in pathways:
            pw = by_pathway.get(pid)
            if pw is not None:
                found.append(pw)
        if len(found) == 1:
            return (found[0],)
        return tuple(sorted(found, key=_descending_rank))  # stable: ties keep order

    @cached_property
    def _matched(self) -> frozenset[str]:
        """Every indicator a concern's position applies to (built once per table)."""
        return frozenset().union(*(pos.matches for pos in self.indicators))

    @cached_property
    def _fixed(self) -> tuple[dict[int, Applying], dict[str, Applying]]:
        """Each level's own position and each pathway's, as they apply (the same for every
        outcome: built once per table, frozen, shared)."""
        return (
            {lv: Applying(pos, (level_position_id(lv),)) for lv, pos in self.levels.items()},
            {pid: Applying(pos, (pid,)) for pid, pos in self.pathways.items()},
        )

    def first(
        self,
        level: int,
        urgent: bool,
        pathways: Iterable[str],
        present: Iterable[str],
        age_months: float | None = None,
    ) -> Position:
        """The most protective position that applies (what the batch column holds)."""
        return self.applying(level, urgent, pathways, present, age_months)[0].position


def _descending_rank(found: Applying) -> int:
    return -found.position.rank


def consent_table(model: m.RulesetModel) -> ConsentTable:
    """Compile a ruleset's consent positions (tags resolved to indicator ids)."""
    levels = {
        lv.level: _position(level_position_id(lv.level), lv.consent.rule, lv.consent.text,
                            "level", lv.consent.source)
        for lv in model.levels
    }
    policy = model.consent
    urgent = None
    if policy.urgent is not None:
        urgent = _position(URGENT_ID, policy.urgent.rule, policy.urgent.text, "urgent",
                           policy.urgent.source)
    by_indicator = []
    for pos in policy.positions:
        tags = set(pos.tags)
        named = set(pos.indicators)  # a set: this runs for every indicator (issue 17)
        matches = frozenset(
            ind.id for ind in model.indicators
            if ind.id in named or tags.intersection(ind.tags)
        )
        months = None if pos.at_least_years is None else float(pos.at_least_years) * 12
        by_indicator.append(
            Position(pos.id, pos.kind, consent_rank(pos.kind), pos.text, "concern", pos.source,
                     matches, months)
        )
    pathways = {
        p.id: _position(PATHWAY_PREFIX + p.id, p.consent_rule, p.consent, "pathway", p.source)
        for p in model.pathways
        if p.consent_rule is not None
    }
    return ConsentTable(levels, urgent, tuple(by_indicator), pathways, dict(policy.recorded))


def _position(
    pid: str, kind: ConsentKind, text: str, trigger: Trigger, source: m.SourceRef | None
) -> Position:
    return Position(pid, kind, consent_rank(kind), text, trigger, source)


def recorded_wording(
    table: ConsentTable, kind: ConsentKind, recorded: str | None
) -> str | None:
    """The ruleset's words for what the recorded consent means under a position of this kind
    (``None`` when the ruleset gives none: the position's own text is shown)."""
    words = table.recorded.get(kind)
    if words is None:
        return None
    if recorded == "given":
        return words.given
    if recorded == "refused":
        return words.refused
    return words.not_sought

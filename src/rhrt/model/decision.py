# SPDX-License-Identifier: MIT
"""What an assessment returns: a level, why, and what to do.

A Decision is data (JSON-serialisable, with a published JSON Schema); text, Markdown and HTML
are rendered from it, never the other way round. It always states that it supports, and does
not replace, professional judgement, and it always shows a professional override.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import ConfigDict, Field

from rhrt._words import plural
from rhrt.model._base import PrivateModel
from rhrt.model.scale import ConsentKind, LevelNumber
from rhrt.model.standing import Standing

SUPPORTS_JUDGEMENT = (
    "This decision supports, and does not replace, professional judgement. If you think a child "
    "is at risk, act on your concern: record your own decision and reason, and talk to your "
    "safeguarding lead or the MASH."
)
RECORD_FORMAT = 1
NO_TIMESCALE = "the ruleset's sources give no timescale"
"""Shown where a step to gather missing information has no timescale in the sources."""


class _Out(PrivateModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StatusStamp(_Out):
    """A ruleset's declared standing (``ruleset.status``), e.g. a working draft for its
    partnership to review: every output made with it shows this."""

    id: str
    text: str


class RulesetStamp(_Out):
    """Identifies exactly which ruleset made a decision."""

    id: str
    version: str
    sha256: str
    """SHA-256 of the ruleset file's bytes (or of its canonical JSON when built in code)."""
    status: StatusStamp | None = None
    """The ruleset's declared standing; None when it declares none (and in older records)."""


class SourceCitation(_Out):
    ref: str
    title: str
    url: str | None = None
    section: str | None = None
    standing: Standing
    """The source's standing (:mod:`rhrt.model.standing`), copied from the ruleset."""


class IndicatorFinding(_Out):
    """A present indicator that determines the level."""

    id: str
    text: str
    level: int
    domain: str
    subdomain: str | None = None
    source: SourceCitation


class FiredRule(_Out):
    id: str
    because: str
    level: int | None = None
    urgent: bool = False
    pathways: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    """Present indicators the rule's condition matched."""
    assumed: tuple[str, ...] = ()
    """Missing facts the rule fired on (unknown information never lowers a level)."""
    condition: str | None = None
    """The rule's condition in plain words (``rhrt.rules.plain``); None in older records."""
    not_yet_known: str | None = None
    """For a rule fired only because information is missing, when the outcome depends on it:
    the parts of its condition that depend on the missing facts, in plain words (what must turn
    out true for it to apply). A referral states these as not yet known, never as findings."""


class DomainSummary(_Out):
    domain: str
    title: str
    highest_level: int
    indicators: tuple[str, ...]


class ChangeHint(_Out):
    """Something that would change the outcome (a near miss): the rule, what it would do, and
    the same in plain words.

    What it would do, by meaning (one hint may do several): ``raises_to`` the level it would
    raise the decision to, ``makes_urgent``, ``adds_pathways``. Records made before these
    fields existed read back with their defaults (None, false, empty) and only ``text``.
    """

    rule: str
    text: str
    raises_to: int | None = None
    """The level the rule would raise the decision to; None when it would not raise it."""
    makes_urgent: bool = False
    """True when the rule would make a decision that is not urgent urgent."""
    adds_pathways: tuple[str, ...] = ()
    """Pathways the rule would add that the decision does not recommend yet, in rule order."""


class ReplacedPathway(_Out):
    """A route the framework's level or rules would recommend, replaced by the case's context."""

    id: str
    by: tuple[str, ...]
    """The rules (known true, never on missing information) that replaced it."""
    instead: tuple[str, ...]
    """The pathways those rules recommend instead (who to tell)."""


class Explanation(_Out):
    indicators: tuple[IndicatorFinding, ...] = ()
    """The present indicators that determine the level: those at the decided level and those a
    rule that set the level matched."""
    rules: tuple[FiredRule, ...] = ()
    domains: tuple[DomainSummary, ...] = ()
    holding_set: tuple[str, ...] = ()
    """A minimal set of present concerns that alone holds the level where it is: the level
    would only fall if the concerns here were resolved."""
    missing_information: tuple[str, ...] = ()
    """Facts not recorded that rules assumed the worst about; recording them may change the
    outcome."""
    would_raise: tuple[ChangeHint, ...] = ()
    """Near misses: rules that did not fire but would raise the level, make the decision urgent
    or add a pathway if one more thing were true (each hint says which; the properties below
    select them by meaning)."""

    @property
    def would_raise_level(self) -> tuple[ChangeHint, ...]:
        """The near misses that would raise the level."""
        return tuple(h for h in self.would_raise if h.raises_to is not None)

    @property
    def would_make_urgent(self) -> tuple[ChangeHint, ...]:
        """The near misses that would make the decision urgent."""
        return tuple(h for h in self.would_raise if h.makes_urgent)

    @property
    def would_add_pathway(self) -> tuple[ChangeHint, ...]:
        """The near misses that would add a pathway."""
        return tuple(h for h in self.would_raise if h.adds_pathways)

    urgent_because: tuple[str, ...] = ()
    """Why the decision is urgent, in plain words: each urgent concern's ``urgent_because`` and
    each urgent rule's ``because`` that fired (empty when not urgent)."""
    replaced_pathways: tuple[ReplacedPathway, ...] = ()
    """Routes not recommended because the child's recorded context replaces them (e.g. inform
    the allocated social worker instead of a new MASH referral), and who to tell instead."""
    would_allow_step_down: str | None = None
    """What would allow a step down from this level, worded by the ruleset (``levels[].
    step_down``); the concerns in ``holding_set`` are what keeps the level where it is."""
    step_up: str | None = None
    """When a case at this level should step up (``levels[].step_up``)."""


class PathwayContact(_Out):
    """Who to contact for a pathway, as the ruleset gives it."""

    id: str
    name: str
    how: str
    hours: str | None = None
    url: str | None = None


class PathwayRecommendation(_Out):
    """A recommended pathway with the ruleset's guidance for it, so a decision shows what to do
    wherever it is displayed (notebook, terminal, JSON record) without its ruleset.

    The guidance fields are None (or empty) only in records made before they were added.
    """

    id: str
    title: str
    why: tuple[str, ...]
    """Why it applies: the ids of the rules (or ``level-N``) that recommend it."""
    what: str | None = None
    """What to do."""
    contact: PathwayContact | None = None
    """Who to contact."""
    timescale: str | None = None
    """By when."""
    consent: str | None = None
    """The pathway's consent guidance."""
    gather: tuple[str, ...] = ()
    """Information to gather before acting."""
    source: SourceCitation | None = None
    conditional_on: str | None = None
    """Set when the known facts alone do not recommend this pathway: the missing facts it
    depends on, in the plain words of the rules' conditions (``the DASH risk checklist score
    is 14 or more 'yes' answers``): recommend it only if they turn out so."""


class GatherStep(_Out):
    """A missing fact to find out first, because the outcome may depend on it."""

    fact: str
    """The missing fact, as ``Explanation.missing_information`` names it."""
    what: str
    """What to do to find it out (the ruleset's ``measures[].find_out``)."""
    timescale: str | None = None
    """By when, as the ruleset's sources give it; None when they give no timescale."""
    source: SourceCitation | None = None


ConsentTrigger = Literal["urgent", "concern", "level", "pathway"]


class ConsentApplies(_Out):
    """A consent position that also applies to the decision (less or equally protective than
    the one shown first), kept visible."""

    id: str
    """``level-N``, ``urgent``, ``pathway:<id>`` or the ruleset's position id."""
    rule: ConsentKind
    text: str
    trigger: ConsentTrigger
    """What made it apply: the decision is urgent, a concern, the level, or a pathway."""
    because: str
    """Why it applies, in plain words (the level, the concerns or the pathway by name)."""
    why: tuple[str, ...] = ()
    """The ids behind ``because``: indicator, rule or pathway ids, or ``level-N``."""
    source: SourceCitation | None = None


class ConsentPosition(_Out):
    """The consent positions that apply, the most protective first (ranked by kind in the
    fixed order ``rhrt.model.scale.CONSENT_KINDS``), with what was recorded.

    ``rule``, ``text``, ``id``, ``trigger``, ``because``, ``why`` and ``source`` are the first
    (most protective) position's; ``others`` the rest, in rank order. Records made before
    positions by concern and pathway have the level's only (``id`` None, ``others`` empty).
    """

    rule: ConsentKind
    text: str
    recorded: Literal["given", "refused", "not_sought"] | None = None
    applies: str
    """What to do about consent for this decision, in plain words: the ruleset's wording for
    the recorded consent under the first position, or that position's own text."""
    id: str | None = None
    trigger: ConsentTrigger | None = None
    because: str | None = None
    why: tuple[str, ...] = ()
    source: SourceCitation | None = None
    others: tuple[ConsentApplies, ...] = ()


class Override(PrivateModel):
    """A practitioner's recorded professional judgement."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    level: LevelNumber
    reason: str = Field(min_length=3, max_length=5_000, repr=False)
    role: str = Field(min_length=2, max_length=200)


class OverrideRecord(_Out):
    level: int
    reason: str = Field(repr=False)
    """The practitioner's own words: in records, masked in reprs."""
    role: str
    level_name: str | None = None
    """The overriding level's name in the ruleset; None in older records."""
    framework_level: int
    direction: Literal["raised", "lowered", "same"]
    management_review: bool
    """True when a level-4 framework outcome was lowered: a manager must review it."""


class CaseNote(_Out):
    indicator: str
    note: str | None = Field(default=None, repr=False)
    """Free text (personal data): in records only when asked, masked in reprs."""
    source: str | None = Field(default=None, repr=False)


def _renamed_key(errors: list[Any]) -> tuple[str, str] | None:
    """(field path, message) for a key of an older record that was renamed before 1.0
    (``herefordshire`` → ``standing``), else None."""
    from rhrt.errors import field_path
    from rhrt.model.standing import RENAMED_KEYS

    for err in errors:
        loc = err["loc"]
        if err["type"] == "extra_forbidden" and loc and loc[-1] in RENAMED_KEYS:
            _new, why = RENAMED_KEYS[str(loc[-1])]
            return field_path(loc), f"{why} (an older record: re-assess the case to remake it)"
    return None


class Decision(_Out):
    """The outcome of assessing one case against one ruleset."""

    record_format: int = RECORD_FORMAT
    status: Literal["confirmed", "provisional"] = "confirmed"
    """``provisional`` when recording missing information may change the outcome: the level
    (and any pathway shown as conditional) rests on rules that fired only because information
    is missing. ``confirmed`` when no missing fact can change the level, urgency or pathways."""
    level: LevelNumber
    """The framework's level (rules only; see ``override`` for the professional's). It is the
    fail-safe level: never lower than any completion of the missing facts (the assumed level,
    when provisional)."""
    known_level: LevelNumber | None = None
    """The level the known facts alone establish (rules definitely true, not those fired only
    because information is missing). Equal to ``level`` when confirmed; None in older records."""
    gather_first: tuple[GatherStep, ...] = ()
    """When provisional: the missing facts the outcome depends on, what to do to find each
    out and by when."""
    level_name: str
    level_response: str | None = None
    """The ruleset's response at the framework's level: what this level means should happen."""
    urgent: bool
    pathways: tuple[PathwayRecommendation, ...]
    first_step: str | None = None
    """When the decision is urgent, the id of the pathway (one of ``pathways``) to act on
    first, before anything else: an emergency pathway (the framework: a child injured or in
    immediate danger, telephone 999 before anything else; the ruleset's ``pathways[].emergency``);
    else one a fired urgent rule (not fired on missing information) recommends; else the route of
    the level to act on (``final_level``: it follows a professional's override), or the route
    that replaced it because of the child's recorded context. Never a pathway shown as
    conditional (``conditional_on``), never just the first listed (practice review: an urgent
    decision once opened "Act now: Graded Care Profile 2"). None when the decision is not
    urgent, or no recommended route is urgent in any of these ways (the level's response then
    comes first). Records made before this field existed read back with None: rendering them
    with their ruleset recomputes it (:func:`rhrt.explain.first_step`)."""
    explanation: Explanation
    consent: ConsentPosition
    ruleset: RulesetStamp
    engine: str = "reference"
    assessment_date: dt.date | None = None
    rhrt_version: str
    override: OverrideRecord | None = None
    recorded_decision: int | None = None
    notes: tuple[CaseNote, ...] = Field(default=(), repr=False)
    """Practitioners' free-text notes (personal data): excluded from records unless asked."""
    warnings: tuple[str, ...] = ()
    """Things a reader of this decision must know, e.g. that the assessment date falls outside
    the period the ruleset is in force (the decision is still made, never silently refused)."""
    statement: str = SUPPORTS_JUDGEMENT

    @property
    def final_level(self) -> int:
        """The level to act on: the professional's where overridden, else the framework's."""
        return self.override.level if self.override is not None else self.level

    @property
    def pathway_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.pathways)

    def to_record(self, *, include_notes: bool = False) -> dict[str, Any]:
        """A JSON-ready dict of this decision; free-text notes only when asked."""
        data = self.model_dump(mode="json")
        if not include_notes:
            data["notes"] = []
        return data

    def to_json(self, *, include_notes: bool = False, indent: int | None = 2) -> str:
        """Deterministic JSON (sorted keys) of :meth:`to_record`."""
        import json

        from rhrt._text import json_text

        # Control, bidi and zero-width characters escaped (\uXXXX): the same data, safe to print.
        return json_text(
            json.dumps(
                self.to_record(include_notes=include_notes),
                indent=indent,
                sort_keys=True,
                ensure_ascii=False,
            )
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Decision:
        """Read a record back (as written by :meth:`to_json`).

        Raises:
            RecordError: not JSON, or not a decision record. The message names the field path
                (keys only when shaped like an id) and the kind of problem, never a value: a
                tampered record would otherwise have its content (override reasons, notes)
                echoed by pydantic's messages.
        """
        from pydantic import ValidationError

        from rhrt.errors import RecordError, field_path

        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_input=False, include_context=False)
            renamed = _renamed_key(errors)
            if renamed is not None:
                raise RecordError(
                    f"invalid decision record: {renamed[1]}", path=renamed[0]
                ) from None
            first = errors[0]
            more = f" (and {plural(len(errors) - 1, 'more problem')})" if len(errors) > 1 else ""
            raise RecordError(
                f"invalid decision record: {first['type']}{more}", path=field_path(first["loc"])
            ) from None
        except (TypeError, ValueError, UnicodeError):
            raise RecordError("invalid decision record: not JSON text") from None

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        return cls.model_json_schema()

    @property
    def provisional(self) -> bool:
        return self.status == "provisional"

    def status_text(self, known_level_name: str | None = None) -> str:
        """The status in one sentence, as every rendering shows it beside the level."""
        if not self.provisional:
            # Not "nothing can change it": recording a concern, a measure or context that was
            # never mentioned can still raise the level (an unrecorded fact that would imply a
            # concern is read as absent: docs/ruleset-format.md).
            return (
                "nothing in this outcome rests on missing information; recording further "
                "concerns or facts can still raise it."
            )
        known = self.known_level
        if known is None or known == self.level:
            return (
                f"level {self.level} rests on known facts, but some of what to do depends on "
                "missing information (marked \"only if\")."
            )
        name = f" ({known_level_name})" if known_level_name else ""
        return (
            f"level {self.level} is assumed until missing information is recorded; the known "
            f"facts alone give level {known}{name}."
        )

    @property
    def override_status(self) -> str:
        """Whose level stands, in a few words: the framework's, or a recorded override's."""
        if self.override is None:
            return "framework level"
        ov = self.override
        if ov.management_review:
            return f"overridden to level {ov.level}: management review required"
        if ov.direction == "same":
            return f"professional judgement agrees (level {ov.level})"
        return f"professional judgement {ov.direction} to level {ov.level}"

    def __repr__(self) -> str:
        """A short summary (no case content): status, level, urgency, override status and
        pathway ids."""
        known = f" known_level={self.known_level}" if self.provisional else ""
        return (
            f"<Decision {self.status} level={self.level} ({self.level_name}){known} "
            f"urgent={self.urgent} override={self.override_status!r} "
            f"pathways={list(self.pathway_ids)!r}>"
        )

    def __str__(self) -> str:
        """A one-paragraph reading of the decision (no case content: no notes or reasons)."""
        parts = []
        if self.provisional:
            parts.append(f"PROVISIONAL: {self.status_text()}")
        parts.append(f"Level {self.level} ({self.level_name}){', urgent' if self.urgent else ''}.")
        if self.override is not None:
            parts.append(f"Status: {self.override_status}.")
        found = self.explanation.indicators
        if found:
            parts.append(
                "Determined by: " + "; ".join(f"{i.text} (level {i.level})" for i in found) + "."
            )
        else:
            parts.append("No concerns above level 1 were recorded.")
        if self.pathways:
            steps = []
            for p in self.pathways:
                details = [f"only if {p.conditional_on}"] if p.conditional_on else []
                details += [f"by when: {p.timescale}"] if p.timescale else []
                if p.contact is not None:
                    details.append(f"contact: {p.contact.name}")
                steps.append(p.title + (f" ({'; '.join(details)})" if details else ""))
            parts.append("What to do: " + "; ".join(steps) + ".")
        if self.gather_first:
            parts.append(
                "Find out first: "
                + "; ".join(f"{g.what} (by when: {g.timescale or NO_TIMESCALE})"
                            for g in self.gather_first)
                + "."
            )
        parts.append(self.consent.applies)
        if self.ruleset.status is not None:
            parts.append(f"Ruleset status: {self.ruleset.status.text}")
        parts.append(self.statement)
        return " ".join(parts)

    def _repr_html_(self) -> str | None:
        """Jupyter: the decision as tidy HTML, from the renderer registered with
        :mod:`rhrt.model.display` (the model never imports the renderer itself)."""
        from rhrt.model.display import show

        html: str | None = show(self, "html")
        return html

    def __rich__(self) -> Any:
        """rich (terminals): the Markdown rendering, from the registered renderer (rich itself
        is imported only then); the plain reading (``str``) when none is registered."""
        from rhrt.model.display import show

        shown = show(self, "rich")
        return str(self) if shown is None else shown


def decision_schema() -> dict[str, Any]:
    """The JSON Schema of decision records, as published in ``docs/decision.schema.json``."""
    schema = Decision.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$comment"] = (
        "Generated by `rhrt docs --schema` from rhrt.model.decision.Decision; do not edit."
    )
    return schema


def decision_schema_json() -> str:
    """:func:`decision_schema` as deterministic JSON text (sorted keys, trailing newline)."""
    import json

    return json.dumps(decision_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

# SPDX-License-Identifier: MIT
"""What an assessment returns: a level, why, and what to do.

A Decision is data (JSON-serialisable, with a published JSON Schema); text, Markdown and HTML
are rendered from it, never the other way round. It always states that it supports, and does
not replace, professional judgement, and it always shows a professional override.
"""

# No `from __future__ import annotations` here: see rhrt.model._base (start-up time).
import datetime as dt
from typing import Any, Literal, Self

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
    """The standing's id as the ruleset declares it (``ruleset.status.id``, e.g.
    ``working-draft``)."""
    text: str
    """The ruleset's words for its standing, shown in every output made with it."""


class RulesetStamp(_Out):
    """Identifies exactly which ruleset made a decision."""

    id: str
    """The ruleset's id (``ruleset.id``, e.g. ``herefordshire-rhrt``)."""
    version: str
    """The ruleset's version string (``ruleset.version``), as the ruleset gives it."""
    sha256: str
    """SHA-256 of the ruleset file's bytes (or of its canonical JSON when built in code)."""
    status: StatusStamp | None = None
    """The ruleset's declared standing; None when it declares none (and in older records)."""


class SourceCitation(_Out):
    """A source the ruleset cites, resolved: its id, title, address, the section cited and its
    standing."""

    ref: str
    """The source's id in the ruleset's ``sources``."""
    title: str
    """The source document's title, as the ruleset gives it."""
    url: str | None = None
    """Where the source is published; None when the ruleset gives no address."""
    section: str | None = None
    """The section cited, or the page number as text; None when the citation names neither."""
    standing: Standing
    """The source's standing (:mod:`rhrt.model.standing`), copied from the ruleset."""


class IndicatorFinding(_Out):
    """A present indicator that determines the level."""

    id: str
    """The indicator's id in the ruleset (``indicators[].id``)."""
    text: str
    """The indicator's wording in the ruleset: what a practitioner sees or is told."""
    level: int
    """The level the ruleset places the indicator at."""
    domain: str
    """The id of the indicator's domain (area of the child's life) in the ruleset."""
    subdomain: str | None = None
    """The indicator's subdomain within its domain; None when the ruleset gives none."""
    source: SourceCitation
    """Where the indicator's wording comes from (the ruleset's citation)."""


class FiredRule(_Out):
    """A rule that fired for the case (its condition true, or unknown because information is
    missing: unknown information never lowers a level)."""

    id: str
    """The rule's id in the ruleset (``rules[].id``; ``safety.*`` for the built-in safety
    routes)."""
    because: str
    """The rule's reason in the ruleset's plain words (``rules[].because``)."""
    level: int | None = None
    """The level the rule sets as a floor (``then.level``); None when it sets none."""
    urgent: bool = False
    """True when the rule makes the decision urgent (``then.urgent``)."""
    pathways: tuple[str, ...] = ()
    """The ids of the pathways the rule recommends (``then.pathways``), in rule order."""
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
    """The present concerns in one domain (area of the child's life), and the highest level among
    them."""

    domain: str
    """The domain's id in the ruleset."""
    title: str
    """The domain's title, as the ruleset gives it."""
    highest_level: int
    """The highest level of the present concerns in this domain."""
    indicators: tuple[str, ...]
    """The ids of the present concerns in this domain, in ruleset order."""


class ChangeHint(_Out):
    """Something that would change the outcome (a near miss): the rule, what it would do, and
    the same in plain words.

    What it would do, by meaning (one hint may do several): ``raises_to`` the level it would
    raise the decision to, ``makes_urgent``, ``adds_pathways``. Records made before these
    fields existed read back with their defaults (None, false, empty) and only ``text``.
    """

    rule: str
    """The id of the rule that did not fire but would change the outcome."""
    text: str
    """What would change the outcome and how, in plain words."""
    raises_to: int | None = None
    """The level the rule would raise the decision to; None when it would not raise it."""
    makes_urgent: bool = False
    """True when the rule would make a decision that is not urgent urgent."""
    adds_pathways: tuple[str, ...] = ()
    """Pathways the rule would add that the decision does not recommend yet, in rule order."""


class ReplacedPathway(_Out):
    """A route the framework's level or rules would recommend, replaced by the case's context."""

    id: str
    """The id of the pathway not recommended."""
    by: tuple[str, ...]
    """The rules (known true, never on missing information) that replaced it."""
    instead: tuple[str, ...]
    """The pathways those rules recommend instead (who to tell)."""


class Explanation(_Out):
    """Why the decision is what it is: the concerns and rules that decided it, and what would change
    it."""

    indicators: tuple[IndicatorFinding, ...] = ()
    """The present indicators that determine the level: those at the decided level and those a
    rule that set the level matched."""
    rules: tuple[FiredRule, ...] = ()
    """Every rule that fired (its condition true, or unknown because information is missing):
    the safety routes first, then the ruleset's rules in their order."""
    domains: tuple[DomainSummary, ...] = ()
    """The present concerns grouped by domain (area of the child's life), in ruleset order."""
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
    """The contact's id in the ruleset's ``contacts``."""
    name: str
    """The service or person to contact."""
    how: str
    """How to contact them, in the ruleset's words (a telephone number or address only as its source
    gives it)."""
    hours: str | None = None
    """When they can be reached (e.g. office hours); None when the ruleset does not say."""
    url: str | None = None
    """The service's web page; None when the ruleset gives none."""


class PathwayRecommendation(_Out):
    """A recommended pathway with the ruleset's guidance for it, so a decision shows what to do
    wherever it is displayed (notebook, terminal, JSON record) without its ruleset.

    The guidance fields are None (or empty) only in records made before they were added.
    """

    id: str
    """The pathway's id in the ruleset (``pathways[].id``)."""
    title: str
    """The pathway's title: the route the ruleset recommends."""
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
    """Where the pathway's guidance comes from (the ruleset's citation); None when it cites none,
    and in older records."""
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
    """Where the way to find it out comes from (the ruleset's citation); None when it cites none."""


ConsentTrigger = Literal["urgent", "concern", "level", "pathway"]


class ConsentApplies(_Out):
    """A consent position that also applies to the decision (less or equally protective than
    the one shown first), kept visible."""

    id: str
    """``level-N``, ``urgent``, ``pathway:<id>`` or the ruleset's position id."""
    rule: ConsentKind
    """The position's kind, which ranks it (``rhrt.model.scale.CONSENT_KINDS``, least protective
    first)."""
    text: str
    """The position's words: what to do about consent under it."""
    trigger: ConsentTrigger
    """What made it apply: the decision is urgent, a concern, the level, or a pathway."""
    because: str
    """Why it applies, in plain words (the level, the concerns or the pathway by name)."""
    why: tuple[str, ...] = ()
    """The ids behind ``because``: indicator, rule or pathway ids, or ``level-N``."""
    source: SourceCitation | None = None
    """Where the position comes from (the ruleset's citation); None when it cites none."""


class ConsentPosition(_Out):
    """The consent positions that apply, the most protective first (ranked by kind in the
    fixed order ``rhrt.model.scale.CONSENT_KINDS``), with what was recorded.

    ``rule``, ``text``, ``id``, ``trigger``, ``because``, ``why`` and ``source`` are the first
    (most protective) position's; ``others`` the rest, in rank order. Records made before
    positions by concern and pathway have the level's only (``id`` None, ``others`` empty).
    """

    rule: ConsentKind
    """The first (most protective) position's kind (``rhrt.model.scale.CONSENT_KINDS``)."""
    text: str
    """The first position's words."""
    recorded: Literal["given", "refused", "not_sought"] | None = None
    """The consent recorded in the case (``given``, ``refused``, ``not_sought``); None when not
    recorded."""
    applies: str
    """What to do about consent for this decision, in plain words: the ruleset's wording for
    the recorded consent under the first position, or that position's own text."""
    id: str | None = None
    """The first position's id (``level-N``, ``urgent``, ``pathway:<id>`` or the ruleset's position
    id); None in records made before positions by concern and pathway."""
    trigger: ConsentTrigger | None = None
    """What made the first position apply: the decision is urgent, a concern, the level, or a
    pathway; None in older records."""
    because: str | None = None
    """Why the first position applies, in plain words (the level, the concerns or the pathway by
    name); None in older records."""
    why: tuple[str, ...] = ()
    """The ids behind ``because``: indicator, rule or pathway ids, or ``level-N``."""
    source: SourceCitation | None = None
    """Where the first position comes from (the ruleset's citation); None when it cites none."""
    others: tuple[ConsentApplies, ...] = ()
    """The other positions that apply, less or equally protective, in rank order (most protective
    first)."""


class Override(PrivateModel):
    """A practitioner's recorded professional judgement."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    level: LevelNumber
    reason: str = Field(min_length=3, max_length=5_000, repr=False)
    role: str = Field(min_length=2, max_length=200)


class OverrideRecord(_Out):
    """A practitioner's professional judgement as the decision records it, beside the framework's
    level."""

    level: int
    """The level the practitioner judges right: the level to act on."""
    reason: str = Field(repr=False)
    """The practitioner's own words: in records, masked in reprs."""
    role: str
    """The practitioner's role (e.g. social worker), as recorded."""
    level_name: str | None = None
    """The overriding level's name in the ruleset; None in older records."""
    framework_level: int
    """The framework's level (``Decision.level``) that the practitioner's judgement is beside."""
    direction: Literal["raised", "lowered", "same"]
    """Which way the practitioner's level departs from the framework's: ``raised``, ``lowered`` or
    ``same``."""
    management_review: bool
    """True when a level-4 framework outcome was lowered: a manager must review it."""


class CaseNote(_Out):
    """A practitioner's note on a concern, copied from the case (personal data: in records only when
    asked)."""

    indicator: str
    """The id of the concern the note is about."""
    note: str | None = Field(default=None, repr=False)
    """Free text (personal data): in records only when asked, masked in reprs."""
    source: str | None = Field(default=None, repr=False)
    """Who reported or observed it (e.g. school, health visitor), as the case records it; None when
    not recorded."""


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
    """The version of this record layout: ``rhrt.model.decision.RECORD_FORMAT`` of the rhrt that
    wrote it."""
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
    """The ruleset's name for the framework's level (``levels[].name``)."""
    level_response: str | None = None
    """The ruleset's response at the framework's level: what this level means should happen."""
    urgent: bool
    """True when the decision is urgent: a present concern or a fired rule is marked urgent (e.g.
    immediate danger: telephone 999)."""
    pathways: tuple[PathwayRecommendation, ...]
    """What to do: each recommended pathway with why it applies and the ruleset's guidance, in the
    order first recommended (for an urgent decision, show ``first_step`` first)."""
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
    """Why: the concerns and rules that decided the level, the concerns by domain, the missing
    information and what would change the outcome."""
    consent: ConsentPosition
    """The consent positions that apply, the most protective first, with the consent recorded."""
    ruleset: RulesetStamp
    """Which ruleset made the decision: its id, version, SHA-256 and declared status."""
    engine: str = "reference"
    """The evaluation engine that made the decision: ``reference`` or ``durable`` (they agree
    exactly)."""
    assessment_date: dt.date | None = None
    """The assessment date given in the case (rhrt never reads the clock); None when the case gives
    none."""
    rhrt_version: str
    """The version of rhrt that made the decision."""
    override: OverrideRecord | None = None
    """A practitioner's recorded professional judgement, kept beside the framework's level, never
    instead of it; None when there is none."""
    recorded_decision: int | None = None
    """The level a practitioner recorded in the case (used by audits, never by the rules);
    None when the case records none."""
    notes: tuple[CaseNote, ...] = Field(default=(), repr=False)
    """Practitioners' free-text notes (personal data): excluded from records unless asked."""
    warnings: tuple[str, ...] = ()
    """Things a reader of this decision must know, e.g. that the assessment date falls outside
    the period the ruleset is in force (the decision is still made, never silently refused)."""
    statement: str = SUPPORTS_JUDGEMENT
    """That rhrt supports, and does not replace, professional judgement (the same in every
    decision)."""

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
    def from_json(cls, text: str | bytes) -> Self:
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


def field_docs() -> dict[str, dict[str, str]]:
    """Each decision model's field docstrings (the string literal under a field, as
    mkdocstrings shows it), by class name then field name, as one paragraph of plain text
    (reStructuredText roles and double backquotes become single backquotes).

    Read from this module's source when the schema is made, never at import: pydantic's own
    ``use_attribute_docstrings`` would parse the source each time the models are built (every
    ``import rhrt``), and needs pydantic 2.7.
    """
    import ast
    import inspect
    import re
    import sys

    tree = ast.parse(inspect.getsource(sys.modules[__name__]))
    out: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        docs = out.setdefault(node.name, {})
        for field, doc in zip(node.body, node.body[1:], strict=False):
            if (isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
                    and isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)
                    and isinstance(doc.value.value, str)):
                text = " ".join(inspect.cleandoc(doc.value.value).split())
                text = re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", text).replace("``", "`")
                docs[field.target.id] = text
    return out


def _describe(schema: dict[str, Any]) -> None:
    """Give every property of the decision schema its field's docstring as ``description``."""
    docs = field_docs()
    models = [(str(schema["title"]), schema)]
    models += [(name, sub) for name, sub in schema.get("$defs", {}).items()]
    for name, model in models:
        for field, prop in model.get("properties", {}).items():
            doc = docs.get(name, {}).get(field)
            if doc is not None:
                prop["description"] = doc


def decision_schema() -> dict[str, Any]:
    """The JSON Schema of decision records, as published in ``docs/decision.schema.json``:
    pydantic's schema of :class:`Decision`, with each field's docstring as its
    ``description``."""
    schema = Decision.json_schema()
    _describe(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$comment"] = (
        "Generated by `rhrt docs --schema` from rhrt.model.decision.Decision; do not edit."
    )
    return schema


def decision_schema_json() -> str:
    """:func:`decision_schema` as deterministic JSON text (sorted keys, trailing newline)."""
    import json

    return json.dumps(decision_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

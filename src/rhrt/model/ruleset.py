# SPDX-License-Identifier: MIT
"""The ruleset schema: pydantic models of a levels-of-need file.

These models know nothing of YAML: they validate plain data, so a ruleset can also be built in
code or from JSON. Every model is frozen (a loaded ruleset is shared across threads) and forbids
unknown keys (a misspelt key is an error, never silently dropped).
"""

# No `from __future__ import annotations` here: see rhrt.model._base (start-up time).
import datetime as dt
import re
from typing import Annotated, Literal, Self, Union

from pydantic import (
    AllowInfNan,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    Tag,
    field_validator,
    model_validator,
)

from rhrt.model._base import RhrtModel
from rhrt.model.scale import (
    AGE_UNITS,
    CONTEXT_STATES,
    LEVELS,
    MEASURE_OPS,
    STEP_DOWN_STATES,
    AgeOp,
    ConsentKind,
    LevelNumber,
    MeasureOp,
)
from rhrt.model.standing import Standing

_TEMPLATE_NAME = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=80)]
# One reading for typed fields: a number field takes only a (finite) number, a whole-number field
# only a whole number, a yes/no field only true or false. Without Strict, pydantic would read
# "014" (quoted text) as 14, true as 1 and "off" as False.
Number = Annotated[float, Strict(), AllowInfNan(False)]
Whole = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]


class _Frozen(RhrtModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class SourceDocument(_Frozen):
    title: str
    date: str | dt.date | None = None
    url: str | None = None


class SourceRef(_Frozen):
    """Where an indicator, rule, measure or pathway comes from."""

    ref: Slug
    """A key of the ruleset's ``sources``."""
    section: str | None = None
    page: str | int | None = None
    quote: str | None = None
    """The wording relied on, copied from the source."""
    note: str | None = None
    """Why this level was chosen, where sources disagree, or where the framework is silent."""


class Source(_Frozen):
    title: str
    publisher: str | None = None
    url: str | None = None
    date: str | dt.date | None = None
    standing: Standing
    """Whose document this is and how much weight it bears (see :mod:`rhrt.model.standing`):
    ``partnership``, ``partnership-copy``, ``partnership-informal``, ``regional-adopted``,
    ``national-statutory``, ``national-guidance``, ``other-partnership`` or ``secondary``."""


class RulesetStatus(_Frozen):
    """What standing a ruleset has (e.g. a working draft for its partnership to review), shown
    on every decision and in every output made with it (issue 14, part 6)."""

    id: Slug
    """A short name, e.g. ``working-draft``."""
    text: str = Field(min_length=3)
    """In plain words, for a practitioner reading any output."""


class RulesetInfo(_Frozen):
    id: Slug
    title: str
    version: str
    publisher: str
    source_document: SourceDocument
    effective_from: dt.date
    effective_to: dt.date | None = None
    provenance: str | None = None
    """An honest statement of which parts are the partnership's own text."""
    status: RulesetStatus | None = None
    """The ruleset's standing, carried on every decision (``RulesetStamp.status``)."""

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self


class SafetyRoute(_Frozen):
    tag: Slug
    pathways: tuple[Slug, ...] = Field(min_length=1)
    because: str


class Safety(_Frozen):
    """The routes that never depend on the rest of the rules."""

    immediate_danger: SafetyRoute
    """Indicators with this tag always give level 4, urgent, and these pathways."""
    allegation: SafetyRoute
    """Indicators with this tag always add these pathways (LADO), whatever the level."""


class Contact(_Frozen):
    name: str
    how: str
    hours: str | None = None
    """When the contact can be reached, only as a source gives it; None where the sources give
    no hours (then none is shown: docs/framework-gaps.md)."""
    url: str | None = None
    source: SourceRef | None = None
    """Where the service and its details come from. A telephone number or email address in the
    contact must appear in this source's quote (``rhrt lint``: ``contact-detail-unsourced``):
    never invent a number."""


class Consent(_Frozen):
    """A level's consent position (or the urgent one): its kind and its wording."""

    rule: ConsentKind
    """Its kind, which ranks it (``rhrt.model.scale.CONSENT_KINDS``, least protective first)."""
    text: str
    source: SourceRef | None = None


class ConsentPositionDef(_Frozen):
    """A consent position that applies when a present concern has one of ``tags`` or is one of
    ``indicators`` (e.g. domestic abuse: never alert or ask the alleged perpetrator)."""

    id: Slug
    kind: ConsentKind
    text: str = Field(min_length=3)
    tags: tuple[Slug, ...] = ()
    indicators: tuple[Slug, ...] = ()
    at_least_years: Number | None = Field(default=None, ge=0)
    """Applies only when the child's age is recorded and at least this (never to an unborn
    child): e.g. a young person's own consent to confidential advice."""
    source: SourceRef | None = None

    @model_validator(mode="after")
    def _says_when(self) -> Self:
        if not self.tags and not self.indicators:
            raise ValueError("a consent position needs tags or indicators (when it applies)")
        return self


class RecordedConsent(_Frozen):
    """What to say when consent was recorded as given, refused or not sought (or not
    recorded: ``not_sought``), for one kind of position."""

    given: str | None = None
    refused: str | None = None
    not_sought: str | None = None


class ConsentPolicy(_Frozen):
    """Consent beyond each level's own position, all in data so that a partnership changes
    it by editing its ruleset (the decision shows the most protective position first)."""

    urgent: Consent | None = None
    """The position when the decision is urgent (the child may be in immediate danger)."""
    positions: tuple[ConsentPositionDef, ...] = ()
    """Positions by concern (tags or indicators)."""
    recorded: dict[ConsentKind, RecordedConsent] = Field(default_factory=dict)
    """Per kind of the position shown first: what the recorded consent means. Where a kind or
    a recorded value has no wording here, the position's own text is shown."""


class Level(_Frozen):
    level: LevelNumber
    name: str
    description: str
    response: str
    pathways: tuple[Slug, ...] = ()
    consent: Consent
    step_down: str | None = None
    """What would allow a case at this level to step down to a lower one (the continuum runs
    both ways): shown on every decision at this level as ``would_allow_step_down``."""
    step_up: str | None = None
    """When a case at this level should step up to a higher one: shown as ``step_up``."""


class Subdomain(_Frozen):
    id: Slug
    title: str


class Domain(_Frozen):
    id: Slug
    title: str
    kind: Literal["triangle", "topic"]
    description: str | None = None
    subdomains: tuple[Subdomain, ...] = ()
    levels: tuple[LevelNumber, ...] = LEVELS
    """The levels at which this domain has indicators (for completeness checks)."""


class TagDef(_Frozen):
    id: Slug
    description: str


class Implication(_Frozen):
    """A recorded measure value that is itself a concern: ``missing_episodes_90_days`` of 1 or
    more means the child has been missing (``indicator: missing-from-home-occasional``).

    Why: without it, a value recorded with no concern selected is read by no rule and changes
    nothing, silently. With it, the case's facts gain the indicator (in every engine), so its
    level and every rule about it apply. Exactly one comparison, as in a measure condition.
    """

    indicator: Slug
    at_least: Number | None = None
    more_than: Number | None = None
    at_most: Number | None = None
    less_than: Number | None = None
    source: SourceRef | None = None

    @model_validator(mode="after")
    def _exactly_one_comparison(self) -> Self:
        given = [op for op in MEASURE_OPS if getattr(self, op) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of at_least, more_than, at_most, less_than")
        return self

    @property
    def comparison(self) -> tuple[MeasureOp, float]:
        for op in MEASURE_OPS:
            value = getattr(self, op)
            if value is not None:
                return op, float(value)
        raise AssertionError("unreachable: validated")  # pragma: no cover


class FindOut(_Frozen):
    """How to find out a measure that is not recorded, and by when: what a provisional decision
    asks a practitioner to gather first."""

    what: str = Field(min_length=3)
    """What to do, as an instruction ("Complete the SafeLives DASH risk checklist ...")."""
    timescale: str | None = None
    """By when, as the sources give it; None when the sources are silent (a decision then says
    so rather than invent one)."""
    source: SourceRef | None = None


class Measure(_Frozen):
    id: Slug
    title: str
    unit: str
    min: Number
    max: Number
    integer: Flag = False
    description: str | None = None
    source: SourceRef | None = None
    implies: tuple[Implication, ...] = ()
    """Concerns a recorded value is evidence of (see :class:`Implication`)."""
    find_out: FindOut | None = None
    """How to find the measure out when it is not recorded (see :class:`FindOut`)."""

    @model_validator(mode="after")
    def _range_in_order(self) -> Self:
        if self.max < self.min:
            raise ValueError("max is below min")
        return self


class Indicator(_Frozen):
    id: Slug
    level: LevelNumber
    domain: Slug
    subdomain: Slug | None = None
    topics: tuple[Slug, ...] = ()
    text: str = Field(min_length=3)
    tags: tuple[Slug, ...] = ()
    source: SourceRef
    urgent: Flag = False
    """This concern needs action today, whatever the level: a decision with it is urgent."""
    urgent_because: str | None = None
    """Why it is urgent, in plain words (required with ``urgent: true``): shown as "urgent
    because …" on the decision."""

    @model_validator(mode="after")
    def _urgent_says_why(self) -> Self:
        if self.urgent and not self.urgent_because:
            raise ValueError("an urgent indicator needs urgent_because (why it is urgent)")
        if self.urgent_because and not self.urgent:
            raise ValueError("urgent_because needs urgent: true")
        return self


# --- conditions -----------------------------------------------------------------------------


class IndicatorCond(_Frozen):
    indicator: Slug


class TagCond(_Frozen):
    tag: Slug


class DomainCond(_Frozen):
    domain: Slug


class CountSpec(_Frozen):
    at_least: Whole = Field(ge=1)
    level: LevelNumber | None = None
    min_level: LevelNumber | None = None
    tag: Slug | None = None
    domain: Slug | None = None
    distinct_domains: Whole | None = Field(default=None, ge=1)


class CountCond(_Frozen):
    count: CountSpec


class MeasureSpec(_Frozen):
    id: Slug
    at_least: Number | None = None
    more_than: Number | None = None
    at_most: Number | None = None
    less_than: Number | None = None

    @model_validator(mode="after")
    def _exactly_one_comparison(self) -> Self:
        given = [k for k in MEASURE_OPS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(MEASURE_OPS)}")
        return self

    @property
    def comparison(self) -> tuple[MeasureOp, float]:
        for key in MEASURE_OPS:
            value = getattr(self, key)
            if value is not None:
                return key, float(value)
        raise AssertionError("unreachable: validated")  # pragma: no cover


class MeasureCond(_Frozen):
    measure: MeasureSpec


class AgeSpec(_Frozen):
    under_months: Number | None = Field(default=None, gt=0)
    under_years: Number | None = Field(default=None, gt=0)
    at_least_months: Number | None = Field(default=None, ge=0)
    at_least_years: Number | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _exactly_one_bound(self) -> Self:
        given = [key for key, *_ in AGE_UNITS if getattr(self, key) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(key for key, *_ in AGE_UNITS)}")
        return self

    @property
    def given(self) -> tuple[AgeOp, float, str]:
        """The comparison, the number as written and its unit (``months`` or ``years``)."""
        for key, op, unit, _ in AGE_UNITS:
            value = getattr(self, key)
            if value is not None:
                return op, value, unit
        raise AssertionError("unreachable: validated")  # pragma: no cover

    @property
    def bound(self) -> tuple[AgeOp, float]:
        """The comparison and its threshold in months."""
        for key, op, _, per_unit in AGE_UNITS:
            value = getattr(self, key)
            if value is not None:
                return op, value * per_unit if per_unit != 1 else value
        raise AssertionError("unreachable: validated")  # pragma: no cover


class AgeCond(_Frozen):
    age: AgeSpec


class UnbornCond(_Frozen):
    unborn: Flag


class ContextSpec(_Frozen):
    """A state of the child's existing involvement with services (``CONTEXT_STATES``), and for a
    step-down, how recently the plan ended."""

    is_: str = Field(alias="is")
    """One of ``rhrt.model.scale.CONTEXT_STATES`` (e.g. ``looked_after``,
    ``child_protection_plan_neglect``, ``stepped_down_from_child_protection_plan``)."""
    within_months: Number | None = Field(default=None, ge=0)
    """Only for ``stepped_down_from_*`` states: the plan ended at most this many months ago."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @field_validator("is_")
    @classmethod
    def _known_state(cls, value: str) -> str:
        if value not in CONTEXT_STATES:
            raise ValueError("not a context state: see docs/ruleset-format.md for the list")
        return value

    @model_validator(mode="after")
    def _within_only_for_step_down(self) -> Self:
        if self.within_months is not None and self.is_ not in STEP_DOWN_STATES:
            raise ValueError("within_months is only for the stepped_down_from_* states")
        return self


class ContextCond(_Frozen):
    """True when the case records the context state; unknown when it is not recorded."""

    context: ContextSpec


class AllCond(_Frozen):
    all: "tuple[Condition, ...]" = Field(min_length=1)


class AnyCond(_Frozen):
    any: "tuple[Condition, ...]" = Field(min_length=1)


class NotCond(_Frozen):
    not_: "Condition" = Field(alias="not")

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


def _condition_kind(value: object) -> str | None:
    """Pick the condition model from the mapping's single key (a clear error otherwise)."""
    if isinstance(value, dict):
        keys = [k for k in value if k in CONDITION_KEYS]
        if len(value) == 1 and len(keys) == 1:
            return f"cond:{keys[0]}"
        return None
    for key, model in CONDITION_KEYS.items():
        if isinstance(value, model):
            return f"cond:{key}"
    return None


Condition = Annotated[
    Union[  # noqa: UP007 - recursive alias reads better as Union
        Annotated[IndicatorCond, Tag("cond:indicator")],
        Annotated[TagCond, Tag("cond:tag")],
        Annotated[DomainCond, Tag("cond:domain")],
        Annotated[CountCond, Tag("cond:count")],
        Annotated[MeasureCond, Tag("cond:measure")],
        Annotated[AgeCond, Tag("cond:age")],
        Annotated[UnbornCond, Tag("cond:unborn")],
        Annotated[ContextCond, Tag("cond:context")],
        Annotated[AllCond, Tag("cond:all")],
        Annotated[AnyCond, Tag("cond:any")],
        Annotated[NotCond, Tag("cond:not")],
    ],
    Discriminator(
        _condition_kind,
        custom_error_type="condition",
        custom_error_message=(
            "a condition must be a mapping with exactly one of: indicator, tag, domain, count, "
            "measure, age, unborn, context, all, any, not"
        ),
    ),
]

CONDITION_KEYS: dict[str, type[BaseModel]] = {
    "indicator": IndicatorCond,
    "tag": TagCond,
    "domain": DomainCond,
    "count": CountCond,
    "measure": MeasureCond,
    "age": AgeCond,
    "unborn": UnbornCond,
    "context": ContextCond,
    "all": AllCond,
    "any": AnyCond,
    "not": NotCond,
}


class Outcome(_Frozen):
    level: LevelNumber | None = None
    """Raise the level to at least this (rules never lower a level)."""
    urgent: Flag = False
    pathways: tuple[Slug, ...] = ()
    instead_of: tuple[Slug, ...] = ()
    """A route replacement: when the rule's condition is *known* true (never on missing
    information), these pathways are not recommended and ``pathways`` say who to tell instead
    (e.g. inform the allocated social worker instead of a new MASH referral). A pathway an
    immediate-danger or allegation route recommends is never removed, and an emergency pathway
    cannot be named (``rules.load``)."""

    @model_validator(mode="after")
    def _does_something(self) -> Self:
        if self.level is None and not self.urgent and not self.pathways:
            raise ValueError("a rule's 'then' must set a level, urgent, or pathways")
        if self.instead_of and not self.pathways:
            raise ValueError("instead_of needs pathways: who to tell instead")
        return self


class Rule(_Frozen):
    id: Slug
    because: str
    when: Condition
    then: Outcome
    source: SourceRef | None = None


class Pathway(_Frozen):
    id: Slug
    title: str
    what: str
    contact: Slug | None = None
    timescale: str
    consent: str
    consent_rule: ConsentKind | None = None
    """The kind of the pathway's consent guidance: when given, a recommended pathway's
    ``consent`` is one of the positions ranked for the decision (so a level's "seek it before
    sharing" is never shown first beside a pathway that "may be made without consent")."""
    gather: tuple[str, ...] = ()
    template: str | None = None
    """Name of a jinja2 template for this pathway (``NAME`` of ``NAME.<format>.j2``); defaults to
    the generic pathway template. An id-shaped name only (no ``/``, ``\\``, ``..`` or absolute
    path): templates are looked up only in ``--templates`` and rhrt's own folder, so validation
    and the template loader agree."""
    source: SourceRef | None = None
    emergency: Flag = False
    """This pathway is the emergency response (e.g. call the police on 999). The immediate-danger
    route must recommend one FIRST, and it must be only that (no level's own pathway, not
    recommended below level 4, with a contact): ``rhrt validate --strict``, ``rhrt lint``,
    ``rhrt check`` and ``rhrt prove`` fail otherwise (``rules.lint.broken_promises``)."""

    @field_validator("template")
    @classmethod
    def _template_is_a_plain_name(cls, value: str | None) -> str | None:
        if value is not None and not _TEMPLATE_NAME.fullmatch(value):
            raise ValueError(
                "a template is named like an id (lowercase letters, digits, '-' or '_', e.g. "
                "'referral'), never a path: no '/', '\\', '..' or absolute path (templates are "
                "looked up only in the templates folder and rhrt's own)"
            )
        return value


class ContextImplication(ContextSpec):
    """A recorded context state that is itself a concern (``context.implies``): a child
    recorded as looked after has ``indicator`` present, so its level (a floor the framework
    sets) and every rule about it apply.

    Read like ``measures[].implies``: only a state *recorded* as holding implies the concern
    (not recorded implies nothing: absent, not unknown), so recording involvement only ever
    adds a concern, and an unrecorded context never floods every case with it."""

    indicator: Slug
    source: SourceRef | None = None


class ContextSection(_Frozen):
    """What a case's context changes beyond rules' ``context`` conditions."""

    implies: tuple[ContextImplication, ...] = ()


class RulesetModel(_Frozen):
    """A whole levels-of-need file, validated but not yet cross-checked or compiled."""

    schema_version: Literal[1]
    ruleset: RulesetInfo
    safety: Safety
    sources: dict[Slug, Source]
    contacts: dict[Slug, Contact] = Field(default_factory=dict)
    levels: tuple[Level, ...] = Field(min_length=len(LEVELS), max_length=len(LEVELS))
    domains: tuple[Domain, ...] = Field(min_length=1)
    tags: tuple[TagDef, ...] = ()
    measures: tuple[Measure, ...] = ()
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    rules: tuple[Rule, ...] = ()
    pathways: tuple[Pathway, ...] = Field(min_length=1)
    consent: ConsentPolicy = Field(default_factory=ConsentPolicy)
    context: ContextSection = Field(default_factory=ContextSection)

    def level(self, number: int) -> Level:
        """The level with this number, wherever the file lists it (levels may be in any
        order; a loaded ruleset has each level of the scale exactly once)."""
        for lv in self.levels:
            if lv.level == number:
                return lv
        raise KeyError(number)


for _model in (AllCond, AnyCond, NotCond, Rule, RulesetModel):
    _model.model_rebuild()

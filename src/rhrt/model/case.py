# SPDX-License-Identifier: MIT
"""A child's circumstances as a practitioner records them.

A case is validated in two steps: its *shape* here (types, ranges, one way of giving age), then
against a ruleset when it is assessed (indicator ids and measure names exist, measures are in
range). Free-text notes are personal data: they never appear in reprs or error messages.
"""

# No `from __future__ import annotations` here: see rhrt.model._base (start-up time).
import datetime as dt
import functools
import math
import numbers
from dataclasses import dataclass
from typing import Annotated, Literal, Self

from pydantic import (
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from rhrt.errors import id_shaped
from rhrt.model._base import PrivateModel
from rhrt.model.scale import (
    CONTEXT_FLAGS,
    CP_CATEGORIES,
    CpCategory,
    LevelNumber,
)

MAX_AGE_YEARS = 25  # early help runs to 25 for young people with SEND
MAX_AGE_MONTHS = MAX_AGE_YEARS * 12
MAX_GESTATION_WEEKS = 45
MAX_INDICATORS = 2_000
MAX_MEASURES = 200

# -- bounds on ages and dates: the ONE place every reader (cases, batch, testing kit) takes them
# from. A derived value (an age from two dates) is held to the same bound, with the same words,
# as the value given directly.

EARLIEST_ASSESSMENT_DATE = dt.date(1991, 10, 14)
"""The Children Act 1989 came into force on 14 October 1991: no assessment under a levels-of-need
framework predates it. Earlier dates are typos (or a date of birth in the wrong field)."""
LATEST_ASSESSMENT_DATE = dt.date(2099, 12, 31)
"""A fixed end, not "today": rhrt never reads the clock (decisions must not depend on when they
are made), so a typo such as 2204 for 2024 is refused by this window instead."""

AGE_OUT_OF_RANGE = (
    f"age must be between 0 and {MAX_AGE_YEARS} years ({MAX_AGE_MONTHS} months)"
)
"""The one message for an age out of bounds, given (age_years, age_months) or derived
(date_of_birth to assessment_date)."""
ASSESSMENT_DATE_OUT_OF_RANGE = (
    f"assessment_date must be between {EARLIEST_ASSESSMENT_DATE.isoformat()} and "
    f"{LATEST_ASSESSMENT_DATE.isoformat()}"
)
GESTATION_OUT_OF_RANGE = f"gestation_weeks must be between 0 and {MAX_GESTATION_WEEKS}"
STEPPED_DOWN_MONTHS_OUT_OF_RANGE = (
    f"stepped_down_months_ago must be between 0 and {MAX_AGE_MONTHS}"
)
"""Bounded like an age: a plan cannot have ended longer ago than a child (or care leaver up to
25) can have lived."""
STEP_DOWN_NEEDS_WHEN = "stepped_down_from needs stepped_down_on or stepped_down_months_ago"
STEP_DOWN_ONE_WHEN = "give only one of stepped_down_on, stepped_down_months_ago"
STEP_DOWN_CATEGORY_ONLY_CP = (
    "stepped_down_category is only for stepped_down_from: child_protection_plan"
)
STEP_DOWN_DATE_NEEDS_ASSESSMENT = (
    "stepped_down_on needs assessment_date (rhrt never reads the clock)"
)
STEP_DOWN_DATE_AFTER = "stepped_down_on is after assessment_date"


def step_down_needs_plan(name: str) -> str:
    """A step-down detail given without the plan that ended."""
    return f"{name} needs stepped_down_from (the plan that ended)"


DATE_NOT_TEXT = "a date must be written YYYY-MM-DD (a number is not read as a date)"


# -- how each case field is given as a table column: declared on the field itself (below), so
# the batch column layout (``rhrt.batch``) is derived from the model, never listed beside it.

ColumnKind = Literal["reference", "number", "date", "flag", "category", "ids", "yesno"]
"""What a table column of a case field holds (how ``rhrt.batch`` reads it): an opaque
reference, a number, a date, a true/false flag, a category (text) or a list of indicator ids."""
REFERENCE: ColumnKind = "reference"
NUMBER: ColumnKind = "number"
DATE: ColumnKind = "date"
FLAG: ColumnKind = "flag"
CATEGORY: ColumnKind = "category"
IDS: ColumnKind = "ids"
YESNO: ColumnKind = "yesno"
"""A true/false fact where an empty cell is *not recorded* (unknown), never false."""


@dataclass(frozen=True)
class Column:
    """Marks a case field as a table column (``Annotated[..., Column("case_ref", REFERENCE)]``).

    ``whole``: a number the case holds as a whole number where it is one (a level).
    """

    name: str
    kind: ColumnKind
    whole: bool = False


@dataclass(frozen=True)
class CaseColumn:
    """One column of the table layout: its name, kind and where it goes in a case mapping
    (``("child", "age_years")``)."""

    name: str
    kind: ColumnKind
    path: tuple[str, ...]
    whole: bool = False


@functools.cache
def case_columns() -> tuple[CaseColumn, ...]:
    """Every case field given as a table column, in model order (``Case``, then into ``Child``
    where ``child`` stands). New case fields become batch columns by carrying a
    :class:`Column` marker; ``rhrt.batch`` reads them with the reader of their kind.
    Measures (``measures``, one column per ruleset measure) and ``ind:<id>`` columns are not
    case fields of their own and are not listed."""
    out: list[CaseColumn] = []

    def visit(model: type[_Strict], prefix: tuple[str, ...]) -> None:
        for name, info in model.model_fields.items():
            nested = info.annotation
            if isinstance(nested, type) and issubclass(nested, _Strict):
                visit(nested, (*prefix, name))
                continue
            for mark in info.metadata:
                if isinstance(mark, Column):
                    out.append(CaseColumn(mark.name, mark.kind, (*prefix, name), mark.whole))

    visit(Case, ())
    return tuple(out)


def _plain_number(value: object) -> object:
    """A numpy integer or float scalar (``np.int64(14)`` from a DataFrame) as the Python number
    it is; anything else unchanged. numpy's bool is not a number here (nor is Python's).
    Checked by type, so numpy is never imported."""
    kind = type(value)
    if kind.__module__ == "numpy" and kind.__name__ != "bool" and not kind.__name__.startswith(
        "bool"
    ):
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, numbers.Real):
            return float(value)
    return value


def age_months_in_range(months: float) -> bool:
    """Whether an age in months (given or derived) is within 0 to :data:`MAX_AGE_MONTHS`.
    NaN and infinities are out of range."""
    return 0 <= months <= MAX_AGE_MONTHS


def assessment_date_in_range(when: dt.date) -> bool:
    """Whether an assessment date is inside the fixed plausible window (both ends included)."""
    return EARLIEST_ASSESSMENT_DATE <= when <= LATEST_ASSESSMENT_DATE


def months_between(date_of_birth: dt.date, when: dt.date) -> int:
    """Whole months from a date of birth to another date: a month is complete on the same day of
    the month or later (31 January to 28 February is 0 months). Negative when ``when`` is earlier.
    """
    months = (when.year - date_of_birth.year) * 12 + (when.month - date_of_birth.month)
    if when.day < date_of_birth.day:
        months -= 1
    return months


def _case_field_error(field: str, message: str) -> PydanticCustomError:
    """A whole-case check's error, carrying the field path it is about (``ctx['field']``)."""
    return PydanticCustomError("rhrt_case_field", message, {"field": field})


def _date_not_number(value: object) -> object:
    # pydantic would read an int as seconds since 1970 (20110502 → 1970-08-21): refuse numbers.
    if isinstance(value, (int, float)):  # bool is an int too
        raise ValueError(DATE_NOT_TEXT)
    return value


class _Strict(PrivateModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Child(_Strict):
    """Who the child is, as far as age goes. Everything is optional: unknown age is allowed and
    treated fail-safe (age-dependent rules apply unless the age rules them out)."""

    age_years: Annotated[Annotated[float, Strict()] | None, Column("age_years", NUMBER)] = None
    """0 to :data:`MAX_AGE_YEARS`."""
    age_months: Annotated[Annotated[float, Strict()] | None, Column("age_months", NUMBER)] = (
        None
    )
    """0 to :data:`MAX_AGE_MONTHS`."""
    date_of_birth: Annotated[dt.date | None, Column("date_of_birth", DATE)] = Field(
        default=None, repr=False
    )
    """Needs the case's ``assessment_date``; the age between them is bounded like ``age_months``."""
    unborn: Annotated[bool, Strict(), Column("unborn", FLAG)] = False
    """Only ``true`` or ``false`` (not "yes", 1 or "off")."""
    gestation_weeks: Annotated[
        Annotated[float, Strict()] | None, Column("gestation_weeks", NUMBER)
    ] = None
    """0 to :data:`MAX_GESTATION_WEEKS`."""

    @field_validator("age_years", "age_months")
    @classmethod
    def _age_in_range(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None:
            scale = 12 if info.field_name == "age_years" else 1
            if not age_months_in_range(value * scale):
                raise ValueError(AGE_OUT_OF_RANGE)
        return value

    @field_validator("gestation_weeks")
    @classmethod
    def _gestation_in_range(cls, value: float | None) -> float | None:
        if value is not None and not 0 <= value <= MAX_GESTATION_WEEKS:
            raise ValueError(GESTATION_OUT_OF_RANGE)
        return value

    @field_validator("date_of_birth", mode="before")
    @classmethod
    def _dob_not_number(cls, value: object) -> object:
        return _date_not_number(value)

    @model_validator(mode="after")
    def _one_way_of_giving_age(self) -> Self:
        given = [
            name
            for name in ("age_years", "age_months", "date_of_birth")
            if getattr(self, name) is not None
        ]
        if len(given) > 1:
            raise ValueError("give only one of age_years, age_months, date_of_birth")
        if self.unborn and given:
            raise ValueError("an unborn child has no age; give gestation_weeks instead")
        if self.gestation_weeks is not None and not self.unborn:
            raise ValueError("gestation_weeks needs unborn: true")
        return self


class CaseIndicator(_Strict):
    """An observed concern: a ruleset indicator id, with the practitioner's own words."""

    id: str = Field(min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=20_000, repr=False)
    """Free text: personal data, masked in reprs and excluded from records by default."""
    source: str | None = Field(default=None, max_length=200, repr=False)
    """Who reported or observed it (e.g. 'school', 'health visitor')."""


YesNo = Annotated[bool, Strict()] | None
"""Only ``true`` or ``false`` (not "yes", 1 or "off"); None when not recorded."""


class CaseContext(_Strict):
    """The child's existing involvement with services, as recorded when the concern is raised.

    Every field is optional, and a field not recorded is *unknown* (never read as "no"): a rule
    that names it fires as if it might hold (unknown information never lowers a level), and a
    ruleset's ``context.implies`` adds a concern only for a fact recorded as holding.

    Sources for the vocabulary: Children Act 1989 (s17 child in need, s20/s31 looked after,
    s47 enquiries), Working Together to Safeguard Children 2023 (child protection plan
    categories; lead professional for early help).
    """

    looked_after: Annotated[YesNo, Column("looked_after", YESNO)] = None
    """Looked after by a local authority (Children Act 1989 s20 or s31)."""
    child_protection_plan: Annotated[
        Literal["none", "neglect", "physical", "emotional", "sexual", "multiple"] | None,
        Column("child_protection_plan", CATEGORY),
    ] = None
    """The category of the child's current child protection plan, or ``none`` (no plan)."""
    child_in_need_plan: Annotated[YesNo, Column("child_in_need_plan", YESNO)] = None
    """On a child in need plan (Children Act 1989 s17)."""
    allocated_social_worker: Annotated[YesNo, Column("allocated_social_worker", YESNO)] = None
    """Open to children's social care with an allocated social worker."""
    early_help_lead_professional: Annotated[
        YesNo, Column("early_help_lead_professional", YESNO)
    ] = None
    """Open to early help with a lead professional."""
    care_leaver: Annotated[YesNo, Column("care_leaver", YESNO)] = None
    in_custody: Annotated[YesNo, Column("in_custody", YESNO)] = None
    """In custody or remanded (youth detention accommodation or remand to local authority
    accommodation)."""
    stepped_down_from: Annotated[
        Literal["none", "child_protection_plan", "child_in_need_plan", "early_help"] | None,
        Column("stepped_down_from", CATEGORY),
    ] = None
    """The plan the family most recently stepped down from, or ``none``."""
    stepped_down_category: Annotated[
        CpCategory | None, Column("stepped_down_category", CATEGORY)
    ] = None
    """For a child protection plan that ended: its category."""
    stepped_down_on: Annotated[dt.date | None, Column("stepped_down_on", DATE)] = Field(
        default=None, repr=False
    )
    """When the plan ended; needs the case's ``assessment_date`` (rhrt never reads the clock)."""
    stepped_down_months_ago: Annotated[
        Annotated[float, Strict()] | None, Column("stepped_down_months_ago", NUMBER)
    ] = None
    """How many months ago the plan ended (0 to :data:`MAX_AGE_MONTHS`), instead of a date."""

    @field_validator("stepped_down_on", mode="before")
    @classmethod
    def _ended_not_number(cls, value: object) -> object:
        return _date_not_number(value)

    @field_validator("stepped_down_months_ago", mode="before")
    @classmethod
    def _months_plain(cls, value: object) -> object:
        return _plain_number(value)

    @field_validator("stepped_down_months_ago")
    @classmethod
    def _months_in_range(cls, value: float | None) -> float | None:
        if value is not None and not 0 <= value <= MAX_AGE_MONTHS:
            raise ValueError(STEPPED_DOWN_MONTHS_OUT_OF_RANGE)
        return value

    @model_validator(mode="after")
    def _step_down_complete(self) -> Self:
        plan = self.stepped_down_from
        when = [n for n in ("stepped_down_on", "stepped_down_months_ago")
                if getattr(self, n) is not None]
        if len(when) > 1:
            raise _case_field_error("context.stepped_down_months_ago", STEP_DOWN_ONE_WHEN)
        if plan is None or plan == "none":
            for name in ("stepped_down_category", *when):
                if getattr(self, name) is not None:
                    raise _case_field_error(f"context.{name}", step_down_needs_plan(name))
            return self
        if not when:
            # "recently" is what the rules read: a step-down with no date would be read as
            # recent or not by guesswork; refused instead.
            raise _case_field_error("context.stepped_down_from", STEP_DOWN_NEEDS_WHEN)
        if self.stepped_down_category is not None and plan != "child_protection_plan":
            raise _case_field_error("context.stepped_down_category", STEP_DOWN_CATEGORY_ONLY_CP)
        return self

    def states(self) -> dict[str, bool]:
        """The context states (``rhrt.model.scale.CONTEXT_STATES``) this context *records*,
        each true or false; a state not in the result is unknown. States say which plan, not
        when (see :meth:`Case.stepped_down_months`)."""
        out: dict[str, bool] = {}
        for name in CONTEXT_FLAGS:
            value = getattr(self, name)
            if value is not None:
                out[name] = bool(value)
        cpp = self.child_protection_plan
        if cpp is not None:
            out["child_protection_plan"] = cpp != "none"
            for cat in CP_CATEGORIES:
                out[f"child_protection_plan_{cat}"] = cpp == cat
        plan = self.stepped_down_from
        if plan is not None:
            for option in ("child_protection_plan", "child_in_need_plan", "early_help"):
                out[f"stepped_down_from_{option}"] = plan == option
            for cat in CP_CATEGORIES:
                state = f"stepped_down_from_child_protection_plan_{cat}"
                if plan != "child_protection_plan":
                    out[state] = False
                elif self.stepped_down_category is not None:
                    out[state] = self.stepped_down_category == cat
        return out


class Case(_Strict):
    """One child's circumstances."""

    reference: Annotated[str | None, Column("case_ref", REFERENCE)] = Field(
        default=None, max_length=200, repr=False
    )
    """An opaque case reference from the caller's system (never a name)."""
    child: Child = Field(default_factory=Child)
    indicators: Annotated[tuple[CaseIndicator, ...], Column("indicators", IDS)] = Field(
        default=(), max_length=MAX_INDICATORS
    )
    measures: dict[str, float] = Field(default_factory=dict, max_length=MAX_MEASURES)
    consent: Annotated[
        Literal["given", "refused", "not_sought"] | None, Column("consent", CATEGORY)
    ] = None
    recorded_decision: Annotated[
        LevelNumber | None, Column("recorded_decision", NUMBER, whole=True)
    ] = None
    """The level a practitioner recorded (used by audits, never by the rules)."""
    assessment_date: Annotated[dt.date | None, Column("assessment_date", DATE)] = None
    """The date the assessment is made. rhrt never reads the clock: pass it to make age from a
    date of birth, and to stamp records."""
    referral_source: Annotated[str | None, Column("referral_source", CATEGORY)] = Field(
        default=None, max_length=100, repr=False
    )
    """Who raised the concern (e.g. 'police', 'school'), for audits."""
    context: CaseContext = Field(default_factory=CaseContext)
    """The child's existing involvement with services (looked after, plans, allocated worker,
    custody, a recent step-down); each fact not recorded is unknown."""

    @field_validator("assessment_date", mode="before")
    @classmethod
    def _assessment_date_not_number(cls, value: object) -> object:
        return _date_not_number(value)

    @field_validator("assessment_date")
    @classmethod
    def _assessment_date_in_range(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and not assessment_date_in_range(value):
            raise ValueError(ASSESSMENT_DATE_OUT_OF_RANGE)
        return value

    @field_validator("indicators", mode="before")
    @classmethod
    def _ids_or_objects(cls, value: object) -> object:
        if isinstance(value, (list, tuple)):
            # Checked before the items are converted, so a huge list is refused at once.
            if len(value) > MAX_INDICATORS:
                raise ValueError(f"a case has at most {MAX_INDICATORS} indicators")
            return [{"id": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("measures", mode="before")
    @classmethod
    def _numbers_only(cls, value: object) -> object:
        if isinstance(value, dict):
            if len(value) > MAX_MEASURES:
                raise ValueError(f"a case has at most {MAX_MEASURES} measures")
            value = dict(value)
            for name, number in value.items():
                kind = type(number)
                if (kind is float and math.isfinite(number)) or kind is int:
                    continue  # the usual case: a plain finite number, kept as it is
                # The name is echoed only when shaped like an id: it may be a sentence.
                label = f"measure '{name}'" if id_shaped(name) else "a measure (name not shown)"
                number = _plain_number(number)
                if isinstance(number, bool) or not isinstance(number, (int, float)):
                    raise ValueError(f"{label} must be a number")
                if number != number or number in (float("inf"), float("-inf")):
                    raise ValueError(f"{label} must be a finite number")
                value[name] = number
        return value

    @model_validator(mode="after")
    def _derived_age_in_range(self) -> Self:
        """The age from date_of_birth to assessment_date is held to the bounds of a given age."""
        dob = self.child.date_of_birth
        if dob is not None:
            field = "child.date_of_birth"
            if self.assessment_date is None:
                raise _case_field_error(
                    field, "date_of_birth needs assessment_date (rhrt never reads the clock)"
                )
            if dob > self.assessment_date:
                raise _case_field_error(field, "date_of_birth is after assessment_date")
            if not age_months_in_range(months_between(dob, self.assessment_date)):
                raise _case_field_error(field, AGE_OUT_OF_RANGE)
        return self

    @model_validator(mode="after")
    def _step_down_date_in_range(self) -> Self:
        """A step-down date is read against the assessment date, held to the same care as a
        date of birth: needed, not after it, and not further back than a plausible age."""
        ended = self.context.stepped_down_on
        if ended is not None:
            field = "context.stepped_down_on"
            if self.assessment_date is None:
                raise _case_field_error(field, STEP_DOWN_DATE_NEEDS_ASSESSMENT)
            if ended > self.assessment_date:
                raise _case_field_error(field, STEP_DOWN_DATE_AFTER)
            if not 0 <= months_between(ended, self.assessment_date) <= MAX_AGE_MONTHS:
                raise _case_field_error(field, STEPPED_DOWN_MONTHS_OUT_OF_RANGE)
        return self

    def stepped_down_months(self) -> float | None:
        """Whole months since the plan the family stepped down from ended (from
        ``stepped_down_on`` to ``assessment_date``, or as recorded); None when no plan ended
        or it was not recorded."""
        ctx = self.context
        if ctx.stepped_down_months_ago is not None:
            return float(ctx.stepped_down_months_ago)
        if ctx.stepped_down_on is not None and self.assessment_date is not None:
            return float(max(months_between(ctx.stepped_down_on, self.assessment_date), 0))
        return None

    @property
    def indicator_ids(self) -> frozenset[str]:
        return frozenset(item.id for item in self.indicators)

    def age_in_months(self) -> float | None:
        """The child's age in months, or None when not recorded (unborn gives None too)."""
        child = self.child
        if child.age_months is not None:
            return float(child.age_months)
        if child.age_years is not None:
            return float(child.age_years) * 12
        if child.date_of_birth is not None and self.assessment_date is not None:
            return float(max(months_between(child.date_of_birth, self.assessment_date), 0))
        return None

# SPDX-License-Identifier: MIT
"""A child's circumstances as a practitioner records them.

A case is validated in two steps: its *shape* here (types, ranges, one way of giving age), then
against a ruleset when it is assessed (indicator ids and measure names exist, measures are in
range). Free-text notes are personal data: they never appear in reprs or error messages.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_AGE_YEARS = 25  # early help runs to 25 for young people with SEND
MAX_INDICATORS = 2_000
MAX_MEASURES = 200


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Child(_Strict):
    """Who the child is, as far as age goes. Everything is optional: unknown age is allowed and
    treated fail-safe (age-dependent rules apply unless the age rules them out)."""

    age_years: Annotated[float, Field(ge=0, le=MAX_AGE_YEARS)] | None = None
    age_months: Annotated[float, Field(ge=0, le=MAX_AGE_YEARS * 12)] | None = None
    date_of_birth: dt.date | None = Field(default=None, repr=False)
    unborn: bool = False
    gestation_weeks: Annotated[float, Field(ge=0, le=45)] | None = None

    @model_validator(mode="after")
    def _one_way_of_giving_age(self) -> Child:
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


class Case(_Strict):
    """One child's circumstances."""

    reference: str | None = Field(default=None, max_length=200, repr=False)
    """An opaque case reference from the caller's system (never a name)."""
    child: Child = Field(default_factory=Child)
    indicators: tuple[CaseIndicator, ...] = Field(default=(), max_length=MAX_INDICATORS)
    measures: dict[str, float] = Field(default_factory=dict, max_length=MAX_MEASURES)
    consent: Literal["given", "refused", "not_sought"] | None = None
    recorded_decision: Annotated[int, Field(ge=1, le=4)] | None = None
    """The level a practitioner recorded (used by audits, never by the rules)."""
    assessment_date: dt.date | None = None
    """The date the assessment is made. rhrt never reads the clock: pass it to make age from a
    date of birth, and to stamp records."""
    referral_source: str | None = Field(default=None, max_length=100, repr=False)
    """Who raised the concern (e.g. 'police', 'school'), for audits."""

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
            for name, number in value.items():
                if isinstance(number, bool) or not isinstance(number, (int, float)):
                    raise ValueError(f"measure '{name}' must be a number")
                if number != number or number in (float("inf"), float("-inf")):
                    raise ValueError(f"measure '{name}' must be a finite number")
        return value

    @model_validator(mode="after")
    def _date_of_birth_needs_assessment_date(self) -> Case:
        if self.child.date_of_birth is not None:
            if self.assessment_date is None:
                raise ValueError("date_of_birth needs assessment_date (rhrt never reads the clock)")
            if self.child.date_of_birth > self.assessment_date:
                raise ValueError("date_of_birth is after assessment_date")
        return self

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
            dob, when = child.date_of_birth, self.assessment_date
            months = (when.year - dob.year) * 12 + (when.month - dob.month)
            if when.day < dob.day:
                months -= 1
            return float(max(months, 0))
        return None

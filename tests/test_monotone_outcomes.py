# SPDX-License-Identifier: MIT
"""More information never makes the outcome less protective, in every part a practitioner acts
on: adding a concern, or recording a fact of the child's involvement with services (or leaving
it unrecorded), never lowers the known level, never loses urgency and never makes the consent
position shown first less protective. rhrt.testing.invariants checks the level (and consent
for an added concern); these extend it to the known level, urgency and context, over the
bundled ruleset and generated ones (context conditions included), so that a route that replaces
another (a pathway dropped when a fact is recorded) cannot quietly drop a more protective
consent position or an urgent route."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("hypothesis", reason="property tests need the testing extra")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rhrt
from rhrt.model.case import Case
from rhrt.model.scale import consent_rank
from rhrt.testing.invariants import _APPLYING
from rhrt.testing.strategies import cases, rulesets

BUNDLED = rhrt.load_ruleset()
_SETTINGS = settings(max_examples=40, deadline=None, database=None,
                     suppress_health_check=list(HealthCheck))


def _ruleset(data: st.DataObject) -> rhrt.Ruleset:
    if data.draw(st.booleans(), label="bundled"):
        return BUNDLED
    return data.draw(rulesets(max_indicators=6, max_rules=5, max_depth=3))


def _no_less_protective(before: rhrt.Decision, after: rhrt.Decision, what: str,
                        *, known: bool = True) -> None:
    assert after.level >= before.level, what
    if known:
        assert after.known_level >= before.known_level, what
    assert after.urgent or not before.urgent, what
    assert consent_rank(after.consent.rule) >= consent_rank(before.consent.rule), what


@_SETTINGS
@given(data=st.data())
def test_adding_a_concern_never_lowers_the_known_level_urgency_or_consent(
        data: st.DataObject) -> None:
    ruleset = _ruleset(data)
    case = data.draw(cases(ruleset))
    extra = data.draw(st.sampled_from([i.id for i in ruleset.model.indicators]))
    base = case.model_dump(exclude_none=True)
    ids = [i["id"] for i in base.get("indicators", ())]
    if extra in ids:
        return
    more = Case.model_validate({**base, "indicators": [*ids, extra]})
    _no_less_protective(ruleset.assess(case), ruleset.assess(more), f"adding {extra}")


@_SETTINGS
@given(data=st.data())
def test_recording_context_never_lowers_the_known_level_urgency_or_consent(
        data: st.DataObject) -> None:
    ruleset = _ruleset(data)
    base = data.draw(cases(ruleset, context=False)).model_dump(exclude_none=True)
    name, off, on = data.draw(st.sampled_from(_APPLYING))
    applying: dict[str, Any] = dict(on)
    if "stepped_down_from" in on:
        applying["stepped_down_months_ago"] = data.draw(st.sampled_from([0.0, 2.0, 13.0]))
    not_applying = ruleset.assess(Case.model_validate({**base, "context": off}))
    with_it = ruleset.assess(Case.model_validate({**base, "context": applying}))
    _no_less_protective(not_applying, with_it, f"{name} recorded as applying")
    # Unrecorded is unknown: the level, urgency and consent assume the worst; the known level
    # is what the known facts alone give, so it may be lower than with the fact recorded.
    unrecorded = ruleset.assess(Case.model_validate({**base, "context": {}}))
    _no_less_protective(not_applying, unrecorded, f"{name} not recorded", known=False)

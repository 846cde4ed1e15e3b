"""``Decision.first_step``: what an urgent decision says to do first is part of the decision
(its JSON record, ``rhrt assess --format json``, the serve API), chosen once in
``rhrt.explain.first_step`` and only read by the renderer.

Regression (practice review, issue 14): an urgent decision once opened "Act now: Graded Care
Profile 2", the first pathway listed; an application showing ``pathways[0]`` first for an urgent
case could do the same, since only the renderer chose the first step.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rhrt
from rhrt import Ruleset
from rhrt.model.decision import Decision
from rhrt.render import decision_context, render_decision, render_referral
from rhrt.rules.load import model_from_data
from rhrt.testing import cases, rulesets

_SETTINGS: dict[str, Any] = {
    "deadline": None, "suppress_health_check": list(HealthCheck), "database": None,
}
MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"
OVERRIDE = {"reason": "seen at home", "role": "social worker"}
ENGINES = ("reference", "durable") if importlib.util.find_spec("durable") else ("reference",)
"""The durable engine is an extra (the sdist's own test run installs only ``testing``)."""


def check_first_step(ruleset: Ruleset, decision: Decision) -> None:
    """The properties of ``first_step``, stated from the decision and the ruleset alone."""
    step = decision.first_step
    if not decision.urgent:
        assert step is None
        return
    firm = [p for p in decision.pathways if not p.conditional_on]
    emergency = {p.id for p in ruleset.model.pathways if p.emergency}
    urgent_rules = {r.id for r in decision.explanation.rules if r.urgent and not r.assumed}
    by_rule = [p.id for p in firm if urgent_rules & set(p.why)]
    routes = set(ruleset.model.level(decision.final_level).pathways)
    routes |= {i for s in decision.explanation.replaced_pathways if s.id in routes
               for i in s.instead}
    qualifying = ({p.id for p in firm} & (emergency | routes)) | set(by_rule)
    if not qualifying:
        assert step is None
        return
    assert step is not None  # an urgent decision with an urgent route names one
    assert step in decision.pathway_ids
    chosen = next(p for p in decision.pathways if p.id == step)
    assert not chosen.conditional_on  # never a route resting on missing information
    if emergency & {p.id for p in firm}:
        assert step in emergency  # immediate danger: 999 before anything else
    elif by_rule:
        assert step in by_rule
    else:
        assert step in routes


def _same_through_the_record(ruleset: Ruleset, decision: Decision) -> None:
    record = json.loads(decision.to_json())
    assert record["first_step"] == decision.first_step
    assert Decision.from_json(decision.to_json()).first_step == decision.first_step


@settings(max_examples=200, **_SETTINGS)
@given(data=st.data())
def test_first_step_properties_on_generated_rulesets(data: st.DataObject) -> None:
    ruleset = data.draw(rulesets())
    case = data.draw(cases(ruleset))
    level = data.draw(st.none() | st.sampled_from([1, 2, 3, 4]))
    override = None if level is None else {"level": level, **OVERRIDE}
    for engine in ENGINES:
        decision = ruleset.assess(case, override=override, engine=engine)
        check_first_step(ruleset, decision)
    _same_through_the_record(ruleset, decision)


@settings(max_examples=300, **_SETTINGS)
@given(data=st.data())
def test_first_step_properties_on_the_bundled_ruleset(
    bundled_ruleset: Ruleset, data: st.DataObject
) -> None:
    case = data.draw(cases(bundled_ruleset, max_indicators=6))
    level = data.draw(st.none() | st.sampled_from([1, 2, 3, 4]))
    override = None if level is None else {"level": level, **OVERRIDE}
    decision = bundled_ruleset.assess(case, override=override)
    check_first_step(bundled_ruleset, decision)
    urgent_concerns = bundled_ruleset.plan.urgent_indicators
    known_urgent = any(r.urgent and not r.assumed for r in decision.explanation.rules) or any(
        i.id in urgent_concerns for i in decision.explanation.indicators
    )
    if known_urgent and decision.override is None:
        # the bundled ruleset always has an urgent route for a decision urgent on the known
        # facts; one urgent only on missing facts (an injury, age not recorded: perhaps a baby
        # under 6 months) has every route conditional, and no route is put first until the
        # missing fact is found out (its "find out first" list)
        assert decision.first_step is not None
    _same_through_the_record(bundled_ruleset, decision)


def _with_urgent_concern() -> Ruleset:
    """The minimal ruleset with an urgent level-4 concern that no urgent rule covers, and a rule
    that also recommends the level-3 route for it (listed before the level's own route)."""
    data = yaml.safe_load(MINIMAL.read_text())
    data["indicators"].append({
        "id": "alone-tonight", "level": 4, "domain": "child", "subdomain": "health",
        "text": "Nobody to care for the child tonight", "source": {"ref": "test"},
        "urgent": True, "urgent_because": "Nobody is there to care for the child tonight.",
    })
    data["rules"].insert(0, {
        "id": "also-assess", "because": "Assess the family's needs too.",
        "when": {"indicator": "alone-tonight"}, "then": {"pathways": ["eha"]},
    })
    return Ruleset(model_from_data(data), sha256="0" * 64)


def test_the_first_step_follows_an_overridden_level() -> None:
    ruleset = _with_urgent_concern()
    case = {"child": {"age_years": 6}, "indicators": ["alone-tonight"]}
    decision = ruleset.assess(case)
    assert decision.urgent and decision.level == 4
    assert set(decision.pathway_ids) == {"eha", "mash"}
    assert decision.first_step == "mash"  # the level's route, whichever is listed first
    lowered = ruleset.assess(case, override={"level": 3, **OVERRIDE})
    assert lowered.first_step == "eha"  # the level to act on is 3: its route comes first
    none = ruleset.assess(case, override={"level": 2, **OVERRIDE})
    assert none.first_step is None  # no level-2 route recommended: nothing is put first
    for d in (decision, lowered, none):
        check_first_step(ruleset, d)
        _same_through_the_record(ruleset, d)
        shown = decision_context(d, ruleset, "text")["first_step"]
        assert (shown and shown["id"]) == (d.first_step or None)


def test_immediate_danger_puts_999_first_in_the_record(minimal_ruleset: Ruleset) -> None:
    decision = minimal_ruleset.assess(
        {"child": {"age_months": 3}, "indicators": ["bruise", "danger"]}
    )
    assert decision.urgent
    assert json.loads(decision.to_json())["first_step"] == "police-999"


def _old_record(decision: Decision) -> str:
    """The decision as a record written before ``first_step`` existed (the key absent)."""
    record = json.loads(decision.to_json())
    del record["first_step"]
    return json.dumps(record)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_an_older_record_still_shows_the_right_first_step(fmt: str) -> None:
    ruleset = _with_urgent_concern()
    for override in (None, {"level": 3, **OVERRIDE}):
        decision = ruleset.assess(
            {"child": {"age_years": 6}, "indicators": ["alone-tonight"]}, override=override
        )
        old = Decision.from_json(_old_record(decision))
        assert old.first_step is None  # read as it was written: nothing invented on load
        assert render_decision(old, ruleset, fmt) == render_decision(decision, ruleset, fmt)
        assert (decision_context(old, ruleset, fmt)["first_step"]["id"]
                == decision.first_step)


def test_the_first_step_is_read_from_the_decision_not_chosen_by_the_renderer(
    bundled_ruleset: Ruleset,
) -> None:
    """A decision naming a first step is shown with it, in every document (the renderer no
    longer chooses), and a new record rendered without its ruleset shows the same first step."""
    case = {"child": {"age_years": 6}, "indicators": ["no-one-to-care-for-child"],
            "context": {"stepped_down_from": "child_protection_plan",
                        "stepped_down_category": "neglect", "stepped_down_months_ago": 2}}
    decision = bundled_ruleset.assess(case)
    assert decision.urgent and decision.first_step is not None
    title = next(p.title for p in decision.pathways if p.id == decision.first_step)
    for fmt in ("text", "markdown", "html"):
        first = decision_context(decision, None, fmt)["first_step"]
        assert first is not None and first["id"] == decision.first_step
        out = render_referral(rhrt.Case.model_validate(case), decision, bundled_ruleset, fmt)
        assert title in out
    # Naming another recommended route moves what every rendering puts first.
    other = next(p for p in decision.pathways if p.id != decision.first_step)
    moved = decision.model_copy(update={"first_step": other.id})
    assert decision_context(moved, bundled_ruleset, "text")["first_step"]["id"] == other.id


def test_the_serve_api_carries_the_first_step(bundled_ruleset: Ruleset) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from rhrt.serve.app import create_app

    client = TestClient(create_app(bundled_ruleset), base_url="http://127.0.0.1")
    case = {"child": {"age_years": 6}, "indicators": ["no-one-to-care-for-child"]}
    r = client.post("/api/assess", json={"case": case})
    assert r.status_code == 200
    expected = bundled_ruleset.assess(case).first_step
    assert expected is not None and r.json()["first_step"] == expected
    schema = client.get("/openapi.json").json()["components"]["schemas"]["Decision"]
    assert "first_step" in schema["properties"]
    old = json.loads(_old_record(bundled_ruleset.assess(case)))
    shown = client.post("/api/render", json={"decision": old, "format": "text"})
    assert shown.status_code == 200
    assert shown.json()["content"] == render_decision(
        bundled_ruleset.assess(case), bundled_ruleset, "text"
    )


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_an_urgent_decision_with_no_first_step_points_at_no_listed_route(fmt: str) -> None:
    """Lowered by a professional to a level none of whose routes is recommended, an urgent
    decision names no first step; it must not send the reader to whichever pathway happens to
    be listed first ("Do the first step below" once meant 'Graded Care Profile 2')."""
    ruleset = _with_urgent_concern()
    case = {"child": {"age_years": 6}, "indicators": ["alone-tonight"]}
    decision = ruleset.assess(case, override={"level": 2, **OVERRIDE})
    assert decision.urgent and decision.first_step is None
    shown = render_decision(decision, ruleset, fmt)
    assert "first step below" not in shown.lower()
    assert "before anything else" not in shown.lower()
    assert "FIRST, BEFORE ANYTHING ELSE" not in shown
    assert "No single route is named as the first step" in shown
    assert "Nobody is there to care for the child tonight." in shown  # why it is urgent


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_an_urgent_decision_resting_on_a_missing_fact_asks_for_it_first(
    fmt: str, bundled_ruleset: Ruleset
) -> None:
    """Regression (break-it review): an injury with the age not recorded is urgent on the
    fail-safe reading (injury-under-6-months), but every route is conditional on the age, so
    there is no first step - and "Then find out (after the urgent steps above)" printed the
    missing age LAST, after urgent steps that were not there. The facts to find out are the
    first step: they are shown before the routes, and the urgent line says so."""
    decision = bundled_ruleset.assess({"indicators": ["frequent-accidents-ae-attendance"]})
    assert decision.urgent and decision.provisional and decision.first_step is None
    assert decision.gather_first
    shown = render_decision(decision, bundled_ruleset, fmt)
    assert "after the urgent steps above" not in shown
    ask = shown.index("Find out first")
    assert ask < shown.index(decision.pathways[0].title)
    assert ask < shown.index("Why")
    assert "No route can be named as the first step until what is listed under Find out" in shown
    assert "No single route is named" not in shown
    # with the age recorded, the decision is no longer urgent on an assumption
    aged = bundled_ruleset.assess(
        {"indicators": ["frequent-accidents-ae-attendance"], "child": {"age_years": 4}}
    )
    assert not aged.urgent


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_an_urgent_decision_with_a_first_step_still_finds_out_after(
    fmt: str, bundled_ruleset: Ruleset
) -> None:
    """With a firm first step, what is not yet known is found out after the urgent steps."""
    decision = bundled_ruleset.assess({"indicators": ["bruising-non-mobile-baby"]})
    assert decision.urgent and decision.first_step is not None
    if not decision.gather_first:
        pytest.skip("the bundled case has nothing to find out")
    shown = render_decision(decision, bundled_ruleset, fmt)
    assert "after the urgent steps above" in shown

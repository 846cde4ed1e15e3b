# SPDX-License-Identifier: MIT
"""Every pathway of a ruleset renders, in every format, for a case that triggers it.

The tests iterate over the ruleset's own pathways (never a hard-coded list), so they hold for the
minimal test ruleset, the bundled Herefordshire one and any partnership's file. A few checks at
the end pin down the bundled ruleset's pathway ids.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import rhrt
from rhrt.model import ruleset as m
from rhrt.render import (
    TEMPLATE_FORMATS,
    TemplateRenderError,
    render_decision,
    render_pathway,
)
from rhrt.rules.plain import describe_condition, describe_rule, rule_conditions

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"
RULESETS = {"minimal": MINIMAL, "bundled": None}


@cache
def ruleset(name: str) -> rhrt.Ruleset:
    return rhrt.load_ruleset(RULESETS[name])


def triggering_case(rs: rhrt.Ruleset, pathway_id: str) -> dict[str, Any] | None:
    """A case whose decision recommends ``pathway_id``, found from the ruleset itself.

    Tries the levels that recommend it (an empty case for level 1, one indicator at the level
    otherwise) and the rules that recommend it (all the indicators the rule can match, then each
    alone), each with unknown age and measures (which make age- and measure-dependent rules
    fire, so no thresholds need to be known here), then known ages with the lowest measures
    (so that a level's own pathway is reachable without a rule raising the level), then unborn.
    """
    mins = {ms.id: ms.min for ms in rs.model.measures}
    contexts: list[dict[str, Any]] = [
        {},
        {"child": {"age_years": 10}, "measures": mins},
        {"child": {"unborn": True}},
        {"child": {"age_years": 16}, "measures": mins},
    ]
    sets: list[list[str]] = []
    for lv in rs.model.levels:
        if pathway_id in lv.pathways:
            if lv.level == 1:
                sets.append([])
            sets += [[i.id] for i in rs.model.indicators if i.level == lv.level]
    for rule in rs.plan.rules:
        if pathway_id in rule.pathways:
            ids = sorted(rule.indicator_ids)
            sets.append(ids)
            sets += [[i] for i in ids]
    for ids in sets:
        for context in contexts:
            case = {**context, "indicators": ids}
            if pathway_id in rs.assess(case).pathway_ids:
                return case
    return None


def _pathway_params() -> list[Any]:
    params = []
    for name in RULESETS:
        for pw in ruleset(name).model.pathways:
            params.append(pytest.param(name, pw.id, id=f"{name}-{pw.id}"))
    return params


def _plain(text: str) -> str:
    """Output reduced to words, for checking content whatever the format's escaping."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    text = re.sub(r"\\(.)", r"\1", text)
    return re.sub(r"\s+", " ", text)


def _words(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


@pytest.mark.parametrize(("name", "pathway_id"), _pathway_params())
def test_every_pathway_is_reachable_and_renders_in_every_format(
    name: str, pathway_id: str
) -> None:
    rs = ruleset(name)
    case = triggering_case(rs, pathway_id)
    assert case is not None, f"no case found that recommends {pathway_id}"
    decision = rs.assess(case)
    pw = next(p for p in rs.model.pathways if p.id == pathway_id)
    for fmt in TEMPLATE_FORMATS:
        for text in (
            render_decision(decision, rs, fmt),
            render_pathway(pathway_id, rs, fmt, decision=decision),
        ):
            plain = _plain(text)
            # what to do, by when, consent, who to contact, what to gather
            for part in (pw.title, pw.what, pw.timescale, pw.consent, *pw.gather):
                assert _words(part) in plain, (fmt, part)
            if pw.contact is not None:
                contact = rs.model.contacts[pw.contact]
                assert _words(contact.name) in plain
                assert _words(contact.how) in plain
            assert "{{" not in text and "{%" not in text  # no template syntax leaked


@pytest.mark.parametrize("name", list(RULESETS))
def test_a_pathway_says_why_it_applies_to_this_case(name: str) -> None:
    rs = ruleset(name)
    for pw in rs.model.pathways:
        case = triggering_case(rs, pw.id)
        assert case is not None
        decision = rs.assess(case)
        rec = next(r for r in decision.pathways if r.id == pw.id)
        text = _plain(render_pathway(pw.id, rs, "text", decision=decision))
        because = {r.id: r.because for r in decision.explanation.rules}
        for reason in rec.why:
            expected = because.get(reason)
            if expected is not None:
                assert _words(expected) in text


def test_unknown_pathway_is_an_error_with_a_suggestion() -> None:
    rs = ruleset("minimal")
    with pytest.raises(TemplateRenderError, match="did you mean 'lado'"):
        render_pathway("ladoo", rs, "text")
    with pytest.raises(rhrt.RhrtError):
        render_pathway("lado", rs, "pdf")


def _with_pathway_template(template: str | None) -> rhrt.Ruleset:
    data = ruleset("minimal").model.model_dump(mode="json", by_alias=True, exclude_none=True)
    for pw in data["pathways"]:
        if pw["id"] == "lado":
            pw["template"] = template
    return rhrt.ruleset_from_data(data)


def test_a_pathway_can_name_its_own_template(tmp_path: Path) -> None:
    rs = _with_pathway_template("lado-local")
    (tmp_path / "lado-local.text.j2").write_text(
        "LOCAL LADO: {{ pathway.title }} by {{ pathway.timescale }}\n"
    )
    out = render_pathway("lado", rs, "text", templates_dir=tmp_path)
    assert out == "LOCAL LADO: LADO by one working day\n"
    # a named template that does not exist is an error, never a silent fallback
    with pytest.raises(TemplateRenderError, match=r"lado-local\.markdown\.j2"):
        render_pathway("lado", rs, "markdown", templates_dir=tmp_path)


def test_a_partnership_can_override_one_pathway_by_id(tmp_path: Path) -> None:
    rs = ruleset("minimal")
    (tmp_path / "pathway-lado.markdown.j2").write_text("Call our LADO team: {{ pathway.what }}\n")
    decision = rs.assess({"indicators": ["staff-allegation"]})
    out = render_decision(decision, rs, "markdown", templates_dir=tmp_path)
    assert "Call our LADO team: w" in out
    # other pathways keep the generic template
    assert "### Early help" in out


# -- plain-English rules ---------------------------------------------------------------------


def _cond(data: dict[str, Any]) -> m.Condition:
    from pydantic import TypeAdapter

    return TypeAdapter(m.Condition).validate_python(data)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ({"indicator": "poor-diet"}, "'Inadequate diet' (poor-diet) is present"),
        ({"tag": "injury"}, "any concern is tagged 'injury' (an injury)"),
        ({"domain": "parenting"}, "any concern is in Parenting"),
        (
            {"count": {"at_least": 3, "min_level": 2, "distinct_domains": 2}},
            "at least 3 level-2-or-above concerns are present across at least 2 different domains",
        ),
        ({"measure": {"id": "dash_score", "at_least": 14}}, "the DASH score is 14 or more answers"),
        (
            {"measure": {"id": "dash_score", "less_than": 5}},
            "the DASH score is less than 5 answers",
        ),
        ({"age": {"under_months": 6}}, "the child is under 6 months old"),
        ({"age": {"at_least_years": 10}}, "the child is at least 10 years old"),
        ({"unborn": True}, "the child is unborn"),
        ({"unborn": False}, "the child has been born"),
        (
            {"all": [{"tag": "da"}, {"any": [{"unborn": True}, {"age": {"under_years": 1}}]}]},
            "all of: any concern is tagged 'da' (domestic abuse incident); "
            "(any of: the child is unborn; the child is under 1 years old)",
        ),
        (
            {"not": {"indicator": "thriving"}},
            "it is not the case that 'Physically well' (thriving) is present",
        ),
    ],
)
def test_conditions_read_as_plain_english(cond: dict[str, Any], expected: str) -> None:
    assert describe_condition(_cond(cond), ruleset("minimal").model) == expected


@pytest.mark.parametrize("name", list(RULESETS))
def test_every_rule_has_a_plain_english_sentence(name: str) -> None:
    model = ruleset(name).model
    conditions = rule_conditions(model)
    assert set(conditions) == {r.id for r in ruleset(name).plan.rules}
    for rule in model.rules:
        sentence = describe_rule(rule, model)
        assert sentence.startswith("When ") and sentence.endswith(".")
        if rule.then.level is not None:
            assert f"at least {rule.then.level}" in sentence
        for pid in rule.then.pathways:
            assert next(p.title for p in model.pathways if p.id == pid) in sentence


# -- the bundled Herefordshire ruleset -------------------------------------------------------

HEREFORDSHIRE_PATHWAYS = {
    "universal-services", "early-help", "early-help-assessment", "mash-referral", "police-999",
    "emergency-duty-team", "lado", "marac", "dash-risk-assessment",
    "exploitation-risk-assessment", "risk-management-meeting", "missing-intervention-meeting",
    "return-home-interview", "graded-care-profile-2", "prevent-channel", "fgm-police-report",
    "pre-birth-referral", "urgent-paediatric-assessment",
    # issue 15: routes the partnership's documents and national guidance name
    "police-101", "operation-encompass", "nrm-referral", "climb", "branch",
    "child-abduction-warning-notice", "camhs-crisis", "children-with-disabilities-team",
    "young-carers-assessment", "private-fostering-notification", "forced-marriage-unit",
    # issue 14: routes the case's context changes
    "missing-from-care", "youth-justice-service",
}


def test_bundled_ruleset_has_the_herefordshire_pathways() -> None:
    assert {p.id for p in ruleset("bundled").model.pathways} == HEREFORDSHIRE_PATHWAYS


def test_bundled_pathways_say_who_to_contact_and_what_to_gather() -> None:
    rs = ruleset("bundled")
    for pw in rs.model.pathways:
        text = render_pathway(pw.id, rs, "markdown")
        assert "**What to do:**" in text and "**By when:**" in text and "**Consent:**" in text
        if pw.contact is not None:
            assert "**Who to contact:**" in text
        if pw.gather:
            assert "**Information to gather:**" in text


def test_bundled_immediate_danger_puts_999_first_and_urgent() -> None:
    rs = ruleset("bundled")
    tag = rs.model.safety.immediate_danger.tag
    danger = next(i.id for i in rs.model.indicators if tag in i.tags)
    decision = rs.assess({"indicators": [danger]})
    text = render_decision(decision, rs, "text")
    assert text.startswith("LEVEL 4:") and "URGENT" in text.splitlines()[0]
    first = rs.model.safety.immediate_danger.pathways[0]
    title = next(p.title for p in rs.model.pathways if p.id == first)
    what_to_do = text.index("What to do\n")
    assert text.index(title, what_to_do) < min(
        text.index(p.title, what_to_do)
        for p in rs.model.pathways
        if p.id in decision.pathway_ids and p.id != first
    )

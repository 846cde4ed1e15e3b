# SPDX-License-Identifier: MIT
"""Case context (a child's existing involvement with services) and the ``context`` condition.

The case model reads context strictly (refusing ambiguous input by field path, never value);
every engine reads the condition with Kleene logic: a context fact not recorded is unknown, so
a rule on it fires (unknown never lowers a level), and a context condition is refused under
``not`` (recording involvement must never lower a level).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import rhrt
from rhrt.errors import CaseError, RulesetReferenceError
from rhrt.model.case import Case

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"

_RULES = """  - id: looked-after-missing
    because: A looked-after child who goes missing follows the missing-from-care route.
    when: {all: [{context: {is: looked_after}}, {tag: da}]}
    then: {level: 4, pathways: [marac]}
  - id: after-neglect-plan
    because: A child protection plan for neglect ended recently.
    when:
      all:
        - context: {is: stepped_down_from_child_protection_plan_neglect, within_months: 6}
        - count: {at_least: 1, min_level: 2}
    then: {level: 3, pathways: [eha]}
  - id: accumulation
"""


@pytest.fixture(scope="module")
def rs() -> rhrt.Ruleset:
    text = MINIMAL.read_text(encoding="utf-8").replace("  - id: accumulation\n", _RULES)
    return rhrt.ruleset_from_text(text)


def _da(rs: rhrt.Ruleset) -> str:
    return next(i.id for i in rs.model.indicators if "da" in i.tags)


def _level2(rs: rhrt.Ruleset) -> str:
    return next(i.id for i in rs.model.indicators if i.level == 2)


# -- the case model ---------------------------------------------------------------------------


def test_context_not_recorded_is_unknown_and_fires(rs: rhrt.Ruleset) -> None:
    d = rs.assess({"child": {"age_years": 13}, "indicators": [_da(rs)]})
    assert d.level == 4
    assert "context looked_after" in d.explanation.missing_information


def test_context_recorded_true_fires_and_false_does_not(rs: rhrt.Ruleset) -> None:
    base: dict[str, Any] = {"child": {"age_years": 13}, "indicators": [_da(rs)],
                            "measures": {"dash_score": 3}}
    yes = rs.assess({**base, "context": {"looked_after": True, "stepped_down_from": "none"}})
    no = rs.assess({**base, "context": {"looked_after": False, "stepped_down_from": "none"}})
    assert yes.level == 4 and "looked-after-missing" in [r.id for r in yes.explanation.rules]
    assert "looked-after-missing" not in [r.id for r in no.explanation.rules]
    assert no.level < yes.level


@pytest.mark.parametrize(
    ("months", "fires"), [(0, True), (2, True), (6, True), (6.5, False), (24, False)]
)
def test_step_down_recency(rs: rhrt.Ruleset, months: float, fires: bool) -> None:
    case = {
        "child": {"age_years": 5},
        "indicators": [_level2(rs)],
        "context": {
            "looked_after": False,
            "stepped_down_from": "child_protection_plan",
            "stepped_down_category": "neglect",
            "stepped_down_months_ago": months,
        },
    }
    d = rs.assess(case)
    assert ("after-neglect-plan" in [r.id for r in d.explanation.rules]) is fires
    assert d.level == (3 if fires else 2)


def test_step_down_date_is_read_against_the_assessment_date(rs: rhrt.Ruleset) -> None:
    ctx = {"looked_after": False, "stepped_down_from": "child_protection_plan",
           "stepped_down_category": "neglect", "stepped_down_on": "2024-01-15"}
    case = {"indicators": [_level2(rs)], "child": {"age_years": 5}, "context": ctx}
    assert rs.assess({**case, "assessment_date": "2024-03-20"}).level == 3  # 2 months
    assert rs.assess({**case, "assessment_date": "2024-09-20"}).level == 2  # 8 months


def test_other_category_or_plan_is_known_false(rs: rhrt.Ruleset) -> None:
    for ctx in (
        {"stepped_down_from": "child_protection_plan", "stepped_down_category": "physical",
         "stepped_down_months_ago": 1},
        {"stepped_down_from": "early_help", "stepped_down_months_ago": 1},
        {"stepped_down_from": "none"},
    ):
        d = rs.assess({"indicators": [_level2(rs)], "child": {"age_years": 5},
                       "context": {"looked_after": False, **ctx}})
        assert d.level == 2, ctx


def test_step_down_without_category_is_unknown(rs: rhrt.Ruleset) -> None:
    d = rs.assess({"indicators": [_level2(rs)], "child": {"age_years": 5},
                   "context": {"looked_after": False, "stepped_down_from": "child_protection_plan",
                               "stepped_down_months_ago": 1}})
    assert d.level == 3
    assert ("context stepped_down_from_child_protection_plan_neglect"
            in d.explanation.missing_information)


@pytest.mark.parametrize(
    ("context", "extra", "path"),
    [
        ({"looked_after": "yes"}, {}, "context.looked_after"),
        ({"looked_after": 1}, {}, "context.looked_after"),
        ({"child_protection_plan": "Neglect!"}, {}, "context.child_protection_plan"),
        ({"stepped_down_from": "child_protection_plan"}, {}, "context.stepped_down_from"),
        ({"stepped_down_months_ago": 2}, {}, "context.stepped_down_months_ago"),
        ({"stepped_down_from": "early_help", "stepped_down_months_ago": 2,
          "stepped_down_category": "neglect"}, {}, "context.stepped_down_category"),
        ({"stepped_down_from": "early_help", "stepped_down_months_ago": 2,
          "stepped_down_on": "2024-01-01"}, {"assessment_date": "2024-02-01"},
         "context.stepped_down_months_ago"),
        ({"stepped_down_from": "early_help", "stepped_down_months_ago": -1}, {},
         "context.stepped_down_months_ago"),
        ({"stepped_down_from": "early_help", "stepped_down_months_ago": 301}, {},
         "context.stepped_down_months_ago"),
        ({"stepped_down_from": "early_help", "stepped_down_on": "2024-01-01"}, {},
         "context.stepped_down_on"),
        ({"stepped_down_from": "early_help", "stepped_down_on": "2024-05-01"},
         {"assessment_date": "2024-02-01"}, "context.stepped_down_on"),
        ({"stepped_down_from": "early_help", "stepped_down_on": "1990-05-01"},
         {"assessment_date": "2024-02-01"}, "context.stepped_down_on"),
        ({"stepped_down_from": "early_help", "stepped_down_on": 20240101},
         {"assessment_date": "2024-02-01"}, "context.stepped_down_on"),
        ({"allocated_worker": True}, {}, "context.allocated_worker"),
    ],
)
def test_ambiguous_context_is_refused_by_field_path_never_value(
    rs: rhrt.Ruleset, context: dict[str, Any], extra: dict[str, Any], path: str
) -> None:
    with pytest.raises(CaseError) as info:
        rs.validate_case({"context": context, **extra})
    assert info.value.path == path
    for value in context.values():
        if isinstance(value, str) and len(value) > 3:
            assert value not in str(info.value)


def test_context_states_follow_the_fields() -> None:
    case = Case.model_validate({"context": {"child_protection_plan": "sexual",
                                            "in_custody": True}})
    states = case.context.states()
    assert states["child_protection_plan"] is True
    assert states["child_protection_plan_sexual"] is True
    assert states["child_protection_plan_neglect"] is False
    assert states["in_custody"] is True
    assert "looked_after" not in states  # not recorded: unknown
    assert not any(s.startswith("stepped_down") for s in states)


# -- the ruleset ------------------------------------------------------------------------------


def test_context_condition_under_not_is_refused() -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "  - id: accumulation\n",
        "  - id: not-in-care\n    because: b\n"
        "    when: {not: {context: {is: looked_after}}}\n    then: {level: 3}\n"
        "  - id: accumulation\n",
    )
    with pytest.raises(RulesetReferenceError) as info:
        rhrt.ruleset_from_text(text)
    assert "rules[0].when.not.context" in str(info.value)


@pytest.mark.parametrize(
    "spec",
    ["{is: looked_after, within_months: 6}", "{is: on_the_moon}", "{is: looked_after, x: 1}",
     "{is: stepped_down_from_early_help, within_months: -1}"],
)
def test_bad_context_conditions_are_refused(spec: str) -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "  - id: accumulation\n",
        f"  - id: bad\n    because: b\n    when: {{context: {spec}}}\n    then: {{level: 3}}\n"
        "  - id: accumulation\n",
    )
    with pytest.raises(rhrt.errors.RhrtError):
        rhrt.ruleset_from_text(text)


def test_plain_words_for_a_context_condition(rs: rhrt.Ruleset) -> None:
    d = rs.assess({"indicators": [_level2(rs)], "child": {"age_years": 5},
                   "context": {"stepped_down_from": "child_protection_plan",
                               "stepped_down_category": "neglect",
                               "stepped_down_months_ago": 2}})
    (fired,) = [r for r in d.explanation.rules if r.id == "after-neglect-plan"]
    assert fired.condition is not None
    assert "stepped down from a child protection plan for neglect" in fired.condition
    assert "6 months" in fired.condition


# -- what context changes: route replacement, implied concerns, urgency, step-down -------------

_ROUTES = MINIMAL.read_text(encoding="utf-8").replace(
    "  - id: accumulation\n",
    """  - id: in-custody-route
    because: A young person in custody is known to the youth justice service.
    when: {context: {is: in_custody}}
    then: {pathways: [youth-justice], instead_of: [mash]}
  - id: accumulation
""",
).replace(
    "pathways:\n  - {id: universal",
    "pathways:\n  - {id: youth-justice, title: Youth justice worker, what: w, contact: mash, "
    "timescale: t, consent: c}\n  - {id: universal",
).replace(
    "  - {id: danger, level: 4,",
    "  - {id: alone-tonight, level: 4, domain: child, subdomain: health, text: No one to care "
    "tonight, urgent: true, urgent_because: Nobody is there to care for the child tonight., "
    "source: {ref: test}}\n  - {id: danger, level: 4,",
) + """context:
  implies:
    - {is: looked_after, indicator: bruise}
    - {is: stepped_down_from_child_protection_plan, within_months: 6, indicator: poor-diet}
"""


@pytest.fixture(scope="module")
def routes() -> rhrt.Ruleset:
    text = _ROUTES
    text = text.replace("response: r2,", "response: r2, step_down: Resolve the concerns.,", 1)
    return rhrt.ruleset_from_text(text)


def _level4(rs: rhrt.Ruleset) -> str:
    return next(i.id for i in rs.model.indicators if i.level == 4 and not i.tags
                and not i.urgent)


@pytest.mark.parametrize("engine", ["reference", "durable"])
def test_known_context_replaces_a_route_and_says_who_instead(
    routes: rhrt.Ruleset, engine: str
) -> None:
    if engine == "durable":
        pytest.importorskip("durable")
    case = {"indicators": ["alone-tonight"], "child": {"age_years": 16},
            "measures": {"dash_score": 0}, "context": {"in_custody": True}}
    d = routes.assess(case, engine=engine)
    ids = d.pathway_ids
    assert "youth-justice" in ids and "mash" not in ids
    (swap,) = d.explanation.replaced_pathways
    assert (swap.id, swap.by, swap.instead) == ("mash", ("in-custody-route",), ("youth-justice",))


def test_unknown_context_never_removes_a_route(routes: rhrt.Ruleset) -> None:
    d = routes.assess({"indicators": ["alone-tonight"], "child": {"age_years": 16},
                       "measures": {"dash_score": 0}})
    assert "mash" in d.pathway_ids
    assert d.explanation.replaced_pathways == ()
    assert d.provisional  # recording custody would change the routes


def test_a_replacement_never_removes_the_emergency_route(routes: rhrt.Ruleset) -> None:
    text = _ROUTES.replace("instead_of: [mash]", "instead_of: [police-999]")
    with pytest.raises(RulesetReferenceError) as info:
        rhrt.ruleset_from_text(text)
    assert "instead_of" in str(info.value)


def test_replacing_a_statutory_route_needs_someone_to_tell(routes: rhrt.Ruleset) -> None:
    text = _ROUTES.replace("what: w, contact: mash, timescale: t", "what: w, timescale: t", 1)
    with pytest.raises(RulesetReferenceError):
        rhrt.ruleset_from_text(text)


def test_safety_route_pathways_are_kept_when_replaced(routes: rhrt.Ruleset) -> None:
    text = _ROUTES.replace("instead_of: [mash]", "instead_of: [lado]")
    rs = rhrt.ruleset_from_text(text)
    d = rs.assess({"indicators": ["staff-allegation"], "context": {"in_custody": True}})
    assert "lado" in d.pathway_ids


def test_recorded_context_implies_a_concern_and_unrecorded_does_not(
    routes: rhrt.Ruleset,
) -> None:
    assert routes.assess({"child": {"age_years": 9}}).level == 1
    looked_after = routes.assess({"child": {"age_years": 9}, "context": {"looked_after": True}})
    assert looked_after.level == 3
    assert "bruise" in [f.id for f in looked_after.explanation.indicators]
    recent = {"stepped_down_from": "child_protection_plan", "stepped_down_months_ago": 2}
    assert routes.assess({"context": recent, "child": {"age_years": 9}}).level == 2
    old = {**recent, "stepped_down_months_ago": 9}
    assert routes.assess({"context": old, "child": {"age_years": 9}}).level == 1


def test_an_urgent_concern_makes_the_decision_urgent_and_says_why(routes: rhrt.Ruleset) -> None:
    d = routes.assess({"indicators": ["alone-tonight"], "child": {"age_years": 6},
                       "measures": {"dash_score": 0}})
    assert d.level == 4 and d.urgent
    assert d.explanation.urgent_because[0] == "Nobody is there to care for the child tonight."
    calm = routes.assess({"indicators": ["poor-diet"], "child": {"age_years": 6}})
    assert not calm.urgent and calm.explanation.urgent_because == ()


def test_urgent_indicator_needs_its_reason() -> None:
    text = _ROUTES.replace(" urgent_because: Nobody is there to care for the child tonight.,", "")
    with pytest.raises(rhrt.errors.RhrtError):
        rhrt.ruleset_from_text(text)


def test_step_down_guidance_is_worded_from_data(routes: rhrt.Ruleset) -> None:
    level = routes.model.levels[1].level
    words = routes.model.levels[1].step_down
    assert words == "Resolve the concerns."
    for case in ({"child": {"age_years": 9}}, {"indicators": ["poor-diet"]},
                 {"indicators": ["bruise"]}):
        d = routes.assess(case)
        assert d.explanation.would_allow_step_down == (words if d.level == level else None)


def test_batch_agrees_on_urgency_and_replacement(routes: rhrt.Ruleset) -> None:
    pa = pytest.importorskip("pyarrow")
    from rhrt.batch import assess_table

    table = pa.table({"indicators": [["alone-tonight"], ["bruise"], []],
                      "age_years": [6.0, 16.0, 3.0], "dash_score": [0.0, 0.0, None],
                      "in_custody": [True, None, False]})
    out = assess_table(table, routes)
    for i, case in enumerate(
        [{"indicators": ["alone-tonight"], "child": {"age_years": 6}, "measures": {"dash_score": 0},
          "context": {"in_custody": True}},
         {"indicators": ["bruise"], "child": {"age_years": 16}, "measures": {"dash_score": 0}},
         {"child": {"age_years": 3}, "context": {"in_custody": False}}]
    ):
        d = routes.assess(case)
        assert out.column("urgent")[i].as_py() == d.urgent
        assert out.column("pathways")[i].as_py() == list(d.pathway_ids)


def test_batch_reads_context_columns_as_single_cases_do() -> None:
    pytest.importorskip("pyarrow")
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from case_tables import cases_table
    from rhrt.batch import assess_table
    from rhrt.testing.strategies import cases, rulesets

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        ruleset = data.draw(rulesets())
        drawn = data.draw(st.lists(cases(ruleset), min_size=1, max_size=8))
        out = assess_table(cases_table(drawn, ruleset, context=True), ruleset)
        for i, case in enumerate(drawn):
            d = ruleset.assess(case)
            assert out.column("level")[i].as_py() == d.level, (i, case)
            assert out.column("urgent")[i].as_py() == d.urgent, (i, case)
            assert out.column("pathways")[i].as_py() == list(d.pathway_ids), (i, case)

    check()


def test_batch_refuses_ambiguous_context_by_row_and_column(rs: rhrt.Ruleset) -> None:
    pa = pytest.importorskip("pyarrow")
    from rhrt.batch import assess_table

    for columns, column in (
        ({"looked_after": ["maybe"]}, "looked_after"),
        ({"child_protection_plan": ["Neglect!"]}, "child_protection_plan"),
        ({"stepped_down_from": ["early_help"]}, "stepped_down_from"),
        ({"stepped_down_months_ago": [2.0]}, "stepped_down_months_ago"),
        ({"stepped_down_from": ["early_help"], "stepped_down_months_ago": [400.0]},
         "stepped_down_months_ago"),
    ):
        table = pa.table({"indicators": [["poor-diet"]], **columns})
        with pytest.raises(CaseError) as info:
            assess_table(table, rs)
        assert column in str(info.value.path)
        assert "Neglect!" not in str(info.value)


def test_adding_context_never_lowers_a_level_in_the_bundled_ruleset() -> None:
    pytest.importorskip("hypothesis")
    from rhrt.testing import check_invariants

    report = check_invariants(rhrt.load_ruleset(), max_examples=60, properties=["adding-context"])
    assert report.ok, str(report)
    assert report.checked == ("adding-context",)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_format_says_why_urgent_what_replaced_and_the_step_down(fmt: str) -> None:
    from rhrt.render import render_decision

    rs = rhrt.load_ruleset()
    custody = rs.assess({"child": {"age_years": 16}, "indicators": ["offending-criminal-justice"],
                         "context": {"in_custody": True}})
    alone = rs.assess({"child": {"age_years": 7}, "indicators": ["no-one-to-care-for-child"]})
    shown = (render_decision(custody, rs, fmt) + render_decision(alone, rs, fmt)).lower()
    titles = {p.id: p.title.lower() for p in rs.model.pathways}
    # routes by title, not id (practice review); escaped as each format escapes them
    assert "instead of " + titles["mash-referral"].replace("(", "").replace(")", "") in (
        shown.replace("(", "").replace(")", "").replace("\\", "")
    )
    assert titles["youth-justice-service"] in shown
    assert "urgent because" in shown
    assert "what would allow a step down" in shown


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # another rule that fails its schema (its placeholder has no 'then')
        ("because: Several additional needs", "becuase: Several additional needs"),
        # the replacing pathway itself fails its schema (its placeholder has no 'emergency')
        ("{id: youth-justice, title: Youth justice worker,", "{id: youth-justice,"),
        # the replaced pathway fails its schema
        ("- {id: mash, title:", "- {id: mash, titel:"),
    ],
)
def test_a_route_replacement_beside_an_invalid_item_is_a_schema_error(old: str, new: str) -> None:
    # regression: the replacement check read every rule's 'then' and every pathway's fields,
    # placeholders of invalid items included, and raised AttributeError, not RulesetSchemaError
    assert old in _ROUTES, old
    import yaml

    from rhrt.errors import RulesetSchemaError
    from rhrt.rules._salvage import salvage
    from rhrt.rules.load import check_references
    from rhrt.rules.safe_yaml import Located

    text = _ROUTES.replace(old, new, 1)
    with pytest.raises(RulesetSchemaError):
        rhrt.ruleset_from_text(text)
    # the reference checks themselves pass over the placeholders (no crash to swallow)
    data = yaml.safe_load(text)
    model, partial = salvage(data)
    check_references(model, Located(data), partial)

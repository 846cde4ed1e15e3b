# SPDX-License-Identifier: MIT
"""``rhrt prove``: proofs over every case, minimal counterexamples the reference engine shows,
and the z3 encoding agreeing with the reference engine case by case."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rhrt import Ruleset, ruleset_from_data
from rhrt.cli import main
from rhrt.engine.reference import evaluate
from rhrt.errors import MissingExtraError
from rhrt.explain import determining_indicators
from rhrt.rules.bundled import bundled_ruleset_path
from rhrt.testing import cases, rulesets

z3 = pytest.importorskip("z3")

from rhrt.prove import PROPERTIES, Counterexample, prove  # noqa: E402
from rhrt.prove._encode import Encoder, concrete  # noqa: E402
from rhrt.prove._prover import route_sources  # noqa: E402

_SETTINGS: dict[str, Any] = {
    "deadline": None, "suppress_health_check": list(HealthCheck), "database": None
}
MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"

# The issue's example: "not" lets a level-1 strength switch off the urgent paediatric opinion.
BAD_RULE_WHEN = (
    "    when:\n      all:\n        - indicator: bruising-non-mobile-baby\n"
    "        - not: {indicator: accommodation-meets-needs}\n"
)


def _bad_bundled_text() -> str:
    text = bundled_ruleset_path().read_text(encoding="utf-8")
    old = "    when: {indicator: bruising-non-mobile-baby}\n"
    assert text.count(old) == 1
    return text.replace(old, BAD_RULE_WHEN)


def _minimal(**changes: Any) -> Ruleset:
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    for key, value in changes.items():
        data[key] = value(data[key]) if callable(value) else value
    return ruleset_from_data(data)


def _rule(rule_id: str, when: Any, **then: Any) -> dict[str, Any]:
    return {"id": rule_id, "because": "test", "when": when, "then": then}


def _decide(ruleset: Ruleset, data: dict[str, Any]) -> Any:
    return ruleset.assess(data)


def shows(ruleset: Ruleset, cex: Counterexample) -> bool:
    """The breach, checked independently with ``Ruleset.assess`` (the reference engine)."""
    got = {role: _decide(ruleset, case) for role, case in cex.cases}
    first, second = (got[role] for role, _ in cex.cases[:2]) if len(got) == 2 else (None, None)
    sources = route_sources(ruleset)

    def held(decision: Any) -> set[str]:
        return {p.id for p in decision.pathways if sources.get(p.id, set()) & set(p.why)}

    if cex.property in ("adding-a-concern", "adding-keeps-urgency", "adding-keeps-routes"):
        before, after = got["before"], got["after"]
        added = set(cex.case("after").get("indicators", [])) - set(
            cex.case("before").get("indicators", [])
        )
        assert len(added) == 1
        assert {k: v for k, v in cex.case("after").items() if k != "indicators"} == {
            k: v for k, v in cex.case("before").items() if k != "indicators"
        }
        if cex.property == "adding-a-concern":
            return bool(after.level < before.level)
        if cex.property == "adding-keeps-urgency":
            return bool(before.urgent and not after.urgent)
        lost = held(before) - set(after.pathway_ids)
        return cex.subject[0] in lost
    if cex.property == "raising-a-measure":
        (name,) = cex.subject
        b, a = cex.case("before"), cex.case("after")
        assert {k: v for k, v in a.items() if k != "measures"} == {
            k: v for k, v in b.items() if k != "measures"
        }
        assert {k: v for k, v in a["measures"].items() if k != name} == {
            k: v for k, v in b["measures"].items() if k != name
        }
        assert a["measures"][name] != b["measures"][name]
        return bool(got["after"].level < got["before"].level)
    if cex.property == "missing-information":
        complete, missing = got["complete"], got["missing"]
        lost = held(complete) - set(missing.pathway_ids)
        return bool(missing.level < complete.level or (complete.urgent and not missing.urgent)
                    or lost)
    decision = got["case"]
    assert first is None and second is None
    if cex.property == "no-concerns":
        return not cex.case("case").get("indicators") and decision.level != 1
    if cex.property == "immediate-danger":
        route = ruleset.model.safety.immediate_danger
        return (decision.level != 4 or not decision.urgent
                or not set(route.pathways) <= set(decision.pathway_ids))
    if cex.property == "allegation":
        route = ruleset.model.safety.allegation
        return not set(route.pathways) <= set(decision.pathway_ids)
    if cex.property == "no-conflicts":
        a, b, pathway = cex.subject
        fired = {r.id for r in decision.explanation.rules}
        own = max(n for n, lv in enumerate(ruleset.model.levels, 1) if pathway in lv.pathways)
        return a in fired and b in fired and pathway in decision.pathway_ids and (
            decision.level > own
        )
    raise AssertionError(cex.property)


# --- the bundled ruleset ---------------------------------------------------------------------


def test_bundled_ruleset_is_proved(bundled_ruleset: Ruleset) -> None:
    report = prove(bundled_ruleset)
    assert [r.id for r in report.results] == list(PROPERTIES)
    assert report.ok, str(report)
    assert all(r.status == "proved" for r in report.results), str(report)


def test_issue_example_not_on_a_strength_is_found_with_a_minimal_case() -> None:
    from rhrt import ruleset_from_text

    ruleset = ruleset_from_text(_bad_bundled_text())
    report = prove(ruleset)
    assert not report.ok
    result = report.result("adding-keeps-routes")
    assert result.status == "failed"
    cex = next(c for c in result.counterexamples if c.subject == ("urgent-paediatric-assessment",))
    assert shows(ruleset, cex)
    # minimal: the baby's bruise, then the strength added (nothing else recorded but age)
    assert cex.case("before")["indicators"] == ["bruising-non-mobile-baby"]
    assert cex.case("after")["indicators"] == [
        "bruising-non-mobile-baby", "accommodation-meets-needs"
    ]
    assert "accommodation-meets-needs" in cex.description
    assert "urgent-paediatric-assessment" in cex.description
    # the other properties still hold
    assert report.result("adding-a-concern").status == "proved"
    assert report.result("missing-information").status == "proved"


# --- each property can fail, and each failure reproduces ---------------------------------


def _strength_switches_off(rules: list[Any]) -> list[Any]:
    return [*rules, _rule("switch", {"all": [{"indicator": "bruise"},
                                              {"not": {"indicator": "thriving"}}]},
                          level=4, urgent=True, pathways=["paediatric"])]


BREAKING: dict[str, dict[str, Any]] = {
    "adding-a-concern": {"rules": _strength_switches_off},
    "adding-keeps-urgency": {"rules": _strength_switches_off},
    "adding-keeps-routes": {"rules": _strength_switches_off},
    "no-concerns": {"rules": lambda rules: [*rules, _rule("babies", {"age": {"under_months": 12}},
                                                          level=2)]},
    "raising-a-measure": {"rules": lambda rules: [
        *rules, _rule("low-dash", {"all": [{"tag": "da"}, {"not": {"measure": {
            "id": "dash_score", "at_least": 5}}}]}, level=4)
    ]},
    "no-conflicts": {"rules": lambda rules: [
        *rules, _rule("offer-early-help", {"indicator": "poor-diet"}, pathways=["early-help"])
    ]},
}


@pytest.mark.parametrize("prop", sorted(BREAKING))
def test_each_breach_is_found_and_reproduced(prop: str) -> None:
    ruleset = _minimal(**BREAKING[prop])
    report = prove(ruleset, properties=[prop])
    result = report.result(prop)
    assert result.status == "failed", str(report)
    assert result.counterexamples
    for cex in result.counterexamples:
        assert shows(ruleset, cex), cex.description


def test_conflict_names_both_rules_and_the_pathway() -> None:
    ruleset = _minimal(**BREAKING["no-conflicts"])
    cexes = prove(ruleset, properties=["no-conflicts"]).counterexamples
    pairs = {c.subject for c in cexes}
    # poor-diet with a baby's bruise (baby-injury, level 4) or three needs (accumulation, 3)
    assert ("offer-early-help", "baby-injury", "early-help") in pairs
    assert ("offer-early-help", "accumulation", "early-help") in pairs
    assert ("offer-early-help", "high-risk-da", "early-help") in pairs


def test_unreachable_rules_and_pathways_are_named() -> None:
    ruleset = _minimal(rules=lambda rules: [
        *rules,
        _rule("never", {"count": {"at_least": 2, "level": 4}}, level=3),
        _rule("babies-and-teens", {"all": [{"age": {"under_months": 12}},
                                           {"age": {"at_least_years": 2}}]}, level=3),
        _rule("only-unknown", {"all": [{"measure": {"id": "dash_score", "at_least": 20}},
                                       {"measure": {"id": "dash_score", "less_than": 10}}]},
              level=3),
    ], pathways=lambda pws: [*pws, {"id": "orphan", "title": "o", "what": "w", "timescale": "t",
                                     "consent": "c"}])
    result = prove(ruleset, properties=["reachable"]).result("reachable")
    assert result.status == "failed"
    text = "\n".join(result.problems)
    assert "rule 'never' can never fire" in text
    assert "rule 'only-unknown' fires only when information is missing" in text
    assert "rule 'babies-and-teens' fires only when information is missing" in text
    assert "'orphan'" in text
    assert "accumulation" not in text


def test_an_indicator_that_never_decides_is_named() -> None:
    # a level-4 rule that always fires and names no concern: nothing below level 4 decides
    ruleset = _minimal(rules=lambda rules: [
        *rules, _rule("always", {"not": {"count": {"at_least": 2, "level": 4}}}, level=4)])
    result = prove(ruleset, properties=["reachable"]).result("reachable")
    problems = "\n".join(result.problems)
    assert "'poor-diet'" in problems
    assert "'missed-checks'" in problems
    assert "'bruise'" not in problems  # a level-4 rule (baby-injury) names it
    assert "'danger'" not in problems


def test_minimal_ruleset_is_proved(minimal_ruleset: Ruleset) -> None:
    report = prove(minimal_ruleset)
    assert report.ok, str(report)


# --- generated rulesets: counterexamples reproduce; no-`not` rulesets are proved ----------


@pytest.mark.slow
@settings(max_examples=60, **_SETTINGS)
@given(ruleset=rulesets(max_depth=3, allow_not=True))
def test_every_counterexample_of_generated_rulesets_reproduces(ruleset: Ruleset) -> None:
    report = prove(ruleset)
    for cex in report.counterexamples:
        assert shows(ruleset, cex), cex.description
    for r in report.results:
        if r.id in ("missing-information", "immediate-danger", "allegation"):
            # the engine guarantees these for every case: a failure can only be a promise the
            # ruleset breaks whatever the cases (no indicator to record it, no emergency pathway)
            assert not r.counterexamples, str(report)
            assert r.status in ("proved", "n/a") or r.problems, str(report)


@settings(max_examples=25, **_SETTINGS)
@given(ruleset=rulesets())
def test_generated_rulesets_without_not_never_lose_level_urgency_or_routes(
    ruleset: Ruleset,
) -> None:
    report = prove(ruleset, properties=["adding-a-concern", "adding-keeps-urgency",
                                        "adding-keeps-routes", "missing-information"])
    assert report.ok, str(report)


# --- the encoding agrees with the reference engine -----------------------------------------


def _symbolic(ruleset: Ruleset, case: Any) -> dict[str, Any]:
    plan = ruleset.plan
    facts = ruleset.facts(case)
    sym, pins = concrete(plan, facts.present, facts.measures, facts.age_months, facts.unborn,
                         context=facts.context,
                         stepped_down_months=facts.stepped_down_months)
    out = Encoder(plan).outcome(sym, determining=True)
    solver = z3.Solver()
    solver.add(pins)
    assert solver.check() == z3.sat
    model = solver.model()

    def val(x: Any) -> Any:
        return model.eval(x, model_completion=True)

    return {
        "level": val(out.level).as_long(),
        "urgent": z3.is_true(val(out.urgent)),
        "pathways": {p for p, t in out.pathway.items() if z3.is_true(val(t))},
        "fired": {r for r, t in out.fired.items() if z3.is_true(val(t))},
        "determining": {i for i, t in out.determining.items() if z3.is_true(val(t))},
    }


def _reference(ruleset: Ruleset, case: Any) -> dict[str, Any]:
    facts = ruleset.facts(case)
    ev = evaluate(ruleset.plan, facts)
    return {
        "level": ev.level,
        "urgent": ev.urgent,
        "pathways": set(ev.pathways),
        "fired": {r.rule.id for r in ev.fired},
        "determining": set(determining_indicators(ruleset.plan, facts, ev)),
    }


@pytest.mark.slow
@settings(max_examples=150, **_SETTINGS)
@given(data=st.data())
def test_encoding_agrees_with_reference_engine_on_generated_rulesets(data: st.DataObject) -> None:
    ruleset = data.draw(rulesets(max_depth=3, allow_not=True))
    case = data.draw(cases(ruleset))
    assert _symbolic(ruleset, case) == _reference(ruleset, case)


@pytest.mark.slow
@settings(max_examples=40, **_SETTINGS)
@given(data=st.data())
def test_encoding_agrees_with_reference_engine_on_bundled_ruleset(
    data: st.DataObject, bundled_ruleset: Ruleset
) -> None:
    case = data.draw(cases(bundled_ruleset, max_indicators=12))
    assert _symbolic(bundled_ruleset, case) == _reference(bundled_ruleset, case)


# --- command line and extras -------------------------------------------------------------


def test_cli_proves_bundled_ruleset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove"]) == 0
    out = capsys.readouterr().out
    assert "not a sample" in out
    assert "Every property is proved" in out


def test_cli_counterexample_files_reproduce_with_assess(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "bad.yaml"
    rules.write_text(_bad_bundled_text(), encoding="utf-8")
    folder = tmp_path / "cex"
    assert main(["prove", str(rules), "--counterexamples", str(folder), "--format", "json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    # numbered in report order (the urgent rule's strength also fails adding-keeps-urgency)
    (before,) = folder.glob("*-adding-keeps-routes-before.yaml")
    (after,) = folder.glob("*-adding-keeps-routes-after.yaml")
    decisions = []
    for path in (before, after):
        assert main(["assess", str(path), "--rules", str(rules), "--format", "json"]) == 0
        decisions.append(json.loads(capsys.readouterr().out))
    ids = [{p["id"] for p in d["pathways"]} for d in decisions]
    assert "urgent-paediatric-assessment" in ids[0]
    assert "urgent-paediatric-assessment" not in ids[1]


def test_missing_extra_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    bundled_ruleset: Ruleset,
) -> None:
    import rhrt.prove

    monkeypatch.setattr(rhrt.prove, "available", lambda: False)
    with pytest.raises(MissingExtraError):
        prove(bundled_ruleset)
    assert main(["prove"]) == MissingExtraError.exit_code
    assert "rhrt[prove]" in capsys.readouterr().err


def test_importing_rhrt_prove_does_not_import_z3() -> None:
    code = "import sys, rhrt, rhrt.prove; print('z3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_check_says_it_sampled_and_points_to_prove(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import rhrt.prove

    assert main(["check", str(MINIMAL), "--max-examples", "5"]) == 0
    out = capsys.readouterr().out
    assert "Method: sampling" in out and "rhrt prove" in out and "rhrt[prove]" not in out
    monkeypatch.setattr(rhrt.prove, "available", lambda: False)
    assert main(["check", str(MINIMAL), "--max-examples", "5"]) == 0
    assert "pip install 'rhrt[prove]'" in capsys.readouterr().out


def test_a_safety_route_nothing_can_trigger_fails_with_the_reason() -> None:
    def untag(indicators: list[Any]) -> list[Any]:
        for ind in indicators:
            ind["tags"] = [t for t in ind.get("tags", []) if t != "immediate-danger"]
        return indicators

    ruleset = _minimal(indicators=untag)
    result = prove(ruleset, properties=["immediate-danger"]).result("immediate-danger")
    assert result.status == "failed"
    assert any("immediate_danger tag" in p for p in result.problems)
    assert prove(ruleset, properties=["allegation"]).ok


IMPLIED_CONCERN_RULE = """\
  - id: test-diet-without-missing
    because: test
    when:
      all:
        - indicator: inadequate-diet
        - not: {indicator: missing-from-home-occasional}
    then: {level: 4}
"""


def test_raising_a_measure_that_implies_a_concern_is_found() -> None:
    """Regression: with the bundled ruleset plus ``all: [inadequate-diet, not:
    missing-from-home-occasional] -> level 4``, ``missing_episodes_90_days: 0`` gives level 4
    and ``1`` gives level 2 (the count implies the missing concern), yet prove said "Making a
    measure more concerning never lowers the level: ok": the raised case could not gain the
    implied concern. The counterexample is reproduced by the reference engine."""
    text = bundled_ruleset_path().read_text(encoding="utf-8")
    assert text.count("\nrules:\n") == 1
    rs = ruleset_from_data(yaml.safe_load(
        text.replace("\nrules:\n", "\nrules:\n" + IMPLIED_CONCERN_RULE, 1)))
    base = {"indicators": ["inadequate-diet"], "child": {"age_years": 8}}
    assert rs.assess({**base, "measures": {"missing_episodes_90_days": 0}}).level == 4
    assert rs.assess({**base, "measures": {"missing_episodes_90_days": 1}}).level == 2
    report = prove(rs, properties=["raising-a-measure"])
    (result,) = report.results
    assert result.status == "failed", str(report)
    found = [c for c in result.counterexamples if c.subject == ("missing_episodes_90_days",)]
    assert found, str(report)
    for cex in found:
        assert "missing-from-home-occasional" not in cex.case("before").get("indicators", [])
        assert shows(rs, cex)


def test_prove_reads_a_measure_implied_downwards_as_lower_is_worse() -> None:
    """Regression: the prover took a measure's direction from rule comparisons only, so for a
    measure read only by ``implies: at_most`` (a low value is the concern) it searched for a
    *higher* value lowering the level and reported a correct ruleset as failing. And read both
    ways, the counterexample's numbers were rounded without the implication's threshold (0), so
    the reference engine disagreed with the solver and prove raised BackendError instead of
    showing the counterexample."""
    from measure_rulesets import lower_is_worse_ruleset

    (result,) = prove(lower_is_worse_ruleset("at_most"), properties=["raising-a-measure"]).results
    assert result.status == "proved", result
    (result,) = prove(
        lower_is_worse_ruleset("at_most", "at_least"), properties=["raising-a-measure"]
    ).results
    assert result.status == "failed"

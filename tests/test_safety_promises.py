# SPDX-License-Identifier: MIT
"""Rulesets that cannot keep the framework's safety promises are refused.

A ruleset declares its emergency response by marking a pathway ``emergency: true``; the
immediate-danger route must recommend one, and indicators must exist that record immediate
danger and allegations. ``rhrt validate --strict``, ``rhrt lint`` and ``rhrt check`` fail a
ruleset that breaks this. A pathway whose ``template:`` names a missing file is invalid.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

import rhrt
from rhrt.cli import main
from rhrt.render import TEMPLATE_FORMATS, missing_templates
from rhrt.rules.bundled import bundled_ruleset_path
from rhrt.rules.lint import broken_promises, lint
from rhrt.testing import check_invariants
from rhrt.testing.strategies import ruleset_data

BUNDLED_DATA = yaml.safe_load(bundled_ruleset_path().read_text(encoding="utf-8"))


def _copy(change: Callable[[dict[str, Any]], None], folder: Path, name: str) -> Path:
    data = yaml.safe_load(bundled_ruleset_path().read_text(encoding="utf-8"))
    change(data)
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _route_to_universal_without_999(data: dict[str, Any]) -> None:
    """The issue's example: the route points at universal services, police-999 is deleted."""
    data["safety"]["immediate_danger"]["pathways"] = ["universal-services"]
    data["pathways"] = [p for p in data["pathways"] if not p.get("emergency")]


def _route_without_emergency(data: dict[str, Any]) -> None:
    """The emergency pathway still exists, but immediate danger no longer recommends it."""
    emergency = {p["id"] for p in data["pathways"] if p.get("emergency")}
    route = data["safety"]["immediate_danger"]
    route["pathways"] = [p for p in route["pathways"] if p not in emergency] or ["mash-referral"]


def _nothing_tagged_immediate_danger(data: dict[str, Any]) -> None:
    tag = data["safety"]["immediate_danger"]["tag"]
    for ind in data["indicators"]:
        ind["tags"] = [t for t in ind.get("tags", []) if t != tag]


def _nothing_tagged_allegation(data: dict[str, Any]) -> None:
    tag = data["safety"]["allegation"]["tag"]
    for ind in data["indicators"]:
        ind["tags"] = [t for t in ind.get("tags", []) if t != tag]


def _universal_services_flagged_emergency(data: dict[str, Any]) -> None:
    """The reviewer's attack: the route points at universal services, which is flagged
    ``emergency: true``, and police-999 is deleted (the flag alone used to pass everything)."""
    data["safety"]["immediate_danger"]["pathways"] = ["universal-services"]
    data["pathways"] = [p for p in data["pathways"] if not p.get("emergency")]
    for p in data["pathways"]:
        if p["id"] == "universal-services":
            p["emergency"] = True


def _emergency_also_a_level_2_pathway(data: dict[str, Any]) -> None:
    emergency = next(p["id"] for p in data["pathways"] if p.get("emergency"))
    level_2 = next(lv for lv in data["levels"] if lv["level"] == 2)
    level_2["pathways"] = [*level_2["pathways"], emergency]


def _emergency_second_on_the_route(data: dict[str, Any]) -> None:
    route = data["safety"]["immediate_danger"]
    route["pathways"] = [*route["pathways"][1:], route["pathways"][0]]


def _emergency_recommended_below_the_top_level(data: dict[str, Any]) -> None:
    emergency = next(p["id"] for p in data["pathways"] if p.get("emergency"))
    rule = next(r for r in data["rules"] if r["then"].get("level") != 4)
    rule["then"]["pathways"] = [*rule["then"].get("pathways", []), emergency]


def _emergency_without_contact(data: dict[str, Any]) -> None:
    for p in data["pathways"]:
        if p.get("emergency"):
            del p["contact"]


BROKEN = {
    "route-to-universal-without-999": (_route_to_universal_without_999, "no-emergency-pathway"),
    "universal-services-flagged-emergency": (
        _universal_services_flagged_emergency, "emergency-pathway-misused"
    ),
    "emergency-also-a-level-2-pathway": (
        _emergency_also_a_level_2_pathway, "emergency-pathway-misused"
    ),
    "emergency-second-on-the-route": (_emergency_second_on_the_route, "no-emergency-pathway"),
    "emergency-recommended-below-the-top-level": (
        _emergency_recommended_below_the_top_level, "emergency-pathway-misused"
    ),
    "emergency-without-contact": (_emergency_without_contact, "emergency-pathway-misused"),
    "route-without-emergency": (_route_without_emergency, "no-emergency-pathway"),
    "no-immediate-danger-indicator": (_nothing_tagged_immediate_danger, "empty-safety-route"),
    "no-allegation-indicator": (_nothing_tagged_allegation, "empty-safety-route"),
}


def test_the_bundled_ruleset_declares_and_recommends_its_emergency_pathway() -> None:
    model = rhrt.load_ruleset().model
    assert broken_promises(model) == []
    emergency = [p.id for p in model.pathways if p.emergency]
    assert emergency and set(emergency) & set(model.safety.immediate_danger.pathways)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_ruleset_that_cannot_keep_its_promises_is_refused(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change, code = BROKEN[name]
    path = _copy(change, tmp_path, f"{name}.yaml")
    ruleset = rhrt.load_ruleset(path)  # still loads: assessing works, the promise does not
    assert code in {f.code for f in lint(ruleset.model, ruleset.plan)}
    assert code in {f.code for f in broken_promises(ruleset.model)}
    assert main(["validate", str(path), "--strict"]) == 2
    assert main(["lint", str(path)]) != 0
    capsys.readouterr()
    assert main(["check", str(path), "--max-examples", "3"]) == 2
    out = capsys.readouterr().out
    assert "All properties hold" not in out and "FAIL" in out
    assert not check_invariants(ruleset, 3).ok
    if code in {"no-emergency-pathway", "emergency-pathway-misused"} and find_spec("z3"):
        capsys.readouterr()
        main(["prove", str(path), "--property", "immediate-danger"])
        assert "FAIL" in capsys.readouterr().out


def test_immediate_danger_first_recommends_the_emergency_pathway() -> None:
    """The bundled ruleset: an immediate-danger indicator's decision starts with the emergency
    response (what the flag promises), not an everyday route."""
    ruleset = rhrt.load_ruleset()
    model = ruleset.model
    emergency = {p.id for p in model.pathways if p.emergency}
    tag = model.safety.immediate_danger.tag
    for ind in (i for i in model.indicators if tag in i.tags):
        decision = ruleset.assess({"indicators": [ind.id]})
        assert decision.level == 4
        assert decision.pathways[0].id in emergency


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(ruleset_data())
def test_generated_rulesets_keep_the_promises(data: dict[str, Any]) -> None:
    """The testing kit's rulesets are all ones ``rhrt check`` can pass."""
    assert broken_promises(rhrt.ruleset_from_data(data).model) == []


def _with_template(data: dict[str, Any]) -> None:
    data["pathways"][0]["template"] = "our-own-pathway"


def test_a_pathway_template_that_is_missing_is_a_validation_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _copy(_with_template, tmp_path, "templated.yaml")
    model = rhrt.load_ruleset(path).model
    found = missing_templates(model)
    assert {f.code for f in found} == {"missing-template"}
    assert len(found) == len(TEMPLATE_FORMATS)
    assert main(["validate", str(path)]) == 2  # not only with --strict
    assert "our-own-pathway" in capsys.readouterr().err
    assert main(["lint", str(path)]) != 0
    # with the partnership's folder holding the template in every format, it is valid
    folder = tmp_path / "templates"
    folder.mkdir()
    for fmt in TEMPLATE_FORMATS:
        (folder / f"our-own-pathway.{fmt}.j2").write_text("{{ pathway.title }}\n")
    assert missing_templates(model, folder) == []
    assert main(["validate", str(path), "--templates", str(folder)]) == 0


@pytest.mark.parametrize(
    "name", ["../outside", "sub/outside", "sub\\outside", "/tmp/outside", "..", "outside.text"]
)
def test_a_pathway_template_that_is_a_path_is_a_validation_error(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Validation and the template loader agree: a name that is not id-shaped is refused at
    validation, even when the file it points at exists (the loader would refuse it when a
    decision is rendered, breaking every decision that recommends the pathway)."""
    folder = tmp_path / "templates"
    folder.mkdir()
    for fmt in TEMPLATE_FORMATS:
        (tmp_path / f"outside.{fmt}.j2").write_text("{{ pathway.title }}\n")

    def with_path_template(data: dict[str, Any]) -> None:
        data["pathways"][0]["template"] = name

    path = _copy(with_path_template, tmp_path, "templated.yaml")
    with pytest.raises(rhrt.RulesetError) as info:
        rhrt.load_ruleset(path)
    assert "pathways[0].template" in str(info.value)
    assert main(["validate", str(path), "--templates", str(folder)]) == 2
    assert "pathways[0].template" in capsys.readouterr().err

# SPDX-License-Identifier: MIT
"""The bundled Herefordshire ruleset is complete, sourced and honest about its provenance."""

from __future__ import annotations

from collections import Counter

import pytest

import rhrt
from rhrt.rules.lint import empty_cells, lint, reachable_pathways

REQUIRED_PATHWAYS = {
    "universal-services", "early-help", "early-help-assessment", "mash-referral", "police-999",
    "emergency-duty-team", "lado", "marac", "dash-risk-assessment",
    "exploitation-risk-assessment", "risk-management-meeting", "missing-intervention-meeting",
    "return-home-interview", "graded-care-profile-2", "prevent-channel", "fgm-police-report",
    "pre-birth-referral", "urgent-paediatric-assessment",
}  # fmt: skip
REQUIRED_TOPICS = {
    "domestic-abuse", "neglect", "exploitation", "missing", "substance-misuse", "mental-health",
    "self-harm", "fgm", "radicalisation", "trafficking", "fabricated-illness", "pre-birth",
    "non-mobile-injury", "disability", "young-carers", "private-fostering", "homelessness",
    "harmful-behaviour", "allegations",
}  # fmt: skip


@pytest.fixture(scope="module")
def rs() -> rhrt.Ruleset:
    return rhrt.load_ruleset()


def test_identity_and_provenance(rs: rhrt.Ruleset) -> None:
    info = rs.model.ruleset
    assert info.id == "herefordshire-rhrt"
    assert "Herefordshire" in info.publisher
    assert info.provenance and "Herefordshire" in info.provenance
    assert any(s.herefordshire for s in rs.model.sources.values())
    assert any(not s.herefordshire for s in rs.model.sources.values())


def test_depth_of_a_real_threshold_document(rs: rhrt.Ruleset) -> None:
    model = rs.model
    assert len(model.indicators) >= 150
    triangle = [d.id for d in model.domains if d.kind == "triangle"]
    assert set(triangle) == {"child-development", "parenting-capacity", "family-environment"}
    per_cell = Counter((i.domain, i.level) for i in model.indicators)
    for dom in triangle:
        for level in (1, 2, 3, 4):
            assert per_cell[(dom, level)] >= 8, (dom, level, per_cell[(dom, level)])


def test_no_empty_level_domain_cell(rs: rhrt.Ruleset) -> None:
    assert empty_cells(rs.model) == []


def test_every_topic_is_present(rs: rhrt.Ruleset) -> None:
    topics = {d.id for d in rs.model.domains if d.kind == "topic"}
    assert topics >= REQUIRED_TOPICS


def test_every_indicator_has_text_source_and_valid_domain(rs: rhrt.Ruleset) -> None:
    domains = {d.id: d for d in rs.model.domains}
    for ind in rs.model.indicators:
        assert len(ind.text) >= 3, ind.id
        assert ind.source.ref in rs.model.sources, ind.id
        src = rs.model.sources[ind.source.ref]
        assert src.url or src.herefordshire, ind.id
        assert ind.source.quote or ind.source.note or ind.source.section, ind.id
        assert ind.domain in domains, ind.id
        if domains[ind.domain].subdomains:
            assert ind.subdomain in {s.id for s in domains[ind.domain].subdomains}, ind.id


def test_every_rule_measure_and_pathway_is_sourced(rs: rhrt.Ruleset) -> None:
    for rule in rs.model.rules:
        assert rule.source is not None, rule.id
        assert len(rule.because) > 20, rule.id
    for measure in rs.model.measures:
        assert measure.source is not None, measure.id
    for pathway in rs.model.pathways:
        assert pathway.source is not None, pathway.id
        assert pathway.contact in rs.model.contacts, pathway.id


def test_every_required_pathway_exists_and_is_reachable(rs: rhrt.Ruleset) -> None:
    ids = {p.id for p in rs.model.pathways}
    assert ids >= REQUIRED_PATHWAYS
    assert ids <= reachable_pathways(rs.model)


def test_standard_measures(rs: rhrt.Ruleset) -> None:
    assert {"dash_score", "missing_episodes_90_days", "domestic_abuse_incidents_12_months"} <= {
        m.id for m in rs.model.measures
    }


def test_lint_is_clean(rs: rhrt.Ruleset) -> None:
    assert [str(f) for f in lint(rs.model, rs.plan)] == []


def test_contacts_name_services_not_people(rs: rhrt.Ruleset) -> None:
    for key, contact in rs.model.contacts.items():
        assert contact.name and contact.how, key


def test_validate_strict_passes_on_the_bundled_file(capsys: pytest.CaptureFixture[str]) -> None:
    from rhrt.cli import main
    from rhrt.rules.bundled import bundled_ruleset_path

    assert main(["validate", "--strict", str(bundled_ruleset_path())]) == 0

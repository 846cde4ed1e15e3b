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
    "pre-birth-referral", "urgent-paediatric-assessment", "police-101", "operation-encompass",
    "nrm-referral", "climb", "branch", "child-abduction-warning-notice", "camhs-crisis",
    "children-with-disabilities-team", "young-carers-assessment", "private-fostering-notification",
    "forced-marriage-unit",
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
    assert any(s.standing == "partnership" for s in rs.model.sources.values())
    assert any(s.standing == "other-partnership" for s in rs.model.sources.values())


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
        assert src.url or src.standing == "partnership", ind.id
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


# --- issue 15: honest status, the partnership's own contacts and routes ---------------------------


def test_effective_from_is_the_launch_date_in_the_bulletin(rs: rhrt.Ruleset) -> None:
    # "will be officially launched virtually on Wednesday 2 December" (HSCP bulletin, Nov 2020)
    import datetime as dt

    assert rs.model.ruleset.effective_from == dt.date(2020, 12, 2)
    assert "hscp-bulletin-2020-11" in rs.model.sources


def test_provenance_states_a_reconstruction_for_review(rs: rhrt.Ruleset) -> None:
    text = " ".join((rs.model.ruleset.provenance or "").split()).lower()
    assert "working reconstruction" in text
    assert "not endorsed" in text
    assert "adapted" in text
    assert "level names are this ruleset's labels" in text


def test_no_source_filed_under_another_area_has_the_partnerships_standing(
    rs: rhrt.Ruleset,
) -> None:
    for key, src in rs.model.sources.items():
        if src.standing.startswith("partnership"):
            assert "worcestershire" not in (src.url or "").lower(), key
            assert "worcestershire" not in src.title.lower(), key


def test_the_missing_trigger_is_marked_as_an_informal_practice_note(rs: rhrt.Ruleset) -> None:
    rule = next(r for r in rs.model.rules if r.id == "missing-more-than-3-times-in-90-days")
    assert rule.source is not None
    assert "informal" in rs.model.sources[rule.source.ref].title
    assert rs.model.sources[rule.source.ref].standing == "partnership-informal"
    assert rule.source.note and "informal" in rule.source.note


def test_lado_contact_has_the_role_mailbox_and_telephone_and_no_person(rs: rhrt.Ruleset) -> None:
    how = rs.model.contacts["lado"].how
    assert "LADO@herefordshire.gov.uk" in how
    assert "01432 261739" in how
    for contact in rs.model.contacts.values():
        assert "pilliner" not in contact.how.lower()  # a role, never a named person


def test_phone_numbers_only_where_a_source_gives_them(rs: rhrt.Ruleset) -> None:
    import re

    numbers = set()
    for contact in rs.model.contacts.values():
        numbers |= set(re.findall(r"\b0\d{3,4} ?\d{6}\b|\b(?:999|101)\b", contact.how))
    assert numbers <= {"01432 261739", "999", "101"}


def test_lead_professional_at_levels_2_and_3(rs: rhrt.Ruleset) -> None:
    levels = {lv.level: lv for lv in rs.model.levels}
    assert "lead professional" in levels[2].response
    assert "lead professional" in levels[3].response
    early_help = next(p for p in rs.model.pathways if p.id == "early-help")
    assert "lead professional" in early_help.what


def test_level_3_is_consent_based_early_help(rs: rhrt.Ruleset) -> None:
    """No indicator says 'child in need' at level 3: in Herefordshire that is a level-4 route."""
    for ind in rs.model.indicators:
        if ind.level == 3:
            assert "child in need" not in ind.text.lower(), ind.id



def test_level_3_indicators_from_child_in_need_sources_give_the_reason(rs: rhrt.Ruleset) -> None:
    """Bristol, Buckinghamshire and Kent put child in need at their level 3: each says why."""
    prefixes = ("bristol-l3", "bucks-l3", "kent-l3")
    cin_sources = {k for k in rs.model.sources if k.startswith(prefixes)}
    for ind in rs.model.indicators:
        if ind.source.ref in cin_sources:
            assert ind.source.note and "Herefordshire" in ind.source.note, ind.id


def test_every_pathway_and_contact_is_sourced(rs: rhrt.Ruleset) -> None:
    assert [p.id for p in rs.model.pathways if p.source is None] == []
    assert [k for k, c in rs.model.contacts.items() if c.source is None] == []


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("told to leave home", "homeless-young-person-16-17"),
        ("sofa", "homeless-young-person-16-17"),
        ("homeless 16", "homeless-young-person-16-17"),
        ("drink driving", "parent-drink-or-drug-driving-with-children"),
        ("children in the car", "parent-drink-or-drug-driving-with-children"),
    ],
)
def test_a_practitioners_words_find_the_under_assessed_situations(
    rs: rhrt.Ruleset, words: str, expected: str
) -> None:
    """Issue 15: these came out too low when a practitioner could not find the right concern."""
    from rhrt.indicators.catalogue import Catalogue

    found = [ind.id for ind in Catalogue(rs.model).filter(search=words)]
    assert expected in found
    assert rs.model.indicators[[i.id for i in rs.model.indicators].index(expected)].level == 4


def test_wirral_and_brighton_level_3_sources_say_what_their_level_3_means(
    rs: rhrt.Ruleset,
) -> None:
    for key in ("wirral-l3", "brighton-l3"):
        assert "early help" in rs.model.sources[key].title, key


def test_no_page_claims_rhrt_ships_the_partnerships_own_framework() -> None:
    """Issue 15: the bundled ruleset is a working reconstruction for review, and every page that
    introduces it says so; none says rhrt 'ships' the framework or is 'faithful to' it."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    pages = [root / "README.md", root / "docs" / "index.md"]
    for page in pages:
        text = " ".join(page.read_text(encoding="utf-8").split())
        assert "working reconstruction" in text, page.name
        assert "for the partnership to review" in text, page.name
        assert not re.search(r"ships the herefordshire|faithful to the framework", text.lower())


def test_the_partnerships_standing_only_for_its_own_publishers_and_sites(rs: rhrt.Ruleset) -> None:
    """A source with standing 'partnership' is published by the partnership or the council and,
    where it has an address, is read from their own site; a copy elsewhere is partnership-copy,
    an informal note partnership-informal (issue 15: a copy filed under another area's title)."""
    from urllib.parse import urlparse

    own_sites = ("herefordshiresafeguardingboards.org.uk", "herefordshire.gov.uk",
                 "herefordshire.disclosurelog.co.uk")
    for key, src in rs.model.sources.items():
        if src.standing != "partnership":
            continue
        assert src.publisher and "Herefordshire" in src.publisher, key
        if src.url:
            host = urlparse(src.url).hostname or ""
            assert host.endswith(own_sites), key

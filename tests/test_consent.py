# SPDX-License-Identifier: MIT
"""Consent by situation, in data (issue 14, part 2): positions by level, urgency, concern and
pathway, the most protective shown first with why, the others kept, every word from the ruleset.

The vignettes (tests/vignettes/consent.yaml) hold the named scenarios; here: that the wording is
the ruleset's (edit the YAML, the decision changes), that what was recorded is still shown, the
ranking, the loader's reference checks and the lint for a pathway whose consent text
contradicts the position ranked for it.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rhrt
from rhrt.errors import RulesetError
from rhrt.model.scale import CONSENT_KINDS, consent_rank
from rhrt.rules.bundled import bundled_ruleset_path
from rhrt.rules.lint import consent_contradictions, lint
from rhrt.ruleset import ruleset_from_data, ruleset_from_text

BUNDLED = bundled_ruleset_path().read_text(encoding="utf-8")
DA_4 = {"child": {"age_years": 10},
        "indicators": ["disclosure-of-abuse", "incidents-of-domestic-abuse"],
        "measures": {"dash_score": 15, "domestic_abuse_incidents_12_months": 2}}
LEVEL_2 = {"child": {"age_years": 9}, "indicators": ["absence-or-truancy"]}


@pytest.fixture(scope="module")
def rs() -> rhrt.Ruleset:
    return rhrt.load_ruleset()


def _data() -> dict[str, Any]:
    data = yaml.safe_load(BUNDLED)
    assert isinstance(data, dict)
    return data


def test_the_order_of_kinds_ranks_every_position(rs: rhrt.Ruleset) -> None:
    """The rank of each kind is its place in the one fixed order, and every position shown is
    ranked by it: the first is never less protective than any other."""
    assert [consent_rank(k) for k in CONSENT_KINDS] == list(range(len(CONSENT_KINDS)))
    d = rs.assess(DA_4)
    ranks = [consent_rank(d.consent.rule), *(consent_rank(o.rule) for o in d.consent.others)]
    assert ranks == sorted(ranks, reverse=True)
    # the level's own position is always kept, with why
    level = [o for o in d.consent.others if o.trigger == "level"]
    assert [o.id for o in level] == ["level-4"] and level[0].why == ("level-4",)
    assert d.consent.trigger == "concern" and "incidents-of-domestic-abuse" in d.consent.why


def test_a_concern_position_names_the_concern_and_its_source(rs: rhrt.Ruleset) -> None:
    d = rs.assess(DA_4)
    text = rs.catalogue.get("incidents-of-domestic-abuse").text
    assert d.consent.because is not None and text in d.consent.because
    assert d.consent.source is not None and d.consent.source.ref in rs.model.sources


@pytest.mark.parametrize("recorded", ["given", "refused", "not_sought", None])
def test_recorded_consent_wording_is_the_rulesets(recorded: str | None) -> None:
    """Another partnership changes the sentence by editing YAML: nothing is worded in Python."""
    data = _data()
    words = {"given": "GIVEN-words.", "refused": "REFUSED-words.", "not_sought": "NOT-SOUGHT."}
    data["consent"]["recorded"]["required"] = words
    edited = ruleset_from_data(data)
    case = dict(LEVEL_2, consent=recorded) if recorded else LEVEL_2
    d = edited.assess(case)
    assert d.consent.rule == "required" and d.consent.recorded == recorded
    assert d.consent.applies == words[recorded or "not_sought"]


def test_without_recorded_wording_the_position_text_is_shown() -> None:
    data = _data()
    del data["consent"]["recorded"]
    d = ruleset_from_data(data).assess(dict(LEVEL_2, consent="refused"))
    assert d.consent.applies == d.consent.text and d.consent.recorded == "refused"


def test_what_was_recorded_is_shown_in_every_format(rs: rhrt.Ruleset) -> None:
    from rhrt.render import render_decision

    d = rs.assess(dict(DA_4, consent="refused"))
    for fmt in ("text", "markdown", "html"):
        out = render_decision(d, fmt=fmt)
        assert "refused" in out, fmt
        # the first position and the level's, both visible
        assert "never tell, ask or seek the consent of the alleged perpetrator" in " ".join(
            out.split()), fmt
        assert "Seek the parents" in " ".join(out.split()), fmt


def test_a_level_4_da_case_never_leads_with_the_parents_consent(rs: rhrt.Ruleset) -> None:
    """Regression (issue 14): a child who discloses domestic abuse and fears the father was told
    'Seek the parents' consent' first."""
    d = rs.assess(DA_4)
    assert not d.consent.applies.startswith("Seek")
    assert d.consent.rule == "not-alleged-perpetrator"


def test_the_urgent_position_comes_first_when_urgent(rs: rhrt.Ruleset) -> None:
    danger = next(i.id for i in rs.model.indicators if "immediate-danger" in i.tags)
    d = rs.assess({"child": {"age_years": 5}, "indicators": [danger]})
    assert d.urgent and d.consent.id == "urgent" and d.consent.rule == "share-now"
    assert d.consent.why and all(r.startswith("safety.") or r for r in d.consent.why)


def test_a_young_persons_position_needs_a_recorded_age(rs: rhrt.Ruleset) -> None:
    """Fraser/Gillick never applies when the age is unknown or under the position's age."""
    for child in ({}, {"age_years": 12}, {"unborn": True}):
        d = rs.assess({"child": child, "indicators": ["early-sexual-activity"]})
        ids = [d.consent.id, *(o.id for o in d.consent.others)]
        assert "young-person-confidential-advice" not in ids, child


def test_positions_name_known_tags_and_indicators() -> None:
    data = _data()
    data["consent"]["positions"][0]["tags"] = ["no-such-tag"]
    with pytest.raises(RulesetError) as info:
        ruleset_from_data(data)
    assert any("consent.positions[0].tags[0]" in (p.path or "") for p in info.value.problems)


def test_a_position_must_say_when_it_applies() -> None:
    data = _data()
    data["consent"]["positions"][0].pop("tags")
    with pytest.raises(RulesetError):
        ruleset_from_data(data)


# --- the lint: a pathway's consent text against its rank -------------------------------------


def test_the_prevent_contradiction_is_found_when_its_rule_is_missing() -> None:
    """Regression (issue 14): Prevent showed 'seek it before sharing' (level 3's) beside the
    pathway's 'may be made without consent', because the pathway's text was not ranked."""
    text = BUNDLED.replace("    consent_rule: without-consent\n    consent: Channel support",
                           "    consent: Channel support")
    assert text != BUNDLED
    found = consent_contradictions(ruleset_from_text(text).model)
    assert [f.path for f in found] == [
        f"pathways[{i}].consent" for i, p in enumerate(ruleset_from_text(text).model.pathways)
        if p.id == "prevent-channel"
    ]


def test_a_rule_that_asks_for_consent_beside_without_consent_text_is_found() -> None:
    data = _data()
    pw = next(p for p in data["pathways"] if p["id"] == "prevent-channel")
    pw["consent_rule"] = "required"
    found = consent_contradictions(ruleset_from_data(data).model)
    assert [f.code for f in found] == ["consent-contradiction"]
    assert found[0].path.endswith(".consent_rule")


def test_the_bundled_ruleset_has_no_consent_contradiction(rs: rhrt.Ruleset) -> None:
    assert [f for f in lint(rs.model) if f.code == "consent-contradiction"] == []


# --- property: adding a concern never makes the position shown first less protective ---------


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck),
          database=None)
@given(data=st.data())
def test_adding_a_concern_never_lowers_the_consent_position(
    data: st.DataObject, rs: rhrt.Ruleset
) -> None:
    ids = list(rs.plan.indicator_order)
    base = data.draw(st.lists(st.sampled_from(ids), max_size=4, unique=True))
    extra = data.draw(st.sampled_from(ids))
    age = data.draw(st.one_of(st.none(), st.integers(0, 17)))
    child = {} if age is None else {"age_years": age}
    before = rs.assess({"child": child, "indicators": base})
    after = rs.assess({"child": child, "indicators": sorted({*base, extra})})
    assert consent_rank(after.consent.rule) >= consent_rank(before.consent.rule)
    shown_before = {before.consent.id, *(o.id for o in before.consent.others)}
    kept = {after.consent.id, *(o.id for o in after.consent.others)}
    # concern and urgent positions are never dropped by adding a concern
    lost = {i for i in shown_before - kept if not i.startswith(("level-", "pathway:"))}
    assert not lost


def test_compare_reports_consent_changes() -> None:
    """A change to what practitioners are told about consent shows in the change log."""
    from rhrt.compare import ruleset_changes

    data = _data()
    data["consent"]["positions"][0]["kind"] = "not-parents"
    data["consent"]["recorded"]["required"]["given"] = "Changed words."
    pw = next(p for p in data["pathways"] if p["id"] == "lado")
    pw["consent_rule"] = "seek-unless-unsafe"
    old, new = rhrt.load_ruleset(), ruleset_from_data(data)
    got = {(c.kind, c.id, c.change) for c in ruleset_changes(old, new)}
    first = data["consent"]["positions"][0]["id"]
    assert ("consent", first, "changed: kind") in got
    assert ("consent", "recorded", "changed: the words for recorded consent") in got
    assert ("pathway", "lado", "changed: consent_rule") in got


def test_durable_and_reference_engines_agree_on_consent(rs: rhrt.Ruleset) -> None:
    pytest.importorskip("durable")
    fraser = {"child": {"age_years": 14}, "indicators": ["early-sexual-activity"]}
    for case in (DA_4, LEVEL_2, fraser):
        assert rs.assess(case, engine="durable").consent == rs.assess(case).consent

"""Provisional decisions (issue 14 part 3) and risk markers that scores cannot lower (part 4).

Vignettes on the bundled ruleset; the expected wording is read from the ruleset's own data
(``measures[].find_out``, the rules' conditions in plain words), never copied from the output.
"""

from __future__ import annotations

from typing import Any

import pytest

import rhrt
from rhrt.model import ruleset as m
from rhrt.model.scale import TOP_LEVEL
from rhrt.rules.plain import describe_condition
from rhrt.rules.semantics import missing_measure

BUNDLED = rhrt.load_ruleset()
MODEL = BUNDLED.model


def _measure(measure_id: str) -> m.Measure:
    (found,) = [ms for ms in MODEL.measures if ms.id == measure_id]
    return found


def _rule(rule_id: str) -> m.Rule:
    (found,) = [r for r in MODEL.rules if r.id == rule_id]
    return found


def _measure_parts(cond: m.Condition, measure_id: str) -> list[m.MeasureCond]:
    match cond:
        case m.MeasureCond():
            return [cond] if cond.measure.id == measure_id else []
        case m.AllCond():
            return [p for c in cond.all for p in _measure_parts(c, measure_id)]
        case m.AnyCond():
            return [p for c in cond.any for p in _measure_parts(c, measure_id)]
        case m.NotCond():
            return _measure_parts(cond.not_, measure_id)
        case _:
            return []


def _tagged(tag: str) -> list[str]:
    return [i.id for i in MODEL.indicators if tag in i.tags]


def _assess(**case: Any) -> rhrt.Decision:
    case.setdefault("child", {"age_years": 8})
    return BUNDLED.assess(case)


# --- the vignette in the issue: "concerns about possible domestic abuse", no DASH ------------


def test_possible_domestic_abuse_without_dash_is_provisional() -> None:
    decision = _assess(indicators=["possible-domestic-abuse"])
    concern = BUNDLED.catalogue.get("possible-domestic-abuse")
    assert decision.status == "provisional"
    assert decision.known_level == concern.level < decision.level
    # the fail-safe level stays: the DASH could be 14 or more
    with_high = _assess(indicators=["possible-domestic-abuse"], measures={"dash_score": 24})
    assert decision.level >= with_high.level


def test_gather_first_is_the_dash_with_the_rulesets_wording_and_timescale() -> None:
    decision = _assess(indicators=["possible-domestic-abuse"])
    first = decision.gather_first[0]
    how = _measure("dash_score").find_out
    assert how is not None
    assert first.fact == missing_measure("dash_score")
    assert (first.what, first.timescale) == (how.what, how.timescale)
    assert first.source is not None and how.source is not None
    assert first.source.ref == how.source.ref


def test_a_measure_without_a_timescale_says_none() -> None:
    decision = _assess(indicators=["possible-domestic-abuse"])
    steps = {g.fact: g for g in decision.gather_first}
    incidents = steps[missing_measure("domestic_abuse_incidents_12_months")]
    how = _measure("domestic_abuse_incidents_12_months").find_out
    assert how is not None and how.timescale is None
    assert incidents.timescale is None
    assert "no timescale" in str(decision)


def test_marac_is_conditional_on_the_dash_in_the_rules_own_words() -> None:
    decision = _assess(indicators=["possible-domestic-abuse"])
    marac = {p.id: p for p in decision.pathways}["marac"]
    assert marac.conditional_on is not None
    (part,) = _measure_parts(_rule("domestic-abuse-high-risk-dash").when, "dash_score")
    assert describe_condition(part, MODEL) in marac.conditional_on
    # the tag part of the rule is known (present): not repeated as a condition
    assert "tagged" not in marac.conditional_on
    # what the known facts alone recommend is not conditional
    dash = {p.id: p for p in decision.pathways}["dash-risk-assessment"]
    assert dash.conditional_on is None


def test_recording_the_facts_confirms_the_decision() -> None:
    low = _assess(indicators=["possible-domestic-abuse"],
                  measures={"dash_score": 8, "domestic_abuse_incidents_12_months": 1})
    assert low.status == "confirmed"
    assert low.known_level == low.level
    assert low.gather_first == ()
    assert all(p.conditional_on is None for p in low.pathways)
    assert "marac" not in low.pathway_ids
    high = _assess(indicators=["possible-domestic-abuse"],
                   measures={"dash_score": 14, "domestic_abuse_incidents_12_months": 1})
    assert high.status == "confirmed"
    assert "marac" in high.pathway_ids
    assert high.level == high.known_level


def test_a_decision_with_nothing_missing_is_confirmed() -> None:
    decision = _assess(indicators=["missing-from-home-occasional"],
                       measures={"missing_episodes_90_days": 1})
    assert decision.status == "confirmed"
    assert decision.known_level == decision.level


def test_record_round_trips_and_status_comes_first_in_words() -> None:
    decision = _assess(indicators=["possible-domestic-abuse"])
    again = rhrt.Decision.from_json(decision.to_json())
    assert (again.status, again.known_level, again.gather_first) == (
        decision.status, decision.known_level, decision.gather_first)
    assert str(decision).startswith("PROVISIONAL")
    assert repr(decision).startswith("<Decision provisional")


def test_older_records_read_as_confirmed_without_a_known_level() -> None:
    data = _assess(indicators=["possible-domestic-abuse"]).to_record()
    for key in ("status", "known_level", "gather_first"):
        data.pop(key)
    import json

    old = rhrt.Decision.from_json(json.dumps(data))
    assert old.status == "confirmed" and old.known_level is None


# --- risk markers that scores cannot lower ---------------------------------------------------

MARKERS = _tagged("domestic-abuse-high-risk-marker")


def test_the_bundled_ruleset_has_the_markers() -> None:
    assert len(MARKERS) >= 6


@pytest.mark.parametrize("marker", MARKERS)
@pytest.mark.parametrize("score", [0, 9, 12, 13])
def test_a_marker_gives_level_4_whatever_the_dash_score(marker: str, score: int) -> None:
    decision = _assess(indicators=[marker], measures={"dash_score": score})
    assert decision.level == TOP_LEVEL
    assert decision.status == "confirmed"
    assert "marac" in decision.pathway_ids
    assert all(p.conditional_on is None for p in decision.pathways)


def test_strangulation_last_night_with_a_dash_of_12_is_level_4_not_early_help() -> None:
    decision = _assess(indicators=["da-non-fatal-strangulation"], measures={"dash_score": 12})
    assert decision.level == 4
    assert decision.status == "confirmed"
    becauses = " ".join(r.because for r in decision.explanation.rules)
    assert "professional judgement may identify high risk at a lower score" in becauses


def test_a_16_year_old_abused_by_their_own_partner_is_level_4() -> None:
    decision = _assess(child={"age_years": 16}, indicators=["young-person-own-partner-abuse"],
                       measures={"dash_score": 5})
    assert decision.level == 4
    assert decision.status == "confirmed"


# --- the engines agree, and the property holds ----------------------------------------------


@pytest.mark.parametrize("measures", [{}, {"dash_score": 3}, {"dash_score": 20}])
def test_batch_gives_the_same_status_and_known_level(measures: dict[str, int]) -> None:
    pa = pytest.importorskip("pyarrow")
    from rhrt.batch import assess_table

    rows = [["possible-domestic-abuse"], ["da-stalking"], []]
    table = pa.table({
        "age_years": [8] * len(rows),
        "indicators": [";".join(r) for r in rows],
        **{k: [v] * len(rows) for k, v in measures.items()},
    })
    out = assess_table(table, BUNDLED, keep_input=False)
    for i, ids in enumerate(rows):
        decision = _assess(indicators=ids, measures=measures)
        assert out.column("status")[i].as_py() == decision.status
        assert out.column("known_level")[i].as_py() == decision.known_level


def test_the_provisional_property_holds_on_the_bundled_ruleset() -> None:
    pytest.importorskip("hypothesis")
    from rhrt.testing import check_invariants

    report = check_invariants(BUNDLED, 60, properties=["provisional"], seed=14)
    assert report.ok, str(report)


# --- every output shows the status; a referral never states an assumption as a finding ------

FORMATS = ["text", "markdown", "html"]


def _pdv() -> tuple[rhrt.Decision, Any]:
    case = BUNDLED.validate_case({"child": {"age_years": 8},
                                  "indicators": ["possible-domestic-abuse"]})
    return BUNDLED.assess(case), case


@pytest.mark.parametrize("fmt", FORMATS)
def test_decision_views_show_the_status_before_the_explanation(fmt: str) -> None:
    from rhrt.render import render_decision

    decision, _ = _pdv()
    text = render_decision(decision, BUNDLED, fmt)
    first = text.upper().index("PROVISIONAL")
    assert first < text.index("Why")
    how = _measure("dash_score").find_out
    assert how is not None
    assert text.index(how.what[:40]) < text.index("Why")  # what to find out first, up top
    confirmed = render_decision(
        _assess(indicators=["da-stalking"], measures={"dash_score": 3,
                                                      "domestic_abuse_incidents_12_months": 0}),
        BUNDLED, fmt)
    assert "CONFIRMED" in confirmed[: confirmed.index("Why")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_referral_lists_the_assumed_dash_as_not_yet_known_not_as_a_reason(fmt: str) -> None:
    from rhrt.render import render_referral

    decision, case = _pdv()
    text = render_referral(case, decision, BUNDLED, fmt)
    assumed = _rule("domestic-abuse-high-risk-dash")
    assert assumed.because.split(":")[0] not in text  # the rule's reason is not stated
    (part,) = _measure_parts(assumed.when, "dash_score")
    words = describe_condition(part, MODEL)
    escaped = words.replace("'", "&#39;") if fmt == "html" else words
    assert "Not yet known" in text and escaped in text
    assert text.upper().index("PROVISIONAL") < text.index("Not yet known")


def test_a_referral_of_known_facts_states_its_reasons() -> None:
    from rhrt.render import render_referral

    case = BUNDLED.validate_case({"child": {"age_years": 8},
                                  "indicators": ["possible-domestic-abuse"],
                                  "measures": {"dash_score": 16}})
    text = render_referral(case, BUNDLED.assess(case), BUNDLED, "text")
    assert _rule("domestic-abuse-high-risk-dash").because.split(":")[0] in text
    assert "Not yet known" not in text


def test_batch_summary_counts_provisional_rows(tmp_path: Any) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    from rhrt.batch._stream import run_file

    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"age_years": [8, 8, 8],
                             "indicators": ["possible-domestic-abuse", "da-stalking", ""]}),
                   source)
    summary = run_file(source, tmp_path / "out.parquet", BUNDLED, fast=False, keep_input=False,
                       chunk_rows=2, progress=False, ignore_columns=())
    statuses = pq.read_table(tmp_path / "out.parquet").column("status").to_pylist()
    assert summary.provisional == statuses.count("provisional") >= 1
    assert summary.as_dict()["provisional"] == summary.provisional
    assert f"{summary.provisional:,} provisional" in summary.to_text()


def _population() -> Any:
    import pyarrow as pa

    return pa.table({
        "age_years": [8, 8, 8, 8],
        "indicators": ["possible-domestic-abuse", "possible-domestic-abuse", "da-stalking", ""],
        "dash_score": [None, 3, None, None],
        "domestic_abuse_incidents_12_months": [None, 0, None, None],
        "recorded_decision": [2, 2, 4, 1],
    })


def _provisional_levels(table: Any) -> list[int]:
    """Per level, how many rows of ``table`` the single-case API calls provisional."""
    counts = [0] * TOP_LEVEL
    for row in table.to_pylist():
        measures = {k: row[k] for k in ("dash_score", "domestic_abuse_incidents_12_months")
                    if row[k] is not None}
        ids = [row["indicators"]] if row["indicators"] else []
        decision = _assess(child={"age_years": row["age_years"]}, indicators=ids,
                           measures=measures)
        counts[decision.level - 1] += decision.provisional
    return counts


def test_audit_counts_provisional_cases_per_level() -> None:
    pytest.importorskip("pandas")
    from rhrt.audit import compare

    table = _population()
    result = compare(table, BUNDLED)
    assert list(result.provisional_counts) == _provisional_levels(table)
    assert sum(result.provisional_counts) >= 1
    assert "of which provisional" in result.tables()["levels"].columns


def test_diff_counts_provisional_cases_per_level_on_both_sides() -> None:
    pytest.importorskip("pandas")
    from rhrt.diff import impact

    table = _population()
    result = impact(table, BUNDLED, BUNDLED)
    assert list(result.old_provisional) == list(result.new_provisional) == _provisional_levels(
        table)


def test_an_urgent_decision_puts_the_urgent_steps_before_finding_out() -> None:
    """Immediate danger with no age recorded: the level is known (4, urgent); only pathways that
    depend on the age are conditional. Nothing to find out comes before the 999 step, and the
    level is not marked provisional."""
    from rhrt.render import render_decision

    tag = MODEL.safety.immediate_danger.tag
    danger = next(i.id for i in MODEL.indicators if tag in i.tags)
    decision = BUNDLED.assess({"indicators": [danger]})
    assert decision.known_level == decision.level == TOP_LEVEL and decision.urgent
    import html

    titles = {p.id: p.title for p in decision.pathways}
    first_step = titles[MODEL.safety.immediate_danger.pathways[0]]
    for fmt in FORMATS:
        text = render_decision(decision, BUNDLED, fmt)
        heading = text.splitlines()[0] if fmt != "html" else text[text.index("<h1"):]
        assert "PROVISIONAL" not in heading.split("\n")[0]
        if decision.gather_first:
            what = decision.gather_first[0].what.split("'")[0]  # no escaping to match
            assert text.index(html.escape(first_step, quote=False)) < text.index(what)

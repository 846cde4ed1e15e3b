# SPDX-License-Identifier: MIT
"""Parts of a decision kept per ruleset and shared (domain summaries by the concerns present,
consent positions by the positions applying and the consent recorded): every kept part is the
part computed from scratch for the case at hand, and the memos stay bounded."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rhrt
from rhrt import explain
from rhrt.engine.reference import evaluate
from rhrt.explain import ExplanationParts, _consent_position, _in_order, _summary

RS = rhrt.load_ruleset()
IDS = list(RS.plan.indicator_order)
MEASURES = RS.plan.measures


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    case: dict[str, Any] = {
        "indicators": draw(st.lists(st.sampled_from(IDS), max_size=6, unique=True)),
    }
    child = draw(
        st.one_of(
            st.none(),
            st.just({"unborn": True}),
            st.builds(lambda m: {"age_months": m}, st.integers(0, 18 * 12)),
        )
    )
    if child is not None:
        case["child"] = child
    measures = {}
    for name, (low, high, integer) in MEASURES.items():
        if draw(st.booleans()):
            value = draw(st.floats(low, high))
            measures[name] = float(round(value)) if integer else value
    case["measures"] = measures
    consent = draw(st.sampled_from([None, "given", "refused", "not_sought"]))
    if consent is not None:
        case["consent"] = consent
    return case


@settings(max_examples=300, deadline=None)
@given(cases())
def test_kept_parts_are_the_parts_of_this_case(case: dict[str, Any]) -> None:
    parsed = RS.validate_case(case)
    facts = RS.facts(parsed)
    evaluation = evaluate(RS.plan, facts)
    decision = RS.assess(case)
    fresh = ExplanationParts(RS.catalogue)
    assert decision.explanation.domains == _summary(fresh, _in_order(RS.plan, facts.present))
    table = RS.plan.consent
    assert table is not None
    urgent_why = tuple(
        r.rule.id for r in evaluation.results if r.fired and r.rule.urgent
    ) if evaluation.urgent else ()
    applying = table.applying(
        evaluation.level, evaluation.urgent, evaluation.pathways, facts.present,
        None if facts.unborn else facts.age_months, urgent_why=urgent_why,
        indicator_rank=RS.plan.indicator_rank,
    )
    assert decision.consent == _consent_position(
        RS.model, RS.plan, RS.catalogue, applying, parsed.consent
    )
    assert decision == RS.assess(case)  # from the kept parts the second time


def test_memos_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(explain, "MEMO_SIZE", 3)
    rs = rhrt.ruleset_from_text(RS.path.read_bytes() if RS.path else b"")
    seen = []
    for ind in IDS[:12]:
        for consent in ("given", "refused", "not_sought"):
            decision = rs.assess({"indicators": [ind], "consent": consent})
            seen.append(decision)
    parts = rs._parts  # the memo under test
    assert len(parts._summaries) <= 3
    memo = rs.plan._derived["explain.consent"]
    assert len(memo.positions) <= 3
    # and what was built past the bound is still right
    for decision, ind in zip(seen[::3], IDS[:12], strict=True):
        assert [i for dom in decision.explanation.domains for i in dom.indicators][:1] == [ind]


@pytest.mark.parametrize("size", [0, 2])
def test_every_per_ruleset_memo_reads_memo_size_when_it_keeps(
    monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """``rhrt.explain.MEMO_SIZE``, set after ``import rhrt``, bounds every per-ruleset memo of
    decision parts: the fired rules, domain summaries, consent positions and recommended
    pathways (``ruleset.py`` once copied the value at import, so 0 left its pathway memo on)."""
    monkeypatch.setattr(explain, "MEMO_SIZE", size)
    rs = rhrt.ruleset_from_text(RS.path.read_bytes() if RS.path else b"")
    seen = []
    for ind in IDS[::30]:  # concerns at every level
        case = {"child": {"age_years": 9}, "indicators": [ind], "consent": "given"}
        seen.append((case, rs.assess(case)))
    memos = {
        "fired rules": rs._parts._fired,
        "domain summaries": rs._parts._summaries,
        "consent positions": rs.plan._derived["explain.consent"].positions,
        "recommended pathways": rs._pathways,
    }
    for name, memo in memos.items():
        assert len(memo) <= size, name
    assert len(rs._pathways) == size  # the cases recommend more than two pathways
    for case, decision in seen:  # built past the bound, and still right
        assert decision == RS.assess(case)

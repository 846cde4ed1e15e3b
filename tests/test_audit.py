# SPDX-License-Identifier: MIT
"""Audits count agreement, under- and over-assessment exactly, and rank the cases to review."""

from __future__ import annotations

from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

import rhrt  # noqa: E402
from rhrt.audit import compare  # noqa: E402

MINIMAL = rhrt.load_ruleset(Path(__file__).parent / "rulesets" / "minimal.yaml")


@pytest.fixture(scope="module")
def table() -> pa.Table:
    # framework levels: 1, 2, 3 (accumulation), 4 (danger, urgent), 4 (DASH), 2, 3 (bruise)
    return pa.table(
        {
            "case_ref": ["a", "b", "c", "d", "e", "f", "g"],
            "indicators": [
                [],
                ["poor-diet"],
                ["poor-diet", "poor-attendance", "inconsistent-care"],
                ["danger"],
                ["da-incidents"],
                ["missed-checks"],
                ["bruise"],
            ],
            "age_years": [5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0],
            "dash_score": [None, None, None, None, 16.0, None, None],
            "recorded_decision": pa.array([1, 2, 2, 2, 3, None, 4], pa.int8()),
            "referral_source": ["police", "school", "police", "police", "<script>x</script>",
                                "school", "health"],
        }
    )


def test_rates_and_confusion(table: pa.Table) -> None:
    r = compare(table, MINIMAL)
    assert r.rows == 7 and r.recorded == 6
    assert r.agreement == pytest.approx(2 / 6)
    assert r.under_rate == pytest.approx(3 / 6)
    assert r.over_rate == pytest.approx(1 / 6)
    assert r.framework_counts == (1, 2, 2, 2)
    assert r.recorded_counts == (1, 3, 1, 1)
    m = r.confusion.to_numpy()
    assert m.sum() == 6
    assert m[3, 1] == 1 and m[3, 2] == 1 and m[2, 1] == 1 and m[2, 3] == 1


def test_review_puts_level_four_under_assessed_first(table: pa.Table) -> None:
    review = compare(table, MINIMAL).review
    assert review.case_ref.tolist() == ["d", "e", "c"]  # widest gap, then level, urgent first
    assert review.framework_level.tolist() == [4, 4, 3]
    assert review.determining_indicators.iloc[0] == ["danger"]
    assert compare(table, MINIMAL, top=1).review.case_ref.tolist() == ["d"]


def test_breakdowns(table: pa.Table) -> None:
    r = compare(table, MINIMAL)
    police = r.by_source.set_index("referral_source").loc["police"]
    assert police.cases == 3
    assert police.under == pytest.approx(2 / 3)
    assert r.by_source.referral_source.iloc[0] == "<script>x</script>"  # 100% under: first
    ind = r.by_indicator.set_index("indicator")
    assert ind.loc["danger", "under"] == 1.0 and ind.loc["danger", "level"] == 4
    assert "missed-checks" not in ind.index  # its only case has no recorded decision
    dom = r.by_domain.set_index("domain")
    assert dom.loc["domestic-abuse", "cases"] == 1


def test_reports_are_escaped_and_self_contained(table: pa.Table) -> None:
    r = compare(table, MINIMAL)
    md = r.to_markdown()
    assert "# Threshold consistency audit" in md and "## Cases to review first" in md
    assert "<script>" not in md
    html = r.to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("data:image/png;base64,") == 2
    assert "http://" not in html and "https://" not in html
    assert set(r.tables()) >= {"summary", "confusion", "by_indicator", "by_domain", "by_source",
                               "review"}


def test_needs_a_recorded_decision_column() -> None:
    with pytest.raises(rhrt.CaseError) as info:
        compare(pa.table({"indicators": [["bruise"]]}), MINIMAL)
    assert info.value.path == "recorded_decision"


def test_synthetic_audit_finds_disagreement() -> None:
    from rhrt.synth import population

    r = compare(population(5_000, seed=2, ruleset=MINIMAL), MINIMAL)
    assert 0.7 < r.agreement < 0.97
    assert r.under_rate > 0 and r.over_rate > 0
    assert r.agreement + r.under_rate + r.over_rate == pytest.approx(1.0)
    levels = r.review.framework_level.tolist()
    assert levels == sorted(levels, reverse=True)

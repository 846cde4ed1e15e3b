# SPDX-License-Identifier: MIT
"""Every human-facing output says that rhrt supports, and never replaces, professional judgement."""

from __future__ import annotations

from pathlib import Path

import pytest

import rhrt
from rhrt.render import render_decision, render_referral

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"
CASE = {"child": {"age_years": 6}, "indicators": ["poor-diet"], "assessment_date": "2024-05-01"}


def says_it(text: str) -> bool:
    flat = " ".join(text.split()).lower()
    return "professional judgement" in flat and ("never replace" in flat or "not replace" in flat)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_decisions_and_referrals(fmt: str) -> None:
    rs = rhrt.load_ruleset(MINIMAL)
    decision = rs.assess(CASE)
    assert says_it(render_decision(decision, rs, fmt))
    if fmt != "json":
        assert says_it(render_referral(rs.validate_case(CASE), decision, rs, fmt))


def test_analyst_reports_and_batch_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pandas")
    from rhrt import audit, diff, synth
    from rhrt.cli import main

    rs = rhrt.load_ruleset(MINIMAL)
    table = synth.population(300, seed=3, ruleset=rs, kind="pandas")
    assert says_it(audit.compare(table, rs).to_markdown())
    assert says_it(diff.impact(table, rs, rs).to_markdown())
    source = tmp_path / "in.parquet"
    table.to_parquet(source)
    assert (
        main(
            ["batch", str(source), "--out", str(tmp_path / "out.parquet"), "--rules", str(MINIMAL)]
        )
        == 0
    )
    assert says_it(capsys.readouterr().err)

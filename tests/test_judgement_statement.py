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


# -- the ruleset's declared status (issue 14 part 6): on every decision and in every output ----


def shows_status(text: str, rs: rhrt.Ruleset) -> bool:
    status = rs.stamp.status
    assert status is not None, "the test ruleset declares a status"
    import html

    return " ".join(status.text.split()) in " ".join(html.unescape(text).split())


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_decisions_and_referrals_show_the_ruleset_status(fmt: str) -> None:
    rs = rhrt.load_ruleset(MINIMAL)
    decision = rs.assess(CASE)
    assert decision.ruleset.status == rs.stamp.status
    assert shows_status(str(decision), rs)  # the one-paragraph reading too
    assert shows_status(render_decision(decision, rs, fmt), rs)
    if fmt != "json":
        assert shows_status(render_referral(rs.validate_case(CASE), decision, rs, fmt), rs)


def test_the_bundled_rulesets_status_is_on_its_decisions() -> None:
    rs = rhrt.load_ruleset()
    assert rs.stamp.status is not None and rs.stamp.status.id == "working-draft"
    assert rs.assess(CASE | {"indicators": []}).ruleset.status == rs.stamp.status


def test_a_ruleset_without_a_status_shows_none() -> None:
    import yaml

    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    del data["ruleset"]["status"]
    rs = rhrt.ruleset_from_data(data)
    decision = rs.assess(CASE)
    assert decision.ruleset.status is None
    assert "status" not in render_decision(decision, rs, "text").lower().split("\n")[0]


def test_analyst_reports_and_batch_summary_show_the_ruleset_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pandas")
    import json

    from rhrt import audit, diff, synth
    from rhrt.cli import main

    rs = rhrt.load_ruleset(MINIMAL)
    table = synth.population(300, seed=3, ruleset=rs, kind="pandas")
    report = audit.compare(table, rs)
    assert shows_status(report.to_markdown(), rs) and shows_status(report.to_html(), rs)
    impact = diff.impact(table, rs, rs)
    assert shows_status(impact.to_markdown(), rs) and shows_status(impact.to_html(), rs)
    source = tmp_path / "in.parquet"
    table.to_parquet(source)
    summary = tmp_path / "summary.json"
    args = ["batch", str(source), "--out", str(tmp_path / "out.parquet"), "--rules",
            str(MINIMAL), "--summary-json", str(summary)]
    assert main(args) == 0
    assert shows_status(capsys.readouterr().err, rs)
    assert json.loads(summary.read_text())["ruleset_status"] == rs.stamp.status.text  # type: ignore[union-attr]


def test_the_ruleset_document_shows_its_status() -> None:
    from rhrt.render import render_ruleset

    rs = rhrt.load_ruleset(MINIMAL)
    for fmt in ("markdown", "html"):
        assert shows_status(render_ruleset(rs, fmt), rs)

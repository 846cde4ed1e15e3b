# SPDX-License-Identifier: MIT
"""docs/framework.md is ``rhrt docs`` of the bundled ruleset, and says everything the YAML does.

If the first test fails, the bundled YAML changed: regenerate with
``rhrt docs --out docs/framework.md`` and commit both together.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import rhrt
from rhrt.cli import main
from rhrt.render import escape_markdown, render_ruleset
from rhrt.rules.plain import describe_outcome, rule_conditions

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORK = ROOT / "docs" / "framework.md"
MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"


def test_framework_md_is_up_to_date_with_the_bundled_ruleset() -> None:
    expected = render_ruleset(rhrt.load_ruleset(), "markdown")
    assert FRAMEWORK.read_text(encoding="utf-8") == expected, (
        "docs/framework.md is out of date: run `rhrt docs --out docs/framework.md`"
    )


def test_cli_docs_writes_the_same_document(tmp_path: Path) -> None:
    out = tmp_path / "framework.md"
    assert main(["docs", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render_ruleset(rhrt.load_ruleset(), "markdown")


@pytest.mark.parametrize("rules", [MINIMAL, None])
def test_document_covers_every_part_of_the_ruleset(rules: Path | None) -> None:
    rs = rhrt.load_ruleset(rules)
    model = rs.model
    text = render_ruleset(rs, "markdown")
    md = escape_markdown
    for part in (model.ruleset.title, model.ruleset.version, rs.stamp.sha256):
        assert md(part) in text
    if model.ruleset.provenance:
        assert md(model.ruleset.provenance) in text
    for lv in model.levels:
        assert f"Level {lv.level}: {md(lv.name)}" in text
    for dom in model.domains:
        assert md(dom.title) in text
    for ind in model.indicators:
        assert f"{md(ind.text)} (id: {md(ind.id)}" in text
        assert md(model.sources[ind.source.ref].title) in text
    conditions = rule_conditions(model)
    for rule in model.rules:
        assert f"**When:** {md(conditions[rule.id])}" in text
        assert f"**Then:** {md(describe_outcome(rule.then, model))}" in text
    for pw in model.pathways:
        assert f"### {md(pw.title)}" in text
    for contact in model.contacts.values():
        assert md(contact.how) in text


def test_indicators_are_listed_by_level_within_each_section() -> None:
    rs = rhrt.load_ruleset()
    text = render_ruleset(rs, "markdown")
    import re

    for section in re.split(r"\n#+ ", text):
        levels = [
            int(line[len("- **Level ")])
            for line in section.splitlines()
            if line.startswith("- **Level ")
        ]
        assert levels == sorted(levels)


def test_html_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs", "--rules", str(MINIMAL), "--format", "html"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>") and "<h1>Minimal test ruleset</h1>" in out
    assert "at least 3 level-2-or-above concerns" in out


def test_document_escapes_ruleset_text() -> None:
    text = MINIMAL.read_text().replace("title: Minimal test ruleset",
                                       "title: '<script>x</script> [a](javascript:b)'")
    rs = rhrt.ruleset_from_text(text)
    assert "<script>" not in render_ruleset(rs, "html")
    md = render_ruleset(rs, "markdown")
    assert "<script>" not in md and "javascript:" not in md

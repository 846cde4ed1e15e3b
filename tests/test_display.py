# SPDX-License-Identifier: MIT
"""A decision shows the same content wherever it is displayed.

The CLI (``rhrt assess``), ``render_decision(d)`` without a ruleset, ``decision._repr_html_()``
(notebooks) and ``rich.print(decision)`` (terminals) all show what to do, who to contact, by
when, consent, what to gather and the level's response text, because the Decision carries the
ruleset's guidance for each recommended pathway (filled in one place: ``Ruleset._decide``).
The facts checked here are read from the ruleset model, not from the decision, so a decision
carrying the wrong guidance fails too.
"""

from __future__ import annotations

import html as html_lib
import io
import re
from pathlib import Path

import pytest

import rhrt
from rhrt.cli import main
from rhrt.model.decision import Decision
from rhrt.render import render_decision

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples" / "cases").glob("*.yaml"))
SECRET = "Zebra-note-7731"


@pytest.fixture(scope="module")
def bundled() -> rhrt.Ruleset:
    return rhrt.load_ruleset()


def _flat(text: str) -> str:
    """Text with markup, escapes and wrapping removed: what a reader sees, on one line."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = html_lib.unescape(text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>|~])", r"\1", text)  # Markdown escapes
    return re.sub(r"\s+", " ", text)


def _facts(decision: Decision, ruleset: rhrt.Ruleset) -> list[str]:
    """What a practitioner needs to act, from the ruleset itself."""
    model = ruleset.model
    level = model.levels[decision.level - 1]
    facts = [level.response, decision.consent.applies]
    by_id = {p.id: p for p in model.pathways}
    for pid in decision.pathway_ids:
        pw = by_id[pid]
        facts += [pw.title, pw.what, pw.timescale, pw.consent, *pw.gather]
        if pw.contact is not None:
            contact = model.contacts[pw.contact]
            facts += [contact.name, contact.how]
    return [re.sub(r"\s+", " ", f).strip() for f in facts]


def _cli_text(case: Path, capsys: pytest.CaptureFixture[str], fmt: str = "text") -> str:
    assert main(["assess", str(case), "--format", fmt]) == 0
    return capsys.readouterr().out


def _rich_text(decision: Decision) -> str:
    console_mod = pytest.importorskip("rich.console")
    console = console_mod.Console(width=10_000, file=io.StringIO(), record=True, color_system=None)
    console.print(decision)
    return console.export_text()


@pytest.mark.parametrize("case", EXAMPLES, ids=lambda p: p.stem)
def test_every_display_shows_what_the_cli_shows(
    case: Path, bundled: rhrt.Ruleset, capsys: pytest.CaptureFixture[str]
) -> None:
    decision = bundled.assess(case)
    assert decision.pathways, case
    displays = {
        "cli text": _cli_text(case, capsys),
        "cli html": _cli_text(case, capsys, "html"),
        "render_decision(d)": render_decision(decision),
        "render_decision(d, markdown)": render_decision(decision, fmt="markdown"),
        "_repr_html_": decision._repr_html_(),
        "rich.print": _rich_text(decision),
    }
    for fact in _facts(decision, bundled):
        for name, shown in displays.items():
            assert fact in _flat(shown), (name, fact)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
@pytest.mark.parametrize("case", EXAMPLES, ids=lambda p: p.stem)
def test_without_the_ruleset_a_decision_renders_exactly_as_with_it(
    case: Path, fmt: str, bundled: rhrt.Ruleset
) -> None:
    decision = bundled.assess(case, override={"level": 4, "reason": "worried", "role": "GP"})
    with_ruleset = render_decision(decision, bundled, fmt)
    assert render_decision(decision, fmt=fmt) == with_ruleset
    # and so does its JSON record, read back anywhere
    assert render_decision(Decision.from_json(decision.to_json()), fmt=fmt) == with_ruleset


def test_a_record_from_before_the_guidance_was_carried_still_renders_with_its_ruleset(
    bundled: rhrt.Ruleset,
) -> None:
    decision = bundled.assess(ROOT / "examples" / "cases" / "level2-early-help.yaml")
    record = decision.to_record()
    record.pop("level_response")
    for p in record["pathways"]:
        for key in ("what", "contact", "timescale", "consent", "gather", "source"):
            p.pop(key)
    for r in record["explanation"]["rules"]:
        r.pop("condition")
    old = Decision.model_validate(record)
    assert render_decision(old, bundled) == render_decision(decision, bundled)


def test_repr_is_a_short_summary_without_case_content(bundled: rhrt.Ruleset) -> None:
    decision = bundled.assess(
        {
            "child": {"age_months": 4},
            "indicators": [{"id": "bruising-non-mobile-baby", "note": SECRET}],
        },
        override={"level": 3, "reason": SECRET, "role": "GP"},
    )
    shown = repr(decision)
    assert len(shown) < 300
    assert f"level={decision.level}" in shown
    assert f"urgent={decision.urgent}" in shown
    assert "management review" in shown  # a level-4 outcome lowered
    for pid in decision.pathway_ids:
        assert pid in shown
    assert SECRET not in shown and SECRET not in str(decision)


def test_str_is_one_paragraph_a_person_can_read(bundled: rhrt.Ruleset) -> None:
    decision = bundled.assess(ROOT / "examples" / "cases" / "level3-complex.yaml")
    text = str(decision)
    assert "\n" not in text
    assert text.startswith(f"Level {decision.level} ({decision.level_name})")
    for p in decision.pathways:
        assert p.title in text and p.timescale is not None and p.timescale in text
    for finding in decision.explanation.indicators:
        assert finding.text in text
    assert decision.statement in text


@pytest.mark.parametrize("case", EXAMPLES, ids=lambda p: p.stem)
def test_text_output_is_wrapped_everywhere(
    case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """"Who to contact", "Why", "By when" and reasons wrap like "What to do" (at most 103
    columns), except a line whose overflow is one unbreakable word such as a URL."""
    for line in _cli_text(case, capsys).splitlines():
        if len(line) > 103:
            words = line.split()
            assert len(words) == 1 or max(len(w) for w in words) > 60, line

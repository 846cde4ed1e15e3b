# SPDX-License-Identifier: MIT
"""The plain-text decision reads cleanly, as a practitioner sees it in a terminal or pastes it
into case notes: one blank line between blocks (never two), lines within 100 columns, each
notice's continuation lines under its text, and a pathway's labels in one column with their
values (and the values' continuation lines) starting in the same place.

Why: a review found "Who to contact:" one column off its neighbours (and its first line cut
short), two blank lines before "Find out first" and before a professional judgement, an
unwrapped judgement line, and the last NOTE or URGENT BECAUSE running straight into the level's
response paragraph.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import rhrt
from rhrt.render import render_decision, render_pathway
from rhrt.testing import strategies

ROOT = Path(__file__).resolve().parents[1]
RS = rhrt.load_ruleset()
WIDTH = 100
PATHWAY_LABELS = ("What to do:", "Who to contact:", "By when:", "Consent:", "Source:")
VALUE_COLUMN = 4 + max(len(label) for label in PATHWAY_LABELS) + 1
BLOCK_STARTS = (*("    " + label for label in PATHWAY_LABELS), "    Information", "    Why this",
                "    Reason:")
"""Lines that start a new part of a block (not a continuation of the line above)."""
NOTICES = ("FIRST, BEFORE ANYTHING ELSE:", "RULESET STATUS:", "NOTE:", "URGENT BECAUSE:",
           "INSTEAD OF ", "*** ")

CASES: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {
    "provisional, consent refused": (
        {"child": {"age_years": 8}, "indicators": ["possible-domestic-abuse"],
         "consent": "refused"}, None),
    "level 4 lowered by judgement": (
        {"child": {"age_years": 8}, "indicators": ["non-accidental-injury"]},
        {"level": 2, "role": "social worker",
         "reason": "Injury explained by the hospital's records; " * 4 + "reviewed today"}),
    "provisional, judgement agrees": (
        {"child": {"age_years": 8}, "indicators": ["possible-domestic-abuse"]},
        {"level": 4, "reason": "Child fears father", "role": "teacher"}),
    "urgent, age and measures missing": (
        {"indicators": ["child-in-immediate-danger", "possible-domestic-abuse"]}, None),
    "a concern implied by a measure (NOTE)": (
        {"child": {"age_years": 15}, "indicators": ["unexplained-gifts-money-phones"],
         "measures": {"missing_episodes_90_days": 4}, "consent": "given"}, None),
}


def _examples() -> list[tuple[str, str]]:
    out = []
    for path in sorted((ROOT / "examples" / "cases").glob("*.yaml")):
        out.append((path.stem, render_decision(RS.assess(path), RS, "text")))
    for name, (case, override) in CASES.items():
        out.append((name, render_decision(RS.assess(case, override=override), RS, "text")))
    return out


def layout_problems(text: str) -> list[str]:
    """Each way ``text`` breaks the plain-text layout, as 'line N: what'."""
    lines = text.split("\n")
    problems = []
    for n, line in enumerate(lines, 1):
        if len(line) > WIDTH and "<http" not in line and not line.startswith("Ruleset "):
            problems.append(f"line {n}: {len(line)} columns")
        if n > 1 and line == "" and lines[n - 2] == "" and n < len(lines):
            problems.append(f"line {n}: a second blank line")
    for n, line in enumerate(lines):
        notice = line.startswith(NOTICES)
        label = next((lb for lb in PATHWAY_LABELS if line.startswith("    " + lb)), None)
        if not (notice or label):
            continue
        if label is not None and (len(line) <= VALUE_COLUMN or line[VALUE_COLUMN - 1] != " "
                                  or line[VALUE_COLUMN] == " "):
            problems.append(f"line {n + 1}: '{label}' value not at column {VALUE_COLUMN + 1}")
        indent = 4 if notice else VALUE_COLUMN
        end = n + 1
        while (end < len(lines) and lines[end].startswith(" ")
               and not lines[end].startswith(BLOCK_STARTS)):
            cont = lines[end]
            if len(cont) - len(cont.lstrip(" ")) != indent:
                problems.append(f"line {end + 1}: continuation not indented {indent}")
            end += 1
        if notice and line.startswith(("NOTE:", "URGENT BECAUSE:", "INSTEAD OF ")):
            following = lines[end] if end < len(lines) else ""
            if following and not following.startswith(NOTICES):
                problems.append(f"line {end + 1}: runs on from the notice above it")
    return problems


@pytest.mark.parametrize(("name", "text"), _examples())
def test_text_decisions_are_laid_out_cleanly(name: str, text: str) -> None:
    assert layout_problems(text) == [], name


def test_the_cases_show_each_block_checked() -> None:
    texts = "\n".join(text for _, text in _examples())
    for shown in ("Find out first", "*** PROFESSIONAL JUDGEMENT", "*** MANAGEMENT REVIEW",
                  "URGENT BECAUSE:", "NOTE:", "FIRST, BEFORE ANYTHING ELSE:", "[ONLY IF",
                  "    Who to contact: ", "    Source:         "):
        assert shown in texts


def test_a_long_judgement_is_wrapped_with_its_words_kept() -> None:
    case, override = CASES["level 4 lowered by judgement"]
    assert override is not None
    text = render_decision(RS.assess(case, override=override), RS, "text")
    start = text.index("    Reason: ")
    block = text[start:text.index("\n***", start)]
    assert " ".join(block.split()) == "Reason: " + " ".join(override["reason"].split())
    assert all(line.startswith(" " * 12) for line in block.split("\n")[1:])


@pytest.mark.parametrize("pathway", [p.id for p in RS.model.pathways])
def test_every_pathway_on_its_own_is_laid_out_cleanly(pathway: str) -> None:
    assert layout_problems(render_pathway(pathway, RS, "text")) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.cases(RS, max_indicators=6))
def test_any_decision_is_laid_out_cleanly(case: rhrt.Case) -> None:
    assert layout_problems(render_decision(RS.assess(case), RS, "text")) == []


REFERRAL_LABELS = ("Status:", "Case reference:", "Child:", "Assessment date:",
                   "Concern raised by:")


@pytest.mark.parametrize("name", [*CASES, "with referral source and context"])
def test_the_referral_draft_in_text_is_laid_out_cleanly(name: str) -> None:
    """The referral draft (plain text, to paste into the MARF): one blank line between blocks,
    its labels' values in one column, and the involvement line indented like a list item
    (jinja's lstrip_blocks once ate its indent)."""
    from rhrt.render import render_referral

    if name in CASES:
        case, override = CASES[name]
    else:
        case, override = {"child": {"age_years": 6}, "indicators": ["inadequate-diet"],
                          "referral_source": "school"}, None
    decision = RS.assess(case, override=override)
    text = render_referral(RS.validate_case(case), decision, RS, "text")
    lines = text.split("\n")
    for n in range(1, len(lines) - 1):
        assert not (lines[n] == "" and lines[n - 1] == ""), f"line {n + 1}: a second blank line"
    columns = set()
    for line in lines:
        label = next((lb for lb in REFERRAL_LABELS if line.startswith(lb + " ")), None)
        if label is not None:
            columns.add(len(line) - len(line[len(label):].lstrip(" ")))
    assert len(columns) == 1, columns
    after = lines[lines.index("INVOLVEMENT WITH SERVICES") + 1]
    assert after.startswith("  ") and not after.startswith("   "), after


def test_practitioners_notes_are_wrapped_with_their_words_kept() -> None:
    """Regression: a practitioner's note (shown with ``include_notes``) ran on as one line of
    any length; now it wraps within 100 columns like the other list items, its words kept."""
    note = "Police attended after a neighbour heard screaming; " * 4 + "children asleep upstairs."
    decision = RS.assess({"child": {"age_years": 8}, "indicators": [
        {"id": "possible-domestic-abuse", "note": note, "source": "police"},
        {"id": "inadequate-diet", "note": "short"}]})
    text = render_decision(decision, RS, "text", include_notes=True)
    assert layout_problems(text) == []
    start = text.index("Practitioner notes")
    block = text[start:text.index("\n\n", start)]
    items = block.split("\n")[2:]  # after the heading and its rule
    assert items[-1] == "  - inadequate-diet: short"
    first = "\n".join(items[:-1])
    assert all(line.startswith("      ") for line in items[1:-1]) and len(items) > 2
    assert " ".join(first.split()) == "- possible-domestic-abuse (from police): " + " ".join(
        note.split())

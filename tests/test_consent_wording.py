# SPDX-License-Identifier: MIT
"""Why a consent position applies is never put in brackets by a template, in any format.

Its words (``because``) often end in brackets of their own: "the child may be in immediate
danger (the decision is urgent)", "level 4 (Acute or statutory (children's social care))",
"the pathway recommended: Referral to the Multi-Agency Safeguarding Hub (MASH)". Wrapped again
by a template they read "(... (the decision is urgent))" or "(because of level 4 (... (...)))"
(a review found both, in the MASH block's consent line and the "Also applies" list). The
decision, the referral draft and each pathway block say it as a sentence instead, in text,
Markdown and HTML.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

import rhrt
from rhrt.render import TEMPLATE_FORMATS, render_decision, render_referral

ROOT = Path(__file__).resolve().parents[1]
RS = rhrt.load_ruleset()
CASES: dict[str, dict[str, Any]] = {
    path.stem: RS.validate_case(path).model_dump(mode="json")
    for path in sorted((ROOT / "examples" / "cases").glob("*.yaml"))
}
CASES["urgent, consent not recorded"] = {
    "child": {"age_years": 7}, "indicators": ["child-in-immediate-danger"]}
CASES["domestic abuse, consent refused"] = {
    "child": {"age_years": 10},
    "indicators": ["disclosure-of-abuse", "incidents-of-domestic-abuse"],
    "measures": {"dash_score": 15}, "consent": "refused"}


def _plain(text: str, fmt: str) -> str:
    """The words a reader sees, on one line: tags and Markdown escapes removed, entities read,
    wrapping undone."""
    if fmt == "html":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    elif fmt == "markdown":
        text = re.sub(r"\\(.)", r"\1", text).replace("*", "")
    return " ".join(text.split())


def _rendered(case: dict[str, Any]) -> list[tuple[str, str]]:
    decision = RS.assess(case)
    parsed = RS.validate_case(case)
    out = []
    for fmt in TEMPLATE_FORMATS:
        out.append((fmt, _plain(render_decision(decision, RS, fmt), fmt)))
        out.append((fmt, _plain(render_referral(parsed, decision, RS, fmt), fmt)))
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_why_a_consent_position_applies_is_a_sentence_not_a_bracket(name: str) -> None:
    case = CASES[name]
    consent = RS.assess(case).consent
    reasons = [r for r in (consent.because, *(o.because for o in consent.others)) if r]
    assert reasons
    for fmt, text in _rendered(case):
        assert "(because of" not in text, fmt
        assert "under Consent (" not in text, fmt
        for reason in reasons:
            words = " ".join(reason.split())
            assert f"({words[:30]}" not in text, (fmt, reason)


def test_the_mash_block_says_why_the_urgent_position_comes_first() -> None:
    decision = RS.assess(CASES["urgent, consent not recorded"])
    assert decision.consent.trigger == "urgent"
    for fmt in TEMPLATE_FORMATS:
        text = _plain(render_decision(decision, RS, fmt), fmt)
        assert (
            "First follow the consent position under Consent. Why it comes first: "
            f"{decision.consent.because}. For this step: "
        ) in text, fmt

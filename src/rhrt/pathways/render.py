# SPDX-License-Identifier: MIT
"""Render a Decision for people. (First version: plain text and JSON; Markdown/HTML next.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rhrt.model.case import Case
    from rhrt.model.decision import Decision
    from rhrt.ruleset import Ruleset

FORMATS = ("text", "json", "markdown", "html")


def render_decision(
    decision: Decision,
    ruleset: Ruleset,
    fmt: str = "text",
    *,
    case: Case | None = None,
    include_notes: bool = False,
) -> str:
    if fmt == "json":
        return decision.to_json(include_notes=include_notes)
    pathways = {p.id: p for p in ruleset.model.pathways}
    out = [f"Level {decision.level}: {decision.level_name}" + ("  [URGENT]" if decision.urgent else "")]
    ex = decision.explanation
    out.append("\nWhy:")
    for ind in ex.indicators:
        out.append(f"  - L{ind.level} {ind.text} [{ind.id}; {ind.domain}]")
    for rule in ex.rules:
        out.append(f"  - rule {rule.id}: {rule.because}")
    if ex.missing_information:
        out.append("Not recorded (assumed the worst): " + ", ".join(ex.missing_information))
    out.append("\nWhat to do:")
    for rec in decision.pathways:
        pw = pathways[rec.id]
        out.append(f"  - {pw.title}: {pw.what} ({pw.timescale})")
    out.append(f"\nConsent: {decision.consent.applies}")
    out.append(f"\n{decision.statement}")
    out.append(f"Ruleset {decision.ruleset.id} {decision.ruleset.version} sha256 {decision.ruleset.sha256[:16]}")
    return "\n".join(out)

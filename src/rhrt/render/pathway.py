# SPDX-License-Identifier: MIT
"""The pathway view: one pathway's guidance on its own, and, given a decision, why it applies."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rhrt.errors import TemplateRenderError
from rhrt.render.environment import render_template
from rhrt.render.views import check_stamp, pathway_names, pathway_view, why_views, without_notes

if TYPE_CHECKING:
    from rhrt.model import decision as d
    from rhrt.model import ruleset as m
    from rhrt.ruleset import Ruleset

__all__ = ["render_pathway"]


def render_pathway(
    pathway: str | m.Pathway,
    ruleset: Ruleset,
    fmt: str = "text",
    *,
    decision: d.Decision | None = None,
    templates_dir: str | Path | None = None,
) -> str:
    """One pathway's guidance on its own: what to do, who to contact, by when, consent, gather.

    With ``decision``, also why it applies to this case. The pathway's own ``template`` is used
    when the ruleset names one, else ``pathway-<id>.<fmt>.j2`` if a partnership provides it,
    else the generic ``pathway.<fmt>.j2``.
    """
    model = ruleset.model
    if isinstance(pathway, str):
        found = next((p for p in model.pathways if p.id == pathway), None)
        if found is None:
            from rhrt.errors import suggest

            hint = suggest(pathway, [p.id for p in model.pathways])
            raise TemplateRenderError(
                f"unknown pathway '{pathway[:80]}'" + (f"; did you mean '{hint}'?" if hint else "")
            )
        pathway = found
    why: list[dict[str, Any]] = []
    if decision is not None:
        check_stamp(decision, ruleset)
        rec = next((r for r in decision.pathways if r.id == pathway.id), None)
        if rec is not None:
            why = why_views(rec, decision, model)
    context = {
        "decision": None if decision is None else without_notes(decision),
        "stamp": ruleset.stamp,
        "fragment": False,
        "pathway": pathway_view(pathway, model, why),
        "depth": 1,
        "standalone": True,
    }
    return render_template(
        pathway_names(pathway.id, pathway.template, fmt), fmt, context, templates_dir=templates_dir
    )

# SPDX-License-Identifier: MIT
"""The referral view: draft content for a multi-agency referral form (MARF), from a case and
the decision already made for it (this view never assesses)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rhrt.errors import expect
from rhrt.render.decision import decision_context
from rhrt.render.environment import render_template, template_name
from rhrt.render.escape import number_text

if TYPE_CHECKING:
    from rhrt.model import decision as d
    from rhrt.model.case import Case
    from rhrt.ruleset import Ruleset

__all__ = ["referral_context", "render_referral"]


def _age_words(case: Case) -> str:
    child = case.child
    if child.unborn:
        if child.gestation_weeks is not None:
            return f"unborn ({number_text(child.gestation_weeks)} weeks' gestation)"
        return "unborn"
    months = case.age_in_months()
    if months is None:
        return "age not recorded"
    if months < 24:
        return f"{number_text(months)} months old"
    years, rest = divmod(int(months), 12)
    return f"{years} years old" if rest == 0 else f"{years} years {rest} months old"


def referral_context(
    case: Case,
    decision: d.Decision,
    ruleset: Ruleset,
    fmt: str = "text",
    *,
    templates_dir: str | Path | None = None,
) -> dict[str, Any]:
    """The decision context plus the case's concerns grouped by domain, notes and measures."""
    context = decision_context(
        decision, ruleset, fmt, include_notes=True, templates_dir=templates_dir
    )
    model = ruleset.model
    catalogue = ruleset.catalogue
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in case.indicators:
        ind = catalogue.get(item.id)
        sub_title = None
        if ind.subdomain is not None:
            dom = catalogue.domain(ind.domain)
            sub_title = next((s.title for s in dom.subdomains if s.id == ind.subdomain), None)
        groups.setdefault(ind.domain, []).append(
            {
                "id": ind.id,
                "text": ind.text,
                "level": ind.level,
                "subdomain": sub_title,
                "topics": [catalogue.domain_title(t) for t in ind.topics],  # titles
                "note": item.note,
                "source": item.source,
            }
        )
    domains = [
        {"id": dom.id, "title": dom.title, "concerns": groups[dom.id]}
        for dom in model.domains
        if dom.id in groups
    ]
    measures_by_id = {ms.id: ms for ms in model.measures}
    measures = [
        {
            "id": name,
            "title": measures_by_id[name].title if name in measures_by_id else name,
            "value": value,
            "unit": measures_by_id[name].unit if name in measures_by_id else "",
        }
        for name, value in case.measures.items()
    ]
    context.update(
        {
            "case_reference": case.reference,
            "child_age": _age_words(case),
            "assessment_date": case.assessment_date,
            "referral_source": case.referral_source,
            "concern_domains": domains,
            "measures": measures,
            "consent_recorded": case.consent,
            "involvement": involvement_words(case),
            "involvement_recorded": bool(case.context.states()),
        }
    )
    return context


def involvement_words(case: Case) -> list[str]:
    """The child's recorded involvement with services, each a sentence (the words every rule
    uses: :data:`rhrt.rules.semantics.CONTEXT_WORDS`), most specific only (a plan's category
    rather than "on a plan" as well), a step-down with how long ago. Only what is recorded as
    holding: a fact not recorded is unknown and is not listed (the template says so)."""
    from rhrt.rules.semantics import CONTEXT_WORDS

    held = [state for state, value in case.context.states().items() if value]
    specific = [s for s in held if not any(o != s and o.startswith(s + "_") for o in held)]
    out = []
    months = case.stepped_down_months()
    for state in specific:
        said = CONTEXT_WORDS[state]
        if state.startswith("stepped_down_from_") and months is not None:
            said += f" (ended {number_text(months)} months ago)"
        out.append(said[0].upper() + said[1:])
    return out


def render_referral(
    case: Case,
    decision: d.Decision,
    ruleset: Ruleset,
    fmt: str = "text",
    *,
    templates_dir: str | Path | None = None,
    template: str = "referral",
) -> str:
    """Draft content for a multi-agency referral form (MARF), to check and paste.

    Concerns grouped by domain with the practitioner's notes and sources, measures, the level
    and why, the consent position and the pathways. It includes free-text notes: it is meant
    for the referral itself, not for storage.

    ``decision`` is the decision already made for ``case`` by ``ruleset`` (``ruleset.assess``):
    rendering never assesses, so what the referral says is the decision that was recorded.

    Raises:
        ArgumentError: ``decision`` is not a Decision (e.g. None, which before issue 13 meant
            "assess it here").
        TemplateRenderError: the decision was made with another ruleset, or a template failed.
    """
    from rhrt.model.decision import Decision

    expect(decision, Decision, "decision",
           "the Decision made for the case (ruleset.assess(case)): render_referral needs it")
    context = referral_context(case, decision, ruleset, fmt, templates_dir=templates_dir)
    return render_template(template_name(template, fmt), fmt, context, templates_dir=templates_dir)

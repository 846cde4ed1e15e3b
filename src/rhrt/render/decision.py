# SPDX-License-Identifier: MIT
"""The decision view: an explained decision for people (text, Markdown, HTML) or its record.

Output order, for practitioners: level and name first, with its status (confirmed, or
provisional with the known level and what to find out first), then a professional override (with any
management review), then why, then what to do, then consent, then the statement that rhrt
supports and does not replace professional judgement, then the ruleset id, version and hash.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rhrt.explain import recorded_first_step
from rhrt.model.decision import NO_TIMESCALE
from rhrt.model.scale import consent_rank
from rhrt.render.environment import render_template, rendered, template_name
from rhrt.render.views import (
    check_stamp,
    level_view,
    pathway_names,
    pathway_view,
    recommendation_view,
    why_views,
    without_notes,
)
from rhrt.rules.plain import rule_conditions
from rhrt.rules.semantics import missing_measure

if TYPE_CHECKING:
    from rhrt.model import decision as d
    from rhrt.model import ruleset as m
    from rhrt.model.case import Case
    from rhrt.ruleset import Ruleset

__all__ = ["FORMATS", "decision_context", "render_decision"]

FORMATS = ("text", "json", "markdown", "html")
"""Formats of ``rhrt assess --format``."""


def decision_context(
    decision: d.Decision,
    ruleset: Ruleset | None = None,
    fmt: str = "text",
    *,
    include_notes: bool = False,
    templates_dir: str | Path | None = None,
    fragment: bool = False,
) -> dict[str, Any]:
    """Everything the decision templates see (documented in docs/pathways.md)."""
    check_stamp(decision, ruleset)
    if not include_notes:
        decision = without_notes(decision)
    model = ruleset.model if ruleset is not None else None
    first_id = recorded_first_step(decision, model)
    conditions = rule_conditions(model) if model is not None else {}
    by_id = {p.id: p for p in model.pathways} if model is not None else {}
    base = {"decision": decision, "stamp": decision.ruleset, "fragment": fragment}
    pathways = []
    first_over = _consent_first_over(decision)
    for rec in decision.pathways:
        why = why_views(rec, decision, model)
        pw = by_id.get(rec.id)
        if rec.what is not None:  # the decision carries the guidance
            view = recommendation_view(rec, why)
            if pw is not None:
                view["template"] = pw.template
            if rec.id in first_over:
                view["consent_first"] = first_over[rec.id]
        elif pw is not None and model is not None:  # a record from before it did
            view = pathway_view(pw, model, why)
        else:
            view = {"id": rec.id, "title": rec.title, "why": why, "template": None}
        if rec.what is not None or pw is not None:
            view["rendered"] = rendered(
                render_template(
                    pathway_names(rec.id, view["template"], fmt),
                    fmt,
                    {**base, "pathway": view, "depth": 3, "standalone": False},
                    templates_dir=templates_dir,
                ),
                fmt,
            )
        else:
            view["rendered"] = None
        view["conditional_on"] = rec.conditional_on
        pathways.append(view)
    words = _fact_words(model)
    rules = [
        {**r.model_dump(), "condition": r.condition or conditions.get(r.id),
         "assumed": [words.get(f, f) for f in r.assumed]}
        for r in decision.explanation.rules
    ]
    override = decision.override
    known = decision.known_level
    return {
        **base,
        "status": decision.status,
        "status_text": decision.status_text(
            None if known is None else level_view(model, known)["name"]
        ),
        "provisional": decision.provisional,
        "level_assumed": decision.provisional and known is not None and known != decision.level,
        "known_level": None if known is None else level_view(
            model, known, decision.level_name if known == decision.level else None
        ),
        "gather_first": [
            {"what": g.what, "timescale": g.timescale or NO_TIMESCALE, "source": g.source}
            for g in decision.gather_first
        ],
        "found_rules": [r for r in rules if not r["assumed"]],
        "not_yet_known": [r for r in rules if r["not_yet_known"]],
        "level": level_view(
            model, decision.level, decision.level_name, decision.level_response
        ),
        "final_level": level_view(
            model, decision.final_level, override.level_name if override else decision.level_name
        ),
        "override": override,
        "management_review": bool(override and override.management_review),
        "urgent": decision.urgent,
        # What an urgent decision says first, before its status and the level's general response
        # (which opens "Telephone the MASH"): the route the decision names
        # (``Decision.first_step``, e.g. "Call the police on 999"); chosen in rhrt.explain.
        "first_step": next((p for p in pathways if p["id"] == first_id), None),
        # Where "find out" goes: before everything when the decision is not urgent, or when it
        # is urgent but no route can be named first (every route rests on what is not yet
        # known: the facts to find out ARE the first step); after the urgent steps otherwise.
        "gather_when": _gather_when(decision, first_id),
        "no_first_step": _no_first_step(decision, first_id),
        "missing_words": [words.get(f, f) for f in decision.explanation.missing_information],
        **_replaced(decision, model),
        "warnings": decision.warnings,
        "explanation": decision.explanation,
        "indicators": decision.explanation.indicators,
        "rules": rules,
        "pathways": pathways,
        "consent": decision.consent,
        "notes": decision.notes if include_notes else (),
        "statement": decision.statement,
        "ruleset_title": ruleset.title if ruleset is not None else None,
    }




def _fact_words(model: m.RulesetModel | None) -> dict[str, str]:
    """A missing fact as the record names it (``measure dash_score``) -> as a practitioner
    reads it, the measure's title with its id (``DASH risk checklist score (dash_score)``).
    Facts with no title (the child's age, context states) are shown as recorded."""
    if model is None:
        return {}
    return {missing_measure(ms.id): f"{ms.title} ({ms.id})" for ms in model.measures}


def _replaced(decision: d.Decision, model: m.RulesetModel | None) -> dict[str, Any]:
    """``replaced``: each route the case's context replaced, by title (``title``, ``instead``
    titles, ``by`` rule ids); ``response_replaced``: true when a replaced route is one the
    level's general response describes (the level's own pathways), so templates do not follow
    "tell the youth justice worker instead of a new MASH referral" with the level's "Telephone
    the MASH..." (practice review: a 16-year-old remanded to custody)."""
    titles = {p.id: p.title for p in decision.pathways}
    if model is not None:
        titles = {**{p.id: p.title for p in model.pathways}, **titles}
    swaps = decision.explanation.replaced_pathways
    level_pathways: set[str] = set()
    if model is not None:
        level_pathways = {pid for lv in model.levels if lv.level == decision.level
                          for pid in lv.pathways}
    return {
        "replaced": [
            {"id": s.id, "title": titles.get(s.id, s.id),
             "instead": [titles.get(i, i) for i in s.instead], "by": s.by}
            for s in swaps
        ],
        "response_replaced": any(s.id in level_pathways for s in swaps),
    }


_ASKS = frozenset({"required", "young-person", "seek-unless-unsafe"})
"""Consent kinds whose words tell the practitioner to seek someone's consent."""


def _consent_first_over(decision: d.Decision) -> dict[str, str]:
    """Pathway ids whose own consent guidance is less protective than the case-wide position
    shown first (one that applies because of a concern or urgency, e.g. domestic abuse: never
    ask the alleged perpetrator), each with why that position applies.

    A pathway's block then points to that position before its own words, so a practitioner
    reading only the MASH block does not read "Seek the parents' consent" as the whole answer
    when the child fears the father. Only pathways whose words ask for consent (:data:`_ASKS`)
    are pointed; positions that come first because of another pathway are about that step only,
    and are not pointed to.
    """
    first = decision.consent
    if first.trigger not in ("concern", "urgent") or not first.because:
        return {}
    out: dict[str, str] = {}
    for other in first.others:
        if (other.trigger == "pathway" and other.id.startswith("pathway:")
                and other.rule in _ASKS
                and consent_rank(other.rule) < consent_rank(first.rule)):
            out[other.id.removeprefix("pathway:")] = first.because
    return out


def render_decision(
    decision: d.Decision,
    ruleset: Ruleset | None = None,
    fmt: str = "text",
    *,
    case: Case | None = None,
    include_notes: bool = False,
    templates_dir: str | Path | None = None,
    fragment: bool = False,
) -> str:
    """A decision for people (text, Markdown, HTML) or as its JSON record.

    Args:
        ruleset: the ruleset that made the decision: optional, since the decision carries
            each pathway's guidance; given, it is checked against the decision's stamp, its
            pathway templates are used, and older records without guidance get it from there.
        case: unused by the built-in templates; accepted so callers can pass it uniformly.
        include_notes: show practitioners' free-text notes (personal data); off by default.
        fragment: HTML only: a ``<div>`` without the page around it (notebooks, portals).
    """
    del case
    if fmt == "json":
        return decision.to_json(include_notes=include_notes)
    context = decision_context(
        decision,
        ruleset,
        fmt,
        include_notes=include_notes,
        templates_dir=templates_dir,
        fragment=fragment,
    )
    name = template_name("decision", fmt)
    return render_template(name, fmt, context, templates_dir=templates_dir)


def _gather_when(decision: d.Decision, first_id: str | None) -> str | None:
    """``"first"``, ``"after"`` (the urgent first step) or None (nothing to find out)."""
    if not decision.gather_first:
        return None
    return "after" if decision.urgent and first_id is not None else "first"


def _no_first_step(decision: d.Decision, first_id: str | None) -> str | None:
    """What an urgent decision without a first step says instead (None otherwise)."""
    if not decision.urgent or first_id is not None:
        return None
    if decision.gather_first:
        return (
            "No route can be named as the first step until what is listed under Find out "
            "first is known: find it out now, and act on the routes below without delay."
        )
    return (
        "No single route is named as the first step: read why it is urgent below and act "
        "without delay."
    )

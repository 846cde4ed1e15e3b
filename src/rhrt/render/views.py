# SPDX-License-Identifier: MIT
"""The pieces every view shares: a ruleset's contacts, sources, levels and pathways, and a
decision's pathways and reasons, as the dictionaries templates see (documented in
docs/pathways.md).

Why one module: the decision, pathway, referral and ruleset documents show the same things
(a pathway's guidance, a source citation, a level's name) and must show them the same way, with
or without the ruleset that made a decision (a decision carries its pathways' guidance).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rhrt.errors import TemplateRenderError
from rhrt.model.standing import SHORT_LABELS
from rhrt.render.environment import template_name

if TYPE_CHECKING:
    from rhrt.model import decision as d
    from rhrt.model import ruleset as m
    from rhrt.ruleset import Ruleset

__all__ = [
    "check_stamp",
    "contact_view",
    "level_view",
    "pathway_names",
    "pathway_view",
    "recommendation_view",
    "source_view",
    "why_views",
    "without_notes",
]


def contact_view(model: m.RulesetModel, contact_id: str | None) -> dict[str, Any] | None:
    if contact_id is None or contact_id not in model.contacts:
        return None
    c = model.contacts[contact_id]
    return {"id": contact_id, "name": c.name, "how": c.how, "hours": c.hours, "url": c.url}


def source_view(model: m.RulesetModel, ref: m.SourceRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    src = model.sources.get(ref.ref)
    section = ref.section or (str(ref.page) if ref.page is not None else None)
    return {
        "ref": ref.ref,
        "title": src.title if src else ref.ref,
        "publisher": src.publisher if src else None,
        "url": src.url if src else None,
        "standing": src.standing if src else None,
        "standing_label": SHORT_LABELS[src.standing] if src else None,
        "section": section,
        "quote": ref.quote,
        "note": ref.note,
    }


def pathway_view(
    pathway: m.Pathway, model: m.RulesetModel, why: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """A pathway as templates see it: what to do, who to contact, by when, consent, gather."""
    return {
        "id": pathway.id,
        "title": pathway.title,
        "what": pathway.what,
        "timescale": pathway.timescale,
        "consent": pathway.consent,
        "gather": list(pathway.gather),
        "contact": contact_view(model, pathway.contact),
        "source": source_view(model, pathway.source),
        "template": pathway.template,
        "why": list(why),
    }


def recommendation_view(
    rec: d.PathwayRecommendation, why: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """A pathway as templates see it, from the guidance the decision carries (the same keys as
    :func:`pathway_view`), so a decision shows the same content with or without its ruleset."""
    contact = rec.contact
    source = rec.source
    return {
        "id": rec.id,
        "title": rec.title,
        "what": rec.what,
        "timescale": rec.timescale,
        "consent": rec.consent,
        "gather": list(rec.gather),
        "contact": None
        if contact is None
        else {
            "id": contact.id,
            "name": contact.name,
            "how": contact.how,
            "hours": contact.hours,
            "url": contact.url,
        },
        "source": None
        if source is None
        else {
            "ref": source.ref,
            "title": source.title,
            "publisher": None,
            "url": source.url,
            "standing": source.standing,
            "standing_label": SHORT_LABELS[source.standing],
            "section": source.section,
            "quote": None,
            "note": None,
        },
        "template": None,
        "why": list(why),
    }


def level_view(
    model: m.RulesetModel | None,
    number: int,
    name: str | None = None,
    response: str | None = None,
) -> dict[str, Any]:
    if response is not None:  # the decision carries it: the same with or without the ruleset
        return {"number": number, "name": name, "description": None, "response": response}
    if model is not None:
        for lv in model.levels:
            if lv.level == number:
                return {
                    "number": lv.level,
                    "name": lv.name,
                    "description": lv.description,
                    "response": lv.response,
                }
    name = name or f"Level {number}"
    return {"number": number, "name": name, "description": None, "response": None}


def why_views(
    rec: d.PathwayRecommendation, decision: d.Decision, model: m.RulesetModel | None
) -> list[dict[str, Any]]:
    because = {r.id: r.because for r in decision.explanation.rules}
    out = []
    for reason in rec.why:
        if reason.startswith("level-") and reason[6:].isdigit():
            number = int(reason[6:])
            level = level_view(
                model, number, decision.level_name if number == decision.level else None
            )
            text = f"Recommended at level {level['number']} ({level['name']})"
        else:
            text = because.get(reason, reason)
        out.append({"id": reason, "text": text})
    return out


def check_stamp(decision: d.Decision, ruleset: Ruleset | None) -> None:
    if ruleset is not None and ruleset.stamp != decision.ruleset:
        raise TemplateRenderError(
            f"the decision was made with ruleset {decision.ruleset.id} {decision.ruleset.version} "
            f"(sha256 {decision.ruleset.sha256[:12]}), not {ruleset.id} {ruleset.version} "
            f"(sha256 {ruleset.stamp.sha256[:12]}): render it with the ruleset that made it"
        )


def pathway_names(pathway_id: str, template: str | None, fmt: str) -> list[str]:
    if template is not None:
        return [template_name(template, fmt)]
    return [template_name(f"pathway-{pathway_id}", fmt), template_name("pathway", fmt)]



def without_notes(decision: d.Decision) -> d.Decision:
    """The decision as a template may see it when notes were not asked for: no notes at all.

    Why a copy rather than a blocked attribute: a partnership's own template can reach a
    pydantic model's data many ways (``decision.notes``, ``.dict()``, ``.copy()``, iteration);
    a decision that holds no notes cannot leak them by any of them.
    """
    if not decision.notes:
        return decision
    return decision.model_copy(update={"notes": ()})


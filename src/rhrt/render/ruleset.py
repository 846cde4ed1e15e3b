# SPDX-License-Identifier: MIT
"""The ruleset view: a ruleset as a readable Levels of Need document (``rhrt docs``), or a
short summary (notebooks, rich)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rhrt.errors import TemplateRenderError
from rhrt.model.decision import NO_TIMESCALE
from rhrt.model.scale import CONSENT_KINDS
from rhrt.model.standing import SHORT_LABELS
from rhrt.render.environment import render_template, template_name
from rhrt.render.views import contact_view, pathway_view, source_view
from rhrt.rules.plain import describe_outcome, describe_safety, rule_conditions
from rhrt.rules.semantics import MEASURE_WORDS, number_words

if TYPE_CHECKING:
    from rhrt.model import ruleset as m
    from rhrt.ruleset import Ruleset

__all__ = ["DOCUMENT_FORMATS", "render_ruleset", "ruleset_context"]

DOCUMENT_FORMATS = ("markdown", "html")
"""Formats of the ruleset document (``rhrt docs``)."""


def ruleset_context(ruleset: Ruleset) -> dict[str, Any]:
    """The ruleset document's view: metadata, levels, domains with indicators, rules, pathways."""
    model = ruleset.model
    titles = {p.id: p.title for p in model.pathways}
    conditions = rule_conditions(model)
    domain_titles = {dom.id: dom.title for dom in model.domains}

    def indicator(ind: m.Indicator) -> dict[str, Any]:
        return {
            "id": ind.id,
            "level": ind.level,
            "text": ind.text,
            "tags": list(ind.tags),
            "topics": [domain_titles.get(t, t) for t in ind.topics],
            "domain": ind.domain,
            "subdomain": ind.subdomain,
            "source": source_view(model, ind.source),
        }

    domains = []
    for dom in model.domains:
        primary = [i for i in model.indicators if i.domain == dom.id]
        sections: list[dict[str, Any]] = []
        for sub in dom.subdomains:
            inds = sorted((i for i in primary if i.subdomain == sub.id), key=lambda i: i.level)
            sections.append(
                {"id": sub.id, "title": sub.title, "indicators": [indicator(i) for i in inds]}
            )
        loose = sorted((i for i in primary if i.subdomain is None), key=lambda i: i.level)
        if loose or not dom.subdomains:
            sections.insert(
                0, {"id": None, "title": None, "indicators": [indicator(i) for i in loose]}
            )
        also = [indicator(i) for i in model.indicators if dom.id in i.topics]
        domains.append(
            {
                "id": dom.id,
                "title": dom.title,
                "kind": dom.kind,
                "description": dom.description,
                "levels": list(dom.levels),
                "sections": sections,
                "also": sorted(also, key=lambda i: i["level"]),
            }
        )
    rules = [
        {
            "id": rule.id,
            "because": rule.because,
            "condition": conditions[rule.id],
            "outcome": describe_outcome(rule.then, model),
            "source": source_view(model, rule.source),
        }
        for rule in model.rules
    ]
    safety = [
        {
            "id": "safety.immediate-danger",
            "because": model.safety.immediate_danger.because,
            "text": describe_safety(model.safety.immediate_danger, model, immediate=True),
        },
        {
            "id": "safety.allegation",
            "because": model.safety.allegation.because,
            "text": describe_safety(model.safety.allegation, model, immediate=False),
        },
    ]
    levels = [
        {
            "number": lv.level,
            "name": lv.name,
            "description": lv.description,
            "response": lv.response,
            "consent": lv.consent,
            "pathways": [titles.get(p, p) for p in lv.pathways],
            "indicator_count": sum(1 for i in model.indicators if i.level == lv.level),
        }
        for lv in model.levels
    ]
    policy = model.consent
    consent_positions = [
        {
            "id": "urgent",
            "kind": policy.urgent.rule,
            "when": ["the decision is urgent"],
            "age": None,
            "text": policy.urgent.text,
            "source": source_view(model, policy.urgent.source),
            "note": policy.urgent.source.note if policy.urgent.source else None,
        }
    ] if policy.urgent is not None else []
    consent_positions += [
        {
            "id": pos.id,
            "kind": pos.kind,
            "when": [
                *(f"a concern tagged {t}" for t in pos.tags),
                *(f"the concern {i}" for i in pos.indicators),
            ],
            "age": (
                f"aged {pos.at_least_years:g} or over (age recorded)"
                if pos.at_least_years is not None else None
            ),
            "text": pos.text,
            "source": source_view(model, pos.source),
            "note": pos.source.note if pos.source else None,
        }
        for pos in policy.positions
    ]
    return {
        "consent_positions": consent_positions,
        "consent_kinds": CONSENT_KINDS,
        "info": model.ruleset,
        "stamp": ruleset.stamp,
        "levels": levels,
        "domains": domains,
        "tags": model.tags,
        "measures": [
            {
                "id": ms.id,
                "title": ms.title,
                "unit": ms.unit,
                "min": ms.min,
                "max": ms.max,
                "description": ms.description,
                "source": source_view(model, ms.source),
                "implies": [
                    {
                        "indicator": imp.indicator,
                        "words": MEASURE_WORDS[imp.comparison[0]].format(
                            v=number_words(imp.comparison[1])
                        ),
                        "source": source_view(model, imp.source),
                    }
                    for imp in ms.implies
                ],
                "find_out": None
                if ms.find_out is None
                else {
                    "what": ms.find_out.what,
                    "timescale": ms.find_out.timescale or NO_TIMESCALE,
                    "source": source_view(model, ms.find_out.source),
                },
            }
            for ms in model.measures
        ],
        "safety": safety,
        "rules": rules,
        "pathways": [pathway_view(p, model) for p in model.pathways],
        "contacts": [contact_view(model, c) for c in model.contacts],
        "sources": [
            {
                "ref": ref,
                **src.model_dump(mode="json"),
                "standing_label": SHORT_LABELS[src.standing],
            }
            for ref, src in model.sources.items()
        ],
        "counts": {
            "indicators": len(model.indicators),
            "rules": len(model.rules),
            "pathways": len(model.pathways),
            "domains": len(model.domains),
        },
        "fragment": False,
    }


def render_ruleset(
    ruleset: Ruleset,
    fmt: str = "markdown",
    *,
    templates_dir: str | Path | None = None,
    summary: bool = False,
) -> str:
    """A ruleset as a readable Levels of Need document (``rhrt docs``), or a short summary.

    The document is deterministic (no dates or times), so ``docs/framework.md`` can be checked
    against the bundled YAML in tests.
    """
    if fmt not in DOCUMENT_FORMATS and not summary:
        raise TemplateRenderError(f"unknown document format '{fmt}' (choose markdown or html)")
    context = ruleset_context(ruleset)
    name = "ruleset_summary" if summary else "ruleset"
    context["fragment"] = summary
    return render_template(template_name(name, fmt), fmt, context, templates_dir=templates_dir)

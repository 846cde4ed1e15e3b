# SPDX-License-Identifier: MIT
"""Completeness and hygiene checks beyond validity: what a reviewer of a ruleset should see.

A ruleset can be valid and still have gaps: a level with no indicators in some sub-domain, a
pathway nothing recommends, a tag no indicator carries, a rule that uses ``not`` (so adding a
concern could stop it firing). These are *findings*, not errors: ``rhrt validate --strict``
fails on them, and the bundled ruleset's tests require none.
"""

from __future__ import annotations

from dataclasses import dataclass

from rhrt.model import ruleset as m
from rhrt.rules.compile import Plan, compile_ruleset, uses_not


@dataclass(frozen=True)
class Finding:
    code: str
    """A stable short code, e.g. ``empty-cell``."""
    message: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


def empty_cells(model: m.RulesetModel) -> list[tuple[str, str | None, int]]:
    """(domain, subdomain, level) cells with no indicator.

    Triangle domains need every sub-domain at every level; topic domains need every level they
    declare in ``levels`` (counting indicators whose primary domain or ``topics`` name them).
    """
    have: set[tuple[str, str | None, int]] = set()
    for ind in model.indicators:
        have.add((ind.domain, ind.subdomain, ind.level))
        for topic in ind.topics:
            have.add((topic, None, ind.level))
        if ind.subdomain is not None:
            have.add((ind.domain, None, ind.level))
    out: list[tuple[str, str | None, int]] = []
    for dom in model.domains:
        if dom.kind == "triangle" and dom.subdomains:
            for sub in dom.subdomains:
                for level in (1, 2, 3, 4):
                    if (dom.id, sub.id, level) not in have:
                        out.append((dom.id, sub.id, level))
        else:
            for level in dom.levels:
                if (dom.id, None, level) not in have:
                    out.append((dom.id, None, level))
    return out


def reachable_pathways(model: m.RulesetModel) -> set[str]:
    """Pathways some level, safety route or rule (with a satisfiable trigger) can recommend."""
    found = {p for lv in model.levels for p in lv.pathways}
    found |= set(model.safety.immediate_danger.pathways) | set(model.safety.allegation.pathways)
    for rule in model.rules:
        found |= set(rule.then.pathways)
    return found


def lint(model: m.RulesetModel, plan: Plan | None = None) -> list[Finding]:
    """Every finding for a valid ruleset, in a stable order."""
    plan = plan or compile_ruleset(model)
    findings: list[Finding] = []
    for dom, sub, level in empty_cells(model):
        where = f"{dom}/{sub}" if sub else dom
        findings.append(Finding("empty-cell", f"no level-{level} indicator in {where}"))
    for pw in model.pathways:
        if pw.id not in reachable_pathways(model):
            findings.append(Finding("unreachable-pathway", f"nothing recommends pathway '{pw.id}'"))
    used_tags = {t for ind in model.indicators for t in ind.tags}
    for tag in model.tags:
        if tag.id not in used_tags:
            findings.append(Finding("unused-tag", f"no indicator carries tag '{tag.id}'"))
    for route_name, route in (
        ("immediate_danger", model.safety.immediate_danger),
        ("allegation", model.safety.allegation),
    ):
        if route.tag not in used_tags:
            findings.append(
                Finding("empty-safety-route", f"no indicator carries the {route_name} tag")
            )
    for rule in plan.rules:
        if uses_not(rule.condition):
            findings.append(
                Finding("uses-not", f"rule '{rule.id}' uses 'not': adding a concern can stop it")
            )
        if not rule.safety and _never_fires(rule.condition):
            findings.append(Finding("dead-rule", f"rule '{rule.id}' can never fire"))
    used_sources = {i.source.ref for i in model.indicators}
    used_sources |= {r.source.ref for r in model.rules if r.source}
    used_sources |= {p.source.ref for p in model.pathways if p.source}
    used_sources |= {ms.source.ref for ms in model.measures if ms.source}
    for key in model.sources:
        if key not in used_sources:
            findings.append(Finding("unused-source", f"no entry cites source '{key}'"))
    return findings


def _never_fires(node: object) -> bool:
    """True for conditions that can never be true or unknown (e.g. a tag nobody carries)."""
    from rhrt.rules.compile import All, AnyOf, Count, HasAny

    if isinstance(node, HasAny):
        return not node.ids
    if isinstance(node, Count):
        return len(node.ids) < node.at_least
    if isinstance(node, All):
        return any(_never_fires(c) for c in node.children)
    if isinstance(node, AnyOf):
        return all(_never_fires(c) for c in node.children)
    return False

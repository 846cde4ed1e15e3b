# SPDX-License-Identifier: MIT
"""From an evaluation to an explanation a practitioner can read and challenge.

The explanation answers three questions: *which* concerns and rules decided the level, *how*
the concerns spread across domains, and *what would change the outcome* (the minimal set of
concerns holding the level, the missing facts the rules assumed the worst about, and near-misses
that would raise it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rhrt.engine.reference import level_of, truth
from rhrt.indicators.catalogue import Catalogue
from rhrt.model import decision as d
from rhrt.model.ruleset import RulesetModel, SourceRef
from rhrt.rules.plan import All, Count, MeasureCmp, Node, Plan
from rhrt.rules.semantics import (
    MEASURE_HINT_WORDS,
    TOP_LEVEL,
    Evaluation,
    Facts,
    RuleResult,
    number_words,
)


def _in_order(plan: Plan, ids: Iterable[str]) -> list[str]:
    return sorted(ids, key=plan.indicator_rank.__getitem__)


def determining_indicators(plan: Plan, facts: Facts, evaluation: Evaluation) -> tuple[str, ...]:
    """Present indicators that determine the level, in ruleset order.

    Those at the decided level, plus those matched by a fired rule that set the decided level.
    The batch engine computes exactly this set; the two are property-tested to agree.
    """
    level = evaluation.level
    chosen = {i for i in facts.present if plan.indicator_level[i] == level}
    for result in evaluation.results:
        if result.fired and result.rule.level == level:
            chosen |= result.rule.indicator_ids & facts.present
    return tuple(_in_order(plan, chosen))


def holding_set(plan: Plan, facts: Facts, level: int) -> tuple[str, ...]:
    """A minimal subset of the present concerns that alone gives the same level.

    Greedy deletion in a fixed order (lowest level first, then ruleset order), so it is
    deterministic: each concern is dropped if the level stays the same without it.
    """
    levels = plan.indicator_level
    in_order = _in_order(plan, facts.present)
    kept = set(facts.present)
    # While another kept concern is itself at the top level, the level cannot change: skip
    # the evaluation (exactly what level_of would answer, without building the trial facts).
    tops = sum(1 for i in kept if levels[i] >= TOP_LEVEL) if level >= TOP_LEVEL else 0
    for ind in sorted(in_order, key=levels.__getitem__):  # stable: level, then ruleset order
        kept.discard(ind)
        is_top = levels[ind] >= TOP_LEVEL
        if tops - is_top > 0:
            tops -= is_top
            continue
        if level_of(plan, facts.with_present(frozenset(kept))) != level:
            kept.add(ind)
        elif is_top:
            tops -= 1
    return tuple(i for i in in_order if i in kept)


def near_misses(plan: Plan, facts: Facts, evaluation: Evaluation) -> tuple[d.ChangeHint, ...]:
    """Rules that did not fire but are one step away from firing and would change the outcome.

    A rule is one step away when its condition is an ``all`` whose only false part is a measure
    threshold (and at least one part is true), or a count of concerns short by one. Only rules
    that would raise the level, make the decision urgent or add a pathway are listed.
    """
    hints = []
    results = evaluation.results
    for position in plan.hint_rules:  # only rules whose shape allows a near miss
        result = results[position]
        rule = result.rule
        if result.fired:
            continue
        raises = rule.level is not None and rule.level > evaluation.level
        adds = any(p not in evaluation.pathways for p in rule.pathways)
        if not (raises or adds or (rule.urgent and not evaluation.urgent)):
            continue
        missing = _one_missing_part(rule.condition, facts)
        if missing is None:
            continue
        effect = []
        if raises:
            effect.append(f"raise the level to {rule.level}")
        if rule.urgent and not evaluation.urgent:
            effect.append("make this urgent")
        new = [p for p in rule.pathways if p not in evaluation.pathways]
        if new:
            effect.append("add " + ", ".join(new))
        hints.append(
            d.ChangeHint(
                rule=rule.id, text=f"{missing} would {' and '.join(effect)} ({rule.because})"
            )
        )
    return tuple(hints)


def _one_missing_part(node: Node, facts: Facts) -> str | None:
    if isinstance(node, Count):
        have = len(node.ids & facts.present)
        if node.at_least > 1 and have == node.at_least - 1:
            return f"One more concern counting towards '{node.label}'"
        return None
    if isinstance(node, All):  # with a measure part (Plan.hint_rules)
        values = [truth(child, facts) for child in node.children]
        false = [c for c, v in zip(node.children, values, strict=True) if v is False]
        if len(false) == 1 and any(v is True for v in values):
            return _describe(false[0])
    return None


def _describe(node: Node) -> str | None:
    """Plain words for the one missing part, when it is something a practitioner can check.

    Only measures qualify: "any concern tagged X would raise the level" is true of every rule
    and would bury the useful hints, and a child's age is not something to change.
    """
    if isinstance(node, MeasureCmp):
        return f"A {node.measure} {MEASURE_HINT_WORDS[node.op].format(v=number_words(node.value))}"
    return None


def explain(
    plan: Plan,
    catalogue: Catalogue,
    facts: Facts,
    evaluation: Evaluation,
    conditions: Mapping[str, str] | None = None,
) -> d.Explanation:
    """Build the full explanation of one evaluation.

    ``conditions`` maps rule id → its condition in plain words (``rhrt.pathways.plain``,
    computed once per ruleset), carried on each fired rule.
    """
    model = catalogue.model
    findings = []
    for ind_id in determining_indicators(plan, facts, evaluation):
        ind = catalogue.get(ind_id)
        findings.append(
            d.IndicatorFinding(
                id=ind.id,
                text=ind.text,
                level=ind.level,
                domain=ind.domain,
                subdomain=ind.subdomain,
                source=citation(model, ind.source),
            )
        )
    fired = tuple(
        _fired(result, facts, conditions or {}) for result in evaluation.results if result.fired
    )
    missing = tuple(dict.fromkeys(a for r in evaluation.results if r.fired for a in r.assumed))
    return d.Explanation(
        indicators=tuple(findings),
        rules=fired,
        domains=domain_summary(catalogue, facts.present, ordered=_in_order(plan, facts.present)),
        holding_set=holding_set(plan, facts, evaluation.level),
        missing_information=missing,
        would_raise=near_misses(plan, facts, evaluation),
    )


def _fired(result: RuleResult, facts: Facts, conditions: Mapping[str, str]) -> d.FiredRule:
    rule = result.rule
    return d.FiredRule(
        id=rule.id,
        because=rule.because,
        level=rule.level,
        urgent=rule.urgent,
        pathways=rule.pathways,
        indicators=tuple(sorted(rule.indicator_ids & facts.present)),
        assumed=result.assumed,
        condition=conditions.get(rule.id),
    )


def domain_summary(
    catalogue: Catalogue, present: frozenset[str], *, ordered: Iterable[str] | None = None
) -> tuple[d.DomainSummary, ...]:
    """Present concerns grouped by domain (primary domain and topics), in ruleset order.

    ``ordered``: the present ids already in ruleset order (saves scanning the catalogue).
    """
    if not present:
        return ()
    if ordered is None:
        ordered = [ind.id for ind in catalogue if ind.id in present]
    groups: dict[str, list[str]] = {}
    highest: dict[str, int] = {}
    for ind_id in ordered:
        ind = catalogue.get(ind_id)
        for dom_id in (ind.domain, *ind.topics):
            groups.setdefault(dom_id, []).append(ind_id)
            highest[dom_id] = max(highest.get(dom_id, 0), ind.level)
    out = []
    for dom in catalogue.model.domains:
        ids = groups.get(dom.id)
        if ids:
            out.append(
                d.DomainSummary(
                    domain=dom.id,
                    title=dom.title,
                    highest_level=highest[dom.id],
                    indicators=tuple(ids),
                )
            )
    return tuple(out)


def citation(model: RulesetModel, ref: SourceRef) -> d.SourceCitation:
    """A source reference resolved against the ruleset's ``sources``."""
    src = model.sources[ref.ref]
    section = ref.section or (str(ref.page) if ref.page is not None else None)
    return d.SourceCitation(
        ref=ref.ref, title=src.title, url=src.url, section=section, herefordshire=src.herefordshire
    )

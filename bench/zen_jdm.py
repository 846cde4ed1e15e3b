# SPDX-License-Identifier: MIT
"""Compile an rhrt :class:`~rhrt.rules.compile.Plan` into a zen-engine (GoRules JDM) decision.

This lives in ``bench/``, not in the package: it exists only so the benchmark can compare
rhrt with a mainstream decision engine running *the same ruleset*. The graph is the shape a
GoRules author would draw::

    input ─▶ table "indicators" (first hit, loop over ``present``): id → level, primary
             domain and which of the rules' indicator sets it belongs to (indicators with the
             same answers share a row)
          ─▶ expression "facts": highest indicator level, the set numbers of all concerns
          ─▶ table "rules" (collect, output ``hits``): one row per compiled rule in rule order
             (the safety routes first, as rhrt compiles them), the condition as one
             standard-expression cell → level, urgent, pathways
          ─▶ expression "aggregate": level = max, urgent = any, pathways in rhrt's
             recommendation order (emergency/statutory rules' hits, the top level's own, the
             other hits, a lower level's own) ─▶ output

zen's expression language has no order-preserving ``unique``, so the adapter removes repeated
pathways in Python (``dict.fromkeys``; the benchmark times it). Two things found while tuning it
(so zen is measured at its best): array literals inside a closure (``some(present, # in [...])``)
are rebuilt for every element, costing milliseconds; and a Python callback loader is called,
and its JSON parsed, on every ``evaluate`` (use the static loader).

What zen cannot express: rhrt's three-valued (Kleene) logic, where a rule whose condition
depends on a missing fact (age, a measure) still fires. zen has no "unknown" truth value, so
the benchmark only gives zen fully-known cases (age or unborn recorded, every measure recorded)
and :func:`check_agreement` confirms level, urgency and pathways match the reference engine on
those cases before anything is timed. zen computes level + urgent + pathways only: no
validation, no explanation.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from typing import Any

from rhrt.rules.compile import (
    AgeCmp,
    All,
    AnyOf,
    Count,
    HasAny,
    IsUnborn,
    MeasureCmp,
    Node,
    Not,
    Plan,
)
from rhrt.rules.semantics import TOP_LEVEL, implied_indicators, sets_route

_CMP = {"at_least": ">=", "more_than": ">", "at_most": "<=", "less_than": "<"}
KEY = "levels-of-need"


def _sets(plan: Plan) -> dict[frozenset[str], int]:
    """Every indicator set a condition names (tag, domain, count, indicator), numbered."""
    found: dict[frozenset[str], int] = {}

    def walk(node: Node) -> None:
        if isinstance(node, (HasAny, Count)):
            found.setdefault(node.ids, len(found))
        elif isinstance(node, (All, AnyOf)):
            for child in node.children:
                walk(child)
        elif isinstance(node, Not):
            walk(node.child)

    for rule in plan.rules:
        walk(rule.condition)
    return found


def expression(node: Node, plan: Plan, sets: Mapping[frozenset[str], int]) -> str:
    """One condition node as a zen standard expression over the rules table's context:
    ``sets`` (the set numbers of every present indicator, repeated per indicator),
    ``concerns`` (the lookup rows of the present indicators), ``unborn``, ``age_months`` and
    ``measures``."""
    if isinstance(node, HasAny):
        return f"({sets[node.ids]} in sets)" if node.ids else "false"
    if isinstance(node, Count):
        if not node.ids:
            return "false"
        j = sets[node.ids]
        enough = f"count(sets, # == {j}) >= {node.at_least}"
        if node.distinct_domains is None:
            return f"({enough})"
        domains = sorted({plan.indicator_domain[i] for i in node.ids})
        parts = ", ".join(
            f"some(concerns, #.domain == {json.dumps(d)} and {j} in #.sets)" for d in domains
        )
        return f"({enough} and count([{parts}], #) >= {node.distinct_domains})"
    if isinstance(node, MeasureCmp):
        return f"(measures[{json.dumps(node.measure)}] {_CMP[node.op]} {node.value!r})"
    if isinstance(node, AgeCmp):
        if node.op == "under":
            return f"(unborn ? true : age_months < {node.months!r})"
        return f"(not unborn and age_months >= {node.months!r})"
    if isinstance(node, IsUnborn):
        return "unborn" if node.value else "(not unborn)"
    if isinstance(node, All):
        return "(" + " and ".join(expression(c, plan, sets) for c in node.children) + ")"
    if isinstance(node, AnyOf):
        return "(" + " or ".join(expression(c, plan, sets) for c in node.children) + ")"
    if isinstance(node, Not):
        return f"(not {expression(node.child, plan, sets)})"
    raise TypeError(f"unknown node {type(node).__name__}")


def _node(node_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"id": node_id, "name": node_id, "type": kind, "position": {"x": 0, "y": 0}, **extra}


def _expressions(node_id: str, pairs: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    expressions = [
        {"id": f"{node_id}{i}", "key": k, "value": v} for i, (k, v) in enumerate(pairs)
    ]
    content = {"expressions": expressions, **extra}
    return _node(node_id, "expressionNode", content=content)


def compile_jdm(plan: Plan) -> dict[str, Any]:
    """The JDM graph (a JSON-able dict) computing level, urgent and pathways for a plan.

    The idiomatic GoRules shape: a lookup table classifies each present indicator (level,
    primary domain, and which of the rules' indicator sets it belongs to); a second table holds
    the rules as conditions over those facts; expression nodes aggregate.
    """
    sets = _sets(plan)
    groups: dict[tuple[int, str, tuple[int, ...], bool], list[str]] = {}
    for ind in plan.indicator_order:
        member = tuple(j for s, j in sets.items() if ind in s)
        urgent = ind in plan.urgent_indicators  # an urgent indicator makes the decision urgent
        key = (plan.indicator_level[ind], plan.indicator_domain[ind], member, urgent)
        groups.setdefault(key, []).append(ind)
    lookup = _node(
        "indicators",
        "decisionTableNode",
        content={
            "hitPolicy": "first",
            "executionMode": "loop",
            "inputField": "present",
            "outputPath": "concerns",
            "passThrough": True,
            "inputs": [{"id": "i", "name": "Indicator", "field": "id"}],
            "outputs": [
                {"id": "l", "name": "Level", "field": "level"},
                {"id": "d", "name": "Domain", "field": "domain"},
                {"id": "s", "name": "Sets", "field": "sets"},
                {"id": "u", "name": "Urgent", "field": "urgent"},
            ],
            # indicators with the same level, domain and set membership share a row
            "rules": [
                {
                    "_id": f"group-{n}",
                    "i": ", ".join(json.dumps(i) for i in ids),
                    "l": str(level),
                    "d": json.dumps(domain),
                    "s": json.dumps(list(member)),
                    "u": "true" if urgent else "false",
                }
                for n, ((level, domain, member, urgent), ids) in enumerate(groups.items())
            ],
        },
    )
    facts = _expressions(
        "facts",
        [
            ("indicatorLevel", "max(flatten([[1], map(concerns, #.level)]))"),
            ("sets", "flatten(map(concerns, #.sets))"),
        ],
        passThrough=True,
    )
    rows = [
        {
            "_id": rule.id,
            "_description": rule.because[:120],
            "c": expression(rule.condition, plan, sets),
            "l": str(rule.level or 1),
            "u": "true" if rule.urgent else "false",
            "p": json.dumps(list(rule.pathways)),
            "r": json.dumps(list(rule.instead_of)),
            "s": "true" if rule.safety else "false",
            "f": "true" if sets_route(rule) else "false",
        }
        for rule in plan.rules
    ]
    rules = _node(
        "rules",
        "decisionTableNode",
        content={
            "hitPolicy": "collect",
            "outputPath": "hits",
            "passThrough": True,
            "inputs": [{"id": "c", "name": "Condition", "field": ""}],
            "outputs": [
                {"id": "l", "name": "Level", "field": "level"},
                {"id": "u", "name": "Urgent", "field": "urgent"},
                {"id": "p", "name": "Pathways", "field": "pathways"},
                {"id": "r", "name": "Instead of", "field": "replaced"},
                {"id": "s", "name": "Safety route", "field": "safety"},
                {"id": "f", "name": "Emergency or statutory route", "field": "lead"},
            ],
            "rules": rows,
        },
    )
    # the recommendation order (rules.semantics.recommendation_slots): emergency and statutory
    # routes, the top level's own, the follow-up routes, a lower level's own
    top = json.dumps(list(plan.level_pathways.get(TOP_LEVEL, ())))
    lower = " : ".join(
        [f"$.level == {lv} ? {json.dumps(list(p))}"
         for lv, p in sorted(plan.level_pathways.items()) if lv != TOP_LEVEL] + ["[]"]
    )
    aggregate = _expressions(
        "aggregate",
        [
            ("level", "max(flatten([[indicatorLevel], map(hits, #.level)]))"),
            ("urgent", "some(hits, #.urgent) or some(concerns, #.urgent)"),
            # a route replaced by a rule that holds (then.instead_of) is dropped unless a safety
            # route recommends it, as in rules.semantics.fold
            ("kept", "flatten(map(filter(hits, #.safety), #.pathways))"),
            ("replaced", "filter(flatten(map(hits, #.replaced)), not (# in $.kept))"),
            ("pathways", "filter(flatten([flatten(map(filter(hits, #.lead), #.pathways)), "
                         f"$.level == {TOP_LEVEL} ? {top} : [], "
                         "flatten(map(filter(hits, not #.lead), #.pathways)), "
                         f"{lower}]), not (# in $.replaced))"),
        ],
    )
    nodes = [_node("input", "inputNode"), lookup, facts, rules, aggregate]
    nodes.append(_node("output", "outputNode"))
    edges = [
        {"id": f"e{i}", "sourceId": a["id"], "targetId": b["id"], "type": "edge"}
        for i, (a, b) in enumerate(itertools.pairwise(nodes))
    ]
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


def context(case: Mapping[str, Any], plan: Plan | None = None) -> dict[str, Any]:
    """A benchmark case dict (see ``casegen``) as the zen context the graph reads.

    With ``plan``, the concerns its measures imply (``measures[].implies``, the shared
    :func:`~rhrt.rules.semantics.implied_indicators`) are present too, as in every engine.
    """
    child = case.get("child", {})
    unborn = bool(child.get("unborn", False))
    age: float | None = None
    if not unborn:
        if "age_months" in child:
            age = float(child["age_months"])
        elif "age_years" in child:
            age = float(child["age_years"]) * 12
    measures = dict(case.get("measures", {}))
    ids = [i if isinstance(i, str) else i["id"] for i in case.get("indicators", ())]
    if plan is not None:
        ids += sorted(implied_indicators(plan, measures) - set(ids))
    return {
        "present": [{"id": i} for i in ids],
        "unborn": unborn,
        "age_months": age,
        "measures": measures,
    }


class ZenLevels:
    """A loaded zen engine for one plan; ``assess`` takes a case dict."""

    def __init__(self, plan: Plan) -> None:
        import zen

        # A static loader: the decision is parsed and cached once. (A Python callback loader is
        # called, and its JSON parsed, on every evaluate.)
        self.plan = plan
        self.content = compile_jdm(plan)
        self.engine = zen.ZenEngine({"loader": {"type": "static", "content": {KEY: self.content}}})
        self.engine.evaluate(KEY, context({"indicators": []}))  # load and cache the decision

    def assess(self, case: Mapping[str, Any]) -> tuple[int, bool, tuple[str, ...]]:
        """Level, urgent and pathways (first-recommended order, no repeats)."""
        out = self.engine.evaluate(KEY, context(case, self.plan))["result"]
        return int(out["level"]), bool(out["urgent"]), tuple(dict.fromkeys(out["pathways"]))


def check_agreement(zen_levels: ZenLevels, ruleset: Any, cases: Iterable[Mapping[str, Any]]) -> int:
    """Assert zen agrees with rhrt's reference engine on level, urgent and pathways.

    Returns the number of cases checked. Raises AssertionError naming the first disagreement.
    """
    checked = 0
    for case in cases:
        decision = ruleset.assess(dict(case))
        expected = (decision.level, decision.urgent, tuple(p.id for p in decision.pathways))
        got = zen_levels.assess(case)
        if got != expected:
            raise AssertionError(
                f"zen disagrees with the reference engine on case {checked}: "
                f"zen={got} reference={expected}"
            )
        checked += 1
    return checked

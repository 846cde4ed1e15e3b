# SPDX-License-Identifier: MIT
"""Compile an rhrt :class:`~rhrt.rules.compile.Plan` into a zen-engine (GoRules JDM) decision.

This lives in ``bench/``, not in the package: it exists only so the benchmark can compare
rhrt with a mainstream decision engine running *the same ruleset*. The graph is::

    input ─▶ decision table "levels-of-need" (hit policy: collect, output path ``hits``)
          ─▶ expression node "aggregate" (level, urgent, raw pathway list) ─▶ output

The table has one row per indicator level (``some(present, # in [...])`` → that level) and one
row per compiled rule, in rule order (the safety routes first, exactly as rhrt compiles them),
with the rule's condition as a single standard-expression cell. The expression node takes the
maximum level over the hits and concatenates each hit's pathways in row order, then the decided
level's own pathways. zen's expression language has no order-preserving ``unique``, so the
adapter removes repeated pathways in Python (``dict.fromkeys``; the benchmark times it).

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

_CMP = {"at_least": ">=", "more_than": ">", "at_most": "<=", "less_than": "<"}
KEY = "levels-of-need"


def _ids(ids: Iterable[str], order: Mapping[str, int]) -> str:
    return json.dumps(sorted(ids, key=order.__getitem__))


def expression(node: Node, plan: Plan) -> str:
    """One condition node as a zen standard expression over the context built by
    :func:`context`: ``present`` (indicator ids), ``unborn``, ``age_months``, ``measures``."""
    order = {ind: i for i, ind in enumerate(plan.indicator_order)}
    return _expr(node, plan, order)


def _expr(node: Node, plan: Plan, order: Mapping[str, int]) -> str:
    if isinstance(node, HasAny):
        if not node.ids:
            return "false"
        return f"some(present, # in {_ids(node.ids, order)})"
    if isinstance(node, Count):
        if not node.ids:
            return "false"
        enough = f"count(present, # in {_ids(node.ids, order)}) >= {node.at_least}"
        if node.distinct_domains is None:
            return f"({enough})"
        by_domain: dict[str, list[str]] = {}
        for ind in node.ids:
            by_domain.setdefault(plan.indicator_domain[ind], []).append(ind)
        parts = ", ".join(
            f"some(present, # in {_ids(ids, order)})" for _, ids in sorted(by_domain.items())
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
        return "(" + " and ".join(_expr(c, plan, order) for c in node.children) + ")"
    if isinstance(node, AnyOf):
        return "(" + " or ".join(_expr(c, plan, order) for c in node.children) + ")"
    if isinstance(node, Not):
        return f"(not {_expr(node.child, plan, order)})"
    raise TypeError(f"unknown node {type(node).__name__}")


def _node(node_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"id": node_id, "name": node_id, "type": kind, "position": {"x": 0, "y": 0}, **extra}


def compile_jdm(plan: Plan) -> dict[str, Any]:
    """The JDM graph (a JSON-able dict) computing level, urgent and pathways for a plan."""
    order = {ind: i for i, ind in enumerate(plan.indicator_order)}
    rows: list[dict[str, str]] = [{"_id": "base", "c": "true", "l": "1", "u": "false", "p": "[]"}]
    for level in (2, 3, 4):
        ids = [i for i in plan.indicator_order if plan.indicator_level[i] == level]
        if ids:
            rows.append(
                {
                    "_id": f"indicators-level-{level}",
                    "c": f"some(present, # in {_ids(ids, order)})",
                    "l": str(level),
                    "u": "false",
                    "p": "[]",
                }
            )
    for rule in plan.rules:
        rows.append(
            {
                "_id": rule.id,
                "_description": rule.because[:120],
                "c": _expr(rule.condition, plan, order),
                "l": str(rule.level or 1),
                "u": "true" if rule.urgent else "false",
                "p": json.dumps(list(rule.pathways)),
            }
        )
    table = _node(
        "table",
        "decisionTableNode",
        content={
            "hitPolicy": "collect",
            "outputPath": "hits",
            "inputs": [{"id": "c", "name": "Condition", "field": ""}],
            "outputs": [
                {"id": "l", "name": "Level", "field": "level"},
                {"id": "u", "name": "Urgent", "field": "urgent"},
                {"id": "p", "name": "Pathways", "field": "pathways"},
            ],
            "rules": rows,
        },
    )
    level_pathways = " : ".join(
        f"level == {lv} ? {json.dumps(list(p))}" for lv, p in sorted(plan.level_pathways.items())
    )
    aggregate = _node(
        "aggregate",
        "expressionNode",
        content={
            "expressions": [
                {"id": "a1", "key": "level", "value": "max(map(hits, #.level))"},
                {"id": "a2", "key": "urgent", "value": "some(hits, #.urgent)"},
                {"id": "a3", "key": "rulePathways", "value": "flatten(map(hits, #.pathways))"},
            ]
        },
    )
    finish = _node(
        "finish",
        "expressionNode",
        content={
            "expressions": [
                {"id": "f1", "key": "level", "value": "level"},
                {"id": "f2", "key": "urgent", "value": "urgent"},
                {
                    "id": "f3",
                    "key": "pathways",
                    "value": f"flatten([rulePathways, {level_pathways} : []])",
                },
            ]
        },
    )
    names = ["input", "table", "aggregate", "finish", "output"]
    nodes = [_node("input", "inputNode"), table, aggregate, finish, _node("output", "outputNode")]
    edges = [
        {"id": f"e{i}", "sourceId": a, "targetId": b, "type": "edge"}
        for i, (a, b) in enumerate(itertools.pairwise(names))
    ]
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


def context(case: Mapping[str, Any]) -> dict[str, Any]:
    """A benchmark case dict (see ``casegen``) as the zen context the graph reads."""
    child = case.get("child", {})
    unborn = bool(child.get("unborn", False))
    age: float | None = None
    if not unborn:
        if "age_months" in child:
            age = float(child["age_months"])
        elif "age_years" in child:
            age = float(child["age_years"]) * 12
    return {
        "present": [i if isinstance(i, str) else i["id"] for i in case.get("indicators", ())],
        "unborn": unborn,
        "age_months": age,
        "measures": dict(case.get("measures", {})),
    }


class ZenLevels:
    """A loaded zen engine for one plan; ``assess`` takes a case dict."""

    def __init__(self, plan: Plan) -> None:
        import zen

        content = json.dumps(compile_jdm(plan))
        self.engine = zen.ZenEngine({"loader": lambda key: content})
        self.engine.evaluate(KEY, context({"indicators": []}))  # load and cache the decision

    def assess(self, case: Mapping[str, Any]) -> tuple[int, bool, tuple[str, ...]]:
        """Level, urgent and pathways (first-recommended order, no repeats)."""
        out = self.engine.evaluate(KEY, context(case))["result"]
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

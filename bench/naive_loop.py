# SPDX-License-Identifier: MIT
"""The "hand-written script" baseline: walk the raw YAML dict for every case.

This is what a developer might write in an afternoon without rhrt: ``yaml.safe_load`` the
ruleset once, then for each case loop over the indicators and rules of the raw document,
resolving tags, domains and counts on the fly. No validation, no compilation, no three-valued
logic (cases must be fully known), no explanation: level, urgent and pathways only. It is
checked against the reference engine before it is timed, so the comparison is of equal answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

Doc = Mapping[str, Any]


def load(path: str | Path) -> Doc:
    with open(path, encoding="utf-8") as fh:
        doc: Doc = yaml.safe_load(fh)
    return doc


def _age_months(child: Mapping[str, Any]) -> float | None:
    if "age_months" in child:
        return float(child["age_months"])
    if "age_years" in child:
        return float(child["age_years"]) * 12
    return None


def _matching(doc: Doc, present: set[str], test: Any) -> list[Mapping[str, Any]]:
    return [ind for ind in doc["indicators"] if ind["id"] in present and test(ind)]


def _holds(cond: Mapping[str, Any], doc: Doc, case: Mapping[str, Any], present: set[str]) -> bool:
    if "indicator" in cond:
        return cond["indicator"] in present
    if "tag" in cond:
        return bool(_matching(doc, present, lambda ind: cond["tag"] in ind.get("tags", [])))
    if "domain" in cond:
        dom = cond["domain"]
        return bool(
            _matching(
                doc, present, lambda ind: ind["domain"] == dom or dom in ind.get("topics", [])
            )
        )
    if "count" in cond:
        spec = cond["count"]
        hits = []
        for ind in doc["indicators"]:
            if ind["id"] not in present:
                continue
            if "level" in spec and ind["level"] != spec["level"]:
                continue
            if "min_level" in spec and ind["level"] < spec["min_level"]:
                continue
            if "tag" in spec and spec["tag"] not in ind.get("tags", []):
                continue
            if "domain" in spec and not (
                ind["domain"] == spec["domain"] or spec["domain"] in ind.get("topics", [])
            ):
                continue
            hits.append(ind)
        if len(hits) < spec["at_least"]:
            return False
        if "distinct_domains" in spec:
            return bool(len({ind["domain"] for ind in hits}) >= spec["distinct_domains"])
        return True
    if "measure" in cond:
        spec = cond["measure"]
        value = case["measures"][spec["id"]]
        if "at_least" in spec:
            return bool(value >= spec["at_least"])
        if "more_than" in spec:
            return bool(value > spec["more_than"])
        if "at_most" in spec:
            return bool(value <= spec["at_most"])
        return bool(value < spec["less_than"])
    if "age" in cond:
        spec = cond["age"]
        child = case.get("child", {})
        if child.get("unborn"):
            return "under_months" in spec or "under_years" in spec
        age = _age_months(child)
        if age is None:
            raise ValueError("the naive loop needs a known age")
        if "under_months" in spec:
            return bool(age < spec["under_months"])
        if "under_years" in spec:
            return bool(age < spec["under_years"] * 12)
        if "at_least_months" in spec:
            return bool(age >= spec["at_least_months"])
        return bool(age >= spec["at_least_years"] * 12)
    if "unborn" in cond:
        return bool(case.get("child", {}).get("unborn", False) == cond["unborn"])
    if "all" in cond:
        return all(_holds(c, doc, case, present) for c in cond["all"])
    if "any" in cond:
        return any(_holds(c, doc, case, present) for c in cond["any"])
    if "not" in cond:
        return not _holds(cond["not"], doc, case, present)
    raise ValueError(f"unknown condition {sorted(cond)}")


def _compare(value: float, spec: Mapping[str, Any]) -> bool:
    if "at_least" in spec:
        return bool(value >= spec["at_least"])
    if "more_than" in spec:
        return bool(value > spec["more_than"])
    if "at_most" in spec:
        return bool(value <= spec["at_most"])
    return bool(value < spec["less_than"])


def assess(doc: Doc, case: Mapping[str, Any]) -> tuple[int, bool, tuple[str, ...]]:
    """Level, urgent and pathways for one case, straight from the raw YAML document."""
    present = {i if isinstance(i, str) else i["id"] for i in case.get("indicators", ())}
    measures = case.get("measures", {})
    for measure in doc.get("measures", ()):
        value = measures.get(measure["id"])
        for imp in measure.get("implies", ()) if value is not None else ():
            if _compare(value, imp):  # a recorded value can imply a concern
                present.add(imp["indicator"])
    level = 1
    urgent = False
    for ind in doc["indicators"]:
        if ind["id"] in present:
            level = max(level, ind["level"])
            urgent = urgent or bool(ind.get("urgent", False))  # an urgent concern
    safety = doc["safety"]
    danger = safety["immediate_danger"]
    rules = [
        {
            "id": "safety.immediate-danger",
            "when": {"tag": danger["tag"]},
            "then": {"level": 4, "urgent": True, "pathways": danger["pathways"]},
        },
        {
            "id": "safety.allegation",
            "when": {"tag": safety["allegation"]["tag"]},
            "then": {"pathways": safety["allegation"]["pathways"]},
        },
        *doc.get("rules", []),
    ]
    lead: list[str] = []  # emergency and statutory routes: safety, urgent or top-level rules
    follow: list[str] = []  # every other fired rule's
    replaced: set[str] = set()
    kept: set[str] = set()  # a safety route's pathways are never replaced
    top = max(lv["level"] for lv in doc["levels"])
    for rule in rules:
        if not _holds(rule["when"], doc, case, present):
            continue
        then = rule["then"]
        replaced.update(then.get("instead_of", ()))
        safety_route = rule["id"].startswith("safety.")
        if safety_route:
            kept.update(then.get("pathways", ()))
        if then.get("level") and then["level"] > level:
            level = then["level"]
        urgent = urgent or bool(then.get("urgent", False))
        first = safety_route or then.get("urgent", False) or then.get("level") == top
        (lead if first else follow).extend(then.get("pathways", []))
    own = [p for lv in doc["levels"] if lv["level"] == level for p in lv.get("pathways", [])]
    # the recommendation order: emergency and statutory routes, the top level's own, the
    # follow-up routes, a lower level's own; each pathway where it first appears
    ordered = [*lead, *own, *follow] if level == top else [*lead, *follow, *own]
    pathways = list(dict.fromkeys(ordered))
    return level, urgent, tuple(p for p in pathways if p not in replaced - kept)


def check_agreement(doc: Doc, ruleset: Any, cases: Sequence[Mapping[str, Any]]) -> int:
    """Assert the naive loop agrees with the reference engine; returns the number checked."""
    for n, case in enumerate(cases):
        decision = ruleset.assess(dict(case))
        expected = (decision.level, decision.urgent, tuple(p.id for p in decision.pathways))
        got = assess(doc, case)
        if got != expected:
            raise AssertionError(
                f"naive loop disagrees with the reference engine on case {n}: "
                f"naive={got} reference={expected}"
            )
    return len(cases)

# SPDX-License-Identifier: MIT
"""The lint checks that need the solver: what no case can reach, and rules other rules subsume.

Structural checks are in ``rhrt.rules.lint``; these answer questions about *every* case, so
they use the z3 encoding of the plan (``rhrt.prove._encode``):

* ``dead-rule`` (error): no case makes the rule fire;
* ``fires-only-when-missing`` (warning): only a case with the age or a measure unrecorded
  makes it fire;
* ``subsumed-rule`` (warning): whenever the rule fires, another rule fires too and does at
  least as much (a level at least as high, urgent if it is, every pathway it gives);
* ``conflict`` (warning): as in ``rhrt prove`` (``no-conflicts``);
* ``unreachable-pathway`` (warning): no case recommends the pathway;
* ``indicator-never-decides`` (info): no case makes the indicator one that decides the level.
"""

from __future__ import annotations

from typing import Any

import z3

from rhrt.prove._encode import Encoder, SymCase
from rhrt.prove._prover import _Prover
from rhrt.rules.lint import Finding
from rhrt.rules.plan import CompiledRule
from rhrt.ruleset import Ruleset

Z = Any


def semantic_findings(ruleset: Ruleset, timeout_seconds: float = 60.0) -> list[Finding]:
    """Every solver-backed finding for ``ruleset``, in a stable order."""
    plan, model = ruleset.plan, ruleset.model
    safety = len(plan.rules) - len(model.rules)
    where = {r.id: (f"rules[{n - safety}]" if not r.safety else "safety")
             for n, r in enumerate(plan.rules)}
    c = SymCase.fresh(plan, "case")
    out = Encoder(plan).outcome(c, determining=True)
    solver = z3.Solver()
    solver.set(timeout=max(1, int(timeout_seconds * 1000)))
    solver.add(c.well_formed(plan))

    def possible(*goal: Z) -> bool:
        solver.push()
        solver.add(*goal)
        answer = solver.check()
        solver.pop()
        return bool(answer != z3.unsat)  # unknown: no finding (never a false alarm)

    findings: list[Finding] = []
    complete = z3.And(c.information())
    live: list[CompiledRule] = []
    for rule in plan.rules[safety:]:
        fired = out.fired[rule.id]
        if not possible(fired):
            findings.append(Finding("dead-rule", f"rule '{rule.id}' can never fire", "error",
                                    where[rule.id]))
            continue
        live.append(rule)
        if not possible(complete, fired):
            findings.append(Finding(
                "fires-only-when-missing",
                f"rule '{rule.id}' fires only when information is missing: no case with every "
                "fact recorded makes it fire", "warning", where[rule.id],
            ))
    for b in live:
        for a in plan.rules:
            if a is b or not _covers(a, b):
                continue
            if _covers(b, a) and plan.rules.index(a) > plan.rules.index(b):
                continue  # the same rule twice: reported once, on the later one
            if not possible(out.fired[b.id], z3.Not(out.fired[a.id])):
                findings.append(Finding(
                    "subsumed-rule",
                    f"rule '{b.id}' adds nothing: whenever it fires, '{a.id}' fires too and "
                    "does at least as much", "warning", where[b.id],
                ))
                break
    prover = _Prover(ruleset, timeout_seconds)
    conflicts = prover.p_no_conflicts()
    for cex in conflicts.counterexamples:
        findings.append(Finding("conflict", cex.description, "warning", where[cex.subject[0]]))
    for n, pw in enumerate(model.pathways):
        if pw.id not in out.pathway or not possible(out.pathway[pw.id]):
            findings.append(Finding("unreachable-pathway", f"no case reaches pathway '{pw.id}'",
                                    "warning", f"pathways[{n}]"))
    for n, ind in enumerate(model.indicators):
        if not prover._determines_alone(ind.id) and not possible(out.determining[ind.id]):
            findings.append(Finding(
                "indicator-never-decides",
                f"indicator '{ind.id}' never decides a level: whenever it is present something "
                "else decides it", "info", f"indicators[{n}]",
            ))
    return findings


def _covers(a: CompiledRule, b: CompiledRule) -> bool:
    """``a``'s outcome includes ``b``'s: a level at least as high, urgency, every pathway."""
    if b.level is not None and (a.level is None or a.level < b.level):
        return False
    if b.urgent and not a.urgent:
        return False
    return set(b.pathways) <= set(a.pathways)

# SPDX-License-Identifier: MIT
"""Ask z3 for a case that breaks each property; minimise and check it with the reference engine.

Each property is a question "is there a case where ... goes wrong?". *unsat* is a proof for
every case; *sat* gives a model, which is minimised (fewest concerns, then fewest recorded
facts) with z3's optimiser, turned into valid case data, and then run through the reference
engine: the breach must show there too, or the encoding is wrong and ``BackendError`` says so
(a proof is only as good as its agreement with the engines).

Definitions (also in docs/rule-authors.md):

* An *emergency or statutory route* is a pathway of a safety route (immediate danger,
  allegation), of level 4 itself (``levels[4].pathways``), or of a rule that sets level 4 or
  urgency. It is *held* in a decision when one of those recommends it there; the properties
  say a held route is still recommended after a concern is added (or a fact recorded). A
  pathway recommended only as a lower level's own response goes when the level rises.
* A *conflict*: a rule recommends a pathway that is a level's own response (listed under
  ``levels[n].pathways`` and under no higher level) while, in the same case, another rule (or
  the same rule, or a concern) puts the child above level n: the decision would recommend the
  lower level's response and the higher level together.
* An indicator is *reached* when some case makes it a determining indicator (the explanation
  names it); a rule when some case with every fact recorded makes it fire; a pathway when some
  case recommends it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import z3

from rhrt.engine.reference import evaluate
from rhrt.errors import BackendError
from rhrt.explain import determining_indicators
from rhrt.model.scale import CONTEXT_FLAGS, CP_CATEGORIES, STEPPED_DOWN_FROM
from rhrt.prove import PROPERTIES
from rhrt.prove._encode import MAX_AGE_MONTHS, Encoder, Outcome, SymCase, refines
from rhrt.prove._report import Counterexample, PropertyResult, Report, Status, clean
from rhrt.rules.lint import EMERGENCY_CODES, broken_promises
from rhrt.rules.plan import AgeCmp, ContextIs, MeasureCmp, Plan, walk
from rhrt.rules.semantics import TOP_LEVEL, Evaluation, measure_direction, sets_route
from rhrt.ruleset import Ruleset

Z = Any
CaseData = dict[str, Any]


def run(ruleset: Ruleset, properties: Sequence[str], timeout_seconds: float) -> Report:
    prover = _Prover(ruleset, timeout_seconds)
    start = time.perf_counter()
    results = []
    for pid in properties:
        t0 = time.perf_counter()
        result = getattr(prover, "p_" + pid.replace("-", "_"))()
        results.append(_timed(result, time.perf_counter() - t0))
    return Report(
        ruleset=clean(f"{ruleset.id} {ruleset.version}"),
        results=tuple(results),
        seconds=time.perf_counter() - start,
        solver=f"z3 {z3.get_version_string()}",
    )


def _timed(result: PropertyResult, seconds: float) -> PropertyResult:
    return PropertyResult(
        result.id, result.title, result.status, result.counterexamples, result.problems, seconds
    )


def protected_routes(ruleset: Ruleset) -> set[str]:
    """Emergency and statutory routes (see the module docstring)."""
    return set(route_sources(ruleset))


_TOP_OWN = f"level-{TOP_LEVEL}"
"""How the fold names the top level's own pathways among a recommendation's reasons."""


def route_sources(ruleset: Ruleset) -> dict[str, set[str]]:
    """Route → what recommends it *as* an emergency or statutory route: the ids of safety
    routes and of rules setting level 4 or urgency, and ``level-4`` for level 4's own pathways.

    A pathway recommended only for another reason (e.g. it is also level 1's own response) is
    not held by the route properties: it goes when the level rises, as it should.
    """
    plan = ruleset.plan
    out: dict[str, set[str]] = {}
    for p in plan.level_pathways.get(TOP_LEVEL, ()):
        out.setdefault(p, set()).add(_TOP_OWN)
    for rule in plan.rules:
        if sets_route(rule):
            for p in rule.pathways:
                out.setdefault(p, set()).add(rule.id)
    return out


def _as_route(sources: dict[str, set[str]], route: str, out: Outcome) -> Z:
    """The decision recommends ``route`` as an emergency or statutory route."""
    terms = [out.level == TOP_LEVEL if src == _TOP_OWN else out.fired[src]
             for src in sorted(sources[route])]
    # recommended at all: a route replacement (then.instead_of) may have dropped it
    return z3.And(out.pathway[route], z3.Or(terms))


def _told(out: Outcome, route: str) -> Z:
    """The route is recommended, or replaced by a route that says who to tell instead (a rule's
    ``then.instead_of``, checked by ``rules.load``): either way the decision acts on it."""
    replaced = out.replaced.get(route)
    return out.pathway[route] if replaced is None else z3.Or(out.pathway[route], replaced)


def _held(sources: dict[str, set[str]], ev: Evaluation) -> set[str]:
    """Routes an evaluation recommends as emergency or statutory routes."""
    return {p for p, why in ev.pathways.items() if sources.get(p, set()) & set(why)}


def own_level(plan: Plan) -> dict[str, int]:
    """Pathway → the highest level whose own response (``levels[n].pathways``) it is."""
    out: dict[str, int] = {}
    for n, ids in plan.level_pathways.items():
        for p in ids:
            out[p] = max(out.get(p, 0), n)
    return out


class _Prover:
    def __init__(self, ruleset: Ruleset, timeout_seconds: float) -> None:
        self.ruleset = ruleset
        self.plan = ruleset.plan
        self.enc = Encoder(self.plan)
        self.timeout_ms = max(1, int(timeout_seconds * 1000))
        self.sources = route_sources(ruleset)
        self.routes = sorted(self.sources)
        self._age_points, self._measure_points, self._months_points = _thresholds(self.plan)
        self._names = {r.id: r for r in self.plan.rules}

    # -- solving --------------------------------------------------------------------------

    def _solve(self, constraints: list[Z], cases: Sequence[SymCase]) -> z3.ModelRef | str | None:
        """A minimal model of ``constraints``, None when unsatisfiable, "unknown" on timeout."""
        solver = z3.Solver()
        solver.set(timeout=self.timeout_ms)
        solver.add(constraints)
        answer = solver.check()
        if answer == z3.unsat:
            return None
        if answer != z3.sat:
            return "unknown"
        opt = z3.Optimize()
        opt.set(timeout=self.timeout_ms)
        opt.add(constraints)
        opt.minimize(z3.Sum([z3.If(p, 1, 0) for p in cases[-1].present.values()]))
        opt.minimize(z3.Sum([z3.If(k, 1, 0) for c in cases for k in c.information()]))
        if opt.check() == z3.sat:
            return opt.model()
        return solver.model()  # pragma: no cover - the optimiser timed out: still a breach

    def _wf(self, *cases: SymCase) -> list[Z]:
        return [f for c in cases for f in c.well_formed(self.plan)]

    # -- reading models -------------------------------------------------------------------

    def _case(self, model: z3.ModelRef, c: SymCase) -> CaseData:
        """Valid case data for the symbolic case in ``model``."""
        def val(x: Z) -> Any:
            return model.eval(x, model_completion=True)

        data: CaseData = {}
        ids = [i for i in self.plan.indicator_order if z3.is_true(val(c.present[i]))]
        if z3.is_true(val(c.unborn)):
            data["child"] = {"unborn": True}
        elif z3.is_true(val(c.age_known)):
            months = _choose(_frac(val(c.age)), self._age_points, 0.0, MAX_AGE_MONTHS, False)
            data["child"] = {"age_months": months}
        if ids:
            data["indicators"] = ids
        measures = {}
        for ms, (low, high, integer) in self.plan.measures.items():
            if z3.is_true(val(c.known[ms])):
                points = self._measure_points.get(ms, [])
                measures[ms] = _choose(_frac(val(c.value[ms])), points, low, high, integer)
        if measures:
            data["measures"] = measures
        context = _context_data(c, val, self._months_points)
        if context:
            data["context"] = context
        return data

    def _evaluate(self, data: CaseData) -> Evaluation:
        case = self.ruleset.validate_case(data)
        return evaluate(self.plan, self.ruleset.facts(case))

    def _confirm(self, shown: bool, pid: str) -> None:
        if not shown:
            raise BackendError(
                f"rhrt prove: the encoding and the reference engine disagree on property "
                f"'{pid}'; please report this (the proof cannot be trusted)"
            )

    # -- words ----------------------------------------------------------------------------

    def _ind(self, ind: str) -> str:
        return f"'{ind}' (level {self.plan.indicator_level[ind]})"

    def _describe(self, data: CaseData) -> str:
        child = data.get("child", {})
        if child.get("unborn"):
            who = "an unborn baby"
        elif "age_months" in child:
            months = child["age_months"]
            who = f"a child aged {months:g} months" if months < 24 else (
                f"a child aged {months / 12:g} years"
            )
        else:
            who = "a child whose age is not recorded"
        ids = data.get("indicators", [])
        text = who + (
            " with " + ", ".join(self._ind(i) for i in ids) if ids else " with no concerns"
        )
        for name, value in sorted(data.get("measures", {}).items()):
            text += f"; {name} = {value:g}"
        for name, value in data.get("context", {}).items():
            text += f"; {name} = {value if isinstance(value, str) else str(value).lower()}"
        return text

    def _why(self, ev: Evaluation) -> str:
        fired = [r.rule.id for r in ev.fired if not r.rule.safety or r.rule.level is not None]
        return "rules fired: " + ", ".join(fired) if fired else "no rule fired"

    # -- properties -----------------------------------------------------------------------

    def _result(
        self, pid: str, cexes: list[Counterexample], problems: Sequence[str] = (),
        unknown: bool = False,
    ) -> PropertyResult:
        status: Status = "failed" if cexes or problems else ("unknown" if unknown else "proved")
        return PropertyResult(pid, PROPERTIES[pid], status, tuple(cexes), tuple(problems))

    def p_no_concerns(self) -> PropertyResult:
        c = SymCase.fresh(self.plan, "case")
        out = self.enc.outcome(c)
        goal = [*self._wf(c), *(z3.Not(p) for p in c.present.values()), out.level != 1]
        model = self._solve(goal, [c])
        if not isinstance(model, z3.ModelRef):
            return self._result("no-concerns", [], unknown=model == "unknown")
        data = self._case(model, c)
        ev = self._evaluate(data)
        self._confirm(ev.level != 1, "no-concerns")
        text = f"For {self._describe(data)} the level is {ev.level}, not 1 ({self._why(ev)})."
        cex = Counterexample("no-concerns", text, (("case", data),), "no-concerns")
        return self._result("no-concerns", [cex])

    def _adding(self) -> tuple[SymCase, SymCase, Outcome, Outcome, list[Z]]:
        before = SymCase.fresh(self.plan, "before")
        after = before.with_present(
            {i: z3.Bool(f"after.i.{i}") for i in self.plan.indicator_order}
        )
        base = self._wf(before)
        base += [z3.Implies(before.present[i], after.present[i]) for i in before.present]
        added = [(z3.And(after.present[i], z3.Not(before.present[i])), 1) for i in before.present]
        base.append(z3.PbEq(added, 1))
        return before, after, self.enc.outcome(before), self.enc.outcome(after), base

    def _adding_cex(
        self, pid: str, model: z3.ModelRef, before: SymCase, after: SymCase,
        check: Callable[[Evaluation, Evaluation], bool], what: Callable[[Evaluation, Evaluation],
                                                                      str],
        breach: str, subject: tuple[str, ...] = (),
    ) -> Counterexample:
        b, a = self._case(model, before), self._case(model, after)
        extra = next(i for i in a.get("indicators", []) if i not in b.get("indicators", []))
        eb, ea = self._evaluate(b), self._evaluate(a)
        self._confirm(check(eb, ea), pid)
        text = (
            f"Adding the concern {self._ind(extra)} to {self._describe(b)} {what(eb, ea)}. "
            f"Before: {self._why(eb)}. After: {self._why(ea)}."
        )
        return Counterexample(pid, text, (("before", b), ("after", a)), breach, subject)

    def p_adding_a_concern(self) -> PropertyResult:
        before, after, ob, oa, base = self._adding()
        model = self._solve([*base, oa.level < ob.level], [before, after])
        if not isinstance(model, z3.ModelRef):
            return self._result("adding-a-concern", [], unknown=model == "unknown")
        cex = self._adding_cex(
            "adding-a-concern", model, before, after,
            lambda eb, ea: ea.level < eb.level,
            lambda eb, ea: f"LOWERS the level from {eb.level} to {ea.level}", "level",
        )
        return self._result("adding-a-concern", [cex])

    def p_adding_keeps_urgency(self) -> PropertyResult:
        before, after, ob, oa, base = self._adding()
        model = self._solve([*base, ob.urgent, z3.Not(oa.urgent)], [before, after])
        if not isinstance(model, z3.ModelRef):
            return self._result("adding-keeps-urgency", [], unknown=model == "unknown")
        cex = self._adding_cex(
            "adding-keeps-urgency", model, before, after,
            lambda eb, ea: eb.urgent and not ea.urgent,
            lambda eb, ea: "makes the decision NO LONGER URGENT", "urgency",
        )
        return self._result("adding-keeps-urgency", [cex])

    def p_adding_keeps_routes(self) -> PropertyResult:
        before, after, ob, oa, base = self._adding()
        cexes: list[Counterexample] = []
        unknown = False
        for route in self.routes:
            goal = [*base, _as_route(self.sources, route, ob), z3.Not(_told(oa, route))]
            model = self._solve(goal, [before, after])
            if model == "unknown":
                unknown = True
            if not isinstance(model, z3.ModelRef):
                continue
            cexes.append(self._adding_cex(
                "adding-keeps-routes", model, before, after, _loses(self.sources, route),
                _says(f"REMOVES the pathway '{route}'"), "route", (route,),
            ))
        return self._result("adding-keeps-routes", cexes, unknown=unknown)

    def p_raising_a_measure(self) -> PropertyResult:
        """Per measure: a more concerning value (higher, or lower for a measure the rules only
        test with ``at_most``/``less_than``) never lowers the level, all else equal."""
        pid = "raising-a-measure"
        if not self.plan.measures:
            return PropertyResult(pid, PROPERTIES[pid], "n/a")
        cexes: list[Counterexample] = []
        unknown = False
        for ms in self.plan.measures:
            before = SymCase.fresh(self.plan, "before")
            value = z3.Real(f"after.m.{ms}")
            # all else equal means the same *recorded* concerns: a concern the raised value
            # implies (measures[].implies) is present after but need not be before, exactly as
            # the engines read the two cases (SymCase.read_from)
            recorded = {i: z3.Bool(f"recorded.i.{i}") for i in self.plan.indicator_order}
            after_present = {i: z3.Bool(f"after.i.{i}") for i in self.plan.indicator_order}
            after = SymCase(after_present, before.known, {**before.value, ms: value},
                            before.unborn, before.age_known, before.age, before.context)
            worse = value > before.value[ms] if measure_direction(self.plan, ms) > 0 else (
                value < before.value[ms]
            )
            ob, oa = self.enc.outcome(before), self.enc.outcome(after)
            goal = [*self._wf(before, after), *before.read_from(self.plan, recorded),
                    *after.read_from(self.plan, recorded), before.known[ms], worse,
                    oa.level < ob.level]
            model = self._solve(goal, [before, after.with_present(recorded)])
            unknown = unknown or model == "unknown"
            if not isinstance(model, z3.ModelRef):
                continue
            # both cases written with the recorded concerns: the engines add implied ones
            b = self._case(model, before.with_present(recorded))
            a = self._case(model, after.with_present(recorded))
            eb, ea = self._evaluate(b), self._evaluate(a)
            self._confirm(ea.level < eb.level, pid)
            verb = "Raising" if measure_direction(self.plan, ms) > 0 else "Lowering"
            text = (
                f"{verb} {ms} from {b['measures'][ms]:g} to {a['measures'][ms]:g} for "
                f"{self._describe(b)} LOWERS the level from {eb.level} to {ea.level}. "
                f"Before: {self._why(eb)}. After: {self._why(ea)}."
            )
            cexes.append(Counterexample(pid, text, (("before", b), ("after", a)), "level", (ms,)))
        return self._result(pid, cexes, unknown=unknown)

    def p_missing_information(self) -> PropertyResult:
        partial = SymCase.fresh(self.plan, "missing")
        full = SymCase.fresh(self.plan, "complete")
        op, of = self.enc.outcome(partial), self.enc.outcome(full)
        worse = [of.level > op.level, z3.And(of.urgent, z3.Not(op.urgent))]
        worse += [z3.And(_as_route(self.sources, p, of), z3.Not(_told(op, p)))
                  for p in self.routes]
        goal = [*self._wf(partial, full), *refines(full, partial), z3.Or(worse)]
        model = self._solve(goal, [partial, full])
        if not isinstance(model, z3.ModelRef):
            return self._result("missing-information", [], unknown=model == "unknown")
        p_data, f_data = self._case(model, partial), self._case(model, full)
        ep, ef = self._evaluate(p_data), self._evaluate(f_data)
        lost = sorted(p for p in _held(self.sources, ef)
                      if p not in ep.pathways and p not in ep.replaced)
        self._confirm(ef.level > ep.level or (ef.urgent and not ep.urgent) or bool(lost),
                      "missing-information")
        subject: tuple[str, ...]
        if ef.level > ep.level:
            what, breach, subject = f"LOWERS the level from {ef.level} to {ep.level}", "level", ()
        elif ef.urgent and not ep.urgent:
            what, breach, subject = "makes the decision NO LONGER URGENT", "urgency", ()
        else:
            what, breach, subject = f"REMOVES the pathway '{lost[0]}'", "route", (lost[0],)
        text = (
            f"For {self._describe(f_data)}, leaving information unrecorded (the case "
            f"becomes {self._describe(p_data)}) {what}. Complete: {self._why(ef)}. "
            f"Missing: {self._why(ep)}."
        )
        cex = Counterexample("missing-information", text,
                             (("complete", f_data), ("missing", p_data)), breach, subject)
        return self._result("missing-information", [cex])

    def _route_property(self, pid: str, tag: str, pathways: Sequence[str], danger: bool
                        ) -> PropertyResult:
        ids = [i.id for i in self.ruleset.model.indicators if tag in i.tags]
        # what stops the promise whatever the cases (rules.lint.broken_promises): no indicator
        # to record it with; for immediate danger, no emergency pathway on the route
        route = "immediate_danger" if danger else "allegation"
        broken = [
            f.message for f in broken_promises(self.ruleset.model)
            if f.path == f"safety.{route}" or (danger and f.code in EMERGENCY_CODES)
        ]
        if not ids:
            return self._result(pid, [], broken)
        c = SymCase.fresh(self.plan, "case")
        out = self.enc.outcome(c)
        bad = [z3.Not(out.pathway[p]) if p in out.pathway else z3.BoolVal(True)
               for p in pathways]
        if danger:
            bad += [out.level != 4, z3.Not(out.urgent)]
        goal = [*self._wf(c), z3.Or([c.present[i] for i in ids]), z3.Or(bad)]
        model = self._solve(goal, [c])
        if not isinstance(model, z3.ModelRef):
            return self._result(pid, [], broken, unknown=model == "unknown")
        data = self._case(model, c)
        ev = self._evaluate(data)
        problems = [f"no '{p}' pathway" for p in pathways if p not in ev.pathways]
        if danger and ev.level != 4:
            problems.insert(0, f"level {ev.level}")
        if danger and not ev.urgent:
            problems.insert(0, "not urgent")
        self._confirm(bool(problems), pid)
        text = f"{self._describe(data)[0].upper()}{self._describe(data)[1:]} gets " + (
            "; ".join(problems) + "."
        )
        cex = Counterexample(pid, text, (("case", data),), "danger" if danger else "allegation")
        return self._result(pid, [cex], broken)

    def p_immediate_danger(self) -> PropertyResult:
        route = self.ruleset.model.safety.immediate_danger
        return self._route_property("immediate-danger", route.tag, route.pathways, True)

    def p_allegation(self) -> PropertyResult:
        route = self.ruleset.model.safety.allegation
        return self._route_property("allegation", route.tag, route.pathways, False)

    def p_reachable(self) -> PropertyResult:
        plan = self.plan
        c = SymCase.fresh(plan, "case")
        out = self.enc.outcome(c, determining=True)
        solver = z3.Solver()
        solver.set(timeout=self.timeout_ms)
        solver.add(self._wf(c))
        unknown = False

        def possible(*goal: Z) -> bool:
            nonlocal unknown
            solver.push()
            solver.add(*goal)
            answer = solver.check()
            solver.pop()
            unknown = unknown or bool(answer == z3.unknown)
            return bool(answer != z3.unsat)  # unknown counts as reachable: never a false alarm

        problems: list[str] = []
        complete = z3.And(c.information())
        for ind in plan.indicator_order:
            if self._determines_alone(ind):
                continue
            if not possible(out.determining[ind]):
                problems.append(
                    f"indicator {self._ind(ind)} never decides a level: whenever it is present "
                    f"something else decides the level"
                )
        for rule in plan.rules:
            if possible(complete, out.fired[rule.id]):
                continue
            if possible(out.fired[rule.id]):
                problems.append(
                    f"rule '{rule.id}' fires only when information is missing: no case with "
                    f"every fact recorded makes it fire"
                )
            else:
                problems.append(f"rule '{rule.id}' can never fire")
        for pw in self.ruleset.model.pathways:
            if pw.id not in out.pathway or not possible(out.pathway[pw.id]):
                problems.append(f"no case reaches pathway '{pw.id}'")
        return self._result("reachable", [], problems, unknown=unknown)

    def _determines_alone(self, ind: str) -> bool:
        """Quick witness: the indicator alone (age unknown) makes it determining."""
        data: CaseData = {"indicators": [ind]}
        case = self.ruleset.validate_case(data)
        facts = self.ruleset.facts(case)
        found = determining_indicators(self.plan, facts, evaluate(self.plan, facts))
        return ind in found

    def p_no_conflicts(self) -> PropertyResult:
        plan = self.plan
        own = own_level(plan)
        c = SymCase.fresh(plan, "case")
        out = self.enc.outcome(c)
        cexes: list[Counterexample] = []
        unknown = False
        for a in plan.rules:
            for p in a.pathways:
                if p not in own:
                    continue
                n = own[p]
                for b in plan.rules:
                    if b.level is None or b.level <= n:
                        continue
                    goal = [*self._wf(c), out.fired[a.id], out.fired[b.id]]
                    model = self._solve(goal, [c])
                    unknown = unknown or model == "unknown"
                    if not isinstance(model, z3.ModelRef):
                        continue
                    data = self._case(model, c)
                    ev = self._evaluate(data)
                    fired = {r.rule.id for r in ev.fired}
                    self._confirm(a.id in fired and b.id in fired and p in ev.pathways
                                  and ev.level > n, "no-conflicts")
                    who = "itself" if a.id == b.id else f"rule '{b.id}'"
                    text = (
                        f"For {self._describe(data)}, rule '{a.id}' recommends '{p}' (the level "
                        f"{n} response) while {who} puts the child at level {b.level}: the "
                        f"decision recommends both."
                    )
                    cexes.append(Counterexample("no-conflicts", text, (("case", data),),
                                                "conflict", (a.id, b.id, p)))
        return self._result("no-conflicts", cexes, unknown=unknown)


# -- values --------------------------------------------------------------------------------


def _thresholds(plan: Plan) -> tuple[list[float], dict[str, list[float]], list[float]]:
    """Every value a comparison reads a case's facts against: ages (months), per measure, and
    context recency (months) - the rules' comparisons *and* the implications
    (``measures[].implies``, ``context.implies``), which the engines apply to every case. A
    number written into a counterexample must stay on the same side of each of them."""
    ages: set[float] = set()
    measures: dict[str, set[float]] = {}
    months: set[float] = set()
    for rule in plan.rules:
        for node in walk(rule.condition):
            if isinstance(node, AgeCmp):
                ages.add(node.months)
            elif isinstance(node, MeasureCmp):
                measures.setdefault(node.measure, set()).add(node.value)
            elif isinstance(node, ContextIs) and node.within_months is not None:
                months.add(node.within_months)
    for imp in plan.implications:
        measures.setdefault(imp.measure, set()).add(imp.value)
    for cimp in plan.context_implications:
        if cimp.within_months is not None:
            months.add(cimp.within_months)
    return sorted(ages), {k: sorted(v) for k, v in measures.items()}, sorted(months)


def _context_data(c: SymCase, val: Any, months_points: Sequence[float]) -> dict[str, Any]:
    """The ``context`` of valid case data for the symbolic context (only what it records)."""
    ctx = c.context
    out: dict[str, Any] = {}
    for f in CONTEXT_FLAGS:
        if z3.is_true(val(ctx.flag_known[f])):
            out[f] = z3.is_true(val(ctx.flag[f]))
    if z3.is_true(val(ctx.cp_known)):
        k = val(ctx.cp).as_long()
        out["child_protection_plan"] = "none" if k == 0 else CP_CATEGORIES[k - 1]
    if z3.is_true(val(ctx.sd_known)):
        k = val(ctx.sd).as_long()
        out["stepped_down_from"] = "none" if k == 0 else STEPPED_DOWN_FROM[k - 1]
        if k != 0:
            out["stepped_down_months_ago"] = _choose(
                _frac(val(ctx.months)), months_points, 0.0, MAX_AGE_MONTHS, False
            )
        if z3.is_true(val(ctx.sd_cat_known)):
            out["stepped_down_category"] = CP_CATEGORIES[val(ctx.sd_cat).as_long() - 1]
    return out


def _frac(value: Z) -> Fraction:
    return Fraction(value.as_fraction())


def _choose(
    exact: Fraction, points: Sequence[float], low: float, high: float, integer: bool
) -> float:
    """A float equal to ``exact`` for every comparison the rules make (a round one if possible).

    The solver works in exact rationals; a case holds floats. The chosen float lies on the
    same side of (or on) every threshold as ``exact``, inside the range, whole when the
    measure is.
    """

    def side(x: Fraction) -> tuple[int, ...]:
        return tuple((x > Fraction(t)) - (x < Fraction(t)) for t in points)

    want = side(exact)
    candidates = [math.floor(exact), math.ceil(exact), float(exact)]
    for lo, hi in zip([low, *points], [*points, high], strict=True):
        candidates.append((lo + hi) / 2)
    candidates += list(points)
    for cand in candidates:
        f = Fraction(float(cand))
        if Fraction(low) <= f <= Fraction(high) and side(f) == want:
            if integer and f.denominator != 1:
                continue
            return float(f)
    return float(exact)  # pragma: no cover - the reference-engine check would catch it


def _loses(
    sources: dict[str, set[str]], route: str
) -> Callable[[Evaluation, Evaluation], bool]:
    return lambda before, after: (
        route in _held(sources, before)
        and route not in after.pathways
        and route not in after.replaced
    )


def _says(words: str) -> Callable[[Evaluation, Evaluation], str]:
    return lambda before, after: words

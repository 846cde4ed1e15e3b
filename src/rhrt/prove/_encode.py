# SPDX-License-Identifier: MIT
"""The compiled plan as z3 formulas: one symbolic case and the decision the engines give it.

Why an encoding of the *plan* (not of the YAML): the plan is what every engine evaluates, so a
proof over it is a proof about what the engines do. The encoding follows CONTRIBUTING.md
"Semantics every engine must implement" and ``rhrt.engine.reference`` exactly, and a property
test (tests/test_prove.py) checks it agrees with the reference engine on random cases.

A symbolic case (:class:`SymCase`):

* each indicator is a boolean (present or not): any set of indicators is a valid case;
* each measure is a pair (recorded?, value), the value a real number within the measure's
  range (a whole number for ``integer`` measures);
* the child is (unborn?, age recorded?, age in months), age within 0-300 months
  (``rhrt.model.case.MAX_AGE_YEARS``); an unborn child has no age;
* the context (:class:`SymContext`): the case model's own fields, each recorded or not.

A condition is encoded as two booleans (*definitely true*, *definitely false*): unknown is
neither. ``all``/``any``/``not`` are Kleene's, and a rule fires unless its condition is
definitely false.

Only this module and ``rhrt.prove`` import z3 (the ``prove`` extra); z3 values are typed ``Any``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import z3

from rhrt.model.case import MAX_AGE_YEARS
from rhrt.model.scale import CONTEXT_FLAGS, CP_CATEGORIES, STEPPED_DOWN_FROM
from rhrt.rules.plan import (
    AgeCmp,
    All,
    AnyOf,
    ContextImplied,
    ContextIs,
    Count,
    HasAny,
    IsUnborn,
    MeasureCmp,
    Node,
    Not,
    Plan,
    Visitor,
)
from rhrt.rules.semantics import (
    AGE_OF_UNBORN,
    AGE_OPERATORS,
    LEVELS,
    LOWEST_LEVEL,
    MEASURE_OPERATORS,
    recommendation_slots,
)

MAX_AGE_MONTHS = MAX_AGE_YEARS * 12

Z = Any  # a z3 expression


def q(value: float) -> Z:
    """A float threshold as the exact rational z3 compares with (no rounding)."""
    frac = Fraction(value)
    return z3.Q(frac.numerator, frac.denominator)


@dataclass
class SymContext:
    """A case's context as its fields (``rhrt.model.case.CaseContext``), each (recorded?, value):
    ``cp`` is 0 for no plan or 1-5 for a category (``CP_CATEGORIES`` order); ``sd`` 0 for none
    or 1-3 for the plan stepped down from (``STEPPED_DOWN_FROM`` order), ``sd_cat`` its
    category, ``months`` how long ago it ended."""

    flag_known: dict[str, Z]
    flag: dict[str, Z]
    cp_known: Z
    cp: Z
    sd_known: Z
    sd: Z
    sd_cat_known: Z
    sd_cat: Z
    months_known: Z
    months: Z

    @classmethod
    def fresh(cls, name: str) -> SymContext:
        return cls(
            flag_known={f: z3.Bool(f"{name}.ctx.known.{f}") for f in CONTEXT_FLAGS},
            flag={f: z3.Bool(f"{name}.ctx.{f}") for f in CONTEXT_FLAGS},
            cp_known=z3.Bool(f"{name}.ctx.known.cp"),
            cp=z3.Int(f"{name}.ctx.cp"),
            sd_known=z3.Bool(f"{name}.ctx.known.sd"),
            sd=z3.Int(f"{name}.ctx.sd"),
            sd_cat_known=z3.Bool(f"{name}.ctx.known.sd_cat"),
            sd_cat=z3.Int(f"{name}.ctx.sd_cat"),
            months_known=z3.Bool(f"{name}.ctx.known.months"),
            months=z3.Real(f"{name}.ctx.months"),
        )

    def well_formed(self) -> list[Z]:
        """What the case model accepts: a step-down has a date and only a child protection
        plan's has a category."""
        cp_plan = 1 + STEPPED_DOWN_FROM.index("child_protection_plan")
        ended = z3.And(self.sd_known, self.sd != 0)
        return [
            self.cp >= 0, self.cp <= len(CP_CATEGORIES),
            self.sd >= 0, self.sd <= len(STEPPED_DOWN_FROM),
            self.sd_cat >= 1, self.sd_cat <= len(CP_CATEGORIES),
            self.months >= 0, self.months <= MAX_AGE_MONTHS,
            self.months_known == ended,
            z3.Implies(self.sd_cat_known, z3.And(self.sd_known, self.sd == cp_plan)),
        ]

    def state(self, state: str) -> tuple[Z, Z]:
        """(definitely true, definitely false) of a context state (``CaseContext.states``)."""
        if state in self.flag:
            known, value = self.flag_known[state], self.flag[state]
            return z3.And(known, value), z3.And(known, z3.Not(value))
        if state == "child_protection_plan":
            return z3.And(self.cp_known, self.cp != 0), z3.And(self.cp_known, self.cp == 0)
        for k, cat in enumerate(CP_CATEGORIES, start=1):
            if state == f"child_protection_plan_{cat}":
                return z3.And(self.cp_known, self.cp == k), z3.And(self.cp_known, self.cp != k)
        for k, plan in enumerate(STEPPED_DOWN_FROM, start=1):
            if state == f"stepped_down_from_{plan}":
                return z3.And(self.sd_known, self.sd == k), z3.And(self.sd_known, self.sd != k)
        cp_plan = 1 + STEPPED_DOWN_FROM.index("child_protection_plan")
        for k, cat in enumerate(CP_CATEGORIES, start=1):
            if state == f"stepped_down_from_child_protection_plan_{cat}":
                return (
                    z3.And(self.sd_known, self.sd == cp_plan, self.sd_cat_known, self.sd_cat == k),
                    z3.And(
                        self.sd_known,
                        z3.Or(self.sd != cp_plan, z3.And(self.sd_cat_known, self.sd_cat != k)),
                    ),
                )
        raise AssertionError(f"unknown context state {state}")  # pragma: no cover

    def information(self) -> list[Z]:
        return [*self.flag_known.values(), self.cp_known, self.sd_known, self.sd_cat_known]

    def refined_by(self, full: SymContext) -> list[Z]:
        """``full`` records everything this context records, with the same values."""
        out = [
            z3.Implies(self.flag_known[f], z3.And(full.flag_known[f], full.flag[f] == self.flag[f]))
            for f in CONTEXT_FLAGS
        ]
        for known, value, f_known, f_value in (
            (self.cp_known, self.cp, full.cp_known, full.cp),
            (self.sd_known, self.sd, full.sd_known, full.sd),
            (self.sd_cat_known, self.sd_cat, full.sd_cat_known, full.sd_cat),
            (self.months_known, self.months, full.months_known, full.months),
        ):
            out.append(z3.Implies(known, z3.And(f_known, f_value == value)))
        return out


@dataclass
class SymCase:
    """One symbolic case: z3 variables for everything a rule can see."""

    present: dict[str, Z]
    known: dict[str, Z]
    value: dict[str, Z]
    unborn: Z
    age_known: Z
    age: Z
    context: SymContext

    @classmethod
    def fresh(cls, plan: Plan, name: str) -> SymCase:
        return cls(
            context=SymContext.fresh(name),
            present={i: z3.Bool(f"{name}.i.{i}") for i in plan.indicator_order},
            known={ms: z3.Bool(f"{name}.known.{ms}") for ms in plan.measures},
            value={ms: z3.Real(f"{name}.m.{ms}") for ms in plan.measures},
            unborn=z3.Bool(f"{name}.unborn"),
            age_known=z3.Bool(f"{name}.age_known"),
            age=z3.Real(f"{name}.age"),
        )

    def with_present(self, present: dict[str, Z]) -> SymCase:
        """The same child and measures with other indicators (sharing the variables)."""
        return SymCase(
            present, self.known, self.value, self.unborn, self.age_known, self.age, self.context
        )

    def well_formed(self, plan: Plan) -> list[Z]:
        """What a valid case satisfies: values in range, an unborn child has no age."""
        out = [z3.Implies(self.unborn, z3.Not(self.age_known))]
        out += [self.age >= 0, self.age <= MAX_AGE_MONTHS]
        out += self.context.well_formed()
        for ms, (low, high, integer) in plan.measures.items():
            v = self.value[ms]
            out += [v >= q(low), v <= q(high)]
            if integer:
                out.append(z3.IsInt(v))
        for imp in plan.implications:
            # a recorded value that implies a concern (measures[].implies): the facts have it
            holds = MEASURE_OPERATORS[imp.op](self.value[imp.measure], q(imp.value))
            out.append(
                z3.Implies(z3.And(self.known[imp.measure], holds), self.present[imp.indicator])
            )
        for cimp in plan.context_implications:
            # a recorded context state that is a concern (context.implies): the facts have it
            out.append(z3.Implies(self.context_holds(cimp), self.present[cimp.indicator]))
        return out

    def context_holds(self, imp: ContextImplied) -> Z:
        """The context state is recorded as holding (recent enough): it implies the concern."""
        t, _ = self.context.state(imp.state)
        if imp.within_months is None:
            return t
        ctx = self.context
        return z3.And(t, ctx.months_known, ctx.months <= q(imp.within_months))

    def implied(self, plan: Plan) -> dict[str, Z]:
        """Per indicator: whether this case's recorded values imply it (measures[].implies)."""
        out: dict[str, list[Z]] = {}
        for imp in plan.implications:
            holds = MEASURE_OPERATORS[imp.op](self.value[imp.measure], q(imp.value))
            out.setdefault(imp.indicator, []).append(z3.And(self.known[imp.measure], holds))
        for cimp in plan.context_implications:
            out.setdefault(cimp.indicator, []).append(self.context_holds(cimp))
        return {i: z3.Or(parts) for i, parts in out.items()}

    def read_from(self, plan: Plan, recorded: dict[str, Z]) -> list[Z]:
        """This case's facts are the ``recorded`` indicators plus those its values imply.

        Exactly how the engines read a case: an implied concern is present whether or not it
        was recorded, and only while the value implying it holds. Two cases that share
        ``recorded`` but not values (a measure raised) may therefore
        differ in their implied concerns, as they do for the engines.
        """
        implied = self.implied(plan)
        return [
            self.present[i] == z3.Or(recorded[i], implied[i]) if i in implied
            else self.present[i] == recorded[i]
            for i in plan.indicator_order
        ]

    def information(self) -> list[Z]:
        """One boolean per recorded fact (age or unborn, each measure), for minimising."""
        return [
            z3.Or(self.unborn, self.age_known), *self.known.values(), *self.context.information()
        ]


def refines(full: SymCase, partial: SymCase) -> list[Z]:
    """``full`` records everything ``partial`` records, with the same values (and more).

    Same indicators; a recorded measure keeps its value; a recorded age keeps its value; an
    unborn child stays unborn. A child with neither an age nor ``unborn`` may turn out to be
    either (that is what *not recorded* means).
    """
    out = [full.present[i] == partial.present[i] for i in partial.present]
    for ms in partial.known:
        out.append(
            z3.Implies(
                partial.known[ms], z3.And(full.known[ms], full.value[ms] == partial.value[ms])
            )
        )
    out.append(z3.Implies(partial.unborn, full.unborn))
    out.append(
        z3.Implies(partial.age_known, z3.And(full.age_known, full.age == partial.age))
    )
    out += partial.context.refined_by(full.context)
    return out


@dataclass
class Outcome:
    """The decision for a symbolic case, as z3 terms."""

    fired: dict[str, Z]
    """Rule id → the rule fires (condition true or unknown)."""
    true: dict[str, Z]
    """Rule id → the rule's condition is definitely true."""
    at_least: dict[int, Z]
    """n → the decided level is at least n (n = 2..4)."""
    level: Z
    urgent: Z
    pathway: dict[str, Z]
    determining: dict[str, Z] = field(default_factory=dict)
    replaced: dict[str, Z] = field(default_factory=dict)
    """Pathway → a route replacement (``then.instead_of``) dropped it."""


class Encoder:
    """Encodes conditions and decisions of one plan; shares sub-terms between rules."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    # -- conditions -----------------------------------------------------------------------

    def truth(self, node: Node, c: SymCase) -> tuple[Z, Z]:
        """(definitely true, definitely false) of a condition for a symbolic case."""
        return _Truth(self, c).visit(node)

    def _count(self, node: Count, c: SymCase) -> Z:
        ids = sorted(node.ids)
        if len(ids) < node.at_least:
            return z3.BoolVal(False)
        enough = z3.PbGe([(c.present[i], 1) for i in ids], node.at_least)
        if node.distinct_domains is None:
            return enough
        by_domain: dict[str, list[Z]] = {}
        for i in ids:
            by_domain.setdefault(self.plan.indicator_domain[i], []).append(c.present[i])
        if len(by_domain) < node.distinct_domains:
            return z3.BoolVal(False)
        spread = z3.PbGe([(z3.Or(v), 1) for v in by_domain.values()], node.distinct_domains)
        return z3.And(enough, spread)

    # -- decisions ------------------------------------------------------------------------

    def outcome(self, c: SymCase, *, determining: bool = False) -> Outcome:
        """The level, urgency and pathways the engines give ``c`` (see CONTRIBUTING.md)."""
        plan = self.plan
        fired: dict[str, Z] = {}
        true: dict[str, Z] = {}
        for rule in plan.rules:
            t, f = self.truth(rule.condition, c)
            fired[rule.id] = z3.Not(f)
            true[rule.id] = t
        at_least: dict[int, Z] = {}
        for n in LEVELS[1:]:
            terms = [c.present[i] for i, lv in plan.indicator_level.items() if lv >= n]
            terms += [fired[r.id] for r in plan.rules if r.level is not None and r.level >= n]
            at_least[n] = z3.Or(terms) if terms else z3.BoolVal(False)
        level: Z = z3.IntVal(LOWEST_LEVEL)
        for n in LEVELS[1:]:
            level = z3.If(at_least[n], n, level)
        urgent_terms = [fired[r.id] for r in plan.rules if r.urgent]
        urgent_terms += [c.present[i] for i in plan.urgent_indicators]
        urgent = z3.Or(urgent_terms) if urgent_terms else z3.BoolVal(False)
        pathway: dict[str, list[Z]] = {}
        for p, source in recommendation_slots(plan):
            term = fired[plan.rules[source].id] if source >= 0 else level == -source
            pathway.setdefault(p, []).append(term)
        # route replacements (semantics._replace_routes): a rule known true drops the pathway
        # unless a safety route that fired recommends it
        dropped: dict[str, list[Z]] = {}
        for rule in plan.rules:
            for p in rule.instead_of:
                dropped.setdefault(p, []).append(true[rule.id])
        replaced: dict[str, Z] = {}
        for p, terms in dropped.items():
            if p not in pathway:
                continue
            kept = [fired[r.id] for r in plan.rules if r.safety and p in r.pathways]
            drop = z3.And(z3.Or(pathway[p]), z3.Or(terms), z3.Not(z3.Or(kept)))
            replaced[p] = drop
            pathway[p] = [z3.And(z3.Or(pathway[p]), z3.Not(drop))]
        out = Outcome(
            fired=fired,
            true=true,
            at_least=at_least,
            level=level,
            urgent=urgent,
            pathway={p: z3.Or(v) for p, v in pathway.items()},
            replaced=replaced,
        )
        if determining:
            out.determining = self._determining(c, out)
        return out

    def _determining(self, c: SymCase, out: Outcome) -> dict[str, Z]:
        """Indicator → it is a determining indicator (``explain.determining_indicators``)."""
        plan = self.plan
        result: dict[str, Z] = {}
        for i, lv in plan.indicator_level.items():
            via = [
                z3.And(out.fired[r.id], out.level == r.level)
                for r in plan.rules
                if r.level is not None and i in r.indicator_ids
            ]
            result[i] = z3.And(c.present[i], z3.Or(out.level == lv, *via))
        return result


class _Truth(Visitor[tuple[Z, Z]]):
    """A condition as (definitely true, definitely false), reading the shared semantics:
    the comparison operators and the unborn age of ``rhrt.rules.semantics``, Kleene logic."""

    def __init__(self, enc: Encoder, c: SymCase) -> None:
        self.enc = enc
        self.c = c

    def has_any(self, node: HasAny) -> tuple[Z, Z]:
        ids = sorted(node.ids)
        t = z3.Or([self.c.present[i] for i in ids]) if ids else z3.BoolVal(False)
        return t, z3.Not(t)

    def count(self, node: Count) -> tuple[Z, Z]:
        t = self.enc._count(node, self.c)
        return t, z3.Not(t)

    def measure(self, node: MeasureCmp) -> tuple[Z, Z]:
        known, v = self.c.known[node.measure], self.c.value[node.measure]
        holds = MEASURE_OPERATORS[node.op](v, q(node.value))
        return z3.And(known, holds), z3.And(known, z3.Not(holds))

    def age(self, node: AgeCmp) -> tuple[Z, Z]:
        c = self.c
        holds = AGE_OPERATORS[node.op](c.age, q(node.months))
        unborn_says = z3.BoolVal(bool(AGE_OPERATORS[node.op](AGE_OF_UNBORN, node.months)))
        born_known = z3.And(z3.Not(c.unborn), c.age_known)
        return (
            z3.Or(z3.And(c.unborn, unborn_says), z3.And(born_known, holds)),
            z3.Or(z3.And(c.unborn, z3.Not(unborn_says)), z3.And(born_known, z3.Not(holds))),
        )

    def unborn(self, node: IsUnborn) -> tuple[Z, Z]:
        # unknown when neither unborn nor an age is recorded (semantics.unborn_truth)
        c = self.c
        decided = z3.Or(c.unborn, c.age_known)
        same = c.unborn if node.value else z3.Not(c.unborn)
        return z3.And(decided, same), z3.And(decided, z3.Not(same))

    def context(self, node: ContextIs) -> tuple[Z, Z]:
        # semantics.context_truth: Kleene "and" of the state and (within_months) its recency
        t, f = self.c.context.state(node.state)
        if node.within_months is None:
            return t, f
        ctx, within = self.c.context, q(node.within_months)
        recent_t = z3.And(ctx.months_known, ctx.months <= within)
        recent_f = z3.And(ctx.months_known, ctx.months > within)
        return z3.And(t, recent_t), z3.Or(f, recent_f)

    def all(self, node: All) -> tuple[Z, Z]:
        parts = [self.visit(ch) for ch in node.children]
        return z3.And([t for t, _ in parts]), z3.Or([f for _, f in parts])

    def any(self, node: AnyOf) -> tuple[Z, Z]:
        parts = [self.visit(ch) for ch in node.children]
        return z3.Or([t for t, _ in parts]), z3.And([f for _, f in parts])

    def not_(self, node: Not) -> tuple[Z, Z]:
        t, f = self.visit(node.child)
        return f, t


def concrete(
    plan: Plan,
    present: frozenset[str],
    measures: Mapping[str, float],
    age_months: float | None,
    unborn: bool,
    name: str = "x",
    context: Mapping[str, bool] | None = None,
    stepped_down_months: float | None = None,
) -> tuple[SymCase, list[Z]]:
    """A symbolic case pinned to concrete facts (for checking the encoding against an engine)."""
    c = SymCase.fresh(plan, name)
    pins = [c.present[i] == (i in present) for i in plan.indicator_order]
    for ms in plan.measures:
        if ms in measures:
            pins += [c.known[ms], c.value[ms] == q(measures[ms])]
        else:
            pins.append(z3.Not(c.known[ms]))
    pins.append(c.unborn == unborn)
    if age_months is None:
        pins.append(z3.Not(c.age_known))
    else:
        pins += [c.age_known, c.age == q(age_months)]
    pins += _pin_context(c.context, context or {}, stepped_down_months)
    return c, pins


def _pin_context(
    ctx: SymContext, states: Mapping[str, bool], months: float | None
) -> list[Z]:
    """Pins the context fields to what ``CaseContext.states`` recorded (and the months)."""
    pins: list[Z] = []
    for f in CONTEXT_FLAGS:
        if f in states:
            pins += [ctx.flag_known[f], ctx.flag[f] == states[f]]
        else:
            pins.append(z3.Not(ctx.flag_known[f]))
    if "child_protection_plan" in states:
        value = next(
            (k for k, cat in enumerate(CP_CATEGORIES, start=1)
             if states.get(f"child_protection_plan_{cat}")),
            0,
        )
        pins += [ctx.cp_known, ctx.cp == value]
    else:
        pins.append(z3.Not(ctx.cp_known))
    plans = [f"stepped_down_from_{p}" for p in STEPPED_DOWN_FROM]
    if plans[0] in states:
        value = next((k for k, p in enumerate(plans, start=1) if states.get(p)), 0)
        pins += [ctx.sd_known, ctx.sd == value]
    else:
        pins.append(z3.Not(ctx.sd_known))
    cat = next(
        (k for k, c in enumerate(CP_CATEGORIES, start=1)
         if states.get(f"stepped_down_from_child_protection_plan_{c}")),
        None,
    )
    pins.append(ctx.sd_cat_known if cat is not None else z3.Not(ctx.sd_cat_known))
    if cat is not None:
        pins.append(ctx.sd_cat == cat)
    if months is None:
        pins.append(z3.Not(ctx.months_known))
    else:
        pins += [ctx.months_known, ctx.months == q(months)]
    return pins

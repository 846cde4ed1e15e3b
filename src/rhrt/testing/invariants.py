# SPDX-License-Identifier: MIT
"""The safety properties every levels-of-need ruleset should have, checked with hypothesis.

Why property-based: a ruleset has hundreds of indicators, and the combinations nobody wrote a
test for are where a badly placed ``not`` or a forgotten measure makes a child's level *drop*
when a concern is added. Hypothesis searches those combinations and shrinks any breach to the
smallest case that shows it, which :func:`check_invariants` then reports in plain words.

Some properties are guaranteed by the engine for every ruleset (a level is never below the
highest concern; immediate danger is level 4 and urgent; unknown information never lowers a
level); others depend on how the rules are written (adding a concern never lowers the level;
no concerns means level 1). Checking both kinds on a partnership's own file catches mistakes in
either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from rhrt._text import clean
from rhrt._words import plural
from rhrt.model.case import Case
from rhrt.model.decision import Decision
from rhrt.model.scale import (
    CONTEXT_FLAGS,
    CP_CATEGORIES,
    LOWEST_LEVEL,
    STEPPED_DOWN_FROM,
    TOP_LEVEL,
    consent_rank,
)
from rhrt.rules import semantics
from rhrt.rules.lint import broken_promises
from rhrt.rules.plan import Count, HasAny, Not, walk
from rhrt.rules.semantics import implied_indicators
from rhrt.ruleset import Ruleset
from rhrt.testing.strategies import cases, measure_values

__all__ = [
    "PROPERTIES",
    "Counterexample",
    "InvariantReport",
    "Property",
    "assert_invariants",
    "check_invariants",
    "check_property",
    "describe_case",
    "measure_direction",
]

Example = Any


@dataclass(frozen=True)
class Counterexample:
    """One breach of a property, shrunk by hypothesis to a minimal case."""

    property: str
    """The property's id, e.g. ``adding-a-concern``."""
    title: str
    """The property in words."""
    description: str
    """What went wrong, in plain words, naming indicators, levels and rules."""
    case: dict[str, Any]
    """The minimal case, as data you can paste into a test or ``rhrt assess``."""

    def __str__(self) -> str:
        return f"[{self.property}] {self.title}\n  {self.description}\n  case: {self.case}"


@dataclass(frozen=True)
class InvariantReport:
    """What :func:`check_invariants` found."""

    ruleset: str
    engine: str
    max_examples: int
    checked: tuple[str, ...]
    counterexamples: tuple[Counterexample, ...]
    not_applicable: tuple[str, ...] = ()
    """Properties with nothing to check in this ruleset (e.g. no indicator tagged allegation)."""
    broken_promises: tuple[str, ...] = ()
    """Why the ruleset cannot keep a safety promise for any case (``rules.lint.broken_promises``:
    nothing can be recorded as immediate danger or an allegation, or the immediate-danger route
    recommends no emergency pathway). Any of these fails the check."""

    @property
    def ok(self) -> bool:
        return not self.counterexamples and not self.broken_promises

    def __str__(self) -> str:
        lines = [
            f"rhrt check: {self.ruleset} ({self.engine} engine, up to {self.max_examples} "
            f"examples per property)"
        ]
        failed = {c.property for c in self.counterexamples}
        for prop in PROPERTIES:
            if prop.id in self.not_applicable:
                lines.append(f"  n/a   {prop.title} (nothing in this ruleset to check)")
            elif prop.id in self.checked:
                lines.append(f"  {'FAIL' if prop.id in failed else 'ok  '}  {prop.title}")
        for promise in self.broken_promises:
            lines.append(f"  FAIL  {promise}")
        if self.ok:
            lines.append("All properties hold.")
        elif self.counterexamples:
            lines.append(f"{plural(len(self.counterexamples), 'property')} broken; minimal cases:")
            lines.extend(str(c) for c in self.counterexamples)
        if self.broken_promises:
            lines.append(
                "This ruleset cannot keep the framework's safety promises: "
                f"{plural(len(self.broken_promises), 'problem')} above (rhrt lint shows where)."
            )
        return "\n".join(lines)


# --- how properties are checked -------------------------------------------------------------


class _Ctx:
    """The ruleset under test, the engine, and plain-words helpers."""

    def __init__(self, ruleset: Ruleset, engine: str) -> None:
        self.ruleset = ruleset
        self.engine = engine
        self._copy: Ruleset | None = None

    def assess(self, case: Case) -> Decision:
        return self.ruleset.assess(case, engine=self.engine)

    def fresh_copy(self) -> Ruleset:
        """The same ruleset compiled again, to show no state is carried between objects."""
        if self._copy is None:
            rs = self.ruleset
            self._copy = Ruleset(rs.model, sha256=rs.stamp.sha256, path=rs.path)
        return self._copy

    def ind(self, ind_id: str) -> str:
        ind = self.ruleset.catalogue.get(ind_id)
        return f"'{ind.id}' (level {ind.level})"

    def case(self, case: Case) -> str:
        return describe_case(self.ruleset, case)

    def why(self, decision: Decision) -> str:
        raised = [r for r in decision.explanation.rules if r.level is not None]
        if not raised:
            return "no rule raised it"
        return "rules fired: " + ", ".join(
            f"{r.id} (level {r.level}{', assumed ' + ' and '.join(r.assumed) if r.assumed else ''})"
            for r in raised
        )


def describe_case(ruleset: Ruleset, case: Case) -> str:
    """A case in words: the child's age, the concerns and the measures."""
    child = case.child
    if child.unborn:
        who = "an unborn baby"
    else:
        months = case.age_in_months()
        if months is None:
            who = "a child whose age is not recorded"
        elif months < 24:
            who = f"a child aged {months:g} months"
        else:
            who = f"a child aged {months / 12:g} years"
    ids = sorted(case.indicator_ids, key=ruleset.plan.indicator_order.index)
    if ids:
        levels = ruleset.plan.indicator_level
        concerns = "with " + ", ".join(f"'{i}' (level {levels[i]})" for i in ids)
    else:
        concerns = "with no concerns recorded"
    text = f"{who} {concerns}"
    if case.measures:
        text += "; " + ", ".join(f"{k} = {v:g}" for k, v in sorted(case.measures.items()))
    recorded = case.context.model_dump(exclude_none=True, mode="json")
    if recorded:
        text += "; context " + ", ".join(f"{k} = {v}" for k, v in recorded.items())
    return text


def _with(case: Case, *, indicators: Sequence[str] | None = None, **changes: Any) -> Case:
    data = case.model_dump(exclude_defaults=True)
    if indicators is not None:
        data["indicators"] = list(indicators)
    data.update(changes)
    return Case.model_validate(data)


def _ids(case: Case) -> list[str]:
    return [item.id for item in case.indicators]


@dataclass(frozen=True)
class Property:
    """A named safety property: how to generate examples and how to check one."""

    id: str
    title: str
    examples: Callable[[Ruleset], st.SearchStrategy[Example] | None]
    check: Callable[[_Ctx, Example], tuple[str, Case] | None] = field(repr=False)
    """Returns (what went wrong, the case to show) or None when the property holds."""
    engine_guaranteed: bool = False
    """True when the engine guarantees it for every valid ruleset."""


# --- the properties -------------------------------------------------------------------------


def _no_concerns_examples(ruleset: Ruleset) -> st.SearchStrategy[Example]:
    # no context either: a recorded context may imply a concern (context.implies)
    return cases(ruleset, max_indicators=0, measures=False, context=False)


def _no_concerns(ctx: _Ctx, case: Case) -> tuple[str, Case] | None:
    decision = ctx.assess(case)
    if decision.level == LOWEST_LEVEL:
        return None
    return (
        f"For {ctx.case(case)} the level is {decision.level}, not {LOWEST_LEVEL} "
        f"({ctx.why(decision)}).",
        case,
    )


def _highest_examples(ruleset: Ruleset) -> st.SearchStrategy[Example]:
    return cases(ruleset)


def _highest(ctx: _Ctx, case: Case) -> tuple[str, Case] | None:
    decision = ctx.assess(case)
    levels = ctx.ruleset.plan.indicator_level
    top = max((levels[i] for i in case.indicator_ids), default=LOWEST_LEVEL)
    if decision.level >= top:
        return None
    return (f"For {ctx.case(case)} the level is {decision.level}, below {top}.", case)


def _negated_ids(ruleset: Ruleset) -> list[str]:
    """Indicators tested under a ``not``: the only ones whose presence can stop a rule firing,
    so the search tries them first."""
    found: set[str] = set()
    for rule in ruleset.plan.rules:
        for node in walk(rule.condition):
            if isinstance(node, Not):
                for inner in walk(node.child):
                    if isinstance(inner, HasAny | Count):
                        found |= inner.ids
    return [i for i in ruleset.plan.indicator_order if i in found]


def _adding_examples(ruleset: Ruleset) -> st.SearchStrategy[Example]:
    extra: st.SearchStrategy[str] = st.sampled_from(ruleset.plan.indicator_order)
    negated = _negated_ids(ruleset)
    if negated:
        extra = st.sampled_from(negated) | extra
    return st.tuples(cases(ruleset), extra)


def _adding(ctx: _Ctx, example: tuple[Case, str]) -> tuple[str, Case] | None:
    case, extra = example
    base = _with(case, indicators=[i for i in _ids(case) if i != extra])
    more = _with(base, indicators=[*_ids(base), extra])
    before, after = ctx.assess(base), ctx.assess(more)
    if after.level >= before.level:
        return None
    return (
        f"Adding the concern {ctx.ind(extra)} to {ctx.case(base)} LOWERS the level from "
        f"{before.level} to {after.level}. Before: {ctx.why(before)}. After: {ctx.why(after)}.",
        more,
    )


def measure_direction(ruleset: Ruleset, measure: str) -> int:
    """+1 when a higher value of ``measure`` is the concern, -1 when a lower one is: the
    ruleset's plan read by :func:`rhrt.rules.semantics.measure_direction` (rule comparisons and
    ``measures[].implies``)."""
    return semantics.measure_direction(ruleset.plan, measure)


def _raising_examples(ruleset: Ruleset) -> st.SearchStrategy[Example] | None:
    names = sorted(ruleset.plan.measures)
    if not names:
        return None
    return st.sampled_from(names).flatmap(
        lambda name: st.tuples(
            cases(ruleset), st.just(name), measure_values(ruleset, name),
            measure_values(ruleset, name),
        )
    )


def _raising(ctx: _Ctx, example: tuple[Case, str, float, float]) -> tuple[str, Case] | None:
    case, name, a, b = example
    direction = measure_direction(ctx.ruleset, name)
    low, high = sorted((a, b))
    worse_first = (low, high) if direction > 0 else (high, low)
    base = _with(case, measures={**case.measures, name: worse_first[0]})
    worse = _with(case, measures={**case.measures, name: worse_first[1]})
    before, after = ctx.assess(base), ctx.assess(worse)
    if after.level >= before.level:
        return None
    verb = "Raising" if direction > 0 else "Lowering"
    return (
        f"{verb} {name} from {worse_first[0]:g} to {worse_first[1]:g} for {ctx.case(base)} "
        f"LOWERS the level from {before.level} to {after.level}. Before: {ctx.why(before)}. "
        f"After: {ctx.why(after)}.",
        worse,
    )


def _tagged(ruleset: Ruleset, tag: str) -> list[str]:
    return [i.id for i in ruleset.model.indicators if tag in i.tags]


def _danger_examples(ruleset: Ruleset) -> st.SearchStrategy[Example] | None:
    ids = _tagged(ruleset, ruleset.model.safety.immediate_danger.tag)
    return st.tuples(cases(ruleset), st.sampled_from(ids)) if ids else None


def _danger(ctx: _Ctx, example: tuple[Case, str]) -> tuple[str, Case] | None:
    case, danger = example
    case = _with(case, indicators=[*(i for i in _ids(case) if i != danger), danger])
    decision = ctx.assess(case)
    route = ctx.ruleset.model.safety.immediate_danger
    got = {p.id for p in decision.pathways}
    missing = [p for p in route.pathways if p not in got]
    if decision.level == TOP_LEVEL and decision.urgent and not missing:
        return None
    problems = []
    if decision.level != TOP_LEVEL:
        problems.append(f"level {decision.level}")
    if not decision.urgent:
        problems.append("not urgent")
    if missing:
        problems.append("no " + ", ".join(missing) + " pathway")
    return (
        f"{ctx.case(case).capitalize()} (immediate danger) gets {'; '.join(problems)}.",
        case,
    )


def _lado_examples(ruleset: Ruleset) -> st.SearchStrategy[Example] | None:
    ids = _tagged(ruleset, ruleset.model.safety.allegation.tag)
    return st.tuples(cases(ruleset), st.sampled_from(ids)) if ids else None


def _lado(ctx: _Ctx, example: tuple[Case, str]) -> tuple[str, Case] | None:
    case, allegation = example
    case = _with(case, indicators=[*(i for i in _ids(case) if i != allegation), allegation])
    decision = ctx.assess(case)
    got = {p.id for p in decision.pathways}
    missing = [p for p in ctx.ruleset.model.safety.allegation.pathways if p not in got]
    if not missing:
        return None
    return (
        f"{ctx.case(case).capitalize()} (an allegation against an adult who works with "
        f"children) is not given the {', '.join(missing)} pathway.",
        case,
    )


def _deterministic_examples(ruleset: Ruleset) -> st.SearchStrategy[Example]:
    return cases(ruleset)


def _outcome(decision: Decision) -> Any:
    return decision.model_dump(mode="json", exclude={"rhrt_version"})


def _deterministic(ctx: _Ctx, case: Case) -> tuple[str, Case] | None:
    first = _outcome(ctx.assess(case))
    if _outcome(ctx.assess(case)) != first:
        return (f"Assessing {ctx.case(case)} twice gives two different decisions.", case)
    shuffled = _with(case, indicators=list(reversed(_ids(case))))
    again = _outcome(ctx.assess(shuffled))
    again.pop("notes", None)
    same = dict(first)
    same.pop("notes", None)
    if again != same:
        return (
            f"Listing the concerns of {ctx.case(case)} in a different order changes the decision.",
            case,
        )
    copy = _outcome(ctx.fresh_copy().assess(case, engine=ctx.engine))
    if copy != first:
        return (
            f"A second copy of the same ruleset decides {ctx.case(case)} differently.",
            case,
        )
    return None


def _determining(ctx: _Ctx, case: Case) -> tuple[str, Case] | None:
    decision = ctx.assess(case)
    kept = [f.id for f in decision.explanation.indicators]
    alone = _with(case, indicators=kept)
    again = ctx.assess(alone)
    if again.level == decision.level:
        return None
    shown = ", ".join(kept) if kept else "none"
    return (
        f"For {ctx.case(case)} the level is {decision.level} and the explanation names "
        f"[{shown}] as determining it, but those alone give level {again.level} "
        f"({ctx.why(again)}).",
        case,
    )


def _unknown_examples(ruleset: Ruleset) -> st.SearchStrategy[Example]:
    names = sorted(ruleset.plan.measures)
    full = st.fixed_dictionaries({name: measure_values(ruleset, name) for name in names})
    return st.tuples(cases(ruleset, measures=False, unknown_age=False), full)


def _partials(
    ctx: _Ctx, base: Case, measures: dict[str, float]
) -> tuple[Case, list[tuple[str, Case]]]:
    """A case with every fact recorded, and the same case with facts missing (in words)."""
    complete = _with(base, measures=measures)
    variants: list[tuple[str, Case]] = [
        ("without the child's age", _with(complete, child={})),
        ("without any measure", _with(complete, measures={})),
    ]
    for name in sorted(measures):
        rest = {k: v for k, v in measures.items() if k != name}
        variants.append((f"without {name}", _with(complete, measures=rest)))
    if ctx.ruleset.plan.implications:
        # A concern a recorded value implies is recorded information: forgetting the *value*
        # is what is unknown, so the variants keep the concerns it implied, selected.
        plan = ctx.ruleset.plan
        implied = implied_indicators(plan, measures)
        variants = [
            (words, _with(partial, indicators=[
                *_ids(partial),
                *sorted(implied - implied_indicators(plan, partial.measures) - set(_ids(partial))),
            ]))
            for words, partial in variants
        ]
    return complete, variants


def _unknown(ctx: _Ctx, example: tuple[Case, dict[str, float]]) -> tuple[str, Case] | None:
    complete, variants = _partials(ctx, *example)
    level = ctx.assess(complete).level
    for words, partial in variants:
        decision = ctx.assess(partial)
        if decision.level < level:
            return (
                f"{ctx.case(complete).capitalize()} is at level {level}, but the same case "
                f"{words} is at level {decision.level}: missing information LOWERED the level "
                f"({ctx.why(decision)}).",
                partial,
            )
    return None


def _outcome_of(decision: Decision) -> tuple[int, bool, frozenset[str]]:
    return decision.level, decision.urgent, frozenset(decision.pathway_ids)


def _provisional(ctx: _Ctx, example: tuple[Case, dict[str, float]]) -> tuple[str, Case] | None:
    """A decision with facts missing: its known level is at most its level and at most the
    level of the completed case (definitely-true rules stay true); confirmed means recording
    the facts changes neither the level, urgency nor the pathways; provisional means the known
    facts alone give a different outcome."""
    complete, variants = _partials(ctx, *example)
    full = ctx.assess(complete)
    for words, partial in variants:
        decision = ctx.assess(partial)
        known = decision.known_level
        if known is None or known > decision.level or known > full.level:
            return (
                f"{ctx.case(complete).capitalize()} {words} has known level {known} above its "
                f"level {decision.level} or the completed case's level {full.level}.",
                partial,
            )
        pending = [p.id for p in decision.pathways if p.conditional_on]
        if not decision.provisional and (pending or _outcome_of(full) != _outcome_of(decision)):
            return (
                f"{ctx.case(complete).capitalize()} {words} is CONFIRMED at level "
                f"{decision.level}, but recording the missing facts changes the outcome (level "
                f"{full.level}{', urgent' if full.urgent else ''}).",
                partial,
            )
        if decision.provisional and not (
            pending or known != decision.level or decision.gather_first
        ):
            return (
                f"{ctx.case(complete).capitalize()} {words} is provisional but shows nothing "
                "assumed: no conditional pathway, known level equal to its level and nothing "
                "to gather.",
                partial,
            )
    return None


_APPLYING: tuple[tuple[str, dict[str, Any], dict[str, Any]], ...] = (
    *((name, {name: False}, {name: True}) for name in CONTEXT_FLAGS),
    *(
        (f"child_protection_plan={cat}", {"child_protection_plan": "none"},
         {"child_protection_plan": cat})
        for cat in CP_CATEGORIES
    ),
    *(
        (f"stepped_down_from={plan}", {"stepped_down_from": "none"},
         {"stepped_down_from": plan})
        for plan in STEPPED_DOWN_FROM
    ),
)
"""Each context fact as (name, recorded as not applying, recorded as applying)."""


def _context_examples(ruleset: Ruleset) -> st.SearchStrategy[Example]:
    return st.tuples(
        cases(ruleset, context=False),
        st.sampled_from(_APPLYING),
        st.sampled_from([0.0, 1.0, 2.0, 3.0, 6.0, 12.0, 13.0, 36.0]),
        st.sampled_from([None, *CP_CATEGORIES]),
    )


def _context(
    ctx: _Ctx, example: tuple[Case, tuple[str, dict[str, Any], dict[str, Any]], float, Any]
) -> tuple[str, Case] | None:
    case, (name, off, on), months, category = example
    applying = dict(on)
    if "stepped_down_from" in on:
        applying["stepped_down_months_ago"] = months
        if on["stepped_down_from"] == "child_protection_plan" and category is not None:
            applying["stepped_down_category"] = category
    unrecorded = _with(case, context={})
    not_applying = _with(case, context=off)
    with_it = _with(case, context=applying)
    low = ctx.assess(not_applying)
    for words, other in (("recorded as applying", with_it), ("not recorded", unrecorded)):
        decision = ctx.assess(other)
        if decision.level < low.level:
            return (
                f"{ctx.case(case).capitalize()} is at level {low.level} with '{name}' recorded "
                f"as not applying, but at level {decision.level} with it {words}: the child's "
                f"involvement with services LOWERED the level ({ctx.why(decision)}).",
                other,
            )
    return None


def _consent_words(decision: Decision) -> str:
    c = decision.consent
    return f"'{c.id}' ({c.rule}, because {c.because})"


def _consent_first(ctx: _Ctx, case: Case) -> tuple[str, Case] | None:
    """The position shown first is the most protective that applies (none is ranked above it)."""
    decision = ctx.assess(case)
    first = consent_rank(decision.consent.rule)
    above = [o for o in decision.consent.others if consent_rank(o.rule) > first]
    if not above:
        return None
    return (
        f"For {ctx.case(case)} the consent position shown first is {_consent_words(decision)}, "
        f"but '{above[0].id}' ({above[0].rule}) is more protective and is shown after it.",
        case,
    )


def _consent_adding(ctx: _Ctx, example: tuple[Case, str]) -> tuple[str, Case] | None:
    """Adding a concern never makes the consent position shown first less protective (the
    most protective position that applies is never dropped)."""
    case, extra = example
    base = _with(case, indicators=[i for i in _ids(case) if i != extra])
    more = _with(base, indicators=[*_ids(base), extra])
    before, after = ctx.assess(base), ctx.assess(more)
    if consent_rank(after.consent.rule) >= consent_rank(before.consent.rule):
        return None
    return (
        f"Adding the concern {ctx.ind(extra)} to {ctx.case(base)} makes the consent position "
        f"shown first LESS protective: {_consent_words(before)} becomes {_consent_words(after)}.",
        more,
    )


PROPERTIES: tuple[Property, ...] = (
    Property("no-concerns", f"A child with no concerns recorded is at level {LOWEST_LEVEL}",
             _no_concerns_examples, _no_concerns),
    Property("highest-indicator", "The level is never below the highest concern's level",
             _highest_examples, _highest, engine_guaranteed=True),
    Property("adding-a-concern", "Adding a concern never lowers the level",
             _adding_examples, _adding),
    Property("raising-a-measure",
             "Making a measure more concerning (e.g. a higher DASH score) never lowers the level",
             _raising_examples, _raising),
    Property("immediate-danger", f"Immediate danger always gives level {TOP_LEVEL}, urgent, "
             "with the safety pathways", _danger_examples, _danger, engine_guaranteed=True),
    Property("allegation-lado", "An allegation against an adult working with children always "
             "gives the LADO pathway", _lado_examples, _lado, engine_guaranteed=True),
    Property("deterministic", "The same case always gets the same decision",
             _deterministic_examples, _deterministic, engine_guaranteed=True),
    Property("determining-indicators", "The explanation's determining concerns alone give the "
             "same level", _deterministic_examples, _determining),
    Property("unknown-never-lowers", "Missing information (age, a measure) never gives a lower "
             "level than any completed version", _unknown_examples, _unknown,
             engine_guaranteed=True),
    Property("provisional", "A decision with missing information is never below its known "
             "level or any completion of it, and is confirmed only when no missing fact "
             "changes the outcome", _unknown_examples, _provisional, engine_guaranteed=True),
    Property("adding-context", "Recording a child's involvement with services (looked after, "
             "a plan, an allocated worker, custody, a step-down) never lowers the level, and "
             "neither does leaving it unrecorded", _context_examples, _context),
    # not engine-guaranteed: context conditions cannot be under 'not' (refused), but a concern
    # that context implies (context.implies) can be, like any concern ('adding-a-concern')
    Property("consent-most-protective-first", "The consent position shown first is the most "
             "protective that applies", _highest_examples, _consent_first,
             engine_guaranteed=True),
    Property("consent-adding-a-concern", "Adding a concern never makes the consent position "
             "shown first less protective", _adding_examples, _consent_adding),
)
_BY_ID = {p.id: p for p in PROPERTIES}


# --- running --------------------------------------------------------------------------------


class _Breach(Exception):
    """Raised inside hypothesis so it shrinks the example; carries the plain-words result."""

    def __init__(self, description: str, case: Case, example: Example = None) -> None:
        super().__init__(description)
        self.description = description
        self.case = case
        self.example = example


def _settings(max_examples: int, *, derandomize: bool) -> settings:
    return settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=derandomize,
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
    )


def check_property(
    ruleset: Ruleset,
    prop: Property | str,
    example: Example,
    *,
    engine: str = "reference",
) -> tuple[str, Case] | None:
    """Check one property on one example (for use inside your own hypothesis tests)."""
    chosen = _BY_ID[prop] if isinstance(prop, str) else prop
    return chosen.check(_Ctx(ruleset, engine), example)


def check_invariants(
    ruleset: Ruleset,
    max_examples: int = 200,
    *,
    engine: str = "reference",
    seed: int | None = None,
    properties: Sequence[str] | None = None,
    on_property: Callable[[str], None] | None = None,
) -> InvariantReport:
    """Run every safety property against ``ruleset`` and report breaches, shrunk, in words.

    Args:
        ruleset: a loaded ruleset (``rhrt.load_ruleset("our_rules.yaml")``).
        max_examples: hypothesis examples per property.
        engine: the engine to check (``reference`` or ``durable``).
        seed: a random seed; by default the search is derandomised, so the same ruleset always
            gives the same report (a CI check never flickers).
        properties: only these property ids (default: all).
        on_property: called with each property's id when it has been checked (progress).
    """
    chosen = [(_BY_ID[p]) for p in properties] if properties else list(PROPERTIES)
    ctx = _Ctx(ruleset, engine)
    checked: list[str] = []
    skipped: list[str] = []
    found: list[Counterexample] = []
    for prop in chosen:
        strategy = prop.examples(ruleset)
        if strategy is None:
            skipped.append(prop.id)
            if on_property is not None:
                on_property(prop.id)
            continue
        checked.append(prop.id)
        breach = _search(prop, ctx, strategy, max_examples, seed)
        if on_property is not None:
            on_property(prop.id)
        if breach is not None:
            found.append(
                Counterexample(
                    property=prop.id,
                    title=prop.title,
                    description=breach.description,
                    case=breach.case.model_dump(mode="json", exclude_defaults=True),
                )
            )
    return InvariantReport(
        ruleset=clean(f"{ruleset.id} {ruleset.version}"),
        engine=engine,
        max_examples=max_examples,
        checked=tuple(checked),
        counterexamples=tuple(found),
        not_applicable=tuple(skipped),
        broken_promises=tuple(clean(f.message) for f in broken_promises(ruleset.model)),
    )


def _search(
    prop: Property,
    ctx: _Ctx,
    strategy: st.SearchStrategy[Example],
    max_examples: int,
    seed: int | None,
) -> _Breach | None:
    @_settings(max_examples, derandomize=seed is None)
    @given(strategy)
    def search(example: Example) -> None:
        result = prop.check(ctx, example)
        if result is not None:
            raise _Breach(*result, example)

    if seed is not None:
        search = hypothesis_seed(seed)(search)
    try:
        search()
    except _Breach as breach:
        return _minimise(prop, ctx, breach)
    return None


def _minimise(prop: Property, ctx: _Ctx, breach: _Breach) -> _Breach:
    """Finish hypothesis' shrinking: drop each concern, measure and the age in turn while the
    property still fails, so the reported case has nothing in it that does not matter."""
    example = breach.example
    changed = True
    while changed:
        changed = False
        case = example[0] if isinstance(example, tuple) else example
        if not isinstance(case, Case):  # pragma: no cover - every property starts with a case
            return breach
        ids = _ids(case)
        trials = [_with(case, indicators=[i for i in ids if i != drop]) for drop in ids]
        trials += [
            _with(case, measures={k: v for k, v in case.measures.items() if k != name})
            for name in sorted(case.measures)
        ]
        if case.child != Case().child:
            trials.append(_with(case, child={}))
        for trial in trials:
            candidate = (trial, *example[1:]) if isinstance(example, tuple) else trial
            try:
                result = prop.check(ctx, candidate)
            except Exception:  # a trial the property cannot take (e.g. invalid): skip it
                continue
            if result is not None:
                example, breach = candidate, _Breach(*result, candidate)
                changed = True
                break
    return breach


def assert_invariants(ruleset: Ruleset, max_examples: int = 200, **kwargs: Any) -> None:
    """:func:`check_invariants`, raising ``AssertionError`` with the report when any fails.

    For a partnership's own test suite::

        def test_our_ruleset(rhrt_ruleset):
            assert_invariants(rhrt_ruleset)
    """
    report = check_invariants(ruleset, max_examples, **kwargs)
    if not report.ok:
        raise AssertionError(str(report))

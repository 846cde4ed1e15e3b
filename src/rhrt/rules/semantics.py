# SPDX-License-Identifier: MIT
"""The one meaning of a compiled plan: what every engine computes, written once.

An engine's only job is the truth of each rule's condition for a case (true, false or unknown);
everything else is here, and every engine uses it:

* the scale of levels (:data:`LEVELS`, from :mod:`rhrt.model.scale`) and the level floor: a
  case is at least at the level of every concern present (:func:`level_floor`);
* what each comparison means (:data:`MEASURE_OPERATORS`, :data:`AGE_OPERATORS`) and its words;
* age and "unborn": an unborn child is under every age and at least no age
  (:data:`AGE_OF_UNBORN`); whether a child is unborn is unknown when neither ``unborn`` nor an
  age is recorded (:func:`unborn_truth`);
* counts of concerns, optionally across distinct primary domains (:func:`count_holds`);
* Kleene's three-valued ``all``/``any``/``not``, and which missing facts an unknown result
  depended on (:class:`Kleene`);
* the fold from rule truths to a level, urgency and pathways: a rule *fires* when its condition
  is true or unknown; level = max(floor, each fired rule's level); urgent = any fired rule is
  urgent; pathways in the order first recommended: the emergency and statutory routes first
  (:func:`sets_route`, then level 4's own), then each other fired rule's in rule order, then a
  lower decided level's own (:func:`fold`, :func:`recommendation_slots`).

The vectorised engine computes the same things over arrays (``batch/_vector.py``); it takes the
scale, the operators, the unborn age and the recommendation order from here, and is
property-tested to agree row by row.

Why unknown fires: a known-true or known-false condition stays so whatever the missing facts
turn out to be, so firing on unknown makes the level with missing facts at least the level of
any completion of them: unknown information never lowers a level.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Generic, TypeVar

from rhrt.model.scale import (
    AGE_UNITS,
    CONTEXT_STATES,
    LEVELS,
    LOWEST_LEVEL,
    MEASURE_OPS,
    TOP_LEVEL,
    AgeOp,
    MeasureOp,
)
from rhrt.rules.plan import (
    AgeCmp,
    All,
    AnyOf,
    CompiledRule,
    ContextIs,
    Count,
    HasAny,
    IsUnborn,
    MeasureCmp,
    Node,
    Not,
    Plan,
    Visitor,
    children,
    derived,
)

__all__ = [
    "AGE_OF_UNBORN",
    "AGE_OPERATORS",
    "CONFIRMED",
    "LEVELS",
    "LOWEST_LEVEL",
    "MEASURE_HINT_WORDS",
    "MEASURE_OPERATORS",
    "MEASURE_WORDS",
    "PROVISIONAL",
    "TOP_LEVEL",
    "Check",
    "Evaluation",
    "Facts",
    "Kleene",
    "RuleResult",
    "Truth",
    "age_bound_words",
    "context_truth",
    "count_holds",
    "domain_spread",
    "fold",
    "gate",
    "implied_indicators",
    "level_floor",
    "measure_direction",
    "recommendation_slots",
    "rule_age",
    "sets_route",
    "unborn_truth",
    "unknown",
]

Truth = bool | None
"""A condition's value: True, False, or None for unknown (it depends on a fact not recorded)."""

# --- comparisons ----------------------------------------------------------------------------

MEASURE_OPERATORS: Mapping[MeasureOp, Callable[[Any, Any], Any]] = MappingProxyType(
    {
        "at_least": operator.ge,
        "more_than": operator.gt,
        "at_most": operator.le,
        "less_than": operator.lt,
    }
)
"""What each measure comparison means, for every engine (plain numbers or numpy arrays)."""

MEASURE_WORDS: Mapping[MeasureOp, str] = MappingProxyType(
    {
        "at_least": "is {v} or more",
        "more_than": "is more than {v}",
        "at_most": "is {v} or less",
        "less_than": "is less than {v}",
    }
)
"""A measure comparison in a sentence (``the DASH score is 14 or more``)."""

MEASURE_HINT_WORDS: Mapping[MeasureOp, str] = MappingProxyType(
    {
        "at_least": "of {v} or more",
        "more_than": "above {v}",
        "at_most": "of {v} or less",
        "less_than": "below {v}",
    }
)
"""A measure comparison after a noun (``A dash-score of 14 or more would ...``)."""


def implied_indicators(plan: Plan, measures: Mapping[str, float]) -> frozenset[str]:
    """The indicators a case's recorded measures imply (``measures[].implies``): each
    ``measure <op> value`` that holds for a recorded value. A measure not recorded implies
    nothing. The batch engine applies the same :data:`MEASURE_OPERATORS` column-wise."""
    if not plan.implications or not measures:
        return frozenset()
    return frozenset(
        imp.indicator
        for imp in plan.implications
        if imp.measure in measures and MEASURE_OPERATORS[imp.op](measures[imp.measure], imp.value)
    )


LOWER_IS_WORSE: Final[frozenset[MeasureOp]] = frozenset({"at_most", "less_than"})
"""The comparisons that make a *lower* value the concern (e.g. school attendance)."""


def measure_direction(plan: Plan, measure: str) -> int:
    """Which way a measure becomes more concerning: ``+1`` when a higher value is the concern
    (the default), ``-1`` when everything in the ruleset that reads it (rule comparisons *and*
    ``measures[].implies``) tests it with ``at_most``/``less_than`` only (e.g. attendance,
    where lower is worse).

    This is what "a more concerning value never lowers the level" means for a measure; the
    property checker (:mod:`rhrt.testing`) and the prover (``rhrt prove``) both read it here.
    A measure read in both directions gets ``+1``: for it no direction is "more concerning"
    and a counterexample shows the ruleset reads it both ways. A comparison under an odd number
    of ``not`` reads the other way (``not: {measure: {id: x, at_least: 4}}`` is ``x < 4``, so a
    lower value is the concern).
    """
    return derived(plan, "measure_direction", _measure_directions).get(measure, 1)


def _measure_directions(plan: Plan) -> Mapping[str, int]:
    # each measure's comparisons as booleans: True where a lower value is the concern
    lower: dict[str, set[bool]] = {}

    def read(node: Node, negated: bool) -> None:
        if isinstance(node, MeasureCmp):
            lower.setdefault(node.measure, set()).add((node.op in LOWER_IS_WORSE) != negated)
        for child in children(node):
            read(child, negated != isinstance(node, Not))

    for rule in plan.rules:
        read(rule.condition, False)
    for imp in plan.implications:
        lower.setdefault(imp.measure, set()).add(imp.op in LOWER_IS_WORSE)
    return MappingProxyType({name: -1 if found == {True} else 1 for name, found in lower.items()})


AGE_OPERATORS: Mapping[AgeOp, Callable[[Any, Any], Any]] = MappingProxyType(
    {"under": operator.lt, "at_least": operator.ge}
)
"""What each age comparison means: ``age <op> months`` (plain numbers or numpy arrays)."""

AGE_OF_UNBORN: Final = -math.inf
"""The age an unborn child has for the rules: under every age, and at least no age."""

assert set(MEASURE_OPERATORS) == set(MEASURE_WORDS) == set(MEASURE_HINT_WORDS) == set(
    MEASURE_OPS
)
assert set(AGE_OPERATORS) == {op for _, op, _, _ in AGE_UNITS}


def number_words(value: float) -> str:
    """A threshold as a ruleset author wrote it (``6``, ``0.5``), never ``6.0``."""
    return f"{value:g}"


def age_bound_words(op: AgeOp, value: float, unit: str) -> str:
    """An age bound in words: ``under 6 months old``, ``at least 16 years old``."""
    return f"{op.replace('_', ' ')} {number_words(value)} {unit} old"


def rule_age(age_months: float | None, unborn: bool) -> float | None:
    """The child's age as the rules compare it: :data:`AGE_OF_UNBORN` when unborn, None when
    not recorded (an age comparison is then unknown)."""
    return AGE_OF_UNBORN if unborn else age_months


def unborn_truth(wanted: bool, age_months: float | None, unborn: bool) -> Truth:
    """Whether "the child is unborn" equals ``wanted``; unknown when neither ``unborn`` nor an
    age is recorded (the child may be unborn: fail-safe)."""
    if not unborn and age_months is None:
        return None
    return unborn == wanted


def context_truth(
    state: Truth, months_ago: float | None, within_months: float | None
) -> tuple[Truth, bool]:
    """A context condition: the state as recorded (``state``: True, False or None when not
    recorded) and, with ``within_months``, Kleene ``and`` "the plan ended at most that many
    months ago". Returns the truth and whether the step-down's date is what made it unknown.

    A state recorded as not holding is false whatever the date, as is a plan that ended longer
    ago; a plan that ended with no date recorded is unknown (the case model refuses that
    combination, but a table may still give it)."""
    if within_months is None or state is False:
        return state, False
    if months_ago is not None and months_ago > within_months:
        return False, False
    if state is None:
        return None, False
    if months_ago is None:
        return None, True
    return True, False


_CATEGORY_WORDS: Final = MappingProxyType(
    {
        "neglect": "neglect",
        "physical": "physical abuse",
        "emotional": "emotional abuse",
        "sexual": "sexual abuse",
        "multiple": "multiple categories",
    }
)
_PLAN_WORDS: Final = MappingProxyType(
    {
        "child_protection_plan": "a child protection plan",
        "child_in_need_plan": "a child in need plan",
        "early_help": "early help",
    }
)


def _context_words() -> Mapping[str, str]:
    words = {
        "looked_after": "the child is looked after by the local authority",
        "child_in_need_plan": "the child is on a child in need plan",
        "allocated_social_worker": "the child has an allocated social worker",
        "early_help_lead_professional": "the family has an early help lead professional",
        "care_leaver": "the young person is a care leaver",
        "in_custody": "the young person is in custody or remanded",
        "child_protection_plan": "the child is on a child protection plan",
    }
    for cat, said in _CATEGORY_WORDS.items():
        words[f"child_protection_plan_{cat}"] = (
            f"the child is on a child protection plan for {said}"
        )
    for plan, said in _PLAN_WORDS.items():
        words[f"stepped_down_from_{plan}"] = f"the family has stepped down from {said}"
    for cat, said in _CATEGORY_WORDS.items():
        words[f"stepped_down_from_child_protection_plan_{cat}"] = (
            f"the family has stepped down from a child protection plan for {said}"
        )
    assert set(words) == set(CONTEXT_STATES)
    return MappingProxyType(words)


CONTEXT_WORDS: Final = _context_words()
"""Each context state in a sentence (``the child is looked after by the local authority``)."""


def context_words(state: str, within_months: float | None) -> str:
    """A context condition in words, with its recency when given."""
    said = CONTEXT_WORDS[state]
    if within_months is None:
        return said
    return f"{said} that ended at most {number_words(within_months)} months ago"


def context_implied(
    plan: Plan, context: Mapping[str, bool], months_ago: float | None
) -> frozenset[str]:
    """The indicators a case's recorded context implies (``context.implies``): each state
    recorded as holding (and recent enough, with ``within_months``). A state not recorded
    implies nothing. The batch engine applies :func:`context_truth` column-wise the same way."""
    if not plan.context_implications or not context:
        return frozenset()
    return frozenset(
        imp.indicator
        for imp in plan.context_implications
        if context_truth(context.get(imp.state), months_ago, imp.within_months)[0] is True
    )


def missing_context(state: str) -> str:
    """How a context state not recorded is named among the missing facts."""
    return f"context {state}"


MISSING_STEP_DOWN_DATE: Final = "when the plan stepped down from ended"
"""How a step-down's missing date is named among the missing facts."""


def domain_spread(hits: Iterable[str], domains: Mapping[str, str]) -> int:
    """How many distinct primary domains the indicators ``hits`` are in."""
    return len({domains[i] for i in hits})


def count_holds(node: Count, present: frozenset[str], domains: Mapping[str, str]) -> bool:
    """A count condition: at least ``at_least`` of its indicators present, and (when asked)
    spread over at least ``distinct_domains`` primary domains."""
    hits = node.ids & present
    if len(hits) < node.at_least:
        return False
    return node.distinct_domains is None or domain_spread(hits, domains) >= node.distinct_domains


# --- facts and results ----------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """The parts of a case the rules can see."""

    present: frozenset[str]
    measures: dict[str, float]
    age_months: float | None
    unborn: bool
    domains: Mapping[str, str]
    """Indicator id → primary domain (the plan's, shared, never copied)."""
    context: Mapping[str, bool] = field(default_factory=dict)
    """Context state → as recorded (``CaseContext.states``); a state not here is unknown."""
    stepped_down_months: float | None = None
    """Months since the plan stepped down from ended; None when not recorded."""

    def with_present(self, present: frozenset[str]) -> Facts:
        """The same facts with other indicators present.

        Cheaper than ``dataclasses.replace`` (which re-runs the frozen ``__init__``): the
        holding set asks for one of these per concern on every assessment.
        """
        new = object.__new__(Facts)
        new.__dict__.update(self.__dict__)
        object.__setattr__(new, "present", present)
        return new


@dataclass(frozen=True)
class RuleResult:
    rule: CompiledRule
    truth: Truth
    assumed: tuple[str, ...]
    """The missing facts an unknown result depended on."""

    @property
    def fired(self) -> bool:
        return self.truth is not False


CONFIRMED: Final = "confirmed"
PROVISIONAL: Final = "provisional"


@dataclass(frozen=True)
class Evaluation:
    level: int
    """The fail-safe level: every rule that is true or unknown counted (unknown information
    never lowers a level). At least the level of any completion of the missing facts."""
    urgent: bool
    pathways: dict[str, tuple[str, ...]]
    """Pathway id → why (rule ids or ``level-N``), in first-recommended order."""
    results: tuple[RuleResult, ...]
    known_level: int
    """The level the known facts alone establish: the concerns and the rules whose condition is
    definitely true (none fired only because information is missing). Never above ``level``."""
    known_urgent: bool
    """Urgent on the known facts alone (a rule definitely true is urgent)."""
    conditional: dict[str, tuple[str, ...]]
    """Pathway id → the rules fired only on missing information that it depends on, for each
    pathway the known facts alone would not recommend (in ``pathways`` order)."""
    replaced: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Pathway id → the rules (known true) whose ``instead_of`` replaced it (not recommended)."""
    urgent_indicators: tuple[str, ...] = ()
    """Present concerns that are urgent in themselves (``indicators[].urgent``), in ruleset
    order."""

    @property
    def fired(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.fired)

    @property
    def provisional(self) -> bool:
        """Whether recording the missing facts may change the outcome: a rule fired only on
        missing information gives a higher level, urgency or a pathway that the known facts
        alone do not. When False (confirmed), no completion of the missing facts changes the
        level, urgency or the set of pathways."""
        return self.level != self.known_level or self.urgent != self.known_urgent or bool(
            self.conditional
        )

    @property
    def status(self) -> str:
        """:data:`PROVISIONAL` or :data:`CONFIRMED`."""
        return PROVISIONAL if self.provisional else CONFIRMED


# --- Kleene logic ---------------------------------------------------------------------------

MISSING_AGE: Final = "child's age"
"""How a missing age (or unknown "unborn") is named among the missing facts."""


def missing_measure(measure: str) -> str:
    """How a missing measure is named among the missing facts."""
    return f"measure {measure}"


F = TypeVar("F")
Check = Callable[[F, "list[str] | None"], Truth]
"""A compiled condition: ``check(facts, unknowns)`` is its truth for one case's facts (in the
engine's own form), appending the missing facts it depended on to ``unknowns`` (when a list)."""


class Kleene(Visitor[Check[F]], Generic[F]):
    """Compiles a condition into a :data:`Check`; an engine supplies the leaves (how it reads
    its facts), this class the logic that combines them.

    ``all``/``any``/``not`` follow Kleene: ``all`` is false when any part is false, else unknown
    when any part is unknown; ``any`` dually; ``not`` keeps unknown. A leaf that is unknown
    appends what is missing; a combination passes the names on only when the unknown parts
    made the whole unknown, so a rule never blames a fact that could not have changed its
    outcome (e.g. an unknown measure beside a true alternative).

    A check called with ``unknowns=None`` only computes the truth (no list is built); an
    engine calls it that way first and again with a list only for the rare unknown result.

    Compiling once (per plan) and calling the checks per case keeps the dispatch over node
    kinds out of the per-case work. With ``memo`` (a dict the caller keeps for as long as the
    compiled nodes live, e.g. per plan), every node compiled, the parts of a condition
    included, is kept there by identity, so analyses can ask for the check of any node of
    the plan without compiling it again.
    """

    memo: dict[int, Check[F]] | None = None

    def __init__(self, memo: dict[int, Check[F]] | None = None) -> None:
        self.memo = memo

    def visit(self, node: Node) -> Check[F]:
        memo = self.memo
        if memo is None:
            return super().visit(node)
        found = memo.get(id(node))
        if found is None:
            found = memo[id(node)] = super().visit(node)
        return found

    def all(self, node: All) -> Check[F]:
        return _combine(tuple(self.visit(c) for c in node.children), False)

    def any(self, node: AnyOf) -> Check[F]:
        return _combine(tuple(self.visit(c) for c in node.children), True)

    def not_(self, node: Not) -> Check[F]:
        part = self.visit(node.child)

        def check(facts: F, unknowns: list[str] | None) -> Truth:
            value = part(facts, unknowns)
            return None if value is None else not value

        return check


def _combine(parts: tuple[Check[F], ...], decisive: bool) -> Check[F]:
    """``all`` (``decisive`` False) or ``any`` (True) of ``parts``."""

    def check(facts: F, unknowns: list[str] | None) -> Truth:
        mine: list[str] | None = [] if unknowns is not None else None
        result: Truth = not decisive
        for part in parts:
            value = part(facts, mine)
            if value is decisive:
                return decisive
            if value is None:
                result = None
        if result is None and unknowns is not None and mine:
            unknowns.extend(mine)
        return result

    return check


class _Gate(Visitor["frozenset[str] | None"]):
    """See :func:`gate`."""

    def has_any(self, node: HasAny) -> frozenset[str] | None:
        return node.ids

    def count(self, node: Count) -> frozenset[str] | None:
        return node.ids if node.at_least >= 1 else None

    def measure(self, node: MeasureCmp) -> frozenset[str] | None:
        return None

    def age(self, node: AgeCmp) -> frozenset[str] | None:
        return None

    def unborn(self, node: IsUnborn) -> frozenset[str] | None:
        return None

    def context(self, node: ContextIs) -> frozenset[str] | None:
        return None  # may be true or unknown with no concern present

    def all(self, node: All) -> frozenset[str] | None:
        # False as soon as one part is false (whatever the others are, unknown included):
        # any one part's gate will do; the smallest is the most selective.
        gates = [g for g in map(self.visit, node.children) if g is not None]
        return min(gates, key=len) if gates else None

    def any(self, node: AnyOf) -> frozenset[str] | None:
        # False only when every part is false: every part needs a gate, and any will do.
        gates = [self.visit(c) for c in node.children]
        if not gates or any(g is None for g in gates):
            return None
        return frozenset().union(*gates)  # type: ignore[arg-type]

    def not_(self, node: Not) -> frozenset[str] | None:
        return None  # "not" of a false part is true


_GATE = _Gate()


def gate(node: Node) -> frozenset[str] | None:
    """Indicators of which at least one must be present for ``node`` to be anything but
    false; None when there is no such set (e.g. a ``not``, or a measure that may be unknown).

    Exact, not a heuristic: when none of them is present the condition is *known* false
    (Kleene: an ``all`` with a false part is false even beside an unknown part), so an engine
    may skip evaluating it and record it as false, with nothing assumed. The reference engine
    uses this to evaluate only the rules a case's concerns can reach.
    """
    return _GATE.visit(node)


def unknown(what: str, unknowns: list[str] | None) -> Truth:
    """A leaf is unknown because ``what`` is missing: say so (when asked); returns None."""
    if unknowns is not None:
        unknowns.append(what)
    return None


# --- the fold -------------------------------------------------------------------------------


def level_floor(plan: Plan, present: Iterable[str]) -> int:
    """The level the concerns alone give: the highest level among them, at least the lowest."""
    return max(map(plan.indicator_level.__getitem__, present), default=LOWEST_LEVEL)


def sets_route(rule: CompiledRule) -> bool:
    """Whether a rule's pathways are emergency or statutory routes: a safety route's, or a
    rule's that sets the top level or urgency (docs/rule-authors.md, "Emergency or statutory
    route"; the route properties of ``rhrt prove`` hold exactly these). They, and the top
    level's own response, are recommended before any follow-up route (a return home interview,
    a risk assessment), whatever the rules' order in the file."""
    return rule.safety or rule.urgent or rule.level == TOP_LEVEL


def recommendation_slots(plan: Plan) -> tuple[tuple[str, int], ...]:
    """Every place a pathway can be recommended, in recommendation order.

    First the emergency and statutory routes: ``(pathway, r)`` for the r-th rule's pathways
    where :func:`sets_route` (rules in plan order), then ``(pathway, -TOP_LEVEL)`` for the top
    level's own; then the follow-up routes: every other rule's pathways (rules in plan order),
    then ``(pathway, -level)`` for each lower level's own (lowest first). A case's pathways are
    those of the slots that apply to it (fired rules, the decided level), each pathway at its
    first such slot: at level 4 the MASH referral comes before a return home interview that an
    earlier rule recommends. Built once per plan.
    """
    return derived(plan, "semantics.slots", _slots)


def _slots(plan: Plan) -> tuple[tuple[str, int], ...]:
    lead = [r for r, rule in enumerate(plan.rules) if sets_route(rule)]
    rest = [r for r, rule in enumerate(plan.rules) if not sets_route(rule)]
    slots = [(p, r) for r in lead for p in plan.rules[r].pathways]
    slots += [(p, -TOP_LEVEL) for p in plan.level_pathways.get(TOP_LEVEL, ())]
    slots += [(p, r) for r in rest for p in plan.rules[r].pathways]
    slots += [(p, -lv) for lv in LEVELS if lv != TOP_LEVEL for p in plan.level_pathways.get(lv, ())]
    return tuple(slots)


def fold(
    plan: Plan,
    present: Iterable[str],
    results: Sequence[RuleResult],
    maybe: Iterable[int] | None = None,
) -> Evaluation:
    """The outcome of one case from its concerns and the truth of each rule (in plan order).

    Pathways are in :func:`recommendation_slots` order: the emergency and statutory routes
    first (fired rules that :func:`sets_route`, then the top level's own when it is decided),
    then the other fired rules', then a lower decided level's own; each pathway's reasons
    (``why``) stay in rule order, then the level. ``maybe``: when an engine knows every other
    rule is false, the positions (ascending) of the rules that may have fired, so only those are
    read.

    Beside the fail-safe outcome (rules true or unknown), the outcome of the known facts alone
    (rules definitely true): ``known_level``, ``known_urgent``, and which pathways depend only
    on rules fired on missing information (``conditional``). A pathway the decided level
    recommends, when the known level is lower, depends on the unknown rules that raised the
    level.
    """
    present = frozenset(present)
    level = known_level = level_floor(plan, present)
    pressing = _urgent_present(plan, present)
    urgent = known_urgent = bool(pressing)
    pathways: dict[str, list[str]] = {}
    lead: dict[str, None] = {}  # the emergency and statutory routes, first (recommendation_slots)
    known: set[str] = set()
    unsure: list[RuleResult] = []
    for result in results if maybe is None else map(results.__getitem__, maybe):
        if result.truth is False:
            continue
        rule = result.rule
        if rule.level is not None and rule.level > level:
            level = rule.level
        urgent = urgent or rule.urgent
        for pathway in rule.pathways:
            pathways.setdefault(pathway, []).append(rule.id)
        if rule.pathways and sets_route(rule):
            lead.update(dict.fromkeys(rule.pathways))
        if result.truth is None:
            unsure.append(result)
            continue
        if rule.level is not None and rule.level > known_level:
            known_level = rule.level
        known_urgent = known_urgent or rule.urgent
        known.update(rule.pathways)
    own = plan.level_pathways.get(level, ())
    for pathway in own:
        pathways.setdefault(pathway, []).append(f"level-{level}")
    if level == TOP_LEVEL:
        lead.update(dict.fromkeys(own))
    if lead and list(pathways)[: len(lead)] != list(lead):
        pathways = {p: pathways[p] for p in (*lead, *(p for p in pathways if p not in lead))}
    replaced = _replace_routes(results, pathways, _replacing(plan))
    conditional: dict[str, tuple[str, ...]] = {}
    if unsure:
        known.update(plan.level_pathways.get(known_level, ()))
        raising = [r.rule.id for r in unsure if r.rule.level == level and level > known_level]
        # a replacement fired only on missing information would drop these if it held
        pending = _pending_replacements(unsure, results, pathways)
        for pathway in pathways:
            if pathway in known and pathway not in pending:
                continue
            on = [r.rule.id for r in unsure if pathway in r.rule.pathways]
            if pathway in plan.level_pathways.get(level, ()):
                on += [i for i in raising if i not in on]
            on += [i for i in pending.get(pathway, ()) if i not in on]
            conditional[pathway] = tuple(on)
    # Every field given: built without the frozen ``__init__`` (one ``object.__setattr__`` per
    # field), as ``Facts`` are; the same object ``Evaluation(...)`` gives.
    evaluation = object.__new__(Evaluation)
    evaluation.__dict__.update(
        level=level,
        urgent=urgent,
        pathways={k: tuple(v) for k, v in pathways.items()},
        results=tuple(results),
        known_level=known_level,
        known_urgent=known_urgent,
        conditional=conditional,
        replaced=replaced,
        urgent_indicators=pressing,
    )
    return evaluation


def _replacing(plan: Plan) -> tuple[int, ...]:
    """Positions of the rules with ``then.instead_of`` (built once per plan)."""
    return derived(plan, "semantics.replacing", _replacing_positions)


def _replacing_positions(plan: Plan) -> tuple[int, ...]:
    return tuple(n for n, rule in enumerate(plan.rules) if rule.instead_of)


def _urgent_present(plan: Plan, present: frozenset[str]) -> tuple[str, ...]:
    urgent = plan.urgent_indicators
    if not urgent or present.isdisjoint(urgent):
        return ()
    return tuple(sorted(present.intersection(urgent), key=plan.indicator_rank.__getitem__))


def _pending_replacements(
    unsure: Sequence[RuleResult], results: Sequence[RuleResult], pathways: Mapping[str, Any]
) -> dict[str, list[str]]:
    """Recommended pathways a replacement fired only on missing information would drop if its
    condition turned out true (those a fired safety route recommends are never dropped)."""
    pending: dict[str, list[str]] = {}
    for result in unsure:
        for pathway in result.rule.instead_of:
            if pathway in pathways:
                pending.setdefault(pathway, []).append(result.rule.id)
    if pending:
        kept = {
            p for r in results if r.truth is not False and r.rule.safety for p in r.rule.pathways
        }
        pending = {p: v for p, v in pending.items() if p not in kept}
    return pending


def _replace_routes(
    results: Sequence[RuleResult],
    pathways: dict[str, list[str]],
    replacing: Iterable[int] | None = None,
) -> dict[str, tuple[str, ...]]:
    """Route replacements (``then.instead_of``), in place on ``pathways``: a pathway a rule
    *known* true replaces is dropped, unless a safety route that fired recommends it (the
    emergency and allegation routes are never removed). A replacement fired only on missing
    information removes nothing: the usual route stands, and the replacing pathways show as
    conditional. Returns pathway → the replacing rules. ``replacing``: the positions of the
    rules with ``instead_of`` (:func:`_replacing`), when known; only those are read."""
    replaced: dict[str, list[str]] = {}
    for result in results if replacing is None else map(results.__getitem__, replacing):
        rule = result.rule
        if result.truth is not True or not rule.instead_of:
            continue
        for pathway in rule.instead_of:
            if pathway in pathways:
                replaced.setdefault(pathway, []).append(rule.id)
    if not replaced:
        return {}
    kept = {
        p for r in results if r.truth is not False and r.rule.safety for p in r.rule.pathways
    }
    out: dict[str, tuple[str, ...]] = {}
    for pathway, by in replaced.items():
        if pathway in kept:
            continue
        del pathways[pathway]
        out[pathway] = tuple(by)
    return out

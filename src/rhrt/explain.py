# SPDX-License-Identifier: MIT
"""From an evaluation to an explanation a practitioner can read and challenge.

The explanation answers three questions: *which* concerns and rules decided the level, *how*
the concerns spread across domains, and *what would change the outcome* (the minimal set of
concerns holding the level, the missing facts the rules assumed the worst about, and near-misses
that would raise it).

It also holds the policy for a professional's override (:func:`override_record`): which way it
departs from the framework and when a manager must review it.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from typing import Literal, TypeVar, assert_never, cast

from rhrt.engine.reference import compiled, level_of, rule_truth
from rhrt.indicators.catalogue import Catalogue
from rhrt.model import decision as d
from rhrt.model import trusted
from rhrt.model.ruleset import Level, RulesetModel, SourceRef
from rhrt.rules.compile import emergency_pathways, uses_not
from rhrt.rules.consent import Applying, ConsentTable, Position, recorded_wording
from rhrt.rules.plan import (
    AgeCmp,
    All,
    AnyOf,
    ContextIs,
    Count,
    HasAny,
    IsUnborn,
    MeasureCmp,
    Node,
    Not,
    Plan,
    children,
    derived,
)
from rhrt.rules.semantics import (
    LEVELS,
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
    present = facts.present
    levels = plan.indicator_level
    chosen = {i for i in present if levels[i] == level}
    results = evaluation.results
    for pos in _shapes(plan).at_level.get(level, ()):
        result = results[pos]
        if result.truth is not False:
            chosen |= result.rule.indicator_ids & present
    return tuple(_in_order(plan, chosen))


class _Shapes:
    """What the explanation reads of each rule's shape, built once per plan: the concerns its
    condition names (:func:`_named`) and the rules setting each level."""

    __slots__ = ("_from_level", "at_level", "named", "rules")

    def __init__(self, plan: Plan) -> None:
        self.rules = plan.rules
        self.named = tuple(_named(rule.condition) for rule in plan.rules)
        at_level: dict[int, list[int]] = {}
        for pos, rule in enumerate(plan.rules):
            if rule.level is not None:
                at_level.setdefault(rule.level, []).append(pos)
        self.at_level: Mapping[int, tuple[int, ...]] = {k: tuple(v) for k, v in at_level.items()}
        self._from_level = {level: self._rules_from(level) for level in LEVELS}

    def _rules_from(self, level: int) -> tuple[tuple[int, int], ...]:
        return tuple(
            (pos, rule.level)
            for pos, rule in enumerate(self.rules)
            if rule.level is not None and rule.level >= level
        )

    def from_level(self, level: int) -> tuple[tuple[int, int], ...]:
        """(position, level) of the rules setting ``level`` or a higher one, in plan order."""
        found = self._from_level.get(level)
        return found if found is not None else self._rules_from(level)


def _shapes(plan: Plan) -> _Shapes:
    return derived(plan, "explain.shapes", _Shapes)


def holding_set(
    plan: Plan, facts: Facts, level: int, results: Sequence[RuleResult] | None = None
) -> tuple[str, ...]:
    """A minimal subset of the present concerns that alone gives the same level.

    Greedy deletion in a fixed order (lowest level first, then ruleset order), so it is
    deterministic: each concern is dropped if the level stays the same without it.

    ``level`` should be the level of ``facts`` (as :func:`~rhrt.engine.reference.evaluate` and
    ``level_of`` give it; any other level is answered by plain recomputation). ``results``: the
    evaluation's per-rule results for these facts, when at hand (saves evaluating every rule
    once more).

    Why not simply compute the level once per concern: that costs the number of concerns times
    the number of rules (143 s for 1,990 concerns and 2,000 rules). The level without a concern
    can only differ when a rule that mentions it changes, so :class:`_Holding` keeps what holds
    the level up to date incrementally and re-evaluates only those rules, lazily. The result is
    identical to deleting by full recomputation (``tests/test_explain_holding.py`` checks the
    two against each other on generated rulesets and cases).
    """
    present = facts.present
    if not present:
        return ()
    if len(present) <= _FEW:
        # A few concerns: recomputing the level once per concern (cheap with the gates) costs
        # less than setting up the incremental bookkeeping, and is the definition itself.
        return _holding_by_recomputing(plan, facts, level, _in_order(plan, present))
    return _Holding(plan, facts, level, results).run()


_FEW = 3
"""Up to this many concerns, :func:`holding_set` recomputes the level per concern."""


class _Holding:
    """The greedy deletion of :func:`holding_set`, with incremental bookkeeping.

    The level of a set of concerns is ``max(1, their levels, the level of every rule whose
    condition is not false)``. While deleting from the full set, the level stays ``level``
    exactly when (a) no rule above ``level`` stops being false, and (b) something still reaches
    ``level``: a kept concern at that level, a rule at that level that is not false, or
    ``level`` is 1. Conditions without ``not`` are monotone in the present concerns (a false
    one stays false as concerns are deleted, three-valued logic included), so for (a) only rules
    with ``not`` need watching, and for (b) only rules at ``level`` that hold on the full set or
    use ``not``. A rule's truth changes only when a concern it mentions is deleted.
    """

    def __init__(
        self, plan: Plan, facts: Facts, level: int, results: Sequence[RuleResult] | None
    ) -> None:
        self.plan = plan
        self.facts = facts
        self.level = level
        self.levels = plan.indicator_level
        self.kept: set[str] = set(facts.present)
        # One Facts object over the live ``kept`` set: conditions only read ``present``.
        self.trial = facts.with_present(cast(frozenset[str], self.kept))
        self.at_level = sum(1 for i in self.kept if self.levels[i] == level)
        # Rules above the level that use ``not`` (the only ones deleting can make fire), and
        # rules at the level that may hold it (those holding now, and those using ``not``).
        self.above: dict[int, frozenset[str]] = {}
        self.candidates: dict[int, frozenset[str]] = {}
        self.value: dict[int, bool] = {}
        """Candidate position -> fires (not false), valid unless the position is in dirty."""
        self.dirty: set[int] = set()
        self.mentions: dict[str, list[int]] = {}
        """Present concern -> positions of watched rules whose condition names it."""
        self.consistent = True
        negating = self.negating = derived(plan, "explain.negating_rules", _negating_rules)
        shapes = _shapes(plan)
        named_by = shapes.named
        present = facts.present
        for pos, rule_level in shapes.from_level(level):
            if results is not None:
                fires = results[pos].truth is not False
            else:
                fires = rule_truth(plan, pos, facts) is not False
            negates = pos in negating
            if rule_level > level and not negates:
                if fires:
                    self.consistent = False  # the level given is not the level of the facts
                continue
            named = named_by[pos] & present
            if rule_level > level:
                if fires:
                    self.consistent = False
                self.above[pos] = named
            elif fires or negates:
                self.candidates[pos] = named
                self.value[pos] = fires
            else:
                continue
            for ind in named:
                self.mentions.setdefault(ind, []).append(pos)
        if any(self.levels[i] > level for i in facts.present):
            self.consistent = False
        if level > 1 and not self.at_level and not any(self.value.values()):
            self.consistent = False

    def _fires(self, pos: int) -> bool:
        return rule_truth(self.plan, pos, self.trial) is not False

    def run(self) -> tuple[str, ...]:
        present = self.facts.present
        in_order = _in_order(self.plan, present)
        if not self.consistent:
            return _holding_by_recomputing(self.plan, self.facts, self.level, in_order)
        for ind in sorted(in_order, key=self.levels.__getitem__):  # stable: level, then order
            self.kept.discard(ind)
            if not self._holds_without(ind):
                self.kept.add(ind)
        return tuple(i for i in in_order if i in self.kept)

    def _holds_without(self, ind: str) -> bool:
        """Whether the level stays the same now that ``ind`` has left ``kept``.

        On True the deletion is accepted and the bookkeeping updated; on False the caller puts
        ``ind`` back and the bookkeeping is left as it was before the trial.
        """
        named = self.mentions.get(ind, ())
        for pos in named:  # (a) a rule with ``not`` above the level starts to fire
            if pos in self.above and self._fires(pos):
                return False
        is_at_level = self.levels[ind] == self.level
        left_at_level = self.at_level - is_at_level
        if left_at_level > 0 or self.level <= 1:
            self._accept(ind, named, is_at_level)
            return True
        # (b) nothing at the level is left but rules: is one of them still not false?
        changed = [p for p in named if p in self.candidates]
        checked: dict[int, bool] = {}
        for pos in changed:
            checked[pos] = self._fires(pos)
        found = any(checked.values())
        if not found:
            for pos, fires in list(self.value.items()):
                if pos in checked:
                    continue
                if pos in self.dirty:
                    # It does not name ``ind``: the same value with or without it.
                    fires = self._fires(pos)
                    self.dirty.discard(pos)
                    if not fires and pos not in self.negating:
                        self._forget(pos)  # false and monotone: false from now on
                        continue
                    self.value[pos] = fires
                if fires:
                    found = True
                    break
        if not found:
            return False  # the values in ``checked`` were for the trial set: not stored
        for pos, fires in checked.items():
            self.value[pos] = fires
            self.dirty.discard(pos)
        self._accept(ind, named, is_at_level, fresh=checked)
        return True

    def _accept(
        self, ind: str, named: Sequence[int], is_at_level: bool, fresh: Mapping[int, bool] = {}
    ) -> None:
        self.at_level -= is_at_level
        for pos in named:
            if pos in self.candidates and pos not in fresh:
                self.dirty.add(pos)
        # A rule without ``not`` known to be false now stays false: stop watching it.
        for pos, fires in fresh.items():
            if not fires and pos not in self.negating:
                self._forget(pos)

    def _forget(self, pos: int) -> None:
        self.value.pop(pos, None)
        self.candidates.pop(pos, None)
        self.dirty.discard(pos)


def _negating_rules(plan: Plan) -> frozenset[int]:
    """Positions of the rules whose condition uses ``not``: the only ones that can start to
    hold when a concern is taken away."""
    return frozenset(n for n, rule in enumerate(plan.rules) if uses_not(rule.condition))


def _named(node: Node) -> frozenset[str]:
    """The concerns a condition names (under ``not`` too): only deleting one of them can change
    its truth."""
    match node:
        case HasAny() | Count():
            return node.ids
        case All() | AnyOf() | Not():
            out: frozenset[str] = frozenset()
            for child in children(node):
                out |= _named(child)
            return out
        case MeasureCmp() | AgeCmp() | IsUnborn() | ContextIs():
            return frozenset()
        case _:
            assert_never(node)


def _holding_by_recomputing(
    plan: Plan, facts: Facts, level: int, in_order: Sequence[str]
) -> tuple[str, ...]:
    """The plain greedy deletion (one level computation per concern): only used when ``level``
    is not the level of ``facts``, where the incremental bookkeeping has nothing to stand on."""
    kept = set(in_order)
    for ind in sorted(in_order, key=plan.indicator_level.__getitem__):
        kept.discard(ind)
        if level_of(plan, facts.with_present(frozenset(kept))) != level:
            kept.add(ind)
    return tuple(i for i in in_order if i in kept)


def near_misses(plan: Plan, facts: Facts, evaluation: Evaluation) -> tuple[d.ChangeHint, ...]:
    """Rules that did not fire but are one step away from firing and would change the outcome.

    A rule is one step away when its condition is an ``all`` whose only false part is a measure
    threshold (and at least one part is true), or a count of concerns short by one. Only rules
    that would raise the level, make the decision urgent or add a pathway are listed.
    """
    hints = []
    results = evaluation.results
    gates = compiled(plan).gates
    present = facts.present
    for position in plan.hint_rules:  # only rules whose shape allows a near miss
        result = results[position]
        rule = result.rule
        if result.truth is not False:
            continue
        closed_by = gates[position]
        if closed_by is not None and closed_by.isdisjoint(present):
            # No concern opens its gate: a count is short by more than one, and an ``all`` has
            # a false part that is not a measure (gate), so neither can be one step away.
            continue
        raises = rule.level is not None and rule.level > evaluation.level
        adds = any(p not in evaluation.pathways for p in rule.pathways)
        if not (raises or adds or (rule.urgent and not evaluation.urgent)):
            continue
        missing = _one_missing_part(plan, rule.condition, facts)
        if missing is None:
            continue
        effect = []
        if raises:
            effect.append(f"raise the level to {rule.level}")
        urgent = rule.urgent and not evaluation.urgent
        if urgent:
            effect.append("make this urgent")
        new = tuple(p for p in rule.pathways if p not in evaluation.pathways)
        if new:
            effect.append("add " + ", ".join(new))
        hints.append(
            trusted(
                d.ChangeHint,
                rule=rule.id,
                text=f"{missing} would {' and '.join(effect)} ({rule.because})",
                raises_to=rule.level if raises else None,
                makes_urgent=urgent,
                adds_pathways=new,
            )
        )
    return tuple(hints)


def _one_missing_part(plan: Plan, node: Node, facts: Facts) -> str | None:
    if isinstance(node, Count):
        have = len(node.ids & facts.present)
        if node.at_least > 1 and have == node.at_least - 1:
            return f"One more concern counting towards '{node.label}'"
        return None
    if isinstance(node, All):  # with a measure part (Plan.hint_rules)
        check = compiled(plan).check
        values = [check(child)(facts, None) for child in node.children]
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


_K = TypeVar("_K")
_V = TypeVar("_V")

MEMO_SIZE = 4096
"""How many of each per-case part a ruleset keeps for reuse (a fired rule, a recommended
pathway with its reasons, the domain summary of a set of concerns present, a consent position
for the positions applying and the consent recorded; keys of ids and ruleset words only, never
case content); past that, parts are built for each decision (memory stays bounded in a
long-running service whatever its cases).

Read each time a part would be kept (:func:`kept`), so setting ``rhrt.explain.MEMO_SIZE``
after ``import rhrt`` (0 turns every such memo off) applies to every ruleset's memos, loaded
before or after; parts already kept stay."""


def kept(memo: dict[_K, _V], key: _K, value: _V) -> _V:
    """``value``, kept in ``memo`` under ``key`` while the memo holds fewer than
    :data:`MEMO_SIZE` parts (read now, not at import), or the part already kept there.

    The one place the per-ruleset memos of decision parts (fired rules, domain summaries,
    consent positions, recommended pathways) decide whether to keep a part.
    """
    if len(memo) < MEMO_SIZE:
        return memo.setdefault(key, value)
    return value


class ExplanationParts:
    """The parts of explanations that depend only on the ruleset, built once and shared.

    An indicator's finding (its text, level, domains and resolved source citation), a
    source's citation, and each domain's title and place in ruleset order are the same in
    every decision, so they are built the first time a decision needs them and then reused.
    Everything here is immutable (frozen models, tuples), so sharing across decisions and
    threads is safe; two threads racing to build the same part build equal ones, and the first
    stored is kept.
    """

    __slots__ = (
        "_catalogue",
        "_domains",
        "_findings",
        "_fired",
        "_indicators",
        "_levels",
        "_summaries",
        "conditions",
    )

    def __init__(self, catalogue: Catalogue, conditions: Mapping[str, str] | None = None) -> None:
        self._catalogue = catalogue
        self.conditions: Mapping[str, str] = conditions or {}
        self._findings: dict[str, d.IndicatorFinding] = {}
        self._indicators: dict[str, tuple[int, tuple[str, ...]]] = {}
        self._domains: list[Mapping[str, tuple[int, str]]] = []
        self._fired: dict[tuple[str, frozenset[str], tuple[str, ...]], d.FiredRule] = {}
        self._summaries: dict[frozenset[str], tuple[d.DomainSummary, ...]] = {}
        self._levels: dict[int, Level] = {}

    def summary(self, plan: Plan, present: frozenset[str]) -> tuple[d.DomainSummary, ...]:
        """The domain summary of these present concerns (:func:`domain_summary`): the same
        concerns give the same summary in every decision, so the first :data:`MEMO_SIZE` sets
        of concerns are kept with theirs (ids only, never case content)."""
        found = self._summaries.get(present)
        if found is None:
            found = _summary(self, _in_order(plan, present))
            found = kept(self._summaries, present, found)
        return found

    def fired(self, result: RuleResult, present: frozenset[str]) -> d.FiredRule:
        """A fired rule as a decision shows it. The same rule firing on the same concerns with
        the same missing facts looks the same in every decision, so the first
        :data:`MEMO_SIZE` such are kept and shared."""
        rule = result.rule
        key = (rule.id, rule.indicator_ids & present, result.assumed)
        found = self._fired.get(key)
        if found is None:
            found = _fired(result, present, self.conditions)
            found = kept(self._fired, key, found)
        return found

    def finding(self, ind_id: str) -> d.IndicatorFinding:
        """The finding of a present indicator that determines the level."""
        found = self._findings.get(ind_id)
        if found is None:
            ind = self._catalogue.get(ind_id)
            found = trusted(
                d.IndicatorFinding,
                id=ind.id,
                text=ind.text,
                level=ind.level,
                domain=ind.domain,
                subdomain=ind.subdomain,
                source=citation(self._catalogue.model, ind.source),
            )
            found = self._findings.setdefault(ind_id, found)
        return found

    def indicator_domains(self, ind_id: str) -> tuple[int, tuple[str, ...]]:
        """An indicator's level and the domains it is summarised under (primary, then topics)."""
        found = self._indicators.get(ind_id)
        if found is None:
            ind = self._catalogue.get(ind_id)
            found = self._indicators.setdefault(ind_id, (ind.level, (ind.domain, *ind.topics)))
        return found

    def level(self, number: int) -> Level:
        """The ruleset's level with this number (``RulesetModel.level``, looked up once)."""
        found = self._levels.get(number)
        if found is None:
            found = self._levels.setdefault(number, self._catalogue.model.level(number))
        return found

    def step_down(self, level: int) -> str | None:
        """The ruleset's words on what would allow a step down from ``level``."""
        return self.level(level).step_down

    def step_up(self, level: int) -> str | None:
        """The ruleset's words on when a case at ``level`` steps up."""
        return self.level(level).step_up

    def domains(self) -> Mapping[str, tuple[int, str]]:
        """Domain id → (position in ruleset order, title)."""
        if not self._domains:
            built = {
                dom.id: (n, dom.title) for n, dom in enumerate(self._catalogue.model.domains)
            }
            if not self._domains:
                self._domains.append(built)
        return self._domains[0]


def explain(
    plan: Plan,
    catalogue: Catalogue,
    facts: Facts,
    evaluation: Evaluation,
    conditions: Mapping[str, str] | None = None,
    *,
    parts: ExplanationParts | None = None,
) -> d.Explanation:
    """Build the full explanation of one evaluation.

    ``conditions`` maps rule id → its condition in plain words (``rhrt.rules.plain``,
    computed once per ruleset), carried on each fired rule. ``parts``: the ruleset's
    :class:`ExplanationParts` (a :class:`~rhrt.Ruleset` keeps one), built here when not given
    (with ``conditions``).
    """
    if parts is None:
        parts = ExplanationParts(catalogue, conditions)
    findings = tuple(map(parts.finding, determining_indicators(plan, facts, evaluation)))
    present = facts.present
    fired = []
    missing: dict[str, None] = {}
    for r in evaluation.results:
        if r.truth is not False:
            fired.append(parts.fired(r, present))
            if r.assumed:
                missing.update(dict.fromkeys(r.assumed))
    return trusted(
        d.Explanation,
        indicators=findings,
        rules=tuple(fired),
        domains=parts.summary(plan, present),
        holding_set=holding_set(plan, facts, evaluation.level, evaluation.results),
        missing_information=tuple(missing),
        would_raise=near_misses(plan, facts, evaluation),
        urgent_because=_urgent_because(plan, evaluation),
        replaced_pathways=_replaced(evaluation),
        would_allow_step_down=parts.step_down(evaluation.level),
        step_up=parts.step_up(evaluation.level),
    )


def _urgent_because(plan: Plan, evaluation: Evaluation) -> tuple[str, ...]:
    """Why the decision is urgent: urgent concerns present, then urgent rules fired."""
    if not evaluation.urgent:
        return ()
    said = [plan.urgent_indicators[i] for i in evaluation.urgent_indicators]
    said += [r.rule.because for r in evaluation.results if r.truth is not False and r.rule.urgent]
    return tuple(dict.fromkeys(said))


def _replaced(evaluation: Evaluation) -> tuple[d.ReplacedPathway, ...]:
    if not evaluation.replaced:
        return ()
    rules = {r.rule.id: r.rule for r in evaluation.results}
    return tuple(
        trusted(
            d.ReplacedPathway,
            id=pid,
            by=by,
            instead=tuple(dict.fromkeys(p for rid in by for p in rules[rid].pathways)),
        )
        for pid, by in evaluation.replaced.items()
    )


def _fired(
    result: RuleResult, present: frozenset[str], conditions: Mapping[str, str]
) -> d.FiredRule:
    rule = result.rule
    return trusted(
        d.FiredRule,
        id=rule.id,
        because=rule.because,
        level=rule.level,
        urgent=rule.urgent,
        pathways=rule.pathways,
        indicators=tuple(sorted(rule.indicator_ids & present)),
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
    return _summary(ExplanationParts(catalogue), ordered)


def _summary(parts: ExplanationParts, ordered: Iterable[str]) -> tuple[d.DomainSummary, ...]:
    """:func:`domain_summary` of the present ids in ruleset order, from the ruleset's parts."""
    groups: dict[str, list[str]] = {}
    highest: dict[str, int] = {}
    for ind_id in ordered:
        level, dom_ids = parts.indicator_domains(ind_id)
        for dom_id in dom_ids:
            found = groups.get(dom_id)
            if found is None:
                groups[dom_id] = [ind_id]
                highest[dom_id] = level
            else:
                found.append(ind_id)
                if level > highest[dom_id]:
                    highest[dom_id] = level
    if not groups:
        return ()
    domains = parts.domains()
    order = sorted((domains[k][0], k) for k in groups if k in domains)
    return tuple(
        trusted(
            d.DomainSummary,
            domain=dom_id,
            title=domains[dom_id][1],
            highest_level=highest[dom_id],
            indicators=tuple(groups[dom_id]),
        )
        for _, dom_id in order
    )


def citation(model: RulesetModel, ref: SourceRef) -> d.SourceCitation:
    """A source reference resolved against the ruleset's ``sources``."""
    src = model.sources[ref.ref]
    section = ref.section or (str(ref.page) if ref.page is not None else None)
    return trusted(
        d.SourceCitation,
        ref=ref.ref,
        title=src.title,
        url=src.url,
        section=section,
        standing=src.standing,
    )


def consent_position(
    model: RulesetModel,
    plan: Plan,
    catalogue: Catalogue,
    facts: Facts,
    evaluation: Evaluation,
    recorded: Literal["given", "refused", "not_sought"] | None,
) -> d.ConsentPosition:
    """The consent positions that apply to an evaluation, most protective first, with why
    (``rhrt.rules.consent``, the table on ``plan.consent``) and the ruleset's words for what
    was recorded.

    All wording is the ruleset's: each position's text, and ``consent.recorded`` for what a
    given, refused or not-sought consent means under the first one (its text when none).
    """
    table = plan.consent
    assert table is not None, "a Ruleset's plan carries its consent table"
    urgent_why = (  # no fired rule is urgent unless the decision is
        tuple(r.rule.id for r in evaluation.results if r.fired and r.rule.urgent)
        if evaluation.urgent
        else ()
    )
    applying = table.applying(
        evaluation.level,
        evaluation.urgent,
        evaluation.pathways,
        facts.present,
        None if facts.unborn else facts.age_months,
        urgent_why=urgent_why,
        indicator_rank=plan.indicator_rank,
    )
    memo = derived(plan, "explain.consent", _ConsentMemo)
    key = (tuple([(a.position.id, a.why) for a in applying]), recorded)
    found = memo.positions.get(key)
    if found is None:
        found = _consent_position(model, plan, catalogue, applying, recorded)
        found = kept(memo.positions, key, found)
    return found


class _ConsentMemo:
    """The consent positions decisions carry, per plan: the same positions applying for the
    same reasons, with the same consent recorded, give the same :class:`d.ConsentPosition`
    (frozen, shared). At most :data:`MEMO_SIZE` are kept; the key holds position ids, ids of
    concerns, rules and pathways, and the recorded consent's word, never case content."""

    __slots__ = ("positions",)

    def __init__(self, plan: Plan) -> None:
        self.positions: dict[
            tuple[tuple[tuple[str, tuple[str, ...]], ...], str | None], d.ConsentPosition
        ] = {}


def _consent_position(
    model: RulesetModel,
    plan: Plan,
    catalogue: Catalogue,
    applying: Sequence[Applying],
    recorded: Literal["given", "refused", "not_sought"] | None,
) -> d.ConsentPosition:
    table = plan.consent
    assert table is not None, "a Ruleset's plan carries its consent table"
    fixed = derived(plan, "consent-fixed", lambda _: _fixed_positions(model, table))
    items = [
        fixed[a.position.id] if a.position.trigger in ("level", "pathway")
        else _consent_applies(model, catalogue, a)
        for a in applying
    ]
    first = items[0]
    words = recorded_wording(table, first.rule, recorded)
    return trusted(
        d.ConsentPosition,
        rule=first.rule,
        text=first.text,
        recorded=recorded,
        applies=words if words is not None else first.text,
        id=first.id,
        trigger=first.trigger,
        because=first.because,
        why=first.why,
        source=first.source,
        others=tuple(items[1:]),
    )


def _fixed_positions(model: RulesetModel, table: ConsentTable) -> dict[str, d.ConsentApplies]:
    """The level and pathway positions as decisions carry them: the same for every case, so
    built once per ruleset (``derived``)."""
    out = {}
    for lv in model.levels:
        pos = table.levels[lv.level]
        out[pos.id] = _applies(model, pos, f"level {lv.level} ({lv.name})", (pos.id,))
    for pw in model.pathways:
        found = table.pathways.get(pw.id)
        if found is not None:
            out[found.id] = _applies(model, found, f"the pathway recommended: {pw.title}", (pw.id,))
    return out


def _consent_applies(
    model: RulesetModel, catalogue: Catalogue, found: Applying
) -> d.ConsentApplies:
    pos = found.position
    if pos.trigger == "urgent":
        because = "the child may be in immediate danger (the decision is urgent)"
    else:
        because = "the concern" + ("s" if len(found.why) > 1 else "") + ": " + "; ".join(
            catalogue.get(i).text for i in found.why
        )
    return _applies(model, pos, because, found.why)


def _applies(
    model: RulesetModel, pos: Position, because: str, why: tuple[str, ...]
) -> d.ConsentApplies:
    return trusted(
        d.ConsentApplies,
        id=pos.id,
        rule=pos.kind,
        text=pos.text,
        trigger=pos.trigger,
        because=because,
        why=why,
        source=citation(model, pos.source) if pos.source is not None else None,
    )


class UrgentRoutes:
    """What :func:`choose_first_step` reads of a ruleset, built once per ruleset: the emergency
    pathways (``pathways[].emergency``) and each level's own routes (``levels[].pathways``)."""

    __slots__ = ("emergency", "levels")

    def __init__(self, emergency: Iterable[str], levels: Mapping[int, Iterable[str]]) -> None:
        self.emergency = frozenset(emergency)
        self.levels = {level: frozenset(ids) for level, ids in levels.items()}

    @classmethod
    def of_plan(cls, plan: Plan) -> UrgentRoutes:
        """The routes of a compiled ruleset (kept with the plan: the batch reads them per
        chunk, and a plan rebuilt from a broadcast ruleset on a Spark executor has no model)."""
        return derived(plan, "explain.urgent_routes",
                       lambda p: cls(p.emergency_pathways, p.level_pathways))

    @classmethod
    def of_model(cls, model: RulesetModel) -> UrgentRoutes:
        """The routes of a ruleset's model (for a stored record read back with it)."""
        return cls(emergency_pathways(model), {lv.level: lv.pathways for lv in model.levels})


def choose_first_step(
    routes: UrgentRoutes | None,
    *,
    urgent: bool,
    final_level: int,
    firm: Sequence[str],
    by_urgent_rule: Container[str],
    replaced: Mapping[str, Iterable[str]],
) -> str | None:
    """What an urgent decision says to do first, from the parts of its outcome: the one
    definition that :func:`first_step` (``Decision.first_step``) and the batch's
    ``first_step`` column (``rhrt.batch``) both read.

    Args:
        routes: the ruleset's routes; None only for an older record rendered without its
            ruleset (then only an urgent rule's route can come first).
        urgent: whether the decision is urgent (None is returned when not).
        final_level: the level to act on (a professional's override where recorded).
        firm: the ids of the recommended pathways that do not rest on missing information
            (no ``conditional_on``), in the decision's pathway order.
        by_urgent_rule: ids a fired urgent rule recommends whose condition is definitely true
            (a rule fired only on missing information does not count).
        replaced: pathway id → the pathways that replaced it because of the child's context
            (``Explanation.replaced_pathways``); only the final level's own routes are read.

    Returns:
        An emergency pathway (the framework's "if someone is injured or in immediate danger:
        telephone 999" comes before anything else); else one in ``by_urgent_rule``; else a
        route of ``final_level`` or one that replaced it. Within each kind the first in
        ``firm``'s order; never just the first listed. None when not urgent or no firm
        pathway qualifies.
    """
    if not urgent or not firm:
        return None
    if routes is not None:
        emergency = routes.emergency
        for pid in firm:
            if pid in emergency:
                return pid
    for pid in firm:
        if pid in by_urgent_rule:
            return pid
    if routes is None:
        return None
    own = routes.levels.get(final_level, frozenset())
    level_routes = own.union(*[instead for pid, instead in replaced.items() if pid in own])
    for pid in firm:
        if pid in level_routes:
            return pid
    return None


def first_step(
    routes: UrgentRoutes | None,
    *,
    urgent: bool,
    final_level: int,
    pathways: Sequence[d.PathwayRecommendation],
    explanation: d.Explanation,
) -> str | None:
    """The id of the pathway an urgent decision puts first (``Decision.first_step``):
    :func:`choose_first_step` of the decision's pathways and explanation. An emergency pathway;
    else one a fired urgent rule recommends (a rule fired on missing information does not
    count); else the route of ``final_level`` (the level to act on, so a professional's
    override moves it), or the route that replaced it because of the child's context
    (``explanation.replaced_pathways``). Never a pathway resting on missing information
    (``conditional_on``), and never just the first listed: an urgent decision once opened "Act
    now: Graded Care Profile 2" because its urgency came from an urgent concern and a neglect
    rule's pathway came first. None when not urgent or no route qualifies.

    ``routes``: those of the ruleset that made the decision; None only for an older record
    rendered without its ruleset.
    """
    if not urgent:
        return None
    firm = [p for p in pathways if not p.conditional_on]
    if not firm:
        return None
    urgent_rules = {r.id for r in explanation.rules if r.urgent and not r.assumed}
    return choose_first_step(
        routes,
        urgent=urgent,
        final_level=final_level,
        firm=[p.id for p in firm],
        by_urgent_rule={p.id for p in firm if not urgent_rules.isdisjoint(p.why)},
        replaced={swap.id: swap.instead for swap in explanation.replaced_pathways},
    )


def recorded_first_step(decision: d.Decision, model: RulesetModel | None) -> str | None:
    """The pathway to act on first for a decision, also for a record made before
    ``Decision.first_step`` existed.

    A record that has the field (the key present in its JSON, so among ``model_fields_set``)
    gives its own ``first_step``, even when that is None. For an older record, without the key,
    :func:`first_step` is recomputed from the record (its ``urgent``, ``final_level``,
    ``pathways`` and ``explanation``) by the same rule a new decision uses; the renderers show
    that pathway first.

    Args:
        decision: a decision, e.g. read back with ``rhrt.Decision.from_json``.
        model: the model of the ruleset that made it (``Ruleset.model``), or None: then the
            ruleset's emergency pathways and level routes are unknown and only a route recommended
            by a fired urgent rule can come first (as rendering such a record without its
            ruleset always showed).

    Returns:
        A pathway id, one of ``decision.pathways``, or None: the decision is not urgent, or no
        route qualifies.
    """
    if "first_step" in decision.model_fields_set:
        return decision.first_step
    return first_step(
        None if model is None else UrgentRoutes.of_model(model),
        urgent=decision.urgent,
        final_level=decision.final_level,
        pathways=decision.pathways,
        explanation=decision.explanation,
    )


def override_record(
    override: d.Override, framework_level: int, model: RulesetModel
) -> d.OverrideRecord:
    """A professional's override as the decision records it, beside the framework's level.

    Policy: ``direction`` says whether the professional raised, lowered or agreed with the
    framework's level; ``management_review`` is required when the framework's outcome is the
    top level and the professional lowers it (docs/decision-records.md: a lowered level-4
    outcome is never silent). The level's name comes from the ruleset (``levels[n].name``).
    """
    if override.level > framework_level:
        direction: Literal["raised", "lowered", "same"] = "raised"
    elif override.level < framework_level:
        direction = "lowered"
    else:
        direction = "same"
    return d.OverrideRecord(
        level=override.level,
        reason=override.reason,
        role=override.role,
        level_name=model.level(override.level).name,
        framework_level=framework_level,
        direction=direction,
        management_review=framework_level == TOP_LEVEL and override.level < TOP_LEVEL,
    )

# SPDX-License-Identifier: MIT
"""durable-rules as an independent second engine (``ruleset.assess(case, engine="durable")``).

Why a second engine at all: the reference engine *is* the meaning of a ruleset, so a bug in it
would silently be the meaning. Compiling the same plan into a completely different matcher
(durable-rules' Rete network, written in C) and checking that both agree on every generated
case (``tests/test_durable.py``) catches bugs in either.

How a plan becomes a durable-rules ruleset (its JSON form, so rule names are the YAML ids):

* One *fact* per evaluation, asserted under a fresh session id and deleted afterwards. Facts,
  not events: durable consumes an event with the first rule that matches it, but a fact is seen
  by every rule. The fact carries the present indicator ids as one list (``p``), never one
  boolean per indicator (durable rejects facts with more than ~250 properties).
* Three-valued logic as *intervals*. A missing age or measure is sent twice, as the lowest and
  the highest possible value (``*_lo`` / ``*_hi``); a comparison that must hold "true or
  unknown" reads the optimistic bound, one that must hold "true" reads the pessimistic one.
  An unborn child has the shared unborn age (below every threshold, in both bounds). So every leaf
  is one durable comparison and durable alone decides, with Kleene logic, whether each rule's
  condition is true, unknown or false.
* Numbers are sent as their rank among the thresholds the ruleset compares that field with
  (order-preserving and exact): durable's JSON parser rejects exponent notation (``1e-05``),
  which Python emits for small and large floats.
* ``count`` conditions cannot be expressed in durable, so the fact carries, per distinct set of
  counted indicators, the tokens ``k:1 … k:n`` (``n`` present, capped at the largest threshold
  used) and ``kd:1 … kd:m`` for distinct domains; durable tests membership of ``k:N``.
* Conditions are compiled to disjunctive normal form, one durable rule per alternative
  (``<id>``, ``<id>~or-2``, ...; see :func:`_rules` for why not durable's ``any``).
  ``<id>`` fires when its condition is true or unknown (the rule fires), ``<id>~certain`` when
  it is known true; ``rhrt~seen`` always, proving durable processed the fact.
* durable decides only each rule's truth; the level, urgency and pathways follow from the
  shared fold (:func:`rhrt.rules.semantics.fold`). Which missing facts an unknown rule assumed
  is read back from the fact durable was given (its intervals), not from the reference engine.

durable-rules 2.0.28 is unmaintained and has sharp edges (see docs/testing-rules.md and
shared research); this module is the only code that touches it, and none of them leak:

* a private ``Host`` per compiled ruleset, with durable's background dispatcher threads turned
  off (they would race us to run our actions), and never the module-level global host;
* content-hashed ruleset names and a process-wide cache, so loading the same ruleset twice
  works (durable cannot unregister a ruleset, and never frees one);
* one session per evaluation, always deleted (durable allows 1024 live sessions per ruleset and
  reports false duplicates after ~46k facts in one session); no batch calls (they complete
  asynchronously);
* exceptions inside actions (which durable swallows into the session state) become
  :class:`~rhrt.errors.BackendError`, as does any other durable failure;
* one process-wide lock around every call into durable (its C code has no locks of its own;
  the GIL means a lock costs no parallelism).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import itertools
import json
import sys
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from typing import Any, assert_never

from rhrt.errors import BackendError, MissingExtraError
from rhrt.model.scale import MEASURE_OPS, MeasureOp
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
    walk,
)
from rhrt.rules.semantics import (
    AGE_OPERATORS,
    MEASURE_OPERATORS,
    MISSING_AGE,
    MISSING_STEP_DOWN_DATE,
    Check,
    Evaluation,
    Facts,
    Kleene,
    RuleResult,
    Truth,
    context_truth,
    domain_spread,
    fold,
    missing_context,
    missing_measure,
    rule_age,
    unborn_truth,
    unknown,
)

__all__ = ["MAX_ALTERNATIVES", "MAX_FACT_FIELDS", "DurableEngine", "compile_durable"]

MARK = "rhrt"
"""A property every rhrt fact carries; every rule requires it. Without a positive test a rule
made only of negative tests would also match durable's own session-state record."""
SENTINEL = "#"
"""First item of every list field: durable's ``$iall`` is false on an empty list."""
SEEN = "rhrt~seen"
CERTAIN = "~certain"
ALTERNATIVE = "~or-"
MAX_FACT_FIELDS = 240
"""durable rejects a fact with more than ~250 properties (error 302)."""
MAX_ALTERNATIVES = 256
"""The most alternatives (disjuncts) one rule may compile to before we refuse it."""

_FALSE: dict[str, Any] = {"$lt": {MARK: 0}}
_UP: dict[MeasureOp, str] = {
    "at_least": "$gte", "more_than": "$gt", "at_most": "$lte", "less_than": "$lt"
}
assert tuple(_UP) == MEASURE_OPS
_NEGATE = {"$gte": "$lt", "$gt": "$lte", "$lte": "$gt", "$lt": "$gte"}

Literal = str
"""One durable comparison, as canonical JSON (hashable, so alternatives can be deduplicated)."""
Dnf = list[tuple[Literal, ...]]
"""A disjunction of conjunctions: ``[]`` is false, ``[()]`` is true."""


def _lit(expr: dict[str, Any]) -> Literal:
    return json.dumps(expr, sort_keys=True, separators=(",", ":"))


def _or(parts: Iterable[Dnf]) -> Dnf:
    out: dict[frozenset[Literal], tuple[Literal, ...]] = {}
    for part in parts:
        for conj in part:
            out.setdefault(frozenset(conj), conj)
    return list(out.values())


def _and(parts: Sequence[Dnf]) -> Dnf:
    result: Dnf = [()]
    for part in parts:
        if len(result) * max(len(part), 1) > MAX_ALTERNATIVES * 4:
            raise _TooComplex
        result = _or(
            [[tuple(dict.fromkeys(left + right)) for left in result for right in part]]
        )
    return result


class _TooComplex(Exception):
    """A condition's normal form is too large for durable."""


class _Field:
    """A numeric fact field compared with a fixed set of thresholds, sent as a rank.

    ``code(x)`` is ``2 * #(thresholds below x) + (1 if x is a threshold)``: comparing codes gives
    exactly the same answers as comparing the numbers with any of the thresholds.
    """

    def __init__(self, name: str, thresholds: Iterable[float]) -> None:
        self.name = name
        self.thresholds = sorted(set(thresholds))
        self.unknown_high = 2 * len(self.thresholds) + 1
        self.unknown_low = -1

    def code(self, value: float) -> int:
        below = bisect_left(self.thresholds, value)
        exact = below < len(self.thresholds) and self.thresholds[below] == value
        return 2 * below + (1 if exact else 0)


class _Compiler:
    """Plan → durable ruleset definition (plain JSON-able dict) plus how to build facts."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        ages: list[float] = []
        measures: dict[str, list[float]] = {}
        counts: dict[frozenset[str], tuple[int, int]] = {}
        states: list[str] = []
        recency: list[float] = []
        for rule in plan.rules:
            for node in walk(rule.condition):
                if isinstance(node, ContextIs):
                    if node.state not in states:
                        states.append(node.state)
                    if node.within_months is not None:
                        recency.append(node.within_months)
                elif isinstance(node, AgeCmp):
                    ages.append(node.months)
                elif isinstance(node, MeasureCmp):
                    measures.setdefault(node.measure, []).append(node.value)
                elif isinstance(node, Count):
                    n, d = counts.get(node.ids, (0, 0))
                    counts[node.ids] = (max(n, node.at_least), max(d, node.distinct_domains or 0))
        self.age = _Field("a", ages)
        self.measures = {
            name: _Field(f"x{i}", measures[name]) for i, name in enumerate(sorted(measures))
        }
        self.counts = {ids: (i, n, d) for i, (ids, (n, d)) in enumerate(counts.items())}
        # A context state is an interval like unborn: [1, 1] recorded as holding, [0, 0] as not,
        # [0, 1] not recorded; the months since a step-down a numeric field like an age.
        self.states = {state: f"c{i}" for i, state in enumerate(states)}
        self.step_down = _Field("s", recency)
        fields = 8 + 2 * len(self.measures)  # rhrt sid id p n u a_lo a_hi + two per measure
        fields += 2 * len(self.states) + (2 if recency else 0)
        if fields > MAX_FACT_FIELDS:
            raise BackendError(
                f"this ruleset compares {len(self.measures)} different measures; the durable "
                f"engine can carry at most {(MAX_FACT_FIELDS - 8) // 2}"
            )

    # -- the definition -------------------------------------------------------------------

    def definition(self) -> dict[str, dict[str, Any]]:
        rules: dict[str, dict[str, Any]] = dict(_rules(SEEN, [()]))
        for rule in self.plan.rules:
            try:
                fires = self.dnf(rule.condition, "NF")
                certain = self.dnf(rule.condition, "T")
            except _TooComplex:
                fires = certain = [()] * (MAX_ALTERNATIVES + 1)
            for name, dnf in ((rule.id, fires), (rule.id + CERTAIN, certain)):
                if len(dnf) > MAX_ALTERNATIVES:
                    raise BackendError(
                        f"rule '{rule.id}' is too complex for the durable engine (more than "
                        f"{MAX_ALTERNATIVES} alternatives once 'any'/'all'/'not' are expanded)"
                    )
                rules.update(_rules(name, dnf))
        return rules

    def dnf(self, node: Node, mode: str) -> Dnf:
        """The condition in one of four modes: T (true), F (false), NT, NF (not true/false)."""
        positive = mode in ("T", "NF")
        match node:
            case All() | AnyOf():
                # all: AND in modes T and NF, OR in F and NT; any: the other way round.
                conjunctive = isinstance(node, All) == positive
                children = (
                    _merge_has_any(node.children) if isinstance(node, AnyOf) else node.children
                )
                parts = [self.dnf(child, mode) for child in children]
                return _and(parts) if conjunctive else _or(parts)
            case Not():
                return self.dnf(node.child, {"T": "F", "F": "T", "NT": "NF", "NF": "NT"}[mode])
            case HasAny():
                if not node.ids:
                    return [] if positive else [()]
                lit = self._any_present(node.ids) if positive else self._none_present(node.ids)
                return [(lit,)]
            case Count():
                return self._count(node, positive)
            case IsUnborn():
                # Unborn is an interval too: [1, 1] unborn, [0, 0] born (an age is recorded),
                # [0, 1] unknown (neither). "Certainly" reads the pessimistic bound.
                wanted = node.value if positive else not node.value
                certain = mode in ("T", "F")
                bound = "u_lo" if certain == wanted else "u_hi"
                return [(_lit({bound: 1 if wanted else 0}),)]
            case MeasureCmp():
                spec = self.measures[node.measure]
                return [(self._compare(spec, _UP[node.op], node.value, mode),)]
            case AgeCmp():
                op = "$lt" if node.op == "under" else "$gte"
                return [(self._compare(self.age, op, node.months, mode),)]
            case ContextIs():
                # Kleene "and" of the state and (with within_months) the recency
                wanted = positive
                certain = mode in ("T", "F")
                bound = "lo" if certain == wanted else "hi"
                state = _lit({f"{self.states[node.state]}_{bound}": 1 if wanted else 0})
                if node.within_months is None:
                    return [(state,)]
                recent = self._compare(self.step_down, "$lte", node.within_months, mode)
                return [(state, recent)] if positive else [(state,), (recent,)]
            case _:
                assert_never(node)

    def _compare(self, spec: _Field, op: str, value: float, mode: str) -> Literal:
        if mode in ("F", "NT"):
            op = _NEGATE[op]
        unknown_satisfies = mode in ("NF", "NT")
        upward = op in ("$gt", "$gte")
        bound = "hi" if unknown_satisfies == upward else "lo"
        return _lit({op: {f"{spec.name}_{bound}": spec.code(value)}})

    def _count(self, node: Count, positive: bool) -> Dnf:
        if len(node.ids) < node.at_least:
            return [] if positive else [()]
        key = self.counts[node.ids][0]
        tokens = [f"{key}:{node.at_least}"]
        if node.distinct_domains is not None:
            tokens.append(f"{key}d:{node.distinct_domains}")
        if positive:
            return [tuple(_lit({"$iany": {"n": {"$i": t}}}) for t in tokens)]
        return [(_lit({"$iall": {"n": {"$neq": {"$i": t}}}}),) for t in tokens]

    @staticmethod
    def _any_present(ids: frozenset[str]) -> Literal:
        items = [{"$i": i} for i in sorted(ids)]
        return _lit({"$iany": {"p": items[0] if len(items) == 1 else {"$or": items}}})

    @staticmethod
    def _none_present(ids: frozenset[str]) -> Literal:
        items = [{"$neq": {"$i": i}} for i in sorted(ids)]
        return _lit({"$iall": {"p": items[0] if len(items) == 1 else {"$and": items}}})

    # -- facts ----------------------------------------------------------------------------

    def fact(self, facts: Facts, sid: str) -> dict[str, Any]:
        present = sorted(facts.present)
        unborn = unborn_truth(True, facts.age_months, facts.unborn)
        tokens: list[str] = [SENTINEL]
        for ids, (key, max_n, max_d) in self.counts.items():
            hits = ids & facts.present
            tokens.extend(f"{key}:{j}" for j in range(1, min(len(hits), max_n) + 1))
            if max_d:
                spread = domain_spread(hits, facts.domains)
                tokens.extend(f"{key}d:{j}" for j in range(1, min(spread, max_d) + 1))
        fact: dict[str, Any] = {
            MARK: 1,
            "sid": sid,
            "id": sid,
            "p": [SENTINEL, *present],
            "n": tokens,
            "u_lo": 1 if unborn is True else 0,
            "u_hi": 0 if unborn is False else 1,
        }
        _bounds(fact, self.age, rule_age(facts.age_months, facts.unborn))
        for state, name in self.states.items():
            value = facts.context.get(state)
            fact[f"{name}_lo"] = 1 if value is True else 0
            fact[f"{name}_hi"] = 0 if value is False else 1
        if self.step_down.thresholds:
            _bounds(fact, self.step_down, facts.stepped_down_months)
        for name, spec in self.measures.items():
            _bounds(fact, spec, facts.measures.get(name))
        return fact


def _bounds(fact: dict[str, Any], spec: _Field, value: float | None) -> None:
    if value is None:
        fact[f"{spec.name}_lo"], fact[f"{spec.name}_hi"] = spec.unknown_low, spec.unknown_high
    else:
        fact[f"{spec.name}_lo"] = fact[f"{spec.name}_hi"] = spec.code(value)


def _merge_has_any(children: tuple[Node, ...]) -> tuple[Node, ...]:
    """``any`` of several indicator/tag/domain tests is one test of their union (in every
    mode, as such tests are never unknown); keeps normal forms small."""
    ids: set[str] = set()
    rest: list[Node] = []
    for child in children:
        if isinstance(child, HasAny):
            ids |= child.ids
        else:
            rest.append(child)
    if not ids:
        return tuple(rest)
    return (HasAny(frozenset(ids), "merged"), *rest)


def _rules(name: str, dnf: Dnf) -> Iterable[tuple[str, dict[str, Any]]]:
    """One durable rule per alternative: ``name``, then ``name~or-2``, ``name~or-3``...

    Not durable's own ``any`` (one rule, several alternatives): durable 2.0.28 shares alpha
    nodes between the alternatives of an ``any`` incorrectly and misses matches (found by the
    differential test: ``any: [a∧b, a∧c, b∧c]`` does not fire on one indicator tagged both b
    and c). Separate rules are matched correctly, and each stays small (durable caps the size
    of one expression).
    """
    mark = {MARK: 1}
    if not dnf:
        yield name, {"all": [{"m": {"$and": [mark, _FALSE]}}]}
        return
    for i, conj in enumerate(dnf):
        expr = {"$and": [mark, *(json.loads(lit) for lit in conj)]} if conj else mark
        yield (name if i == 0 else f"{name}{ALTERNATIVE}{i + 1}"), {"all": [{"m": expr}]}


def base_name(durable_rule: str) -> str:
    """The rule an alternative belongs to (``x~or-2`` → ``x``)."""
    return durable_rule.split(ALTERNATIVE, 1)[0]


def compile_durable(plan: Plan) -> dict[str, dict[str, Any]]:
    """The durable-rules JSON definition of a plan (rule names are the YAML rule ids).

    Useful to inspect what durable is asked to match; :class:`DurableEngine` uses the same.
    """
    return _Compiler(plan).definition()


# --- the durable side -----------------------------------------------------------------------

_CREATE_ATTEMPTS = 10  # see the note in _DurableHost.__init__ (error 102)
_LOCK = threading.RLock()
"""Serialises every call into durable-rules (its C code has no locks)."""
_SHARED: dict[str, _SharedRuleset] = {}
"""Compiled durable rulesets by content-hashed name: durable can never unregister or free one,
so identical rulesets (the same file loaded twice, a test re-creating one) share it."""


DURABLE_PYTHONS = ((3, 11), (3, 12))
"""The Pythons rhrt installs durable-rules on (pyproject's ``python_version < '3.13'`` marker
within ``requires-python >= 3.11``): durable-rules does not build on Python 3.13 or later."""


def _import_durable(version: tuple[int, ...] = tuple(sys.version_info[:2])) -> Any:
    try:
        from durable import engine
    except (ImportError, OSError):  # OSError: a broken C build
        raise durable_missing(version) from None
    return engine


def durable_missing(version: tuple[int, ...]) -> MissingExtraError:
    """The error for a missing durable-rules: on a Python it does not support, say so (installing
    the extra there installs nothing) and which Pythons it supports."""
    if tuple(version[:2]) > DURABLE_PYTHONS[-1]:
        supported = " and ".join(f"{major}.{minor}" for major, minor in DURABLE_PYTHONS)
        return MissingExtraError(
            "the durable engine",
            "durable",
            reason=(
                f"durable-rules does not support Python {version[0]}.{version[1]}, so "
                f"rhrt[durable] installs nothing here; it supports Python {supported}. Use "
                "the reference engine (the default), or Python "
                f"{DURABLE_PYTHONS[-1][0]}.{DURABLE_PYTHONS[-1][1]} for the durable engine."
            ),
        )
    return MissingExtraError("the durable engine", "durable")


class _SharedRuleset:
    """One registered durable ruleset on its own private host, and the rules it fired."""

    def __init__(self, name: str, definition: dict[str, dict[str, Any]]) -> None:
        engine = _import_durable()
        self.engine = engine
        self.name = name
        self.fired: dict[str, set[str]] = {}
        self.sessions = itertools.count(1)

        class _QuietHost(engine.Host):  # type: ignore[misc,name-defined]
            """A host without durable's background dispatch threads: they would take our
            pending actions off this thread (results arriving after ``assert_fact`` returns)
            and poll every 0.2 s for ever."""

            def _run(self) -> None:
                return None

        # durable 2.0.28 occasionally rejects a valid definition (error 102, "unexpected
        # type") after many rulesets were created in the process, and accepts the very same
        # definition on the next attempt; so try a few times before giving up.
        for attempt in range(_CREATE_ATTEMPTS):
            runnable = copy.deepcopy(definition)  # durable deletes 'run' from what it is given
            for rule_name, rule in runnable.items():
                rule["run"] = self._action(rule_name)
            try:
                self.host = _QuietHost()
                self.host.register_rulesets({name: runnable})
                break
            except Exception as exc:
                if attempt == _CREATE_ATTEMPTS - 1:
                    raise BackendError(
                        f"durable-rules rejected the compiled ruleset ({_durable_message(exc)})"
                    ) from exc

    def _action(self, rule_name: str) -> Callable[[Any], None]:
        def action(c: Any) -> None:
            self.record(rule_name, c)

        return action

    def record(self, rule_name: str, c: Any) -> None:
        """Called by durable when a rule fires (a method so tests can make it fail)."""
        self.fired[c.s.sid].add(base_name(rule_name))

    def run(self, fact: dict[str, Any]) -> set[str]:
        """Assert one fact in a fresh session; return the names of the rules that fired."""
        engine = self.engine
        sid = f"s{next(self.sessions)}"
        fact["sid"] = fact["id"] = sid
        fired: set[str] = set()
        self.fired[sid] = fired
        delete = True
        try:
            try:
                state = self.host.assert_fact(self.name, fact)
            except engine.MessageNotHandledException:
                delete = False  # durable crashes deleting such a session; it cannot happen
                raise BackendError("durable-rules did not handle the case") from None
            except engine.MessageObservedException:
                raise BackendError("durable-rules reported the case as a duplicate") from None
            except BackendError:
                raise
            except Exception as exc:
                raise BackendError(f"durable-rules failed ({_durable_message(exc)})") from exc
            if isinstance(state, dict) and "exception" in state:
                raise BackendError(
                    "a durable-rules action failed; the evaluation was discarded"
                )
            if SEEN not in fired:
                raise BackendError("durable-rules did not process the case")
            return fired
        finally:
            del self.fired[sid]
            if delete:
                # fails only when no session was created (e.g. durable rejected the fact)
                with contextlib.suppress(Exception):
                    self.host.delete_state(self.name, sid)


def _durable_message(exc: BaseException) -> str:
    """durable's own error text holds codes, not case data; cap it anyway."""
    text = str(getattr(exc, "message", "") or exc)
    return f"{type(exc).__name__}: {text[:200]}"


class DurableEngine:
    """Evaluate facts with durable-rules; same :class:`Evaluation` as the reference engine.

    durable decides which rules fire and whether each firing condition is known true; the level,
    urgency and pathways follow from that by the shared fold. The missing facts an unknown rule
    assumed (explanation bookkeeping) are read from the intervals sent to durable
    (:class:`_FactLeaves`), which must agree that the rule is unknown.
    """

    def __init__(self, plan: Plan, sha256: str = "") -> None:
        self.plan = plan
        self.sha256 = sha256
        _import_durable()
        self._compiler = _Compiler(plan)
        leaves = _FactLeaves(self._compiler)
        self._checks = tuple(leaves.visit(rule.condition) for rule in plan.rules)
        self.definition = self._compiler.definition()
        canonical = json.dumps(self.definition, sort_keys=True, separators=(",", ":"))
        self.name = "rhrt_" + hashlib.sha256(canonical.encode()).hexdigest()[:32]
        with _LOCK:
            shared = _SHARED.get(self.name)
            if shared is None:
                shared = _SharedRuleset(self.name, self.definition)
                _SHARED[self.name] = shared
        self._shared = shared

    def fired(self, facts: Facts) -> set[str]:
        """The durable rule names that fired for these facts (including auxiliary rules)."""
        return self._run(self._compiler.fact(facts, ""))

    def _run(self, fact: dict[str, Any]) -> set[str]:
        with _LOCK:
            return self._shared.run(fact)

    def evaluate(self, facts: Facts) -> Evaluation:
        fact = self._compiler.fact(facts, "")
        fired = self._run(fact)
        sent: _Sent | None = None
        results = []
        for rule, check in zip(self.plan.rules, self._checks, strict=True):
            value = _truth(rule, fired)
            assumed: tuple[str, ...] = ()
            if value is None:
                sent = sent or _Sent(fact)
                unknowns: list[str] = []
                if check(sent, unknowns) is not None:
                    raise BackendError(
                        f"durable-rules gave an inconsistent result for rule '{rule.id}'"
                    )
                assumed = tuple(dict.fromkeys(unknowns))
            results.append(RuleResult(rule, value, assumed))
        return fold(self.plan, facts.present, results)


class _Sent:
    """The fact durable was given, as the leaves read it back."""

    def __init__(self, fact: dict[str, Any]) -> None:
        self.fact = fact
        self.present = frozenset(fact["p"][1:])
        self.tokens = frozenset(fact["n"])

    def known(self, spec: _Field) -> int | None:
        """The rank sent for a numeric field, or None when it was sent as unknown (an
        interval of more than one value)."""
        low, high = self.fact[f"{spec.name}_lo"], self.fact[f"{spec.name}_hi"]
        return low if low == high else None


class _FactLeaves(Kleene[_Sent]):
    """Three-valued leaves read from the fact durable was given (its intervals, ranks and
    tokens), so the missing facts are found without the reference engine."""

    def __init__(self, compiler: _Compiler) -> None:
        self.compiler = compiler

    def has_any(self, node: HasAny) -> Check[_Sent]:
        ids = node.ids

        def check(sent: _Sent, unknowns: list[str] | None) -> Truth:
            return not ids.isdisjoint(sent.present)

        return check

    def count(self, node: Count) -> Check[_Sent]:
        if len(node.ids) < node.at_least:
            return lambda sent, unknowns: False
        key = self.compiler.counts[node.ids][0]
        wanted = [f"{key}:{node.at_least}"]
        if node.distinct_domains is not None:
            wanted.append(f"{key}d:{node.distinct_domains}")

        def check(sent: _Sent, unknowns: list[str] | None) -> Truth:
            return all(token in sent.tokens for token in wanted)

        return check

    def measure(self, node: MeasureCmp) -> Check[_Sent]:
        spec = self.compiler.measures[node.measure]
        op, threshold = MEASURE_OPERATORS[node.op], spec.code(node.value)
        missing = missing_measure(node.measure)

        def check(sent: _Sent, unknowns: list[str] | None) -> Truth:
            code = sent.known(spec)
            if code is None:
                return unknown(missing, unknowns)
            return bool(op(code, threshold))

        return check

    def age(self, node: AgeCmp) -> Check[_Sent]:
        spec = self.compiler.age
        op, threshold = AGE_OPERATORS[node.op], spec.code(node.months)

        def check(sent: _Sent, unknowns: list[str] | None) -> Truth:
            code = sent.known(spec)
            if code is None:
                return unknown(MISSING_AGE, unknowns)
            return bool(op(code, threshold))

        return check

    def unborn(self, node: IsUnborn) -> Check[_Sent]:
        wanted = node.value

        def check(sent: _Sent, unknowns: list[str] | None) -> Truth:
            low, high = sent.fact["u_lo"], sent.fact["u_hi"]
            if low != high:
                return unknown(MISSING_AGE, unknowns)
            return bool(low == 1) == wanted

        return check

    def context(self, node: ContextIs) -> Check[_Sent]:
        name = self.compiler.states[node.state]
        within = node.within_months
        spec = self.compiler.step_down
        threshold = None if within is None else spec.code(within)
        missing = missing_context(node.state)

        def check(sent: _Sent, unknowns: list[str] | None) -> Truth:
            low, high = sent.fact[f"{name}_lo"], sent.fact[f"{name}_hi"]
            state: Truth = None if low != high else bool(low == 1)
            months: float | None = None
            if threshold is not None:
                code = sent.known(spec)
                # ranks compare with the rank of the threshold as the months with the months
                months = None if code is None else float(code)
            value, undated = context_truth(
                state, months, None if threshold is None else float(threshold)
            )
            if value is None:
                return unknown(MISSING_STEP_DOWN_DATE if undated else missing, unknowns)
            return value

        return check


def _truth(rule: CompiledRule, fired: set[str]) -> bool | None:
    fires = rule.id in fired
    certain = rule.id + CERTAIN in fired
    if certain and not fires:
        raise BackendError(f"durable-rules gave an inconsistent result for rule '{rule.id}'")
    if certain:
        return True
    return None if fires else False

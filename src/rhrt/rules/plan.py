# SPDX-License-Identifier: MIT
"""The compiled plan: condition nodes, rules, and the one way to walk or dispatch over nodes.

Why a plan: tag, domain and count conditions name *sets* of indicators; resolving them once at
load time (instead of on every case) makes evaluation a handful of set operations, and gives the
reference engine, the vectorised batch engine and the durable-rules backend one shared, explicit
meaning of each rule (:mod:`rhrt.rules.semantics`).

Leaves are normalised by the compiler (:mod:`rhrt.rules.compile`): an indicator, tag or domain
condition is one :class:`HasAny` over indicator ids; an age bound is in months whatever unit the
ruleset used; a measure comparison is one operator and one number.

Every node is a frozen dataclass: a plan is immutable and safe to share across threads.

Adding a condition type: a node class here, a case in :func:`children` and a method in
:class:`Visitor` (mypy then lists every visitor and ``match`` that does not handle it).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, TypeVar, assert_never

from rhrt.model.scale import AgeOp, MeasureOp
from rhrt.rules.consent import ConsentTable

# --- condition nodes ------------------------------------------------------------------------


@dataclass(frozen=True)
class HasAny:
    """True when any of ``ids`` is present (an indicator, tag or domain condition)."""

    ids: frozenset[str]
    label: str
    """What the condition said, for explanations: ``indicator X``, ``tag T`` or ``domain D``."""


@dataclass(frozen=True)
class Count:
    """True when at least ``at_least`` of ``ids`` are present, over ``distinct_domains``."""

    ids: frozenset[str]
    at_least: int
    distinct_domains: int | None
    label: str


@dataclass(frozen=True)
class MeasureCmp:
    """Compares a measure; unknown when the measure is not recorded."""

    measure: str
    op: MeasureOp
    value: float


@dataclass(frozen=True)
class AgeCmp:
    """Compares the child's age in months; unknown when not recorded. Unborn is under any age."""

    op: AgeOp
    months: float
    label: str


@dataclass(frozen=True)
class IsUnborn:
    """Whether the child is unborn; unknown when neither ``unborn`` nor an age is recorded."""

    value: bool


@dataclass(frozen=True)
class ContextIs:
    """Whether the case's context records ``state`` (``rhrt.model.scale.CONTEXT_STATES``) and,
    when ``within_months`` is given, that the plan stepped down from ended at most that many
    months ago. Unknown when the state (or the step-down's date) is not recorded."""

    state: str
    within_months: float | None


@dataclass(frozen=True)
class All:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Leaf = HasAny | Count | MeasureCmp | AgeCmp | IsUnborn | ContextIs
"""Nodes that read the facts; the rest combine other nodes (Kleene logic)."""
Node = HasAny | Count | MeasureCmp | AgeCmp | IsUnborn | ContextIs | All | AnyOf | Not


@dataclass(frozen=True)
class CompiledRule:
    id: str
    because: str
    condition: Node
    level: int | None
    urgent: bool
    pathways: tuple[str, ...]
    indicator_ids: frozenset[str]
    """Indicators the condition can match outside any ``not`` (used to explain a firing)."""
    safety: bool = False
    instead_of: tuple[str, ...] = ()
    """Pathways this rule replaces when its condition is known true (``then.instead_of``)."""


@dataclass(frozen=True)
class Implied:
    """A measure value that is itself a concern: ``measure <op> value`` adds ``indicator`` to the
    case's facts (the ruleset's ``measures[].implies``)."""

    measure: str
    op: MeasureOp
    value: float
    indicator: str


@dataclass(frozen=True)
class ContextImplied:
    """A recorded context state (recent enough, with ``within_months``) that adds ``indicator``
    to the case's facts (the ruleset's ``context.implies``)."""

    state: str
    within_months: float | None
    indicator: str


@dataclass(frozen=True)
class Plan:
    """Everything an engine needs, resolved to ids."""

    indicator_level: Mapping[str, int]
    indicator_domain: Mapping[str, str]
    indicator_order: tuple[str, ...]
    rules: tuple[CompiledRule, ...]
    level_pathways: Mapping[int, tuple[str, ...]]
    measures: Mapping[str, tuple[float, float, bool]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """Measure id → (min, max, integer)."""
    indicator_rank: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """Indicator id → position in ruleset order (sorting a case's few concerns by rank is far
    cheaper than scanning every indicator of the ruleset)."""
    hint_rules: tuple[int, ...] = ()
    """Positions in ``rules`` of those that can be a near miss (see ``explain.near_misses``):
    a count needing more than one concern, or an ``all`` with a measure threshold."""
    implications: tuple[Implied, ...] = ()
    """Measure values that are concerns, applied where a case becomes facts
    (:func:`rhrt.rules.semantics.implied_indicators`), so every engine sees them."""
    consent: ConsentTable | None = field(default=None, repr=False, compare=False, hash=False)
    """The consent positions (:mod:`rhrt.rules.consent`): which applies to an outcome is
    computed from the outcome, the same for every engine and the batch column."""
    urgent_indicators: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Indicator id → why it is urgent (``indicators[].urgent_because``): present, the case is
    urgent."""
    context_implications: tuple[ContextImplied, ...] = ()
    """Context states that are concerns (``context.implies``), applied where a case becomes
    facts (:func:`rhrt.rules.semantics.context_implied`)."""
    emergency_pathways: frozenset[str] = frozenset()
    """The emergency pathways (``pathways[].emergency``: telephone 999): an urgent decision
    puts one first (:func:`rhrt.explain.first_step`, the batch's ``first_step`` column)."""
    _derived: dict[str, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    """What engines build once from this plan (see :func:`derived`); dies with the plan."""


_DERIVED_LOCK = threading.Lock()

T = TypeVar("T")


def derived(plan: Plan, key: str, build: Callable[[Plan], T]) -> T:
    """``build(plan)``, computed once per plan and kept with it (the per-plan cache).

    A plan is immutable, so anything computed from it stays valid for its lifetime; keeping it
    on the plan means it goes when the ruleset goes (notebooks loading many rulesets do not
    leak). ``build`` runs outside the lock (it may be slow); if two threads race, the first
    result stored wins and both get it.
    """
    found = plan._derived.get(key)
    if found is None:
        made = build(plan)
        with _DERIVED_LOCK:
            found = plan._derived.setdefault(key, made)
    return found  # type: ignore[no-any-return]


# --- walking and dispatching ----------------------------------------------------------------


def children(node: Node) -> tuple[Node, ...]:
    """The nodes directly under ``node`` (none for a leaf)."""
    match node:
        case All() | AnyOf():
            return node.children
        case Not():
            return (node.child,)
        case HasAny() | Count() | MeasureCmp() | AgeCmp() | IsUnborn() | ContextIs():
            return ()
        case _:
            assert_never(node)


def walk(node: Node) -> Iterator[Node]:
    """``node`` and every node under it, depth first, parents before children."""
    yield node
    for child in children(node):
        yield from walk(child)


R = TypeVar("R")


class Visitor(ABC, Generic[R]):
    """One method per node kind; :meth:`visit` dispatches to it.

    The dispatch is an exhaustive ``match`` (``assert_never``), and every method is abstract,
    so a node kind added to :data:`Node` but not handled fails type checking, not a case at
    run time. Subclasses decide how (and whether) to recurse, by calling :meth:`visit`.
    """

    def visit(self, node: Node) -> R:
        match node:
            case HasAny():
                return self.has_any(node)
            case Count():
                return self.count(node)
            case MeasureCmp():
                return self.measure(node)
            case AgeCmp():
                return self.age(node)
            case IsUnborn():
                return self.unborn(node)
            case ContextIs():
                return self.context(node)
            case All():
                return self.all(node)
            case AnyOf():
                return self.any(node)
            case Not():
                return self.not_(node)
            case _:
                assert_never(node)

    @abstractmethod
    def has_any(self, node: HasAny) -> R: ...

    @abstractmethod
    def count(self, node: Count) -> R: ...

    @abstractmethod
    def measure(self, node: MeasureCmp) -> R: ...

    @abstractmethod
    def age(self, node: AgeCmp) -> R: ...

    @abstractmethod
    def unborn(self, node: IsUnborn) -> R: ...

    @abstractmethod
    def context(self, node: ContextIs) -> R: ...

    @abstractmethod
    def all(self, node: All) -> R: ...

    @abstractmethod
    def any(self, node: AnyOf) -> R: ...

    @abstractmethod
    def not_(self, node: Not) -> R: ...

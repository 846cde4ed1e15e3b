# SPDX-License-Identifier: MIT
"""Hypothesis strategies built from a loaded ruleset, and small valid rulesets for engine tests.

Why strategies derived from the ruleset rather than hand-written fixtures: a partnership edits
its YAML, and the cases that matter (a child just under an age threshold, a DASH score exactly
at a cut-off, an unborn baby, an age nobody recorded) move with it. Every number a rule compares
with is offered to hypothesis together with its neighbours, so boundaries are always explored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from hypothesis import strategies as st

from rhrt.errors import RhrtError
from rhrt.model.case import (
    EARLIEST_ASSESSMENT_DATE,
    LATEST_ASSESSMENT_DATE,
    MAX_AGE_MONTHS,
    MAX_AGE_YEARS,
    Case,
    months_between,
)
from rhrt.model.scale import (
    CONSENT_KINDS,
    CONTEXT_FLAGS,
    CP_CATEGORIES,
    LEVELS,
    LOWEST_LEVEL,
    STEPPED_DOWN_FROM,
    TOP_LEVEL,
)
from rhrt.rules.plan import AgeCmp, MeasureCmp, walk
from rhrt.ruleset import Ruleset, ruleset_from_data

__all__ = [
    "ages",
    "cases",
    "dated_children",
    "indicator_pool",
    "measure_values",
    "ruleset_data",
    "rulesets",
]

_MAX_MONTHS = MAX_AGE_MONTHS


def _thresholds(ruleset: Ruleset) -> tuple[list[float], dict[str, list[float]]]:
    """Every age (months) and measure value the ruleset's rules compare with."""
    ages: set[float] = set()
    measures: dict[str, set[float]] = {}
    for rule in ruleset.plan.rules:
        for node in walk(rule.condition):
            if isinstance(node, AgeCmp):
                ages.add(node.months)
            elif isinstance(node, MeasureCmp):
                measures.setdefault(node.measure, set()).add(node.value)
    return sorted(ages), {k: sorted(v) for k, v in measures.items()}


def _around(values: Iterable[float], low: float, high: float, *, integer: bool) -> list[float]:
    """Each value and its neighbours on both sides, kept inside [low, high]."""
    steps = (1.0,) if integer else (1.0, 0.5, 0.01)
    out: set[float] = {low, high}
    for value in values:
        out.add(value)
        for step in steps:
            out.add(value - step)
            out.add(value + step)
    return sorted(v for v in out if low <= v <= high and (not integer or v == int(v)))


def indicator_pool(
    ruleset: Ruleset,
    *,
    domain: str | None = None,
    level: int | Sequence[int] | None = None,
    tag: str | None = None,
) -> list[str]:
    """Indicator ids matching every filter given, in ruleset order.

    ``domain`` matches an indicator's primary domain or one of its topics.
    """
    levels = {level} if isinstance(level, int) else set(level) if level is not None else None
    pool = [
        ind.id
        for ind in ruleset.model.indicators
        if (domain is None or domain == ind.domain or domain in ind.topics)
        and (levels is None or ind.level in levels)
        and (tag is None or tag in ind.tags)
    ]
    if not pool:
        raise RhrtError(
            f"no indicator in ruleset '{ruleset.id}' matches domain={domain!r}, level={level!r}, "
            f"tag={tag!r}"
        )
    return pool


def ages(ruleset: Ruleset) -> st.SearchStrategy[dict[str, Any]]:
    """The ``child`` part of a case: unknown age, unborn, or an age in months or years.

    Ages the rules compare with, and the ages just either side of them, are always on offer.
    """
    age_points, _ = _thresholds(ruleset)
    months = _around([0.0, *age_points], 0.0, float(_MAX_MONTHS), integer=False)
    return st.one_of(
        st.just({}),
        st.builds(
            lambda weeks: {"unborn": True, **({} if weeks is None else {"gestation_weeks": weeks})},
            st.none() | st.integers(4, 42),
        ),
        st.sampled_from(months).map(lambda m: {"age_months": m}),
        st.floats(0, _MAX_MONTHS, allow_nan=False).map(lambda m: {"age_months": m}),
        st.integers(0, MAX_AGE_YEARS).map(lambda y: {"age_years": y}),
    )


def _months_before(when: dt.date, months: int) -> dt.date:
    """The date ``months`` whole months before ``when`` (day clamped to the month's length)."""
    index = when.year * 12 + when.month - 1 - months
    year, month = divmod(index, 12)
    for day in range(when.day, 0, -1):
        try:
            return dt.date(year, month + 1, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def dated_children() -> st.SearchStrategy[tuple[dict[str, Any], dt.date]]:
    """``(child, assessment_date)``: a date of birth and an assessment date whose derived age is
    within the bounds of a given age (0 to ``MAX_AGE_MONTHS``), and an assessment date inside
    the plausible window (``rhrt.model.case``), the ends and exactly-on-bound ages included."""
    whens = st.sampled_from([EARLIEST_ASSESSMENT_DATE, LATEST_ASSESSMENT_DATE]) | st.dates(
        EARLIEST_ASSESSMENT_DATE, LATEST_ASSESSMENT_DATE
    )
    on_bound = st.builds(
        lambda when, months: ({"date_of_birth": _months_before(when, months)}, when),
        whens,
        st.sampled_from([0, 1, 12, MAX_AGE_MONTHS]),
    )
    anywhere = st.builds(
        lambda when, days: ({"date_of_birth": when - dt.timedelta(days=days)}, when),
        whens,
        st.integers(0, MAX_AGE_MONTHS * 31),
    ).filter(lambda pair: months_between(pair[0]["date_of_birth"], pair[1]) <= MAX_AGE_MONTHS)
    return on_bound | anywhere


def measure_values(ruleset: Ruleset, measure: str) -> st.SearchStrategy[float]:
    """Values of one measure across and beyond every threshold the rules use, within range."""
    low, high, integer = ruleset.plan.measures[measure]
    _, points = _thresholds(ruleset)
    special = _around(points.get(measure, []), low, high, integer=integer)
    anywhere: st.SearchStrategy[float]
    if integer:
        anywhere = st.integers(int(-(-low // 1)), int(high // 1)).map(float)
    else:
        anywhere = st.floats(low, high, allow_nan=False, allow_infinity=False)
    return st.sampled_from(special) | anywhere


_STEP_DOWN_MONTHS = (0.0, 1.0, 2.0, 2.5, 3.0, 5.0, 6.0, 6.5, 12.0, 13.0, 36.0, 300.0)
"""Months since a step-down, either side of the recency bounds rules use (generated rules use
3, 6 and 12; the bundled ruleset uses some of these)."""


def contexts() -> st.SearchStrategy[dict[str, Any]]:
    """The ``context`` part of a case: each fact recorded or not (``rhrt.model.case``), a
    step-down with its months, and often nothing at all."""
    flag = st.booleans()
    cp = st.sampled_from(["none", *CP_CATEGORIES])

    @st.composite
    def step_down(draw: st.DrawFn) -> dict[str, Any]:
        plan = draw(st.sampled_from(["none", *STEPPED_DOWN_FROM]))
        if plan == "none":
            return {"stepped_down_from": "none"}
        out: dict[str, Any] = {
            "stepped_down_from": plan,
            "stepped_down_months_ago": draw(st.sampled_from(_STEP_DOWN_MONTHS)),
        }
        if plan == "child_protection_plan" and draw(st.booleans()):
            out["stepped_down_category"] = draw(st.sampled_from(CP_CATEGORIES))
        return out

    some = st.builds(
        lambda flags, plan, down: {**flags, **plan, **down},
        st.fixed_dictionaries({}, optional={name: flag for name in CONTEXT_FLAGS}),
        st.fixed_dictionaries({}, optional={"child_protection_plan": cp}),
        st.just({}) | step_down(),
    )
    return st.just({}) | some


def cases(
    ruleset: Ruleset,
    *,
    domain: str | None = None,
    level: int | Sequence[int] | None = None,
    tag: str | None = None,
    min_indicators: int = 0,
    max_indicators: int | None = None,
    measures: bool = True,
    unknown_age: bool = True,
    context: bool = True,
) -> st.SearchStrategy[Case]:
    """Valid cases for ``ruleset``: any subset of its indicators, any child, any measures.

    Args:
        domain: draw indicators only from this domain (an indicator's primary domain or one of
            its topics).
        level: draw indicators only at this level.
        tag: draw indicators only with this tag.
        min_indicators: the fewest indicators in a case.
        max_indicators: the most indicators in a case (default: up to all of the pool).
        measures: also record measures (each one present or absent).
        unknown_age: allow children whose age is not recorded.
        context: also record the child's involvement with services (:func:`contexts`).
    """
    pool = indicator_pool(ruleset, domain=domain, level=level, tag=tag)
    size = len(pool) if max_indicators is None else min(max_indicators, len(pool))
    child = ages(ruleset).map(lambda kid: (kid, None)) | dated_children()
    if not unknown_age:
        child = child.filter(lambda pair: bool(pair[0]))
    names = sorted(ruleset.plan.measures) if measures else []
    measure_dicts = st.fixed_dictionaries(
        {}, optional={name: measure_values(ruleset, name) for name in names}
    )
    return st.builds(
        lambda ids, kid, ms, ctx: Case.model_validate(
            {"child": kid[0], "indicators": ids, "measures": ms, "assessment_date": kid[1],
             "context": ctx}
        ),
        st.lists(st.sampled_from(pool), min_size=min(min_indicators, size), max_size=size,
                 unique=True),
        child,
        measure_dicts,
        contexts() if context else st.just({}),
    )


# --- generated rulesets ---------------------------------------------------------------------

_SAFETY_TAGS = ("immediate-danger", "allegation")
_TAGS = ("t-one", "t-two", "t-three")
_PATHWAYS = ("p-one", "p-two", "p-three", "police-999", "lado", "mash")
_EMERGENCY = "police-999"
_ORDINARY_PATHWAYS = tuple(p for p in _PATHWAYS if p != _EMERGENCY)


_CONTEXT_STATES = (
    "looked_after",
    "in_custody",
    "child_protection_plan",
    "child_protection_plan_neglect",
    "stepped_down_from_child_protection_plan",
    "stepped_down_from_child_protection_plan_neglect",
    "stepped_down_from_early_help",
)
"""A few context states, so generated rules often share them (and meet the cases' contexts)."""


@st.composite
def _context_cond(draw: st.DrawFn) -> dict[str, Any]:
    state = draw(st.sampled_from(_CONTEXT_STATES))
    spec: dict[str, Any] = {"is": state}
    if state.startswith("stepped_down_from_") and draw(st.booleans()):
        spec["within_months"] = draw(st.sampled_from([3, 6, 12]))
    return {"context": spec}


@st.composite
def _condition(
    draw: st.DrawFn, ctx: dict[str, Any], depth: int, allow_not: bool, negated: bool = False
) -> dict[str, Any]:
    leaves: list[st.SearchStrategy[dict[str, Any]]] = [
        *_indicator_leaves(ctx),
        st.builds(
            lambda key, months: {"age": {key: months}},
            st.sampled_from(["under_months", "at_least_months", "under_years", "at_least_years"]),
            st.sampled_from([1, 3, 6, 12, 18]),
        ),
        st.booleans().map(lambda b: {"unborn": b}),
    ]
    if not negated:  # a context condition is refused under 'not' (it could lower a level)
        leaves.append(_context_cond())
    if ctx["measures"]:
        leaves.append(_measure_cond(st.sampled_from(ctx["measures"])))
    if depth <= 0:
        return draw(st.one_of(leaves))
    kinds = ["leaf", "leaf", "all", "any"] + (["not"] if allow_not else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "leaf":
        return draw(st.one_of(leaves))
    if kind == "not":
        return {"not": draw(_condition(ctx, depth - 1, allow_not, True))}
    children = draw(
        st.lists(_condition(ctx, depth - 1, allow_not, negated), min_size=1, max_size=3)
    )
    return {kind: children}


def _indicator_leaves(ctx: dict[str, Any]) -> list[st.SearchStrategy[dict[str, Any]]]:
    """Conditions that can only be true when some indicator is present."""
    return [
        st.sampled_from(ctx["indicators"]).map(lambda i: {"indicator": i}),
        st.sampled_from(ctx["tags"]).map(lambda t: {"tag": t}),
        st.sampled_from(ctx["domains"]).map(lambda d: {"domain": d}),
        _count_spec(ctx),
    ]


@st.composite
def _count_spec(draw: st.DrawFn, ctx: dict[str, Any]) -> dict[str, Any]:
    at_least = draw(st.integers(1, 3))
    spec: dict[str, Any] = {"at_least": at_least}
    if draw(st.booleans()):
        spec["min_level"] = draw(st.integers(LOWEST_LEVEL, TOP_LEVEL))
    elif draw(st.booleans()):
        spec["level"] = draw(st.integers(LOWEST_LEVEL, TOP_LEVEL))
    if draw(st.booleans()):
        spec["tag"] = draw(st.sampled_from(ctx["tags"]))
    if draw(st.booleans()):
        spec["domain"] = draw(st.sampled_from(ctx["domains"]))
    if draw(st.booleans()):
        spec["distinct_domains"] = draw(st.integers(1, at_least))
    return {"count": spec}


@st.composite
def _measure_cond(
    draw: st.DrawFn, measures: st.SearchStrategy[dict[str, Any]]
) -> dict[str, Any]:
    """A measure comparison; each generated measure is compared in one direction only (a
    DASH-like score where higher is worse, or an attendance-like one where lower is)."""
    measure = draw(measures)
    op = draw(st.sampled_from(measure["ops"]))
    value = draw(st.integers(int(measure["min"]), int(measure["max"])))
    return {"measure": {"id": measure["id"], op: value}}


@st.composite
def ruleset_data(
    draw: st.DrawFn,
    *,
    max_indicators: int = 8,
    max_rules: int = 4,
    max_depth: int = 2,
    allow_not: bool = False,
) -> dict[str, Any]:
    """A small valid ruleset as plain data (every feature of the format, random content)."""
    n_domains = draw(st.integers(1, 3))
    domains = [f"dom-{i}" for i in range(n_domains)]
    topic = draw(st.booleans())
    domain_defs: list[dict[str, Any]] = [
        {"id": d, "title": d, "kind": "triangle"} for d in domains
    ]
    if topic:
        domain_defs.append({"id": "topic", "title": "A topic", "kind": "topic"})
    tags = [*_SAFETY_TAGS, *_TAGS]
    n_ind = draw(st.integers(1, max_indicators))
    indicators: list[dict[str, Any]] = []
    for i in range(n_ind):
        indicators.append(
            {
                "id": f"ind-{i}",
                "level": draw(st.integers(LOWEST_LEVEL, TOP_LEVEL)),
                "domain": draw(st.sampled_from(domains)),
                "topics": ["topic"] if topic and draw(st.booleans()) else [],
                "tags": draw(st.lists(st.sampled_from(tags), max_size=2, unique=True)),
                "text": f"Indicator number {i}",
                "source": {"ref": "gen"},
                **({"urgent": True, "urgent_because": f"Indicator {i} needs action today."}
                   if draw(st.integers(0, 5)) == 0 else {}),
            }
        )
    # Every generated ruleset can record both safety routes (rhrt check refuses one that cannot).
    carried = {t for ind in indicators for t in ind["tags"]}
    for tag, level in (("immediate-danger", TOP_LEVEL), ("allegation", LOWEST_LEVEL + 1)):
        if tag not in carried:
            indicators.append(
                {"id": f"ind-{tag}", "level": level, "domain": domains[0], "topics": [],
                 "tags": [tag], "text": f"Indicator for {tag}", "source": {"ref": "gen"}}
            )
    measures: list[dict[str, Any]] = [
        {"id": f"m{i}", "title": f"measure {i}", "unit": "points", "min": 0,
         "max": draw(st.sampled_from([5, 10, 24])), "integer": draw(st.booleans())}
        for i in range(draw(st.integers(0, 2)))
    ]
    ctx: dict[str, Any] = {
        "indicators": [ind["id"] for ind in indicators],
        "tags": tags,
        "domains": domains + (["topic"] if topic else []),
        "measures": [
            {**ms, "ops": ["at_least", "more_than"] if i % 2 == 0 else ["at_most", "less_than"]}
            for i, ms in enumerate(measures)
        ],
    }
    for i, ms in enumerate(measures):
        # A measure may imply a concern (measures[].implies), in its own direction: higher is
        # worse for even measures, lower for odd ones (as their rule comparisons are).
        if draw(st.booleans()):
            op = draw(st.sampled_from(ctx["measures"][i]["ops"]))
            ms["implies"] = [
                {"indicator": draw(st.sampled_from(ctx["indicators"])),
                 op: draw(st.integers(0, int(ms["max"])))}
            ]
    rules = []
    for i in range(draw(st.integers(0, max_rules))):
        then: dict[str, Any] = {}
        if draw(st.booleans()):
            then["level"] = draw(st.integers(LOWEST_LEVEL, TOP_LEVEL))
        if draw(st.booleans()):
            then["urgent"] = True
        # the emergency pathway is only ever the top level's (rules.lint.broken_promises)
        allowed = _PATHWAYS if then.get("level") == TOP_LEVEL else _ORDINARY_PATHWAYS
        then["pathways"] = draw(st.lists(st.sampled_from(allowed), max_size=2, unique=True))
        if not then.get("level") and not then.get("urgent") and not then["pathways"]:
            then["level"] = 2
        if "p-one" in then["pathways"] and draw(st.booleans()):
            # a route replacement; p-one has a contact, so it may replace a statutory route
            then["instead_of"] = [draw(st.sampled_from(
                [p for p in _ORDINARY_PATHWAYS if p not in then["pathways"]]
            ))]
        when = draw(_condition(ctx, max_depth, allow_not))
        if not allow_not:
            # anchored on a concern, so a child with nothing recorded stays at level 1
            when = {"all": [draw(st.one_of(_indicator_leaves(ctx))), when]}
        rules.append(
            {"id": f"rule-{i}", "because": f"Generated rule {i}.", "when": when, "then": then}
        )
    level_pathways = {
        n: [draw(st.sampled_from(_ORDINARY_PATHWAYS))] if draw(st.booleans()) else []
        for n in LEVELS
    }
    # consent: the levels' kinds never less protective going up (as a framework's are); a
    # pathway that is no level's own may carry a kind (a level's own pathway would vanish when
    # the level rises, so its kind could make the position shown first less protective)
    level_kinds = sorted(
        draw(st.lists(st.sampled_from(CONSENT_KINDS[:4]), min_size=len(LEVELS),
                      max_size=len(LEVELS))),
        key=CONSENT_KINDS.index,
    )
    own = {p for ps in level_pathways.values() for p in ps}
    pathway_kinds = {
        p: draw(st.sampled_from(CONSENT_KINDS)) for p in _PATHWAYS
        if p not in own and draw(st.booleans())
    }
    positions = []
    for k in range(draw(st.integers(0, 2))):
        position: dict[str, Any] = {
            "id": f"position-{k}", "kind": draw(st.sampled_from(CONSENT_KINDS)),
            "text": f"Consent position {k}.",
        }
        if draw(st.booleans()):  # tags always has the safety tags
            position["tags"] = draw(st.lists(st.sampled_from(tags), min_size=1, max_size=2,
                                             unique=True))
        else:
            position["indicators"] = draw(st.lists(st.sampled_from(ctx["indicators"]),
                                                   min_size=1, max_size=2, unique=True))
        if draw(st.booleans()):
            position["at_least_years"] = draw(st.integers(0, 17))
        positions.append(position)
    consent: dict[str, Any] = {"positions": positions}
    if draw(st.booleans()):
        consent["urgent"] = {"rule": draw(st.sampled_from(CONSENT_KINDS)), "text": "Urgent."}
    return {
        "schema_version": 1,
        "ruleset": {
            "id": "generated",
            "title": "Generated ruleset",
            "version": "0",
            "publisher": "rhrt.testing",
            "source_document": {"title": "generated"},
            "effective_from": "2024-01-01",
        },
        "safety": {
            "immediate_danger": {"tag": "immediate-danger", "pathways": ["police-999"],
                                 "because": "Immediate danger."},
            "allegation": {"tag": "allegation", "pathways": ["lado"],
                           "because": "An allegation goes to the LADO."},
        },
        "sources": {"gen": {"title": "generated", "standing": "other-partnership"}},
        "contacts": {"police": {"name": "Police", "how": "Telephone"},
                     "duty": {"name": "Duty team", "how": "Telephone"}},
        "levels": [
            {"level": n, "name": f"Level {n}", "description": "d", "response": "r",
             "pathways": level_pathways[n],
             "consent": {"rule": level_kinds[n - LOWEST_LEVEL], "text": "t"},
             **({"step_down": f"Step down from {n} when resolved."} if draw(st.booleans())
                else {})}
            for n in LEVELS
        ],
        "domains": domain_defs,
        "tags": [{"id": t, "description": t} for t in tags],
        "measures": measures,
        "indicators": indicators,
        "rules": rules,
        "pathways": [
            {"id": p, "title": p, "what": "w", "timescale": "t", "consent": "c",
             **({"consent_rule": pathway_kinds[p]} if p in pathway_kinds else {}),
             **({"emergency": True, "contact": "police"} if p == _EMERGENCY else {}),
             **({"contact": "duty"} if p == "p-one" else {})}
            for p in _PATHWAYS
        ],
        "consent": consent,
        "context": {"implies": draw(st.lists(_context_implication(ctx), max_size=2))},
    }


@st.composite
def _context_implication(draw: st.DrawFn, ctx: dict[str, Any]) -> dict[str, Any]:
    spec = draw(_context_cond())["context"]
    return {**spec, "indicator": draw(st.sampled_from(ctx["indicators"]))}


def rulesets(
    *,
    max_indicators: int = 8,
    max_rules: int = 4,
    max_depth: int = 2,
    allow_not: bool = False,
) -> st.SearchStrategy[Ruleset]:
    """Small valid rulesets, for testing engines and the testing kit itself.

    Without ``allow_not`` every generated ruleset satisfies all the safety properties: rules
    never use ``not``, every rule also needs a concern to be present, and each measure is
    compared in one direction only. With it, rules are unconstrained and some rulesets break
    the properties that depend on the ruleset (which is what ``check_invariants`` is for).
    """
    return ruleset_data(
        max_indicators=max_indicators, max_rules=max_rules, max_depth=max_depth,
        allow_not=allow_not,
    ).map(ruleset_from_data)

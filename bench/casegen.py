# SPDX-License-Identifier: MIT
"""Deterministic synthetic cases for the benchmarks, drawn from whatever ruleset is loaded.

Indicator ids and measure names always come from the loaded ruleset (never hard-coded), so the
benchmark keeps working as the bundled Herefordshire ruleset grows. Cases are *fully known*
(age or unborn given, every measure recorded): zen-engine and the naive loop have no
three-valued logic, so unknown facts would make the comparison unfair to rhrt.
"""

from __future__ import annotations

import random
from typing import Any

from rhrt import Ruleset

Case = dict[str, Any]


def make_cases(ruleset: Ruleset, concerns: int, n: int, *, seed: int = 6) -> list[Case]:
    """``n`` valid cases with exactly ``concerns`` distinct indicators each (capped at the
    number of indicators in the ruleset)."""
    rng = random.Random(f"{seed}:{concerns}:{n}")
    ids = list(ruleset.plan.indicator_order)
    k = min(concerns, len(ids))
    measures = ruleset.plan.measures
    cases = []
    for _ in range(n):
        child: dict[str, Any]
        if rng.random() < 0.05:
            child = {"unborn": True}
        else:
            child = {"age_months": rng.randrange(0, 18 * 12)}
        values: dict[str, float] = {}
        for name, (low, high, integer) in measures.items():
            value = rng.uniform(low, high)
            values[name] = float(round(value)) if integer else round(value, 2)
        cases.append(
            {"child": child, "indicators": rng.sample(ids, k), "measures": values}
        )
    return cases


def concern_counts(ruleset: Ruleset, wanted: tuple[int, ...] = (0, 5, 20)) -> tuple[int, ...]:
    """The case sizes to benchmark (sizes above the ruleset's indicator count are dropped)."""
    total = len(ruleset.plan.indicator_order)
    return tuple(dict.fromkeys(min(w, total) for w in wanted))


def large_ruleset_text(n_indicators: int = 2000, n_rules: int = 2000, *, seed: int = 12) -> str:
    """A valid ruleset YAML with ``n_indicators`` indicators and ``n_rules`` rules (about 350 KB
    at the defaults): the size at which a per-concern level computation in the explanation
    became quadratic (issue 12). Indicators are levels 1-3 (one level-4 immediate-danger
    indicator), so a case with most of them present stays below the top level and the
    explanation's holding set must really be searched. Rules mix indicator, ``all`` with age,
    ``any``, counts over tags and levels (with and without distinct domains), ``not``, and
    level-4 rules about babies that count concerns first (false for an older child, but only
    after a count over most of the case).
    """
    import yaml

    rng = random.Random(seed)
    domains = [f"d{n}" for n in range(12)]
    tags = [f"t{n}" for n in range(40)]
    indicators: list[dict[str, Any]] = [
        {"id": "danger", "level": 4, "domain": "d0", "tags": ["immediate-danger"],
         "text": "In immediate danger", "source": {"ref": "gen"}},
        {"id": "allegation", "level": 2, "domain": "d0", "tags": ["allegation"],
         "text": "Allegation against staff", "source": {"ref": "gen"}},
    ]
    for n in range(n_indicators - len(indicators)):
        indicators.append({
            "id": f"i{n:05d}", "level": rng.choice((1, 2, 2, 3)), "domain": rng.choice(domains),
            "tags": rng.sample(tags, rng.randrange(0, 3)),
            "text": f"Concern {n}", "source": {"ref": "gen"},
        })
    ids = [i["id"] for i in indicators[2:]]
    rules: list[dict[str, Any]] = []
    for n in range(n_rules):
        kind = n % 6
        if kind == 0:
            when: dict[str, Any] = {"all": [{"indicator": a} for a in rng.sample(ids, 2)]}
        elif kind == 1:
            when = {"all": [{"indicator": rng.choice(ids)}, {"age": {"under_years": 5}}]}
        elif kind == 2:
            when = {"any": [{"indicator": a} for a in rng.sample(ids, 3)]}
        elif kind == 3:
            spec: dict[str, Any] = {"at_least": rng.randrange(2, 6)}
            pick = rng.random()
            if pick < 0.4:
                spec.update(tag=rng.choice(tags), distinct_domains=2)
            elif pick < 0.7:
                spec["level"] = 3  # over every level-3 indicator: large sets
            else:
                spec.update(at_least=len(domains), min_level=1, distinct_domains=len(domains))
            when = {"count": spec}
        elif kind == 4:
            when = {"all": [{"indicator": rng.choice(ids)},
                            {"not": {"indicator": rng.choice(ids)}}]}
        else:  # several concerns about a baby: false for an older child, after a large count
            count = {"at_least": rng.randrange(2, 6), "min_level": rng.choice((1, 2))}
            when = {"all": [{"count": count}, {"age": {"under_months": 12}}]}
        level = 4 if kind == 5 else rng.choice((2, 3, 3))
        rules.append({"id": f"r{n:05d}", "because": f"Rule {n}.", "when": when,
                      "then": {"level": level}})
    levels = [
        {"level": lv, "name": f"Level {lv}", "description": "d", "response": "r",
         "pathways": [p], "consent": {"rule": rule, "text": "t"}}
        for lv, p, rule in ((1, "universal", "not-needed"), (2, "early-help", "required"),
                            (3, "eha", "required"), (4, "mash", "seek-unless-unsafe"))
    ]
    data = {
        "schema_version": 1,
        "ruleset": {"id": "bench-large", "title": "Generated large ruleset", "version": "1",
                    "publisher": "rhrt bench", "effective_from": "2024-01-01",
                    "source_document": {"title": "generated", "date": "2024-01"}},
        "safety": {
            "immediate_danger": {"tag": "immediate-danger", "pathways": ["police-999"],
                                 "because": "Immediate danger."},
            "allegation": {"tag": "allegation", "pathways": ["lado"], "because": "LADO."},
        },
        "sources": {"gen": {"title": "Generated", "standing": "other-partnership"}},
        "levels": levels,
        "domains": [{"id": d, "title": d.upper(), "kind": "triangle"} for d in domains],
        "tags": [{"id": t, "description": t} for t in
                 ("immediate-danger", "allegation", *tags)],
        "indicators": indicators,
        "rules": rules,
        "pathways": [{"id": p, "title": p, "what": "w", "timescale": "t", "consent": "c",
                      **({"emergency": True} if p == "police-999" else {})}
                     for p in ("universal", "early-help", "eha", "mash", "police-999", "lado")],
    }
    return yaml.safe_dump(data, sort_keys=False, width=200, default_flow_style=None)

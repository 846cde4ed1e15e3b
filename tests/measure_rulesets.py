# SPDX-License-Identifier: MIT
"""A small ruleset whose measure ``m1`` is read by ``implies`` (and optionally by a rule) in a
chosen direction: for the tests of which way a measure is more concerning (tests/test_invariants.py,
tests/test_prove.py)."""

from __future__ import annotations

from rhrt import Ruleset, ruleset_from_data


def lower_is_worse_ruleset(
    implies_op: str, rule_op: str | None = None, *, negated: bool = False
) -> Ruleset:
    """Hypothesis found this (seed 105): a measure read only by ``implies: [{indicator,
    at_most: 0}]`` (a low value is the concern), and a rule ``ind-0 → level 2``. ``rule_op``
    adds a rule ``m1 <rule_op> 4 → level 3``; ``negated`` writes its condition under ``not``."""
    level = {"name": "L", "description": "d", "response": "r", "pathways": [],
             "consent": {"rule": "not-needed", "text": "t"}}
    rules: list[dict[str, object]] = [
        {"id": "rule-0", "because": "b.", "when": {"indicator": "ind-0"},
         "then": {"pathways": [], "level": 2}},
    ]
    if rule_op is not None:
        compare = {"measure": {"id": "m1", rule_op: 4}}
        rules.append({"id": "rule-1", "because": "b.",
                      "when": ({"not": compare} if negated else compare),
                      "then": {"level": 3}})
    return ruleset_from_data({
        "schema_version": 1,
        "ruleset": {"id": "generated", "title": "t", "version": "0", "publisher": "p",
                    "source_document": {"title": "t"}, "effective_from": "2024-01-01"},
        "safety": {
            "immediate_danger": {"tag": "immediate-danger", "pathways": ["police-999"],
                                 "because": "Immediate danger."},
            "allegation": {"tag": "allegation", "pathways": ["lado"], "because": "LADO."},
        },
        "sources": {"gen": {"title": "generated", "standing": "other-partnership"}},
        "contacts": {"police": {"name": "Police", "how": "Telephone"}},
        "levels": [{"level": n, **level} for n in (1, 2, 3, 4)],
        "domains": [{"id": "dom-0", "title": "dom-0", "kind": "triangle"}],
        "tags": [{"id": t, "description": t} for t in ("immediate-danger", "allegation")],
        "measures": [{"id": "m1", "title": "measure 1", "unit": "points", "min": 0, "max": 5,
                      "integer": False, "implies": [{"indicator": "ind-0", implies_op: 0}]}],
        "indicators": [
            {"id": "ind-0", "level": 1, "domain": "dom-0", "text": "Indicator",
             "source": {"ref": "gen"}},
            {"id": "ind-danger", "level": 4, "domain": "dom-0", "tags": ["immediate-danger"],
             "text": "Indicator", "source": {"ref": "gen"}},
            {"id": "ind-allegation", "level": 2, "domain": "dom-0", "tags": ["allegation"],
             "text": "Indicator", "source": {"ref": "gen"}},
        ],
        "rules": rules,
        "pathways": [
            {"id": "police-999", "title": "999", "what": "w", "timescale": "t", "consent": "c",
             "emergency": True, "contact": "police"},
            {"id": "lado", "title": "lado", "what": "w", "timescale": "t", "consent": "c"},
        ],
    })

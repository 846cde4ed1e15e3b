# SPDX-License-Identifier: MIT
"""What-if impact: transitions, the change behind each move, and the cases that move down."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pytest.importorskip("pandas")
pytest.importorskip("matplotlib")
import yaml  # noqa: E402

import rhrt  # noqa: E402
from rhrt.batch import assess_table  # noqa: E402
from rhrt.diff import impact  # noqa: E402

PATH = Path(__file__).parent / "rulesets" / "minimal.yaml"
OLD = rhrt.load_ruleset(PATH)
DATA = yaml.safe_load(PATH.read_text())


def _new(edit: Any) -> rhrt.Ruleset:
    data = copy.deepcopy(DATA)
    edit(data)
    return rhrt.ruleset_from_data(data)


def _stricter_accumulation_and_diet_level_3(data: dict[str, Any]) -> None:
    data["rules"][0]["when"]["count"]["at_least"] = 4
    next(i for i in data["indicators"] if i["id"] == "poor-diet")["level"] = 3
    data["rules"].append(
        {"id": "new-missed", "because": "b", "when": {"indicator": "missed-checks"},
         "then": {"level": 3}}
    )


TABLE = pa.table(
    {
        "case_ref": ["same", "up-ind", "down", "up-rule", "l4"],
        "indicators": [
            [],
            ["poor-diet"],
            ["poor-attendance", "inconsistent-care", "staff-allegation"],
            ["missed-checks"],
            ["danger", "poor-diet"],
        ],
    }
)


def test_moves_and_causes() -> None:
    new = _new(_stricter_accumulation_and_diet_level_3)
    r = impact(TABLE, OLD, new)
    assert (r.rows, r.changed, r.up, r.down) == (5, 3, 2, 1)
    moves = r.moves.set_index("case_ref")
    assert moves.loc["up-ind", "cause"] == "indicator poor-diet (level 2 → 3)"
    assert moves.loc["up-rule", "cause"] == "rule new-missed (added)"
    assert moves.loc["down", "cause"] == "rule accumulation"
    assert r.moves_down.case_ref.tolist() == ["down"]
    assert r.transition.to_numpy()[2, 1] == 1  # old 3 → new 2
    assert r.transition.to_numpy().sum() == 5
    changes = r.changes.set_index("id")
    # the rewritten condition in plain words, before and after (at_least 3 -> 4)
    said = changes.loc["accumulation", "change"]
    assert said.startswith("condition was: at least 3 ") and "; now: at least 4 " in said
    assert changes.loc["new-missed", "change"] == "added"
    assert changes.loc["poor-diet", "change"] == "moved from level 2 to 3"


def test_transition_matches_batch_levels() -> None:
    from rhrt.synth import population

    new = _new(_stricter_accumulation_and_diet_level_3)
    table = population(3_000, seed=9, ruleset=OLD)
    r = impact(table, OLD, new)
    old_lv = assess_table(table, OLD).column("level").to_numpy()
    new_lv = assess_table(table, new).column("level").to_numpy()
    expected = np.zeros((4, 4), int)
    np.add.at(expected, (old_lv - 1, new_lv - 1), 1)
    assert (r.transition.to_numpy() == expected).all()
    assert r.changed == int((old_lv != new_lv).sum())
    assert r.causes.cases.sum() == r.changed
    assert "combination" not in set(r.moves.cause)


def test_indicator_lowered_is_the_cause_of_a_fall() -> None:
    def lower(data: dict[str, Any]) -> None:
        next(i for i in data["indicators"] if i["id"] == "bruise")["level"] = 2

    r = impact(pa.table({"indicators": [["bruise"]], "age_years": [5.0]}), OLD, _new(lower))
    assert r.moves.cause.tolist() == ["indicator bruise (level 3 → 2)"]
    assert r.down == 1


def test_no_change_and_reports() -> None:
    r = impact(TABLE, OLD, OLD)
    assert r.changed == 0 and len(r.moves_down) == 0 and len(r.changes) == 0
    html = impact(TABLE, OLD, _new(_stricter_accumulation_and_diet_level_3)).to_html()
    assert html.count("data:image/png;base64,") == 2
    assert "Cases that move down" in html
    md = r.to_markdown()
    assert "# Ruleset change impact" in md


def test_a_rule_untouched_in_yaml_says_which_concerns_it_now_matches() -> None:
    """Moving one indicator's level changes what a count rule matches: said as what happened,
    not as a changed condition (issue 16)."""

    def diet_to_level_1(data: dict[str, Any]) -> None:
        next(i for i in data["indicators"] if i["id"] == "poor-diet")["level"] = 1

    r = impact(TABLE, OLD, _new(diet_to_level_1))
    changes = r.changes.set_index("id")
    assert changes.loc["accumulation", "change"] == "no longer matches 'poor-diet'"


def test_the_impact_table_and_compare_say_the_same_changes() -> None:
    from rhrt.compare import ruleset_changes

    new = _new(_stricter_accumulation_and_diet_level_3)
    table = impact(TABLE, OLD, new).changes
    assert list(table.itertuples(index=False, name=None)) == [
        (c.kind, c.id, c.change) for c in ruleset_changes(OLD, new)
    ]

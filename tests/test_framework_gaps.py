# SPDX-License-Identifier: MIT
"""Where the framework is silent, the bundled ruleset says so rather than inventing an answer.

docs/framework-gaps.md lists each known silence and where the ruleset notes it ("Where noted":
a pathway, rule, indicator or contact id, or a level's consent source). Each of those places
carries a ``note`` pointing back to the list, so a reader of `rhrt docs` finds it, and a removed
note or a renamed id fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import rhrt
from rhrt.model import ruleset as m

GAPS = Path(__file__).resolve().parents[1] / "docs" / "framework-gaps.md"
POINTER = "docs/framework-gaps.md"


def _noted_places() -> list[tuple[str, str]]:
    rows = [line for line in GAPS.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    places: list[tuple[str, str]] = []
    for row in rows[2:]:  # after the header and its rule
        where = row.strip("|").split("|")[-1]
        places += re.findall(r"(pathway|rule|indicator|contact) `([a-z0-9-]+)`", where)
        if "level 4's consent source" in where:
            places.append(("level-consent", "4"))
    return places


def test_every_silence_listed_is_noted_in_the_data() -> None:
    model = rhrt.load_ruleset().model
    places = _noted_places()
    assert len(places) >= 6
    by_kind: dict[str, dict[str, m.SourceRef | None]] = {
        "pathway": {p.id: p.source for p in model.pathways},
        "rule": {r.id: r.source for r in model.rules},
        "indicator": {i.id: i.source for i in model.indicators},
        "contact": {ident: c.source for ident, c in model.contacts.items()},
        "level-consent": {str(lv.level): lv.consent.source for lv in model.levels},
    }
    missing = []
    for kind, ident in places:
        source = by_kind[kind].get(ident)
        note = source.note if source is not None else None
        if not note or POINTER not in note:
            missing.append(f"{kind} {ident}")
    assert not missing, f"listed in {POINTER} but no note there points to it: {missing}"


def test_operation_encompass_says_only_attended_incidents_are_notified() -> None:
    """The duty covers incidents the police attend; a case does not record whether they did."""
    decision = rhrt.load_ruleset().assess(
        {"child": {"age_years": 8}, "indicators": ["possible-domestic-abuse"]}
    )
    encompass = next(p for p in decision.pathways if p.id == "operation-encompass")
    assert encompass.what is not None
    assert "if they did not attend, no notification will come" in " ".join(encompass.what.split())


def test_a_contact_the_sources_give_no_hours_for_shows_none() -> None:
    """Regression: the police (999, 101), the on-call paediatrician, the Early Help Hub and the
    MARAC coordinator said "24 hours" or "Office hours", which no source gives. Every contact
    listed as without hours in docs/framework-gaps.md has none, and no decision shows one."""
    rs = rhrt.load_ruleset()
    row = next(line for line in GAPS.read_text(encoding="utf-8").splitlines()
               if line.startswith("| When a contact can be reached"))
    silent = re.findall(r"contact `([a-z0-9-]+)`", row)
    assert len(silent) >= 5
    assert {c: rs.model.contacts[c].hours for c in silent} == dict.fromkeys(silent)
    decision = rs.assess({"child": {"age_years": 1}, "indicators": ["child-in-immediate-danger"]})
    shown = {p.contact.name: p.contact.hours for p in decision.pathways if p.contact is not None}
    police = rs.model.contacts["police-emergency"].name
    assert police in shown and shown[police] is None

# SPDX-License-Identifier: MIT
"""A source's standing (``rhrt.model.standing``): every value defined and documented, carried
from the ruleset onto every citation of a decision, and the pre-1.0 key ``herefordshire``
refused with an error naming ``standing`` (in a ruleset and in a stored decision record)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest

import rhrt
from rhrt.errors import RecordError, RulesetSchemaError
from rhrt.model.standing import RENAMED_KEYS, SHORT_LABELS, STANDINGS, Standing

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"


def test_every_standing_is_defined_labelled_and_documented() -> None:
    values = set(get_args(Standing))
    assert values == set(STANDINGS) == set(SHORT_LABELS)
    doc = (ROOT / "docs" / "ruleset-format.md").read_text(encoding="utf-8")
    for value in values:
        assert f"| `{value}` |" in doc, value
    assert "pre-1.0" in doc


def test_the_bundled_ruleset_uses_every_partnership_standing_it_needs() -> None:
    sources = rhrt.load_ruleset().model.sources
    used = {s.standing for s in sources.values()}
    # a third-party copy and an informal note are told apart from the partnership's own word
    assert {"partnership", "partnership-copy", "partnership-informal"} <= used


def test_every_citation_on_a_decision_carries_its_sources_standing() -> None:
    rs = rhrt.load_ruleset()
    ids = [i.id for i in rs.model.indicators[::15]]
    decision = rs.assess({"indicators": ids, "child": {"age_years": 10}})
    found = decision.explanation.indicators
    assert found
    for finding in found:
        expected = rs.model.sources[finding.source.ref].standing
        assert finding.source.standing == expected


def test_a_ruleset_with_the_old_key_is_refused_naming_the_new_one(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "standing: other-partnership", "herefordshire: true"
    )
    path = tmp_path / "old.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesetSchemaError) as info:
        rhrt.load_ruleset(path)
    message = str(info.value)
    assert "standing" in message and "herefordshire" in message
    assert "old.yaml" in message


def test_a_record_with_the_old_key_is_refused_naming_the_new_one() -> None:
    rs = rhrt.load_ruleset(MINIMAL)
    decision = rs.assess({"indicators": [rs.model.indicators[-1].id]})
    record = json.loads(decision.to_json())
    assert record["explanation"]["indicators"], "the case must cite a source"
    for finding in record["explanation"]["indicators"]:
        del finding["source"]["standing"]
        finding["source"]["herefordshire"] = False
    with pytest.raises(RecordError) as info:
        rhrt.Decision.from_json(json.dumps(record))
    assert "standing" in str(info.value)
    assert info.value.path.endswith("source.herefordshire")


def test_the_renamed_key_table_names_a_real_field() -> None:
    from rhrt.model.decision import SourceCitation
    from rhrt.model.ruleset import Source

    for old, (new, why) in RENAMED_KEYS.items():
        assert new in Source.model_fields and new in SourceCitation.model_fields
        assert old not in Source.model_fields
        assert new in why


def _entry(shown: str, ind: object, rs: rhrt.Ruleset) -> str:
    """The rendered entry of an indicator, up to just past its source's title and address."""
    src = rs.model.sources[ind.source.ref]  # type: ignore[attr-defined]
    flat = " ".join(shown.replace("&#x27;", "'").replace("&#39;", "'").split())
    at = flat.index(ind.id)  # type: ignore[attr-defined]
    return flat[at : at + len(src.title) + len(src.url or "") + 120]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_rendered_decision_says_when_a_source_is_not_the_partnerships_own(fmt: str) -> None:
    from rhrt.model.standing import SHORT_LABELS
    from rhrt.render import render_decision

    rs = rhrt.load_ruleset()
    sources = rs.model.sources
    other = next(i for i in rs.model.indicators
                 if sources[i.source.ref].standing == "other-partnership" and i.level == 4)
    own = next(i for i in rs.model.indicators if sources[i.source.ref].standing == "partnership")
    shown = render_decision(rs.assess({"indicators": [other.id]}), fmt=fmt)
    assert SHORT_LABELS["other-partnership"] in _entry(shown, other, rs)
    plain = render_decision(rs.assess({"indicators": [own.id]}), fmt=fmt)
    assert not any(label in _entry(plain, own, rs) for label in SHORT_LABELS.values())

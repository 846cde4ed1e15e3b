# SPDX-License-Identifier: MIT
"""Decision records: lossless JSON, a published schema, reproducible, notes only when asked."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema  # the testing extra
from hypothesis import given, settings
from hypothesis import strategies as st

import rhrt
from rhrt.model.decision import decision_schema, decision_schema_json

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"
SCHEMA_FILE = ROOT / "docs" / "decision.schema.json"
RS = rhrt.load_ruleset(MINIMAL)
INDICATORS = [i.id for i in RS.model.indicators]

notes = st.one_of(st.none(), st.text(max_size=60).map(lambda t: "NOTE§" + t))
indicator_items = st.lists(
    st.builds(
        lambda i, n, s: {"id": i, "note": n, "source": s},
        st.sampled_from(INDICATORS),
        notes,
        st.one_of(st.none(), st.sampled_from(["SRC§school", "SRC§police", "SRC§GP <x>"])),
    ),
    max_size=6,
    unique_by=lambda item: item["id"],
)
children = st.one_of(
    st.just({}),
    st.builds(lambda y: {"age_years": y}, st.floats(0, 18, allow_nan=False)),
    st.builds(lambda m: {"age_months": m}, st.integers(0, 200)),
    st.just({"unborn": True}),
)
cases = st.builds(
    lambda ind, child, dash, consent, date: {
        "indicators": ind,
        "child": child,
        "measures": {} if dash is None else {"dash_score": dash},
        "consent": consent,
        "assessment_date": date,
    },
    indicator_items,
    children,
    st.one_of(st.none(), st.integers(0, 24)),
    st.sampled_from([None, "given", "refused", "not_sought"]),
    st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))),
)
overrides = st.one_of(
    st.none(),
    st.builds(
        lambda level, reason, role: {"level": level, "reason": reason, "role": role},
        st.integers(1, 4),
        st.text(min_size=3, max_size=40).filter(lambda r: len(r.strip()) >= 3),
        st.sampled_from(["social worker", "DSL", "health visitor"]),
    ),
)


@settings(max_examples=150, deadline=None)
@given(cases, overrides)
def test_decision_round_trips_through_json_without_loss(
    case: dict[str, Any], override: dict[str, Any] | None
) -> None:
    d = RS.assess(case, override=override)
    full = d.to_json(include_notes=True)
    assert rhrt.Decision.from_json(full) == d
    assert rhrt.Decision.from_json(full).to_json(include_notes=True) == full
    # without notes: everything else is kept, notes are gone
    slim = rhrt.Decision.from_json(d.to_json())
    assert slim.notes == ()
    assert slim.model_copy(update={"notes": d.notes}) == d
    assert "NOTE§" not in d.to_json() and "SRC§" not in d.to_json()
    if any(item["note"] for item in case["indicators"]):
        assert "NOTE§" in full


@settings(max_examples=40, deadline=None)
@given(cases)
def test_records_validate_against_the_published_schema(case: dict[str, Any]) -> None:
    d = RS.assess(case)
    schema = decision_schema()
    jsonschema.validate(json.loads(d.to_json(include_notes=True)), schema)
    jsonschema.validate(json.loads(d.to_json()), schema)


def test_records_carry_what_is_needed_to_reproduce_them() -> None:
    d = RS.assess({"indicators": ["poor-diet"], "assessment_date": "2024-03-01"})
    record = d.to_record()
    assert record["ruleset"] == {
        "id": RS.id,
        "version": RS.version,
        "sha256": RS.stamp.sha256,
        "status": {"id": "test-fixture", "text": RS.model.ruleset.status.text},  # type: ignore[union-attr]
    }
    assert record["assessment_date"] == "2024-03-01"
    assert record["rhrt_version"] == rhrt.__version__
    assert record["engine"] == "reference"
    assert record["record_format"] == 1
    assert record["statement"].startswith("This decision supports")


def test_a_stored_record_is_reproduced_exactly(tmp_path: Path) -> None:
    case = {
        "indicators": [{"id": "da-incidents", "note": "kept by the caller"}],
        "measures": {"dash_score": 15},
        "assessment_date": "2024-03-01",
    }
    override = {"level": 3, "reason": "MARAC plan in place", "role": "IDVA"}
    stored = RS.assess(case, override=override).to_json()
    (tmp_path / "record.json").write_text(stored)
    # later: the same ruleset file (checked by hash), the same case and override
    again = rhrt.load_ruleset(MINIMAL)
    record = rhrt.Decision.from_json((tmp_path / "record.json").read_text())
    assert again.stamp == record.ruleset
    assert again.assess(case, override=override).to_json() == stored


def test_json_is_deterministic() -> None:
    case = {"indicators": ["poor-attendance", "poor-diet", "inconsistent-care"]}
    assert RS.assess(case).to_json() == RS.assess(dict(case)).to_json()
    text = RS.assess(case).to_json()
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_notes_only_when_asked() -> None:
    d = RS.assess({"indicators": [{"id": "poor-diet", "note": "Lives with aunt", "source": "GP"}]})
    assert "Lives with aunt" not in d.to_json()
    assert "GP" not in json.dumps(d.to_record()["notes"])
    assert "Lives with aunt" in d.to_json(include_notes=True)
    assert "Lives with aunt" not in repr(d)


def test_published_schema_is_up_to_date() -> None:
    """Regenerate with `rhrt docs --schema --out docs/decision.schema.json`."""
    assert SCHEMA_FILE.read_text(encoding="utf-8") == decision_schema_json()


def test_schema_describes_the_record() -> None:
    schema = json.loads(decision_schema_json())
    assert schema["title"] == "Decision"
    for key in ("level", "ruleset", "rhrt_version", "assessment_date", "override", "notes"):
        assert key in schema["properties"]
    assert schema["additionalProperties"] is False


def test_every_field_of_the_record_has_a_description() -> None:
    """Every property of the published decision schema, at every depth, and every model in it,
    has a description (the field's docstring, as mkdocstrings shows it): a new field of the
    record cannot come without saying what it holds."""
    schema = json.loads(decision_schema_json())
    models = {"Decision": schema, **schema["$defs"]}
    assert set(models) >= {"Explanation", "ConsentPosition", "PathwayRecommendation"}
    undescribed = []
    for name, model in models.items():
        if not model.get("description", "").strip():
            undescribed.append(name)
        for field, prop in model["properties"].items():
            text = prop.get("description", "")
            if not text.strip() or "``" in text or ":func:" in text:
                undescribed.append(f"{name}.{field}")
    assert not undescribed, "give each a docstring in rhrt/model/decision.py: " + ", ".join(
        undescribed
    )


def test_schema_descriptions_are_the_field_docstrings() -> None:
    """One source of each field's meaning: the schema's description is its docstring."""
    from rhrt.model.decision import Decision, field_docs

    docs = field_docs()
    schema = json.loads(decision_schema_json())
    assert schema["properties"]["first_step"]["description"] == docs["Decision"]["first_step"]
    assert "rhrt.explain.first_step" in docs["Decision"]["first_step"]  # a role, made plain
    assert set(docs["Decision"]) == set(Decision.model_fields)

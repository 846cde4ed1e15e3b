# SPDX-License-Identifier: MIT
"""The published JSON Schema of the ruleset format is current, and accepts what rhrt accepts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema  # the testing extra
import pytest
import yaml

from rhrt.rules.bundled import bundled_ruleset_path
from rhrt.rules.schema import ruleset_schema, ruleset_schema_json

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "docs" / "ruleset.schema.json"
MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"


def test_published_schema_is_current() -> None:
    # Compared as JSON, not as text: how pydantic spells a number (0 or 0.0) varies by release,
    # and CI also runs with the lowest pydantic allowed.
    assert json.loads(PUBLISHED.read_text(encoding="utf-8")) == json.loads(
        ruleset_schema_json()
    ), "run: rhrt docs --ruleset-schema --out docs/ruleset.schema.json"


def _data(path: Path) -> Any:
    # YAML dates become strings, as an editor's YAML language server sees them
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = ruleset_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", [bundled_ruleset_path(), MINIMAL])
def test_valid_rulesets_pass(validator: Any, path: Path) -> None:
    errors = [e.message for e in validator.iter_errors(_data(path))]
    assert errors == []


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["indicators"][0].update(levle=2),
        lambda d: d["indicators"][0].update(level=5),
        lambda d: d["rules"][0].update(when={"tag": "injury", "indicator": "bruise"}),
        lambda d: d["rules"][0].update(when={"all": []}),
        lambda d: d.pop("safety"),
    ],
)
def test_invalid_rulesets_fail(validator: Any, change: Any) -> None:
    data = _data(MINIMAL)
    change(data)
    assert list(validator.iter_errors(data))
    from rhrt import ruleset_from_data
    from rhrt.errors import RulesetError

    with pytest.raises(RulesetError):  # the schema refuses only what rhrt refuses
        ruleset_from_data(data)

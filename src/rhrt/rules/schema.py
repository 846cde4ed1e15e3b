# SPDX-License-Identifier: MIT
"""The JSON Schema of the ruleset format, generated from the pydantic model.

Why generated: the model is the format's one definition, so an editor that validates and
completes a ruleset while the author types (a YAML language server reading
``docs/ruleset.schema.json``) sees exactly what ``rhrt validate`` accepts. A test fails when the
published file is out of date (``rhrt docs --ruleset-schema --out docs/ruleset.schema.json``).

The schema checks shape (keys, types, ranges, one condition per mapping); cross-references
(an indicator's domain exists, a rule names known ids) are checked by ``rhrt validate``.
"""

from __future__ import annotations

import json
from typing import Any

from rhrt.model.ruleset import RulesetModel

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def ruleset_schema() -> dict[str, Any]:
    """The ruleset format as a JSON Schema (draft 2020-12)."""
    schema = RulesetModel.model_json_schema(by_alias=True, mode="validation")
    schema["title"] = "rhrt levels-of-need ruleset"
    schema["description"] = (
        "A levels-of-need ruleset for rhrt (docs/ruleset-format.md). Shape only: ids that "
        "refer to each other are checked by 'rhrt validate'."
    )
    return {"$schema": SCHEMA_DIALECT, **schema}


def ruleset_schema_json() -> str:
    """:func:`ruleset_schema` as deterministic JSON text (sorted keys, trailing newline)."""
    return json.dumps(ruleset_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

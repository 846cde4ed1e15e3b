# SPDX-License-Identifier: MIT
"""What can still be cross-checked in a ruleset that failed schema validation.

Why: an author should see every problem in one pass. When one indicator has a bad level, the
misspelt indicator id in a rule three hundred lines below is still worth reporting now, not
after the first fix. So each item (indicator, rule, pathway, domain, …) is validated on its
own; the valid ones are kept in their places and the invalid ones become placeholders the
reference checks skip (their ids still count as known, so nothing that names them is reported
as unknown).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from rhrt.model import ruleset as m
from rhrt.rules.safe_yaml import Path

_LISTS: dict[str, type[BaseModel]] = {
    "levels": m.Level,
    "domains": m.Domain,
    "tags": m.TagDef,
    "measures": m.Measure,
    "indicators": m.Indicator,
    "rules": m.Rule,
    "pathways": m.Pathway,
}
_MAPS: dict[str, type[BaseModel]] = {"sources": m.Source, "contacts": m.Contact}


@dataclass
class Partial:
    """Which parts of a salvaged model are placeholders, and the ids they carried."""

    skipped: set[Path] = field(default_factory=set)
    """Paths of placeholders (``("indicators", 3)``) and of whole sections not checked."""
    known: dict[str, set[str]] = field(default_factory=dict)
    """Section → ids of placeholders (still valid targets of a reference)."""

    def skips(self, path: Path) -> bool:
        return any(path[: len(p)] == p for p in self.skipped)


def salvage(data: Mapping[str, Any]) -> tuple[m.RulesetModel, Partial]:
    """A model of the valid parts of ``data`` (built without validation) and what was skipped."""
    partial = Partial()
    fields: dict[str, Any] = {}
    for name, model in _LISTS.items():
        raw = data.get(name, ())
        items: list[Any] = []
        if not isinstance(raw, (list, tuple)):
            partial.skipped.add((name,))
            raw = ()
        for i, item in enumerate(raw):
            try:
                items.append(model.model_validate(item))
            except (ValidationError, TypeError, ValueError, RecursionError):
                partial.skipped.add((name, i))
                raw_id = item.get("id") if isinstance(item, dict) else None
                placeholder_id = raw_id if isinstance(raw_id, str) else ""
                if placeholder_id:
                    partial.known.setdefault(name, set()).add(placeholder_id)
                items.append(_Placeholder(id=placeholder_id, level=0))
        fields[name] = tuple(items)
    for name, model in _MAPS.items():
        raw_map = data.get(name, {})
        entries: dict[str, Any] = {}
        if isinstance(raw_map, dict):
            for key, value in raw_map.items():
                try:
                    entries[str(key)] = model.model_validate(value)
                except (ValidationError, TypeError, ValueError, RecursionError):
                    entries[str(key)] = None  # still a valid target of a reference
                    partial.skipped.add((name, str(key)))
        else:
            partial.skipped.add((name,))
        fields[name] = entries
    try:
        fields["safety"] = m.Safety.model_validate(data.get("safety"))
    except (ValidationError, TypeError, ValueError, RecursionError):
        fields["safety"] = None
        partial.skipped.add(("safety",))
    return m.RulesetModel.model_construct(**fields), partial


@dataclass(frozen=True)
class _Placeholder:
    """Stands in for an invalid item, keeping its position (and its id, when it had one)."""

    id: str
    level: int

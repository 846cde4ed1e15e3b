# SPDX-License-Identifier: MIT
"""Read-only views of a ruleset's indicators, for people and for explanations.

Why a separate catalogue: practitioners need to *find* the right indicator id ("what is the id
for missed health checks?") as much as engines need to evaluate them; this is the one place that
knows how to search, filter and suggest.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from rhrt.errors import suggest
from rhrt.model import ruleset as m


class Catalogue:
    """Indexes over one ruleset's indicators, domains and sources (read-only after creation)."""

    __slots__ = ("_by_id", "_domains", "model")

    def __init__(self, model: m.RulesetModel) -> None:
        self.model = model
        self._by_id: Mapping[str, m.Indicator] = MappingProxyType(
            {i.id: i for i in model.indicators}
        )
        self._domains: Mapping[str, m.Domain] = MappingProxyType({d.id: d for d in model.domains})

    def __iter__(self) -> Iterator[m.Indicator]:
        return iter(self.model.indicators)

    def __len__(self) -> int:
        return len(self.model.indicators)

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._by_id

    def get(self, indicator_id: str) -> m.Indicator:
        """The indicator with this id; KeyError (with a suggestion) otherwise."""
        try:
            return self._by_id[indicator_id]
        except KeyError:
            hint = self.suggest(indicator_id)
            extra = f"; did you mean '{hint}'?" if hint else ""
            raise KeyError(f"unknown indicator '{indicator_id}'{extra}") from None

    def suggest(self, indicator_id: str) -> str | None:
        return suggest(indicator_id, self._by_id)

    def domain(self, domain_id: str) -> m.Domain:
        return self._domains[domain_id]

    def domain_title(self, domain_id: str) -> str:
        dom = self._domains.get(domain_id)
        return dom.title if dom is not None else domain_id

    def filter(
        self,
        *,
        level: int | None = None,
        domain: str | None = None,
        tag: str | None = None,
        search: str | None = None,
    ) -> list[m.Indicator]:
        """Indicators matching every filter given; ``search`` matches words in id or text."""
        words = search.lower().split() if search else []
        out = []
        for ind in self.model.indicators:
            if level is not None and ind.level != level:
                continue
            if domain is not None and domain != ind.domain and domain not in ind.topics:
                continue
            if tag is not None and tag not in ind.tags:
                continue
            haystack = f"{ind.id} {ind.text}".lower()
            if words and not all(w in haystack for w in words):
                continue
            out.append(ind)
        return out

    def as_dict(self, ind: m.Indicator) -> dict[str, Any]:
        """The public JSON shape of an indicator (``rhrt indicators --format json``)."""
        src = self.model.sources.get(ind.source.ref)
        return {
            "id": ind.id,
            "level": ind.level,
            "domain": ind.domain,
            "subdomain": ind.subdomain,
            "topics": list(ind.topics),
            "text": ind.text,
            "tags": list(ind.tags),
            "source": {
                "ref": ind.source.ref,
                "title": src.title if src else None,
                "url": src.url if src else None,
                "section": ind.source.section,
                "quote": ind.source.quote,
                "standing": src.standing if src else None,
            },
        }

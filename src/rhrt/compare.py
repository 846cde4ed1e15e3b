# SPDX-License-Identifier: MIT
"""What changed between two rulesets, in words a partnership board can read.

``rhrt compare OLD NEW`` lists indicators added, removed, moved between levels or domains and
reworded (with the old wording); rules added, removed and changed; pathways and levels changed;
and, given a population of cases, how many move level (``rhrt.diff.impact``). A rule whose YAML
is unchanged can still match different concerns (an indicator moved level, gained a tag, changed
domain): that is said as what happened — "now also matches 'x'", "no longer matches 'y'" —
never as "condition changed". A rule whose condition was rewritten is given in plain words,
before and after.

Changes are plain data (:class:`Change`); :func:`to_markdown` renders them, escaping every text
that comes from a ruleset file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rhrt._words import plural
from rhrt.rules.plan import Count, HasAny, Node, walk

if TYPE_CHECKING:
    from rhrt.ruleset import Ruleset

__all__ = ["Change", "condition_change", "matched_indicators", "ruleset_changes", "to_markdown"]


@dataclass(frozen=True)
class Change:
    kind: str
    """``indicator``, ``rule``, ``pathway``, ``level``, ``measure`` or ``consent``."""
    id: str
    change: str
    """What happened, in words (ids quoted; texts from the ruleset are escaped on output)."""


def matched_indicators(node: Node) -> frozenset[str]:
    """Every indicator a condition tests (under ``not`` too), after tags and domains resolve."""
    out: set[str] = set()
    for part in walk(node):
        if isinstance(part, (HasAny, Count)):
            out |= part.ids
    return frozenset(out)


def ruleset_changes(old: Ruleset, new: Ruleset) -> list[Change]:
    """Every difference a reader of the framework would care about, in a stable order."""
    out: list[Change] = []
    out += _indicators(old, new)
    out += _rules(old, new)
    out += _pathways(old, new)
    out += _levels(old, new)
    out += _measures(old, new)
    out += _consent(old, new)
    return out


def _indicators(old: Ruleset, new: Ruleset) -> list[Change]:
    before = {i.id: i for i in old.model.indicators}
    after = {i.id: i for i in new.model.indicators}
    out = []
    for ind in new.model.indicators:
        was = before.get(ind.id)
        if was is None:
            out.append(Change("indicator", ind.id, f"added at level {ind.level} in {ind.domain}"))
            continue
        if was.level != ind.level:
            out.append(Change("indicator", ind.id, f"moved from level {was.level} to "
                                                   f"{ind.level}"))
        if (was.domain, was.subdomain) != (ind.domain, ind.subdomain):
            out.append(Change("indicator", ind.id, f"moved from {_dom(was)} to {_dom(ind)}"))
        if was.text != ind.text:
            out.append(Change("indicator", ind.id, f"reworded (was: {' '.join(was.text.split())})"))
        if set(was.tags) != set(ind.tags):
            out.append(Change("indicator", ind.id, _set_words("tags", was.tags, ind.tags)))
        if was.source != ind.source:
            out.append(Change("indicator", ind.id, "source changed"))
    out += [Change("indicator", i, f"removed (was level {before[i].level})")
            for i in before if i not in after]
    return out


def _dom(ind: Any) -> str:
    return f"{ind.domain}/{ind.subdomain}" if ind.subdomain else ind.domain


def _set_words(what: str, old: Iterable[str], new: Iterable[str]) -> str:
    gained = [x for x in new if x not in set(old)]
    lost = [x for x in old if x not in set(new)]
    parts = []
    if gained:
        parts.append("now " + ", ".join(f"'{x}'" for x in gained))
    if lost:
        parts.append("no longer " + ", ".join(f"'{x}'" for x in lost))
    return f"{what}: " + "; ".join(parts)


def _rules(old: Ruleset, new: Ruleset) -> list[Change]:
    before_plan = {r.id: r for r in old.plan.rules}
    out = []
    for rule in new.plan.rules:
        if rule.id not in before_plan:
            out.append(Change("rule", rule.id, "added"))
            continue
        was = before_plan[rule.id]
        words = condition_change(old, new, rule.id)
        if was.level != rule.level:
            words.append(f"level {was.level or '-'} → {rule.level or '-'}")
        if was.urgent != rule.urgent:
            words.append("now urgent" if rule.urgent else "no longer urgent")
        if was.pathways != rule.pathways:
            words.append(_set_words("pathways", was.pathways, rule.pathways)
                         if set(was.pathways) != set(rule.pathways) else "pathways reordered")
        if words:
            out.append(Change("rule", rule.id, "; ".join(words)))
    new_ids_all = {r.id for r in new.plan.rules}
    out += [Change("rule", r.id, "removed") for r in old.plan.rules if r.id not in new_ids_all]
    return out


def condition_change(old: Ruleset, new: Ruleset, rule_id: str) -> list[str]:
    """How a rule's condition changed, in words: ``condition rewritten`` when its YAML changed,
    and which concerns it now also (or no longer) matches — also when its YAML is the same but
    an indicator moved level, tag or domain. Empty when nothing changed."""
    was = next(r for r in old.plan.rules if r.id == rule_id)
    rule = next(r for r in new.plan.rules if r.id == rule_id)
    words = []
    yaml_same = rule.safety or _model_rule(old, rule_id).when == _model_rule(new, rule_id).when
    if not yaml_same:
        words.append(
            f"condition was: {_condition_words(old, rule_id)}; "
            f"now: {_condition_words(new, rule_id)}"
        )
    old_ids, new_ids = matched_indicators(was.condition), matched_indicators(rule.condition)
    if yaml_same and was.condition != rule.condition and old_ids == new_ids:
        words.append("condition changed")  # pragma: no cover - same ids, other structure
    gained = [i for i in new.plan.indicator_order if i in new_ids - old_ids]
    lost = [i for i in old.plan.indicator_order if i in old_ids - new_ids]
    if gained:
        words.append("now also matches " + ", ".join(f"'{i}'" for i in gained))
    if lost:
        words.append("no longer matches " + ", ".join(f"'{i}'" for i in lost))
    return words


def _model_rule(ruleset: Ruleset, rule_id: str) -> Any:
    return next(r for r in ruleset.model.rules if r.id == rule_id)


def _condition_words(ruleset: Ruleset, rule_id: str) -> str:
    """A rule's condition in the plain words every decision uses (rhrt.rules.plain)."""
    from rhrt.rules.plain import describe_condition

    return describe_condition(_model_rule(ruleset, rule_id).when, ruleset.model)


_PATHWAY_FIELDS = (
    "title", "what", "contact", "timescale", "consent", "consent_rule", "gather", "template"
)


def _pathways(old: Ruleset, new: Ruleset) -> list[Change]:
    before = {p.id: p for p in old.model.pathways}
    after = {p.id: p for p in new.model.pathways}
    out = []
    for pw in new.model.pathways:
        was = before.get(pw.id)
        if was is None:
            out.append(Change("pathway", pw.id, "added"))
            continue
        fields = [f for f in _PATHWAY_FIELDS if getattr(was, f) != getattr(pw, f)]
        if fields:
            out.append(Change("pathway", pw.id, "changed: " + ", ".join(fields)))
    out += [Change("pathway", p, "removed") for p in before if p not in after]
    return out


def _levels(old: Ruleset, new: Ruleset) -> list[Change]:
    before = {lv.level: lv for lv in old.model.levels}
    out = []
    for lv in new.model.levels:
        was = before.get(lv.level)
        if was is None:  # pragma: no cover - every ruleset has every level
            continue
        fields = [f for f in ("name", "description", "response", "consent")
                  if getattr(was, f) != getattr(lv, f)]
        if was.pathways != lv.pathways:
            fields.append(_set_words("pathways", was.pathways, lv.pathways))
        if fields:
            out.append(Change("level", f"level-{lv.level}", "changed: " + ", ".join(fields)))
    return out


def _consent(old: Ruleset, new: Ruleset) -> list[Change]:
    """Consent positions by concern (``consent.positions``), the urgent one and the words for
    recorded consent: what a practitioner is told to do about consent changes with them."""
    was, now = old.model.consent, new.model.consent
    before = {p.id: p for p in was.positions}
    after = {p.id: p for p in now.positions}
    out = []
    for pos in now.positions:
        prev = before.get(pos.id)
        if prev is None:
            out.append(Change("consent", pos.id, "added"))
            continue
        fields = [f for f in ("kind", "text", "tags", "indicators", "at_least_years", "source")
                  if getattr(prev, f) != getattr(pos, f)]
        if fields:
            out.append(Change("consent", pos.id, "changed: " + ", ".join(fields)))
    out += [Change("consent", p, "removed") for p in before if p not in after]
    if was.urgent != now.urgent:
        out.append(Change("consent", "urgent", "changed"))
    if was.recorded != now.recorded:
        out.append(Change("consent", "recorded", "changed: the words for recorded consent"))
    return out


def _measures(old: Ruleset, new: Ruleset) -> list[Change]:
    before, after = old.plan.measures, new.plan.measures
    out = []
    for ms, spec in after.items():
        if ms not in before:
            out.append(Change("measure", ms, "added"))
        elif before[ms] != spec:
            out.append(Change("measure", ms, f"range {before[ms][0]:g}-{before[ms][1]:g} → "
                                             f"{spec[0]:g}-{spec[1]:g}"))
    out += [Change("measure", ms, "removed") for ms in before if ms not in after]
    return out


_HEADINGS = {
    "indicator": "Indicators",
    "rule": "Rules",
    "pathway": "Pathways",
    "level": "Levels",
    "measure": "Measures",
    "consent": "Consent",
}


def to_markdown(
    old: Ruleset, new: Ruleset, changes: list[Change], impact: Any = None,
    escape: Callable[[str], str] | None = None,
) -> str:
    """The change log as Markdown. ``impact`` is an optional ``rhrt.diff.ImpactResult``."""
    if escape is None:
        from rhrt.render.escape import escape_markdown

        escape = escape_markdown
    esc: Callable[[str], str] = escape
    lines = [
        f"# Changes: {esc(old.id)} {esc(old.version)} → {esc(new.id)} {esc(new.version)}",
        "",
        f"{plural(len(changes), 'change')}. "
        "rhrt supports professional judgement; it never replaces it.",
    ]
    if impact is not None:
        lines += ["", "## Effect on the cases given", ""]
        lines.append(
            f"Of {plural(impact.rows, 'case')}, {impact.changed:,} "
            f"{'changes' if impact.changed == 1 else 'change'} level: {impact.up} up, "
            f"{impact.down} down."
        )
        if any(c.kind in ("rule", "pathway", "level") for c in changes):
            lines.append("Only changes of level are counted here; a change of route (the "
                         "pathways recommended) with no change of level is not.")
        if impact.down:
            lines.append("Cases that move down need scrutiny: a lower level can withdraw a "
                         "service (see `rhrt diff` for the list).")
        if len(impact.causes):
            lines += ["", "| cause | direction | cases |", "|---|---|---|"]
            for row in impact.causes.itertuples(index=False):
                lines.append(f"| {esc(str(row.cause))} | {row.direction} | {row.cases} |")
    for kind, heading in _HEADINGS.items():
        mine = [c for c in changes if c.kind == kind]
        if not mine:
            continue
        lines += ["", f"## {heading}", ""]
        titles = _titles(new, old, kind)
        for c in mine:
            title = titles.get(c.id)
            name = f"`{esc(c.id)}`" + (f" ({esc(title)})" if title else "")
            lines.append(f"- {name}: {esc(c.change)}")
    if not changes:
        lines += ["", "No differences in indicators, rules, pathways, levels or measures."]
    return "\n".join(lines) + "\n"


def _titles(new: Ruleset, old: Ruleset, kind: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for rs in (old, new):
        if kind == "indicator":
            out.update({i.id: i.text for i in rs.model.indicators})
        elif kind == "pathway":
            out.update({p.id: p.title for p in rs.model.pathways})
    return out

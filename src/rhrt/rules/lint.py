# SPDX-License-Identifier: MIT
"""Completeness and hygiene checks beyond validity: what a reviewer of a ruleset should see.

A ruleset can be valid and still have gaps: a level with no indicators in some sub-domain, a
pathway nothing recommends, a tag no indicator carries, a rule that uses ``not`` (so adding a
concern could stop it firing), two indicators with the same wording, age or measure bands with
a gap between them. These are *findings*, not errors. This is the one place they are checked:
``rhrt validate --strict`` fails on them, ``rhrt lint`` reports them with severity and
file:line (adding the checks that need the solver, ``rhrt.prove.lint``), and the bundled
ruleset's tests require none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, assert_never

from rhrt.model import ruleset as m
from rhrt.model.scale import LEVELS
from rhrt.rules.compile import Plan, compile_ruleset, uses_not
from rhrt.rules.plan import (
    AgeCmp,
    All,
    AnyOf,
    ContextIs,
    Count,
    HasAny,
    IsUnborn,
    MeasureCmp,
    Node,
    Not,
)

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    code: str
    """A stable short code, e.g. ``empty-cell``."""
    message: str
    severity: Severity = "warning"
    """``error``: the ruleset does not do what it says; ``warning``: very likely a mistake;
    ``info``: worth a look."""
    path: str = ""
    """The field path of what the finding is about, e.g. ``rules[3]`` (for file:line)."""

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


def empty_cells(model: m.RulesetModel) -> list[tuple[str, str | None, int]]:
    """(domain, subdomain, level) cells with no indicator.

    Triangle domains need every sub-domain at every level; topic domains need every level they
    declare in ``levels`` (counting indicators whose primary domain or ``topics`` name them).
    """
    have: set[tuple[str, str | None, int]] = set()
    for ind in model.indicators:
        have.add((ind.domain, ind.subdomain, ind.level))
        for topic in ind.topics:
            have.add((topic, None, ind.level))
        if ind.subdomain is not None:
            have.add((ind.domain, None, ind.level))
    out: list[tuple[str, str | None, int]] = []
    for dom in model.domains:
        if dom.kind == "triangle" and dom.subdomains:
            for sub in dom.subdomains:
                for level in LEVELS:
                    if (dom.id, sub.id, level) not in have:
                        out.append((dom.id, sub.id, level))
        else:
            for level in dom.levels:
                if (dom.id, None, level) not in have:
                    out.append((dom.id, None, level))
    return out


def reachable_pathways(model: m.RulesetModel) -> set[str]:
    """Pathways some level, safety route or rule (with a satisfiable trigger) can recommend."""
    found = {p for lv in model.levels for p in lv.pathways}
    found |= set(model.safety.immediate_danger.pathways) | set(model.safety.allegation.pathways)
    for rule in model.rules:
        found |= set(rule.then.pathways)
    return found


EMERGENCY_CODES = frozenset({"no-emergency-pathway", "emergency-pathway-misused"})
"""Finding codes that break the immediate-danger promise (``rhrt prove`` fails on them too)."""


def broken_promises(model: m.RulesetModel) -> list[Finding]:
    """What stops a ruleset keeping the framework's safety promises, whatever the cases.

    - ``empty-safety-route``: no indicator carries the immediate-danger (or allegation) tag, so
      a practitioner cannot record immediate danger (or an allegation) at all;
    - ``no-emergency-pathway``: no pathway is marked ``emergency: true`` (the emergency response,
      e.g. call the police on 999), or the immediate-danger route's FIRST pathway is not one, so
      immediate danger would be level 4 without the emergency route as its first action;
    - ``emergency-pathway-misused``: a pathway marked ``emergency: true`` is also an ordinary
      route, so the flag cannot mean "the emergency response": it is some level's own pathway
      (``levels[n].pathways``), the allegation route's, or recommended by a rule that does not
      set the top level; or it names no ``contact`` (who to call).

    The ruleset declares which pathway is its emergency response (no partnership's ids are known
    to the code); these checks stop the flag being put on an everyday pathway (e.g. universal
    services) to satisfy the promise in name only. ``rhrt validate --strict``, ``rhrt lint``,
    ``rhrt check`` and ``rhrt prove`` fail on these.
    """
    out: list[Finding] = []
    used_tags = {t for ind in model.indicators for t in ind.tags}
    for route_name, route in (
        ("immediate_danger", model.safety.immediate_danger),
        ("allegation", model.safety.allegation),
    ):
        if route.tag not in used_tags:
            out.append(
                Finding("empty-safety-route", f"no indicator carries the {route_name} tag",
                        "error", f"safety.{route_name}")
            )
    emergency = {p.id for p in model.pathways if p.emergency}
    route_pathways = model.safety.immediate_danger.pathways
    if not emergency:
        out.append(
            Finding("no-emergency-pathway", "no pathway is marked 'emergency: true' (the "
                    "emergency response, e.g. call the police on 999)", "error", "pathways")
        )
    elif not route_pathways or route_pathways[0] not in emergency:
        out.append(
            Finding("no-emergency-pathway", "the immediate-danger route's first pathway is not "
                    "one marked 'emergency: true' (" + ", ".join(sorted(emergency)) + "): put "
                    "the emergency response first", "error", "safety.immediate_danger.pathways")
        )
    out += _emergency_misused(model, emergency)
    return out


def _emergency_misused(model: m.RulesetModel, emergency: set[str]) -> list[Finding]:
    """``emergency-pathway-misused`` findings (see :func:`broken_promises`)."""
    out: list[Finding] = []

    def misused(pathway: str, why: str, path: str) -> None:
        out.append(Finding(
            "emergency-pathway-misused",
            f"emergency pathway '{pathway}' {why}: an emergency pathway is only the "
            "immediate-danger response", "error", path,
        ))

    for n, lv in enumerate(model.levels):
        for p in lv.pathways:
            if p in emergency:
                misused(p, f"is level {lv.level}'s own pathway", f"levels[{n}].pathways")
    for p in model.safety.allegation.pathways:
        if p in emergency:
            misused(p, "is on the allegation route", "safety.allegation.pathways")
    top = max(LEVELS)
    for n, rule in enumerate(model.rules):
        if rule.then.level != top:
            for p in rule.then.pathways:
                if p in emergency:
                    misused(p, f"is recommended by rule '{rule.id}', which does not set level "
                            f"{top}", f"rules[{n}].then.pathways")
    for n, pw in enumerate(model.pathways):
        if pw.emergency and pw.contact is None:
            out.append(Finding(
                "emergency-pathway-misused",
                f"emergency pathway '{pw.id}' names no contact (who to call)", "error",
                f"pathways[{n}]",
            ))
    return out


_WITHOUT_CONSENT = re.compile(
    r"\bwithout (?:\w+'s |their |the \w+'s )?(?:consent|it|agreement)\b|\bnot needed\b"
    r"|\bdo not seek\b|\bnever alert\b",
    re.IGNORECASE,
)
"""Words by which a pathway's consent text says consent may be set aside or is not needed."""
_ASKS_CONSENT = ("required", "young-person")
"""Kinds of position whose words tell the practitioner to get consent before sharing."""


def consent_contradictions(model: m.RulesetModel) -> list[Finding]:
    """``consent-contradiction``: a pathway's consent text says consent is not needed or may be
    set aside (:data:`_WITHOUT_CONSENT`), but the position ranked for a decision would tell the
    practitioner to get consent first, so the decision would show both (the Prevent referral
    "may be made without consent" beside level 3's "seek it before sharing").

    It arises when the pathway declares no ``consent_rule`` (its text is then not ranked, and
    a level whose consent is ``required`` is shown first) or declares one that asks for consent
    (``required``, ``young-person``). Fix: give the pathway the ``consent_rule`` its text means.
    """
    out: list[Finding] = []
    asks = any(lv.consent.rule in _ASKS_CONSENT for lv in model.levels)
    for n, pw in enumerate(model.pathways):
        if not _WITHOUT_CONSENT.search(pw.consent):
            continue
        if pw.consent_rule is None and asks:
            out.append(Finding(
                "consent-contradiction",
                f"pathway '{pw.id}' says consent is not needed or may be set aside, but gives no "
                "consent_rule: at a level whose consent is 'required' the decision would tell the "
                "practitioner to get consent first beside it (give the consent_rule it means)",
                "warning", f"pathways[{n}].consent",
            ))
        elif pw.consent_rule in _ASKS_CONSENT:
            out.append(Finding(
                "consent-contradiction",
                f"pathway '{pw.id}' says consent is not needed or may be set aside, but its "
                f"consent_rule '{pw.consent_rule}' asks for consent first",
                "warning", f"pathways[{n}].consent_rule",
            ))
    return out


def lint(model: m.RulesetModel, plan: Plan | None = None) -> list[Finding]:
    """Every structural finding for a valid ruleset, in a stable order (no solver needed)."""
    plan = plan or compile_ruleset(model)
    findings: list[Finding] = []
    dom_index = {d.id: n for n, d in enumerate(model.domains)}
    for dom, sub, level in empty_cells(model):
        where = f"{dom}/{sub}" if sub else dom
        findings.append(Finding("empty-cell", f"no level-{level} indicator in {where}",
                                "warning", f"domains[{dom_index[dom]}]"))
    reachable = reachable_pathways(model)
    for n, pw in enumerate(model.pathways):
        if pw.id not in reachable:
            findings.append(Finding("unreachable-pathway", f"nothing recommends pathway '{pw.id}'",
                                    "warning", f"pathways[{n}]"))
    used_tags = {t for ind in model.indicators for t in ind.tags}
    for n, tag in enumerate(model.tags):
        if tag.id not in used_tags:
            findings.append(Finding("unused-tag", f"no indicator carries tag '{tag.id}'", "info",
                                    f"tags[{n}]"))
    findings += broken_promises(model)
    findings += consent_contradictions(model)
    safety_rules = len(plan.rules) - len(model.rules)
    for n, rule in enumerate(plan.rules):
        where = f"rules[{n - safety_rules}]" if not rule.safety else "safety"
        if uses_not(rule.condition):
            findings.append(
                Finding("uses-not", f"rule '{rule.id}' uses 'not': adding a concern can stop it",
                        "warning", where)
            )
        if not rule.safety and _never_fires(rule.condition):
            findings.append(Finding("dead-rule", f"rule '{rule.id}' can never fire", "error",
                                    where))
    used_sources = {i.source.ref for i in model.indicators}
    used_sources |= {r.source.ref for r in model.rules if r.source}
    used_sources |= {p.source.ref for p in model.pathways if p.source}
    used_sources |= {ms.source.ref for ms in model.measures if ms.source}
    used_sources |= {c.source.ref for c in model.contacts.values() if c.source}
    used_sources |= {lv.consent.source.ref for lv in model.levels if lv.consent.source}
    used_sources |= {p.source.ref for p in model.consent.positions if p.source}
    if model.consent.urgent is not None and model.consent.urgent.source is not None:
        used_sources.add(model.consent.urgent.source.ref)
    for key in model.sources:
        if key not in used_sources:
            findings.append(Finding("unused-source", f"no entry cites source '{key}'", "info",
                                    f"sources.{key}"))
    findings += _wording(model)
    findings += split_list_items(model)
    findings += _empty_levels_and_domains(model)
    findings += _unspecific_sources(model)
    findings += contact_details_unsourced(model)
    findings += bands(model, plan)
    return findings


# --- wording, empty levels and domains, sources ---------------------------------------------

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _words(text: str) -> str:
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def _wording(model: m.RulesetModel) -> list[Finding]:
    """Indicators whose wording is the same (ignoring case, spacing and punctuation)."""
    seen: dict[str, str] = {}
    out = []
    for n, ind in enumerate(model.indicators):
        key = _words(ind.text)
        if key in seen:
            out.append(Finding(
                "same-wording", f"indicator '{ind.id}' has the same wording as '{seen[key]}'",
                "warning", f"indicators[{n}]",
            ))
        else:
            seen[key] = ind.id
    return out


def split_list_items(model: m.RulesetModel) -> list[Finding]:
    """``split-list-item``: a pathway's ``gather`` item with unbalanced brackets.

    A YAML flow list splits on every comma, brackets or not: ``[the notice (date, reference)]``
    is read as two items, ``the notice (date`` and ``reference)``, and shown to practitioners as
    two broken lines. Write such a list as a block list (one ``- item`` a line).
    """
    out = []
    for n, pw in enumerate(model.pathways):
        for item in pw.gather or ():
            if item.count("(") != item.count(")") or item.count("[") != item.count("]"):
                out.append(Finding(
                    "split-list-item",
                    f"pathway '{pw.id}' has a gather item with unbalanced brackets (a flow list "
                    "split on a comma inside brackets?): write it as a block list",
                    "warning", f"pathways[{n}].gather",
                ))
                break
    return out


def _empty_levels_and_domains(model: m.RulesetModel) -> list[Finding]:
    levels = {ind.level for ind in model.indicators}
    used = {ind.domain for ind in model.indicators} | {
        t for ind in model.indicators for t in ind.topics
    }
    out = [
        Finding("empty-level", f"no indicator at level {lv.level}", "warning", f"levels[{n}]")
        for n, lv in enumerate(model.levels) if lv.level not in levels
    ]
    out += [
        Finding("empty-domain", f"no indicator in domain '{dom.id}'", "warning", f"domains[{n}]")
        for n, dom in enumerate(model.domains) if dom.id not in used
    ]
    return out


def _unspecific_sources(model: m.RulesetModel) -> list[Finding]:
    """Indicators whose source says nothing of where (no quote, section, page or note)."""
    return [
        Finding(
            "source-without-reference",
            f"indicator '{ind.id}' cites '{ind.source.ref}' without a quote, section, page or "
            "note",
            "warning", f"indicators[{n}].source",
        )
        for n, ind in enumerate(model.indicators)
        if not (ind.source.quote or ind.source.section or ind.source.page or ind.source.note)
    ]


# An email address, a UK telephone number (0 then 9 or 10 more digits, spaces or hyphens
# between groups) or an international one (+ then 7 or more digits). The national three-digit
# numbers (999, 101, 111, 112) are not checked: they are not local details a ruleset could
# invent. Years and ranges ("2017-18", "0-25") are not numbers of this shape.
_CONTACT_DETAIL = re.compile(
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
    r"|(?<![\d+])(?:\+\d(?:[ -]?\d){6,}|0\d(?:[ -]?\d){8,9})(?![\d])"
)


def _digits_or_address(detail: str) -> str:
    return detail.casefold() if "@" in detail else re.sub(r"\D", "", detail)


def contact_details(text: str) -> list[str]:
    """The telephone numbers and email addresses written in ``text``, as written."""
    return [m.group(0).rstrip(".") for m in _CONTACT_DETAIL.finditer(text)]


def contact_details_unsourced(model: m.RulesetModel) -> list[Finding]:
    """Telephone numbers and email addresses not found in a quote of the contact's source.

    Contacts are where a ruleset gives numbers; a number in a pathway's text is checked against
    the quotes of the pathway's source and of its contact's source, a level's against nothing
    (so it is always reported: move it to a contact). Numbers are compared by their digits,
    addresses ignoring case.
    """
    out: list[Finding] = []

    def check(
        texts: Sequence[str | None], source: m.SourceRef | None, path: str,
        also: m.SourceRef | None = None,
    ) -> None:
        quoted = " ".join(s.quote for s in (source, also) if s is not None and s.quote)
        have = {_digits_or_address(d) for d in contact_details(quoted)}
        for text in texts:
            for detail in contact_details(text or ""):
                if _digits_or_address(detail) not in have:
                    why = "has no source" if source is None else (
                        f"is not in the quote of its source '{source.ref}'"
                    )
                    out.append(Finding(
                        "contact-detail-unsourced",
                        f"a telephone number or email address {why}: quote the source that "
                        "gives it, or say where to find it instead",
                        "error", path,
                    ))

    for key, contact in model.contacts.items():
        check((contact.name, contact.how, contact.hours), contact.source, f"contacts.{key}")
    for n, pw in enumerate(model.pathways):
        own = model.contacts.get(pw.contact) if pw.contact else None
        check((pw.what, pw.consent, pw.timescale), pw.source, f"pathways[{n}]",
              own.source if own is not None else None)
    for n, lv in enumerate(model.levels):
        check((lv.description, lv.response), None, f"levels[{n}]")
    return out


# --- age and measure bands ------------------------------------------------------------------


@dataclass(frozen=True)
class _Band:
    """The interval a rule's ``all`` condition allows one variable, and the rest of it."""

    rule: int
    """Index in ``model.rules``."""
    low: Fraction | None
    low_open: bool
    high: Fraction | None
    high_open: bool
    rest: str

    def contains(self, x: Fraction) -> bool:
        if self.low is not None and (x < self.low or (self.low_open and x == self.low)):
            return False
        return not (
            self.high is not None and (x > self.high or (self.high_open and x == self.high))
        )


def bands(model: m.RulesetModel, plan: Plan) -> list[Finding]:
    """Gaps and overlaps between rules that split one age or measure into bands.

    Rules whose condition is the same apart from comparisons of one variable (the child's age,
    or one measure) form a family of bands. Two bands that share values but set different
    outcomes *overlap* (the higher outcome wins, so the lower band is partly dead); a range of
    values between two bands that no band covers is a *gap* (a value there matches no rule of
    the family, often an off-by-one such as ``less_than: 10`` next to ``at_least: 11``).
    """
    safety = len(plan.rules) - len(model.rules)
    families: dict[tuple[str, str], list[_Band]] = {}
    for n, rule in enumerate(plan.rules[safety:]):
        parts = rule.condition.children if isinstance(rule.condition, All) else (
            rule.condition,
        )
        variables: dict[str, list[tuple[str, float]]] = {}
        others = []
        for part in parts:
            if isinstance(part, MeasureCmp):
                variables.setdefault(f"measure {part.measure}", []).append((part.op, part.value))
            elif isinstance(part, AgeCmp):
                variables.setdefault("age", []).append(
                    ("less_than" if part.op == "under" else "at_least", part.months)
                )
            else:
                others.append(repr(part))
        if len(variables) != 1:
            continue
        (name, comparisons), = variables.items()
        band = _band(n, comparisons, "|".join(sorted(others)))
        families.setdefault((name, band.rest), []).append(band)
    out: list[Finding] = []
    for (name, _), family in families.items():
        if len(family) > 1:
            out += _family_findings(model, name, family)
    return out


def _band(rule: int, comparisons: Sequence[tuple[str, float]], rest: str) -> _Band:
    low: Fraction | None = None
    high: Fraction | None = None
    low_open = high_open = False
    for op, value in comparisons:
        v = Fraction(value)
        if op in ("at_least", "more_than"):
            is_open = op == "more_than"
            if low is None or v > low or (v == low and is_open):
                low, low_open = v, is_open
        else:
            is_open = op == "less_than"
            if high is None or v < high or (v == high and is_open):
                high, high_open = v, is_open
    return _Band(rule, low, low_open, high, high_open, rest)


def _words_of(b: _Band, unit: str) -> str:
    lo = "" if b.low is None else f"{'above' if b.low_open else 'from'} {float(b.low):g}"
    hi = "" if b.high is None else f"{'below' if b.high_open else 'up to'} {float(b.high):g}"
    return " ".join(p for p in (lo, hi) if p) + unit


def _family_findings(model: m.RulesetModel, name: str, family: list[_Band]) -> list[Finding]:
    unit = " months" if name == "age" else ""
    rules = model.rules
    out = []
    ordered = sorted(family, key=lambda b: (b.low is not None, b.low or 0, b.low_open))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            ra, rb = rules[a.rule], rules[b.rule]
            if _overlap(a, b) and ra.then != rb.then:
                out.append(Finding(
                    "band-overlap",
                    f"rules '{ra.id}' ({_words_of(a, unit)}) and '{rb.id}' "
                    f"({_words_of(b, unit)}) both match some values of {name} but decide "
                    "differently",
                    "warning", f"rules[{b.rule}]",
                ))
    reach = ordered[0]  # the band whose upper end is the furthest the union reaches so far
    for b in ordered[1:]:
        if reach.high is None:
            break  # the bands so far cover every higher value
        gap = b.low is not None and (
            b.low > reach.high or (b.low == reach.high and reach.high_open and b.low_open)
        )
        if gap and b.low is not None:
            ra, rb = rules[reach.rule], rules[b.rule]
            out.append(Finding(
                "band-gap",
                f"no rule of the family '{ra.id}', '{rb.id}' matches {name} between "
                f"{float(reach.high):g} and {float(b.low):g}{unit}",
                "warning", f"rules[{b.rule}]",
            ))
        if b.high is None or b.high > reach.high or (
            b.high == reach.high and reach.high_open and not b.high_open
        ):
            reach = b
    return out


def _overlap(a: _Band, b: _Band) -> bool:
    """Whether two bands share a value."""
    points = [p for p in (a.low, a.high, b.low, b.high) if p is not None]
    candidates = set(points)
    for x in points:
        for y in points:
            candidates.add((x + y) / 2)
    if not points:
        return True
    candidates |= {min(points) - 1, max(points) + 1}
    return any(a.contains(x) and b.contains(x) for x in candidates)


def _never_fires(node: Node) -> bool:
    """True for conditions that can never be true or unknown (e.g. a tag nobody carries)."""
    match node:
        case HasAny():
            return not node.ids
        case Count():
            return len(node.ids) < node.at_least
        case All():
            return any(_never_fires(c) for c in node.children)
        case AnyOf():
            return all(_never_fires(c) for c in node.children)
        case Not() | MeasureCmp() | AgeCmp() | IsUnborn() | ContextIs():
            return False
        case _:
            assert_never(node)

# SPDX-License-Identifier: MIT
"""The bundled ruleset's words about time agree with its urgency.

A decision is urgent (the URGENT banner, ``Decision.first_step``, the "share now" consent) only
when an urgent rule fires or an urgent concern is present. Wording that tells the practitioner to
act "at once", "immediately", "now", "urgently" or "the same day" in a decision that is *not*
urgent contradicts the banner: a bruised non-mobile baby's decision once said "refer to the MASH
at once" with no urgency and no first step. So every text that can be shown in a non-urgent
decision must not say immediacy, except the phrases in ALLOWED, each with its reason (a
conditional naming another route, a quoted name, a question). The reverse holds too: an urgent
rule's ``because`` and an urgent concern's ``urgent_because`` say why in words of immediacy.

Texts read: rules' ``because``, indicators' ``text``, tags' descriptions, pathways' ``title``,
``what``, ``timescale`` and ``consent``, contacts' ``how``, levels' ``description`` and
``response``, and consent positions' ``text``. Texts shown only in urgent decisions (an urgent
rule's, an urgent or immediate-danger concern's, a pathway only urgent routes recommend and its
contact, ``consent.urgent``) may say immediacy freely.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

import rhrt
from rhrt.model import ruleset as m

IMMEDIACY = re.compile(
    r"\b(at once|immediately|immediate|without delay|same day|urgent(?:ly)?|now|today|tonight)\b",
    re.IGNORECASE,
)

ALLOWED: dict[str, tuple[tuple[str, str], ...]] = {
    # where -> (exact phrase in that text, why it does not make the decision urgent)
    "rule:possible-crime-police-101": (
        ("999 if anyone is in immediate danger", "a conditional naming the emergency route"),
    ),
    "indicator:wider-family-support": (
        ("immediate and wider family", "kinship (close family), not time"),
    ),
    "pathway:mash-referral:what": (
        ("whether the child needs immediate protection", "what the MASH decides, not when"),
    ),
    "pathway:mash-referral:timescale": (
        ("(at once when the decision is urgent)", "conditional on the decision's urgency"),
    ),
    "pathway:missing-from-care:what": (
        ("999 if the child is in immediate danger", "a conditional naming 999"),
    ),
    "pathway:youth-justice-service:what": (
        ("If the young person is in immediate danger, call 999", "a conditional naming 999"),
    ),
    "pathway:prevent-channel:what": (
        ("if the child is at immediate risk, refer to the MASH and call 999",
         "a conditional naming the MASH and 999"),
    ),
    "pathway:police-101:what": (
        ("if anyone is injured or in immediate danger, call 999 instead",
         "a conditional naming 999"),
    ),
    "pathway:child-abduction-warning-notice:timescale": (
        ("or sooner if the child is at immediate risk", "a conditional"),
    ),
    "contact:missing-children": (
        ("999 if the child is in immediate danger", "a conditional naming 999"),
    ),
    "level:4:description": (
        ("Immediate intervention, or an assessment from the MASH, is required",
         "the 2014 predecessor's name for level 4 (hscb-lon-2014), quoted"),
    ),
    "level:4:response": (
        ("If the child is in immediate danger, call 999 first", "a conditional naming 999"),
    ),
    "consent:domestic-abuse": (
        ("is it safe to talk now?", "a question SafeLives tells the practitioner to ask"),
    ),
}


@pytest.fixture(scope="module")
def model() -> m.RulesetModel:
    return rhrt.load_ruleset().model


def _urgent_only_pathways(model: m.RulesetModel) -> set[str]:
    """Pathways recommended only by urgent routes: an urgent rule, the immediate-danger route,
    or an emergency pathway (never a level's own response or a non-urgent rule)."""
    calm: set[str] = {p for lv in model.levels for p in lv.pathways}
    calm.update(model.safety.allegation.pathways)
    for rule in model.rules:
        if not rule.then.urgent:
            calm.update(rule.then.pathways)
    return {p.id for p in model.pathways if p.emergency or p.id not in calm}


def _texts(model: m.RulesetModel) -> Iterator[tuple[str, str, bool]]:
    """(where, text, shown only in urgent decisions)."""
    danger = model.safety.immediate_danger.tag
    urgent_tags = {danger} | {
        r.when.tag for r in model.rules if r.then.urgent and isinstance(r.when, m.TagCond)
    }
    for rule in model.rules:
        yield f"rule:{rule.id}", rule.because, rule.then.urgent
    for ind in model.indicators:
        yield f"indicator:{ind.id}", ind.text, ind.urgent or danger in ind.tags
    for tag in model.tags:
        yield f"tag:{tag.id}", tag.description, tag.id in urgent_tags
    urgent_only = _urgent_only_pathways(model)
    contacts: dict[str, bool] = {}
    for pw in model.pathways:
        for field in ("title", "what", "timescale", "consent"):
            yield f"pathway:{pw.id}:{field}", getattr(pw, field), pw.id in urgent_only
        if pw.contact is not None:
            contacts[pw.contact] = contacts.get(pw.contact, True) and pw.id in urgent_only
    for contact_id, contact in model.contacts.items():
        yield f"contact:{contact_id}", contact.how, contacts.get(contact_id, False)
    for lv in model.levels:
        yield f"level:{lv.level}:description", lv.description, False
        yield f"level:{lv.level}:response", lv.response, False
    for pos in model.consent.positions:
        yield f"consent:{pos.id}", pos.text, False


def test_no_text_shown_in_a_calm_decision_says_act_at_once(model: m.RulesetModel) -> None:
    wrong: list[str] = []
    used: set[tuple[str, str]] = set()
    for where, text, urgent_only in _texts(model):
        if urgent_only:
            continue
        rest = " ".join(text.split())  # folded YAML: compare with single spaces
        for phrase, _why in ALLOWED.get(where, ()):
            if phrase in rest:
                used.add((where, phrase))
                rest = rest.replace(phrase, " ")
        wrong += [f"{where}: {hit.group(0)!r}" for hit in IMMEDIACY.finditer(rest)]
    assert not wrong, "immediacy in a text a non-urgent decision shows:\n" + "\n".join(wrong)
    stale = [(w, p) for w, entries in ALLOWED.items() for p, _ in entries if (w, p) not in used]
    assert not stale, f"allow-list entries that no longer match anything: {stale}"


def test_every_urgent_rule_and_concern_says_why_in_words_of_immediacy(
    model: m.RulesetModel,
) -> None:
    silent = [r.id for r in model.rules if r.then.urgent and not IMMEDIACY.search(r.because)]
    silent += [
        i.id for i in model.indicators if i.urgent and not IMMEDIACY.search(i.urgent_because or "")
    ]
    assert not silent, f"urgent without saying why it cannot wait: {silent}"


@pytest.mark.parametrize(
    ("case", "first"),
    [
        ({"child": {"age_months": 4}, "indicators": ["bruising-non-mobile-baby"]},
         "mash-referral"),
        ({"child": {"age_months": 3}, "indicators": ["non-accidental-injury"]}, "mash-referral"),
        ({"child": {"age_years": 15}, "indicators": ["radicalisation-immediate-risk"]},
         "mash-referral"),
    ],
)  # fmt: skip
def test_a_decision_that_says_at_once_is_urgent_with_its_route_first(
    case: dict[str, object], first: str
) -> None:
    decision = rhrt.load_ruleset().assess(case)
    assert decision.urgent
    assert decision.first_step == first

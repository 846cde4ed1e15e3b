# SPDX-License-Identifier: MIT
"""Every quote in the bundled ruleset appears in its source, where the source's text is held.

The partnership's own documents (and the research notes that quote other partnerships' threshold
documents) are kept outside the repository, in a ``shared`` folder beside the checkout (or the
folder named by ``RHRT_SOURCE_TEXTS``): ``seeds/`` holds the partnership's documents, one file
each, ``research/`` the wider research. A quote that differs from its source (a changed word, two
items run together, a full stop the source does not have) fails here. Quotes from sources whose
text is not held (national law and guidance read elsewhere) are listed in NOT_HELD, with why, so a
new uncheckable quote is a decision, not an accident. Skipped when the folder is absent (a fresh
clone); the lead's machine has it.

The partnership's files are named here, never in the ruleset (the ruleset cites titles).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

import rhrt
from rhrt.model import ruleset as m

ROOT = Path(__file__).resolve().parents[1]

SEED_FILES = {
    # source key in data/levels_of_need.yaml -> the partnership's document in shared/seeds
    "hscp-policies": "children-policies-and-guidance-page.txt",
    "hscp-bulletin-2020-11": "2020-11-information-bulletin.txt",
    "hscb-annual-report-2017-18": "2018-hscb-annual-report-2017-18.md",
    "hscp-masa-2024": "2024-multi-agency-safeguarding-arrangements.md",
    "herefordshire-missing": "2020-covid-exploitation-missing-practice-note.txt",
}

NOT_HELD = {
    # source key -> why its text is not in the shared folder
    "gov-nrm": "Home Office NRM guidance, read on GOV.UK",
    "fmu-third-parties": "Forced Marriage Unit guidance, read on GOV.UK",
    "operation-encompass-guidance": "a summary of the Home Office statutory guidance",
    "reducing-the-risk-dash": "Reducing the Risk's DASH risk-factor page",
    "safelives-16-17": "SafeLives guidance for multi-agency forums",
    "southwark-judgment": "Article 39's legal digest",
    "wm-forced-marriage": "West Midlands procedures 2.22",
    "young-carers-act": "legislation.gov.uk",
}

NOTE_QUOTES_NOT_HELD = {
    # a quoted phrase inside a note that comes from a source whose text is not held
    "requires police forces in England and Wales to notify educational settings": (
        "operation-encompass-guidance"
    ),
    "before the start of the next school day": "operation-encompass-guidance",
    "Child victims do not have to consent to be referred into the NRM": "gov-nrm",
    "where one or both of the victims is under the age of 18": "wm-forced-marriage",
    "it will now always be illegal to cause a child to marry": "wm-forced-marriage",
    "should be considered as high risk": "reducing-the-risk-dash",
}


def _shared() -> Path | None:
    named = os.environ.get("RHRT_SOURCE_TEXTS")
    candidates = [Path(named)] if named else [ROOT.parent / "shared", ROOT.parents[1] / "shared"]
    for folder in candidates:
        if (folder / "seeds").is_dir():
            return folder
    return None


SHARED = _shared()
pytestmark = pytest.mark.skipif(SHARED is None, reason="the shared source texts are not here")

_SAME = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
     "\u2022": " "}
)


def norm(text: str) -> str:
    """Compare words, not typography: curly quotes, dashes, bullets and spacing are equal."""
    text = unicodedata.normalize("NFKC", text).translate(_SAME).replace("[sic]", "")
    return re.sub(r"\s+", " ", text).strip().lower()


def parts(quote: str) -> list[str]:
    """A quote's pieces: an ellipsis marks words left out."""
    return [norm(p) for p in re.split(r"…|\.\.\.", quote) if norm(p)]


def found(quote: str, text: str) -> bool:
    """Every piece appears, in order."""
    at = 0
    for piece in parts(quote):
        at = text.find(piece, at)
        if at < 0:
            return False
        at += len(piece)
    return True


def citations(model: m.RulesetModel) -> Iterator[tuple[str, m.SourceRef]]:
    for ind in model.indicators:
        yield f"indicators.{ind.id}", ind.source
    for rule in model.rules:
        if rule.source is not None:
            yield f"rules.{rule.id}", rule.source
    for pw in model.pathways:
        if pw.source is not None:
            yield f"pathways.{pw.id}", pw.source
    for key, contact in model.contacts.items():
        if contact.source is not None:
            yield f"contacts.{key}", contact.source
    for ms in model.measures:
        if ms.source is not None:
            yield f"measures.{ms.id}", ms.source
        for imp in ms.implies:
            if imp.source is not None:
                yield f"measures.{ms.id}.implies", imp.source


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    assert SHARED is not None
    files = sorted((SHARED / "seeds").iterdir()) + sorted((SHARED / "research").iterdir())
    return {f.name: norm(f.read_text(encoding="utf-8")) for f in files if f.is_file()}


@pytest.fixture(scope="module")
def model() -> m.RulesetModel:
    return rhrt.load_ruleset().model


def test_the_seed_files_named_here_exist_and_their_sources_are_the_partnerships(
    texts: dict[str, str], model: m.RulesetModel
) -> None:
    for ref, name in SEED_FILES.items():
        assert name in texts, name
        assert model.sources[ref].standing.startswith("partnership"), ref


def test_every_quote_appears_in_its_source(
    texts: dict[str, str], model: m.RulesetModel
) -> None:
    wrong = []
    for where, cite in citations(model):
        if not cite.quote or cite.ref in NOT_HELD:
            continue
        if cite.ref in SEED_FILES:
            ok = found(cite.quote, texts[SEED_FILES[cite.ref]])
        else:  # another partnership's wording, as the research notes quote it
            ok = any(found(cite.quote, t) for t in texts.values())
        if not ok:
            wrong.append(f"{where} ({cite.ref}): {cite.quote[:80]}")
    assert wrong == []


def test_every_phrase_quoted_in_a_note_appears_in_a_source(
    texts: dict[str, str], model: m.RulesetModel
) -> None:
    wrong = []
    for where, cite in citations(model):
        for phrase in re.findall(r'"([^"]{25,})"', cite.note or ""):
            if any(phrase.startswith(k) for k in NOTE_QUOTES_NOT_HELD):
                continue
            if not any(found(phrase, t) for t in texts.values()):
                wrong.append(f"{where} ({cite.ref}): {phrase[:80]}")
    assert wrong == []


def test_every_source_not_held_is_cited_and_not_the_partnerships(model: m.RulesetModel) -> None:
    for ref in NOT_HELD:
        assert ref in model.sources, ref
        assert not model.sources[ref].standing.startswith("partnership"), ref


def test_the_quote_check_catches_a_changed_word_and_an_added_full_stop() -> None:
    text = norm("• Behaved in a way\n  • A person may not be suitable\n\nThis is in connection")
    assert found("Behaved in a way … A person may not be suitable … This is", text)
    assert found("Behaved in a way. A person may not be suitable", text) is False
    assert found("Behaved in some way", text) is False
    assert found("This is in connection … Behaved", text) is False  # order matters

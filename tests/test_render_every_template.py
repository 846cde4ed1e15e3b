# SPDX-License-Identifier: MIT
"""Rendering never fails on a valid decision, and templates see notes only when asked.

Every template rhrt ships (``src/rhrt/render/templates``), in every format, over generated
decisions with every optional field of the case (notes, sources, reference, referral source,
dates, measures, consent, recorded decision, override) present and absent.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rhrt
from rhrt.cli import main
from rhrt.model.case import Case
from rhrt.render import (
    TEMPLATE_FORMATS,
    TEMPLATES_DIR,
    render_decision,
    render_pathway,
    render_referral,
    render_ruleset,
)

BUNDLED = rhrt.load_ruleset()
NOTE = "NOTE-MARKER-7f3a"
SOURCE = "SOURCE-MARKER-9c1d"
_free_text = st.one_of(st.none(), st.text(max_size=30).map(lambda t: f"{NOTE} {t}"))
_source_text = st.one_of(st.none(), st.text(max_size=20).map(lambda t: f"{SOURCE} {t}"))


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Case, dict[str, Any] | None]:
    ids = draw(
        st.lists(st.sampled_from(BUNDLED.plan.indicator_order), max_size=6, unique=True)
    )
    indicators = []
    for ind in ids:
        item: dict[str, Any] = {"id": ind}
        note, source = draw(_free_text), draw(_source_text)
        if note is not None:
            item["note"] = note
        if source is not None:
            item["source"] = source
        indicators.append(item)
    data: dict[str, Any] = {"indicators": indicators}
    optional = {
        "reference": st.text(min_size=1, max_size=20),
        "referral_source": st.text(min_size=1, max_size=20),
        "assessment_date": st.dates(dt.date(2000, 1, 1), dt.date(2040, 1, 1)),
        "consent": st.sampled_from(["given", "refused", "not_sought"]),
        "recorded_decision": st.integers(1, 4),
        "measures": st.fixed_dictionaries(
            {}, optional={m: st.integers(0, 20).map(float) for m in BUNDLED.plan.measures}
        ),
        "child": st.sampled_from([{}, {"age_years": 3}, {"unborn": True}, {"age_months": 7}]),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            data[key] = draw(strategy)
    override = None
    if draw(st.booleans()):
        override = {"level": draw(st.integers(1, 4)), "reason": "A reason given", "role": "SW"}
    return Case.model_validate(data), override


def _shipped() -> list[tuple[str, str]]:
    """(kind, format) of every template file rhrt ships, except partials (``_page``…)."""
    found = []
    for path in sorted(TEMPLATES_DIR.glob("*.j2")):
        kind, fmt, _ = path.name.rsplit(".", 2)
        if not kind.startswith("_"):
            found.append((kind, fmt))
    return found


def test_every_shipped_template_is_covered() -> None:
    kinds = {kind for kind, _ in _shipped()}
    assert kinds == {"decision", "pathway", "referral", "ruleset", "ruleset_summary", "serve"}
    assert {fmt for _, fmt in _shipped()} <= set(TEMPLATE_FORMATS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_every_template_renders_every_valid_decision(drawn: tuple[Case, Any]) -> None:
    case, override = drawn
    decision = BUNDLED.assess(case, override=override)
    shipped = _shipped()
    for kind, fmt in shipped:
        if kind == "decision":
            for notes in (False, True):
                out = render_decision(decision, BUNDLED, fmt, include_notes=notes)
                assert isinstance(out, str) and out
                if not notes:
                    assert NOTE not in out and SOURCE not in out
            assert NOTE not in render_decision(decision, None, fmt)
        elif kind == "referral":
            assert render_referral(case, decision, BUNDLED, fmt)
        elif kind == "serve":  # rhrt serve's page, with this decision as its result
            from rhrt.serve.page import render_page

            page = render_page(BUNDLED, case=case, decision=decision)
            assert f"Level {decision.level}: " in page
        elif kind == "pathway":
            for rec in decision.pathways:
                out = render_pathway(rec.id, BUNDLED, fmt, decision=decision)
                assert out and NOTE not in out
    assert render_decision(decision, BUNDLED, "json")


def test_ruleset_documents_render() -> None:
    for kind, fmt in _shipped():
        if kind in ("ruleset", "ruleset_summary"):
            assert render_ruleset(BUNDLED, fmt, summary=kind == "ruleset_summary")


def test_source_without_note_renders_with_notes(tmp_path: Path, capsys: Any) -> None:
    """Regression: an indicator with a ``source`` and no ``note`` crashed the text templates
    (TypeError in ``indent``) under ``--include-notes`` and ``render --template decision``."""
    case_file = tmp_path / "case.yaml"
    case_file.write_text(
        "child: {age_years: 5}\nindicators:\n  - id: inadequate-diet\n    source: school\n"
    )
    for fmt in TEMPLATE_FORMATS:
        assert main(["assess", str(case_file), "--include-notes", "--format", fmt]) == 0
        assert "school" in capsys.readouterr().out
        assert main(["render", str(case_file), "--template", "decision", "--format", fmt]) == 0
        capsys.readouterr()


HOSTILE_TEMPLATES = {
    "attribute": "{% for n in decision.notes %}{{ n.note }}{% endfor %}",
    "dict": "{{ decision.dict() }}",
    "copy": "{{ decision.copy().notes }}",
    "dump": "{{ decision.model_dump() }}",
    "record": "{{ decision.to_record(include_notes=True) }}",
    "dunder": "{{ decision.__dict__ }}",
    "iterate": "{% for k, v in decision %}{{ k }}={{ v }};{% endfor %}",
    "context": "{{ notes }}",
}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydantic's .dict()/.copy()
@pytest.mark.parametrize("name", sorted(HOSTILE_TEMPLATES))
def test_own_template_cannot_reach_notes_without_include_notes(tmp_path: Path, name: str) -> None:
    """A partnership's own decision template sees a decision without notes unless notes were
    asked for, whichever way it reaches for them."""
    case = BUNDLED.validate_case(
        {"child": {"age_years": 4}, "indicators": [{"id": "inadequate-diet", "note": NOTE}]}
    )
    decision = BUNDLED.assess(case)
    assert decision.notes  # the decision itself keeps them (records leave them out)
    for fmt in TEMPLATE_FORMATS:
        (tmp_path / f"decision.{fmt}.j2").write_text(HOSTILE_TEMPLATES[name])
        try:
            out = render_decision(decision, BUNDLED, fmt, templates_dir=tmp_path)
        except rhrt.errors.RhrtError:
            continue  # refused by the sandbox: fine too
        assert NOTE not in out
        shown = render_decision(decision, BUNDLED, fmt, templates_dir=tmp_path, include_notes=True)
        if name == "attribute":
            assert NOTE in shown  # asked for: shown

# SPDX-License-Identifier: MIT
"""Output safety: hostile notes and ruleset text cannot become markup, links or template code,
and templates cannot reach Python internals.

Notes are typed by practitioners and pasted from emails: untrusted text that ends up in HTML
pages, Markdown documents and terminals. A ruleset is more trusted but may come from another
partnership, and a partnership may supply its own templates (``templates_dir``), which run in
jinja2's sandbox.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rhrt
from rhrt import render
from rhrt.errors import RhrtError

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"

HOSTILE_NOTES = [
    "<script>alert('note')</script>",
    '<img src=x onerror="alert(1)">',
    "</span></li></ul><h1>forged heading</h1>",
    "{{ 'ab' * 3 }} {{ ''.__class__.__mro__ }} {% for x in range(3) %}LOOP{% endfor %}",
    "{# comment #}${{ config }}",
    "[click me](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    "![img](javascript:alert(2))",
    "<javascript:alert(3)>",
    "# Forged heading\n\n---\n* forged list item\n> forged quote",
    "| table | injection |\n|---|---|",
    "line one\n\n## second heading",
    "\x1b[2J\x1b[31mterminal escape\x07",
    "\u202eevil bidi override",
]

ALL_NOTES = "\n".join(HOSTILE_NOTES)

# A live Markdown link/autolink to a dangerous scheme, or a live raw HTML tag: the bracket or
# angle bracket is not escaped with a backslash.
MD_LINK = re.compile(
    r"(?<!\\)\]\(\s*<?\s*(javascript|data|vbscript):|(?<!\\)<(javascript|data):", re.I
)
MD_RAW_TAG = re.compile(r"(?<!\\)<\s*(script|img|iframe|h1|span|b)\b", re.I)


@pytest.fixture(scope="module")
def rs() -> rhrt.Ruleset:
    return rhrt.load_ruleset(MINIMAL)


def hostile_case(note: str = ALL_NOTES) -> dict[str, Any]:
    return {
        "child": {"age_months": 3},
        "indicators": [
            {"id": "bruise", "note": note, "source": "<b>school</b> [x](javascript:y)"},
            {"id": "poor-diet", "note": note},
        ],
        "assessment_date": "2024-05-01",
    }


OVERRIDE = {"level": 3, "reason": "<script>alert('reason')</script> {{ 'cd' * 3 }}", "role": "SW"}


def _outputs(rs: rhrt.Ruleset, fmt: str) -> list[str]:
    case = rs.validate_case(hostile_case())
    decision = rs.assess(case, override=OVERRIDE)
    out = [render.render_decision(decision, rs, fmt, case=case, include_notes=True)]
    if hasattr(render, "render_referral"):
        out.append(render.render_referral(case, decision, rs, fmt))
    return out


def _no_template_evaluation(text: str) -> None:
    assert "ababab" not in text and "cdcdcd" not in text  # {{ 'ab' * 3 }} not evaluated
    assert "LOOPLOOP" not in text  # the loop did not run
    assert "__mro__" in text or "&#95;&#95;mro" in text or "\\_\\_mro" in text  # shown as text


def test_html_escapes_hostile_notes(rs: rhrt.Ruleset) -> None:
    for html in _outputs(rs, "html"):
        assert "forged heading" in html or "forged&nbsp;heading" in html  # the note is shown
        lowered = html.lower()
        assert "<script" not in lowered
        assert "<img" not in lowered
        assert "onerror=" not in lowered.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
        assert "<h1>forged" not in lowered
        assert not re.search(r"""href\s*=\s*["']?\s*(javascript|data):""", lowered)
        assert "&lt;script&gt;" in html
        assert "\x1b" not in html
        _no_template_evaluation(html)


def test_markdown_escapes_hostile_notes(rs: rhrt.Ruleset) -> None:
    for md in _outputs(rs, "markdown"):
        # Escaped (backslashed) brackets and angle brackets are literal text in Markdown.
        assert not MD_LINK.search(md), MD_LINK.search(md)
        assert not MD_RAW_TAG.search(md), MD_RAW_TAG.search(md)
        for line in md.splitlines():
            # A note never starts a line of its own markup: headings, rules, lists, quotes.
            assert not line.startswith(("# Forged", "## second", "---\n", "> forged", "* forged"))
            assert not line.startswith("| table")
        assert "\x1b" not in md
        _no_template_evaluation(md)


def test_text_strips_terminal_escapes_and_bidi_overrides(rs: rhrt.Ruleset) -> None:
    for text in _outputs(rs, "text"):
        assert "\x1b" not in text and "\x07" not in text
        assert "\u202e" not in text
        assert "terminal escape" in text
        _no_template_evaluation(text)


def test_notes_are_left_out_of_rendered_decisions_unless_asked(rs: rhrt.Ruleset) -> None:
    marker = "Marker-Private-Note-5521"
    decision = rs.assess(hostile_case(marker))
    for fmt in ("text", "markdown", "html", "json"):
        assert marker not in render.render_decision(decision, rs, fmt)
        assert marker in render.render_decision(decision, rs, fmt, include_notes=True)


def test_hostile_ruleset_text_is_escaped_too() -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace(
        "{id: paediatric, title: Urgent paediatric assessment, what: w,",
        '{id: paediatric, title: "<script>alert(9)</script>", '
        "what: \"{{ 'ab' * 3 }} [go](javascript:alert(1)) <iframe src=x>\",",
    )
    text = text.replace(
        "mash: {name: MASH, how: Telephone}",
        'mash: {name: "<b>MASH</b>", how: Telephone, url: "javascript:alert(1)"}',
    )
    ruleset = rhrt.ruleset_from_text(text)
    decision = ruleset.assess({"child": {"age_months": 2}, "indicators": ["bruise"]})
    assert "paediatric" in decision.pathway_ids
    html = render.render_decision(decision, ruleset, "html")
    md = render.render_decision(decision, ruleset, "markdown")
    assert "<script" not in html.lower() and "<iframe" not in html.lower()
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", html.lower())
    assert not MD_LINK.search(md) and not MD_RAW_TAG.search(md)
    for out in (html, md, render.render_decision(decision, ruleset, "text")):
        assert "ababab" not in out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [*"<>&\"'`[](){}#*_!|\\:-=\n ", "javascript:", "{{", "}}", "{%", "%}", "script"]
        ),
        max_size=40,
    ).map("".join)
)
def test_any_note_renders_without_markup_or_links(note: str) -> None:
    ruleset = rhrt.load_ruleset(MINIMAL)
    decision = ruleset.assess({"indicators": [{"id": "bruise", "note": note}]})
    html = render.render_decision(decision, ruleset, "html", include_notes=True)
    md = render.render_decision(decision, ruleset, "markdown", include_notes=True)
    assert "<script" not in html.lower()
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", html.lower())
    assert not MD_LINK.search(md)


# -- the sandbox -------------------------------------------------------------------------------

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ decision.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ self._TemplateReference__context }}",
    "{{ range.__self__ }}",
    "{{ ''.format.__self__.__class__ }}",
    "{% set x = namespace() %}{{ x.__class__.__base__.__subclasses__() }}",
    "{{ decision.model_config.__class__.__subclasses__() }}",
    "{{ decision.__dict__ }}",
    "{{ [].append.__self__.__class__.__mro__ }}",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_partnership_templates_cannot_reach_python_internals(
    source: str, rs: rhrt.Ruleset, tmp_path: Path
) -> None:
    (tmp_path / "decision.html.j2").write_text(f"<p>{source}</p>", encoding="utf-8")
    decision = rs.assess({"indicators": ["bruise"]})
    try:
        out = render.render_decision(decision, rs, "html", templates_dir=tmp_path)
    except RhrtError as exc:
        assert "template" in str(exc)
        return
    # If the sandbox quietly yielded nothing instead, nothing internal may show.
    for leak in ("<class", "subclasses", "function", "module", "uid=", "__builtins__", "Popen"):
        assert leak not in out, out


def test_the_template_environment_is_sandboxed() -> None:
    from jinja2.sandbox import SandboxedEnvironment

    for fmt in ("text", "markdown", "html"):
        env = render.environment(fmt)
        assert isinstance(env, SandboxedEnvironment)
    assert render.environment("html").autoescape


def test_a_bad_partnership_template_is_an_rhrt_error(rs: rhrt.Ruleset, tmp_path: Path) -> None:
    decision = rs.assess({})
    (tmp_path / "decision.html.j2").write_text("{% for %}", encoding="utf-8")
    with pytest.raises(RhrtError, match=r"decision\.html\.j2"):
        render.render_decision(decision, rs, "html", templates_dir=tmp_path)
    (tmp_path / "decision.html.j2").write_text("{{ no_such_variable }}", encoding="utf-8")
    with pytest.raises(RhrtError, match="no_such_variable"):
        render.render_decision(decision, rs, "html", templates_dir=tmp_path)

# SPDX-License-Identifier: MIT
"""Rendered decisions and referral summaries: order, content, escaping, sandbox, overrides.

Case notes are untrusted text. The hostile-note tests put script tags, links, template syntax,
Markdown structure and terminal escapes into notes and check that every format shows them as
inert text.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rhrt
from rhrt._text import clean
from rhrt.cli import main
from rhrt.render import (
    TEMPLATE_FORMATS,
    TemplateRenderError,
    escape_markdown,
    render_decision,
    render_referral,
    render_template,
    safe_url,
)

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"
HOSTILE = (
    "<script>alert('x')</script> <img src=x onerror=alert(1)> "
    "[click](javascript:alert(1)) <javascript:alert(2)> "
    "{{ 'pwn' ~ 'ed' }} {% raw %} {%- set x = 1 %} "
    "**bold** _it_ `code` &lt;b&gt; | a | b |\n# Heading\n- item\n1. one\n> quote\n"
    "\x1b[31mred\x1b[0m \u202eevil"
)


@pytest.fixture(scope="module")
def rs() -> rhrt.Ruleset:
    return rhrt.load_ruleset(MINIMAL)


@pytest.fixture(scope="module")
def hostile_case(rs: rhrt.Ruleset) -> rhrt.Case:
    return rs.validate_case(
        {
            "reference": "<b>REF</b>",
            "child": {"age_years": 9},
            "measures": {"dash_score": 15},
            "indicators": [
                {"id": "da-incidents", "note": HOSTILE, "source": "<i>police</i> {{ x }}"},
                {"id": "poor-diet", "note": "no breakfast"},
            ],
            "referral_source": "school",
            "consent": "given",
        }
    )


def _md_to_html(text: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark").enable("table").enable("strikethrough")
    return str(md.render(text))


# -- order and content -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", TEMPLATE_FORMATS)
def test_sections_are_in_practitioner_order(rs: rhrt.Ruleset, fmt: str) -> None:
    decision = rs.assess({"indicators": ["da-incidents"], "measures": {"dash_score": 20}})
    text = render_decision(decision, rs, fmt)
    marks = [
        "Level 4: Acute" if fmt != "text" else "LEVEL 4: Acute",
        "Why",
        "What to do",
        "Consent",
        "supports, and does not replace, professional judgement",
        decision.ruleset.sha256,
    ]
    positions = [text.index(mark) for mark in marks]
    assert positions == sorted(positions), (fmt, positions)
    assert "A DASH score of 14 or more is high risk." in text
    assert "MARAC referral" in text
    assert decision.consent.applies in text.replace("\n", " ") or fmt == "text"


def test_text_mentions_missing_information(rs: rhrt.Ruleset) -> None:
    decision = rs.assess({"indicators": ["da-incidents"]})
    text = render_decision(decision, rs, "text")
    assert "Not recorded" in text and "dash_score" in text


def test_notes_only_when_asked(rs: rhrt.Ruleset, hostile_case: rhrt.Case) -> None:
    decision = rs.assess(hostile_case)
    for fmt in TEMPLATE_FORMATS:
        assert "no breakfast" not in render_decision(decision, rs, fmt)
        assert "no breakfast" in render_decision(decision, rs, fmt, include_notes=True)
    assert "no breakfast" not in render_decision(decision, rs, "json")
    assert "no breakfast" in render_decision(decision, rs, "json", include_notes=True)


def test_decision_from_another_ruleset_is_refused(rs: rhrt.Ruleset) -> None:
    other = rhrt.load_ruleset()
    decision = other.assess({})
    with pytest.raises(TemplateRenderError, match="render it with the ruleset that made it"):
        render_decision(decision, rs, "text")


def test_decision_renders_without_its_ruleset(rs: rhrt.Ruleset) -> None:
    decision = rs.assess({"indicators": ["poor-diet"]})
    text = render_decision(decision, None, "markdown")
    assert text.startswith("# Level 2: Early help")
    assert "Early help" in text and decision.statement in text


# -- hostile notes ---------------------------------------------------------------------------


def test_html_shows_hostile_notes_as_text(rs: rhrt.Ruleset, hostile_case: rhrt.Case) -> None:
    decision = rs.assess(hostile_case)
    for page in (
        render_referral(hostile_case, decision, rs, "html"),
        render_decision(decision, rs, "html", include_notes=True),
    ):
        assert "<script" not in page and "<img" not in page and "<i>" not in page
        assert "&lt;script&gt;alert(" in page
        assert "href=\"javascript" not in page.lower()
        assert "{{ &#39;pwn&#39; ~ &#39;ed&#39; }}" in page and "pwned" not in page
        assert "\x1b" not in page and "\u202e" not in page
    referral = render_referral(hostile_case, decision, rs, "html")
    assert "&lt;b&gt;REF&lt;/b&gt;" in referral


def test_markdown_neutralises_hostile_notes(rs: rhrt.Ruleset, hostile_case: rhrt.Case) -> None:
    decision = rs.assess(hostile_case)
    for text in (
        render_referral(hostile_case, decision, rs, "markdown"),
        render_decision(decision, rs, "markdown", include_notes=True),
    ):
        assert "{{" not in text and "{%" not in text and "pwned" not in text
        html = _md_to_html(text)
        assert "<script" not in html and "<img" not in html and "<i>" not in html
        assert "javascript:" not in text.lower()  # the scheme is broken in the Markdown
        assert "href" not in html.lower()
        assert not re.search(r"<a\s", html), "no link from user text"
        assert "<h1>Heading" not in html and "<blockquote>\n<p>quote" not in html
        assert "<strong>bold</strong>" not in html and "<code>code</code>" not in html
        assert "\x1b" not in text and "\u202e" not in text
        # the note is still all there, as text
        assert "alert(&#x27;x&#x27;)" in html or "alert('x')" in html
        assert "{{" in html and "pwn" in html


def test_text_strips_terminal_escapes(rs: rhrt.Ruleset, hostile_case: rhrt.Case) -> None:
    decision = rs.assess(hostile_case)
    text = render_referral(hostile_case, decision, rs, "text")
    assert "\x1b" not in text and "\u202e" not in text
    assert "red" in text and "[31m" not in text  # the whole sequence goes, the words stay
    assert "{{ 'pwn' ~ 'ed' }}" in text and "pwned" not in text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_escaped_markdown_renders_as_exactly_the_text(value: str) -> None:
    """Whatever a note says, Markdown shows those characters and no markup."""
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark")
    rendered = md.render(f"- Note: {escape_markdown(value)}\n")
    assert rendered.count("<li>") == 1
    assert not re.search(r"<(?!/?(ul|li|p)>)", rendered), rendered
    match = re.fullmatch(r"<ul>\n<li>Note:(.*)</li>\n</ul>\n", rendered, re.DOTALL)
    assert match is not None, rendered
    shown = html.unescape(match.group(1))
    # controls go first (rhrt's one sanitiser, tested in test_terminal_safety), then lines join
    visible = clean(value, multiline=True)
    expected = re.sub(r"\s*\n\s*", " / ", visible.strip().replace("\t", " "))
    # CommonMark replaces NUL and normalises some whitespace; compare the visible characters
    assert shown.split() == expected.replace("\x00", "\ufffd").split()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.org/a(b)", True),
        ("http://example.org", True),
        ("mailto:mash@example.org", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//evil.example", False),
        ("https://exa mple.org", False),
        ("https:///nohost", False),
        (None, False),
        # regression: format characters the old hand-written list missed (a tag character, a
        # musical format character) no longer pass as part of a link
        ("https://example.org/\U000e0001x", False),
        ("https://example.org/\U0001d173", False),
        ("https://example.org/\u202e", False),
    ],
)
def test_only_http_and_mailto_urls_become_links(url: str | None, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


def test_a_javascript_url_in_a_ruleset_is_never_a_link(tmp_path: Path) -> None:
    text = MINIMAL.read_text().replace(
        "test: {title: Test source, standing: other-partnership}",
        "test: {title: Test source, url: 'javascript:alert(1)', standing: other-partnership}",
    )
    bad = rhrt.ruleset_from_text(text)
    decision = bad.assess({"indicators": ["poor-diet"]})
    for fmt in TEMPLATE_FORMATS:
        out = render_decision(decision, bad, fmt)
        assert "Test source" in out
        assert "javascript" not in out.lower()


# -- sandbox and partnership templates --------------------------------------------------------


def test_partnership_template_overrides_rhrt_own(rs: rhrt.Ruleset, tmp_path: Path) -> None:
    (tmp_path / "decision.text.j2").write_text(
        "HEREFORDSHIRE: level {{ level.number }} {{ level.name }}\n{{ statement }}\n"
    )
    decision = rs.assess({"indicators": ["poor-diet"]})
    out = render_decision(decision, rs, "text", templates_dir=tmp_path)
    assert out.startswith("HEREFORDSHIRE: level 2 Early help\n")
    # formats the partnership did not override still use rhrt's templates
    assert render_decision(decision, rs, "markdown", templates_dir=tmp_path).startswith("# Level 2")


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ decision.__class__ }}",
        "{{ decision.model_dump() }}",
        "{{ decision.to_json(include_notes=True) }}",
    ],
)
def test_templates_run_in_a_sandbox(rs: rhrt.Ruleset, tmp_path: Path, source: str) -> None:
    (tmp_path / "decision.text.j2").write_text(source)
    decision = rs.assess({})
    with pytest.raises(TemplateRenderError):
        render_decision(decision, rs, "text", templates_dir=tmp_path)


def test_a_misspelt_variable_is_an_error_not_an_empty_section(
    rs: rhrt.Ruleset, tmp_path: Path
) -> None:
    (tmp_path / "decision.markdown.j2").write_text("{{ decison.level }}")
    with pytest.raises(TemplateRenderError, match=r"decision\.markdown\.j2 failed"):
        render_decision(rs.assess({}), rs, "markdown", templates_dir=tmp_path)
    (tmp_path / "decision.html.j2").write_text("{% if %}")
    with pytest.raises(TemplateRenderError, match="line 1"):
        render_decision(rs.assess({}), rs, "html", templates_dir=tmp_path)


def test_missing_templates_and_folders_are_clear_errors(rs: rhrt.Ruleset, tmp_path: Path) -> None:
    with pytest.raises(TemplateRenderError, match="not found"):
        render_template("nothing-here.text.j2", "text", {}, templates_dir=tmp_path)
    with pytest.raises(TemplateRenderError, match="templates folder not found"):
        render_decision(rs.assess({}), rs, "text", templates_dir=tmp_path / "nope")


# -- referral summary ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", TEMPLATE_FORMATS)
def test_referral_groups_concerns_by_domain_with_notes(
    rs: rhrt.Ruleset, fmt: str
) -> None:
    case = rs.validate_case(
        {
            "reference": "CASE-42",
            "child": {"age_years": 9},
            "measures": {"dash_score": 16},
            "consent": "refused",
            "indicators": [
                {"id": "poor-diet", "note": "No breakfast most days", "source": "school"},
                {"id": "da-incidents", "note": "Police attended twice", "source": "police"},
                {"id": "missed-checks"},
            ],
        }
    )
    decision = rs.assess(case)
    out = render_referral(case, decision, rs, fmt)
    for expected in (
        "CASE-42", "9 years old", "No breakfast most days", "Police attended twice", "school",
        "police", "DASH score", "16", "Acute", "A DASH score of 14 or more is high risk.",
        "MARAC referral", "MASH referral", decision.consent.applies.split(".")[0], "refused",
    ):
        assert expected in out, expected
    # grouped by domain, in ruleset order: Child (diet, checks) before Parenting (DA)
    child, parenting = out.index("Child"), out.index("Parenting")
    assert child < out.index("No breakfast") < parenting < out.index("Police attended")
    assert out.index("Missed health checks") < parenting


def test_referral_shows_an_override(rs: rhrt.Ruleset) -> None:
    case = rs.validate_case({"indicators": ["danger"]})
    decision = rs.assess(
        case, override={"level": 3, "reason": "Child now safe with grandparent", "role": "DSL"}
    )
    out = render_referral(case, decision, rs, "text")
    assert "MANAGEMENT REVIEW REQUIRED" in out and "Child now safe with grandparent" in out


def test_the_referral_view_never_assesses(
    rs: rhrt.Ruleset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: the referral renders the decision it is given; it no longer assesses a case
    when given None (the decision a referral reports must be the one that was recorded)."""
    case = rs.validate_case({"indicators": ["danger"]})
    decision = rs.assess(case)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("render_referral assessed the case")

    monkeypatch.setattr(type(rs), "assess", refuse)
    assert "danger" in render_referral(case, decision, rs, "text").lower()
    with pytest.raises(rhrt.ArgumentError, match="render_referral needs it"):
        render_referral(case, None, rs, "text")  # type: ignore[arg-type]


# -- command line ----------------------------------------------------------------------------


@pytest.fixture()
def case_file(tmp_path: Path) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(
        "child: {age_years: 9}\nmeasures: {dash_score: 16}\n"
        "indicators:\n  - {id: da-incidents, note: '<script>x</script>', source: police}\n"
    )
    return path


@pytest.mark.parametrize(
    ("fmt", "start"), [("text", "LEVEL 4: Acute"), ("markdown", "# Level 4: Acute"),
                       ("html", "<!DOCTYPE html>")]
)
def test_cli_assess_formats(
    case_file: Path, capsys: pytest.CaptureFixture[str], fmt: str, start: str
) -> None:
    assert main(["assess", str(case_file), "--rules", str(MINIMAL), "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert out.startswith(start)
    assert "<script>" not in out


def test_cli_render_referral(case_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", str(case_file), "--rules", str(MINIMAL), "--template", "referral"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Referral summary (draft): level 4, Acute")
    assert "\\<script\\>x\\</script\\>" in out
    assert main(["render", str(case_file), "--rules", str(MINIMAL), "--format", "html"]) == 0
    assert "&lt;script&gt;x&lt;/script&gt;" in capsys.readouterr().out


def test_cli_render_with_partnership_templates(
    case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "local"
    folder.mkdir()
    (folder / "letter.text.j2").write_text(
        "Dear colleague, level {{ final_level.number }}."
        "{% for dom in concern_domains %} {{ dom.title }}{% endfor %}\n"
    )
    args = ["render", str(case_file), "--rules", str(MINIMAL), "--template", "letter",
            "--format", "text", "--templates", str(folder)]
    assert main(args) == 0
    assert capsys.readouterr().out == "Dear colleague, level 4. Parenting\n"
    assert main([*args[:-2], "--templates", str(tmp_path / "missing")]) == 2
    assert "templates folder not found" in capsys.readouterr().err


def test_cli_override_is_shown(case_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["assess", str(case_file), "--rules", str(MINIMAL), "--override-level", "3",
            "--override-reason", "Risk now managed by MARAC", "--override-role", "social worker"]
    assert main(args) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("LEVEL 4: Acute")
    assert any("PROFESSIONAL JUDGEMENT: level 3" in line for line in lines[:8])
    assert out.index("MANAGEMENT REVIEW REQUIRED") < out.index("Why")
    # a partial override is refused, never silently dropped
    assert main(args[:-2]) == 2
    assert "override" in capsys.readouterr().err


# -- notebooks and terminals -----------------------------------------------------------------


def test_repr_html_for_notebooks(rs: rhrt.Ruleset) -> None:
    decision = rs.assess(
        {"indicators": [{"id": "poor-diet", "note": "<script>n</script>"}]},
        override={"level": 3, "reason": "<b>worried</b>", "role": "GP"},
    )
    html = decision._repr_html_()
    assert html.lstrip().startswith("<style>") and "<html" not in html
    assert "Level 2: Early help" in html and "Professional judgement recorded: level 3" in html
    assert "&lt;b&gt;worried&lt;/b&gt;" in html and "<script>" not in html
    summary = rs._repr_html_()
    assert "minimal-test" in summary and rs.stamp.sha256[:16] in summary
    assert summary.count("<tr>") == 5  # header + four levels


def test_rich_rendering_when_installed(rs: rhrt.Ruleset) -> None:
    rich_console = pytest.importorskip("rich.console")
    console = rich_console.Console(width=100, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(rs.assess({"indicators": ["poor-diet"]}))
    console.print(rs)
    text = console.export_text()
    assert "Level 2: Early help" in text and "Minimal test ruleset" in text


def test_import_rhrt_stays_light() -> None:
    import subprocess

    code = (
        "import sys, rhrt; rhrt.load_ruleset; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jinja2', 'rich')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

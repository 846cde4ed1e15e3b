# SPDX-License-Identifier: MIT
"""Escaping: the one place that says how untrusted text is made safe for where it goes.

Why: case notes are typed by practitioners and pasted from emails and other systems, and
rulesets and tables can hold any characters, so every value is *untrusted text* that ends up in
terminals, Markdown documents, HTML pages and spreadsheets. One module per destination rule,
each tested on its own, and every output path (templates, audit and what-if reports, batch
CSV files) uses these functions rather than its own.

- **Terminal and plain text** (also the first step of every other format): :func:`clean`
  (:mod:`rhrt._text`, the one sanitiser, which ``rhrt.errors`` uses too) drops terminal escape
  sequences, C0/C1 controls, bidi overrides and isolates and zero-width characters, and keeps
  a value on one line; :func:`clean_text` is the same keeping line breaks and tabs.
  :func:`json_text` escapes the same characters inside JSON text (both by Unicode category:
  ``rhrt._text.UNSAFE_CATEGORIES``).
- **Markdown in templates**: :func:`escape_markdown` escapes Markdown *and* HTML special
  characters, line-start markers and line breaks, so a note can never become a heading, a link,
  raw HTML or a ``javascript:`` URL; only text built by rhrt itself (:class:`MdSafe`) passes
  through. In plain text, only rhrt's own multi-line layout (:class:`TextBlock`) may span lines.
- **Markdown in reports** (audit, what-if): :func:`escape_report_markdown`, the narrower rule
  those reports have always used for headings, paragraphs and table cells (one line, ``|``
  and the link, emphasis, code and heading characters escaped). It is kept separate from
  :func:`escape_markdown` so that reports stay byte-identical (issue 13); report text is made
  by rhrt from ids, numbers and column names, never from case notes.
- **HTML**: templates are autoescaped by jinja2 (markupsafe); reports use :func:`escape_html`
  (the standard library's, which writes quotes as ``&quot;``/``&#x27;``). Both make any text
  inert; they differ only in how they spell an escaped quote, and each output keeps its own.
- **URLs**: :func:`safe_url` lets only absolute ``http``, ``https`` and ``mailto`` URLs become
  links.
- **CSV** (spreadsheets): :func:`csv_safe_text` cleans a cell and puts a ``'`` before one that
  begins with a formula sign, control or whitespace character (:data:`FORMULA_START`); the
  vectorised form for whole tables is ``rhrt.batch._output.csv_safe``, which applies this rule.

Template syntax inside a value (``{{ ... }}``) is data, never evaluated: values are only ever
*substituted* into templates, never compiled.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from rhrt._text import clean, has_unsafe, json_text

__all__ = [
    "FORMULA_START",
    "SAFE_URL_SCHEMES",
    "MdSafe",
    "TextBlock",
    "as_text",
    "clean",
    "clean_text",
    "csv_safe_text",
    "escape_html",
    "escape_markdown",
    "escape_report_markdown",
    "json_text",
    "number_text",
    "safe_url",
]

SAFE_URL_SCHEMES = frozenset({"http", "https", "mailto"})


class MdSafe(str):
    """Markdown built by rhrt itself (headings, links with checked URLs): not escaped again.

    Anything else interpolated into a Markdown template is escaped, so user text can only
    become Markdown *markup* by passing through rhrt code that marks it so.
    """

    __slots__ = ()


class TextBlock(str):
    """Plain text laid out over several lines by rhrt itself (already cleaned): kept as is.

    Any other value interpolated into a plain-text template is cleaned onto one line.
    """

    __slots__ = ()


# -- text and Markdown -------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|<>~&])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([-+=:#])|(\d+)([.)])(?=\s|$))")
_TEMPLATE_PERCENT = re.compile(r"(?<=\{)%|%(?=\\\})")
_WHITESPACE_RUN = re.compile(r"\s*\n\s*")
_JS_SCHEME = re.compile(r"(?i)(java|vb)(script)\s*:")


def number_text(value: float) -> str:
    """A number exactly as it was read: the shortest decimal that reads back as the same float,
    never in exponent form, without a trailing ``.0`` (``6``, ``0.5``, ``12.9999999``).
    ``f"{v:g}"`` keeps six significant figures: it showed an age of 5.9999999 months as
    "6 months old" beside a decision that the child is under 6 months."""
    from decimal import Decimal

    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    text = format(Decimal(repr(float(value))), "f")
    return text[:-2] if text.endswith(".0") else text


def as_text(value: object) -> str:
    """A template value as text: ``None`` is empty, a float exactly (:func:`number_text`)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def clean_text(value: str) -> str:
    """Drop control characters (terminal escapes) and bidi overrides; keep newlines and tabs."""
    return clean(value, multiline=True)


def escape_markdown(value: str) -> str:
    """Make untrusted text inert in Markdown: it renders as exactly the characters typed.

    Backslash-escapes the punctuation that makes links, images, raw HTML, entities, emphasis,
    code, tables and template syntax (``[ ] < > & * _ ` | ~ { } \\``; CommonMark allows escaping
    any ASCII punctuation, and without ``[`` or ``<`` no link can form), joins lines with ``/``
    so text cannot start a heading, list, quote or code block, escapes a leading list, heading or
    underline marker, and breaks the ``javascript:`` scheme so no Markdown processor (or
    linkifier) can turn it into a link.
    """
    text = clean_text(value).replace("\t", " ")
    text = _WHITESPACE_RUN.sub(" / ", text.strip())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _TEMPLATE_PERCENT.sub(r"\\%", text)  # no "{%" or "%}" for a later template engine
    text = _MD_LINE_START.sub(_escape_line_start, text)
    return _JS_SCHEME.sub(r"\1\2\\:", text)


def _escape_line_start(match: re.Match[str]) -> str:
    lead, marker, digits, punct = match.groups()
    if marker:
        return f"{lead}\\{marker}"
    return f"{lead}{digits}\\{punct}"


def escape_report_markdown(text: str) -> str:
    """Text for a report's Markdown heading, paragraph or table cell (audit, what-if): one
    line (:func:`clean`), with ``\\ | * _ ` [ ] < > #`` backslash-escaped."""
    text = clean(text).replace("\\", "\\\\").replace("|", "\\|")
    for ch in "*_`[]<>#":
        text = text.replace(ch, "\\" + ch)
    return text


# -- HTML and URLs -----------------------------------------------------------------------------


def escape_html(text: str, *, quote: bool = True) -> str:
    """Text for a report's HTML element or attribute: ``& < > " '`` as character references.

    Reports clean their values first where they come from a table (:func:`clean`); templates
    use jinja2's autoescaping instead (see the module docstring).
    """
    import html  # here: only reports need it (its entity table costs every start-up)

    return html.escape(text, quote=quote)


def safe_url(value: object) -> str | None:
    """The URL if it is an absolute http(s) or mailto URL without spaces or controls, else None.

    Why: ruleset URLs are shown as links; a ``javascript:`` or ``data:`` URL (from a careless or
    hostile ruleset) must never become one.
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or has_unsafe(url) or any(ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_URL_SCHEMES:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return url


# -- CSV ---------------------------------------------------------------------------------------

FORMULA_START = "=+-@" + "".join(
    map(
        chr,
        (
            *range(0x00, 0x21),  # C0 controls (tab, LF, CR…; U+001C-U+001F are spaces too), space
            *range(0x7F, 0xA1),  # DEL, C1 controls (NEL U+0085 is a space too), no-break space
            0x1680,  # Ogham space mark
            *range(0x2000, 0x200B),  # en quad … hair space
            0x2028,  # line separator
            0x2029,  # paragraph separator
            0x202F,  # narrow no-break space
            0x205F,  # medium mathematical space
            0x3000,  # ideographic space
        ),
    )
)
"""Characters a CSV cell may not begin with: the formula signs, and every control (Unicode
``Cc``) and whitespace (``str.isspace``) character (tab, CR, LF, NUL, space, no-break space,
U+2028…), which spreadsheets strip or skip before looking for a formula sign (see
``rhrt.batch._output`` for why). Listed rather than computed: finding them among the code points
cost every ``rhrt assess`` about 2 ms at import, for a constant only CSV output reads
(``tests/test_csv_formula_start.py`` checks the list against that definition over every code
point)."""

_FORMULA_STARTS = frozenset(FORMULA_START)


def csv_safe_text(text: str) -> str:
    """One CSV text cell (or column name): cleaned onto one line (:func:`clean`), then with a
    ``'`` before it if it begins with a character of :data:`FORMULA_START`, which spreadsheets
    show as text rather than run as a formula."""
    text = clean(text)
    return "'" + text if text and text[0] in _FORMULA_STARTS else text

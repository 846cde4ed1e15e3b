# SPDX-License-Identifier: MIT
"""Render decisions, pathways, referral summaries and rulesets for people.

Why jinja2 templates: what a practitioner reads (the wording, the order, the local contact
details) belongs to the partnership, not to the code. Every output is a template, and a
partnership overrides any of them by putting a file of the same name in its own folder
(``templates_dir=`` / ``--templates DIR``): the folder is searched first, then rhrt's own
``render/templates``. No code changes, no fork.

Why so careful with escaping: case notes are typed by practitioners and pasted from emails and
other systems, so they are *untrusted text* that ends up in HTML pages, Markdown documents and
terminals. Therefore

- templates run in jinja2's :class:`~jinja2.sandbox.SandboxedEnvironment` (a partnership's
  template cannot reach Python internals) with :class:`~jinja2.StrictUndefined` (a misspelt
  variable is an error, not a silently empty section);
- HTML is autoescaped, and only ``http``, ``https`` and ``mailto`` URLs become links;
- Markdown output escapes every interpolated value (Markdown *and* HTML special characters,
  line-start markers, line breaks), so a note can never become a heading, a link, raw HTML or a
  ``javascript:`` URL — only text built by rhrt itself (:class:`MdSafe`) is passed through;
- every value passes :func:`rhrt._text.clean` (terminal escape sequences, C0/C1 controls,
  bidi overrides and isolates, zero-width characters removed); in plain text a value stays on
  one line unless a template deliberately lays it out over several (``indent``, ``wordwrap``,
  or a rendered pathway), so no value can forge a line such as "PROFESSIONAL JUDGEMENT".

Template syntax inside a note (``{{ ... }}``) is data, never evaluated: values are only ever
*substituted* into templates, never compiled.

Output order, for practitioners: level and name first, then a professional override (with any
management review), then why, then what to do, then consent, then the statement that rhrt
supports and does not replace professional judgement, then the ruleset id, version and hash.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, urlsplit

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from rhrt._text import clean
from rhrt.errors import RhrtError
from rhrt.model import decision as d
from rhrt.model.standing import SHORT_LABELS
from rhrt.rules.semantics import MEASURE_WORDS, number_words

if TYPE_CHECKING:
    from rhrt.model import ruleset as m
    from rhrt.model.case import Case
    from rhrt.rules.lint import Finding
    from rhrt.ruleset import Ruleset

FORMATS = ("text", "json", "markdown", "html")
"""Formats of ``rhrt assess --format``."""
TEMPLATE_FORMATS = ("text", "markdown", "html")
"""Formats rendered through templates (JSON is the record itself)."""
DOCUMENT_FORMATS = ("markdown", "html")
"""Formats of the ruleset document (``rhrt docs``)."""
TEMPLATES_DIR = Path(__file__).parent / "templates"
"""rhrt's own templates (the fallback after a partnership's folder)."""
SAFE_URL_SCHEMES = frozenset({"http", "https", "mailto"})


class TemplateRenderError(RhrtError):
    """A template is missing, invalid, or failed (e.g. a misspelt variable in an override).

    The message names the template and the problem, never case values; it is one line (a
    template or folder name holding a line break cannot start a line of its own).
    """

    def __str__(self) -> str:
        return clean(str(self.args[0]) if self.args else "")


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


# -- escaping --------------------------------------------------------------------------------

_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]"
)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|<>~&])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([-+=:#])|(\d+)([.)])(?=\s|$))")
_TEMPLATE_PERCENT = re.compile(r"(?<=\{)%|%(?=\\\})")
_WHITESPACE_RUN = re.compile(r"\s*\n\s*")
_JS_SCHEME = re.compile(r"(?i)(java|vb)(script)\s*:")


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


def safe_url(value: object) -> str | None:
    """The URL if it is an absolute http(s) or mailto URL without spaces or controls, else None.

    Why: ruleset URLs are shown as links; a ``javascript:`` or ``data:`` URL (from a careless or
    hostile ruleset) must never become one.
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or _CONTROL.search(url) or any(ch.isspace() for ch in url):
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


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _finalize_text(value: object) -> str:
    if isinstance(value, TextBlock):
        return value
    return clean(_as_text(value))


def _indent_text(value: object, width: int | str = 4, first: bool = False, blank: bool = False
                 ) -> TextBlock:
    """jinja's ``indent`` for plain text: cleaned, and ``None`` (an absent note) is empty."""
    return TextBlock(
        jinja2.filters.do_indent(clean(_as_text(value), multiline=True), width, first, blank)
    )


@jinja2.pass_environment
def _wordwrap_text(env: jinja2.Environment, value: object, *args: Any, **kwargs: Any
                   ) -> TextBlock:
    """jinja's ``wordwrap`` for plain text: one cleaned paragraph (line breaks in the value
    become `` / ``, so only the wrapping, indented by ``wrapstring``, starts new lines), and
    ``None`` is empty."""
    text = value if isinstance(value, TextBlock) else clean(_as_text(value))
    wrapstring = kwargs.get("wrapstring")
    if wrapstring is not None:
        kwargs["wrapstring"] = clean(wrapstring, multiline=True)
    return TextBlock(jinja2.filters.do_wordwrap(env, text, *args, **kwargs))


def _finalize_markdown(value: object) -> str:
    if isinstance(value, MdSafe):
        return value
    return escape_markdown(_as_text(value))


def _finalize_html(value: object) -> object:
    if isinstance(value, Markup):
        return value
    return clean_text(_as_text(value))


# -- format-aware helpers available in every template ------------------------------------------


def _link_text(text: object, url: object) -> str:
    target = safe_url(url)
    label = clean(_as_text(text))
    return f"{label} <{target}>" if target and target != label else label


def _link_markdown(text: object, url: object) -> MdSafe:
    target = safe_url(url)
    label = escape_markdown(_as_text(text))
    if target is None:
        return MdSafe(label)
    encoded = quote(target, safe=":/?#@!$&'*+,;=%~.-_")
    encoded = encoded.replace("(", "%28").replace(")", "%29")
    return MdSafe(f"[{label}]({encoded})")


def _link_html(text: object, url: object) -> Markup:
    target = safe_url(url)
    label = clean(_as_text(text))
    if target is None:
        return Markup("{0}").format(label)
    return Markup('<a href="{0}" rel="noopener noreferrer">{1}</a>').format(target, label)


def _heading_markdown(depth: int) -> MdSafe:
    return MdSafe("#" * max(1, min(int(depth), 6)))


def _heading_other(depth: int) -> str:
    return ""


_FINALIZERS: dict[str, Callable[[object], object]] = {
    "text": _finalize_text,
    "markdown": _finalize_markdown,
    "html": _finalize_html,
}
_LINKS: dict[str, Callable[[object, object], str]] = {
    "text": _link_text,
    "markdown": _link_markdown,
    "html": _link_html,
}


class _Environment(SandboxedEnvironment):
    """The sandbox, plus refusing pydantic's own machinery (``model_*`` methods).

    Templates read data; they have no business calling ``model_copy`` or ``model_dump`` (which
    could, for example, dump notes into a page that was meant to leave them out).
    """

    _blocked: ClassVar[tuple[str, ...]] = ("model_", "to_", "from_", "json", "mro")

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith(self._blocked):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))


@lru_cache(maxsize=32)
def _standing_label(standing: object) -> str:
    """A few words for a source's standing (``''`` for the partnership's own material, which
    needs no qualifier, or for an unknown value)."""
    for value, label in SHORT_LABELS.items():
        if standing == value:
            return "" if value == "partnership" else label
    return ""


def _environment(fmt: str, templates_dir: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        loaders.append(jinja2.FileSystemLoader(templates_dir))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES_DIR)))
    env = _Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=fmt == "html",
        undefined=jinja2.StrictUndefined,
        finalize=_FINALIZERS[fmt],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["link"] = _LINKS[fmt]
    env.globals["heading"] = _heading_markdown if fmt == "markdown" else _heading_other
    env.globals["fmt"] = fmt
    env.globals["standing_label"] = _standing_label
    env.filters["safe_url"] = safe_url
    env.filters["md"] = escape_markdown
    if fmt == "text":
        env.filters["indent"] = _indent_text
        env.filters["wordwrap"] = _wordwrap_text
    return env


def environment(fmt: str, templates_dir: str | Path | None = None) -> jinja2.Environment:
    """The (cached, thread-safe) template environment for one output format.

    Args:
        fmt: ``text``, ``markdown`` or ``html``.
        templates_dir: a partnership's folder of templates, searched before rhrt's own.
    """
    if fmt not in TEMPLATE_FORMATS:
        raise TemplateRenderError(
            f"unknown format '{fmt}' (choose from {', '.join(TEMPLATE_FORMATS)})"
        )
    folder = None
    if templates_dir is not None:
        path = Path(templates_dir)
        if not path.is_dir():
            raise TemplateRenderError(f"templates folder not found: {path}")
        folder = str(path.resolve())
    return _environment(fmt, folder)


def missing_templates(
    model: m.RulesetModel, templates_dir: str | Path | None = None
) -> list[Finding]:
    """A ``missing-template`` error for each pathway whose ``template:`` names a file that is
    in neither ``templates_dir`` nor rhrt's own templates, in any of the template formats.

    Why at validation: such a pathway breaks the rendering of every decision that recommends
    it, which would otherwise only show when a child's case needs it.
    """
    from rhrt.rules.lint import Finding

    folders = [Path(templates_dir)] if templates_dir is not None else []
    folders.append(TEMPLATES_DIR)
    out = []
    for n, pathway in enumerate(model.pathways):
        if pathway.template is None:
            continue
        for fmt in TEMPLATE_FORMATS:
            name = template_name(pathway.template, fmt)
            if not any((folder / name).is_file() for folder in folders):
                where = "the templates folder or " if templates_dir is not None else ""
                out.append(
                    Finding(
                        "missing-template",
                        f"pathway '{pathway.id}' names template '{clean(pathway.template)}', but "
                        f"{clean(name)} is not in {where}rhrt's own templates",
                        "error",
                        f"pathways[{n}].template",
                    )
                )
    return out


def template_name(kind: str, fmt: str) -> str:
    """The file name of a template: ``<kind>.<fmt>.j2`` (e.g. ``referral.markdown.j2``)."""
    return f"{kind}.{fmt}.j2"


def render_template(
    names: str | Sequence[str],
    fmt: str,
    context: Mapping[str, Any],
    *,
    templates_dir: str | Path | None = None,
) -> str:
    """Render the first template found among ``names`` (each already ending in ``.j2``).

    Raises:
        TemplateRenderError: no such template, a syntax error, an undefined variable, or an
            unsafe operation in the sandbox.
    """
    env = environment(fmt, templates_dir)
    wanted = [names] if isinstance(names, str) else list(names)
    try:
        template = env.select_template(wanted)
        return template.render(dict(context))
    except jinja2.TemplatesNotFound:
        raise TemplateRenderError(
            f"template not found: {' or '.join(wanted)} (looked in "
            f"{'the templates folder, then ' if templates_dir else ''}rhrt's own templates)"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateRenderError(
            f"template {exc.name or wanted[0]} line {exc.lineno}: {exc.message}"
        ) from None
    except (jinja2.UndefinedError, jinja2.exceptions.SecurityError) as exc:
        raise TemplateRenderError(f"template {wanted[0]} failed: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise TemplateRenderError(
            f"template {wanted[0]} failed ({type(exc).__name__})"
        ) from None


# -- views: what templates see ---------------------------------------------------------------


def _contact_view(model: m.RulesetModel, contact_id: str | None) -> dict[str, Any] | None:
    if contact_id is None or contact_id not in model.contacts:
        return None
    c = model.contacts[contact_id]
    return {"id": contact_id, "name": c.name, "how": c.how, "hours": c.hours, "url": c.url}


def _source_view(model: m.RulesetModel, ref: m.SourceRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    src = model.sources.get(ref.ref)
    section = ref.section or (str(ref.page) if ref.page is not None else None)
    return {
        "ref": ref.ref,
        "title": src.title if src else ref.ref,
        "publisher": src.publisher if src else None,
        "url": src.url if src else None,
        "standing": src.standing if src else None,
        "standing_label": SHORT_LABELS[src.standing] if src else None,
        "section": section,
        "quote": ref.quote,
        "note": ref.note,
    }


def pathway_view(
    pathway: m.Pathway, model: m.RulesetModel, why: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """A pathway as templates see it: what to do, who to contact, by when, consent, gather."""
    return {
        "id": pathway.id,
        "title": pathway.title,
        "what": pathway.what,
        "timescale": pathway.timescale,
        "consent": pathway.consent,
        "gather": list(pathway.gather),
        "contact": _contact_view(model, pathway.contact),
        "source": _source_view(model, pathway.source),
        "template": pathway.template,
        "why": list(why),
    }


def _recommendation_view(
    rec: d.PathwayRecommendation, why: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """A pathway as templates see it, from the guidance the decision carries (the same keys as
    :func:`pathway_view`), so a decision shows the same content with or without its ruleset."""
    contact = rec.contact
    source = rec.source
    return {
        "id": rec.id,
        "title": rec.title,
        "what": rec.what,
        "timescale": rec.timescale,
        "consent": rec.consent,
        "gather": list(rec.gather),
        "contact": None
        if contact is None
        else {
            "id": contact.id,
            "name": contact.name,
            "how": contact.how,
            "hours": contact.hours,
            "url": contact.url,
        },
        "source": None
        if source is None
        else {
            "ref": source.ref,
            "title": source.title,
            "publisher": None,
            "url": source.url,
            "standing": source.standing,
            "standing_label": SHORT_LABELS[source.standing],
            "section": source.section,
            "quote": None,
            "note": None,
        },
        "template": None,
        "why": list(why),
    }


def _level_view(
    model: m.RulesetModel | None,
    number: int,
    name: str | None = None,
    response: str | None = None,
) -> dict[str, Any]:
    if response is not None:  # the decision carries it: the same with or without the ruleset
        return {"number": number, "name": name, "description": None, "response": response}
    if model is not None:
        for lv in model.levels:
            if lv.level == number:
                return {
                    "number": lv.level,
                    "name": lv.name,
                    "description": lv.description,
                    "response": lv.response,
                }
    name = name or f"Level {number}"
    return {"number": number, "name": name, "description": None, "response": None}


def _why_views(
    rec: d.PathwayRecommendation, decision: d.Decision, model: m.RulesetModel | None
) -> list[dict[str, Any]]:
    because = {r.id: r.because for r in decision.explanation.rules}
    out = []
    for reason in rec.why:
        if reason.startswith("level-") and reason[6:].isdigit():
            number = int(reason[6:])
            level = _level_view(
                model, number, decision.level_name if number == decision.level else None
            )
            text = f"Recommended at level {level['number']} ({level['name']})"
        else:
            text = because.get(reason, reason)
        out.append({"id": reason, "text": text})
    return out


def _check_stamp(decision: d.Decision, ruleset: Ruleset | None) -> None:
    if ruleset is not None and ruleset.stamp != decision.ruleset:
        raise TemplateRenderError(
            f"the decision was made with ruleset {decision.ruleset.id} {decision.ruleset.version} "
            f"(sha256 {decision.ruleset.sha256[:12]}), not {ruleset.id} {ruleset.version} "
            f"(sha256 {ruleset.stamp.sha256[:12]}): render it with the ruleset that made it"
        )


def _pathway_names(pathway_id: str, template: str | None, fmt: str) -> list[str]:
    if template is not None:
        return [template_name(template, fmt)]
    return [template_name(f"pathway-{pathway_id}", fmt), template_name("pathway", fmt)]


def _wrap(text: str, fmt: str) -> str:
    if fmt == "html":
        return Markup(text)
    if fmt == "markdown":
        return MdSafe(text)
    return TextBlock(text)


def _without_notes(decision: d.Decision) -> d.Decision:
    """The decision as a template may see it when notes were not asked for: no notes at all.

    Why a copy rather than a blocked attribute: a partnership's own template can reach a
    pydantic model's data many ways (``decision.notes``, ``.dict()``, ``.copy()``, iteration);
    a decision that holds no notes cannot leak them by any of them.
    """
    if not decision.notes:
        return decision
    return decision.model_copy(update={"notes": ()})


def decision_context(
    decision: d.Decision,
    ruleset: Ruleset | None = None,
    fmt: str = "text",
    *,
    include_notes: bool = False,
    templates_dir: str | Path | None = None,
    fragment: bool = False,
) -> dict[str, Any]:
    """Everything the decision templates see (documented in docs/pathways.md)."""
    _check_stamp(decision, ruleset)
    if not include_notes:
        decision = _without_notes(decision)
    model = ruleset.model if ruleset is not None else None
    from rhrt.rules.plain import rule_conditions

    conditions = rule_conditions(model) if model is not None else {}
    by_id = {p.id: p for p in model.pathways} if model is not None else {}
    base = {"decision": decision, "stamp": decision.ruleset, "fragment": fragment}
    pathways = []
    for rec in decision.pathways:
        why = _why_views(rec, decision, model)
        pw = by_id.get(rec.id)
        if rec.what is not None:  # the decision carries the guidance
            view = _recommendation_view(rec, why)
            if pw is not None:
                view["template"] = pw.template
        elif pw is not None and model is not None:  # a record from before it did
            view = pathway_view(pw, model, why)
        else:
            view = {"id": rec.id, "title": rec.title, "why": why, "template": None}
        if rec.what is not None or pw is not None:
            view["rendered"] = _wrap(
                render_template(
                    _pathway_names(rec.id, view["template"], fmt),
                    fmt,
                    {**base, "pathway": view, "depth": 3, "standalone": False},
                    templates_dir=templates_dir,
                ),
                fmt,
            )
        else:
            view["rendered"] = None
        pathways.append(view)
    rules = [
        {**r.model_dump(), "condition": r.condition or conditions.get(r.id)}
        for r in decision.explanation.rules
    ]
    override = decision.override
    return {
        **base,
        "level": _level_view(
            model, decision.level, decision.level_name, decision.level_response
        ),
        "final_level": _level_view(
            model, decision.final_level, override.level_name if override else decision.level_name
        ),
        "override": override,
        "management_review": bool(override and override.management_review),
        "urgent": decision.urgent,
        "warnings": decision.warnings,
        "explanation": decision.explanation,
        "indicators": decision.explanation.indicators,
        "rules": rules,
        "pathways": pathways,
        "consent": decision.consent,
        "notes": decision.notes if include_notes else (),
        "statement": decision.statement,
        "ruleset_title": ruleset.title if ruleset is not None else None,
    }


# -- public rendering functions --------------------------------------------------------------


def render_decision(
    decision: d.Decision,
    ruleset: Ruleset | None = None,
    fmt: str = "text",
    *,
    case: Case | None = None,
    include_notes: bool = False,
    templates_dir: str | Path | None = None,
    fragment: bool = False,
) -> str:
    """A decision for people (text, Markdown, HTML) or as its JSON record.

    Args:
        ruleset: the ruleset that made the decision: optional, since the decision carries
            each pathway's guidance; given, it is checked against the decision's stamp, its
            pathway templates are used, and older records without guidance get it from there.
        case: unused by the built-in templates; accepted so callers can pass it uniformly.
        include_notes: show practitioners' free-text notes (personal data); off by default.
        fragment: HTML only: a ``<div>`` without the page around it (notebooks, portals).
    """
    del case
    if fmt == "json":
        return decision.to_json(include_notes=include_notes)
    context = decision_context(
        decision,
        ruleset,
        fmt,
        include_notes=include_notes,
        templates_dir=templates_dir,
        fragment=fragment,
    )
    name = template_name("decision", fmt)
    return render_template(name, fmt, context, templates_dir=templates_dir)


def render_pathway(
    pathway: str | m.Pathway,
    ruleset: Ruleset,
    fmt: str = "text",
    *,
    decision: d.Decision | None = None,
    templates_dir: str | Path | None = None,
) -> str:
    """One pathway's guidance on its own: what to do, who to contact, by when, consent, gather.

    With ``decision``, also why it applies to this case. The pathway's own ``template`` is used
    when the ruleset names one, else ``pathway-<id>.<fmt>.j2`` if a partnership provides it,
    else the generic ``pathway.<fmt>.j2``.
    """
    model = ruleset.model
    if isinstance(pathway, str):
        found = next((p for p in model.pathways if p.id == pathway), None)
        if found is None:
            from rhrt.errors import suggest

            hint = suggest(pathway, [p.id for p in model.pathways])
            raise TemplateRenderError(
                f"unknown pathway '{pathway[:80]}'" + (f"; did you mean '{hint}'?" if hint else "")
            )
        pathway = found
    why: list[dict[str, Any]] = []
    if decision is not None:
        _check_stamp(decision, ruleset)
        rec = next((r for r in decision.pathways if r.id == pathway.id), None)
        if rec is not None:
            why = _why_views(rec, decision, model)
    context = {
        "decision": None if decision is None else _without_notes(decision),
        "stamp": ruleset.stamp,
        "fragment": False,
        "pathway": pathway_view(pathway, model, why),
        "depth": 1,
        "standalone": True,
    }
    return render_template(
        _pathway_names(pathway.id, pathway.template, fmt), fmt, context, templates_dir=templates_dir
    )


def _age_words(case: Case) -> str:
    child = case.child
    if child.unborn:
        if child.gestation_weeks is not None:
            return f"unborn ({child.gestation_weeks:g} weeks' gestation)"
        return "unborn"
    months = case.age_in_months()
    if months is None:
        return "age not recorded"
    if months < 24:
        return f"{months:g} months old"
    years, rest = divmod(int(months), 12)
    return f"{years} years old" if rest == 0 else f"{years} years {rest} months old"


def referral_context(
    case: Case,
    decision: d.Decision,
    ruleset: Ruleset,
    fmt: str = "text",
    *,
    templates_dir: str | Path | None = None,
) -> dict[str, Any]:
    """The decision context plus the case's concerns grouped by domain, notes and measures."""
    context = decision_context(
        decision, ruleset, fmt, include_notes=True, templates_dir=templates_dir
    )
    model = ruleset.model
    catalogue = ruleset.catalogue
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in case.indicators:
        ind = catalogue.get(item.id)
        sub_title = None
        if ind.subdomain is not None:
            dom = catalogue.domain(ind.domain)
            sub_title = next((s.title for s in dom.subdomains if s.id == ind.subdomain), None)
        groups.setdefault(ind.domain, []).append(
            {
                "id": ind.id,
                "text": ind.text,
                "level": ind.level,
                "subdomain": sub_title,
                "topics": [catalogue.domain_title(t) for t in ind.topics],  # titles
                "note": item.note,
                "source": item.source,
            }
        )
    domains = [
        {"id": dom.id, "title": dom.title, "concerns": groups[dom.id]}
        for dom in model.domains
        if dom.id in groups
    ]
    measures_by_id = {ms.id: ms for ms in model.measures}
    measures = [
        {
            "id": name,
            "title": measures_by_id[name].title if name in measures_by_id else name,
            "value": value,
            "unit": measures_by_id[name].unit if name in measures_by_id else "",
        }
        for name, value in case.measures.items()
    ]
    context.update(
        {
            "case_reference": case.reference,
            "child_age": _age_words(case),
            "assessment_date": case.assessment_date,
            "referral_source": case.referral_source,
            "concern_domains": domains,
            "measures": measures,
            "consent_recorded": case.consent,
        }
    )
    return context


def render_referral(
    case: Case,
    decision: d.Decision | None,
    ruleset: Ruleset,
    fmt: str = "text",
    *,
    templates_dir: str | Path | None = None,
    template: str = "referral",
) -> str:
    """Draft content for a multi-agency referral form (MARF), to check and paste.

    Concerns grouped by domain with the practitioner's notes and sources, measures, the level
    and why, the consent position and the pathways. It includes free-text notes: it is meant
    for the referral itself, not for storage.
    """
    if decision is None:
        decision = ruleset.assess(case)
    context = referral_context(case, decision, ruleset, fmt, templates_dir=templates_dir)
    return render_template(template_name(template, fmt), fmt, context, templates_dir=templates_dir)


def ruleset_context(ruleset: Ruleset) -> dict[str, Any]:
    """The ruleset document's view: metadata, levels, domains with indicators, rules, pathways."""
    from rhrt.rules.plain import describe_outcome, describe_safety, rule_conditions

    model = ruleset.model
    titles = {p.id: p.title for p in model.pathways}
    conditions = rule_conditions(model)
    domain_titles = {dom.id: dom.title for dom in model.domains}

    def indicator(ind: m.Indicator) -> dict[str, Any]:
        return {
            "id": ind.id,
            "level": ind.level,
            "text": ind.text,
            "tags": list(ind.tags),
            "topics": [domain_titles.get(t, t) for t in ind.topics],
            "domain": ind.domain,
            "subdomain": ind.subdomain,
            "source": _source_view(model, ind.source),
        }

    domains = []
    for dom in model.domains:
        primary = [i for i in model.indicators if i.domain == dom.id]
        sections: list[dict[str, Any]] = []
        for sub in dom.subdomains:
            inds = sorted((i for i in primary if i.subdomain == sub.id), key=lambda i: i.level)
            sections.append(
                {"id": sub.id, "title": sub.title, "indicators": [indicator(i) for i in inds]}
            )
        loose = sorted((i for i in primary if i.subdomain is None), key=lambda i: i.level)
        if loose or not dom.subdomains:
            sections.insert(
                0, {"id": None, "title": None, "indicators": [indicator(i) for i in loose]}
            )
        also = [indicator(i) for i in model.indicators if dom.id in i.topics]
        domains.append(
            {
                "id": dom.id,
                "title": dom.title,
                "kind": dom.kind,
                "description": dom.description,
                "levels": list(dom.levels),
                "sections": sections,
                "also": sorted(also, key=lambda i: i["level"]),
            }
        )
    rules = [
        {
            "id": rule.id,
            "because": rule.because,
            "condition": conditions[rule.id],
            "outcome": describe_outcome(rule.then, model),
            "source": _source_view(model, rule.source),
        }
        for rule in model.rules
    ]
    safety = [
        {
            "id": "safety.immediate-danger",
            "because": model.safety.immediate_danger.because,
            "text": describe_safety(model.safety.immediate_danger, model, immediate=True),
        },
        {
            "id": "safety.allegation",
            "because": model.safety.allegation.because,
            "text": describe_safety(model.safety.allegation, model, immediate=False),
        },
    ]
    levels = [
        {
            "number": lv.level,
            "name": lv.name,
            "description": lv.description,
            "response": lv.response,
            "consent": lv.consent,
            "pathways": [titles.get(p, p) for p in lv.pathways],
            "indicator_count": sum(1 for i in model.indicators if i.level == lv.level),
        }
        for lv in model.levels
    ]
    return {
        "info": model.ruleset,
        "stamp": ruleset.stamp,
        "levels": levels,
        "domains": domains,
        "tags": model.tags,
        "measures": [
            {
                "id": ms.id,
                "title": ms.title,
                "unit": ms.unit,
                "min": ms.min,
                "max": ms.max,
                "description": ms.description,
                "source": _source_view(model, ms.source),
                "implies": [
                    {
                        "indicator": imp.indicator,
                        "words": MEASURE_WORDS[imp.comparison[0]].format(
                            v=number_words(imp.comparison[1])
                        ),
                        "source": _source_view(model, imp.source),
                    }
                    for imp in ms.implies
                ],
            }
            for ms in model.measures
        ],
        "safety": safety,
        "rules": rules,
        "pathways": [pathway_view(p, model) for p in model.pathways],
        "contacts": [_contact_view(model, c) for c in model.contacts],
        "sources": [
            {
                "ref": ref,
                **src.model_dump(mode="json"),
                "standing_label": SHORT_LABELS[src.standing],
            }
            for ref, src in model.sources.items()
        ],
        "counts": {
            "indicators": len(model.indicators),
            "rules": len(model.rules),
            "pathways": len(model.pathways),
            "domains": len(model.domains),
        },
        "fragment": False,
    }


def render_ruleset(
    ruleset: Ruleset,
    fmt: str = "markdown",
    *,
    templates_dir: str | Path | None = None,
    summary: bool = False,
) -> str:
    """A ruleset as a readable Levels of Need document (``rhrt docs``), or a short summary.

    The document is deterministic (no dates or times), so ``docs/framework.md`` can be checked
    against the bundled YAML in tests.
    """
    if fmt not in DOCUMENT_FORMATS and not summary:
        raise TemplateRenderError(f"unknown document format '{fmt}' (choose markdown or html)")
    context = ruleset_context(ruleset)
    name = "ruleset_summary" if summary else "ruleset"
    context["fragment"] = summary
    return render_template(template_name(name, fmt), fmt, context, templates_dir=templates_dir)


# -- notebooks and terminals -----------------------------------------------------------------


def decision_html(decision: d.Decision) -> str:
    """An HTML fragment for Jupyter (``Decision._repr_html_``)."""
    return render_decision(decision, None, "html", fragment=True)


def ruleset_html(ruleset: Ruleset) -> str:
    """An HTML summary for Jupyter (``Ruleset._repr_html_``): identity, counts, levels."""
    return render_ruleset(ruleset, "html", summary=True)


def rich_markdown(text: str) -> Any:
    """A rich renderable of rhrt's Markdown output, or the plain text when rich is missing."""
    try:
        from rich.markdown import Markdown
    except ImportError:
        return text
    return Markdown(text)


def decision_rich(decision: d.Decision) -> Any:
    """``Decision.__rich__``: the Markdown rendering shown by rich, text when rich is absent."""
    return rich_markdown(render_decision(decision, None, "markdown"))


def ruleset_rich(ruleset: Ruleset) -> Any:
    """``Ruleset.__rich__``: the summary in Markdown for rich."""
    return rich_markdown(render_ruleset(ruleset, "markdown", summary=True))


def decision_schema() -> dict[str, Any]:
    """The JSON Schema of decision records, as published in ``docs/decision.schema.json``."""
    schema = d.Decision.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$comment"] = (
        "Generated by `rhrt docs --schema` from rhrt.model.decision.Decision; do not edit."
    )
    return schema


def decision_schema_json() -> str:
    """:func:`decision_schema` as deterministic JSON text (sorted keys, trailing newline)."""
    import json

    return json.dumps(decision_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


__all__ = [
    "DOCUMENT_FORMATS",
    "FORMATS",
    "TEMPLATES_DIR",
    "TEMPLATE_FORMATS",
    "MdSafe",
    "TemplateRenderError",
    "clean_text",
    "decision_context",
    "decision_schema",
    "decision_schema_json",
    "environment",
    "escape_markdown",
    "pathway_view",
    "referral_context",
    "render_decision",
    "render_pathway",
    "render_referral",
    "render_ruleset",
    "render_template",
    "ruleset_context",
    "safe_url",
]

# SPDX-License-Identifier: MIT
"""The template environment: the jinja2 sandbox, the format-aware helpers every template sees,
and template lookup (a partnership's folder first, then rhrt's own).

Why jinja2 templates: what a practitioner reads (the wording, the order, the local contact
details) belongs to the partnership, not to the code. Every output is a template, and a
partnership overrides any of them by putting a file of the same name in its own folder
(``templates_dir=`` / ``--templates DIR``): the folder is searched first, then rhrt's own
``render/templates``. No code changes, no fork.

Why so careful (the escaping rules themselves are in :mod:`rhrt.render.escape`):

- templates run in jinja2's :class:`~jinja2.sandbox.SandboxedEnvironment` (a partnership's
  template cannot reach Python internals, nor pydantic's ``model_*`` machinery) with
  :class:`~jinja2.StrictUndefined` (a misspelt variable is an error, not a silently empty
  section);
- HTML is autoescaped, and only ``http``, ``https`` and ``mailto`` URLs become links;
- Markdown output escapes every interpolated value (:func:`~rhrt.render.escape.escape_markdown`)
  except text built by rhrt itself (:class:`~rhrt.render.escape.MdSafe`);
- every value passes :func:`rhrt._text.clean`; in plain text a value stays on one line unless a
  template deliberately lays it out over several (``indent``, ``wordwrap``, or a rendered
  pathway), so no value can forge a line such as "PROFESSIONAL JUDGEMENT".

Failures are :class:`rhrt.errors.TemplateRenderError`, naming the template, never case values.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from functools import lru_cache
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from rhrt._text import clean
from rhrt.errors import TemplateRenderError
from rhrt.model.standing import SHORT_LABELS
from rhrt.render.escape import MdSafe, TextBlock, as_text, clean_text, escape_markdown, safe_url

if TYPE_CHECKING:
    from rhrt.model import ruleset as m
    from rhrt.rules.lint import Finding

__all__ = [
    "TEMPLATES_DIR",
    "TEMPLATE_FORMATS",
    "environment",
    "missing_templates",
    "render_template",
    "rendered",
    "template_name",
]

TEMPLATE_FORMATS = ("text", "markdown", "html")
"""Formats rendered through templates (JSON is the record itself)."""
TEMPLATES_DIR = Path(__file__).parent / "templates"
"""rhrt's own templates (the fallback after a partnership's folder)."""


# -- what each format does with a value ------------------------------------------------------


def _finalize_text(value: object) -> str:
    if isinstance(value, TextBlock):
        return value
    return clean(as_text(value))



def _indent_text(value: object, width: int | str = 4, first: bool = False, blank: bool = False
                 ) -> TextBlock:
    """jinja's ``indent`` for plain text: cleaned, and ``None`` (an absent note) is empty."""
    return TextBlock(
        jinja2.filters.do_indent(clean(as_text(value), multiline=True), width, first, blank)
    )


@jinja2.pass_environment
def _wordwrap_text(env: jinja2.Environment, value: object, *args: Any, **kwargs: Any
                   ) -> TextBlock:
    """jinja's ``wordwrap`` for plain text: one cleaned paragraph (line breaks in the value
    become `` / ``, so only the wrapping, indented by ``wrapstring``, starts new lines), and
    ``None`` is empty."""
    text = value if isinstance(value, TextBlock) else clean(as_text(value))
    wrapstring = kwargs.get("wrapstring")
    if wrapstring is not None:
        kwargs["wrapstring"] = clean(wrapstring, multiline=True)
    return TextBlock(jinja2.filters.do_wordwrap(env, text, *args, **kwargs))


def _finalize_markdown(value: object) -> str:
    if isinstance(value, MdSafe):
        return value
    return escape_markdown(as_text(value))


def _finalize_html(value: object) -> object:
    if isinstance(value, Markup):
        return value
    return clean_text(as_text(value))


# -- format-aware helpers available in every template ------------------------------------------


def _link_text(text: object, url: object) -> str:
    target = safe_url(url)
    label = clean(as_text(text))
    return f"{label} <{target}>" if target and target != label else label


def _link_markdown(text: object, url: object) -> MdSafe:
    target = safe_url(url)
    label = escape_markdown(as_text(text))
    if target is None:
        return MdSafe(label)
    encoded = quote(target, safe=":/?#@!$&'*+,;=%~.-_")
    encoded = encoded.replace("(", "%28").replace(")", "%29")
    return MdSafe(f"[{label}]({encoded})")


def _link_html(text: object, url: object) -> Markup:
    target = safe_url(url)
    label = clean(as_text(text))
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


def _standing_label(standing: object) -> str:
    """A few words for a source's standing (``''`` for the partnership's own material, which
    needs no qualifier, or for an unknown value)."""
    for value, label in SHORT_LABELS.items():
        if standing == value:
            return "" if value == "partnership" else label
    return ""


class _BuiltinLoader(jinja2.FileSystemLoader):
    """rhrt's own templates, each taken precompiled (``rhrt.render._compiled``) when it is the
    source that was compiled, for this format and this jinja2 version; otherwise compiled as any
    loader would.

    Why: compiling a template (parsing, generating Python, compiling that) was the largest
    single cost of a first ``rhrt assess`` after the imports (issue 17). The precompiled
    modules are the Python jinja2 itself generates for the same source in the same environment
    (``scripts/compile_templates.py``; ``tests/test_compiled_templates.py`` regenerates them and
    compares); their byte code is cached by Python like any module's. A template that differs
    from what was compiled (edited, or a partnership's own) is compiled from its source, so the
    output never depends on whether a precompiled form was used. Nothing is written at run time.
    """

    def __init__(self, fmt: str) -> None:
        super().__init__(str(TEMPLATES_DIR))
        self.fmt = fmt

    def load(
        self,
        environment: jinja2.Environment,
        name: str,
        globals: MutableMapping[str, Any] | None = None,
    ) -> jinja2.Template:
        if environment.bytecode_cache is not None:  # never set by rhrt; keep jinja2's own path
            return super().load(environment, name, globals)
        source, filename, uptodate = self.get_source(environment, name)
        code = _precompiled(name, self.fmt, source)
        if code is None:
            code = environment.compile(source, name, filename)
        template = environment.template_class.from_code(
            environment, code, {} if globals is None else globals, uptodate
        )
        template.filename = filename  # the template's file, as when compiled here
        return template


def _precompiled(name: str, fmt: str, source: str) -> CodeType | None:
    """The code jinja2 would compile ``source`` (template ``name``, format ``fmt``) to, from
    ``rhrt.render._compiled``, or None when no module was compiled from exactly this source,
    for this format, with this jinja2 version."""
    from rhrt.render import _compiled

    entry = _compiled.TEMPLATES.get(name)
    if entry is None or entry[0] != fmt or jinja2.__version__ != _compiled.JINJA2_VERSION:
        return None
    if hashlib.sha256(source.encode("utf-8")).hexdigest() != entry[2]:
        return None
    # The module's code, through Python's own source loader: its byte code is cached in
    # __pycache__ as any module's is (nothing else is written, and only by Python).
    # In _compiled/code/, not a package: template code needs its environment to run, so
    # nothing that imports every module of rhrt may find it (scripts/compile_templates.py).
    fullname = f"{_compiled.__name__}.{entry[1]}"
    path = str(Path(_compiled.__file__).with_name("code") / f"{entry[1]}.py")
    code = importlib.machinery.SourceFileLoader(fullname, path).get_code(fullname)
    return code if isinstance(code, CodeType) else None


@lru_cache(maxsize=32)
def _environment(fmt: str, templates_dir: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        loaders.append(jinja2.FileSystemLoader(templates_dir))
    loaders.append(_BuiltinLoader(fmt))
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



def rendered(text: str, fmt: str) -> str:
    """Text rhrt has already rendered for ``fmt`` (e.g. a pathway inside a decision), marked so
    the enclosing template keeps it as it is rather than escaping it again."""
    if fmt == "html":
        return Markup(text)
    if fmt == "markdown":
        return MdSafe(text)
    return TextBlock(text)

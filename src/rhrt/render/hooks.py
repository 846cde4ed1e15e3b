# SPDX-License-Identifier: MIT
"""Notebook and terminal display: what ``Decision._repr_html_``/``__rich__`` and
``Ruleset._repr_html_``/``__rich__`` show.

Why here and registered, not imported by the model: ``rhrt.model`` is the bottom layer and must
not depend on rendering (nor load jinja2 on ``import rhrt``). ``Decision``'s hooks ask
:mod:`rhrt.model.display` for a renderer; the ruleset façade (``rhrt.ruleset``, above this
layer) registers :func:`show_decision` there, importing this module only when a decision is
first displayed. See CONTRIBUTING.md ("Display hooks").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rhrt.render.decision import render_decision
from rhrt.render.ruleset import render_ruleset

if TYPE_CHECKING:
    from rhrt.model import decision as d
    from rhrt.ruleset import Ruleset

__all__ = [
    "decision_html",
    "decision_rich",
    "rich_markdown",
    "ruleset_html",
    "ruleset_rich",
    "show_decision",
]


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


def show_decision(decision: d.Decision, kind: str) -> Any:
    """The display hook registered for ``Decision``: ``kind`` is ``html`` or ``rich``."""
    return decision_html(decision) if kind == "html" else decision_rich(decision)

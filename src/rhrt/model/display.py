# SPDX-License-Identifier: MIT
"""Where a Decision's notebook and terminal display (``_repr_html_``, ``__rich__``) come from.

Why a registry: the model is the bottom layer and must not import the renderer (the layering is
enforced by import-linter; see CONTRIBUTING.md, "Display hooks"), yet a Decision shown in
Jupyter or by rich should look like the rendered decision. So the model only asks this module
for "the display of this decision", and the layer that knows both (the ruleset façade,
``rhrt.ruleset``, imported by ``import rhrt``) registers the renderer with :func:`register`.
The renderer it registers imports ``rhrt.render`` (and jinja2) only when a decision is first
displayed, so ``import rhrt`` stays light.

Shape: a renderer is ``(decision, kind) -> object`` with ``kind`` ``"html"`` (a ``str`` of HTML
for ``_repr_html_``) or ``"rich"`` (a rich renderable, or text without rich).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["register", "show"]

_renderer: Callable[[Any, str], Any] | None = None


def register(renderer: Callable[[Any, str], Any]) -> None:
    """Make ``renderer`` the display of every Decision (the last one registered wins)."""
    global _renderer
    _renderer = renderer


def show(decision: Any, kind: str) -> Any:
    """The registered display of ``decision`` as ``kind``, or None when none is registered
    (Jupyter then falls back to the decision's ``repr``)."""
    return None if _renderer is None else _renderer(decision, kind)

# SPDX-License-Identifier: MIT
"""The practitioners' page as HTML (``serve.html.j2``): the case form and, after an
assessment, the decision in the order a practitioner reads it, a draft referral and the record.

Rendering only (no web framework): the decision's content comes from rhrt's renderers
(``decision_context``, ``render_referral``), the form from :mod:`rhrt.serve._form`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rhrt.errors import RhrtError
from rhrt.model.case import Case
from rhrt.model.decision import SUPPORTS_JUDGEMENT, Decision
from rhrt.ruleset import Ruleset
from rhrt.serve import _form, _render


def problem(exc: RhrtError) -> dict[str, Any]:
    """An error as the page and the API show it: its kind, field path and message (rhrt's
    messages never hold a case value)."""
    path = getattr(exc, "path", None)
    return {"error": type(exc).__name__, "path": path or None, "message": str(exc)}


def ruleset_info(ruleset: Ruleset) -> dict[str, Any]:
    """id, version, sha256, title and status (the ruleset's declared standing, in words; None
    when it declares none) of the ruleset in use."""
    status = getattr(ruleset.stamp, "status", None)
    text = getattr(status, "text", None) if status is not None else None
    return {"id": ruleset.stamp.id, "version": ruleset.stamp.version,
            "sha256": ruleset.stamp.sha256, "title": ruleset.title,
            "status": None if text is None else str(text)}


def domains(ruleset: Ruleset) -> list[dict[str, Any]]:
    """The ruleset's domains that have indicators, each with its indicators in ruleset order."""
    model = ruleset.model
    out = []
    for dom in model.domains:
        found = [i for i in model.indicators if i.domain == dom.id]
        if found:
            out.append({"id": dom.id, "title": dom.title, "indicators": found})
    return out


def render_page(
    ruleset: Ruleset,
    values: Mapping[str, Sequence[str]] | None = None,
    *,
    case: Case | None = None,
    decision: Decision | None = None,
    error: RhrtError | None = None,
    info: Any = None,
    logged: bool = False,
    groups: list[dict[str, Any]] | None = None,
) -> str:
    """The page: ``values`` are the submitted form's (kept in the controls); with ``case`` and
    ``decision``, the result; with ``error``, the refusal (field path and message only).

    Raises:
        TemplateRenderError: the template failed (a bug: reported, never half-rendered).
    """
    result = None
    if decision is not None and case is not None:
        ctx = _render.decision_context(decision, ruleset, "html", fragment=True)
        result = {
            **ctx,
            "referral": _render.render_referral(case, decision, ruleset, "markdown"),
            "record": decision.to_json(),
        }
    if info is None:
        info = ruleset_info(ruleset)
    context = {
        "ruleset": info,
        "statement": SUPPORTS_JUDGEMENT,
        "case_controls": _form.case_controls(),
        "override_controls": _form.override_controls(),
        "domains": domains(ruleset) if groups is None else groups,
        "measures": ruleset.model.measures,
        "values": dict(values or {}),
        "error": None if error is None else problem(error),
        "result": result,
        "names": {"indicator": _form.INDICATOR, "note": _form.NOTE_PREFIX,
                  "measure": _form.MEASURE_PREFIX, "decided_by": _form.DECIDED_BY,
                  "max_decided_by": _form.MAX_DECIDED_BY},
        "logged": logged,
    }
    return _render.render_template("serve.html.j2", "html", context)

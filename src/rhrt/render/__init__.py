# SPDX-License-Identifier: MIT
"""Render decisions, pathways, referral summaries, rulesets and reports for people.

The last layer of the pipeline: it reads decisions and rulesets and never decides anything
(the referral view takes the decision already made; nothing here calls ``assess``). One module
per job:

- :mod:`rhrt.render.escape`: every escaping rule (terminal text, Markdown, HTML, URLs, CSV);
- :mod:`rhrt.render.environment`: the jinja2 sandbox, template lookup (a partnership's
  ``--templates`` folder first, then ``render/templates``) and ``render_template``;
- :mod:`rhrt.render.views`: the pieces every view shares (pathways, contacts, sources, levels);
- one module per view: :mod:`~rhrt.render.decision`, :mod:`~rhrt.render.pathway`,
  :mod:`~rhrt.render.referral`, :mod:`~rhrt.render.ruleset`, and :mod:`~rhrt.render.reports`
  (audit and what-if reports, the batch summary);
- :mod:`rhrt.render.hooks`: what notebooks and rich show for a Decision or Ruleset.

This module re-exports the public names, so ``from rhrt.render import render_decision`` works.
Failures are :class:`rhrt.errors.TemplateRenderError` (re-exported here too).
"""

from __future__ import annotations

from rhrt.errors import TemplateRenderError
from rhrt.model.decision import decision_schema, decision_schema_json
from rhrt.render.decision import FORMATS, decision_context, render_decision
from rhrt.render.environment import (
    TEMPLATE_FORMATS,
    TEMPLATES_DIR,
    environment,
    missing_templates,
    render_template,
    template_name,
)
from rhrt.render.escape import SAFE_URL_SCHEMES, MdSafe, clean_text, escape_markdown, safe_url
from rhrt.render.hooks import (
    decision_html,
    decision_rich,
    rich_markdown,
    ruleset_html,
    ruleset_rich,
)
from rhrt.render.pathway import render_pathway
from rhrt.render.referral import referral_context, render_referral
from rhrt.render.ruleset import DOCUMENT_FORMATS, render_ruleset, ruleset_context
from rhrt.render.views import pathway_view

# decision_schema and decision_schema_json live with Decision (rhrt.model.decision); they are
# re-exported here because rhrt.pathways.render, this package's old name, exported them.
__all__ = [
    "DOCUMENT_FORMATS",
    "FORMATS",
    "SAFE_URL_SCHEMES",
    "TEMPLATES_DIR",
    "TEMPLATE_FORMATS",
    "MdSafe",
    "TemplateRenderError",
    "clean_text",
    "decision_context",
    "decision_html",
    "decision_rich",
    "decision_schema",
    "decision_schema_json",
    "environment",
    "escape_markdown",
    "missing_templates",
    "pathway_view",
    "referral_context",
    "render_decision",
    "render_pathway",
    "render_referral",
    "render_ruleset",
    "render_template",
    "rich_markdown",
    "ruleset_context",
    "ruleset_html",
    "ruleset_rich",
    "safe_url",
    "template_name",
]

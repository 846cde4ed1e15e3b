# SPDX-License-Identifier: MIT
"""``rhrt docs``: a ruleset as a readable Levels of Need document (Markdown or HTML).

Why generated: the published framework document and the rules the engine runs must never drift
apart. ``docs/framework.md`` is this command's output for the bundled ruleset, and a test fails
when it is out of date. ``--schema`` prints the JSON Schema of decision records instead
(``docs/decision.schema.json``), ``--ruleset-schema`` that of the ruleset format
(``docs/ruleset.schema.json``, for editors).
"""

from __future__ import annotations

import argparse

from rhrt.cli._common import (
    add_rules_option,
    check_outputs,
    output_inputs,
    ruleset_from_args,
    write_output,
)
from rhrt.cli.render import add_template_options
from rhrt.model.decision import decision_schema_json
from rhrt.render import DOCUMENT_FORMATS, render_ruleset


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "docs",
        help="render a ruleset as a readable Levels of Need document",
        description=(
            "Render a ruleset as a document: metadata and provenance, levels, domains with their "
            "indicators and sources, the rules in plain English, pathways and contacts."
        ),
    )
    add_rules_option(p)
    p.add_argument("--format", choices=DOCUMENT_FORMATS, default="markdown", help="output format")
    add_template_options(p)
    p.add_argument(
        "--schema",
        action="store_true",
        help="print the JSON Schema of decision records instead of the ruleset document",
    )
    p.add_argument(
        "--ruleset-schema",
        action="store_true",
        help="print the JSON Schema of the ruleset format (for editors) instead",
    )
    p.add_argument("--out", metavar="FILE", help="write to a file instead of standard output")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    check_outputs(args, args.out)
    inputs = output_inputs(args)
    if args.schema:
        write_output(decision_schema_json(), args.out, inputs)
        return 0
    if args.ruleset_schema:
        from rhrt.rules.schema import ruleset_schema_json

        write_output(ruleset_schema_json(), args.out, inputs)
        return 0
    ruleset = ruleset_from_args(args)
    text = render_ruleset(ruleset, args.format, templates_dir=args.templates)
    write_output(text, args.out, inputs)
    return 0

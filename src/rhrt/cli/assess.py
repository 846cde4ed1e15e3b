# SPDX-License-Identifier: MIT
"""``rhrt assess CASE``: an explained decision for one case."""

from __future__ import annotations

import argparse

from rhrt.cli._common import (
    FOLDER_BY_CASE_DATE,
    add_engine_option,
    add_rules_option,
    check_outputs,
    output_inputs,
    write_output,
)
from rhrt.cli.render import (
    add_override_options,
    add_template_options,
    decide_from_args,
    print_rich_markdown,
    rich_console_wanted,
)
from rhrt.render import FORMATS, render_decision


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "assess",
        help="assess a case (YAML or JSON file, or - for stdin) and explain the decision",
        description="Assess one case and print the explained decision.",
    )
    p.add_argument("case", metavar="CASE", help="case file (YAML or JSON), or - for stdin")
    add_rules_option(p, folder=FOLDER_BY_CASE_DATE)
    p.add_argument("--format", choices=FORMATS, default="text", help="output format")
    add_engine_option(p)
    p.add_argument(
        "--include-notes",
        action="store_true",
        help="include practitioners' free-text notes in the output (personal data)",
    )
    add_template_options(p)
    add_override_options(p)
    p.add_argument("--out", metavar="FILE", help="write to a file instead of standard output")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    check_outputs(args, args.out)
    ruleset, case, decision = decide_from_args(args)
    if rich_console_wanted(args):
        print_rich_markdown(
            render_decision(
                decision, ruleset, "markdown", include_notes=args.include_notes,
                templates_dir=args.templates,
            )
        )
        return 0
    text = render_decision(
        decision,
        ruleset,
        args.format,
        case=case,
        include_notes=args.include_notes,
        templates_dir=args.templates,
    )
    write_output(text, args.out, output_inputs(args))
    return 0

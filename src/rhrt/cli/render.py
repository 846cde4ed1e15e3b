# SPDX-License-Identifier: MIT
"""``rhrt render CASE --template referral``: draft referral content (or any template) for a case.

Also the options every rendering command shares: ``--templates DIR`` (a partnership's own
templates, searched before rhrt's) and a recorded professional override
(``--override-level/--override-reason/--override-role``), so the command line can never show a
decision without the professional judgement that was recorded beside it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rhrt.cli._common import (
    FOLDER_BY_CASE_DATE,
    add_engine_option,
    add_rules_option,
    check_outputs,
    output_inputs,
    read_input,
    ruleset_from_args,
    write_output,
)
from rhrt.errors import CaseError
from rhrt.model.case import Case
from rhrt.model.decision import Decision
from rhrt.model.scale import LEVELS
from rhrt.render import TEMPLATE_FORMATS, render_decision, render_referral
from rhrt.ruleset import Ruleset

BUILT_IN = ("referral", "decision")


def add_template_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--templates",
        metavar="DIR",
        help="folder of a partnership's own templates, used before rhrt's (same file names)",
    )


def add_override_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "professional judgement",
        "record a practitioner's own level beside the framework's (all three together)",
    )
    group.add_argument(
        "--override-level",
        type=int,
        choices=LEVELS,
        metavar="N",
        help="the level (1-4) the practitioner judges right; kept beside the framework's",
    )
    group.add_argument(
        "--override-reason",
        metavar="TEXT",
        help="why, in the practitioner's words (kept in the record; quote it in the shell)",
    )
    group.add_argument("--override-role", metavar="ROLE", help="e.g. 'social worker'")


def override_from_args(args: argparse.Namespace) -> dict[str, Any] | None:
    """The override the options describe, or None; partial options are an error, not ignored."""
    given = {
        "level": args.override_level,
        "reason": args.override_reason,
        "role": args.override_role,
    }
    if all(v is None for v in given.values()):
        return None
    missing = [k for k, v in given.items() if v is None]
    if missing:
        raise CaseError(
            "an override needs --override-level, --override-reason and --override-role",
            path="override." + missing[0],
        )
    return given


def rich_console_wanted(args: argparse.Namespace) -> bool:
    """Use rich for text output only on a terminal, writing to stdout, with rich installed,
    and with colour on: under ``--no-color`` or ``NO_COLOR`` the plain text rendering is
    written, with no escape sequence at all (rich still writes bold, underline and OSC-8
    links when asked for no colour)."""
    from rhrt._console import color_enabled

    if args.format != "text" or (args.out not in (None, "-")) or not sys.stdout.isatty():
        return False
    if not color_enabled():
        return False
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True


def print_rich_markdown(markdown: str) -> None:
    from rhrt._console import rich_console
    from rhrt.render import rich_markdown

    # rich's own styling goes to the terminal, past the CLI's sanitising stream; the Markdown it
    # renders is already escaped and cleaned (rhrt._text.clean) by the Markdown templates.
    rich_console(getattr(sys.stdout, "unsanitised", sys.stdout)).print(rich_markdown(markdown))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "render",
        help="render a case through a template (e.g. draft referral content)",
        description=(
            "Assess a case and render it through a template: 'referral' gives draft content for "
            "the multi-agency referral form (concerns by domain with notes and sources, measures, "
            "level and why, consent, pathways); 'decision' the explained decision. Any other name "
            "is looked up as NAME.FORMAT.j2 in --templates DIR. Output includes practitioners' "
            "notes: it is for the referral, not for storage."
        ),
    )
    p.add_argument("case", metavar="CASE", help="case file (YAML or JSON), or - for stdin")
    add_rules_option(p, folder=FOLDER_BY_CASE_DATE)
    p.add_argument(
        "--template",
        default="referral",
        metavar="NAME",
        help="referral (default), decision, or a template of your own in --templates",
    )
    p.add_argument("--format", choices=TEMPLATE_FORMATS, default="markdown", help="output format")
    add_template_options(p)
    add_override_options(p)
    add_engine_option(p)
    p.add_argument("--out", metavar="FILE", help="write to a file instead of standard output")
    p.set_defaults(handler=run)


def decide_from_args(args: argparse.Namespace) -> tuple[Ruleset, Case, Decision]:
    """Load the ruleset, read and validate CASE, and assess it with any override given:
    the common first half of ``rhrt assess`` and ``rhrt render``."""
    raw = read_input(args.case)
    if args.rules is not None and Path(args.rules).is_dir():
        # dated revisions: the one in force on the case's assessment date (rhrt.history)
        from rhrt.cases import parse_case
        from rhrt.history import load_history

        ruleset = load_history(args.rules).as_of(parse_case(raw).assessment_date)
    else:
        ruleset = ruleset_from_args(args)
    case = ruleset.validate_case(raw)
    decision = ruleset.assess(case, override=override_from_args(args), engine=args.engine)
    return ruleset, case, decision


def run(args: argparse.Namespace) -> int:
    check_outputs(args, args.out)
    ruleset, case, decision = decide_from_args(args)
    if args.template == "decision":
        text = render_decision(
            decision, ruleset, args.format, include_notes=True, templates_dir=args.templates
        )
    else:
        text = render_referral(
            case,
            decision,
            ruleset,
            args.format,
            templates_dir=args.templates,
            template=args.template,
        )
    write_output(text, args.out, output_inputs(args))
    return 0

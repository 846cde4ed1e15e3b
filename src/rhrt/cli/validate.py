# SPDX-License-Identifier: MIT
"""``rhrt validate RULES``: check a ruleset file, reporting every problem with its location."""

from __future__ import annotations

import argparse
import sys

from rhrt._text import clean
from rhrt._words import plural
from rhrt.cli._common import FOLDER_EACH_REVISION, rules_help
from rhrt.errors import RulesetError
from rhrt.rules.lint import lint
from rhrt.ruleset import load_ruleset


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "validate",
        help="check a ruleset file; exit 0 when valid",
        description=(
            "Check a ruleset file against the format (docs/ruleset-format.md) and report every "
            "problem with its file:line:col, then completeness findings (empty level/domain "
            "cells, unreachable pathways). Exit 0 when valid, 2 when not."
        ),
    )
    p.add_argument("rules", metavar="RULES", help=rules_help(FOLDER_EACH_REVISION, default=False))
    p.add_argument(
        "--strict",
        action="store_true",
        help="also fail on completeness findings (empty level/domain cells, unreachable pathways…)",
    )
    p.add_argument(
        "--templates",
        metavar="DIR",
        help="folder of the partnership's own templates (where pathways' 'template:' files are)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate RULES; a folder of dated revisions: every revision file (see each_revision)."""
    from rhrt.cli._common import each_revision

    folder = each_revision(args, run)
    if folder is not None:
        return folder
    try:
        ruleset = load_ruleset(args.rules)
    except RulesetError as exc:
        for problem in exc.problems:
            print(str(problem), file=sys.stderr)
        print(f"{plural(len(exc.problems), 'problem')} found", file=sys.stderr)
        return exc.exit_code
    model = ruleset.model
    from rhrt.render import missing_templates

    missing = missing_templates(model, args.templates)
    if missing:  # breaks every decision that recommends the pathway: invalid, not a finding
        for finding in missing:
            print(clean(f"{args.rules}: {finding} at {finding.path}"), file=sys.stderr)
        print(f"{plural(len(missing), 'problem')} found", file=sys.stderr)
        return 2
    findings = lint(model, ruleset.plan)
    for finding in findings:
        print(clean(f"{args.rules}: {finding}"), file=sys.stderr)
    if findings and args.strict:
        print(f"{plural(len(findings), 'finding')} (--strict)", file=sys.stderr)
        return 2
    print(
        f"{clean(args.rules)}: valid ({clean(ruleset.id)} {clean(ruleset.version)}; "
        f"{plural(len(model.indicators), 'indicator')}, {plural(len(model.rules), 'rule')}, "
        f"{plural(len(model.pathways), 'pathway')}; sha256 {ruleset.stamp.sha256})"
    )
    return 0

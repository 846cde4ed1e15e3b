# SPDX-License-Identifier: MIT
"""``rhrt diff OLD_RULES NEW_RULES IN``: what a ruleset change does to a population of cases."""

from __future__ import annotations

import argparse

from rhrt.cli.audit import add_report_options, check_report_outputs, emit, read_table

DIFF_TABLES = ("summary", "transition", "transition_flat", "causes", "moves", "moves_down",
               "changes")
"""The tables ``--tables`` writes for ``rhrt diff`` (``ImpactResult.tables()``), as NAME.csv."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "diff",
        help="impact of a ruleset change on a table of cases (needs rhrt[analysis])",
        description=(
            "Assess a CSV or Parquet file under two rulesets: how many cases change level, the "
            "transition matrix, which rule or indicator change caused each move, and the cases "
            "that move down."
        ),
    )
    p.add_argument("old", metavar="OLD_RULES", help="current ruleset YAML file")
    p.add_argument("new", metavar="NEW_RULES", help="proposed ruleset YAML file")
    p.add_argument("input", metavar="IN", help="input file (.csv or .parquet)")
    add_report_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rhrt.batch import require_analysis

    require_analysis("rhrt diff")
    check_report_outputs(args, DIFF_TABLES)
    try:
        import matplotlib  # noqa: F401
        import pandas  # noqa: F401
    except ImportError:
        from rhrt.errors import MissingExtraError

        raise MissingExtraError("rhrt diff", "analysis") from None
    from rhrt._console import Progress
    from rhrt.cli._common import log_ruleset
    from rhrt.diff import impact
    from rhrt.ruleset import load_ruleset

    old, new = load_ruleset(args.old), load_ruleset(args.new)
    log_ruleset(old)
    log_ruleset(new)
    progress = False if args.no_progress else None
    table = read_table(args.input, args.chunk_size, progress)
    with Progress(None, progress, description="assessing under both rulesets"):
        result = impact(table, old, new, top=args.top)
    emit(result, args)
    return 0

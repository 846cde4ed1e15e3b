# SPDX-License-Identifier: MIT
"""``rhrt compare OLD NEW [CASES]``: a Markdown change log between two rulesets.

For a partnership board: indicators added, removed, moved and reworded; rules and pathways
changed (said as what happened: "now also matches 'x'"); and, given a table of cases (needs
rhrt[analysis]), how many move level and why (``rhrt diff``).
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "compare",
        help="a Markdown change log between two rulesets (optionally: cases that move level)",
        description=(
            "Compare two rulesets and write a change log a board can read: indicators added, "
            "removed, moved between levels or domains, reworded; rules, pathways, levels and "
            "measures changed. Given a CSV or Parquet table of cases, also how many cases "
            "change level and why (needs rhrt[analysis])."
        ),
    )
    p.add_argument("old", metavar="OLD_RULES", help="current ruleset YAML file")
    p.add_argument("new", metavar="NEW_RULES", help="proposed ruleset YAML file")
    p.add_argument("input", metavar="CASES", nargs="?", default=None,
                   help="optional table of cases (.csv or .parquet)")
    p.add_argument("--out", metavar="FILE", help="write to a file instead of standard output")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rhrt.cli._common import check_outputs, output_inputs, write_output
    from rhrt.compare import ruleset_changes, to_markdown
    from rhrt.ruleset import load_ruleset

    check_outputs(args, args.out)
    old, new = load_ruleset(args.old), load_ruleset(args.new)
    impact = None
    if args.input is not None:
        from rhrt.batch import require_analysis

        require_analysis("rhrt compare with cases")
        from rhrt.cli.audit import read_table
        from rhrt.diff import impact as diff_impact

        table = read_table(args.input, 50_000, False)
        impact = diff_impact(table, old, new)
    text = to_markdown(old, new, ruleset_changes(old, new), impact)
    write_output(text, args.out, output_inputs(args))
    return 0

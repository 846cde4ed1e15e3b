# SPDX-License-Identifier: MIT
"""``rhrt batch IN --out OUT``: assess a CSV or Parquet file of cases, streaming in chunks.

Memory stays flat however large the file: each chunk is read, assessed and written before the
next. A progress bar shows on a terminal; a summary (counts and percentages per level and
pathway) is printed at the end.
"""

from __future__ import annotations

import argparse
import json
import sys

from rhrt.cli._common import add_rules_option, check_outputs, output_inputs, ruleset_from_args
from rhrt.cli._numbers import MAX_CHUNK_ROWS, whole_number


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "batch",
        help="assess every case in a CSV or Parquet file (needs rhrt[analysis])",
        description=(
            "Assess a table of cases (CSV or Parquet, one row per case; see docs/analysts.md "
            "for the columns) and write status, level, urgent, pathways, the pathway an urgent "
            "case acts on first (first_step) and determining indicators."
        ),
    )
    p.add_argument("input", metavar="IN", help="input file (.csv, .csv.gz or .parquet)")
    p.add_argument("--out", metavar="FILE", required=True,
                   help="output file (.csv, .csv.gz, .csv.bz2, .csv.zst or .parquet)")
    add_rules_option(p)
    p.add_argument(
        "--fast",
        action="store_true",
        help="write only level, urgent and one true/false column per pathway (fastest; no "
        "first_step: use the default output to triage urgent cases)",
    )
    p.add_argument("--keep-input", action="store_true", help="copy the input columns to FILE")
    p.add_argument(
        "--ignore-column",
        action="append",
        default=[],
        metavar="NAME",
        help="allow an extra input column (repeatable); unknown columns are otherwise errors",
    )
    p.add_argument("--chunk-size", type=whole_number(1, MAX_CHUNK_ROWS), default=100_000,
                   metavar="ROWS", help="rows per chunk, 1-10,000,000 (default 100000)")
    p.add_argument("--no-progress", action="store_true", help="never show a progress display")
    p.add_argument("--summary-json", metavar="FILE", help="also write the summary as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rhrt.batch import assess_file, require_analysis

    require_analysis("rhrt batch")
    from rhrt.files import AtomicOutput

    # Both outputs are checked, and the summary's temporary file made, before any input is
    # read: a bad --summary-json path is reported before OUT is written, not after.
    check_outputs(args, args.out, args.summary_json)
    summary_out = None
    if args.summary_json:
        summary_out = AtomicOutput(args.summary_json, output_inputs(args),
                                   what="summary file").open()
    try:
        ruleset = ruleset_from_args(args)
        summary = assess_file(
            args.input,
            args.out,
            ruleset,
            fast=args.fast,
            keep_input=args.keep_input,
            chunk_rows=args.chunk_size,
            progress=False if args.no_progress else None,
            ignore_columns=args.ignore_column,
        )
        if summary_out is not None:
            text = json.dumps(summary.as_dict(), indent=2) + "\n"
            summary_out.write(text.encode("utf-8"))
            summary_out.commit()
    except BaseException:
        if summary_out is not None:
            summary_out.discard()
        raise
    print(summary.to_text(), file=sys.stderr)
    return 0

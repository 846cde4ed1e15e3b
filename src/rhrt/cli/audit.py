# SPDX-License-Identifier: MIT
"""``rhrt audit IN``: recorded decisions against the framework's level (Markdown or HTML)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rhrt.cli._common import add_rules_option, ruleset_from_args, write_output


def add_report_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("markdown", "html"),
                   help="report format (default: from --out's suffix, else markdown)")
    p.add_argument("--out", metavar="FILE", help="write the report to a file")
    p.add_argument("--tables", metavar="DIR",
                   help="also write every table as CSV into this directory")
    p.add_argument("--top", type=int, default=100, metavar="N", help="cases to list (default 100)")
    p.add_argument("--chunk-size", type=int, default=250_000, help=argparse.SUPPRESS)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "audit",
        help="compare recorded decisions with the framework (needs rhrt[analysis])",
        description=(
            "Threshold-consistency audit of a CSV or Parquet file with a recorded_decision "
            "column: agreement, confusion matrix, under- and over-assessment by indicator, "
            "domain and referral source, and the cases to review first."
        ),
    )
    p.add_argument("input", metavar="IN", help="input file (.csv or .parquet)")
    add_rules_option(p)
    add_report_options(p)
    p.set_defaults(handler=run)


def read_table(name: str, chunk_rows: int) -> object:
    import pyarrow as pa

    from rhrt.batch._stream import read_chunks

    parts = list(read_chunks(Path(name), chunk_rows))
    if not parts:
        return pa.table({})
    return pa.concat_tables(parts)


def emit(result: object, args: argparse.Namespace) -> None:
    fmt = args.format
    if fmt is None:
        fmt = "html" if args.out and args.out.lower().endswith((".html", ".htm")) else "markdown"
    text = result.to_html() if fmt == "html" else result.to_markdown()  # type: ignore[attr-defined]
    write_output(text, args.out)
    if args.tables:
        folder = Path(args.tables)
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in result.tables().items():  # type: ignore[attr-defined]
            frame.to_csv(folder / f"{name}.csv", index=name in ("confusion", "transition"))
        print(f"tables written to {folder}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from rhrt.batch import require_analysis

    require_analysis("rhrt audit")
    try:
        import matplotlib  # noqa: F401
        import pandas  # noqa: F401
    except ImportError:
        from rhrt.errors import MissingExtraError

        raise MissingExtraError("rhrt audit", "analysis") from None
    from rhrt.audit import compare

    ruleset = ruleset_from_args(args)
    result = compare(read_table(args.input, args.chunk_size), ruleset, top=args.top)
    emit(result, args)
    return 0

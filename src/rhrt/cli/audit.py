# SPDX-License-Identifier: MIT
"""``rhrt audit IN``: recorded decisions against the framework's level (Markdown or HTML)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rhrt._text import clean
from rhrt.cli._common import (
    add_rules_option,
    check_outputs,
    output_inputs,
    ruleset_from_args,
    write_output,
)
from rhrt.cli._numbers import MAX_CHUNK_ROWS, MAX_TOP, whole_number


def add_report_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("markdown", "html"),
                   help="report format (default: from --out's suffix, else markdown)")
    p.add_argument("--out", metavar="FILE", help="write the report to a file")
    p.add_argument("--tables", metavar="DIR",
                   help="also write every table as CSV into this directory")
    p.add_argument("--top", type=whole_number(0, MAX_TOP), default=100, metavar="N",
                   help="cases to list, 0-1,000,000 (default 100)")
    p.add_argument("--chunk-size", type=whole_number(1, MAX_CHUNK_ROWS), default=250_000,
                   help=argparse.SUPPRESS)
    p.add_argument("--no-progress", action="store_true", help="never show a progress display")


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


def read_table(name: str, chunk_rows: int, progress: bool | None = False) -> object:
    import pyarrow as pa

    from rhrt._console import Progress
    from rhrt.batch import count_rows, read_chunks

    parts = []
    with Progress(count_rows(Path(name)), progress, description="reading") as bar:
        for part in read_chunks(Path(name), chunk_rows):
            parts.append(part)
            bar.update(part.num_rows)
    if not parts:
        return pa.table({})
    return pa.concat_tables(parts)


AUDIT_TABLES = ("summary", "levels", "confusion", "confusion_flat", "by_indicator", "by_domain",
                "by_source", "review")
"""The tables ``--tables`` writes for ``rhrt audit`` (``AuditResult.tables()``), as NAME.csv."""
INDEXED_TABLES = ("confusion", "transition")
"""Tables whose row labels (the index) are written as their first column."""


def check_report_outputs(args: argparse.Namespace, table_names: tuple[str, ...]) -> None:
    """Refuse --out and --tables files that cannot be written or name an input, before reading.

    Raises:
        FileError: see :func:`rhrt.cli._common.check_outputs`.
    """
    tables: list[str] = []
    if args.tables:
        from rhrt.errors import FileError

        folder = Path(args.tables)
        if folder.exists() and not folder.is_dir():
            raise FileError("the --tables folder is a file, not a folder", path=args.tables)
        if folder.is_dir():
            tables = [str(folder / f"{name}.csv") for name in table_names]
    check_outputs(args, args.out, *tables)


def emit(result: object, args: argparse.Namespace) -> None:
    fmt = args.format
    if fmt is None:
        fmt = "html" if args.out and args.out.lower().endswith((".html", ".htm")) else "markdown"
    text = result.to_html() if fmt == "html" else result.to_markdown()  # type: ignore[attr-defined]
    inputs = output_inputs(args)
    write_output(text, args.out, inputs)
    if args.tables:
        from rhrt.batch import write_frames
        from rhrt.errors import FileError

        folder = Path(args.tables)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FileError(
                f"cannot create the --tables folder ({exc.strerror or 'error'})",
                path=args.tables,
            ) from None
        frames = result.tables()  # type: ignore[attr-defined]
        write_frames(frames, folder, inputs, index=INDEXED_TABLES)
        print(f"tables written to {clean(str(folder))}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from rhrt.batch import require_analysis

    require_analysis("rhrt audit")
    check_report_outputs(args, AUDIT_TABLES)
    try:
        import matplotlib  # noqa: F401
        import pandas  # noqa: F401
    except ImportError:
        from rhrt.errors import MissingExtraError

        raise MissingExtraError("rhrt audit", "analysis") from None
    from rhrt._console import Progress
    from rhrt.audit import compare

    ruleset = ruleset_from_args(args)
    progress = False if args.no_progress else None
    table = read_table(args.input, args.chunk_size, progress)
    with Progress(None, progress, description="comparing"):
        result = compare(table, ruleset, top=args.top)
    emit(result, args)
    return 0

# SPDX-License-Identifier: MIT
"""``rhrt synth N --out FILE``: write a synthetic population (never real children).

Reproducible (``--seed``), shaped by published national figures, and written block by block
so a 10-million-row benchmark file needs little memory.
"""

from __future__ import annotations

import argparse
import sys

from rhrt._text import clean
from rhrt.cli._common import add_rules_option, check_outputs, ruleset_from_args
from rhrt.cli._numbers import whole_number
from rhrt.synth import MAX_ROWS


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "synth",
        help="write a synthetic population of cases (needs rhrt[analysis])",
        description=(
            "Write N synthetic contacts (CSV or Parquet) for demos, tests and benchmarks, "
            "with a recorded practitioner decision that sometimes disagrees with the framework."
        ),
    )
    p.add_argument("n", metavar="N", type=whole_number(0, MAX_ROWS),
                   help=f"number of cases (at most {MAX_ROWS:,})")
    p.add_argument("--out", metavar="FILE", required=True,
                   help="output file (.csv, .csv.gz, .csv.bz2, .csv.zst or .parquet)")
    p.add_argument("--seed", type=whole_number(0, 2**128 - 1), default=0, metavar="N",
                   help="random seed, 0 to 2**128-1 (default 0)")
    add_rules_option(p)
    p.add_argument("--no-progress", action="store_true", help="never show a progress display")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rhrt.batch import require_analysis

    require_analysis("rhrt synth")
    from rhrt._console import Progress
    from rhrt.batch import file_format
    from rhrt.synth import check_rows, write_population

    check_rows(args.n, path="N")  # before the output is checked or anything is made
    from pathlib import Path

    file_format(Path(args.out))
    check_outputs(args, args.out)
    ruleset = ruleset_from_args(args)
    bar = Progress(args.n, False if args.no_progress else None, description="writing")
    rows = write_population(args.n, args.out, args.seed, ruleset, progress=bar.update)
    bar.close()
    print(f"wrote {rows:,} synthetic cases to {clean(args.out)} (seed {args.seed})",
          file=sys.stderr)
    return 0

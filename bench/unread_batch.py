# SPDX-License-Identifier: MIT
"""Batch speed with and without the unread-measures work (issue 11, item 5).

    .venv/bin/python bench/unread_batch.py [ROWS]

Times ``assess_table`` on a synthetic population (bundled ruleset, ``keep_input=False``), in
fast and default mode, best of 3, and the unread-measures step on its own. Run it against an
older checkout (``PYTHONPATH=<old>/src``) for the "before" numbers. Not a test: no assertions.
"""

from __future__ import annotations

import sys
import time

import rhrt
from rhrt.batch import assess_table
from rhrt.synth import population


def best(fn: object, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    ruleset = rhrt.load_ruleset()
    table = population(rows, seed=1, ruleset=ruleset)
    print(f"rhrt from {rhrt.__file__}; {rows:,} rows")
    for fast in (True, False):
        seconds = best(lambda f=fast: assess_table(table, ruleset, fast=f, keep_input=False))
        print(f"{'fast' if fast else 'default'}: {seconds:.3f}s")
    try:
        from rhrt.batch import evaluate_table
        from rhrt.batch._recorded import recorded_rows
    except ImportError:
        return
    ev = evaluate_table(table, ruleset)
    seconds = best(lambda: recorded_rows(ev.plan, ev.arrays))
    found = recorded_rows(ev.plan, ev.arrays)
    print(f"unread step alone: {seconds:.3f}s; rows with an unread measure: "
          f"{int(found.any_unread(ev.arrays.n).sum()):,}; with an implied concern: "
          f"{int(found.implied.sum()):,}")


if __name__ == "__main__":
    main()

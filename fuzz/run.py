# SPDX-License-Identifier: MIT
"""The dedicated fuzz command: hostile inputs against rhrt's loader, case parser and assess.

    python fuzz/run.py                                  # hypothesis, 100,000 inputs per target
    python fuzz/run.py --examples 5000 --target assess  # a quicker run of one target
    python fuzz/run.py --jobs 2                         # split each target over processes
    python fuzz/run.py --engine atheris                 # coverage-guided (needs atheris)
    python fuzz/run.py --engine both

Every target checks that nothing but ``rhrt.errors.RhrtError`` escapes and that no planted case
value reaches an error message, a record or a repr (see ``fuzz/targets.py``). The run prints,
per target, how many inputs were tried and what became of them, and exits 1 on the first
failure, after hypothesis has shrunk it to a minimal input (printed with a reproduction blob).

This is not part of the normal test run, which runs a small sample of the same targets
(``tests/test_fuzz_sample.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

DEFAULT_EXAMPLES = 100_000


def run_hypothesis(name: str, examples: int, seed: int) -> dict[str, Any]:
    """Run one target for ``examples`` generated inputs; return counts and any failure."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed
    from targets import TARGETS, Stats

    target = TARGETS[name]
    stats = Stats()

    @hseed(seed)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink],
        print_blob=True,
    )
    @given(target.strategy())
    def fuzz(value: Any) -> None:
        target.run(value, stats)

    failure = None
    try:
        fuzz()
    except Exception as exc:
        failure = "".join(traceback.format_exception(exc))
    return {"target": name, "outcomes": dict(stats.outcomes), "failure": failure}


def hypothesis_campaign(names: list[str], examples: int, jobs: int, seed: int) -> bool:
    ok = True
    for name in names:
        started = time.monotonic()
        shares = [examples // jobs + (1 if i < examples % jobs else 0) for i in range(jobs)]
        if jobs == 1:
            results = [run_hypothesis(name, examples, seed)]
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = [
                    pool.submit(run_hypothesis, name, share, seed + i)
                    for i, share in enumerate(shares)
                ]
                results = [f.result() for f in futures]
        outcomes: Counter[str] = Counter()
        for result in results:
            outcomes.update(result["outcomes"])
        elapsed = time.monotonic() - started
        total = sum(outcomes.values())
        failures = [r["failure"] for r in results if r["failure"]]
        status = "FAILED" if failures else "ok"
        print(
            f"[hypothesis] {name}: {total} inputs in {elapsed:.0f}s, {status}; "
            + json.dumps(dict(sorted(outcomes.items()))),
            flush=True,
        )
        for failure in failures:
            ok = False
            print(failure, file=sys.stderr, flush=True)
    return ok


# -- atheris ----------------------------------------------------------------------------------


def atheris_campaign(names: list[str], runs: int) -> bool:
    """Run each target under libFuzzer in its own process (libFuzzer exits when done)."""
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("[atheris] not installed (pip install atheris); skipped", flush=True)
        return True
    ok = True
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"rhrt-fuzz-{name}-") as tmp:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            artifacts = Path(tmp) / "crash-"
            started = time.monotonic()
            proc = subprocess.run(
                [
                    sys.executable,
                    str(HERE / "atheris_target.py"),
                    name,
                    str(corpus),
                    f"-runs={runs}",
                    f"-artifact_prefix={artifacts}",
                    "-max_len=65536",
                    "-print_final_stats=1",
                    "-close_fd_mask=1",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = time.monotonic() - started
            stats = [line for line in proc.stderr.splitlines() if line.startswith("stat::")]
            execs = next(
                (s.split(":")[-1].strip() for s in stats if "number_of_executed_units" in s), "?"
            )
            status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
            print(f"[atheris] {name}: {execs} inputs in {elapsed:.0f}s, {status}", flush=True)
            if proc.returncode != 0:
                ok = False
                print(proc.stderr[-6000:], file=sys.stderr, flush=True)
    return ok


def main(argv: list[str] | None = None) -> int:
    from targets import TARGETS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--target",
        action="append",
        choices=sorted(TARGETS),
        help="a target to run (repeatable; default: all)",
    )
    parser.add_argument(
        "--examples",
        type=int,
        default=DEFAULT_EXAMPLES,
        help=f"inputs per target (default {DEFAULT_EXAMPLES:,})",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="processes per target (hypothesis)",
    )
    parser.add_argument("--seed", type=int, default=20201101, help="hypothesis seed")
    parser.add_argument("--engine", choices=["hypothesis", "atheris", "both"], default="hypothesis")
    args = parser.parse_args(argv)
    names = args.target or list(TARGETS)
    ok = True
    if args.engine in {"hypothesis", "both"}:
        ok = hypothesis_campaign(names, args.examples, max(1, args.jobs), args.seed) and ok
    if args.engine in {"atheris", "both"}:
        ok = atheris_campaign(names, args.examples) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

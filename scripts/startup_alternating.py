# SPDX-License-Identifier: MIT
"""Start-up of two checkouts, measured in alternating fresh processes (issue 17).

Usage::

    .venv/bin/python scripts/startup_alternating.py BASE NEW [--runs N] [--no-bytecode-cache]
        [--only pass,import,load,assess]

``BASE`` and ``NEW`` are checkouts, each with its own ``.venv`` (e.g. a ``git worktree`` of the
commit before a change). Each round runs every measure in both, in alternating order, so both
see the same load; prints medians, fastest runs, their ratio, and the load average.
``assess`` is ``rhrt assess`` on an example case as a whole process (its outputs must be
identical); ``load`` is the first ``rhrt.load_ruleset()`` timed inside a fresh process after
``import rhrt``. Byte code is cached in a private folder (as in an installed package) unless
``--no-bytecode-cache``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASE = "examples/cases/domestic-abuse-marac.yaml"
LOAD = (
    "import time, rhrt; t = time.perf_counter(); rhrt.load_ruleset(); "
    "print((time.perf_counter() - t) * 1e3)"
)


def command(tree: Path, what: str) -> list[str]:
    python = str(tree / ".venv" / "bin" / "python")
    return {
        "pass": [python, "-c", "pass"],
        "import": [python, "-c", "import rhrt"],
        "load": [python, "-c", LOAD],
        "assess": [str(tree / ".venv" / "bin" / "rhrt"), "assess", CASE],
    }[what]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--only", default="pass,import,load,assess")
    parser.add_argument("--no-bytecode-cache", action="store_true")
    args = parser.parse_args()
    whats = args.only.split(",")
    trees = {"base": args.base.resolve(), "new": args.new.resolve()}
    env = dict(os.environ)
    if not args.no_bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "rhrt-startup-pycache")
    times: dict[tuple[str, str], list[float]] = {(t, w): [] for t in trees for w in whats}
    outputs: dict[str, str] = {}
    load_before = os.getloadavg()
    for i in range(args.runs + 1):  # round 0 fills the byte-code cache, unmeasured
        order = list(trees.items()) if i % 2 else list(reversed(trees.items()))
        for name, tree in order:
            for what in whats:
                t0 = time.perf_counter()
                proc = subprocess.run(
                    command(tree, what), cwd=tree, env=env, capture_output=True, text=True
                )
                wall = (time.perf_counter() - t0) * 1e3
                if proc.returncode != 0:
                    print(proc.stderr[-500:], file=sys.stderr)
                    return 1
                if what == "assess":
                    outputs[name] = proc.stdout
                if i:
                    times[(name, what)].append(float(proc.stdout) if what == "load" else wall)
    print(f"load average before {load_before}, after {os.getloadavg()}; {args.runs} rounds")
    for what in whats:
        b, n = times[("base", what)], times[("new", what)]
        print(
            f"{what:7s} base {statistics.median(b):7.1f} ms (min {min(b):6.1f})  "
            f"new {statistics.median(n):7.1f} ms (min {min(n):6.1f})  "
            f"base/new {statistics.median(b) / statistics.median(n):5.2f}"
        )
    if "assess" in whats:
        print("rhrt assess output identical:", outputs["base"] == outputs["new"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

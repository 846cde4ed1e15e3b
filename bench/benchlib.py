# SPDX-License-Identifier: MIT
"""Small helpers shared by the benchmark scenarios: timing, statistics, machine description."""

from __future__ import annotations

import gc
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "rhrt",
    "pydantic",
    "pydantic-core",
    "PyYAML",
    "jinja2",
    "zen-engine",
    "durable-rules",
    "numpy",
    "pandas",
    "pyarrow",
    "polars",
)


class NotAvailable(Exception):
    """A scenario's piece of rhrt (or an optional dependency) is not there yet."""


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already-sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def time_each(
    fn: Callable[[T], object], items: Sequence[T], *, budget_s: float, max_rounds: int = 50
) -> dict[str, float]:
    """Time every call of ``fn`` on ``items`` (one warm-up pass, then rounds until the time
    budget is spent). Returns median, p99, mean and min in microseconds, and the call count."""
    for item in items:  # warm-up: caches, lazy engines, branch predictors
        fn(item)
    gc.collect()
    samples: list[float] = []
    clock = time.perf_counter_ns
    start = time.perf_counter()
    rounds = 0
    while rounds < max_rounds and (rounds == 0 or time.perf_counter() - start < budget_s):
        for item in items:
            t0 = clock()
            fn(item)
            samples.append(clock() - t0)
        rounds += 1
    samples.sort()
    return {
        "median_us": statistics.median(samples) / 1e3,
        "p99_us": percentile(samples, 99) / 1e3,
        "mean_us": statistics.fmean(samples) / 1e3,
        "min_us": samples[0] / 1e3,
        "calls": len(samples),
    }


def time_interleaved(
    jobs: dict[str, tuple[Callable[[Any], object], Sequence[Any]]],
    *,
    budget_s: float,
    max_rounds: int = 50,
) -> dict[str, dict[str, float]]:
    """Like :func:`time_each` for several functions at once, in alternating rounds (every
    function over its items, then the next round), so a change in the machine's load between
    seconds colours all of them alike and their ratios stay fair. ``budget_s`` is per function.
    """
    for fn, items in jobs.values():  # warm-up
        for item in items:
            fn(item)
    gc.collect()
    samples: dict[str, list[float]] = {name: [] for name in jobs}
    clock = time.perf_counter_ns
    start = time.perf_counter()
    rounds = 0
    total = budget_s * len(jobs)
    while rounds < max_rounds and (rounds == 0 or time.perf_counter() - start < total):
        for name, (fn, items) in jobs.items():
            out = samples[name]
            for item in items:
                t0 = clock()
                fn(item)
                out.append(clock() - t0)
        rounds += 1
    result = {}
    for name, values in samples.items():
        values.sort()
        result[name] = {
            "median_us": statistics.median(values) / 1e3,
            "p99_us": percentile(values, 99) / 1e3,
            "mean_us": statistics.fmean(values) / 1e3,
            "min_us": values[0] / 1e3,
            "calls": len(values),
            "rounds": rounds,
        }
    return result


def time_repeat(fn: Callable[[], object], *, repeat: int) -> dict[str, Any]:
    """Run ``fn`` ``repeat`` times; first, median and min wall time in milliseconds."""
    times = []
    for i in range(repeat):
        if i:  # the first call as a fresh process makes it: no collection just before it
            gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return {
        "first_ms": times[0],
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "runs": repeat,
        "times_ms": times,
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def loadavg() -> list[float] | None:
    """1, 5 and 15 minute load averages: other work on the machine skews every figure."""
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except (OSError, ValueError):
        return None


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count() or 1
    status = _git("status", "--porcelain")
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": usable,
        "memory_gib": _mem_total_gib(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "packages": versions,
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(status) if status is not None else None,
    }

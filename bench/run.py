# SPDX-License-Identifier: MIT
"""rhrt benchmarks: speed and memory against the alternatives, side by side, in one run.

    python bench/run.py            # full run (several minutes; generates a 10M-row Parquet once)
    python bench/run.py --quick    # tiny sizes, well under a minute (CI)
    python bench/run.py --only single,load

Every scenario runs in its own fresh Python process (so one engine's threads, caches or memory
never colour another's figures); the batch scenario is pinned to one CPU. Results go to
``bench/results/`` as JSON with a machine description, and a table is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# The benchmark measures rhrt as its command line runs it: with the allocator tuned for large
# tables (rhrt.batch._memory; library callers opt in with this variable).
os.environ.setdefault("RHRT_TUNE_MALLOC", "1")

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

# (id, description, target, unit, lower is better)
TARGETS = (
    ("single_vs_zen_trace", "explained decision faster than zen-engine with trace (every size)",
     1.0, "×", False),
    ("level_vs_zen", "decision without explanation ≥ 1.5× faster than zen-engine (every size)",
     1.5, "×", False),
    ("single_vs_zen", "explained decision faster than zen-engine without trace", 1.0, "×", False),
    ("single_vs_durable", "single assess ≥ 20× faster than the durable backend", 20.0, "×", False),
    ("batch_1m_s", "batch of 1M cases on one core", 2.0, "s", True),
    ("batch_speedup", "batch ≥ 100× the per-case loop (1M)", 100.0, "×", False),
    ("batch_first_vs_warm", "first batch call within 1.5× of a warm one (1M)", 1.5, "×", True),
    ("batch_memory_mib", "batch memory beyond the input, per 1M rows", 400.0, "MiB", True),
    ("batch_scaling", "batch time per row flat (1M rows / 100k rows)", 1.25, "×", True),
    ("coldstart_ms", "`rhrt assess` cold start (median)", 200.0, "ms", True),
    ("first_load_ms", "first `load_ruleset()` in a fresh process (median)", 30.0, "ms", True),
    ("load_ms", "ruleset load + validate + compile (first and warm)", 50.0, "ms", True),
    ("stream_rss_mib", "streaming peak memory (`rhrt batch`, 10M rows)", 512.0, "MiB", True),
)


FULL_ONLY = ("spark",)
"""Scenarios a quick run leaves out unless named with --only (Spark takes a minute to start)."""


def _child(name: str, quick: bool, out: Path) -> None:
    """Run one scenario in this process and write its JSON result."""
    sys.path.insert(0, str(HERE))
    import scenarios
    from benchlib import NotAvailable

    t0 = time.perf_counter()
    try:
        data: dict[str, Any] = {"status": "ok", **scenarios.SCENARIOS[name](quick)}
    except NotAvailable as exc:
        data = {"status": "not available", "reason": str(exc)}
    except Exception as exc:
        data = {"status": "error", "reason": f"{type(exc).__name__}: {exc}"[:1000]}
    data["elapsed_s"] = round(time.perf_counter() - t0, 2)
    out.write_text(json.dumps(data, indent=2, default=str))


def _run_scenario(name: str, quick: bool, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        script = str(Path(__file__).resolve())
        cmd = [sys.executable, script, "--scenario", name, "--result", str(out)]
        if quick:
            cmd.append("--quick")
        env = dict(os.environ, RUST_BACKTRACE="0")
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"status": "error", "reason": f"timed out after {timeout:.0f} s"}
        if out.exists():
            result: dict[str, Any] = json.loads(out.read_text())
            return result
        return {"status": "error", "reason": f"exit {proc.returncode}: {proc.stderr[-800:]}"}


# --- summary --------------------------------------------------------------------------------


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def measured_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its measured value and whether it was met (None: not measured)."""
    single = results.get("single", {})

    def worst_ratio(other: str, mine: str = "rhrt") -> float | None:
        ours = _get(single, "engines", mine, "sizes") or {}
        theirs = _get(single, "engines", other)
        if not theirs or theirs.get("status") != "ok" or not ours:
            return None
        return float(min(theirs["sizes"][k]["median_us"] / ours[k]["median_us"] for k in ours))

    size_1m = _get(results, "batch", "sizes", "1000000")
    size_100k = _get(results, "batch", "sizes", "100000")
    scaling = (
        (size_1m["vectorised_s"] / 1e6) / (size_100k["vectorised_s"] / 1e5)
        if size_1m and size_100k
        else None
    )
    load_first = _get(results, "load", "load_validate_compile", "first_ms")
    load_med = _get(results, "load", "load_validate_compile", "median_ms")
    values: dict[str, float | None] = {
        "single_vs_zen_trace": worst_ratio("zen-trace"),
        "level_vs_zen": worst_ratio("zen", "rhrt-level"),
        "single_vs_durable": worst_ratio("durable"),
        "single_vs_zen": worst_ratio("zen"),
        "batch_first_vs_warm": size_1m.get("first_vs_warm") if size_1m else None,
        "batch_memory_mib": size_1m.get("memory_beyond_input_mib_per_1m") if size_1m else None,
        "batch_scaling": scaling,
        "first_load_ms": _get(results, "coldstart", "first_load", "median_ms"),
        "batch_1m_s": size_1m["vectorised_s"] if size_1m else None,
        "batch_speedup": size_1m["speedup"] if size_1m else None,
        "coldstart_ms": _get(results, "coldstart", "rhrt_assess", "median_ms"),
        "load_ms": max(load_first, load_med) if load_first and load_med else None,
        "stream_rss_mib": _get(results, "stream", "peak_rss_mib")
        if _get(results, "stream", "rows") == 10_000_000
        else None,
    }
    out = []
    for key, text, target, unit, lower in TARGETS:
        value = values[key]
        met = None if value is None else (value < target if lower else value >= target)
        if key in ("single_vs_zen", "single_vs_zen_trace") and value is not None:
            met = value > target
        out.append(
            {"id": key, "target": text, "goal": target, "unit": unit, "value": value, "met": met}
        )
    return out


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def _secs(value: float) -> str:
    return _fmt(value * 1e3, "ms") if value < 1 else _fmt(value, "s")


def table(results: dict[str, Any]) -> str:
    """The summary as a Markdown table (also used for docs/performance.md)."""
    lines = ["| Scenario | Engine | Computes | Figure | Ratio |", "|---|---|---|---|---|"]

    def status_row(scenario: str, data: dict[str, Any]) -> bool:
        if data.get("status") != "ok":
            lines.append(f"| {scenario} | — | — | {data.get('status')}: {data.get('reason')} | |")
            return False
        return True

    single = results.get("single")
    if single and status_row("single assess", single):
        base = single["engines"]["rhrt"].get("sizes", {})
        differ = single.get("disagreements", {})
        checked = single.get("agreement_checked", {})
        for name, eng in single["engines"].items():
            if name in differ:
                eng = {
                    **eng,
                    "computes": f"{eng['computes']} — **differs from the reference engine on "
                    f"{differ[name]} of {checked.get(name, '?')} cases**",
                }
            if eng["status"] != "ok":
                lines.append(
                    f"| single assess | {name} | {eng['computes']} | {eng['status']}: "
                    f"{eng.get('reason', '')} | |"
                )
                continue
            # zen computes what rhrt-level computes; everything else is set beside rhrt
            ref_name = {"durable-evaluate": "rhrt-evaluate", "zen": "rhrt-level"}.get(name, "rhrt")
            ref = single["engines"].get(ref_name, {}).get("sizes", base)
            for size, t in eng["sizes"].items():
                ratio = ""
                if name not in ("rhrt", "rhrt-evaluate") and size in ref:
                    r = t["median_us"] / ref[size]["median_us"]
                    ratio = f"{r:.2f}× {ref_name}" if r < 10 else f"{r:.0f}× {ref_name}"
                elif name == "rhrt-evaluate" and size in base:
                    r = t["median_us"] / base[size]["median_us"]
                    ratio = f"{r:.2f}× rhrt"
                lines.append(
                    f"| single assess, {size} concerns | {name} | {eng['computes']} | "
                    f"median {_fmt(t['median_us'], 'µs')}, p99 {_fmt(t['p99_us'], 'µs')} | "
                    f"{ratio} |"
                )
    batch = results.get("batch")
    if batch and status_row("batch", batch):
        for n, b in batch["sizes"].items():
            where = f"batch {int(n):,} cases (1 core)"
            lines.append(
                f"| {where} | rhrt.batch `fast=True` | level + urgent + pathway flags, vectorised "
                f"| {_secs(b['vectorised_s'])} ({_fmt(b['vectorised_rows_per_s'] / 1e6, 'M')}"
                f" rows/s) | {b['speedup']:.0f}× the loop |"
            )
            lines.append(
                f"| {where} | rhrt.batch default | + pathway and determining-indicator lists, "
                f"input columns kept | {_secs(b['vectorised_lists_s'])} | "
                f"{b['loop_s'] / b['vectorised_lists_s']:.0f}× the loop |"
            )
            if "memory_beyond_input_mib" in b:
                first, mib = _secs(b["vectorised_first_s"]), b["memory_beyond_input_mib"]
                lines.append(
                    f"| {where} | rhrt.batch `fast=True` | first call, and memory beyond the "
                    f"input (tracemalloc peak + Arrow pool) | first {first} "
                    f"({b['first_vs_warm']:.2f}× warm), {_fmt(mib, 'MiB')} | "
                    f"{_fmt(b['memory_beyond_input_mib_per_1m'], 'MiB')} per 1M rows |"
                )
            lines.append(
                f"| {where} | per-case loop | validate + reference evaluate per row | "
                f"{_secs(b['loop_s'])} ({_fmt(b['loop_rows_per_s'] / 1e3, 'k')} rows/s) | |"
            )
            if "assess_loop_per_row_us" in b:
                lines.append(
                    f"| {where} | `Ruleset.assess` loop | full decision per row (timed on "
                    f"{b['assess_loop_sample_rows']:,} rows, extrapolated) | "
                    f"{_secs(b['assess_loop_extrapolated_s'])} | fast batch is "
                    f"{b['speedup_vs_assess_loop']:.0f}× this |"
                )
    load = results.get("load")
    if load and status_row("ruleset load", load):
        lvc = load["load_validate_compile"]
        parts = load["parts"]
        lines.append(
            f"| ruleset load + validate + compile | rhrt | {load['ruleset_bytes']:,} bytes YAML | "
            f"first {_fmt(lvc['first_ms'], 'ms')}, median {_fmt(lvc['median_ms'], 'ms')}, "
            f"min {_fmt(lvc['min_ms'], 'ms')} | "
            f"YAML {_fmt(parts['yaml_read']['median_ms'], 'ms')}, validate "
            f"{_fmt(parts['parse_validate']['median_ms'], 'ms')} (incl. YAML), compile "
            f"{_fmt(parts['compile']['median_ms'], 'ms')} |"
        )
    cold = results.get("coldstart")
    if cold and status_row("cold start", cold):
        lines.append(
            f"| cold start | `rhrt assess {cold['case']}` | whole process | "
            f"median {_fmt(cold['rhrt_assess']['median_ms'], 'ms')}, min "
            f"{_fmt(cold['rhrt_assess']['min_ms'], 'ms')} | python -c pass "
            f"{_fmt(cold['python_site']['median_ms'], 'ms')}, import rhrt "
            f"{_fmt(cold['import_rhrt']['median_ms'], 'ms')} |"
        )
        if "first_load" in cold:
            lines.append(
                f"| cold start | `rhrt.load_ruleset()` | first call in a fresh process (after "
                f"`import rhrt`) | median {_fmt(cold['first_load']['median_ms'], 'ms')}, min "
                f"{_fmt(cold['first_load']['min_ms'], 'ms')} | |"
            )
    stream = results.get("stream")
    if stream and status_row("streaming", stream):
        lines.append(
            f"| streaming {stream['rows']:,} rows Parquet | `rhrt batch` | whole process | "
            f"peak RSS {_fmt(stream['peak_rss_mib'], 'MiB')}, {_fmt(stream['wall_s'], 's')} | "
            f"{_fmt(stream['rows_per_s'] / 1e3, 'k')} rows/s |"
        )
    big = results.get("large")
    if big and status_row("large ruleset", big):
        where = f"large ruleset ({big['indicators']:,} indicators, {big['rules']:,} rules)"
        lines.append(
            f"| {where} | rhrt | load + validate + compile, {big['ruleset_bytes']:,} bytes | "
            f"{_secs(big['load_s'])} | |"
        )
        for k, t in big["sizes"].items():
            lines.append(
                f"| {where}, {k} concerns | rhrt | full assessment (Decision) | "
                f"{_secs(t['assess_s'])} | evaluate {_secs(t['evaluate_s'])}, holding set "
                f"{_secs(t['holding_set_s'])}, near misses {_secs(t['near_misses_s'])} |"
            )
    sp = results.get("spark")
    if sp and status_row("spark", sp):
        for n, r in sp["sizes"].items():
            where = f"Spark {int(n):,} rows Parquet → Parquet ({r['partitions']} partitions)"
            lines.append(
                f"| {where} | `rhrt.batch.spark.assess`, local[2] | check pass + kernel per "
                f"Arrow batch, 2 cores | {_secs(r['spark_local2_s'])} "
                f"({_fmt(r['spark_local2_rows_per_s'] / 1e3, 'k')} rows/s) | "
                f"{r['spark_over_single']:.2f}× single process |"
            )
            lines.append(
                f"| {where} | `assess_file`, one process | kernel per chunk | "
                f"{_secs(r['single_process_s'])} "
                f"({_fmt(r['single_process_rows_per_s'] / 1e3, 'k')} rows/s) | |"
            )
        if "overhead_per_partition_ms" in sp:
            parts = ", ".join(f"{k}: {_secs(v)}" for k, v in sp["partitions_s"].items())
            lines.append(
                f"| Spark partitions (same rows, fast mode) | local[2] | per extra partition | "
                f"{_fmt(sp['overhead_per_partition_ms'], 'ms')} | {parts}; session start "
                f"{_secs(sp['session_start_s'])} |"
            )
    return "\n".join(lines)


def targets_table(targets: list[dict[str, Any]]) -> str:
    lines = ["| Target | Goal | Measured | Met |", "|---|---|---|---|"]
    for t in targets:
        lower = {key: low for key, _, _, _, low in TARGETS}.get(t["id"], t["unit"] != "×")
        goal = f"{'≤' if lower else '≥'} {_fmt(t['goal'], t['unit'])}"
        met = {True: "yes", False: "**no**", None: "not measured"}[t["met"]]
        lines.append(f"| {t['target']} | {goal} | {_fmt(t['value'], t['unit'])} | {met} |")
    return "\n".join(lines)


DOCS = HERE.parent / "docs" / "performance.md"
_BEGIN = "<!-- latest: begin (copied from bench/results/latest.md) -->"
_END = "<!-- latest: end -->"


def update_docs(summary: str) -> bool:
    """Replace the latest-run tables in docs/performance.md (the prose is kept by hand)."""
    if not DOCS.exists():
        return False
    text = DOCS.read_text(encoding="utf-8")
    start, end = text.find(_BEGIN), text.find(_END)
    if start < 0 or end < start:
        return False
    DOCS.write_text(text[: start + len(_BEGIN)] + "\n" + summary + text[end:], encoding="utf-8")
    return True


def machine_line(m: dict[str, Any]) -> str:
    return (
        f"Measured on {m['cpu_model']}, {m['usable_cpus']} CPUs, {m['memory_gib']} GiB, "
        f"Python {m['python']}, {m['platform']}; rhrt commit {str(m['git_commit'])[:10]}"
        f"{' (dirty)' if m['git_dirty'] else ''}; load average before/after "
        f"{m.get('loadavg_before')} / {m.get('loadavg_after')}."
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="tiny sizes (CI smoke run)")
    p.add_argument("--only", help="comma-separated scenarios: single,batch,load,coldstart,stream")
    p.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    p.add_argument("--scenario", help=argparse.SUPPRESS)
    p.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.scenario:
        _child(args.scenario, args.quick, args.result)
        return 0

    sys.path.insert(0, str(HERE))
    from benchlib import loadavg, machine
    from scenarios import SCENARIOS

    names = args.only.split(",") if args.only else [
        name for name in SCENARIOS if not (args.quick and name in FULL_ONLY)
    ]
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        p.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    mode = "quick" if args.quick else "full"
    started = dt.datetime.now(dt.UTC)
    load_before = loadavg()
    results: dict[str, Any] = {}
    for name in names:
        print(f"[{mode}] {name} …", end=" ", flush=True)
        t0 = time.perf_counter()
        quick_timeout = 600 if name in FULL_ONLY else 120  # Spark alone takes a minute to start
        results[name] = _run_scenario(name, args.quick,
                                      timeout=quick_timeout if args.quick else 3600)
        print(f"{results[name]['status']} ({time.perf_counter() - t0:.1f} s)", flush=True)

    targets = measured_targets(results)
    report: dict[str, Any] = {
        "schema": 1,
        "mode": mode,
        "started": started.isoformat(timespec="seconds"),
        "machine": {**machine(), "loadavg_before": load_before, "loadavg_after": loadavg()},
        "scenarios": results,
        "targets": targets,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    latest = args.out / ("latest.json" if mode == "full" else "latest-quick.json")
    text = json.dumps(report, indent=2, default=str) + "\n"
    latest.write_text(text)
    written = [latest]
    if mode == "full" and not args.only:
        stamped = args.out / f"{started:%Y%m%dT%H%M%SZ}.json"
        stamped.write_text(text)
        written.append(stamped)

    m = report["machine"]
    summary = "\n\n".join([machine_line(m), table(results), targets_table(targets)]) + "\n"
    md = args.out / ("latest.md" if mode == "full" else "latest-quick.md")
    md.write_text(summary)
    written.append(md)
    complete = mode == "full" and not args.only and args.out.resolve() == RESULTS.resolve()
    if complete and update_docs(summary):
        written.append(DOCS)
    print()
    print(summary)
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

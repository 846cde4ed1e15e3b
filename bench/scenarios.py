# SPDX-License-Identifier: MIT
"""The benchmark scenarios. Each runs in its own process (see ``run.py``) and returns a dict.

A scenario whose piece of rhrt has not landed yet (or whose optional dependency is missing)
raises :class:`benchlib.NotAvailable`; other scenarios still run.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import casegen
from benchlib import ROOT, NotAvailable, time_each, time_interleaved, time_repeat

SIZES_FULL = (0, 5, 20)
TMP = Path(os.environ.get("RHRT_BENCH_TMP", Path(tempfile.gettempdir()) / "rhrt-bench"))


def _ruleset_info(rs: Any) -> dict[str, Any]:
    return {
        "id": rs.id,
        "version": rs.version,
        "sha256": rs.stamp.sha256,
        "indicators": len(rs.plan.indicator_order),
        "rules": len(rs.plan.rules),
        "path": str(rs.path) if rs.path else None,
    }


def _rhrt_exe() -> str:
    exe = Path(sys.executable).with_name("rhrt")
    if not exe.exists():
        raise NotAvailable(f"the rhrt command is not installed next to {sys.executable}")
    return str(exe)


# --- 1 + 2: single assess -------------------------------------------------------------------


def single(quick: bool) -> dict[str, Any]:
    """Single assess from a dict: rhrt (full pipeline), durable, zen-engine, naive loop."""
    import rhrt
    from rhrt.rules.bundled import bundled_ruleset_path

    rs = rhrt.load_ruleset()
    n_cases = 30 if quick else 200
    budget = 0.1 if quick else 1.5
    n_check = 60 if quick else 400
    sizes = casegen.concern_counts(rs, SIZES_FULL)
    cases = {k: casegen.make_cases(rs, k, n_cases) for k in sizes}
    facts = {k: [rs.facts(rs.validate_case(c)) for c in cs] for k, cs in cases.items()}
    # cases for the agreement checks: every size from 0 to 20 concerns
    check = [c for k in range(0, 21) for c in casegen.make_cases(rs, k, max(1, n_check // 21))]

    engines: dict[str, dict[str, Any]] = {}
    engines_checked: dict[str, int] = {}
    disagreements: dict[str, int] = {}

    together: dict[str, tuple[Callable[[Any], object], bool]] = {}

    def run(
        name: str,
        computes: str,
        setup: Callable[[], Callable[[Any], object]],
        use_facts: bool = False,
        interleave: bool = True,
    ) -> None:
        """Set an engine up; engines to ``interleave`` are timed together, round by round
        (:func:`benchlib.time_interleaved`), when all are set up; the others at once."""
        entry: dict[str, Any] = {"computes": computes}
        try:
            fn = setup()
        except NotAvailable as exc:
            entry.update(status="not available", reason=str(exc))
        except Exception as exc:
            entry.update(status="error", reason=f"{type(exc).__name__}: {exc}"[:500])
        else:
            entry["status"] = "ok"
            if interleave:
                together[name] = (fn, use_facts)
            else:
                entry["sizes"] = {
                    str(k): time_each(fn, facts[k] if use_facts else cases[k], budget_s=budget)
                    for k in sizes
                }
        engines[name] = entry

    def time_together() -> None:
        for k in sizes:
            timed = time_interleaved(
                {
                    name: (fn, facts[k] if use_facts else cases[k])
                    for name, (fn, use_facts) in together.items()
                },
                budget_s=budget,
            )
            for name, figures in timed.items():
                engines[name].setdefault("sizes", {})[str(k)] = figures

    run(
        "rhrt",
        "validation + evaluation + full explanation (Decision)",
        lambda: rs.assess,
    )
    run(
        "rhrt-level",
        "validation + evaluation, no explanation: level + urgent + pathways (as zen/naive)",
        lambda: lambda case: rs.engine("reference")(rs.facts(rs.validate_case(case))),
    )
    run(
        "rhrt-evaluate",
        "reference evaluation only, from pre-validated facts (full per-rule trace)",
        lambda: rs.engine("reference"),
        use_facts=True,
    )

    def zen_setup() -> Callable[[Any], object]:
        if importlib.util.find_spec("zen") is None:
            raise NotAvailable("zen-engine is not installed (pip install 'rhrt[bench]')")
        import zen_jdm

        z = zen_jdm.ZenLevels(rs.plan)
        engines_checked["zen"] = zen_jdm.check_agreement(z, rs, check)
        return z.assess

    def naive_setup() -> Callable[[Any], object]:
        import naive_loop

        doc = naive_loop.load(rs.path or bundled_ruleset_path())
        engines_checked["naive"] = naive_loop.check_agreement(doc, rs, check)
        return lambda case: naive_loop.assess(doc, case)

    def durable_setup(full: bool) -> Callable[[Any], object]:
        if importlib.util.find_spec("rhrt.engine.durable") is None:
            raise NotAvailable("rhrt.engine.durable has not landed yet")
        if importlib.util.find_spec("durable") is None:
            raise NotAvailable("durable-rules is not installed (pip install 'rhrt[durable]')")
        fn = rs.engine("durable")
        if full:
            # Correctness is reported, not fatal: the timing is still worth having.
            differ = sum(
                1
                for c in check
                if rs.assess(c, engine="durable").model_dump(exclude={"engine"})
                != rs.assess(c).model_dump(exclude={"engine"})
            )
            engines_checked["durable"] = len(check)
            if differ:
                disagreements["durable"] = differ
            return lambda case: rs.assess(case, engine="durable")
        return fn

    run("zen", "level + urgent + pathways only (JDM decision table, engine.evaluate)", zen_setup)

    def zen_trace_setup() -> Callable[[Any], object]:
        if importlib.util.find_spec("zen") is None:
            raise NotAvailable("zen-engine is not installed (pip install 'rhrt[bench]')")
        import zen_jdm

        z = zen_jdm.ZenLevels(rs.plan)
        return lambda case: z.engine.evaluate(
            zen_jdm.KEY, zen_jdm.context(case, z.plan), {"trace": True}
        )

    run(
        "zen-trace",
        "zen with trace=True: level + urgent + pathways and each node's input/output (its "
        "nearest thing to an explanation)",
        zen_trace_setup,
    )
    run("naive", "level + urgent + pathways only (walks the raw YAML dict per case)", naive_setup)
    time_together()
    # durable last, timed apart: its Host starts background timer threads that stay for the
    # process (they would colour every engine timed beside it).
    run(
        "durable",
        "validation + durable-rules evaluation + full explanation (Decision)",
        lambda: durable_setup(True),
        interleave=False,
    )
    run(
        "durable-evaluate",
        "durable-rules evaluation only, from pre-validated facts",
        lambda: durable_setup(False),
        use_facts=True,
        interleave=False,
    )
    return {
        "ruleset": _ruleset_info(rs),
        "cases_per_size": n_cases,
        "case_sizes": list(sizes),
        "facts": "fully known: age (or unborn) and every measure recorded",
        "agreement_checked": engines_checked,
        "disagreements": disagreements,
        "engines": engines,
    }


# --- 2b: zen's semantic difference, measured -------------------------------------------------


def zen_missing(quick: bool) -> dict[str, Any]:
    """zen-engine and rhrt on synthetic rows *with* missing facts (``rhrt.synth.population``,
    seeded: about 4% of ages and most measures not recorded), row by row: how many differ, in
    which direction, and which missing facts the differing rows' rules depended on.

    zen has no "unknown": a comparison with a missing value is false, so a rule that needs the
    missing fact does not fire. rhrt's three-valued logic counts such a rule (a missing fact
    never lowers a level), and also reports ``known_level``, the level the known facts alone
    give. Kleene logic is monotone, so a rule rhrt knows is true (false) is true (false) in zen
    too, whatever zen reads a missing value as: zen's level lies between rhrt's ``known_level``
    and its ``level`` (both ends counted here, not assumed)."""
    if importlib.util.find_spec("zen") is None:
        raise NotAvailable("zen-engine is not installed (pip install 'rhrt[bench]')")
    try:
        from rhrt.batch import iter_cases
        from rhrt.synth import population
    except ImportError as exc:
        raise NotAvailable(f"rhrt.batch / rhrt.synth need the analysis extra ({exc})") from None
    from collections import Counter

    import zen_jdm

    import rhrt

    rs = rhrt.load_ruleset()
    z = zen_jdm.ZenLevels(rs.plan)
    evaluate = rs.engine("reference")
    rows, seed = (2_000 if quick else 20_000), 17
    table = population(rows, seed=seed, ruleset=rs)
    counts: Counter[str] = Counter()
    transitions: Counter[str] = Counter()
    lowered_by: Counter[tuple[str, tuple[str, ...]]] = Counter()
    for case in iter_cases(table, rs):
        e = evaluate(rs.facts(rs.validate_case(case)))
        level, urgent, pathways = z.assess(case)
        unknown = any(r.truth is None for r in e.results)
        counts["rows_with_unknown_rule"] += unknown
        counts["zen_level_is_known_level"] += level == e.known_level
        counts["zen_level_outside_known_and_level"] += not e.known_level <= level <= e.level
        same = (level, urgent, pathways) == (e.level, e.urgent, tuple(e.pathways))
        if same:
            counts["agree"] += 1
            continue
        counts["differ"] += 1
        counts["differ_without_unknown_rule"] += not unknown
        counts["zen_leaves_out_a_pathway"] += bool(set(e.pathways) - set(pathways))
        counts["zen_adds_a_pathway"] += bool(set(pathways) - set(e.pathways))
        if level < e.level:
            counts["zen_lower_level"] += 1
            transitions[f"rhrt {e.level} → zen {level}"] += 1
            for r in e.results:  # the rules rhrt counted on missing facts that set its level
                if r.truth is None and (r.rule.level or 0) > level:
                    lowered_by[(r.rule.id, r.assumed)] += 1
        elif level > e.level:
            counts["zen_higher_level"] += 1
            transitions[f"rhrt {e.level} → zen {level}"] += 1
        elif urgent != e.urgent:
            counts["same_level_urgency_differs"] += 1
        else:
            counts["same_level_pathways_differ"] += 1
    keys = (
        "agree", "differ", "zen_lower_level", "zen_higher_level", "same_level_urgency_differs",
        "same_level_pathways_differ", "zen_leaves_out_a_pathway", "zen_adds_a_pathway",
        "differ_without_unknown_rule", "rows_with_unknown_rule",
        "zen_level_is_known_level", "zen_level_outside_known_and_level",
    )
    return {
        "ruleset": _ruleset_info(rs),
        "rows": rows,
        "seed": seed,
        "source": f"rhrt.synth.population({rows}, seed={seed}) read with rhrt.batch.iter_cases",
        "compared": "level, urgent and pathways (zen_jdm.ZenLevels.assess) against the "
        "reference engine's Evaluation (level, urgent, pathways, known_level)",
        **{k: counts[k] for k in keys},
        "level_changes": dict(transitions.most_common()),
        "zen_lower_because": [
            {"rule": rule, "missing": list(missing), "rows": k}
            for (rule, missing), k in lowered_by.most_common(8)
        ],
    }


# --- 3: batch -------------------------------------------------------------------------------


def _pin_one_core() -> int | None:
    """Run on a single CPU (the batch target is "on one core")."""
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return cpu
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return None


def batch(quick: bool) -> dict[str, Any]:
    """Level + pathways for a synthetic population: vectorised engine vs per-case loop."""
    cpu = _pin_one_core()
    try:
        rb = importlib.import_module("rhrt.batch")
        synth = importlib.import_module("rhrt.synth")
        assess_table, iter_cases, population = rb.assess_table, rb.iter_cases, synth.population
    except (ImportError, AttributeError) as exc:
        raise NotAvailable(f"batch engine or synth not landed yet ({exc})") from None
    import rhrt
    from rhrt.engine.reference import evaluate

    rs = rhrt.load_ruleset()
    plan = rs.plan
    sizes = (2_000,) if quick else (100_000, 1_000_000)
    out: dict[str, Any] = {"ruleset": _ruleset_info(rs), "pinned_cpu": cpu, "sizes": {}}
    for n in sizes:
        t0 = time.perf_counter()
        table = population(n, seed=6, ruleset=rs)
        synth_s = time.perf_counter() - t0
        # one untimed call each first (allocator and page-cache warm-up), then the median of 3
        fast = time_repeat(
            functools.partial(assess_table, table, rs, fast=True, keep_input=False), repeat=4
        )
        full = time_repeat(functools.partial(assess_table, table, rs), repeat=4)
        for timing in (fast, full):
            timing["median_ms"] = statistics.median(timing.pop("times_ms")[1:])
        memory = _batch_memory(table, rs)
        levels = assess_table(table, rs, fast=True, keep_input=False).column("level")
        levels = levels.to_pylist()
        # The per-case loop: what a caller without rhrt.batch writes. Row → case dict
        # conversion (iter_cases) is timed apart; the loop figure is validate + evaluate.
        clock = time.perf_counter
        loop_s = 0.0
        mismatches = 0
        t_all = clock()
        for i, case in enumerate(iter_cases(table, rs)):
            t0 = clock()
            evaluation = evaluate(plan, rs.facts(rs.validate_case(case)))
            loop_s += clock() - t0
            if evaluation.level != levels[i]:
                mismatches += 1
        loop_total_s = clock() - t_all
        # The full per-case API (rs.assess: validation + evaluation + explanation) on a sample.
        sample = min(n, 500 if quick else 20_000)
        assess_s = 0.0
        for case in iter_cases(table.slice(0, sample), rs):
            t0 = clock()
            rs.assess(case)
            assess_s += clock() - t0
        assess_per_row_us = assess_s / sample * 1e6
        if mismatches:
            raise AssertionError(f"batch and the reference engine differ on {mismatches} rows")
        vec_s = fast["median_ms"] / 1e3
        out["sizes"][str(n)] = {
            "synth_s": synth_s,
            "vectorised_s": vec_s,
            "vectorised_first_s": fast["first_ms"] / 1e3,
            "vectorised_rows_per_s": n / vec_s,
            "vectorised_computes": "assess_table(fast=True, keep_input=False): level, urgent, "
            "one boolean column per pathway",
            "vectorised_lists_s": full["median_ms"] / 1e3,
            "vectorised_lists_computes": "assess_table() default: input columns + level, "
            "urgent, pathways list (first-recommended order), determining_indicators list",
            "loop_s": loop_s,
            "loop_rows_per_s": n / loop_s,
            "loop_with_row_conversion_s": loop_total_s,
            "loop_computes": "per row: validate_case + facts + reference evaluate() (level, "
            "urgent, pathways, per-rule trace); row → dict conversion not counted",
            "speedup": loop_s / vec_s,
            "assess_loop_sample_rows": sample,
            "assess_loop_per_row_us": assess_per_row_us,
            "assess_loop_extrapolated_s": assess_per_row_us * n / 1e6,
            "speedup_vs_assess_loop": assess_per_row_us * n / 1e6 / vec_s,
            "levels_agree_rows": n,
            "first_vs_warm": fast["first_ms"] / fast["median_ms"],
            **memory,
        }
        del table, levels
    return out


_POOLS: list[Any] = []


def _batch_memory(table: Any, rs: Any, *, fast: bool = True) -> dict[str, float]:
    """Peak memory one ``assess_table(fast=True, keep_input=False)`` call (with ``fast=False``:
    ``assess_table()``, the default mode) allocates beyond its input: numpy and Python
    allocations (tracemalloc's peak; numpy reports to it) plus Arrow's memory pool (its peak
    rise). An untimed call of its own (tracing slows allocation)."""
    import tracemalloc

    import pyarrow as pa

    from rhrt.batch import assess_table

    # a proxy pool of its own: the default pool's max_memory() is its peak since the process
    # started, which includes generating the input (it added ≈ 90 MiB per 1M rows here)
    parent = pa.default_memory_pool()
    pool = pa.proxy_memory_pool(parent)
    _POOLS.append(pool)  # kept alive: a buffer freed after this call still reaches it
    pa.set_memory_pool(pool)
    tracemalloc.start()
    try:
        out = assess_table(table, rs, fast=True, keep_input=False) if fast else assess_table(
            table, rs
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        pa.set_memory_pool(parent)
    arrow_peak = pool.max_memory()
    del out
    total = (peak + arrow_peak) / 2**20
    return {
        "memory_beyond_input_mib": total,
        "memory_beyond_input_mib_per_1m": total * 1e6 / max(table.num_rows, 1),
    }


# --- 3b: batch scaling, 10k to 10M rows --------------------------------------------------------


def _available_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        pass
    return None


SCALING_GIB_PER_1M = 1.0
"""Memory needed per 1M rows for ``fast=True`` (input ≈ 125 MiB, ≈ 250-400 MiB beyond it, the
allocator's slack, with room to spare): with less available, a size is skipped and says so."""
SCALING_DEFAULT_GIB_PER_1M = 1.5
"""The same for the default mode (its result adds ≈ 115 MiB of lists per 1M rows and it keeps
the input columns): with less available, only ``fast=True`` is timed at that size."""


def scaling(quick: bool) -> dict[str, Any]:
    """Batch time and memory per row from 10k to 10M rows, all in memory, on one core.

    Per size: ``rhrt.synth.population(n, seed=6)`` in memory, then ``assess_table(fast=True,
    keep_input=False)`` (the first call and the median of the warm ones) and the default
    ``assess_table()``; each mode's memory beyond the input once more, untimed
    (:func:`_batch_memory`). A size or mode the machine's available memory cannot hold is
    skipped with the reason (the ``stream`` scenario covers 10M rows from a file)."""
    missing = [m for m in ("numpy", "pyarrow") if importlib.util.find_spec(m) is None]
    if missing:  # rhrt.synth imports them only when called
        raise NotAvailable(f"{', '.join(missing)} not installed (the analysis extra)")
    cpu = _pin_one_core()
    try:
        population = importlib.import_module("rhrt.synth").population
        assess_table = importlib.import_module("rhrt.batch").assess_table
    except (ImportError, AttributeError) as exc:
        raise NotAvailable(f"batch engine or synth not available ({exc})") from None
    import rhrt

    rs = rhrt.load_ruleset()
    sizes = (1_000, 5_000, 20_000) if quick else (10_000, 100_000, 1_000_000, 10_000_000)
    # the time per row of each larger size ÷ that of base_rows, timed in alternating rounds
    # (the target is ÷ 100k; a quick run exercises the same code with 5k)
    base_rows = 5_000 if quick else 100_000
    base: Any = None
    out: dict[str, Any] = {
        "ruleset": _ruleset_info(rs),
        "pinned_cpu": cpu,
        "source": "rhrt.synth.population(n, seed=6), in memory (pyarrow Table)",
        "sizes": {},
        "skipped": {},
    }
    for n in sizes:
        free = _available_gib()
        need = SCALING_GIB_PER_1M * n / 1e6
        if free is not None and free < need:
            out["skipped"][str(n)] = (
                f"{free:.1f} GiB available, about {need:.0f} GiB needed in memory"
            )
            continue
        t0 = time.perf_counter()
        table = population(n, seed=6, ruleset=rs)
        row: dict[str, Any] = {
            "synth_s": time.perf_counter() - t0,
            "input_mib": table.nbytes / 2**20,
        }
        repeat = 3 if quick else max(3, min(21, 2_000_000 // n + 1))  # 21 at 10k … 3 at 10M
        modes: dict[str, dict[str, Any]] = {"fast": dict(fast=True, keep_input=False)}
        free = _available_gib()
        need = SCALING_DEFAULT_GIB_PER_1M * n / 1e6
        if free is None or free >= need:
            modes["default"] = {}
        else:
            row["default_skipped"] = (
                f"{free:.1f} GiB available, about {need:.1f} GiB needed for the default mode"
            )
        for mode, kwargs in modes.items():
            timing = time_repeat(functools.partial(assess_table, table, rs, **kwargs),
                                 repeat=repeat)
            warm = statistics.median(timing["times_ms"][1:]) / 1e3
            memory = _batch_memory(table, rs, fast=mode == "fast")
            row[mode] = {
                "first_s": timing["first_ms"] / 1e3,
                "warm_s": warm,
                "warm_calls": repeat - 1,
                "ns_per_row": warm / n * 1e9,
                "memory_beyond_input_mib": memory["memory_beyond_input_mib"],
                "memory_beyond_input_mib_per_1m": memory["memory_beyond_input_mib_per_1m"],
            }
        if n == base_rows:
            base = table
        elif base is not None and n > base_rows:
            row["fast"]["per_row_over_base"] = _interleaved_ratio(
                assess_table, rs, table, base, rounds=3 if quick or n >= 10_000_000 else 5
            )
        out["sizes"][str(n)] = row
        del table
    larger = [n for n, row in out["sizes"].items() if "per_row_over_base" in row["fast"]]
    if larger:
        largest = max(larger, key=int)
        out["time_per_row_ratio"] = {
            "largest_rows": int(largest),
            "base_rows": base_rows,
            "over_base": out["sizes"][largest]["fast"]["per_row_over_base"]["ratio"],
        }
    return out


def _interleaved_ratio(
    assess_table: Callable[..., Any], rs: Any, table: Any, base: Any, *, rounds: int
) -> dict[str, Any]:
    """Time per row of ``assess_table(fast=True)`` on ``table`` ÷ that on the smaller ``base``
    table, timed in alternating rounds (three calls on ``base``, then one on ``table``), so a
    change in the machine's load colours both alike: the ratio of the medians per row."""
    import gc

    def timed(t: Any) -> float:
        gc.collect()
        t0 = time.perf_counter()
        assess_table(t, rs, fast=True, keep_input=False)
        return (time.perf_counter() - t0) / t.num_rows

    small: list[float] = []
    big: list[float] = []
    for _ in range(rounds):
        small += [timed(base) for _ in range(3)]
        big.append(timed(table))
    ratio = statistics.median(big) / statistics.median(small)
    return {"ratio": ratio, "rounds": rounds, "base_rows": base.num_rows}


# --- 4: load and cold start -----------------------------------------------------------------


def load(quick: bool) -> dict[str, Any]:
    """Ruleset load + validate + compile, first in a fresh process and warm."""
    from rhrt.rules.bundled import bundled_ruleset_path
    from rhrt.rules.compile import compile_ruleset
    from rhrt.rules.load import parse_ruleset
    from rhrt.rules.safe_yaml import read_yaml
    from rhrt.ruleset import ruleset_from_text

    path = bundled_ruleset_path()
    raw = path.read_bytes()
    repeat = 5 if quick else 30
    total = time_repeat(lambda: ruleset_from_text(raw, file=path.name, path=path), repeat=repeat)
    model = parse_ruleset(raw, file=path.name)
    return {
        "ruleset_bytes": len(raw),
        "load_validate_compile": total,
        "parts": {
            "yaml_read": time_repeat(lambda: read_yaml(raw, file=path.name), repeat=repeat),
            "parse_validate": time_repeat(
                lambda: parse_ruleset(raw, file=path.name), repeat=repeat
            ),
            "compile": time_repeat(lambda: compile_ruleset(model), repeat=repeat),
        },
    }


def _case_file() -> Path:
    """An example case (examples/cases) that the bundled ruleset accepts, or a generated one."""
    import rhrt

    rs = rhrt.load_ruleset()
    for path in sorted((ROOT / "examples" / "cases").glob("*.y*ml")):
        try:
            rs.validate_case(path)
        except rhrt.RhrtError:
            continue
        return path
    TMP.mkdir(parents=True, exist_ok=True)
    path = TMP / "coldstart-case.json"
    path.write_text(json.dumps(casegen.make_cases(rs, 5, 1)[0]))
    return path


def _installed_env(cached: bool = True) -> dict[str, str]:
    """The environment of a measured fresh process: with ``cached``, byte code is cached as in
    an installed package (pip compiles it on install; a checkout writes ``__pycache__`` on
    first import). ``PYTHONDONTWRITEBYTECODE``, set on the shared development machine, would
    otherwise make every run compile rhrt's modules from source (45-65 ms of a cold start,
    issue 17), which no installed copy does. The cache goes to a folder of the bench's own
    (``PYTHONPYCACHEPREFIX``), never into the checkout; the first, unmeasured run fills it."""
    env = dict(os.environ)
    if cached:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(TMP / "pycache")
    return env


def _first_load(runs: int) -> dict[str, float]:
    """``rhrt.load_ruleset()`` (the bundled ruleset) as the first call in a fresh process,
    timed inside it after ``import rhrt`` (no collection before it): median of ``runs``, after
    one unmeasured run (byte code cached: :func:`_installed_env`)."""
    code = (
        "import time, rhrt; t = time.perf_counter(); rhrt.load_ruleset(); "
        "print((time.perf_counter() - t) * 1e3)"
    )
    times = []
    for _ in range(runs + 1):
        proc = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env=_installed_env(),
        )
        times.append(float(proc.stdout.strip()))
    times = times[1:]
    return {"median_ms": statistics.median(times), "min_ms": min(times), "runs": runs}


DEPENDENCIES_FLOOR = (
    "import pydantic, yaml, jinja2.runtime\n"
    "class M(pydantic.BaseModel):\n"
    "    a: int = 1\n"
    "M(a=2)\n"
)
"""The imports every ``rhrt assess`` needs from its dependencies, and one pydantic model."""


def coldstart(quick: bool) -> dict[str, Any]:
    """``rhrt assess CASE`` as a whole process, against bare Python as the floor."""
    exe = _rhrt_exe()
    case = _case_file()
    runs = 3 if quick else 20

    def wall(cmd: list[str], cached: bool = True) -> dict[str, float]:
        times = []
        for _ in range(runs + 1):  # the first run, unmeasured, caches the byte code
            t0 = time.perf_counter()
            proc = subprocess.run(
                cmd, capture_output=True, check=False, env=_installed_env(cached)
            )
            times.append((time.perf_counter() - t0) * 1e3)
            if proc.returncode != 0:
                raise RuntimeError(
                    f"{' '.join(cmd[-3:])} exited {proc.returncode}: {proc.stderr[-300:]!r}"
                )
        times = times[1:]
        return {"median_ms": statistics.median(times), "min_ms": min(times), "runs": runs}

    rel = case.relative_to(ROOT) if case.is_relative_to(ROOT) else case
    result: dict[str, Any] = {
        "case": str(rel),
        "bytecode": "cached, as installed (see _installed_env)",
        "rhrt_assess": wall([exe, "assess", str(case)]),
        "python_bare": wall([sys.executable, "-S", "-c", "pass"]),
        "python_site": wall([sys.executable, "-c", "pass"]),
        "import_rhrt": wall([sys.executable, "-c", "import rhrt"]),
        # The floor set by the chosen dependencies alone: what every rhrt command imports
        # (pydantic with one model built, PyYAML, jinja2's runtime for the compiled templates),
        # with no rhrt code at all.
        "dependencies_floor": wall([sys.executable, "-c", DEPENDENCIES_FLOOR]),
        "first_load": _first_load(runs),
    }
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        # what this environment gives without a byte-code cache (rhrt compiled every run)
        result["rhrt_assess_bytecode_not_cached"] = wall([exe, "assess", str(case)], cached=False)
    # What the command imports, slowest first (cumulative ms, two levels deep).
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "rhrt", "assess", str(case)],
        capture_output=True,
        text=True,
        check=False,
        env=_installed_env(),
    )
    top: dict[str, int] = {}
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m and len(m.group(3)) <= 3:  # top-level imports and their direct imports
            name = m.group(4)
            top[name] = top.get(name, 0) + int(m.group(2))
    result["imports_top_ms"] = {
        k: round(v / 1e3, 1) for k, v in sorted(top.items(), key=lambda kv: -kv[1])[:12]
    }
    result["modules_imported"] = sum(1 for ln in proc.stderr.splitlines() if "import time:" in ln)
    return result


# --- 5: streaming memory --------------------------------------------------------------------


def _has_command(name: str) -> bool:
    return importlib.util.find_spec(f"rhrt.cli.{name}") is not None


def _run_measured(cmd: list[str]) -> tuple[float, int, int, str]:
    """Run a command; wall seconds, exit code, peak RSS (KiB) of that child, stderr tail."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        err.seek(0)
        tail = err.read()[-400:].decode("utf-8", "replace")
    return wall, proc.returncode, usage.ru_maxrss, tail


def stream(quick: bool) -> dict[str, Any]:
    """Peak memory of ``rhrt batch`` streaming a large Parquet file (file generated once)."""
    if not (_has_command("batch") and _has_command("synth")):
        raise NotAvailable("`rhrt batch` / `rhrt synth` have not landed yet")
    if importlib.util.find_spec("pyarrow") is None:
        raise NotAvailable("pyarrow is not installed")
    exe = _rhrt_exe()
    rows = 10_000 if quick else 10_000_000
    TMP.mkdir(parents=True, exist_ok=True)
    src = TMP / f"population-{rows}.parquet"
    out = TMP / f"levels-{rows}.parquet"
    generated: dict[str, Any] | None = None
    if not src.exists():
        part = src.with_suffix(".part.parquet")
        wall, code, rss, tail = _run_measured([exe, "synth", str(rows), "--out", str(part)])
        if code != 0:
            raise RuntimeError(f"rhrt synth exited {code}: {tail}")
        part.rename(src)
        generated = {"wall_s": wall, "peak_rss_mib": rss / 1024}
    wall, code, rss, tail = _run_measured([exe, "batch", str(src), "--out", str(out)])
    if code != 0:
        raise RuntimeError(f"rhrt batch exited {code}: {tail}")
    import pyarrow.parquet as pq

    out_rows = pq.ParquetFile(out).metadata.num_rows
    if out_rows != rows:
        raise AssertionError(f"rhrt batch wrote {out_rows} rows for {rows} input rows")
    result = {
        "rows": rows,
        "input_bytes": src.stat().st_size,
        "output_bytes": out.stat().st_size,
        "wall_s": wall,
        "rows_per_s": rows / wall,
        "peak_rss_mib": rss / 1024,
        "synth": generated or "reused an existing file",
    }
    out.unlink(missing_ok=True)
    return result


# --- 6: a large ruleset ----------------------------------------------------------------------


def large(quick: bool) -> dict[str, Any]:
    """One assessment against a generated 2,000-indicator, 2,000-rule ruleset, with up to
    1,990 concerns: the size at which the explanation's holding set used to be quadratic
    (issue 12; 143 s for one assessment). Full pipeline and each part of the explanation."""
    import rhrt

    n = 300 if quick else 2000
    text = casegen.large_ruleset_text(n, n)
    t0 = time.perf_counter()
    rs = rhrt.ruleset_from_text(text)
    load_s = time.perf_counter() - t0
    below_top = [i for i in rs.plan.indicator_order if rs.plan.indicator_level[i] < 4]
    rng = __import__("random").Random(12)
    sizes = (0, 20, 200, min(1990, len(below_top)))
    repeats = 1 if quick else 3
    out: dict[str, Any] = {
        "ruleset_bytes": len(text.encode()),
        "indicators": len(rs.plan.indicator_order),
        "rules": len(rs.plan.rules),
        "load_s": load_s,
        "sizes": {},
    }
    for k in sizes:
        # an older child: the level-4 rules about babies count concerns first, then fail
        cases = [
            {"child": {"age_years": 10}, "indicators": rng.sample(below_top, k)}
            for _ in range(repeats)
        ]
        out["sizes"][str(k)] = _large_timings(rs, cases)
    return out


def _large_timings(rs: Any, cases: list[dict[str, Any]]) -> dict[str, float]:
    """Median seconds per case of the full assessment and of each part of it."""
    from rhrt.explain import determining_indicators, holding_set, near_misses

    plan = rs.plan
    facts = [rs.facts(rs.validate_case(c)) for c in cases]
    evaluations = [rs.engine("reference")(f) for f in facts]

    def timed(fn: Callable[[int], object]) -> float:
        times = []
        for i in range(len(cases)):
            t = time.perf_counter()
            fn(i)
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    return {
        "assess_s": timed(lambda i: rs.assess(cases[i])),
        "evaluate_s": timed(lambda i: rs.engine("reference")(facts[i])),
        "holding_set_s": timed(
            lambda i: holding_set(plan, facts[i], evaluations[i].level, evaluations[i].results)
        ),
        "near_misses_s": timed(lambda i: near_misses(plan, facts[i], evaluations[i])),
        "determining_s": timed(lambda i: determining_indicators(plan, facts[i], evaluations[i])),
    }


# --- 7: Spark local[2] against the single process ----------------------------------------------


def _spark_session(scratch: Path) -> Any:
    """A local[2] session with no UI, no network beyond loopback, scratch space under ``scratch``
    and Spark's own log at WARN."""
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]").appName("rhrt-bench")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.local.dir", str(scratch / "local"))
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .config("spark.driver.memory", "3g")
        .config("spark.sql.files.openCostInBytes", "1024")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("WARN")
    return session


def spark(quick: bool) -> dict[str, Any]:
    """rows/s of ``rhrt.batch.spark.assess`` on ``local[2]`` against the single-process path
    (``assess_file``, one process) on the same Parquet file, Parquet out for both; then the cost
    of each extra partition (1M rows split into more and more partitions)."""
    if importlib.util.find_spec("pyspark") is None:
        raise NotAvailable("pyspark is not installed (the spark extra)")
    import shutil as _shutil

    if _shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise NotAvailable("no Java runtime")
    import pyarrow.parquet as pq

    import rhrt
    from rhrt.batch import assess_file
    from rhrt.batch.spark import assess
    from rhrt.synth import population_batches

    rs = rhrt.load_ruleset()
    sizes = (20_000,) if quick else (1_000_000, 10_000_000)
    TMP.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"ruleset": _ruleset_info(rs), "sizes": {}, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(dir=TMP) as tmp:
        scratch = Path(tmp)
        t0 = time.perf_counter()
        session = _spark_session(scratch)
        session.range(1).count()
        out["session_start_s"] = time.perf_counter() - t0
        for n in sizes:
            src = TMP / f"spark-population-{n}.parquet"
            if not src.exists():
                part = src.with_suffix(".part")
                writer = None
                for table in population_batches(n, seed=8, ruleset=rs):
                    if writer is None:
                        writer = pq.ParquetWriter(part, table.schema)
                    writer.write_table(table, row_group_size=50_000)
                assert writer is not None
                writer.close()
                part.rename(src)
            local_out = scratch / f"local-{n}.parquet"
            t0 = time.perf_counter()
            assess_file(src, local_out, rs, progress=False)
            local_s = time.perf_counter() - t0
            df = session.read.parquet(str(src))
            parts = df.rdd.getNumPartitions()
            t0 = time.perf_counter()
            assess(df, rs).write.mode("overwrite").parquet(str(scratch / f"spark-{n}"))
            spark_s = time.perf_counter() - t0
            written = session.read.parquet(str(scratch / f"spark-{n}")).count()
            if written != n:
                raise AssertionError(f"Spark wrote {written} rows for {n}")
            out["sizes"][str(n)] = {
                "partitions": parts,
                "single_process_s": local_s,
                "single_process_rows_per_s": n / local_s,
                "spark_local2_s": spark_s,
                "spark_local2_rows_per_s": n / spark_s,
                "spark_over_single": local_s / spark_s,
            }
        # overhead per partition: the same rows in more partitions (split at row groups)
        n = sizes[0]
        src = TMP / f"spark-population-{n}.parquet"
        size = src.stat().st_size
        per_partition: dict[str, Any] = {}
        for wanted in ((2, 4) if quick else (2, 8, 32)):
            session.conf.set("spark.sql.files.maxPartitionBytes", str(max(size // wanted, 1)))
            df = session.read.parquet(str(src))
            parts = df.rdd.getNumPartitions()
            t0 = time.perf_counter()
            assess(df, rs, fast=True).write.format("noop").mode("overwrite").save()
            per_partition[str(parts)] = time.perf_counter() - t0
        counts = sorted(per_partition, key=int)
        lo, hi = counts[0], counts[-1]
        out["partitions_s"] = per_partition
        if int(hi) > int(lo):
            out["overhead_per_partition_ms"] = (
                (per_partition[hi] - per_partition[lo]) / (int(hi) - int(lo)) * 1e3
            )
        session.stop()
    return out


SCENARIOS: Mapping[str, Callable[[bool], dict[str, Any]]] = {
    "single": single,
    "zen_missing": zen_missing,
    "batch": batch,
    "scaling": scaling,
    "load": load,
    "coldstart": coldstart,
    "stream": stream,
    "large": large,
    "spark": spark,
}

# SPDX-License-Identifier: MIT
"""The benchmark still runs: ``python bench/run.py --quick`` completes and writes valid JSON.

No timing assertions (figures depend on the machine); this only guards against the harness
rotting as the code it measures changes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {"single", "zen_missing", "batch", "scaling", "load", "coldstart", "stream", "large"}
RUN = ROOT / "bench" / "run.py"


@pytest.mark.slow
def test_quick_benchmark_runs_and_writes_json(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "RHRT_BENCH_TMP": str(tmp_path / "work")},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads((tmp_path / "latest-quick.json").read_text())
    assert report["mode"] == "quick"
    assert report["machine"]["python"]
    assert set(report["scenarios"]) == SCENARIOS
    for name, result in report["scenarios"].items():
        # a piece that has not landed is reported as such; nothing may crash
        assert result["status"] in {"ok", "not available"}, (name, result.get("reason"))
    single = report["scenarios"]["single"]
    assert single["status"] == "ok"
    assert single["engines"]["rhrt"]["status"] == "ok"
    for engine in single["engines"].values():
        assert engine["status"] in {"ok", "not available"}, engine.get("reason")
    assert {t["id"] for t in report["targets"]} >= {"coldstart_ms", "load_ms"}
    assert "| Scenario |" in proc.stdout


def _quick(tmp_path: Path, only: str) -> tuple[dict[str, Any], str]:
    """``bench/run.py --quick --only ONLY``: the report and the Markdown summary."""
    proc = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--only", only, "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "RHRT_BENCH_TMP": str(tmp_path / "work")},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report: dict[str, Any] = json.loads((tmp_path / "latest-quick.json").read_text())
    assert report["only"] == only.split(",")
    return report, (tmp_path / "latest-quick.md").read_text()


def test_zen_missing_counts_are_consistent(tmp_path: Path) -> None:
    """zen against rhrt on rows with missing facts: every row is counted once, every
    difference is on a row where a rule needs a missing fact, and zen's level always lies
    between rhrt's known-facts level and its fail-safe level (so never above rhrt's)."""
    report, md = _quick(tmp_path, "zen_missing")
    zm = report["scenarios"]["zen_missing"]
    if zm["status"] == "not available":
        pytest.skip(zm["reason"])
    assert zm["status"] == "ok", zm.get("reason")
    rows = zm["rows"]
    assert rows > 0
    assert zm["agree"] + zm["differ"] == rows
    kinds = ("zen_lower_level", "zen_higher_level", "same_level_urgency_differs",
             "same_level_pathways_differ")
    assert sum(zm[k] for k in kinds) == zm["differ"]
    assert sum(zm["level_changes"].values()) == zm["zen_lower_level"] + zm["zen_higher_level"]
    # the population has missing ages and measures: the comparison is not vacuous
    assert zm["rows_with_unknown_rule"] > 0
    assert zm["differ"] <= zm["rows_with_unknown_rule"]
    assert zm["differ_without_unknown_rule"] == 0
    assert zm["zen_level_outside_known_and_level"] == 0
    assert zm["zen_higher_level"] == 0
    assert zm["zen_leaves_out_a_pathway"] <= zm["differ"]
    assert zm["zen_adds_a_pathway"] <= zm["differ"]
    if zm["zen_lower_level"]:
        assert zm["zen_lower_because"]
    for entry in zm["zen_lower_because"]:
        assert entry["rule"] and entry["missing"] and entry["rows"] > 0
    assert "### zen-engine and rhrt on rows with missing facts" in md


def test_scaling_reports_every_size(tmp_path: Path) -> None:
    """The scaling table: each size either measured (time and memory per row, fast mode, and
    the default mode, each unless the available memory is too small, which it then says), and
    the ratio of time per row to a base size timed in alternating rounds."""
    report, md = _quick(tmp_path, "scaling")
    sc = report["scenarios"]["scaling"]
    if sc["status"] == "not available":  # e.g. the sdist's own test run, without the extras
        pytest.skip(sc["reason"])
    assert sc["status"] == "ok", sc.get("reason")
    assert sc["sizes"], sc["skipped"]
    for n, row in sc["sizes"].items():
        assert int(n) > 0 and row["input_mib"] > 0
        assert "fast" in row
        for mode in ("fast", "default"):
            if mode not in row:
                continue
            m = row[mode]
            assert m["warm_calls"] >= 2
            assert m["warm_s"] > 0 and m["first_s"] > 0
            assert m["ns_per_row"] == pytest.approx(m["warm_s"] / int(n) * 1e9)
            assert m["memory_beyond_input_mib"] > 0
            assert m["memory_beyond_input_mib_per_1m"] == pytest.approx(
                m["memory_beyond_input_mib"] * 1e6 / int(n)
            )
        assert ("default" in row) != ("default_skipped" in row)
    for why in sc["skipped"].values():
        assert "GiB" in why
    # every size above the base has its ratio timed in alternating rounds; the largest is
    # the scenario's ratio, and the target's only when the base is 100k rows
    ratio = sc["time_per_row_ratio"]
    base = ratio["base_rows"]
    larger = [n for n in sc["sizes"] if int(n) > base]
    assert larger and str(base) in sc["sizes"]
    for n in larger:
        r = sc["sizes"][n]["fast"]["per_row_over_base"]
        assert r["ratio"] > 0 and r["rounds"] >= 1 and r["base_rows"] == base
    assert ratio["largest_rows"] == max(int(n) for n in larger)
    target = {t["id"]: t for t in report["targets"]}["batch_scaling"]
    assert target["value"] == (ratio["over_base"] if base == 100_000 else None)
    assert "### Batch scaling, one core" in md
    assert md.count("| in memory |") == len(sc["sizes"])


def test_update_docs_copies_only_a_full_run(tmp_path: Path) -> None:
    """``--update-docs`` replaces what is between the markers and keeps the rest; it refuses
    a quick run, a partial run (unless allowed) and a page without markers."""
    begin = "<!-- latest: begin (copied from bench/results/latest.md) -->"
    docs = tmp_path / "performance.md"
    before, after = "# Performance\n\nkept above\n\n", "\n\nkept below\n"
    docs.write_text(f"{before}{begin}\nold figures\n<!-- latest: end -->{after}")
    results = tmp_path / "results"
    results.mkdir()

    def update(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(RUN), "--update-docs", "--out", str(results),
             "--docs", str(docs), *extra],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )

    assert update().returncode == 2  # nothing to copy yet
    (results / "latest.md").write_text("new figures\n")
    (results / "latest.json").write_text(json.dumps({"mode": "quick", "only": None}))
    assert update().returncode == 2
    (results / "latest.json").write_text(json.dumps({"mode": "full"}))  # an older report
    assert update().returncode == 2
    (results / "latest.json").write_text(json.dumps({"mode": "full", "only": ["batch"]}))
    assert update().returncode == 2
    assert "old figures" in docs.read_text()
    assert update("--allow-partial").returncode == 0
    (results / "latest.json").write_text(json.dumps({"mode": "full", "only": None}))
    proc = update()
    assert proc.returncode == 0, proc.stderr
    text = docs.read_text()
    assert text == f"{before}{begin}\nnew figures\n<!-- latest: end -->{after}"
    docs.write_text("no markers\n")
    assert update().returncode == 2
    assert docs.read_text() == "no markers\n"

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

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {"single", "batch", "load", "coldstart", "stream", "large"}


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

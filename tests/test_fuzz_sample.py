# SPDX-License-Identifier: MIT
"""A small, fast sample of the fuzz campaign in fuzz/ (200 inputs per target).

The dedicated command ``python fuzz/run.py`` runs 100,000 inputs per target (and atheris where
it is installed); this keeps the same contract in every normal test run: nothing but RhrtError
escapes the ruleset loader, the case parser or assess, and no planted case value reaches an
error message, a record or a repr.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

ROOT = Path(__file__).parents[1]
FUZZ = ROOT / "fuzz"


def _targets() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rhrt_fuzz_targets", FUZZ / "targets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


targets = _targets()
SAMPLE = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("name", sorted(targets.TARGETS))
def test_fuzz_target_sample(name: str) -> None:
    if name == "tables":  # tables are the analysis extra's (the sdist's tests run without it)
        pytest.importorskip("pyarrow")
        pytest.importorskip("pandas")
        pytest.importorskip("polars")
    target = targets.TARGETS[name]
    stats = targets.Stats()

    @SAMPLE
    @given(target.strategy())
    def fuzz(value: Any) -> None:
        target.run(value, stats)

    fuzz()
    assert stats.total >= 200
    # The generators reach both outcomes: inputs that are refused and inputs that get through.
    assert len(stats.outcomes) >= 2, stats.outcomes


def test_the_contract_check_catches_an_escaping_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness itself can fail: a non-RhrtError escaping is reported as a FuzzFailure."""
    import rhrt

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("boom")

    monkeypatch.setattr(rhrt, "ruleset_from_text", broken)
    with pytest.raises(targets.FuzzFailure, match="KeyError escaped"):
        targets.target_ruleset_loader("a: 1")


def test_the_contract_check_catches_a_leaked_value(monkeypatch: pytest.MonkeyPatch) -> None:
    import rhrt

    secret = targets.SECRET_PREFIX + "x" * 30

    def leaky(self: Any, value: Any, **kwargs: Any) -> Any:
        raise rhrt.CaseError(f"bad value {secret}")

    monkeypatch.setattr(rhrt.Ruleset, "validate_case", leaky)
    with pytest.raises(targets.FuzzFailure, match="leaked"):
        targets.target_case_parser(({"reference": secret}, secret, True))


def test_the_fuzz_command_runs(tmp_path: Path) -> None:
    for extra_module in ("pyarrow", "pandas", "polars"):  # the tables target needs them
        pytest.importorskip(extra_module)
    proc = subprocess.run(
        [sys.executable, str(FUZZ / "run.py"), "--examples", "20", "--jobs", "1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for name in targets.TARGETS:
        assert f"[hypothesis] {name}: 20 inputs" in proc.stdout, proc.stdout


def test_a_table_pandas_cannot_hold_is_fuzzed_as_arrow() -> None:
    """Regression: the tables generator failed about one run in seven ("year 10183 is out of
    range") when an integer cell was read as date32 days past year 9999 and converted to
    pandas; such a table is now fuzzed as the Arrow table it is, and both batch paths still
    agree on it."""
    pa = pytest.importorskip("pyarrow")
    pytest.importorskip("pandas")
    late = {"assessment_date": pa.array([3_000_000], pa.date32())}
    table = targets.pandas_or_arrow(late, 1)
    assert isinstance(table, pa.Table) and table.column("assessment_date").equals(
        pa.chunked_array([late["assessment_date"]]))
    targets.target_tables((table, "not-in-any-error", "arrow"))
    frame = targets.pandas_or_arrow({"age_years": pa.array([3.0])}, 1)
    assert not isinstance(frame, pa.Table) and frame["age_years"].tolist() == [3.0]

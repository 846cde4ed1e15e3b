# SPDX-License-Identifier: MIT
"""Careless input gives a clear message and exit 2, never "unexpected error" (issue 12).

Also: the command line stops reading a case (file or stdin) at the size limit, and wrong
Python argument types are a typed :class:`rhrt.errors.ArgumentError` (a ``TypeError`` too).
"""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

import rhrt
from rhrt.cli import main
from rhrt.errors import ArgumentError, RhrtError
from rhrt.rules.safe_yaml import DEFAULT_LIMITS

MINIMAL = str(Path(__file__).parent / "rulesets" / "minimal.yaml")
SECRET = "SECRET-CASE-CONTENT-7f3a"
CASE = {"child": {"age_years": 3}, "indicators": []}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    _, err = capsys.readouterr()
    return code, err


def assert_clear(code: int, err: str) -> None:
    assert code == 2, err
    assert err.startswith("rhrt: error:") and "unexpected" not in err
    assert SECRET not in err


# -- tables -----------------------------------------------------------------------------------


def _inputs(tmp_path: Path) -> dict[str, Path]:
    corrupt_parquet = tmp_path / "corrupt.parquet"
    corrupt_parquet.write_bytes(b"PAR1" + SECRET.encode() * 50 + b"PAR1")
    corrupt_gz = tmp_path / "corrupt.csv.gz"
    corrupt_gz.write_bytes(gzip.compress(f"case_ref\n{SECRET}\n".encode() * 100)[:60] + b"junk")
    plain_gz = tmp_path / "plain.csv.gz"
    plain_gz.write_text(f"case_ref\n{SECRET}\n")
    truncated = tmp_path / "truncated.parquet"
    pq = pytest.importorskip("pyarrow.parquet")
    pa = pytest.importorskip("pyarrow")
    whole = tmp_path / "whole.parquet"
    pq.write_table(pa.table({"case_ref": [SECRET] * 1000, "age_years": [3] * 1000}), whole)
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return {
        "missing-parquet": tmp_path / "missing.parquet",
        "missing-csv": tmp_path / "missing.csv",
        "corrupt-parquet": corrupt_parquet,
        "truncated-parquet": truncated,
        "corrupt-csv-gz": corrupt_gz,
        "plain-text-named-gz": plain_gz,
    }


@pytest.mark.parametrize("kind", ["missing-parquet", "missing-csv", "corrupt-parquet",
                                  "truncated-parquet", "corrupt-csv-gz", "plain-text-named-gz"])
@pytest.mark.parametrize("command", ["batch", "audit", "diff"])
def test_unreadable_table_inputs_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, command: str
) -> None:
    pytest.importorskip("numpy")
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    source = str(_inputs(tmp_path)[kind])
    argv = {
        "batch": ["batch", source, "--out", str(tmp_path / "out.csv"), "--rules", MINIMAL],
        "audit": ["audit", source, "--rules", MINIMAL],
        "diff": ["diff", MINIMAL, MINIMAL, source],
    }[command]
    assert_clear(*run(capsys, *argv))
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("seed", ["-1", "-99999999999999999999"])
def test_synth_negative_seed_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: str
) -> None:
    pytest.importorskip("numpy")
    pytest.importorskip("pyarrow")
    out = tmp_path / "pop.csv"
    # a usage error now: --seed is a whole number from 0 to 2**128-1 (rhrt.cli._numbers)
    with pytest.raises(SystemExit) as exc:
        main(["synth", "5", "--out", str(out), "--seed", seed, "--rules", MINIMAL])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert "error: argument --seed" in err and "unexpected" not in err
    assert not out.exists()


def test_synth_seed_is_checked_in_the_api_too() -> None:
    pytest.importorskip("numpy")
    pytest.importorskip("pyarrow")
    from rhrt.synth import population

    with pytest.raises(rhrt.CaseError, match="seed"):
        population(5, seed=-1)


# -- bounded reading ---------------------------------------------------------------------------


class Endless(io.RawIOBase):
    """A stream of zero bytes that never ends, counting what was read from it."""

    def __init__(self) -> None:
        self.read_so_far = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = len(buffer)
        buffer[:size] = b"\0" * size
        self.read_so_far += size
        return size


def test_stdin_is_read_only_up_to_the_limit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    endless = Endless()
    fake = io.TextIOWrapper(io.BufferedReader(endless, buffer_size=1 << 16))
    monkeypatch.setattr(sys, "stdin", fake)
    code, err = run(capsys, "assess", "-")
    assert code == 2 and "size limit" in err
    # what was read: the limit, one byte more, and at most a buffer's worth of read-ahead
    assert endless.read_so_far <= DEFAULT_LIMITS.max_bytes + 1 + (1 << 20) + (1 << 16)


def test_a_huge_case_file_is_refused_without_reading_it_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(600_000_000)  # sparse: 600 MB to read, almost nothing on disk
    tracemalloc.start()
    try:
        code, err = run(capsys, "assess", str(big))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 2 and "size limit" in err
    assert peak < 4 * DEFAULT_LIMITS.max_bytes  # a few times the limit, not 600 MB


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_assess_dev_zero_ends_with_exit_2() -> None:
    proc = subprocess.run([sys.executable, "-m", "rhrt", "assess", "/dev/zero"],
                          capture_output=True, timeout=120)
    assert proc.returncode == 2
    assert b"size limit" in proc.stderr and b"unexpected" not in proc.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_ruleset_from_dev_zero_ends_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, "validate", "/dev/zero")
    assert code == 2 and "size limit" in err


# -- Python API argument types -------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: rhrt.load_ruleset(MINIMAL).assess(CASE, engine=5), id="engine=5"),
        pytest.param(lambda: rhrt.assess(CASE, engine=None), id="assess-engine=None"),
        pytest.param(lambda: rhrt.load_ruleset(5), id="load_ruleset(5)"),
        pytest.param(lambda: rhrt.load_ruleset(b"rules.yaml"), id="load_ruleset(bytes)"),
        pytest.param(lambda: rhrt.ruleset_from_text(None), id="ruleset_from_text(None)"),
        pytest.param(lambda: rhrt.ruleset_from_text(5), id="ruleset_from_text(5)"),
        pytest.param(lambda: rhrt.load_ruleset(MINIMAL, limits=None), id="load-limits=None"),
        pytest.param(lambda: rhrt.ruleset_from_text("x: 1", limits=None), id="text-limits=None"),
        pytest.param(lambda: rhrt.load_ruleset(MINIMAL).assess(CASE, limits=None),
                     id="assess-limits=None"),
        pytest.param(lambda: rhrt.load_ruleset(MINIMAL).validate_case("child: {}", limits={}),
                     id="validate-limits=dict"),
    ],
)
def test_wrong_argument_types_are_typed_errors(call: Any) -> None:
    with pytest.raises(ArgumentError) as info:
        call()
    assert isinstance(info.value, RhrtError) and isinstance(info.value, TypeError)
    assert info.value.exit_code == 2
    assert info.value.argument in str(info.value)

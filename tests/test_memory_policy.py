# SPDX-License-Identifier: MIT
"""The batch engine never retunes a host application's allocator unless asked."""

from __future__ import annotations

import pytest

from rhrt.batch import _memory


@pytest.fixture(autouse=True)
def fresh_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_memory, "_done", False)
    monkeypatch.setattr(_memory, "_allowed", False)
    monkeypatch.setattr(_memory.sys, "platform", "linux")


def test_library_callers_keep_their_allocator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RHRT_TUNE_MALLOC", raising=False)
    assert _memory.tune_allocator() is False


def test_zero_always_wins_even_for_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RHRT_TUNE_MALLOC", "0")
    _memory.allow_tuning()
    assert _memory.tune_allocator() is False


def test_the_command_line_opts_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RHRT_TUNE_MALLOC", raising=False)
    calls: list[tuple[int, int]] = []

    class FakeLibc:
        def mallopt(self, param: int, value: int) -> int:
            calls.append((param, value))
            return 1

    monkeypatch.setattr("ctypes.CDLL", lambda name: FakeLibc())
    _memory.allow_tuning()
    assert _memory.tune_allocator() is True
    assert [p for p, _ in calls] == [_memory._M_MMAP_THRESHOLD, _memory._M_TRIM_THRESHOLD]
    assert _memory.tune_allocator() is False  # once per process

# SPDX-License-Identifier: MIT
"""Loading pauses the cyclic garbage collector (rhrt._gc) and always restores it as it was."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

import rhrt
from rhrt._gc import paused


@pytest.fixture(autouse=True)
def _collector_back_on() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:  # pragma: no cover - pytest runs with the collector on
        gc.disable()


def test_paused_while_loading_and_enabled_after() -> None:
    seen: list[bool] = []
    with paused():
        seen.append(gc.isenabled())
        with paused():  # nested: still paused, and the outer pause still restores it
            seen.append(gc.isenabled())
        seen.append(gc.isenabled())
    assert seen == [False, False, False]
    assert gc.isenabled()
    rhrt.ruleset_from_text(rhrt.load_ruleset().path.read_bytes())  # type: ignore[union-attr]
    assert gc.isenabled()


def test_a_caller_who_disabled_the_collector_keeps_it_disabled() -> None:
    gc.disable()
    with paused():
        pass
    rhrt.load_ruleset()
    assert not gc.isenabled()


def test_restored_when_loading_fails() -> None:
    with pytest.raises(rhrt.RulesetError):
        rhrt.ruleset_from_text("ruleset: [")
    assert gc.isenabled()
    with pytest.raises(rhrt.RulesetError):
        rhrt.ruleset_from_data({"ruleset": 1})
    assert gc.isenabled()


def test_overlapping_pauses_in_threads_restore_once_all_end() -> None:
    inside = threading.Barrier(2)
    leave = threading.Event()

    def worker() -> None:
        with paused():
            inside.wait()
            leave.wait()

    t = threading.Thread(target=worker)
    t.start()
    with paused():
        inside.wait()
    assert not gc.isenabled()  # the other thread's pause has not ended
    leave.set()
    t.join()
    assert gc.isenabled()

# SPDX-License-Identifier: MIT
"""Keep freed array memory in the process instead of handing it back to the OS at once.

Why: the vector engine makes many short-lived arrays of a few megabytes. glibc serves large
allocations with fresh ``mmap`` pages and unmaps them on free, so every temporary pays page
faults again; measured on the target machine this tripled the time of a million-row batch.
Raising glibc's mmap and trim thresholds lets freed arrays be reused. The cost is that up to
the trim threshold of freed memory stays resident until the process reuses it (peak memory is
unchanged: it is set by the largest working set).

Applied once per process, on Linux with glibc only, when a large table is evaluated, and only
where the process is rhrt's own: the ``rhrt`` command line opts in (:func:`allow_tuning`); a
library caller (a case system, a notebook) keeps its allocator unless it sets the environment
variable ``RHRT_TUNE_MALLOC=1``. ``RHRT_TUNE_MALLOC=0`` always leaves the allocator alone.
"""

from __future__ import annotations

import os
import sys
import threading

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 256 << 20
_TRIM_THRESHOLD = 512 << 20

_done = False
_allowed = False
_lock = threading.Lock()


def allow_tuning() -> None:
    """Let :func:`tune_allocator` act in this process (the command line calls this)."""
    global _allowed
    _allowed = True


def tune_allocator() -> bool:
    """Raise glibc's mmap/trim thresholds once; returns whether the allocator was tuned."""
    global _done
    with _lock:
        if _done:
            return False
        _done = True
        setting = os.environ.get("RHRT_TUNE_MALLOC")
        wanted = setting == "1" or (setting is None and _allowed)
        if not wanted or not sys.platform.startswith("linux"):
            return False
        try:
            import ctypes

            libc = ctypes.CDLL("libc.so.6")
            mallopt = libc.mallopt
        except (OSError, AttributeError):  # not glibc (e.g. musl)
            return False
        ok = mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) == 1
        return bool(mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD) == 1 and ok)

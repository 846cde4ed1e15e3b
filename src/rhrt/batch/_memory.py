# SPDX-License-Identifier: MIT
"""Keep freed array memory in the process instead of handing it back to the OS at once.

Why: the vector engine makes many short-lived arrays of a few megabytes. glibc serves large
allocations with fresh ``mmap`` pages and unmaps them on free, so every temporary pays page
faults again; measured on the target machine this tripled the time of a million-row batch.
Raising glibc's mmap and trim thresholds lets freed arrays be reused. The cost is that up to
the trim threshold of freed memory stays resident until the process reuses it (peak memory is
unchanged: it is set by the largest working set).

Applied once per process, on Linux with glibc only, when a large table is evaluated. Set the
environment variable ``RHRT_TUNE_MALLOC=0`` to leave the allocator alone.
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
_lock = threading.Lock()


def tune_allocator() -> bool:
    """Raise glibc's mmap/trim thresholds once; returns whether the allocator was tuned."""
    global _done
    with _lock:
        if _done:
            return False
        _done = True
        if os.environ.get("RHRT_TUNE_MALLOC", "1") == "0" or not sys.platform.startswith("linux"):
            return False
        try:
            import ctypes

            libc = ctypes.CDLL("libc.so.6")
            mallopt = libc.mallopt
        except (OSError, AttributeError):  # not glibc (e.g. musl)
            return False
        ok = mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) == 1
        return bool(mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD) == 1 and ok)

# SPDX-License-Identifier: MIT
"""Pausing Python's cyclic garbage collector while rhrt builds long-lived objects.

Why: importing rhrt (pydantic building its model schemas) and loading a ruleset (YAML to data,
validation, the compiled plan) allocate tens of thousands of objects that all stay alive. The
collector, triggered by allocation counts, walks them again and again to find no garbage: a
full collection during the first ``load_ruleset()`` alone was 15-20 ms of about 50 (issue 17).
Pausing it for those steps changes nothing but time: nothing is freed that would have been
(the objects are alive), and reference counting still frees everything else at once.

Pausing alone would only defer the work: the first allocation after the pause would collect
the young generation, now holding every object built during it. So when the outermost pause
ends, everything is promoted to the oldest generation without being scanned (``gc.freeze()``
then ``gc.unfreeze()``: two list moves), where the collector looks only at its rare full
collections. Nothing is kept from being collected (unlike a lasting freeze): garbage cycles
that existed are found at the next full collection instead of a young one. This is skipped when
the process has frozen objects of its own (``gc.get_freeze_count()``), which stay frozen.

The pause is scoped and restored: the collector is enabled again when the outermost pause ends,
and only if it was enabled when that pause began (a caller who disabled it keeps it disabled).
Pauses nest and may overlap between threads; the collector is process-wide, so while one thread
loads a ruleset another thread's cyclic garbage waits until the load ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_depth = 0
_restore = False


@contextmanager
def paused() -> Iterator[None]:
    """Pause the cyclic collector for the ``with`` block (see the module docstring)."""
    global _depth, _restore
    with _LOCK:
        if _depth == 0:
            _restore = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _LOCK:
            _depth -= 1
            if _depth == 0 and _restore:
                if gc.get_freeze_count() == 0:
                    gc.freeze()  # promote, unscanned, to the oldest generation (see above)
                    gc.unfreeze()
                gc.enable()

# SPDX-License-Identifier: MIT
"""``-v``/``--debug``: diagnostics on standard error that never include case content.

What is shown: rhrt's and Python's versions, the command, the ruleset's id, version and hash,
the engine, how long the command took and its exit status, and, for an unexpected error, its
type and the code locations it passed through (file, line, function). What is never shown: an
exception's message, values, input file names or anything read from a case.

Library code reports through the ``rhrt`` logger (:func:`debug`), which is silent unless the
command line turns it on here.
"""

from __future__ import annotations

import contextlib
import logging
import platform
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

LOGGER = logging.getLogger("rhrt")


@contextlib.contextmanager
def enabled(on: bool, command: str) -> Iterator[None]:
    """Send the ``rhrt`` logger's debug records to standard error while a command runs."""
    if not on:
        yield
        return
    from rhrt._version import __version__

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("rhrt: debug: %(message)s"))
    previous = LOGGER.level
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.DEBUG)
    start = time.perf_counter()
    try:
        LOGGER.debug(
            "rhrt %s, Python %s (%s), command %s",
            __version__,
            platform.python_version(),
            sys.platform,
            command,
        )
        yield
    finally:
        LOGGER.debug("%s took %.2fs", command, time.perf_counter() - start)
        LOGGER.removeHandler(handler)
        LOGGER.setLevel(previous)


def where(exc: BaseException) -> None:
    """Log where an unexpected error happened: its type and each frame's file, line and
    function, never its message or any value."""
    if not LOGGER.isEnabledFor(logging.DEBUG):
        return
    LOGGER.debug("unexpected %s raised at:", type(exc).__name__)
    for frame in traceback.extract_tb(exc.__traceback__):
        LOGGER.debug("  %s:%s in %s", _short(frame.filename), frame.lineno, frame.name)


def _short(filename: str) -> str:
    """A source file's path from the ``rhrt`` package (or just its name outside it)."""
    parts = Path(filename).parts
    if "rhrt" in parts:
        return "/".join(parts[len(parts) - 1 - parts[::-1].index("rhrt") :])
    return Path(filename).name

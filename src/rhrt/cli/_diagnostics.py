# SPDX-License-Identifier: MIT
"""``-v``/``--debug``: diagnostics on standard error that never include case content.

What is shown: rhrt's and Python's versions, the command, the ruleset's id, version and hash,
the engine, how long the command took and its exit status, and, for an unexpected error, its
type and the code locations it passed through (file, line, function). What is never shown: an
exception's message, values, input file names or anything read from a case.

Library code reports through the ``rhrt`` logger, which is silent unless the command line
turns it on here. ``logging`` (and ``platform``, ``traceback``) are imported only when
``--debug`` is given or something already imported ``logging``: a command without ``--debug``
does not pay for them at start-up (issue 17).
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

LOGGER_NAME = "rhrt"


def debug_logger() -> Any:
    """The ``rhrt`` logger if debug records can go anywhere, else None: None when the logging
    module was never imported (then no handler can exist, so a debug record would be dropped)
    or when the logger is not enabled for debug records."""
    logging = sys.modules.get("logging")
    if logging is None:
        return None
    logger = logging.getLogger(LOGGER_NAME)
    return logger if logger.isEnabledFor(logging.DEBUG) else None


@contextlib.contextmanager
def enabled(on: bool, command: str) -> Iterator[None]:
    """Send the ``rhrt`` logger's debug records to standard error while a command runs."""
    if not on:
        yield
        return
    import logging
    import platform

    from rhrt._version import __version__

    logger = logging.getLogger(LOGGER_NAME)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("rhrt: debug: %(message)s"))
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    start = time.perf_counter()
    try:
        logger.debug(
            "rhrt %s, Python %s (%s), command %s",
            __version__,
            platform.python_version(),
            sys.platform,
            command,
        )
        yield
    finally:
        logger.debug("%s took %.2fs", command, time.perf_counter() - start)
        logger.removeHandler(handler)
        logger.setLevel(previous)


def where(exc: BaseException) -> None:
    """Log where an unexpected error happened: its type and each frame's file, line and
    function, never its message or any value."""
    logger = debug_logger()
    if logger is None:
        return
    import traceback

    logger.debug("unexpected %s raised at:", type(exc).__name__)
    for frame in traceback.extract_tb(exc.__traceback__):
        logger.debug("  %s:%s in %s", _short(frame.filename), frame.lineno, frame.name)


def _short(filename: str) -> str:
    """A source file's path from the ``rhrt`` package (or just its name outside it)."""
    parts = Path(filename).parts
    if "rhrt" in parts:
        return "/".join(parts[len(parts) - 1 - parts[::-1].index("rhrt") :])
    return Path(filename).name

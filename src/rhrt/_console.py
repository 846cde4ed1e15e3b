# SPDX-License-Identifier: MIT
"""Terminal niceties shared by the command line and the batch runner: colour and progress.

- Colour follows the https://no-color.org convention: ``NO_COLOR`` set to anything non-empty, or
  ``rhrt --no-color``, turns it off. rich (the ``rich`` extra) draws colour and progress. With
  colour off, text output on a terminal is rhrt's plain text (rich is not used for it), and
  rich's consoles (progress) write no styles at all: no colour, bold, underline or hyperlink.
- Progress shows only on a terminal (or when asked), and only with rich installed: without it
  there is no progress display at all, never a half-drawn one.

Progress shows counts, rates and times, never case content. rich is imported only when a
progress display is actually shown, so ``import rhrt`` stays light.
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

_color_flag = True


def set_color(enabled: bool) -> None:
    """Turn colour off (``--no-color``) or back on for this process's later output."""
    global _color_flag
    _color_flag = enabled


def color_enabled() -> bool:
    """Whether output may use colour: not when ``NO_COLOR`` is set non-empty or colour is off."""
    return _color_flag and not os.environ.get("NO_COLOR")


def rich_console(file: TextIO | None = None) -> Any:
    """A rich ``Console`` writing to ``file`` (stdout by default) that honours the colour
    setting. Raises ImportError without rich."""
    from rich.console import Console

    if not color_enabled():
        # no_color=True alone still writes bold, underline and OSC-8 hyperlinks: with colour
        # off rich writes no styling at all (no colour system), and reads no markup or emoji
        return Console(file=file, color_system=None, no_color=True, highlight=False,
                       markup=False, emoji=False)
    return Console(file=file, highlight=False)


class Progress:
    """Progress of a long run on a terminal: a bar with count, rate and time left when the
    total is known, else a spinner with count and elapsed time.

    ``enabled`` None means "when ``stream`` is a terminal". Without rich, nothing is shown.
    Use as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        total: int | None,
        enabled: bool | None = None,
        stream: TextIO | None = None,
        *,
        description: str = "rows",
    ) -> None:
        # Its own control output (rich's bar) must reach the terminal: past the CLI's sanitising
        # stream (rhrt.cli.SafeStream) when there is one. It shows numbers, never case text.
        self.stream: TextIO = stream or getattr(sys.stderr, "unsanitised", None) or sys.stderr
        wanted = _isatty(self.stream) if enabled is None else enabled
        self.total = total
        self.done = 0
        self._bar: Any = None
        self._task: Any = None
        if wanted:
            self._start(description)

    @property
    def enabled(self) -> bool:
        """Whether a display is being drawn."""
        return self._bar is not None

    def _start(self, description: str) -> None:
        try:
            from rich import progress as rp
        except ImportError:
            return
        columns: list[Any] = [rp.TextColumn("{task.description}")]
        if self.total:
            columns += [
                rp.BarColumn(),
                rp.MofNCompleteColumn(),
                rp.TaskProgressColumn(),
                rp.TimeRemainingColumn(),
            ]
        else:
            columns += [rp.SpinnerColumn(), rp.TextColumn("{task.completed:,.0f}")]
        columns.append(rp.TimeElapsedColumn())
        self._bar = rp.Progress(*columns, console=rich_console(self.stream), transient=False)
        self._task = self._bar.add_task(description, total=self.total or None)
        self._bar.start()

    def update(self, count: int) -> None:
        """``count`` more items (rows, properties) done."""
        self.done += count
        if self._bar is not None:
            self._bar.advance(self._task, count)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or exotic stream
        return False

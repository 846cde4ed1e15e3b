# SPDX-License-Identifier: MIT
"""The ``rhrt`` command line: the only part of rhrt that prints or exits.

Each subcommand lives in its own module with a ``register(subparsers)`` function, so commands
stay small and import their heavy dependencies (pandas, durable-rules) only when run.

Exit codes: 0 success, 2 invalid input (the message names the problem, no traceback),
3 a feature needs an extra that is not installed (the message says which and how),
1 unexpected error, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 129 hung up (SIGHUP).
An interrupted or terminated command leaves every output file as it was (see rhrt.files).

Every command also takes ``--no-color`` (as does a non-empty ``NO_COLOR`` environment variable)
and ``-v``/``--debug``: diagnostics on standard error (versions, the ruleset's id and hash,
timings, and where an unexpected error happened) that never include case content.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO, cast

from rhrt._text import clean
from rhrt._version import __version__
from rhrt.errors import MissingExtraError, RhrtError

COMMAND_MODULES = (
    "rhrt.cli.assess",
    "rhrt.cli.indicators",
    "rhrt.cli.validate",
    "rhrt.cli.render",
    "rhrt.cli.docs",
    "rhrt.cli.check",
    "rhrt.cli.prove",
    "rhrt.cli.test",
    "rhrt.cli.lint",
    "rhrt.cli.batch",
    "rhrt.cli.synth",
    "rhrt.cli.audit",
    "rhrt.cli.diff",
    "rhrt.cli.compare",
    "rhrt.cli.serve",
)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given ``argv``, only the chosen subcommand's module is imported.

    Why: each command imports what it needs (jinja2, pandas, hypothesis…); importing all of them
    for ``rhrt assess`` would add to every command's start-up time. Help and unknown commands
    still see every command.
    """
    import importlib

    parser = argparse.ArgumentParser(
        prog="rhrt",
        description=(
            "Right Help, Right Time levels of need: assess a child's circumstances against a "
            "threshold framework, with an explanation. Supports, never replaces, professional "
            "judgement."
        ),
    )
    parser.add_argument("--version", action="version", version=f"rhrt {__version__}")
    _add_common_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    chosen = _chosen_command(argv)
    for name in COMMAND_MODULES:
        if chosen is not None and name.rsplit(".", 1)[1] != chosen:
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a command not written yet
                continue
            raise
        module.register(sub)
    for command in sub.choices.values():
        _add_common_options(command, top=False)
    return parser


def _add_common_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """``--no-color`` and ``-v/--debug``, accepted before or after the command name (a
    command's copy has no default, so it never overwrites the one given before it)."""
    default = False if top else argparse.SUPPRESS
    parser.add_argument(
        "--no-color",
        action="store_true",
        default=default,
        help="no colour in terminal output (also when NO_COLOR is set)",
    )
    parser.add_argument(
        "-v",
        "--debug",
        action="store_true",
        default=default,
        help="diagnostics on standard error: versions, ruleset, timings, and where an "
        "unexpected error happened (never case content)",
    )


def _chosen_command(argv: Sequence[str] | None) -> str | None:
    """The subcommand named on the command line, if it is a known one."""
    args = sys.argv[1:] if argv is None else list(argv)
    first = next((a for a in args if not a.startswith("-")), None)
    known = {name.rsplit(".", 1)[1] for name in COMMAND_MODULES}
    return first if first in known else None


class Terminated(BaseException):
    """Raised in the main thread when the process is asked to stop (SIGTERM, SIGHUP).

    Why: Python's default for SIGTERM kills the process at once, leaving a half-written
    temporary file behind; as an exception it unwinds like Ctrl-C, so every output file being
    written is removed and the old file stays (``rhrt.files.AtomicOutput``). A BaseException,
    so ``except Exception`` blocks cannot swallow it.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signum)


def _raise_terminated(signum: int, frame: object) -> None:
    import signal

    for name in ("SIGTERM", "SIGHUP"):  # a second signal must not interrupt the clean-up
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    raise Terminated(signum)


def _stop_signals() -> dict[int, object]:
    """Turn SIGTERM and SIGHUP into :class:`Terminated`; returns the handlers to restore."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}
    previous: dict[int, object] = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None:
            previous[signum] = signal.signal(signum, _raise_terminated)
    return previous


def _restore_signals(previous: dict[int, object]) -> None:
    import signal

    for signum, handler in previous.items():
        signal.signal(signum, handler)  # type: ignore[arg-type]


class SafeStream:
    """A text stream that passes everything written through :func:`rhrt._text.clean`.

    Why at the streams: every path to the terminal (messages, reports, rendered text, argparse's
    own errors) goes through ``sys.stdout``/``sys.stderr``, so wrapping them once is the one
    place where no escape sequence, C0/C1 control, backspace, bidi or zero-width character from
    a case or a ruleset can reach a terminal, whatever a command prints. Newlines and tabs are
    kept (output has lines); single-line fields are kept on one line where they are formatted.
    Output that must keep its bytes (JSON) escapes these characters itself, so nothing is lost.
    ``unsanitised`` is the wrapped stream, for rhrt's own control output (a progress bar's
    carriage return, rich's styling), never for text from a case or a ruleset.
    """

    def __init__(self, stream: TextIO) -> None:
        self.unsanitised = stream

    def write(self, text: str) -> int:
        self.unsanitised.write(clean(text, multiline=True))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.unsanitised, name)


def main(argv: Sequence[str] | None = None) -> int:
    from rhrt.batch import allow_tuning

    allow_tuning()  # the command line owns its process (see rhrt.batch._memory)
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout = cast(TextIO, SafeStream(stdout))
    sys.stderr = cast(TextIO, SafeStream(stderr))
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _main(argv: Sequence[str] | None) -> int:
    from rhrt import _console
    from rhrt.cli import _diagnostics

    parser = build_parser(argv)
    args = parser.parse_args(argv)
    _console.set_color(not args.no_color)
    with _diagnostics.enabled(args.debug, args.command):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    previous = _stop_signals()
    try:
        code: int = args.handler(args)
        return code
    except RhrtError as exc:
        print(f"rhrt: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("rhrt: interrupted; output files were left as they were", file=sys.stderr)
        return 130
    except Terminated as exc:
        print("rhrt: terminated; output files were left as they were", file=sys.stderr)
        return 128 + exc.signum
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0
    except ImportError as exc:
        missing = _missing_extra(exc)
        if missing is None:
            return _unexpected(exc)
        print(f"rhrt: error: {missing}", file=sys.stderr)
        return missing.exit_code
    except Exception as exc:
        return _unexpected(exc)
    finally:
        _restore_signals(previous)


def _unexpected(exc: Exception) -> int:
    from rhrt.cli import _diagnostics

    print(
        f"rhrt: unexpected error ({type(exc).__name__}); please report it. "
        "Run again with --debug to see where it happened.",
        file=sys.stderr,
    )
    _diagnostics.where(exc)
    if sys.flags.dev_mode:
        raise exc
    return 1


def _missing_extra(exc: ImportError) -> MissingExtraError | None:
    """An optional module that failed to import, as the extra that installs it (so every path
    to a missing extra exits with the same code and advice, not "unexpected error")."""
    from rhrt.errors import EXTRA_OF_MODULE

    top = (exc.name or "").split(".", 1)[0]
    extra = EXTRA_OF_MODULE.get(top)
    if extra is None:
        return None
    return MissingExtraError(f"this command ({top} is not installed)", extra)


def entry() -> None:  # pragma: no cover
    sys.exit(main())

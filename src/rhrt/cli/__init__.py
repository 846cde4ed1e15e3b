# SPDX-License-Identifier: MIT
"""The ``rhrt`` command line: the only part of rhrt that prints or exits.

Each subcommand lives in its own module with a ``register(subparsers)`` function, so commands
stay small and import their heavy dependencies (pandas, durable-rules) only when run.

Exit codes: 0 success, 2 invalid input (the message names the problem, no traceback),
1 unexpected error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rhrt._version import __version__
from rhrt.errors import RhrtError

COMMAND_MODULES = (
    "rhrt.cli.assess",
    "rhrt.cli.indicators",
    "rhrt.cli.validate",
    "rhrt.cli.render",
    "rhrt.cli.docs",
    "rhrt.cli.check",
    "rhrt.cli.prove",
    "rhrt.cli.batch",
    "rhrt.cli.synth",
    "rhrt.cli.audit",
    "rhrt.cli.diff",
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
    return parser


def _chosen_command(argv: Sequence[str] | None) -> str | None:
    """The subcommand named on the command line, if it is a known one."""
    args = sys.argv[1:] if argv is None else list(argv)
    first = next((a for a in args if not a.startswith("-")), None)
    known = {name.rsplit(".", 1)[1] for name in COMMAND_MODULES}
    return first if first in known else None


def main(argv: Sequence[str] | None = None) -> int:
    from rhrt.batch._memory import allow_tuning

    allow_tuning()  # the command line owns its process (see rhrt.batch._memory)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
        return code
    except RhrtError as exc:
        print(f"rhrt: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0
    except Exception as exc:
        print(
            f"rhrt: unexpected error ({type(exc).__name__}); please report it. "
            "Run with PYTHONDEVMODE=1 python -m rhrt for details.",
            file=sys.stderr,
        )
        if sys.flags.dev_mode:
            raise
        return 1


def entry() -> None:  # pragma: no cover
    sys.exit(main())

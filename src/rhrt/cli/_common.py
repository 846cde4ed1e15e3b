# SPDX-License-Identifier: MIT
"""Helpers shared by the subcommands: reading inputs, loading rulesets, writing outputs."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable

from rhrt.errors import CaseError, FileError
from rhrt.files import check_output, read_bounded, write_text
from rhrt.rules.safe_yaml import DEFAULT_LIMITS
from rhrt.ruleset import Ruleset, load_ruleset

#: How each command reads a folder of dated revisions (rhrt.history), for ``--rules`` help.
FOLDER_BY_CASE_DATE = (
    "or a folder of dated revisions, read as the revision in force on the case's "
    "assessment_date"
)
FOLDER_EACH_REVISION = "or a folder of dated revisions: each revision, then the history as a whole"
_DEFAULT = "default: the bundled Herefordshire ruleset"


def rules_help(folder: str | None, *, default: bool = True) -> str:
    """The help text of a ruleset argument: a file, how a folder is read (None: a folder is
    refused), and the default when the argument is optional."""
    text = "ruleset YAML file" + (f", {folder}" if folder else " (not a folder of revisions)")
    return f"{text} ({_DEFAULT})" if default else text


def add_rules_option(parser: argparse.ArgumentParser, *, folder: str | None = None) -> None:
    """Add ``--rules``; ``folder`` says how the command reads a folder of dated revisions
    (:data:`FOLDER_BY_CASE_DATE`), None when it refuses one (batch, audit, diff...)."""
    parser.add_argument(
        "--rules",
        metavar="FILE|FOLDER" if folder else "FILE",
        help=rules_help(folder),
    )


def add_engine_option(parser: argparse.ArgumentParser) -> None:
    from rhrt.engine import ENGINES

    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="reference",
        help="evaluation engine (default %(default)s; durable needs rhrt[durable])",
    )


def ruleset_from_args(args: argparse.Namespace) -> Ruleset:
    ruleset = load_ruleset(args.rules)
    log_ruleset(ruleset)
    return ruleset


def each_revision(
    args: argparse.Namespace, run_one: Callable[[argparse.Namespace], int]
) -> int | None:
    """When ``args.rules`` is a folder of dated revisions, run ``run_one`` on every revision
    file (each reports under its own file name), then check the revisions fit together as one
    history; return the worst exit code. None when ``args.rules`` is not a folder.

    A check of only the newest revision would pass an older one still in force on the dates
    of cases being assessed.
    """
    from pathlib import Path

    from rhrt.errors import RulesetError
    from rhrt.history import load_history, revision_files

    if args.rules is None or not Path(args.rules).is_dir():
        return None
    try:
        files = revision_files(args.rules)
    except RulesetError as exc:
        for problem in exc.problems:
            print(str(problem), file=sys.stderr)
        return exc.exit_code
    worst = 0
    for file in files:
        worst = max(worst, run_one(argparse.Namespace(**{**vars(args), "rules": str(file)})))
    if worst < 2:
        try:
            load_history(files)
        except RulesetError as exc:
            for problem in exc.problems:
                print(str(problem), file=sys.stderr)
            return exc.exit_code
    return worst


def log_ruleset(ruleset: Ruleset) -> None:
    """``--debug``: which ruleset a command uses (ids and hash only)."""
    from rhrt.cli._diagnostics import debug_logger

    logger = debug_logger()
    if logger is None:  # nothing would be shown (and logging is not imported for nothing)
        return
    from rhrt.rules.bundled import bundled_ruleset_path

    bundled = ruleset.path is None or ruleset.path.resolve() == bundled_ruleset_path().resolve()
    logger.debug(
        "ruleset %s %s sha256 %s (%s)",
        ruleset.id,
        ruleset.version,
        ruleset.stamp.sha256,
        "bundled" if bundled else "from a file",
    )


def read_input(name: str, max_bytes: int = DEFAULT_LIMITS.max_bytes) -> bytes:
    """Read a case file, or standard input for '-', stopping one byte past ``max_bytes``.

    Why bounded: ``rhrt assess /dev/zero`` or a 600 MB file must be refused at the size limit
    (by the YAML reader, which sees the extra byte), not read whole into memory first.
    """
    if name == "-":
        return read_bounded(sys.stdin.buffer, max_bytes)
    try:
        with open(name, "rb") as handle:
            return read_bounded(handle, max_bytes)
    except OSError as exc:
        raise CaseError(f"cannot read input file ({exc.strerror or 'error'})", path=name) from None


INPUT_ARGUMENTS = ("case", "input", "rules", "old", "new")
"""The argument names (``dest``) under which commands take the files they read. A command that
writes files names its inputs only with these, so none can be overwritten by an output
(``tests/test_output_files.py`` checks every command)."""


def output_inputs(args: argparse.Namespace) -> list[str | None]:
    """Every file a command reads, by the usual option names (to refuse one as an output)."""
    names: list[str | None] = []
    for attr in INPUT_ARGUMENTS:
        value = getattr(args, attr, None)
        if isinstance(value, str):
            names.append(value)
    return names


def check_outputs(args: argparse.Namespace, *outs: str | None) -> None:
    """Refuse outputs that cannot be written or that name an input (or each other), before the
    command reads or writes anything. ``None`` and ``-`` (standard output) are skipped.

    Raises:
        FileError: see :func:`rhrt.files.check_output`.
    """
    inputs = output_inputs(args)
    given = [o for o in outs if o is not None and o != "-"]
    seen: set[str] = set()
    for out in given:
        check_output(out, inputs)
        real = os.path.realpath(out)
        if real in seen:
            raise FileError("two outputs name the same file", path=out)
        seen.add(real)


def write_output(text: str, out: str | None, inputs: Iterable[str | None] = ()) -> None:
    """Print ``text``, or write it to ``out`` whole (atomically) and never over an input."""
    if out is None or out == "-":
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")
    else:
        write_text(out, text, inputs)


__all__ = [
    "FOLDER_BY_CASE_DATE",
    "FOLDER_EACH_REVISION",
    "add_rules_option",
    "check_outputs",
    "output_inputs",
    "read_input",
    "rules_help",
    "ruleset_from_args",
    "write_output",
]

# SPDX-License-Identifier: MIT
"""Helpers shared by the subcommands: reading inputs, loading rulesets, writing outputs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rhrt.errors import CaseError
from rhrt.ruleset import Ruleset, load_ruleset


def add_rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules",
        metavar="FILE",
        help="ruleset YAML file (default: the bundled Herefordshire ruleset)",
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
    return load_ruleset(args.rules)


def read_input(name: str) -> bytes:
    """Read a file, or standard input for '-'."""
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise CaseError(f"cannot read input file ({exc.strerror or 'error'})", path=name) from None


def write_output(text: str, out: str | None) -> None:
    if out is None or out == "-":
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")
    else:
        Path(out).write_text(text, encoding="utf-8")

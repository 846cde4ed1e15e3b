# SPDX-License-Identifier: MIT
"""``rhrt check RULES``: search a ruleset for breaches of the safety properties.

Exit 0 when every property holds, 2 when one breaks (each breach printed as a minimal case in
plain words), 3 when the ``testing`` extra (hypothesis) is missing. It samples cases, so it
works for every engine and without the ``prove`` extra, and says so; ``rhrt prove`` proves the
properties for every case.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator

from rhrt.cli._common import FOLDER_EACH_REVISION, add_engine_option, rules_help
from rhrt.cli._numbers import MAX_EXAMPLES, whole_number
from rhrt.ruleset import load_ruleset


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check",
        help="check a ruleset's safety properties with generated cases (needs rhrt[testing])",
        description=(
            "Generate cases with hypothesis and check that adding a concern never lowers a "
            "level, immediate danger is always level 4 and urgent, allegations always reach the "
            "LADO, missing information never lowers a level, and more. Breaches are shrunk to a "
            "minimal case and explained."
        ),
    )
    p.add_argument("rules", metavar="RULES", help=rules_help(FOLDER_EACH_REVISION, default=False))
    p.add_argument(
        "--max-examples", type=whole_number(1, MAX_EXAMPLES), default=200, metavar="N",
        help=f"generated examples per property, 1-{MAX_EXAMPLES:,} (default 200)",
    )
    p.add_argument(
        "--seed", type=whole_number(0, 2**64 - 1), default=None, metavar="N",
        help="random seed, 0 to 2**64-1 (default: deterministic)"
    )
    add_engine_option(p)
    p.add_argument("--no-progress", action="store_true", help="never show a progress display")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rhrt.testing import check_invariants

    if args.max_examples < 1:
        print("rhrt: error: --max-examples must be at least 1", file=sys.stderr)
        return 2
    from rhrt._console import Progress
    from rhrt.cli._common import each_revision, log_ruleset
    from rhrt.testing.invariants import PROPERTIES

    folder = each_revision(args, run)
    if folder is not None:
        return folder
    ruleset = load_ruleset(args.rules)
    log_ruleset(ruleset)
    with _private_hypothesis_storage(), Progress(
        len(PROPERTIES), False if args.no_progress else None, description="checking properties"
    ) as bar:
        report = check_invariants(
            ruleset,
            args.max_examples,
            engine=args.engine,
            seed=args.seed,
            on_property=lambda _id: bar.update(1),
        )
    print(report)
    print(method_note(args.max_examples))
    return 0 if report.ok else 2


@contextlib.contextmanager
def _private_hypothesis_storage() -> Iterator[None]:
    """Point hypothesis's storage (its example database is already off; newer versions also
    cache constants) at a temporary folder, so ``rhrt check`` leaves nothing behind in the
    current directory."""
    import tempfile

    from hypothesis.configuration import set_hypothesis_home_dir

    with tempfile.TemporaryDirectory(prefix="rhrt-check-") as folder:
        set_hypothesis_home_dir(folder)
        try:
            yield
        finally:
            set_hypothesis_home_dir(None)


def method_note(max_examples: int) -> str:
    """Which check ran: sampling (this command) or proof (``rhrt prove``, when installed)."""
    from rhrt.prove import available

    note = (
        f"Method: sampling - up to {max_examples} generated cases per property (hypothesis); "
        "a sample that finds nothing is not a proof. For a proof over every case run "
        "'rhrt prove RULES'"
    )
    return note + ("." if available() else " (needs: pip install 'rhrt[prove]').")

# SPDX-License-Identifier: MIT
"""``rhrt prove RULES``: prove a ruleset's safety properties for every case (needs rhrt[prove]).

Exit 0 when every property is proved, 2 when one is broken (each with a minimal counterexample,
in words and, with ``--counterexamples DIR``, as case files ``rhrt assess`` reproduces), 3 when
the ``prove`` extra (z3-solver) is missing, 1 when the solver could not decide a property in time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rhrt._text import clean
from rhrt.cli._common import FOLDER_EACH_REVISION, rules_help
from rhrt.cli._numbers import seconds
from rhrt.ruleset import load_ruleset


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from rhrt.prove import PROPERTIES

    p = sub.add_parser(
        "prove",
        help="prove a ruleset's safety properties for every possible case (needs rhrt[prove])",
        description=(
            "Prove, for every possible case (not a sample), that adding a concern never lowers "
            "the level, drops urgency or removes an emergency or statutory route; that missing "
            "information never does either; that immediate danger always gives level 4, urgent, "
            "with the emergency route; that every indicator, rule and pathway can be reached; "
            "and that no two rules conflict. Each breach is shown as a minimal case."
        ),
    )
    p.add_argument("rules", metavar="RULES", nargs="?", default=None,
                   help=rules_help(FOLDER_EACH_REVISION))
    p.add_argument("--property", action="append", choices=list(PROPERTIES), metavar="ID",
                   help="prove only this property (repeatable): " + ", ".join(PROPERTIES))
    p.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    p.add_argument("--counterexamples", metavar="DIR",
                   help="write each counterexample's cases as YAML files in DIR")
    p.add_argument("--timeout", type=seconds(), default=60.0, metavar="SECONDS",
                   help="the most the solver may spend on one question, above 0 and at most "
                        "3600 (default 60)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rhrt.cli._common import each_revision
    from rhrt.prove import prove

    if args.rules is not None and Path(args.rules).is_dir():
        if args.format != "text":
            print("rhrt: error: --format json takes one ruleset file, not a folder of revisions "
                  "(run it on each revision file)", file=sys.stderr)
            return 2
        if args.counterexamples:  # each revision's counterexamples in a folder of its own
            def one(revision: argparse.Namespace) -> int:
                sub = Path(args.counterexamples) / Path(revision.rules).stem
                return run(argparse.Namespace(**{**vars(revision), "counterexamples": str(sub)}))

            return each_revision(args, one) or 0
    folder = each_revision(args, run)
    if folder is not None:
        return folder
    ruleset = load_ruleset(args.rules)
    report = prove(ruleset, properties=args.property, timeout_seconds=args.timeout)
    written: list[Path] = []
    if args.counterexamples:
        written = write_counterexamples(report, Path(args.counterexamples))
    if args.format == "json":
        print(report.to_json())
    else:
        print(report)
        for path in written:
            print(f"wrote {clean(str(path))}")
    if report.ok:
        return 0
    return 2 if report.counterexamples or any(
        r.status == "failed" for r in report.results
    ) else 1


def write_counterexamples(report: object, folder: Path) -> list[Path]:
    """Write every counterexample case as ``NN-property-role.yaml``; return the paths."""
    import yaml

    from rhrt.prove import Report

    assert isinstance(report, Report)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for n, cex in enumerate(report.counterexamples, 1):
        for role, case in cex.cases:
            path = folder / f"{n:02d}-{cex.property}-{role}.yaml"
            header = f"# rhrt prove counterexample {n} ({cex.property}, {role})\n"
            _write_atomic(path, header + yaml.safe_dump(case, sort_keys=False))
            out.append(path)
    return out


def _write_atomic(path: Path, text: str) -> None:
    from rhrt.files import write_text

    write_text(path, text)  # whole or not at all, like every file rhrt writes

# SPDX-License-Identifier: MIT
"""``rhrt test FILES…``: run ``*.rhrt-test.yaml`` rule tests, with a pass/fail and coverage report.

Exit 0 when every test passes (and coverage is at least ``--min-coverage``), 2 when a test
fails, coverage is too low or a test file is not valid.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rhrt._text import clean
from rhrt._words import plural
from rhrt.cli._numbers import percentage

_SHOWN = 12


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "test",
        help="run rule tests (*.rhrt-test.yaml): cases with the expected level and pathways",
        description=(
            "Run YAML rule tests: each case is assessed and its level, urgency and pathways "
            "compared with what the test expects. Folders are searched for *.rhrt-test.yaml. "
            "Also reports the rules, indicators and pathways no test exercises."
        ),
    )
    p.add_argument("files", metavar="FILE", nargs="+",
                   help="test files or folders (searched for *.rhrt-test.yaml)")
    p.add_argument("--rules", metavar="FILE",
                   help="ruleset for test files that do not name one (default: the bundled one)")
    p.add_argument("--min-coverage", type=percentage, default=None, metavar="PERCENT",
                   help="fail when tests exercise less than this share (0-100) of rules, "
                        "indicators and pathways")
    p.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    p.add_argument("--all-untested", action="store_true",
                   help="list every untested indicator (default: the first few)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rhrt.ruleset import load_ruleset
    from rhrt.testing.yaml_tests import coverage, find_test_files, load_test_file, run_test

    default = load_ruleset(args.rules)
    files = find_test_files(args.files)
    if not files:
        print("rhrt: error: no *.rhrt-test.yaml files found", file=sys.stderr)
        return 2
    loaded = [load_test_file(path, default) for path in files]
    outcomes = []
    by_ruleset: dict[int, tuple[Any, list[Any]]] = {}
    for tf in loaded:
        entry = by_ruleset.setdefault(id(tf.ruleset), (tf.ruleset, []))
        for test in tf.tests:
            outcome = run_test(tf.ruleset, test)
            outcomes.append(outcome)
            entry[1].append(outcome)
    covers = [coverage(rs, outs) for rs, outs in by_ruleset.values()]
    failed = [o for o in outcomes if not o.passed]
    low = [c for c in covers if args.min_coverage is not None and c.percent < args.min_coverage]
    if args.format == "json":
        print(json.dumps({
            "ok": not failed and not low,
            "tests": [
                {"file": o.test.file, "line": o.test.line, "name": o.test.name,
                 "passed": o.passed, "failures": list(o.failures)}
                for o in outcomes
            ],
            "coverage": [c.to_dict() for c in covers],
            "min_coverage": args.min_coverage,
        }, indent=2))
    else:
        _text(outcomes, covers, args)
    return 2 if failed or low else 0


def _text(outcomes: list[Any], covers: list[Any], args: argparse.Namespace) -> None:
    for o in outcomes:
        where = f"{o.test.file}:{o.test.line}" if o.test.line else o.test.file
        print(f"  {'PASS' if o.passed else 'FAIL'}  {_clean(where)}  {_clean(o.test.name)}")
        for failure in o.failures:
            print(f"        {_clean(failure)}")
    passed = sum(o.passed for o in outcomes)
    print(f"{plural(len(outcomes), 'test')}: {passed:,} passed, {len(outcomes) - passed:,} failed")
    for c in covers:
        print(
            f"Coverage of {_clean(c.ruleset)}: {c.percent:.1f}% - rules "
            f"{len(c.rules) - len(c.untested_rules)}/{len(c.rules)}, indicators "
            f"{len(c.indicators) - len(c.untested_indicators)}/{len(c.indicators)}, pathways "
            f"{len(c.pathways) - len(c.untested_pathways)}/{len(c.pathways)}"
        )
        if c.untested_rules:
            print("  rules no test fires: " + _clean(", ".join(c.untested_rules)))
        if c.untested_pathways:
            print("  pathways no test reaches: " + _clean(", ".join(c.untested_pathways)))
        if c.untested_indicators:
            shown = c.untested_indicators if args.all_untested else (
                c.untested_indicators[:_SHOWN]
            )
            more = len(c.untested_indicators) - len(shown)
            tail = f" … and {more} more (--all-untested lists them)" if more else ""
            print("  indicators no test records: " + _clean(", ".join(shown)) + tail)
        if args.min_coverage is not None and c.percent < args.min_coverage:
            print(f"Coverage {c.percent:.1f}% is below --min-coverage {args.min_coverage:g}%")


def _clean(text: object) -> str:
    """One line, without terminal controls: rhrt's one sanitiser (a test name or file name
    holding a newline must not forge a ``PASS`` line)."""
    return clean(text)

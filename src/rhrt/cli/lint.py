# SPDX-License-Identifier: MIT
"""``rhrt lint RULES``: the checks decision-table tools give their authors, with file:line.

Structural checks always run (``rhrt.rules.lint``: empty cells, unused tags and sources,
``not``, same wording, empty levels and domains, sources without a reference, gaps and overlaps
in age and measure bands); with the ``prove`` extra, the solver-backed ones too
(``rhrt.prove.lint``: rules that can never fire or fire only on missing information,
subsumed rules, conflicts, pathways no case reaches). The report says which ran.

Exit 0 when no finding is at or above ``--fail-on`` (default: warning), 2 otherwise (and for
an invalid ruleset), so CI can gate on it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from rhrt._words import plural
from rhrt.cli._common import FOLDER_EACH_REVISION, rules_help
from rhrt.rules.lint import SEVERITIES, Finding

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "lint",
        help="find mistakes in a ruleset: dead or subsumed rules, conflicts, band gaps, …",
        description=(
            "Check a ruleset for what decision-table tools check: rules that can never fire or "
            "that other rules subsume, conflicts, gaps and overlaps in age and measure bands, "
            "indicators with the same wording, empty levels, domains and cells, pathways no "
            "case reaches, sources without a reference. Each finding has a severity and "
            "file:line. The checks over every case need rhrt[prove]; without it they are "
            "skipped and the report says so."
        ),
    )
    p.add_argument("rules", metavar="RULES", nargs="?", default=None,
                   help=rules_help(FOLDER_EACH_REVISION))
    p.add_argument("--format", choices=["text", "json", "sarif"], default="text",
                   help="output format (sarif: for code-scanning tools)")
    p.add_argument("--fail-on", choices=[*SEVERITIES, "never"], default="warning",
                   help="exit 2 when a finding is at least this severe (default: warning)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rhrt.cli._common import each_revision
    from rhrt.errors import RulesetError
    from rhrt.prove import available
    from rhrt.rules.bundled import bundled_ruleset_path
    from rhrt.rules.lint import lint
    from rhrt.ruleset import load_ruleset

    if args.format != "text" and args.rules is not None and Path(args.rules).is_dir():
        print("rhrt: error: --format json/sarif takes one ruleset file, not a folder of revisions "
              "(run it on each revision file)", file=sys.stderr)
        return 2
    folder = each_revision(args, run)
    if folder is not None:
        return folder
    file = Path(args.rules) if args.rules else bundled_ruleset_path()
    try:
        ruleset = load_ruleset(args.rules)
    except RulesetError as exc:
        for problem in exc.problems:
            print(_clean(str(problem)), file=sys.stderr)
        return exc.exit_code
    from rhrt.render import missing_templates

    findings = lint(ruleset.model, ruleset.plan) + missing_templates(ruleset.model)
    semantic = available()
    if semantic:
        from rhrt.prove.lint import semantic_findings

        found = semantic_findings(ruleset)
        # the solver's answer replaces the structural approximation of the same check
        done = {(f.code, f.path) for f in found}
        findings = [f for f in findings if (f.code, f.path) not in done] + found
        dead = {f.path for f in found if f.code == "dead-rule"}
        findings = [f for f in findings if not (f.code == "dead-rule" and f.path not in dead)]
    lines = _lines(file)
    located = [(f, lines(f.path)) for f in findings]
    located.sort(key=lambda fl: (SEVERITIES.index(fl[0].severity), fl[1] or 0, fl[0].code))
    shown_file = str(args.rules) if args.rules else file.name
    method = (
        "structural checks and checks over every case (z3)" if semantic
        else "structural checks only; checks over every case skipped (needs: pip install "
             "'rhrt[prove]')"
    )
    if args.format == "json":
        print(json.dumps({
            "ruleset": f"{ruleset.id} {ruleset.version}",
            "file": shown_file,
            "semantic_checks": semantic,
            "findings": [
                {"code": f.code, "severity": f.severity, "message": f.message, "path": f.path,
                 "line": line}
                for f, line in located
            ],
        }, indent=2))
    elif args.format == "sarif":
        print(json.dumps(_sarif(located, shown_file), indent=2))
    else:
        for f, line in located:
            where = f"{shown_file}:{line}" if line else shown_file
            print(_clean(f"{where}: {f.severity}: [{f.code}] {f.message}"))
        counts = {s: sum(f.severity == s for f, _ in located) for s in SEVERITIES}
        print(
            f"{plural(len(located), 'finding')}: {plural(counts['error'], 'error')}, "
            f"{plural(counts['warning'], 'warning')}, {counts['info']} info ({method})"
        )
    if args.fail_on == "never":
        return 0
    limit = SEVERITIES.index(args.fail_on)
    return 2 if any(SEVERITIES.index(f.severity) <= limit for f in findings) else 0


def _lines(file: Path) -> Any:
    """A function from a finding's field path to its line in ``file`` (None when unknown)."""
    from rhrt.rules.safe_yaml import YamlReadError, read_yaml

    try:
        located = read_yaml(file.read_bytes(), file=str(file))
    except (OSError, YamlReadError):  # pragma: no cover - the file was just loaded
        return lambda path: None

    def line(path: str) -> int | None:
        parts: list[str | int] = []
        for name, index in _PART.findall(path):
            parts.append(int(index) if index else name)
        return located.where(tuple(parts))[0]

    return line


def _sarif(located: list[tuple[Finding, int | None]], file: str) -> dict[str, Any]:
    from rhrt._version import __version__

    codes = sorted({f.code for f, _ in located})
    results = []
    for f, line in located:
        region = {"startLine": line} if line else {}
        results.append({
            "ruleId": f.code,
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": file},
                **({"region": region} if region else {}),
            }}],
        })
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rhrt lint", "version": __version__,
                "rules": [{"id": code, "shortDescription": {"text": code}} for code in codes],
            }},
            "results": results,
        }],
    }


def _clean(text: str) -> str:
    """One line, without terminal controls (rhrt's one sanitiser)."""
    from rhrt._text import clean

    return clean(text)

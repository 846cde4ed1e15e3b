# SPDX-License-Identifier: MIT
"""``rhrt indicators``: find indicator ids by level, domain or words."""

from __future__ import annotations

import argparse
import json

from rhrt._text import clean, json_text
from rhrt._words import plural
from rhrt.cli._common import add_rules_option, ruleset_from_args, write_output
from rhrt.model.scale import LEVELS


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "indicators",
        help="list and search the ruleset's indicators",
        description=(
            "List the ruleset's indicators (the concerns a case names by id), filtered by "
            "level, domain, tag or words. Use the ids in a case's 'indicators' list."
        ),
    )
    add_rules_option(p)
    p.add_argument("--level", type=int, choices=LEVELS, help="only indicators at this level")
    p.add_argument(
        "--domain", metavar="DOMAIN", help="domain or topic id (e.g. child-development, neglect)"
    )
    p.add_argument("--tag", metavar="TAG", help="tag id (e.g. neglect, injury)")
    p.add_argument("--search", metavar="TEXT", help="words that must all appear in id or text")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    ruleset = ruleset_from_args(args)
    cat = ruleset.catalogue
    found = cat.filter(level=args.level, domain=args.domain, tag=args.tag, search=args.search)
    if args.format == "json":
        write_output(
            json_text(json.dumps([cat.as_dict(i) for i in found], indent=2, ensure_ascii=False)),
            None,
        )
        return 0
    lines = []
    width = max((len(ind.id) for ind in found), default=0)
    for ind in found:
        where = ind.domain + (f"/{ind.subdomain}" if ind.subdomain else "")
        # ruleset text on one line each: a newline in it must not forge a line of the listing
        lines.append(f"L{ind.level}  {ind.id:<{width}}  {clean(where)}\n      {clean(ind.text)}")
    lines.append(plural(len(found), "indicator"))
    write_output("\n".join(lines), None)
    return 0

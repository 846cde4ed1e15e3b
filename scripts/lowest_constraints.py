#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Print pip constraints pinning every dependency to the LOWEST version pyproject.toml allows.

Usage: ``python scripts/lowest_constraints.py [EXTRA ...] > constraints.txt``, then
``pip install -c constraints.txt -e '.[EXTRA,...]'`` (``scripts/test-lowest`` does this).

Why: CI also runs the tests against the floors we declare, so a floor that no longer works (an
API we use that the lowest release lacks) fails CI instead of a user's install. Every ``>=`` bound
of the core dependencies and of the named extras becomes ``name==version``; environment markers
are kept, so a dependency limited to some Pythons (``durable-rules``) is pinned only there.
Requirements without a ``>=`` bound are left to pip.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<spec>[^;]*?)\s*"
    r"(?:;(?P<marker>.*))?$"
)


def lowest(requirements: list[str], project: str) -> dict[str, str]:
    """``{name: 'name==floor[; marker]'}`` for each requirement with a ``>=`` floor."""
    out: dict[str, str] = {}
    for line in requirements:
        found = _REQUIREMENT.match(line)
        if found is None or found["name"].lower() == project:
            continue
        floor = re.search(r">=\s*([0-9][^,\s]*)", found["spec"])
        if floor is None:
            continue
        marker = f"; {found['marker'].strip()}" if found["marker"] else ""
        out[found["name"].lower()] = f"{found['name']}=={floor.group(1)}{marker}"
    return out


def main(extras: list[str]) -> int:
    meta = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    project = meta["project"]
    name = project["name"].lower()
    optional: dict[str, list[str]] = project.get("optional-dependencies", {})
    unknown = [e for e in extras if e not in optional]
    if unknown:
        print(f"unknown extra(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    pins = lowest(project.get("dependencies", []), name)
    for extra in extras:
        pins.update(lowest(optional[extra], name))
    for pin in sorted(pins.values(), key=str.lower):
        print(pin)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

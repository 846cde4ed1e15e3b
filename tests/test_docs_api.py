# SPDX-License-Identifier: MIT
"""docs/api.md (mkdocstrings) documents every public function the other pages tell readers to
call: a page's `` `rhrt.module.name(` `` is on the API reference page, with its docstring.

Why: ``rhrt.explain.recorded_first_step`` (how to read an old decision record's first step) was
named in the guides but missing from the API reference, so its arguments and return value were
documented nowhere a reader would look.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api.md"
CALLED = re.compile(r"`(rhrt(?:\.[A-Za-z]\w*)+)\(")
"""A public dotted name called in a page's inline code (private names, ``_x``, are skipped)."""


def _documented() -> dict[str, set[str] | None]:
    """Each module api.md renders (``::: module``) with the members it lists, or None for all
    its public members."""
    out: dict[str, set[str] | None] = {}
    module = None
    for line in API.read_text(encoding="utf-8").splitlines():
        if line.startswith("::: "):
            module = line[4:].strip()
            out[module] = None
        elif module is not None and line.strip().startswith("members:"):
            names = line.split(":", 1)[1].strip().strip("[]")
            out[module] = {n.strip() for n in names.split(",")}
    return out


def _called() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for page in sorted((ROOT / "docs").glob("*.md")):
        if page == API:
            continue
        for name in CALLED.findall(page.read_text(encoding="utf-8")):
            out.setdefault(name, []).append(page.name)
    return out


def _resolve(dotted: str) -> tuple[str, str, object]:
    """(module, attribute, object) for a dotted name, the module as long as it imports."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        obj: object = module
        for part in parts[cut:]:
            obj = getattr(obj, part)
        return ".".join(parts[:cut]), parts[cut], obj
    raise AssertionError(f"{dotted} does not import")


def test_every_function_the_guides_call_is_in_the_api_reference() -> None:
    documented = _documented()
    called = _called()
    assert "rhrt.explain.recorded_first_step" in called  # the test reads the pages
    missing = []
    for dotted, pages in sorted(called.items()):
        module, name, obj = _resolve(dotted)
        # where it is documented: its own module, or the module the page names it from
        homes = {module, getattr(obj, "__module__", module)}
        if module == "rhrt":  # a top-level re-export is documented where it is defined
            homes.add(getattr(obj, "__module__", module))
        if not any(h in documented and (documented[h] is None or name in documented[h])
                   for h in homes):
            missing.append(f"{dotted} (called in {', '.join(sorted(set(pages)))})")
        assert getattr(obj, "__doc__", None), f"{dotted} has no docstring"
    assert not missing, "not in docs/api.md: " + "; ".join(missing)

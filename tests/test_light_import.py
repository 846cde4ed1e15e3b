# SPDX-License-Identifier: MIT
"""``import rhrt`` stays light: no heavy or network modules (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = [
    "pandas",
    "pyarrow",
    "polars",
    "numpy",
    "durable",
    "hypothesis",
    "rich",
    "matplotlib",
    "http.client",
    "urllib.request",
    "ssl",
    "requests",
    "jinja2",
    "markupsafe",
]  # socket: pydantic imports it, never connects; jinja2 only once something is rendered


def test_import_rhrt_and_assess_load_nothing_heavy() -> None:
    code = (
        "import sys, json, rhrt; rhrt.assess({'child': {'age_years': 8}}); "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_public_api_is_what_all_says() -> None:
    import rhrt

    for name in rhrt.__all__:
        assert hasattr(rhrt, name), name
    assert {"load_ruleset", "assess", "Decision", "Case", "Override", "RhrtError"} <= set(
        rhrt.__all__
    )


def test_every_rhrt_model_is_built_at_import() -> None:
    """No rhrt pydantic model is left for pydantic to build on first use: that lazy build
    (``defer_build``, or a model whose annotations could not be resolved at class creation) is
    not thread-safe in the pydantic versions rhrt accepts (before 2.14.0, which has the lock of
    pydantic#13438, a thread could validate with a parent class's validator while another
    rebuilt the model), and a loaded ruleset is shared between threads (issue 17 kept every
    model built at import for this reason)."""
    code = (
        "import json, rhrt, rhrt.render, rhrt.history, rhrt.audit, rhrt.testing.yaml_tests\n"
        "from pydantic import BaseModel\n"
        "def subs(c):\n"
        "    for s in c.__subclasses__():\n"
        "        yield s\n"
        "        yield from subs(s)\n"
        "ours = [c for c in subs(BaseModel) if c.__module__.startswith('rhrt.')]\n"
        "print(json.dumps([len(ours), [c.__qualname__ for c in ours "
        "if not c.__pydantic_complete__]]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, incomplete = json.loads(out.stdout)
    assert count > 50
    assert incomplete == []


def test_model_modules_leave_annotations_to_python() -> None:
    """The modules that define rhrt's models do not turn annotations into strings
    (``from __future__ import annotations``): pydantic would compile every one of them again
    at import (issue 17; see ``rhrt.model._base``)."""
    import __future__

    from rhrt.model import case, decision, ruleset

    for module in (case, decision, ruleset):
        assert getattr(module, "annotations", None) is not __future__.annotations, module

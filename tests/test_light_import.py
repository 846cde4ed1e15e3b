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
]  # socket: pydantic imports it, never connects


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

# SPDX-License-Identifier: MIT
"""Fixtures shared across rhrt's own tests (kept small: most tests build what they need)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from rhrt import Ruleset, load_ruleset

# In CI every property test explores the same examples on every run: a red build is then always
# a real, reproducible finding, never the luck of the draw. Locally, examples vary run to run.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

RULESETS = Path(__file__).parent / "rulesets"
MINIMAL = RULESETS / "minimal.yaml"


@pytest.fixture(scope="session")
def minimal_ruleset() -> Ruleset:
    """The small complete test ruleset (tests/rulesets/minimal.yaml)."""
    return load_ruleset(MINIMAL)


@pytest.fixture(scope="session")
def bundled_ruleset() -> Ruleset:
    """The bundled Herefordshire ruleset."""
    return load_ruleset()

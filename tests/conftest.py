# SPDX-License-Identifier: MIT
"""Fixtures shared across rhrt's own tests (kept small: most tests build what they need)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rhrt import Ruleset, load_ruleset

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

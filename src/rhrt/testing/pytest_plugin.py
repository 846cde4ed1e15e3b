# SPDX-License-Identifier: MIT
"""The rhrt pytest plugin (registered through the ``pytest11`` entry point).

It gives a partnership's test suite a ``rhrt_ruleset`` fixture: the ruleset named by the
``--rhrt-rules`` option or the ``rhrt_rules`` ini setting (relative to the rootdir), or the
bundled Herefordshire ruleset. Every pytest run in an environment with rhrt installed loads
this module, so it imports nothing at import time beyond pytest itself: rhrt's ruleset
machinery and hypothesis are imported inside the fixtures.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from rhrt.ruleset import Ruleset


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rhrt", "rhrt levels-of-need rulesets")
    group.addoption(
        "--rhrt-rules",
        action="store",
        default=None,
        metavar="FILE",
        help="ruleset YAML file for the rhrt_ruleset fixture (default: rhrt_rules ini setting, "
        "else the bundled Herefordshire ruleset)",
    )
    parser.addini("rhrt_rules", "ruleset YAML file for the rhrt_ruleset fixture", default="")


def rules_path(config: pytest.Config) -> Path | None:
    """The configured ruleset file, or None for the bundled ruleset."""
    option = config.getoption("--rhrt-rules", default=None)
    if option:
        return Path(option)
    ini = str(config.getini("rhrt_rules") or "")
    if ini:
        path = Path(ini)
        return path if path.is_absolute() else Path(config.rootpath) / path
    return None


@pytest.fixture(scope="session")
def rhrt_ruleset(pytestconfig: pytest.Config) -> Ruleset:
    """The partnership's ruleset, loaded and validated once per test session."""
    from rhrt.ruleset import load_ruleset

    return load_ruleset(rules_path(pytestconfig))

# SPDX-License-Identifier: MIT
"""Where the bundled Herefordshire ruleset lives, installed or in a checkout.

In a wheel the file is ``rhrt/_data/levels_of_need.yaml`` (hatchling force-include). In an
editable install or a checkout it is ``data/levels_of_need.yaml`` at the repository root, so
the locator falls back to that. Tests check the wheel holds an identical copy.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

BUNDLED_NAME = "levels_of_need.yaml"


def bundled_ruleset_path() -> Path:
    """Path of the bundled default ruleset."""
    packaged = resources.files("rhrt") / "_data" / BUNDLED_NAME
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "data" / BUNDLED_NAME
    if checkout.is_file():
        return checkout
    raise FileNotFoundError(  # pragma: no cover - a broken install
        f"the bundled ruleset {BUNDLED_NAME} is missing from this installation"
    )

# SPDX-License-Identifier: MIT
"""The built wheel carries an identical copy of the bundled ruleset and works on its own.

Builds the wheel, installs it into a fresh virtualenv (not the checkout), and runs
``rhrt assess`` there on an example case.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("build")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("rhrt-*.whl")
    return found


def test_wheel_holds_an_identical_copy_of_the_bundled_ruleset(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        packaged = zf.read("rhrt/_data/levels_of_need.yaml")
    original = (ROOT / "data" / "levels_of_need.yaml").read_bytes()
    assert hashlib.sha256(packaged).digest() == hashlib.sha256(original).digest()
    assert "rhrt/py.typed" in names
    assert any(n.startswith("rhrt/pathways/templates/") for n in names)


@pytest.mark.slow
def test_installed_wheel_assesses_an_example_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    subprocess.run([*pip, str(wheel)], check=True, capture_output=True)
    example = ROOT / "examples" / "cases" / "level4-non-mobile-bruising.yaml"
    result = subprocess.run(
        [str(venv / "bin" / "rhrt"), "assess", str(example), "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the checkout: the bundled ruleset must come from the wheel
    )
    assert '"level": 4' in result.stdout

# SPDX-License-Identifier: MIT
"""The layering is enforced, not hoped (issue 13): ``lint-imports`` keeps every import-linter
contract in pyproject.toml (``[tool.importlinter]``): the pipeline's layers, no import cycles,
and no template engine below the renderer.

import-linter is in the dev extra; the test is skipped without it (as CI never is).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports() -> list[str]:
    pytest.importorskip("importlinter")
    exe = Path(sys.executable).with_name("lint-imports")
    found = str(exe) if exe.exists() else shutil.which("lint-imports")
    if found is None:  # pragma: no cover - the package without its script
        pytest.skip("lint-imports is not on PATH")
    return [found, "--no-cache"]


def test_every_import_contract_is_kept() -> None:
    out = subprocess.run(
        [*_lint_imports(), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def test_the_model_importing_the_renderer_would_break_the_layers(tmp_path: Path) -> None:
    """The contracts bite: the same contracts over a copy of rhrt whose model imports the
    renderer (the cycle issue 13 removed) are broken."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "rhrt", copy / "rhrt",
                    ignore=shutil.ignore_patterns("__pycache__"))
    model = copy / "rhrt" / "model" / "decision.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nimport rhrt.render.hooks\n",
                     encoding="utf-8")
    out = subprocess.run(
        [*_lint_imports(), "--config", str(ROOT / "pyproject.toml")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
        env={"PYTHONPATH": str(copy), "PATH": str(Path(sys.executable).parent)},
    )
    assert out.returncode != 0
    assert "rhrt.model.decision -> rhrt.render.hooks" in out.stdout

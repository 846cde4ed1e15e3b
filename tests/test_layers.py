# SPDX-License-Identifier: MIT
"""The layering is enforced, not hoped (issue 13): ``lint-imports`` keeps every import-linter
contract in pyproject.toml (``[tool.importlinter]``): the pipeline's layers, no import cycles,
no template engine below the renderer, and no import of another package's private module.

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


def _lint_a_copy_with(tmp_path: Path, module: str, line: str) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with the project's contracts over a copy of rhrt in which ``module``
    (a path under src/rhrt) ends with ``line``."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "rhrt", copy / "rhrt",
                    ignore=shutil.ignore_patterns("__pycache__"))
    changed = copy / "rhrt" / module
    changed.write_text(changed.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return subprocess.run(
        [*_lint_imports(), "--config", str(ROOT / "pyproject.toml")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
        env={"PYTHONPATH": str(copy), "PATH": str(Path(sys.executable).parent)},
    )


def test_the_model_importing_the_renderer_would_break_the_layers(tmp_path: Path) -> None:
    """The contracts bite: the same contracts over a copy of rhrt whose model imports the
    renderer (the cycle issue 13 removed) are broken."""
    out = _lint_a_copy_with(tmp_path, "model/decision.py", "import rhrt.render.hooks")
    assert out.returncode != 0
    assert "rhrt.model.decision -> rhrt.render.hooks" in out.stdout


def test_importing_another_packages_private_module_is_refused(tmp_path: Path) -> None:
    """No module imports another package's private module (issue 13): a copy of rhrt whose
    batch imports the model's private ``_base`` (rather than ``rhrt.model.trusted``) breaks
    the contracts, and only the private-modules one."""
    out = _lint_a_copy_with(tmp_path, "batch/kernel.py", "from rhrt.model._base import trusted")
    assert out.returncode != 0
    assert "rhrt.batch.kernel -> rhrt.model._base" in out.stdout
    assert "1 broken" in out.stdout

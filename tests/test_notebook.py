# SPDX-License-Identifier: MIT
"""The analyst notebook in docs/ runs from top to bottom (synthetic data → batch → audit →
what-if), so the documented example can never rot."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "analyst-notebook.ipynb"


@pytest.mark.slow
@pytest.mark.analysis
def test_analyst_notebook_executes(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    for module in ("pandas", "pyarrow", "matplotlib"):
        pytest.importorskip(module)

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 5  # level bars, audit charts, what-if charts
    text = "".join(o.get("text", "") for o in outputs)
    assert "cases change level" in text and "agreement" in text

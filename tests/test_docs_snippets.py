# SPDX-License-Identifier: MIT
"""The Python examples in the README and the getting-started guide run as written.

Each page's ```python blocks run in order in one namespace, from a temporary directory holding
the getting-started case file, so a newcomer copying them gets no surprise.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["README.md", "docs/getting-started.md"]
CASE_YAML = """child: {age_years: 6}
indicators:
  - inadequate-diet
  - id: missed-immunisations-health-checks
    note: Missed pre-school booster
consent: given
assessment_date: 2024-05-01
"""


def python_blocks(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("page", PAGES)
def test_python_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = python_blocks(ROOT / page)
    assert blocks, page
    (tmp_path / "case.yaml").write_text(CASE_YAML, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, f"{page}:python", "exec"), namespace)


def test_getting_started_claims_hold() -> None:
    import rhrt

    decision = rhrt.load_ruleset().assess(
        {
            "child": {"age_years": 6},
            "indicators": ["inadequate-diet", "missed-immunisations-health-checks"],
        }
    )
    assert decision.level == 2
    assert decision.pathway_ids == ("early-help",)


def test_analysts_csv_to_chart_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/analysts.md: a CSV (made by `rhrt synth`) to a saved chart of levels."""
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    from rhrt.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["synth", "2000", "--out", "contacts.csv"]) == 0
    block = python_blocks(ROOT / "docs" / "analysts.md")[0]
    namespace: dict[str, object] = {}
    exec(compile(block, "docs/analysts.md:python", "exec"), namespace)
    counts = namespace["counts"]
    assert int(counts.sum()) == 2000  # type: ignore[attr-defined]
    assert (tmp_path / "levels.png").stat().st_size > 1000

# SPDX-License-Identifier: MIT
"""Every YAML tag is refused (rulesets and cases), and ``rhrt check`` leaves no files behind."""

from __future__ import annotations

from pathlib import Path

import pytest

import rhrt
from rhrt.cli import main
from rhrt.errors import CaseError, RulesetSyntaxError

TAGGED = [
    "!!binary aGVsbG8=",
    "!!str inadequate-diet",
    "!!python/name:os.system",
    "!custom x",
    "! inadequate-diet",
]


@pytest.mark.parametrize("value", TAGGED)
def test_case_with_any_tag_is_refused(value: str) -> None:
    text = f"child: {{age_years: 3}}\nindicators:\n  - id: {value}\n"
    with pytest.raises(CaseError) as info:
        rhrt.load_ruleset().validate_case(text)
    assert "tag" in str(info.value)


@pytest.mark.parametrize("value", TAGGED)
def test_ruleset_with_any_tag_is_refused(value: str) -> None:
    with pytest.raises(RulesetSyntaxError):
        rhrt.ruleset_from_text(f"ruleset:\n  id: {value}\n")


def test_check_writes_nothing_into_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("hypothesis")
    monkeypatch.chdir(tmp_path)
    rules = Path(__file__).parent / "rulesets" / "minimal.yaml"
    assert main(["check", str(rules), "--max-examples", "3"]) == 0
    assert list(tmp_path.iterdir()) == []

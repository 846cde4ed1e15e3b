# SPDX-License-Identifier: MIT
"""Dated revisions: the revision in force on each case's assessment date decides it."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from rhrt import load_ruleset
from rhrt.cli import main
from rhrt.errors import ArgumentError, CaseError, RulesetError
from rhrt.history import RulesetHistory, load_history

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"
BASE = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))


def _revision(version: str, start: str, diet_level: int, end: str | None = None,
              rid: str | None = None) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["ruleset"].update(version=version, effective_from=start)
    if end:
        data["ruleset"]["effective_to"] = end
    if rid:
        data["ruleset"]["id"] = rid
    next(i for i in data["indicators"] if i["id"] == "poor-diet")["level"] = diet_level
    return data


def _folder(tmp_path: Path, *revisions: dict[str, Any]) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    for n, data in enumerate(revisions):
        (folder / f"r{n}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (folder / "ours.rhrt-test.yaml").write_text("tests: []\n", encoding="utf-8")  # ignored
    return folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    # written newest first: the order of files does not matter
    return _folder(tmp_path, _revision("2", "2025-01-01", 3), _revision("1", "2024-01-01", 2))


def _case(when: str | None) -> dict[str, Any]:
    case: dict[str, Any] = {"child": {"age_years": 5}, "indicators": ["poor-diet"]}
    if when:
        case["assessment_date"] = when
    return case


@pytest.mark.parametrize(
    ("when", "version", "level", "warned"),
    [
        ("2024-06-01", "1", 2, False),
        ("2024-12-31", "1", 2, False),
        ("2025-01-01", "2", 3, False),
        ("2023-05-01", "1", 2, True),  # before every revision: the first, with the warning
    ],
)
def test_the_revision_in_force_decides(
    folder: Path, when: str | None, version: str, level: int, warned: bool
) -> None:
    history = load_history(folder)
    decision = history.assess(_case(when))
    assert (decision.ruleset.version, decision.level) == (version, level)
    assert bool(decision.warnings) == warned
    day = dt.date.fromisoformat(when) if when else None
    assert load_ruleset(folder, as_of=day).version == version
    assert history.for_case(_case(when)).version == version


def test_revision_after_its_end_warns(tmp_path: Path) -> None:
    folder = _folder(tmp_path, _revision("1", "2024-01-01", 2, end="2024-12-31"))
    decision = load_history(folder).assess(_case("2025-03-01"))
    assert decision.ruleset.version == "1"
    assert decision.warnings


@pytest.mark.parametrize(
    ("revisions", "words"),
    [
        ((_revision("1", "2024-01-01", 2), _revision("2", "2025-01-01", 3, rid="other")),
         "different ruleset"),
        ((_revision("1", "2024-01-01", 2), _revision("2", "2024-01-01", 3)), "2024-01-01"),
        ((_revision("1", "2024-01-01", 2, end="2025-06-01"), _revision("2", "2025-01-01", 3)),
         "in force until 2025-06-01"),
    ],
)
def test_inconsistent_revisions_are_refused(
    tmp_path: Path, revisions: tuple[dict[str, Any], ...], words: str
) -> None:
    with pytest.raises(RulesetError, match=words):
        load_history(_folder(tmp_path, *revisions))


def test_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RulesetError):
        load_history(tmp_path)


def test_cli_assess_with_a_folder_picks_by_date(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for when, version in (("2024-06-01", "1"), ("2025-06-01", "2")):
        case = tmp_path / f"{when}.yaml"
        case.write_text(yaml.safe_dump(_case(when)), encoding="utf-8")
        assert main(["assess", str(case), "--rules", str(folder), "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out)["ruleset"]["version"] == version


def test_tables_pick_the_revision_per_row(folder: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pytest.importorskip("numpy")
    dates = [dt.date(2024, 6, 1), dt.date(2025, 6, 1), dt.date(2026, 1, 1),
             dt.date(2023, 1, 1)]
    table = pa.table({
        "case_ref": ["a", "b", "c", "d"],
        "indicators": ["poor-diet"] * 4,
        "age_years": [5.0] * 4,
        "assessment_date": pa.array(dates, pa.date32()),
    })
    history = load_history(folder)
    out = history.assess_table(table)
    assert out.column("case_ref").to_pylist() == ["a", "b", "c", "d"]
    expected = [history.assess(_case(d.isoformat())) for d in dates]
    assert out.column("level").to_pylist() == [d.level for d in expected]
    assert out.column("ruleset_version").to_pylist() == [d.ruleset.version for d in expected]
    assert out.column("level").to_pylist() == [2, 3, 3, 2]
    # every row's first step as the revision in force decides it (null: none of these is urgent)
    assert out.column("first_step").to_pylist() == [d.first_step for d in expected]


def test_a_single_ruleset_is_a_history_of_one() -> None:
    ruleset = load_ruleset(MINIMAL)
    history = RulesetHistory([ruleset])
    assert history.as_of(dt.date(1990, 1, 1)) is ruleset
    assert history.latest is ruleset


def test_no_assessment_date_is_refused_when_a_revision_must_be_chosen(folder: Path) -> None:
    # rhrt never reads the clock: the latest revision may not be in force yet
    history = load_history(folder)
    for attempt in (lambda: history.assess(_case(None)), lambda: history.for_case(_case(None)),
                    lambda: history.as_of(None)):
        with pytest.raises(CaseError, match="assessment date") as info:
            attempt()
        assert info.value.path == "assessment_date"


def test_a_table_row_without_a_date_is_refused(folder: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pytest.importorskip("numpy")
    history = load_history(folder)
    dated = pa.table({"case_ref": ["a", "b"], "indicators": ["poor-diet"] * 2,
                      "age_years": [5.0] * 2,
                      "assessment_date": pa.array([dt.date(2024, 6, 1), None], pa.date32())})
    with pytest.raises(CaseError, match="row 2"):
        history.assess_table(dated)
    with pytest.raises(CaseError, match="assessment date"):
        history.assess_table(dated.drop_columns(["assessment_date"]))


def test_cli_assess_without_a_date_is_refused(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(_case(None)), encoding="utf-8")
    assert main(["assess", str(case), "--rules", str(folder)]) == 2
    assert "assessment date" in capsys.readouterr().err


def test_a_folder_needs_as_of(folder: Path) -> None:
    with pytest.raises(ArgumentError, match="as_of") as info:
        load_ruleset(folder)
    assert info.value.argument == "as_of"


@pytest.mark.parametrize(("as_of", "version"),
                         [("2024-06-01", "1"), ("2025-01-01", "2"), (dt.date(2025, 3, 1), "2")])
def test_as_of_takes_a_date_or_iso_text(folder: Path, as_of: object, version: str) -> None:
    assert load_ruleset(folder, as_of=as_of).version == version  # type: ignore[arg-type]
    assert load_ruleset(MINIMAL, as_of=as_of).id == load_ruleset(MINIMAL).id  # type: ignore[arg-type]


@pytest.mark.parametrize("as_of", [dt.datetime(2025, 1, 1, 12, 0), True, 20250101, 2025.0,
                                   "2025-1-1", "2025-02-30", "20250101", "2025-01-01T00:00",
                                   "２０２５-01-01", b"2025-01-01"])
def test_other_as_of_values_are_refused_naming_the_argument(folder: Path, as_of: object) -> None:
    for path in (folder, MINIMAL):
        with pytest.raises(ArgumentError) as info:
            load_ruleset(path, as_of=as_of)  # type: ignore[arg-type]
        assert info.value.argument == "as_of"
        assert "as_of" in str(info.value)
        assert str(as_of) not in str(info.value)


def _table_csv(tmp_path: Path) -> Path:
    csv = tmp_path / "hist.csv"
    csv.write_text("case_ref,indicators,age_years,assessment_date\n"
                   "a,poor-diet,5,2024-06-01\nb,poor-diet,5,2025-06-01\n", encoding="utf-8")
    return csv


@pytest.mark.parametrize("command", ["batch", "audit", "diff-old", "diff-new", "test"])
def test_commands_that_cannot_choose_per_row_refuse_a_folder(
    folder: Path, tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # never silently decide every row with one revision (the newest)
    if command != "test":  # without the analysis extra, these stop first with exit 3
        pytest.importorskip("pyarrow")
        pytest.importorskip("pandas")
    csv, out = _table_csv(tmp_path), tmp_path / "o.csv"
    argv = {
        "batch": ["batch", str(csv), "--rules", str(folder), "--out", str(out)],
        "audit": ["audit", str(csv), "--rules", str(folder), "--out", str(tmp_path / "a.md")],
        "diff-old": ["diff", str(folder), str(MINIMAL), str(csv),
                     "--out", str(tmp_path / "d.md")],
        "diff-new": ["diff", str(MINIMAL), str(folder), str(csv),
                     "--out", str(tmp_path / "d.md")],
        "test": ["test", str(folder / "ours.rhrt-test.yaml"), "--rules", str(folder)],
    }[command]
    assert main(argv) == 2
    assert "folder of dated ruleset revisions" in capsys.readouterr().err
    assert not out.exists()


@pytest.fixture
def unsafe_older(tmp_path: Path) -> Path:
    """An older revision, still in force for 2024 cases, that breaks the emergency promise
    (no indicator records immediate danger); the newest revision keeps it."""
    old = _revision("1", "2024-01-01", 2)
    next(i for i in old["indicators"] if i["id"] == "danger")["tags"] = []
    return _folder(tmp_path, old, _revision("2", "2025-01-01", 3))


@pytest.mark.parametrize(("argv", "alone"), [
    (["lint", "--fail-on", "error"], 0),
    (["check", "--max-examples", "5", "--no-progress"], 0),
    (["validate", "--strict"], 2),
])
def test_checks_of_a_folder_check_every_revision(
    unsafe_older: Path, argv: list[str], alone: int, capsys: pytest.CaptureFixture[str]
) -> None:
    newest = unsafe_older / "r1.yaml"
    assert main([*argv, str(newest)]) == alone  # the newest alone passes (or fails the same)
    capsys.readouterr()
    assert main([*argv, str(unsafe_older)]) == 2
    out = capsys.readouterr()
    text = out.out + out.err
    assert "immediate" in text and "danger" in text
    if argv[0] != "check":  # findings are reported under their revision file
        assert any("r0.yaml" in line and "immediate_danger" in line
                   for line in text.splitlines())
        assert "r1.yaml" in text


def test_prove_of_a_folder_proves_every_revision(
    unsafe_older: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("z3")
    assert main(["prove", str(unsafe_older / "r1.yaml")]) == 0
    cex = tmp_path / "cex"
    assert main(["prove", str(unsafe_older), "--counterexamples", str(cex)]) == 2
    # any counterexamples are kept apart per revision file, never mixed in one folder
    assert not cex.exists() or {p.name for p in cex.iterdir()} <= {"r0", "r1"}


@pytest.mark.parametrize("argv", [["lint", "--format", "json"], ["lint", "--format", "sarif"],
                                  ["prove", "--format", "json"]])
def test_machine_formats_take_one_revision_file(
    unsafe_older: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, str(unsafe_older)]) == 2
    assert "folder of revisions" in capsys.readouterr().err


def test_checks_of_a_folder_refuse_overlapping_revisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path, _revision("1", "2024-01-01", 2, end="2025-06-01"),
                     _revision("2", "2025-01-01", 3))
    assert main(["check", str(folder), "--max-examples", "5", "--no-progress"]) == 2
    assert "in force until" in capsys.readouterr().err


def _ruleset_arguments() -> dict[str, str]:
    """Each subcommand's ruleset argument help, by command name."""
    import argparse

    from rhrt.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found = {}
    for name, command in sub.choices.items():
        for action in command._actions:
            if action.dest == "rules":
                found[name] = action.help or ""
    return found


# The commands that read a folder of dated revisions (by the case's date, or each revision).
READS_A_FOLDER = {"assess", "render", "check", "validate", "lint", "prove"}


def test_ruleset_help_says_whether_a_folder_is_read() -> None:
    # regression: assess and render accepted a folder while their --rules help said FILE
    found = _ruleset_arguments()
    assert set(found) >= READS_A_FOLDER
    for name, text in found.items():
        assert ("folder of dated revisions" in text and "not a folder" not in text) == (
            name in READS_A_FOLDER
        ), name


@pytest.mark.parametrize("command", ["indicators", "docs", "synth"])
def test_other_commands_refuse_a_folder(
    folder: Path, tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = ["5", "--out", str(tmp_path / "s.csv")] if command == "synth" else []
    if command == "synth":
        pytest.importorskip("pyarrow")
    assert main([command, "--rules", str(folder), *extra]) == 2
    assert "folder of dated ruleset revisions" in capsys.readouterr().err


# -- limits reach every revision (regression: a folder was read with the default limits) ------


def test_limits_reach_every_revision_of_a_folder(folder: Path) -> None:
    from rhrt import Limits
    from rhrt.errors import RulesetSyntaxError

    tight = Limits(max_bytes=200)  # each revision file is larger than this
    assert all(p.stat().st_size > 200 for p in folder.glob("r*.yaml"))
    with pytest.raises(RulesetSyntaxError, match="size limit of 200 bytes"):
        load_ruleset(folder, as_of="2025-06-01", limits=tight)
    with pytest.raises(RulesetSyntaxError, match="size limit of 200 bytes"):
        load_history(folder, limits=tight)
    # within the limits both read as before
    assert load_ruleset(folder, as_of="2025-06-01", limits=Limits()).version == "2"
    assert load_history(folder, limits=Limits()).as_of(dt.date(2024, 6, 1)).version == "1"


def test_load_history_refuses_limits_that_are_not_limits(folder: Path) -> None:
    with pytest.raises(ArgumentError) as info:
        load_history(folder, limits=None)  # type: ignore[arg-type]
    assert info.value.argument == "limits"

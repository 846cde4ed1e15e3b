# SPDX-License-Identifier: MIT
"""Command-line conventions a newcomer expects (issue 20): files end with a newline, kept
input numbers stay numbers, progress and colour follow the terminal and NO_COLOR/--no-color,
and -v/--debug diagnostics never include case content."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from rhrt.cli import main

MINIMAL = str(Path(__file__).parent / "rulesets" / "minimal.yaml")


def _cases_csv(path: Path) -> Path:
    path.write_text(
        "case_ref,age_years,indicators,dash_score,recorded_decision,notes_col\n"
        "A1, 6 ,poor-diet,,2,007\n"
        "A2,0.5,,2e1,4,x\n"
        "A3,,,,,\n",
        encoding="utf-8",
    )
    return path


def _cells(line: str) -> list[object]:
    """A CSV line's cells: a quoted cell is text, an unquoted one a number (or empty/false)."""
    cells: list[object] = []
    for raw in re.findall(r'("(?:[^"]|"")*"|[^,]*)(?:,|$)', line)[: line.count(",") + 1]:
        if raw.startswith('"'):
            cells.append(raw[1:-1].replace('""', '"'))
        elif raw in ("", "true", "false"):
            cells.append(raw)
        else:
            cells.append(float(raw))
    return cells


def test_summary_json_ends_with_a_newline(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    cases = _cases_csv(tmp_path / "cases.csv")
    summary = tmp_path / "summary.json"
    args = ["batch", str(cases), "--out", str(tmp_path / "out.csv"), "--rules", MINIMAL]
    assert main([*args, "--ignore-column", "notes_col", "--summary-json", str(summary)]) == 0
    assert summary.read_text(encoding="utf-8").endswith("}\n")


def test_keep_input_keeps_number_columns_numeric_in_csv(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    cases = _cases_csv(tmp_path / "cases.csv")
    out = tmp_path / "out.csv"
    args = ["batch", str(cases), "--out", str(out), "--rules", MINIMAL, "--keep-input"]
    assert main([*args, "--ignore-column", "notes_col"]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([lines[0]]))
    body = [dict(zip(header, _cells(line), strict=True)) for line in lines[1:]]
    assert [r["age_years"] for r in body] == [6, 0.5, ""]
    assert [r["dash_score"] for r in body] == ["", 20, ""]
    assert [r["recorded_decision"] for r in body] == [2, 4, ""]
    # a column rhrt does not read is copied as it was: text stays text ("007" is not 7)
    assert [r["notes_col"] for r in body] == ["007", "x", ""]
    assert [r["case_ref"] for r in body] == ["A1", "A2", "A3"]


# -- colour and progress -----------------------------------------------------------------------

COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|9[0-7]|38;[25])[;m]")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _draw_progress(monkeypatch: pytest.MonkeyPatch) -> str:
    from rhrt._console import Progress

    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("COLUMNS", raising=False)
    stream = _Terminal()
    with Progress(1_000, None, stream, description="assessing") as bar:
        for _ in range(10):
            bar.update(100)
    return stream.getvalue()


def test_progress_is_drawn_with_rich_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rich")
    monkeypatch.delenv("NO_COLOR", raising=False)
    shown = _draw_progress(monkeypatch)
    assert "assessing" in shown and "1000/1000" in shown
    assert COLOUR.search(shown)  # so the tests below can see colour removed


@pytest.mark.parametrize("how", ["NO_COLOR", "--no-color"])
def test_no_color_is_honoured(how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rich")
    from rhrt import _console

    if how == "NO_COLOR":
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.setattr(_console, "_color_flag", True)
        parser_args = ["--no-color", "indicators", "--level", "4"]
        assert main(parser_args) == 0  # sets the process's colour off, as the flag says
        assert not _console.color_enabled()
    shown = _draw_progress(monkeypatch)
    assert "assessing" in shown and not COLOUR.search(shown)
    _console.set_color(True)


def test_no_color_is_accepted_before_or_after_the_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from rhrt import _console

    for argv in (["--no-color", "indicators"], ["indicators", "--no-color"]):
        assert main([*argv, "--level", "4"]) == 0
        assert not _console.color_enabled()
    assert main(["indicators", "--level", "4"]) == 0
    assert _console.color_enabled()
    capsys.readouterr()


def test_without_rich_there_is_no_progress_display(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from rhrt._console import Progress

    monkeypatch.setitem(sys.modules, "rich", None)
    monkeypatch.setitem(sys.modules, "rich.progress", None)
    stream = _Terminal()
    with Progress(10, True, stream) as bar:
        bar.update(10)
    assert stream.getvalue() == "" and not bar.enabled


def test_progress_is_off_when_not_a_terminal() -> None:
    from rhrt._console import Progress

    stream = io.StringIO()
    with Progress(10, None, stream) as bar:
        bar.update(10)
    assert stream.getvalue() == ""


# -- diagnostics ---------------------------------------------------------------------------------

SECRET = "Quokka-note-5519"


@pytest.mark.parametrize("flag", ["-v", "--debug"])
def test_debug_diagnostics_never_include_case_content(
    flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / f"{SECRET}.yaml"  # even a file name may be personal
    case.write_text(
        f"child: {{age_years: 6}}\nindicators:\n  - id: poor-diet\n    note: {SECRET}\n",
        encoding="utf-8",
    )
    assert main(["assess", str(case), "--rules", MINIMAL, "--include-notes", flag]) == 0
    out, err = capsys.readouterr()
    assert SECRET in out  # asked for: the notes are in the output
    assert "rhrt: debug:" in err and "sha256" in err
    assert SECRET not in err


def test_debug_shows_where_an_unexpected_error_happened_but_not_its_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import rhrt.cli.indicators as indicators

    def boom(args: object) -> int:
        raise ValueError(SECRET)

    monkeypatch.setattr(indicators, "run", boom)
    assert main(["indicators", "--debug"]) == 1
    err = capsys.readouterr().err
    assert "ValueError" in err and "in boom" in err
    assert SECRET not in err
    assert main(["indicators"]) == 1
    assert "in boom" not in capsys.readouterr().err  # only with --debug


# -- exit codes and messages ---------------------------------------------------------------------


def _documented_missing_extra_codes() -> set[str]:
    """The exit code README and docs/analysts.md give for a missing extra."""
    root = Path(__file__).resolve().parents[1]

    def flat(page: str) -> str:
        return " ".join(root.joinpath(page).read_text(encoding="utf-8").split())

    return set(re.findall(r"(\d) a feature needs an extra", flat("README.md"))) | set(
        re.findall(r"extra to install and exit (\d)", flat("docs/analysts.md"))
    )


def test_one_documented_exit_code_for_a_missing_extra() -> None:
    from rhrt.errors import EXIT_MISSING_EXTRA, MissingExtraError

    assert _documented_missing_extra_codes() == {str(EXIT_MISSING_EXTRA)}
    assert MissingExtraError.exit_code == EXIT_MISSING_EXTRA
    assert EXIT_MISSING_EXTRA not in (0, 1, 2)


@pytest.mark.parametrize(
    ("argv", "module", "extra"),
    [
        (["check", MINIMAL, "--max-examples", "1"], "hypothesis", "testing"),
        (["assess", "-", "--engine", "durable", "--rules", MINIMAL], "durable", "durable"),
        (["synth", "5", "--out", "x.csv"], "numpy", "analysis"),
    ],
)
def test_every_path_to_a_missing_extra_exits_3_and_names_it(
    argv: list[str],
    module: str,
    extra: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    import sys

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"indicators: []\n")))
    for name in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert f"rhrt[{extra}]" in err and "unexpected" not in err


def test_durable_on_a_python_it_does_not_support_says_so() -> None:
    from rhrt.engine.durable import DURABLE_PYTHONS, durable_missing

    message = str(durable_missing((3, 13)))
    assert "does not support Python 3.13" in message
    for major, minor in DURABLE_PYTHONS:
        assert f"{major}.{minor}" in message
    assert "pip install" not in message  # installing the extra there installs nothing
    assert "pip install 'rhrt[durable]'" in str(durable_missing(DURABLE_PYTHONS[-1]))


def test_assess_given_a_file_name_as_a_str_says_to_pass_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rhrt
    from rhrt.errors import CaseError

    (tmp_path / "case.yaml").write_text("indicators: []\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    ruleset = rhrt.load_ruleset(MINIMAL)
    for given in ("case.yaml", str(tmp_path / "case.yaml")):
        with pytest.raises(CaseError, match="Path") as info:
            ruleset.assess(given)
        assert "case.yaml" not in str(info.value)  # a file name may be personal: not echoed
    assert ruleset.assess(Path("case.yaml")).level == 1
    # text that is not a file name keeps its own message
    with pytest.raises(CaseError, match="mapping") as info:
        ruleset.assess("just words")
    assert "Path" not in str(info.value)


def test_check_reports_progress_once_per_property() -> None:
    """`rhrt check`'s progress bar reaches its total: every property, checked or not applicable,
    is reported once, in order."""
    pytest.importorskip("hypothesis")
    import rhrt
    from rhrt.testing import check_invariants
    from rhrt.testing.invariants import PROPERTIES

    seen: list[str] = []
    check_invariants(rhrt.load_ruleset(MINIMAL), 2, on_property=seen.append)
    assert seen == [p.id for p in PROPERTIES]


def _on_a_terminal(argv: list[str], env: dict[str, str]) -> bytes:
    """What ``rhrt argv`` writes to a pseudo-terminal (stdout and stderr both)."""
    import os
    import pty
    import subprocess
    import sys

    main_fd, child_fd = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "rhrt", *argv], stdin=subprocess.DEVNULL,
                                stdout=child_fd, stderr=child_fd, env=env, close_fds=True)
        os.close(child_fd)
        chunks = []
        while True:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=120) == 0
    finally:
        os.close(main_fd)
    return b"".join(chunks)


@pytest.mark.parametrize("how", ["NO_COLOR", "--no-color"])
@pytest.mark.parametrize("command", ["assess", "render"])
def test_no_color_writes_no_escape_sequence_on_a_terminal(
    tmp_path: Path, how: str, command: str
) -> None:
    """Regression: ``--no-color`` and ``NO_COLOR`` still wrote bold, underline and OSC-8
    hyperlinks through rich on a terminal (87 ESC bytes for one decision)."""
    import os

    pytest.importorskip("rich")
    case = tmp_path / "c.yaml"
    case.write_text("indicators: [poor-diet]\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm-256color"
    argv = [command, "--rules", MINIMAL, str(case)]
    if command == "assess":
        coloured = _on_a_terminal(argv, env)
        assert b"\x1b" in coloured  # rich styles assess on a terminal: the test sees escapes
    if how == "NO_COLOR":
        env["NO_COLOR"] = "1"
    else:
        argv.insert(1, "--no-color")
    plain = _on_a_terminal(argv, env)
    assert b"LEVEL" in plain.upper()
    assert b"\x1b" not in plain and b"\x9b" not in plain

# SPDX-License-Identifier: MIT
"""Output files: written whole or not at all, never over an input, compressed as named.

Issue 12 ("Files"): ``rhrt batch does-not-exist.csv --out results.csv`` deleted results.csv;
SIGTERM left a complete-looking partial CSV; a hard link to the input passed the same-file check;
``rhrt assess case.yaml --out case.yaml`` replaced the case; ``--out x.csv.gz`` wrote plain CSV.
"""

from __future__ import annotations

import gzip
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rhrt.cli import main
from rhrt.errors import FileError
from rhrt.files import AtomicOutput, check_output, write_text

HERE = Path(__file__).parent
MINIMAL = str(HERE / "rulesets" / "minimal.yaml")
CASE = HERE.parent / "examples" / "cases" / "level1-thriving.yaml"
OLD = b"an analyst's earlier results\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def leftovers(folder: Path) -> list[str]:
    """Temporary files an interrupted write would leave behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".rhrt-tmp"))


# -- the writer itself -------------------------------------------------------------------------


def test_atomic_output_replaces_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(OLD)
    with pytest.raises(RuntimeError), AtomicOutput(target) as out:
        out.write(b"half a fi")
        assert target.read_bytes() == OLD  # nothing touches the target while writing
        raise RuntimeError("stop")
    assert target.read_bytes() == OLD and leftovers(tmp_path) == []
    with AtomicOutput(target) as out:
        out.write(b"new")
    assert target.read_bytes() == b"new" and leftovers(tmp_path) == []


def test_existing_permissions_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(OLD)
    target.chmod(0o640)
    write_text(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


# Regression: ``rhrt batch ok.csv --out o.csv --summary-json LINK`` with LINK a chain of links
# replaced what the chain ended at (once the shared Python interpreter). An output named by a
# symbolic link is refused, whatever it points at; the real path is written as usual.


@pytest.mark.parametrize("shape", ["link", "chain", "dangling", "to-folder-file"])
def test_a_symlinked_output_is_refused(tmp_path: Path, shape: str) -> None:
    real = tmp_path / "real.txt"
    real.write_bytes(OLD)
    link = tmp_path / "link.txt"
    if shape == "link":
        link.symlink_to(real)
    elif shape == "chain":
        middle = tmp_path / "middle.txt"
        middle.symlink_to(real)
        link.symlink_to(middle)
    elif shape == "dangling":
        link.symlink_to(tmp_path / "absent.txt")
    else:
        link.symlink_to(Path("sub") / ".." / "real.txt")
        (tmp_path / "sub").mkdir()
    with pytest.raises(FileError, match="symbolic link") as caught:
        write_text(link, "new")
    assert "real path" in str(caught.value)
    assert real.read_bytes() == OLD and link.is_symlink() and leftovers(tmp_path) == []
    assert not (tmp_path / "absent.txt").exists()
    write_text(real, "new")  # the real path is fine
    assert real.read_text() == "new"


def test_a_linked_folder_is_fine(tmp_path: Path) -> None:
    """Only the last part of the name is checked: a folder reached by a link is written."""
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    write_text(tmp_path / "alias" / "out.txt", "new")
    assert (tmp_path / "real" / "out.txt").read_text() == "new"


@pytest.mark.skipif(not Path("/dev/stdout").is_symlink(), reason="/dev/stdout is no link here")
def test_own_streams_are_still_written_in_place(tmp_path: Path) -> None:
    """``/dev/stdout`` is a link: to a terminal, pipe or (under ``> file``) a file. Written in
    place, whatever it is; the file the shell opened is not replaced."""
    redirected = tmp_path / "redirected.txt"
    code = (
        "import sys\nfrom rhrt.files import write_text\n"
        "write_text('/dev/stdout', 'new')\nsys.stdout.flush()\n"
    )
    with redirected.open("wb") as handle:
        done = subprocess.run([sys.executable, "-c", code], stdout=handle, check=False)
    assert done.returncode == 0 and redirected.read_text() == "new"
    assert leftovers(tmp_path) == []


def test_a_device_behind_a_link_is_written_in_place(tmp_path: Path) -> None:
    link = tmp_path / "null"
    link.symlink_to("/dev/null")
    write_text(link, "new")
    assert link.is_symlink() and leftovers(tmp_path) == []


@pytest.mark.parametrize("how", ["same", "hardlink", "symlink"])
def test_an_input_is_never_an_output(tmp_path: Path, how: str) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(OLD)
    out = source
    reason = "same file as an input"
    if how == "hardlink":
        out = tmp_path / "linked.csv"
        os.link(source, out)
    elif how == "symlink":
        out = tmp_path / "linked.csv"
        out.symlink_to(source)
        reason = "symbolic link"
    with pytest.raises(FileError, match=reason):
        check_output(out, [source])
    assert source.read_bytes() == OLD


# -- batch ------------------------------------------------------------------------------------

pa = pytest.importorskip("pyarrow")
pytest.importorskip("numpy")


@pytest.fixture(scope="module")
def contacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("in") / "contacts.csv"
    assert main(["synth", "300", "--out", str(path), "--seed", "5", "--rules", MINIMAL]) == 0
    return path


@pytest.fixture(scope="module")
def contacts_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("in") / "contacts.parquet"
    assert main(["synth", "300", "--out", str(path), "--seed", "5", "--rules", MINIMAL]) == 0
    return path


def test_missing_input_leaves_results_byte_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results.csv"
    results.write_bytes(OLD)
    code, _, err = run(capsys, "batch", str(tmp_path / "does-not-exist.csv"), "--out",
                       str(results), "--rules", MINIMAL)
    assert code == 2 and err.startswith("rhrt: error:")
    assert results.read_bytes() == OLD and leftovers(tmp_path) == []


def test_bad_first_row_leaves_results_byte_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("case_ref,age_years\nA1,not-a-number\n")
    results = tmp_path / "results.csv"
    results.write_bytes(OLD)
    code, _, _ = run(capsys, "batch", str(bad), "--out", str(results), "--rules", MINIMAL)
    assert code == 2
    assert results.read_bytes() == OLD and leftovers(tmp_path) == []


@pytest.mark.parametrize("stop", [RuntimeError, KeyboardInterrupt])
def test_failure_part_way_leaves_results_byte_identical(
    contacts_parquet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, stop: type[BaseException],
) -> None:
    from rhrt.batch import _output

    results = tmp_path / "results.parquet"
    results.write_bytes(OLD)
    calls = []
    real_write = _output.Writer.write

    def write_then_stop(self: _output.Writer, table: object) -> None:
        calls.append(1)
        if len(calls) == 3:  # two chunks are already in the unfinished file
            raise stop()
        real_write(self, table)  # type: ignore[arg-type]

    monkeypatch.setattr(_output.Writer, "write", write_then_stop)
    code, _, _ = run(capsys, "batch", str(contacts_parquet), "--out", str(results), "--rules",
                     MINIMAL, "--chunk-size", "50")
    assert code == (130 if stop is KeyboardInterrupt else 1)
    assert len(calls) == 3
    assert results.read_bytes() == OLD and leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "how", ["same", "hardlink", "symlink"],
)
def test_batch_refuses_its_input_as_output(
    contacts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(contacts.read_bytes())
    out = source
    reason = "same file as an input"
    if how == "hardlink":
        out = tmp_path / "copy.csv"
        os.link(source, out)
    elif how == "symlink":
        out = tmp_path / "copy.csv"
        out.symlink_to(source)
        reason = "symbolic link"
    code, _, err = run(capsys, "batch", str(source), "--out", str(out), "--rules", MINIMAL)
    assert code == 2 and reason in err
    assert source.read_bytes() == contacts.read_bytes()


def test_summary_json_is_checked_before_the_output_is_written(
    contacts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results.csv"
    results.write_bytes(OLD)
    code, _, err = run(capsys, "batch", str(contacts), "--out", str(results), "--rules",
                       MINIMAL, "--summary-json", str(tmp_path / "missing" / "s.json"))
    assert code == 2 and "does not exist" in err
    assert results.read_bytes() == OLD
    code, _, err = run(capsys, "batch", str(contacts), "--out", str(results), "--rules",
                       MINIMAL, "--summary-json", str(contacts))
    assert code == 2 and "same file as an input" in err
    code, _, err = run(capsys, "batch", str(contacts), "--out", str(results), "--rules",
                       MINIMAL, "--summary-json", str(results))
    assert code == 2 and "same file" in err
    assert results.read_bytes() == OLD and leftovers(tmp_path) == []


# -- compression ------------------------------------------------------------------------------

MAGIC = {".gz": b"\x1f\x8b", ".bz2": b"BZh", ".zst": b"\x28\xb5\x2f\xfd"}


@pytest.mark.parametrize("suffix", sorted(MAGIC))
def test_compressed_csv_round_trip(
    contacts: Path, tmp_path: Path, suffix: str
) -> None:
    from rhrt.batch._stream import read_chunks

    packed = tmp_path / f"contacts.csv{suffix}"
    assert main(["synth", "300", "--out", str(packed), "--seed", "5", "--rules", MINIMAL]) == 0
    assert packed.read_bytes()[: len(MAGIC[suffix])] == MAGIC[suffix]
    plain = pa.concat_tables(read_chunks(contacts, 1000))
    assert pa.concat_tables(read_chunks(packed, 1000)).equals(plain)
    out_packed = tmp_path / f"levels.csv{suffix}"
    out_plain = tmp_path / "levels.csv"
    assert main(["batch", str(packed), "--out", str(out_packed), "--rules", MINIMAL,
                 "--no-progress"]) == 0
    assert main(["batch", str(contacts), "--out", str(out_plain), "--rules", MINIMAL,
                 "--no-progress"]) == 0
    assert out_packed.read_bytes()[: len(MAGIC[suffix])] == MAGIC[suffix]
    got = pa.concat_tables(read_chunks(out_packed, 1000))
    assert got.equals(pa.concat_tables(read_chunks(out_plain, 1000)))


def test_text_outputs_are_compressed_as_named(tmp_path: Path) -> None:
    plain, packed = tmp_path / "decision.md", tmp_path / "decision.md.gz"
    assert main(["assess", str(CASE), "--format", "markdown", "--out", str(plain)]) == 0
    assert main(["assess", str(CASE), "--format", "markdown", "--out", str(packed)]) == 0
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()


# -- every command with --out -------------------------------------------------------------------


@pytest.mark.parametrize("command", ["assess", "render", "docs"])
def test_every_text_command_leaves_old_output_on_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    out = tmp_path / "out.txt"
    out.write_bytes(OLD)
    broken = tmp_path / "broken.yaml"
    broken.write_text("child: [unclosed\n")
    argv = [command, "--rules", str(broken)] if command == "docs" else [command, str(broken)]
    code, _, _ = run(capsys, *argv, "--out", str(out))
    assert code == 2 and out.read_bytes() == OLD
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("index", range(3))
def test_every_text_command_refuses_its_input_as_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], index: int
) -> None:
    case = tmp_path / "case.yaml"
    case.write_bytes(CASE.read_bytes())
    rules = tmp_path / "rules.yaml"
    rules.write_bytes(Path(MINIMAL).read_bytes())
    argv = [
        ["assess", str(case), "--out", str(case)],
        ["render", str(case), "--out", str(case)],
        ["docs", "--rules", str(rules), "--out", str(rules)],
    ][index]
    code, _, err = run(capsys, *argv)
    assert code == 2 and "same file as an input" in err
    assert case.read_bytes() == CASE.read_bytes()
    assert rules.read_bytes() == Path(MINIMAL).read_bytes()


@pytest.mark.parametrize("where", ["missing-folder", "folder", "full"])
@pytest.mark.parametrize("command", ["assess", "docs", "batch", "synth", "audit", "diff"])
def test_unwritable_outputs_exit_2_with_a_clear_message(
    contacts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, command: str
) -> None:
    if where == "full" and not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    suffix = ".csv" if command in ("batch", "synth") else ".md"
    out = {
        "missing-folder": str(tmp_path / "missing" / f"out{suffix}"),
        "folder": str(tmp_path),
        "full": "/dev/full",
    }[where]
    argv = {
        "assess": ["assess", str(CASE)],
        "docs": ["docs"],
        "batch": ["batch", str(contacts), "--rules", MINIMAL],
        "synth": ["synth", "10", "--rules", MINIMAL],
        "audit": ["audit", str(contacts), "--rules", MINIMAL],
        "diff": ["diff", MINIMAL, MINIMAL, str(contacts)],
    }[command]
    code, _, err = run(capsys, *argv, "--out", out)
    assert code == 2
    assert err.startswith("rhrt: error:") and "unexpected" not in err


def test_audit_tables_never_overwrite_an_input(
    contacts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    source = tmp_path / "review.csv"  # the input has the name of a table audit writes
    source.write_bytes(contacts.read_bytes())
    code, _, err = run(capsys, "audit", str(source), "--rules", MINIMAL, "--tables",
                       str(tmp_path))
    assert code == 2 and "same file as an input" in err
    assert source.read_bytes() == contacts.read_bytes()


# -- signals: a real process, stopped part way ------------------------------------------------


@pytest.fixture(scope="module")
def big_contacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rhrt import load_ruleset
    from rhrt.batch._output import Writer
    from rhrt.synth import population_batches

    path = tmp_path_factory.mktemp("big") / "contacts.csv"
    writer = Writer(path)
    for table in population_batches(200_000, 1, load_ruleset(MINIMAL)):
        writer.write(table)
    writer.close()
    return path


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_part_way_leaves_the_old_output_and_no_partial_file(
    big_contacts: Path, tmp_path: Path, signum: int, suffix: str
) -> None:
    results = tmp_path / f"results{suffix}"
    results.write_bytes(OLD)
    proc = subprocess.Popen(
        [sys.executable, "-m", "rhrt", "batch", str(big_contacts), "--out", str(results),
         "--rules", MINIMAL, "--chunk-size", "100", "--keep-input", "--no-progress"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        # wait until the unfinished file holds some rows: a partial output exists
        while proc.poll() is None:
            temps = [p for p in tmp_path.iterdir() if p.name.endswith(".rhrt-tmp")]
            if temps and temps[0].stat().st_size > 0:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the run ended before it could be stopped"
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == (130 if signum == signal.SIGINT else 128 + signum)
    assert b"left as they were" in err
    assert results.read_bytes() == OLD and leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["", "-", "bad\x00name.csv", "x" * 5000])
def test_unusable_names_are_file_errors(name: str) -> None:
    with pytest.raises(FileError):
        AtomicOutput(name).open()


# -- programs are never replaced --------------------------------------------------------------
# Regression: during this work a batch summary replaced the Python interpreter itself. An atomic
# rename succeeds where writing into a running program fails ("text file busy"), and a symlink
# (``.venv/bin/python``, ``/proc/self/exe``) led to the real binary. rhrt never replaces an
# executable file that starts like a program or script.


def _fake_program(path: Path, head: bytes) -> Path:
    path.write_bytes(head + b"\0not really a program\n")
    path.chmod(0o755)
    return path


@pytest.mark.parametrize("head", [b"\x7fELF", b"#!/bin/sh"])
@pytest.mark.parametrize("via_link", [False, True])
def test_a_program_is_never_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], head: bytes, via_link: bool
) -> None:
    program = _fake_program(tmp_path / "python3", head)
    before = program.read_bytes()
    out = program
    reason = "program"
    if via_link:
        out = tmp_path / "python"
        out.symlink_to(program)
        reason = "symbolic link"
    with pytest.raises(FileError, match=reason):
        write_text(out, "{}")
    code, _, err = run(capsys, "assess", str(CASE), "--out", str(out))
    assert code == 2 and reason in err
    assert program.read_bytes() == before and leftovers(tmp_path) == []


def test_batch_summary_never_replaces_a_program(
    contacts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = _fake_program(tmp_path / "python3.11", b"\x7fELF")
    link = tmp_path / "python"
    link.symlink_to(program)
    before = program.read_bytes()
    code, _, err = run(capsys, "batch", str(contacts), "--out", str(tmp_path / "o.csv"),
                       "--rules", MINIMAL, "--summary-json", str(program))
    assert code == 2 and "program" in err
    assert program.read_bytes() == before and not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("option", ["--out", "--summary-json"])
def test_batch_never_writes_through_a_link_chain(
    contacts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    """The reported break: ``--summary-json LINK``, LINK -> LINK2 -> a shared file."""
    shared = tmp_path / "shared.dat"
    shared.write_bytes(OLD)
    (tmp_path / "link2").symlink_to(shared)
    (tmp_path / "link").symlink_to(tmp_path / "link2")
    outs = {"--out": str(tmp_path / "o.csv"), "--summary-json": str(tmp_path / "s.json")}
    outs[option] = str(tmp_path / "link")
    code, _, err = run(capsys, "batch", str(contacts), "--rules", MINIMAL,
                       "--out", outs["--out"], "--summary-json", outs["--summary-json"])
    assert code == 2 and "symbolic link" in err and "real path" in err
    assert shared.read_bytes() == OLD and leftovers(tmp_path) == []
    assert not (tmp_path / "o.csv").exists() and not (tmp_path / "s.json").exists()


@pytest.mark.skipif(not Path("/proc/self/exe").exists(), reason="no /proc here")
def test_proc_self_exe_is_refused_before_anything_is_written() -> None:
    with pytest.raises(FileError, match="symbolic link"):
        check_output("/proc/self/exe")  # checks only: reads and writes nothing


def test_an_executable_data_file_is_still_replaced(tmp_path: Path) -> None:
    """Files on some mounts are all executable; only programs are protected."""
    data = tmp_path / "report.md"
    data.write_text("old report")
    data.chmod(0o777)
    write_text(data, "new report")
    assert data.read_text() == "new report"


def test_every_command_that_writes_names_its_inputs_so_they_are_protected() -> None:
    """A new command with ``--out`` whose input argument had another name would escape the
    input-is-never-an-output check: every file argument must be one of INPUT_ARGUMENTS."""
    import argparse

    from rhrt.cli import build_parser
    from rhrt.cli._common import INPUT_ARGUMENTS

    writes = {"out", "tables", "summary_json", "counterexamples"}
    not_files = {"n"}  # synth's number of cases
    parser = build_parser([])
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    checked = 0
    for name, command in sub.choices.items():
        dests = {a.dest for a in command._actions}
        if not dests & writes:
            continue
        checked += 1
        reads = {a.dest for a in command._actions if not a.option_strings} - not_files
        if "rules" in dests:
            reads.add("rules")
        assert reads <= set(INPUT_ARGUMENTS), (name, reads - set(INPUT_ARGUMENTS))
    assert checked >= 8

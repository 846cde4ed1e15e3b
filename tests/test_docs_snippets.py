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


# -- every command in the docs ------------------------------------------------------------------
#
# ```console blocks are transcripts: "$ rhrt ..." lines are run (as a separate process, from a
# folder holding the files the docs name) and the lines after each, up to the next "$", are its
# standard output exactly; a line "..." stands for any number of lines. Every other "rhrt ..."
# command line in a ```sh, ```bash or ```console block must at least parse with today's options.

DOC_PAGES = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]
COMMAND_BLOCK = re.compile(r"```(console|sh|bash)\n(.*?)```", flags=re.S)


def transcripts(page: str) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for each "$ " line of the page's console blocks."""
    found: list[tuple[str, list[str]]] = []
    for kind, body in COMMAND_BLOCK.findall((ROOT / page).read_text(encoding="utf-8")):
        if kind != "console":
            continue
        for line in body.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], []))
            elif found:
                found[-1][1].append(line.rstrip())
    return found


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line-by-line equality, where an expected "..." line matches any number of lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


def _doc_files(folder: Path) -> None:
    """The files the docs' transcripts name, made from the docs themselves."""
    getting_started = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    (case_yaml,) = [
        b for b in re.findall(r"```yaml\n(.*?)```", getting_started, flags=re.S)
        if b.startswith("# case.yaml")
    ]
    (folder / "case.yaml").write_text(case_yaml, encoding="utf-8")
    testing = (ROOT / "docs" / "testing-rules.md").read_text(encoding="utf-8")
    (rule,) = [
        b for b in re.findall(r"```yaml\n(.*?)```", testing, flags=re.S)
        if "diet-unless-thriving" in b
    ]
    minimal = (ROOT / "tests" / "rulesets" / "minimal.yaml").read_text(encoding="utf-8")
    assert "\nrules:\n" in minimal
    (folder / "diet-unless-thriving.yaml").write_text(
        minimal.replace("\nrules:\n", "\nrules:\n" + rule, 1), encoding="utf-8"
    )


TRANSCRIPTS = [
    pytest.param(page, command, expected, id=f"{page}: {command}")
    for page in DOC_PAGES
    for command, expected in transcripts(page)
]


def test_the_docs_have_transcripts() -> None:
    assert len(TRANSCRIPTS) >= 3


@pytest.mark.slow
@pytest.mark.parametrize(("page", "command", "expected"), TRANSCRIPTS)
def test_console_transcripts_show_what_happens(
    page: str, command: str, expected: list[str], tmp_path: Path
) -> None:
    import os
    import shlex
    import subprocess
    import sys

    argv = shlex.split(command)
    assert argv[0] == "rhrt", command
    _doc_files(tmp_path)
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    result = subprocess.run(
        [sys.executable, "-m", "rhrt", *argv[1:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode in (0, 2), result.stderr[-2000:]
    actual = [line.rstrip() for line in result.stdout.splitlines()]
    while expected and expected[-1] == "":
        expected = expected[:-1]
    if expected:
        assert matches(expected, actual), "\n".join(actual)


def _command_lines(page: str) -> list[str]:
    lines = []
    for kind, body in COMMAND_BLOCK.findall((ROOT / page).read_text(encoding="utf-8")):
        for raw in body.splitlines():
            if kind == "console" and not raw.startswith("$ "):
                continue  # output, not a command
            line = raw.removeprefix("$ ").split("  #")[0].strip()
            if line.startswith("rhrt ") and not re.search(r"[\[|]|\.\.\.", line):
                lines.append(line)
    return lines


@pytest.mark.parametrize(
    "command",
    [pytest.param(c, id=f"{p}: {c}") for p in DOC_PAGES for c in _command_lines(p)],
)
def test_every_documented_command_parses(command: str) -> None:
    import shlex

    from rhrt.cli import build_parser

    argv = shlex.split(command)[1:]
    try:
        build_parser(argv).parse_args(argv)
    except SystemExit as exc:  # argparse refused it
        pytest.fail(f"{command!r} does not parse (exit {exc.code})")


# -- the Python examples of the other pages ------------------------------------------------------


def _run_blocks(page: str, namespace: dict[str, object]) -> dict[str, object]:
    blocks = python_blocks(ROOT / page)
    assert blocks, page
    for n, block in enumerate(blocks):
        exec(compile(block, f"{page}:python[{n}]", "exec"), namespace)
    return namespace


def test_decision_records_examples_run() -> None:
    namespace = _run_blocks(
        "docs/decision-records.md",
        {"case": {"child": {"age_years": 6}, "indicators": ["inadequate-diet"]}},
    )
    same, decision = namespace["same"], namespace["decision"]
    assert same == decision  # "lossless: same == decision (except notes)"
    # the first-step example: the pathway it shows first is the stored record's first_step,
    # the ruleset's emergency route for immediate danger
    urgent, stored, first = namespace["urgent"], namespace["stored"], namespace["first"]
    assert urgent.urgent and stored == urgent  # type: ignore[attr-defined]
    assert first is not None and first.id == stored.first_step  # type: ignore[attr-defined]
    ruleset = namespace["ruleset"]
    emergency = {p.id for p in ruleset.model.pathways if p.emergency}  # type: ignore[attr-defined]
    assert first.id in emergency  # type: ignore[attr-defined]


def test_security_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from rhrt.rules.bundled import bundled_ruleset_path

    monkeypatch.chdir(tmp_path)
    shutil.copy(bundled_ruleset_path(), tmp_path / "our_rules.yaml")
    minimal = (ROOT / "tests" / "rulesets" / "minimal.yaml").read_text(encoding="utf-8")
    namespace = _run_blocks(
        "docs/security.md",
        {
            "text": minimal,
            "case_text_from_portal": "indicators: [poor-diet]\n",
            "case_bytes": b"indicators: [poor-diet]\n",
        },
    )
    assert namespace["decision"].level == 2  # type: ignore[attr-defined]


@pytest.mark.slow
def test_testing_rules_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each example defines or runs a check against "our_rules.yaml" (here the bundled ruleset);
    the test functions it defines are called as pytest would."""
    import shutil

    import rhrt
    from rhrt.rules.bundled import bundled_ruleset_path

    monkeypatch.chdir(tmp_path)
    shutil.copy(bundled_ruleset_path(), tmp_path / "our_rules.yaml")
    namespace = _run_blocks("docs/testing-rules.md", {})
    assert namespace["report"].ok  # type: ignore[attr-defined]
    namespace["test_our_ruleset_is_safe"](rhrt.load_ruleset())  # type: ignore[operator]
    namespace["test_an_injury_always_needs_more_than_universal_services"]()  # type: ignore[operator]


@pytest.mark.slow
def test_analysts_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    import rhrt
    from rhrt.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["synth", "2000", "--out", "contacts.csv", "--no-progress"]) == 0
    ruleset = rhrt.load_ruleset()
    namespace = _run_blocks(
        "docs/analysts.md",
        {
            "frame": pd.read_csv("contacts.csv"),
            "old_ruleset": ruleset,
            "new_ruleset": ruleset,
        },
    )
    assert (tmp_path / "audit.html").stat().st_size > 1000
    assert namespace["change"].changed == 0  # type: ignore[attr-defined]

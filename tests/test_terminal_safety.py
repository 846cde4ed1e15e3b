# SPDX-License-Identifier: MIT
"""Nothing from a case or a ruleset controls the terminal, and errors never echo case content.

Every ``rhrt`` command is run over inputs carrying a planted secret and hostile characters
(escape sequences that clear the screen or set the window title, C1 controls, backspaces,
bidi overrides and isolates, zero-width characters, newlines in single-line fields). What comes
out on stdout and stderr must hold no control or format character (other than newline and tab),
no forged line, and the secret only where the user asked to see their own content.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

import rhrt
from rhrt._text import clean, json_text
from rhrt.cli import COMMAND_MODULES, main
from rhrt.errors import CaseError, RecordError, field_path
from rhrt.rules.bundled import bundled_ruleset_path

SECRET = "Zq7SECRETxK"
HOSTILE = "\x1b[2J\x1b]0;owned\x07\x9b31m\x08\x08\u202e\u2066\u200b\ufeff\x85\r"
FORGED = "PROFESSIONAL JUDGEMENT: level 1"
# Regression: a file name is printed by every command (errors, "<path>: valid", "wrote <path>",
# rule-test locations). One holding "\r" or "\n" forged a line of its own. Every input and
# output below lives in a folder with this name and has it in its own name too.
NAME = f"\r{FORGED}\x1b[2J\u202e\u2066\x9b31m\n{FORGED}\u200b"


def _unsafe(text: str) -> list[str]:
    """Characters that must never reach a terminal."""
    return sorted(
        {
            f"U+{ord(ch):04X}"
            for ch in text
            if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")
        }
    )


def _assert_safe(out: str, *, secret_allowed: bool = False) -> None:
    assert _unsafe(out) == [], out[-500:]
    # a value may be wrapped onto an indented continuation line, but never start a line of its
    # own (in HTML a newline is only whitespace: lines are the markup's)
    html = out.lstrip().startswith("<")
    assert html or not any(
        line.startswith((FORGED, f"*** {FORGED}")) or line.lstrip().startswith("PASS  fake")
        for line in out.splitlines()
    ), out
    if not secret_allowed:
        assert SECRET not in out


# -- the sanitiser itself --------------------------------------------------------------------


@settings(max_examples=300)
@given(st.text())
def test_clean_leaves_nothing_unsafe(text: str) -> None:
    one = clean(text)
    assert _unsafe(one) == [] and "\n" not in one and "\t" not in one
    many = clean(text, multiline=True)
    assert _unsafe(many) == []


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(categories=["L", "N", "P", "S"])))
def test_clean_keeps_ordinary_text(text: str) -> None:
    assert clean(text) == text == clean(text, multiline=True)


def test_clean_removes_whole_escape_sequences_and_joins_lines() -> None:
    assert clean("a\x1b[31mred\x1b[0m b") == "ared b"
    assert clean("x\x1b]0;title\x07y") == "xy"
    assert clean(f"ref-1\n{FORGED}") == f"ref-1 / {FORGED}"
    assert clean("a\r\nb\u2028c", multiline=True) == "a\nb\nc"
    assert clean(None) == ""


@settings(max_examples=300)
@given(st.recursive(st.text() | st.integers() | st.none(), lambda c: st.lists(c, max_size=3)))
# regression: the hand-written list of ranges left these raw (a tag character, Arabic, musical
# and Egyptian format characters); past U+FFFF the escape is a surrogate pair
@example("\U000e0001")
@example("tag \U000e0041\U000e007f text")
@example("\u0600 \u06dd \U0001d173 \U00013430")
@example(["\U000e0001", None, "\ud800"])
def test_json_text_keeps_the_data_and_escapes_the_rest(value: Any) -> None:
    text = json_text(json.dumps({"v": value}, ensure_ascii=False, indent=2))
    assert _unsafe(text) == []
    assert json.loads(text) == {"v": value}


# -- errors: keys masked unless id-shaped ----------------------------------------------------


def test_field_path_masks_keys_that_are_not_ids() -> None:
    assert field_path(("measures", "dash_score")) == "measures.dash_score"
    assert field_path(("indicators", 2, "note")) == "indicators[2].note"
    assert SECRET not in field_path(("measures", f"the {SECRET} sentence"))


BUNDLED = rhrt.load_ruleset()


@pytest.mark.parametrize(
    "case",
    [
        # a note that became a key through bad indentation
        {"child": {"age_years": 3}, f"she said {SECRET} at school": None},
        {"indicators": [{"id": "inadequate-diet", f"{SECRET} note text": "x"}]},
        # a measure name that is a sentence, and a measure that is not a number
        {"measures": {f"mum says {SECRET}": 3}},
        {"measures": {f"mum says {SECRET}": "three"}},
        {"measures": {"dash_score": f"{SECRET}"}},
        {"indicators": [f"{SECRET} typed in the id"]},
    ],
)
def test_case_errors_never_echo_keys_or_values(case: dict[str, Any]) -> None:
    with pytest.raises(CaseError) as info:
        BUNDLED.assess(case)
    for text in (str(info.value), repr(info.value), str(info.value.args)):
        assert SECRET not in text


def test_note_indented_into_a_key_is_not_echoed() -> None:
    text = (
        "child: {age_years: 3}\nindicators:\n  - id: inadequate-diet\n    note: >-\n"
        f"      first line\n   {SECRET} said this: at home\n"
    )
    with pytest.raises(CaseError) as info:
        BUNDLED.assess(text)
    assert SECRET not in str(info.value)


def test_override_with_unknown_keys_is_not_echoed() -> None:
    case = {"indicators": ["inadequate-diet"]}
    override = {"level": 2, "reason": "because", "role": "SW", f"{SECRET} words": 1}
    with pytest.raises(CaseError) as info:
        BUNDLED.assess(case, override=override)
    assert SECRET not in str(info.value)


def test_tampered_decision_record_is_refused_without_its_content() -> None:
    decision = BUNDLED.assess(
        {"indicators": [{"id": "inadequate-diet", "note": SECRET}]},
        override={"level": 3, "reason": f"reason {SECRET}", "role": "SW"},
    )
    record = json.loads(decision.to_json(include_notes=True))
    assert rhrt.Decision.from_json(json.dumps(record)) == decision
    tampered = [
        {**record, "level": SECRET},
        {**record, "override": {**record["override"], "level": SECRET}},
        {**record, "notes": [{"indicator": 5, "note": SECRET}]},
        {**record, f"{SECRET} key": 1},
    ]
    for bad in tampered:
        with pytest.raises(RecordError) as info:
            rhrt.Decision.from_json(json.dumps(bad))
        assert SECRET not in str(info.value) and SECRET not in repr(info.value.args)
    with pytest.raises(RecordError):
        rhrt.Decision.from_json(f'{{"level": "{SECRET}"')


# -- every command ---------------------------------------------------------------------------


def _hostile_ruleset(folder: Path) -> Path:
    data = yaml.safe_load(bundled_ruleset_path().read_text(encoding="utf-8"))
    data["ruleset"]["version"] = f"2020.11\n{FORGED}{HOSTILE}"
    data["ruleset"]["title"] = f"Levels of need{HOSTILE}\n{FORGED}"
    for ind in data["indicators"][:40]:
        ind["text"] = f"{ind['text']}{HOSTILE}\n{FORGED}"
    for pathway in data["pathways"]:
        pathway["title"] = f"{pathway['title']}{HOSTILE}\n{FORGED}"
        pathway["timescale"] = f"{pathway['timescale']}\n{FORGED}"
    for source in data["sources"].values():
        source["title"] = f"{source['title']}{HOSTILE}\n{FORGED}"
    for level in data["levels"]:
        level["name"] = f"{level['name']}{HOSTILE}"
    path = folder / f"hostile{NAME}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _hostile_case(folder: Path) -> Path:
    case = {
        "reference": f"REF-1{HOSTILE}\n{FORGED} {SECRET}",
        "referral_source": f"school{HOSTILE}\n{FORGED} {SECRET}",
        "child": {"age_years": 4},
        "indicators": [
            {"id": "inadequate-diet", "source": f"school{HOSTILE}\n{FORGED} {SECRET}"},
            {"id": "physically-well-good-growth", "note": f"{SECRET}{HOSTILE}\n{FORGED}"},
            {"id": "incidents-of-domestic-abuse", "note": f"n {SECRET}", "source": "x"},
        ],
    }
    path = folder / f"case{NAME}.yaml"
    path.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    return path


def _hostile_table(folder: Path) -> Path:
    import csv

    rows = []
    for n in range(12):
        rows.append(
            {
                "case_ref": f"C{n}{HOSTILE}\n{FORGED}",
                "referral_source": ("police" if n % 2 else f"school{HOSTILE}\n{FORGED}"),
                "age_years": str(n % 9),
                "indicators": "inadequate-diet;incidents-of-domestic-abuse" if n % 3 else "",
                "recorded_decision": str(1 + n % 4),
            }
        )
    path = folder / f"table{NAME}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _rule_tests(folder: Path) -> Path:
    tests = {
        "tests": [
            {
                "name": f"{FORGED}{HOSTILE} name",
                "case": {
                    "child": {"age_years": 4},
                    "indicators": [{"id": "inadequate-diet", "note": f"{SECRET}{HOSTILE}"}],
                    "reference": f"{SECRET}",
                },
                "expect": {"level": 3},  # fails on purpose: the failure report is shown
            },
            {"name": "bad case", "case": {"measures": {f"{SECRET} says": 1}}, "expect": {}},
        ]
    }
    path = folder / f"hostile{NAME}.rhrt-test.yaml"
    path.write_text(yaml.safe_dump(tests, allow_unicode=True), encoding="utf-8")
    return path


def _good_rule_tests(folder: Path) -> Path:
    """A valid test file (so every test is run and listed) with hostile test names."""
    case = {"child": {"age_years": 4}, "indicators": ["inadequate-diet"]}
    tests = {
        "tests": [
            # regression: a name with a newline printed a forged "PASS" line of its own
            {"name": f"ok\n  PASS  fake\r{FORGED}\x1b[2J\u202e", "case": case,
             "expect": {"level": 3}},  # fails: the failure is listed too
            {"name": f"ok\r\n  PASS  fake\u2028{FORGED}\u2066", "case": case,
             "expect": {"level": 2}},
            {"name": f"{HOSTILE}\n{FORGED}", "case": case, "expect": {"urgent": False}},
        ]
    }
    path = folder / f"good{NAME}.rhrt-test.yaml"
    path.write_text(yaml.safe_dump(tests, allow_unicode=True), encoding="utf-8")
    return path


def _bad_cases(folder: Path) -> list[Path]:
    texts = {
        "sentence-measure.yaml": f"measures:\n  the mother told {SECRET}{HOSTILE}: 3\n",
        "measure-not-number.yaml": f"measures:\n  dash_score: '{SECRET}{HOSTILE}'\n",
        "note-as-key.yaml": (
            "indicators:\n  - id: inadequate-diet\n    note: >-\n      first line\n"
            f"   {SECRET} said: this{HOSTILE}\n"
        ),
        "unknown-id.yaml": f"indicators: ['{SECRET} {HOSTILE}']\n",
        "unknown-key.yaml": f"child: {{age_years: 3}}\n'{SECRET}{HOSTILE}': 1\n",
        "not-yaml.yaml": f"indicators: [{SECRET}{HOSTILE}\n",
    }
    out = []
    for name, text in texts.items():
        path = folder / f"{NAME}{name}"
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("hostile") / f"in{NAME}"
    folder.mkdir()
    return {
        "folder": folder,
        "rules": str(_hostile_ruleset(folder)),
        "case": str(_hostile_case(folder)),
        "table": str(_hostile_table(folder)),
        "tests": str(_rule_tests(folder)),
        "good_tests": str(_good_rule_tests(folder)),
        "bad": [str(p) for p in _bad_cases(folder)],
    }


def _commands(i: dict[str, Any]) -> list[tuple[list[str], bool]]:
    """(argv, whether the secret may appear: the user asked to see their own content)."""
    bundled = str(bundled_ruleset_path())
    out = str(i["folder"] / f"out{NAME}")
    runs: list[tuple[list[str], bool]] = []
    for fmt in ("text", "markdown", "html", "json"):
        runs.append((["assess", i["case"], "--format", fmt], False))
        runs.append((["assess", i["case"], "--format", fmt, "--rules", i["rules"]], False))
        runs.append((["assess", i["case"], "--format", fmt, "--include-notes"], True))
    for fmt in ("text", "markdown", "html"):
        runs.append((["render", i["case"], "--format", fmt], True))
        runs.append((["render", i["case"], "--format", fmt, "--rules", i["rules"]], True))
        runs.append((["render", i["case"], "--template", "decision", "--format", fmt], True))
    runs += [
        (["assess", i["case"], "--override-level", "2", "--override-role", "SW",
          "--override-reason", f"because{HOSTILE}\n{FORGED}"], False),
        (["indicators", "--rules", i["rules"]], False),
        (["indicators", "--rules", i["rules"], "--format", "json"], False),
        (["validate", i["rules"]], False),
        (["validate", i["rules"], "--strict"], False),
        (["lint", i["rules"]], False),
        (["lint", i["rules"], "--format", "json"], False),
        (["lint", i["rules"], "--format", "sarif"], False),
        (["docs", "--rules", i["rules"]], False),
        (["docs", "--rules", i["rules"], "--format", "html"], False),
        (["check", i["rules"], "--max-examples", "3"], False),
        (["prove", i["rules"]], False),
        (["batch", i["table"], "--out", out + ".csv", "--no-progress"], False),
        (["batch", i["table"], "--out", out + "-keep.csv", "--keep-input", "--no-progress"],
         False),
        (["synth", "5", "--out", out + "-synth.csv", "--rules", i["rules"], "--no-progress"],
         False),
        (["test", i["tests"]], False),
        (["test", i["good_tests"]], False),
        (["test", i["good_tests"], "--format", "json"], False),
        (["test", i["tests"], "--rules", i["rules"], "--format", "json"], False),
        (["compare", bundled, i["rules"]], False),
        (["compare", bundled, i["rules"], i["case"]], False),
        (["diff", bundled, i["rules"], i["table"]], True),
        (["diff", bundled, i["rules"], i["table"], "--format", "html"], True),
        (["compare", bundled, i["rules"]], False),
        (["compare", bundled, i["rules"], i["table"]], True),
    ]
    for fmt in ("markdown", "html"):
        # the by-source breakdown shows the referral sources the user's table holds
        runs.append((["audit", i["table"], "--format", fmt], True))
        runs.append((["audit", i["table"], "--format", fmt, "--rules", i["rules"]], True))
    for bad in i["bad"]:
        runs.append((["assess", bad], False))
        runs.append((["assess", bad, "--format", "json"], False))
        runs.append((["render", bad], False))
    # a file name is the user's own, but it too may hold control characters
    missing = str(i["folder"] / f"missing{HOSTILE}.yaml")
    runs += [(["assess", missing], True), (["validate", missing], True),
             (["batch", missing, "--out", out + "-m.csv"], True),
             (["test", missing], True),
             (["render", i["case"], "--templates", missing], True),
             (["render", i["case"], "--template", f"t{NAME}"], True),
             (["audit", i["table"], "--tables", out + "-tables", "--no-progress"], True),
             (["assess", i["case"], "--out", str(i["folder"] / f"no{NAME}" / "x.json")], True)]
    # argparse names a bad choice the user typed on the command line (their own argument)
    runs.append((["assess", i["case"], "--engine", f"{SECRET}{HOSTILE}"], True))
    # rhrt serve's log export (starting a server is test_serve's job): a log URL is never echoed
    if importlib.util.find_spec("sqlalchemy") is not None:
        runs += [
            (["serve", "--rules", i["rules"], "--log", f"sqlite:///{out}.db",
              "--export-log", out + "-log.csv"], True),
            (["serve", "--log", f"mysql://u:{SECRET}{HOSTILE}@h/db", "--export-log",
              out + "-log2.csv"], False),
        ]
    else:
        runs.append((["serve", "--export-log", out + "-log.csv"], False))
    return runs


def test_every_command_is_in_the_run(inputs: dict[str, Any]) -> None:
    covered = {argv[0] for argv, _ in _commands(inputs)}
    assert covered == {name.rsplit(".", 1)[1] for name in COMMAND_MODULES}


@pytest.mark.slow
def test_no_command_lets_content_or_controls_through(
    inputs: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    for argv, secret_allowed in _commands(inputs):
        with contextlib.suppress(SystemExit):  # argparse refusing an argument
            main(argv)
        captured = capsys.readouterr()
        for stream in (captured.out, captured.err):
            try:
                _assert_safe(stream, secret_allowed=secret_allowed)
            except AssertionError as exc:
                raise AssertionError(f"rhrt {' '.join(argv)}: {exc}") from None


def test_assess_and_errors_are_clean(
    inputs: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """The quick subset of the run above, in every test run."""
    runs = [
        r for r in _commands(inputs) if r[0][0] in ("assess", "indicators", "validate", "test")
    ]
    for argv, secret_allowed in runs:
        with contextlib.suppress(SystemExit):
            main(argv)
        captured = capsys.readouterr()
        _assert_safe(captured.out, secret_allowed=secret_allowed)
        _assert_safe(captured.err, secret_allowed=secret_allowed)


def test_rule_test_names_and_files_stay_on_their_line(
    inputs: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """``rhrt test`` lists each test on exactly one line, however its name and file are spelt."""
    main(["test", inputs["good_tests"]])
    out = capsys.readouterr().out
    listed = [line for line in out.splitlines() if line.startswith(("  PASS  ", "  FAIL  "))]
    assert len(listed) == 3 and sum("PASS  fake" in line for line in listed) == 2
    _assert_safe(out)


def test_notes_asked_for_are_shown_without_controls(
    inputs: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["assess", inputs["case"], "--include-notes"]) == 0
    out = capsys.readouterr().out
    assert SECRET in out  # the user asked for their own notes
    _assert_safe(out, secret_allowed=True)


def test_errors_print_safely_from_the_python_api_too(tmp_path: Path) -> None:
    """``str()`` of any RhrtError is sanitised: a ruleset key or a file name with escape
    sequences cannot control the terminal of a program that prints the error."""
    with pytest.raises(rhrt.errors.RhrtError) as info:
        rhrt.ruleset_from_text(f"ruleset:\n  'colour{HOSTILE}\\nx': 1\n", file=f"r{HOSTILE}.yaml")
    assert _unsafe(str(info.value)) == []
    with pytest.raises(rhrt.errors.RhrtError) as info2:
        rhrt.load_ruleset(tmp_path / f"missing{HOSTILE}.yaml")
    assert _unsafe(str(info2.value)) == []

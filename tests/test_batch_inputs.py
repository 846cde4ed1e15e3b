# SPDX-License-Identifier: MIT
"""Batch reads every table column as its field means, or refuses it; batch and ``assess``
(row by row, through ``iter_cases``) refuse or accept exactly the same rows (issue 11, 12)."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from pathlib import Path
from typing import Any

import pytest

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import rhrt  # noqa: E402
from rhrt.batch import assess_file, assess_table, iter_cases  # noqa: E402
from rhrt.cli import main  # noqa: E402
from rhrt.errors import CaseError  # noqa: E402

MINIMAL_PATH = Path(__file__).parent / "rulesets" / "minimal.yaml"
MINIMAL = rhrt.load_ruleset(MINIMAL_PATH)
BUNDLED = rhrt.load_ruleset()
SECRET = "SECRET-NOTE Jane lives at 4 Elm Road"


def _per_case(table: Any, ruleset: rhrt.Ruleset, **kw: Any) -> list[rhrt.Decision]:
    """The single-case path: each row as a case, assessed by the reference engine."""
    return [ruleset.assess(case) for case in iter_cases(table, ruleset, **kw)]


def _refusal(fn: Any) -> CaseError | None:
    try:
        fn()
    except CaseError as exc:
        return exc
    return None


def _no_secret(exc: BaseException, secret: str = SECRET) -> None:
    seen: BaseException | None = exc
    while seen is not None:
        assert secret not in str(seen) and secret not in repr(seen)
        seen = seen.__cause__ or seen.__context__


# -- every field × every physical type ---------------------------------------------------------

_TZ = "Europe/London"
# Each physical type: (label, family, function from a "good value per family" to an array).
_TYPES: list[tuple[str, str, Any]] = [
    *[(str(t), "int", t) for t in (pa.int8(), pa.int16(), pa.int32(), pa.int64())],
    *[(str(t), "int", t) for t in (pa.uint8(), pa.uint16(), pa.uint32(), pa.uint64())],
    *[(str(t), "float", t) for t in (pa.float16(), pa.float32(), pa.float64())],
    ("decimal128", "decimal", pa.decimal128(12, 2)),
    ("decimal256", "decimal", pa.decimal256(40, 2)),
    ("string", "text", pa.string()),
    ("large_string", "text", pa.large_string()),
    ("string_view", "text", pa.string_view()),
    ("dictionary", "text", pa.dictionary(pa.int32(), pa.string())),
    ("binary", "binary", pa.binary()),
    ("large_binary", "binary", pa.large_binary()),
    ("bool", "bool", pa.bool_()),
    ("date32", "date", pa.date32()),
    ("date64", "date", pa.date64()),
    *[(f"timestamp[{u}]", "timestamp", pa.timestamp(u)) for u in ("s", "ms", "us", "ns")],
    ("timestamp[tz]", "timestamp", pa.timestamp("us", tz=_TZ)),
    ("list<string>", "list", pa.list_(pa.string())),
    ("large_list<string>", "list", pa.large_list(pa.string())),
    ("list<dictionary>", "list", pa.list_(pa.dictionary(pa.int32(), pa.string()))),
    ("list<int64>", "list-int", pa.list_(pa.int64())),
    ("list<list<string>>", "list-list", pa.list_(pa.list_(pa.string()))),
    ("struct", "struct", pa.struct([("a", pa.int64())])),
    ("null", "null", pa.null()),
]

# What each field means, and the physical families whose meaning is unambiguous for it.
# Written out here (not taken from the code) so the test can disagree with the code.
_NUMBER = {"int", "float", "decimal", "text", "null"}
_FIELDS: dict[str, tuple[set[str], dict[str, Any]]] = {
    # field: (accepted families, a good value per family)
    "case_ref": ({"int", "text", "null"}, {"num": 102, "text": "A-1"}),
    "age_years": (_NUMBER, {"num": 3, "text": "3"}),
    "age_months": (_NUMBER, {"num": 40, "text": "40"}),
    "gestation_weeks": (_NUMBER, {"num": 20, "text": "20"}),
    "recorded_decision": (_NUMBER, {"num": 2, "text": "2"}),
    "dash_score": (_NUMBER, {"num": 3, "text": "3"}),
    "date_of_birth": ({"date", "timestamp", "text", "null"},
                      {"num": 20110502, "text": "2011-05-02", "date": dt.date(2011, 5, 2)}),
    "assessment_date": ({"date", "timestamp", "text", "null"},
                        {"num": 20240501, "text": "2024-05-01", "date": dt.date(2024, 5, 1)}),
    "unborn": ({"bool", "int", "float", "text", "null"}, {"num": 1, "text": "yes"}),
    "ind:bruise": ({"bool", "int", "float", "text", "null"}, {"num": 1, "text": "true"}),
    "consent": ({"text", "null"}, {"num": 1, "text": "given"}),
    "referral_source": ({"text", "null"}, {"num": 1, "text": "school"}),
    "indicators": ({"list", "text", "null"}, {"num": 1, "text": "bruise"}),
}
# Columns added so that a good value of the field under test makes a valid case.
_COMPANIONS: dict[str, dict[str, pa.Array]] = {
    "gestation_weeks": {"unborn": pa.array([True])},
    "date_of_birth": {"assessment_date": pa.array([dt.date(2024, 5, 1)])},
}


def _value(field: str, family: str, typ: pa.DataType) -> pa.Array:
    good = _FIELDS[field][1]
    number = good.get("num", good.get("int", 1))
    text = good["text"]
    day = good.get("date", dt.date(2020, 1, 1))
    if family in ("int", "float"):
        return pa.array([number], pa.int64()).cast(typ, safe=False)
    if family == "decimal":
        return pa.array([decimal.Decimal(number)], typ)
    if family == "text":
        if pa.types.is_dictionary(typ):
            return pa.array([text]).dictionary_encode()
        return pa.array([text], typ)
    if family == "binary":
        return pa.array([text.encode()], typ)
    if family == "bool":
        return pa.array([True])
    if family == "date":
        return pa.array([day], typ)
    if family == "timestamp":
        stamp = dt.datetime(day.year, day.month, day.day)
        if typ.tz is not None:
            return pa.array([pd.Timestamp(stamp).tz_localize(_TZ)], typ)
        return pa.array([stamp], typ)
    if family == "list":
        return pa.array([[text]], typ)
    if family == "list-int":
        return pa.array([[number]], typ)
    if family == "list-list":
        return pa.array([[[text]]], typ)
    if family == "struct":
        return pa.array([{"a": number}], typ)
    return pa.array([None], pa.null())


_CELLS = [
    pytest.param(field, label, family, typ, id=f"{field}-{label}")
    for field in _FIELDS
    for label, family, typ in _TYPES
]


@pytest.mark.parametrize(("field", "label", "family", "typ"), _CELLS)
def test_every_field_and_physical_type(field: str, label: str, family: str, typ: Any) -> None:
    columns: dict[str, pa.Array] = {field: _value(field, family, typ)}
    columns.update(_COMPANIONS.get(field, {}))
    if field != "consent":
        columns.setdefault("consent", pa.array(["given"]))
    table = pa.table(columns)
    accepted = _FIELDS[field][0]
    kind = {"list-int": "list-int", "list-list": "list-list"}.get(family, family)
    batch = _refusal(lambda: assess_table(table, MINIMAL))
    single = _refusal(lambda: _per_case(table, MINIMAL))
    if kind in accepted:
        assert batch is None, (field, label, batch)
        assert single is None, (field, label, single)
        out = assess_table(table, MINIMAL, keep_input=False)
        decisions = _per_case(table, MINIMAL)
        assert out.column("level").to_pylist() == [d.level for d in decisions]
    else:
        assert batch is not None and single is not None, (field, label)
        assert batch.path == field == single.path  # the column, not a row: a type problem
        assert "must hold" in str(batch)


def test_dates_of_each_type_give_the_same_age() -> None:
    """2011-05-02 to 2024-05-01 is 155 months (12 years) however the dates are stored."""
    expected = BUNDLED.assess({
        "child": {"date_of_birth": "2011-05-02"}, "assessment_date": "2024-05-01",
        "indicators": ["early-sexual-activity"]})
    for label, family, typ in _TYPES:
        if family not in ("date", "timestamp", "text"):
            continue
        table = pa.table({
            "date_of_birth": _value("date_of_birth", family, typ),
            "assessment_date": _value("assessment_date", family, typ),
            "indicators": [["early-sexual-activity"]],
        })
        out = assess_table(table, BUNDLED, keep_input=False)
        assert out.column("level").to_pylist() == [expected.level], label
        assert [d.level for d in _per_case(table, BUNDLED)] == [expected.level], label


def test_timestamp_with_a_time_of_day_is_refused_in_both_paths() -> None:
    table = pa.table({
        "date_of_birth": pa.array([dt.datetime(2011, 5, 2), dt.datetime(2011, 5, 2, 13, 30)]),
        "assessment_date": [dt.date(2024, 5, 1)] * 2,
        "indicators": [["bruise"]] * 2,
    })
    for fn in (lambda: assess_table(table, MINIMAL), lambda: _per_case(table, MINIMAL)):
        with pytest.raises(CaseError) as info:
            fn()
        assert info.value.path == "rows[1].date_of_birth"


# -- issue 11 item 3 / issue 12 exit codes: Parquet columns of the wrong physical type ---------


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out + err


def test_int32_yyyymmdd_dates_are_refused_not_read_as_days(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 11 item 3: read as days since 1970 this row gave level 2 instead of 4."""
    table = pa.table({
        "date_of_birth": pa.array([20110502], pa.int32()),
        "assessment_date": pa.array([20240501], pa.int32()),
        "indicators": [["early-sexual-activity"]],
    })
    with pytest.raises(CaseError) as batch:
        assess_table(table, BUNDLED)
    with pytest.raises(CaseError) as single:
        _per_case(table, BUNDLED)
    assert batch.value.path == single.value.path
    assert batch.value.path in ("date_of_birth", "assessment_date")
    assert "dates" in str(batch.value)
    path = tmp_path / "dates.parquet"
    pq.write_table(table, path)
    code, text = _run(capsys, "batch", str(path), "--out", str(tmp_path / "o.csv"))
    assert code == 2 and "date" in text and "20110502" not in text
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize(
    ("columns", "column"),
    [
        ({"indicators": pa.array([[["bruise"]]], pa.list_(pa.list_(pa.string())))},
         "indicators"),
        ({"case_ref": pa.array([["A", SECRET]]), "indicators": [["bruise"]]}, "case_ref"),
        ({"case_ref": pa.array([SECRET.encode()]), "indicators": [["bruise"]]}, "case_ref"),
        ({"age_years": pa.array([2**63 + 5], pa.uint64()), "indicators": [["bruise"]]},
         "age_years"),
        ({"age_years": pa.array([3], pa.uint64()), "indicators": [["bruise"]],
          "referral_source": pa.array([{"a": SECRET}])}, "referral_source"),
    ],
    ids=["nested-list-indicators", "list-case-ref", "binary-case-ref", "uint64-age",
         "struct-source"],
)
def test_parquet_of_wrong_types_is_a_clear_error_exit_2(
    columns: dict[str, Any], column: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 12: these ended in 'unexpected error' with exit 1."""
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table(columns), path)
    code, text = _run(capsys, "batch", str(path), "--out", str(tmp_path / "o.parquet"),
                      "--rules", str(MINIMAL_PATH))
    assert code == 2, text
    assert column in text and SECRET not in text and "unexpected" not in text
    with pytest.raises(CaseError) as info:
        assess_table(pq.read_table(path), MINIMAL)
    assert info.value.path.endswith(column)
    _no_secret(info.value)


# -- issue 11 item 4: mixed pandas columns ------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "path"),
    [
        ({"case_ref": [10234, SECRET], "indicators": ["bruise"] * 2}, "rows[1].case_ref"),
        ({"dash_score": [14, "15"], "indicators": ["bruise"] * 2}, "rows[1].dash_score"),
        ({"dash_score": [None, 14, SECRET], "indicators": ["bruise"] * 3}, "rows[2].dash_score"),
        ({"indicators": [SECRET, ["bruise"]]}, "rows[1].indicators"),
        ({"consent": ["given", b"SECRET-NOTE"], "indicators": ["bruise"] * 2}, "consent"),
        ({"age_years": [3, [SECRET]], "indicators": ["bruise"] * 2}, "rows[1].age_years"),
    ],
)
def test_mixed_pandas_columns_name_column_and_row_never_the_value(
    frame: dict[str, list[Any]], path: str
) -> None:
    df = pd.DataFrame(frame)
    for call in (lambda: assess_table(df, MINIMAL), lambda: list(iter_cases(df, MINIMAL))):
        with pytest.raises(CaseError) as info:
            call()
        assert info.value.path == path
        _no_secret(info.value)
        _no_secret(info.value, "SECRET-NOTE")


def test_mixed_polars_object_column_is_a_case_error() -> None:
    df = pl.DataFrame({"case_ref": pl.Series([object(), SECRET], dtype=pl.Object),
                       "indicators": ["bruise", "bruise"]})
    with pytest.raises(CaseError) as info:
        assess_table(df, MINIMAL)
    assert "case_ref" in info.value.path
    _no_secret(info.value)


# -- issue 11 item 6: no rows dropped while reporting success -----------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "C0001,3,bruise\nC0002,4,poor-diet\n",  # no header: the first case would be the header
        "C0001,3,bruise\n",  # one row, no header: "0 cases assessed", exit 0, before
        "colour,shoe size\nred,4\n",  # only unknown columns
        f"{SECRET},other\n1,2\n",
    ],
)
def test_csv_with_no_known_column_is_refused_without_echoing_it(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(text)
    code, out = _run(capsys, "batch", str(src), "--out", str(tmp_path / "o.csv"), "--rules",
                     str(MINIMAL_PATH))
    assert code == 2
    first_cell = text.split(",")[0]
    assert first_cell not in out
    assert not (tmp_path / "o.csv").exists()


def test_unknown_column_names_are_shown_only_when_shaped_like_ids() -> None:
    for name, shown in (("colour", True), (SECRET, False), ("a\x1b[2Jb", False)):
        with pytest.raises(CaseError) as info:
            assess_table(pa.table({"indicators": [["bruise"]], name: [1]}), MINIMAL)
        assert (name in str(info.value)) is shown
        _no_secret(info.value)


def test_summary_counts_rows_read_assessed_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    src.write_text("case_ref,indicators\nA,bruise\nB,\nC,poor-diet;bruise\n")
    summary = assess_file(src, tmp_path / "a.csv", MINIMAL)
    assert (summary.rows_read, summary.rows_assessed, summary.rows_refused) == (3, 3, 0)
    report = tmp_path / "s.json"
    code, text = _run(capsys, "batch", str(src), "--out", str(tmp_path / "o.csv"), "--rules",
                      str(MINIMAL_PATH), "--summary-json", str(report))
    assert code == 0 and "3 rows read" in text and "0 refused" in text
    counts = json.loads(report.read_text())
    assert counts["rows_read"] == counts["rows_assessed"] + counts["rows_refused"] == 3


# -- issue 11 item 7: result columns never shadowed ---------------------------------------------


@pytest.mark.parametrize(
    ("ignored", "fast"),
    [(("level", "urgent"), False), (("pathways",), False), (("pathway:mash",), True)],
)
def test_keep_input_refuses_result_name_clash_in_cli_and_api(
    ignored: tuple[str, ...], fast: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = pa.table({"indicators": [["danger"]], **{name: [1] for name in ignored}})
    with pytest.raises(CaseError) as info:
        assess_table(table, MINIMAL, keep_input=True, fast=fast, ignore_columns=ignored)
    assert info.value.path == ignored[0]
    src = tmp_path / "in.parquet"
    pq.write_table(table, src)
    out = tmp_path / "o.csv"
    argv = ["batch", str(src), "--out", str(out), "--rules", str(MINIMAL_PATH), "--keep-input"]
    for name in ignored:
        argv += ["--ignore-column", name]
    code, text = _run(capsys, *argv, *(["--fast"] if fast else []))
    assert code == 2 and ignored[0] in text
    assert not out.exists()
    # without --keep-input there is nothing to shadow
    assert _run(capsys, *[a for a in argv if a != "--keep-input"])[0] == 0


# -- batch == assess, row by row, on tables with bad rows ---------------------------------------

_GOOD_OR_BAD: dict[str, Any] = {
    "age_years": st.sampled_from([None, "", "3", " 4.5 ", "25", "-1", "26", "x", "nan", "inf",
                                  "1e1", "+2", ".5", "1_0"]),
    "age_months": st.sampled_from([None, "", "0", "300", "301", "12.5"]),
    "date_of_birth": st.sampled_from([None, "", "2011-05-02", "2024-02-29", "2023-02-29",
                                      "2011-5-2", "20110502", "2030-01-01", "1911-05-02",
                                      "1999-05-01", "1999-05-02"]),
    "assessment_date": st.sampled_from([None, "2024-05-01", "2024-13-01", " 2024-05-01",
                                        "2204-05-01", "1991-10-13", "1991-10-14"]),
    "unborn": st.sampled_from([None, "", "yes", "No", "1", "0", "maybe", "2"]),
    "gestation_weeks": st.sampled_from([None, "", "20", "46", "-3"]),
    "indicators": st.sampled_from([None, "", "bruise", "poor-diet; bruise", "bruise;nope",
                                   "danger", ";;"]),
    "ind:poor-diet": st.sampled_from([None, "", "true", "F", "3"]),
    "dash_score": st.sampled_from([None, "", "14", "2.5", "25", "0", "-1"]),
    "consent": st.sampled_from([None, "given", "refused", "Given", "nope"]),
    "recorded_decision": st.sampled_from([None, "1", "4", "5", "2.5", "2.0"]),
    "case_ref": st.sampled_from([None, "A", "x" * 201, " " + "x" * 200]),
}


@st.composite
def _text_tables(draw: Any) -> pa.Table:
    names = draw(st.lists(st.sampled_from(sorted(_GOOD_OR_BAD)), min_size=1, max_size=6,
                          unique=True))
    n = draw(st.integers(1, 8))
    return pa.table({
        name: pa.array([draw(_GOOD_OR_BAD[name]) for _ in range(n)], pa.string())
        for name in names
    })


def _single_refused(table: pa.Table) -> CaseError | None:
    return _refusal(lambda: _per_case(table, MINIMAL))


def _as_kind(table: pa.Table, kind: str) -> Any:
    if kind == "pandas":
        return table.to_pandas()
    if kind == "polars":
        return pl.from_arrow(table)
    return table


def _levels(out: Any, name: str) -> list[Any]:
    if isinstance(out, pa.Table):
        return out.column(name).to_pylist()
    if isinstance(out, pl.DataFrame):
        return out.get_column(name).to_list()
    return [v.item() if hasattr(v, "item") else v for v in out[name]]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=_text_tables(), kind=st.sampled_from(["arrow", "pandas", "polars"]))
def test_batch_refuses_exactly_the_rows_assess_refuses(table: pa.Table, kind: str) -> None:
    """Each row alone: batch and assess both refuse it, or both give the same decision; the
    whole table: batch names the first row assess refuses."""
    refused: list[int] = []
    for i in range(table.num_rows):
        row = _as_kind(table.slice(i, 1), kind)
        single = _single_refused(row)
        batch = _refusal(lambda row=row: assess_table(row, MINIMAL))
        assert (single is None) == (batch is None), (table.slice(i, 1).to_pylist(), single, batch)
        if single is None:
            out = assess_table(row, MINIMAL, keep_input=False)
            (decision,) = _per_case(row, MINIMAL)
            assert _levels(out, "level") == [decision.level]
            assert _levels(out, "urgent") == [decision.urgent]
        else:
            refused.append(i)
    whole = _refusal(lambda: assess_table(_as_kind(table, kind), MINIMAL))
    if refused:
        assert whole is not None and whole.path.startswith(f"rows[{refused[0]}].")
    else:
        assert whole is None


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=12) | st.from_regex(r"\s*[+-]?[0-9]*\.?[0-9]*([eE][+-]?[0-9]+)?\s*"))
def test_number_text_is_read_the_same_cell_by_cell_and_by_column(text: str) -> None:
    from rhrt.batch._columns import CellError, Refusals, number_cell, numbers

    refusals = Refusals()
    values = numbers(pa.chunked_array([pa.array([text])]), "x", refusals)
    try:
        cell = number_cell(text)
    except CellError:
        assert refusals.first is not None
        return
    assert refusals.first is None
    assert (cell is None and np.isnan(values[0])) or values[0] == cell


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12) | st.dates().map(str) | st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"))
def test_date_text_is_read_the_same_cell_by_cell_and_by_column(text: str) -> None:
    from rhrt.batch._columns import CellError, Refusals, date_cell, dates

    refusals = Refusals()
    values = dates(pa.chunked_array([pa.array([text])]), "x", refusals)
    try:
        cell = date_cell(text)
    except CellError:
        assert refusals.first is not None
        return
    assert refusals.first is None
    assert (cell is None and np.isnat(values[0])) or values[0] == np.datetime64(cell)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=6) | st.sampled_from(["yes", " NO ", "T", "1", "0", "y", "on"]))
def test_flag_text_is_read_the_same_cell_by_cell_and_by_column(text: str) -> None:
    from rhrt.batch._columns import CellError, Refusals, flag_cell, flags

    refusals = Refusals()
    values = flags(pa.chunked_array([pa.array([text])]), "x", refusals)
    try:
        cell = flag_cell(text)
    except CellError:
        assert refusals.first is not None
        return
    assert refusals.first is None and bool(values[0]) == cell


# -- issue 11 item 2: derived values bounded as the direct input is ------------------------------


def test_ages_from_dates_and_assessment_dates_are_bounded_like_assess() -> None:
    """The issue's 112-year-old (level 2 before) and a 2204 typo are refused in batch exactly
    where ``assess`` refuses them, with the model's words."""
    from rhrt.model.case import AGE_OUT_OF_RANGE, ASSESSMENT_DATE_OUT_OF_RANGE

    table = pa.table({
        "date_of_birth": ["2011-05-02", "1911-05-02"],
        "assessment_date": ["2024-05-01", "2024-05-01"],
        "indicators": [["early-sexual-activity"]] * 2,
    })
    with pytest.raises(CaseError) as info:
        assess_table(table, BUNDLED)
    assert info.value.path == "rows[1].date_of_birth" and AGE_OUT_OF_RANGE in str(info.value)
    assert assess_table(table.slice(0, 1), BUNDLED).column("level").to_pylist() == [4]
    typo = pa.table({"assessment_date": [dt.date(2024, 5, 1), dt.date(2204, 5, 1)],
                     "indicators": [["early-sexual-activity"]] * 2})
    with pytest.raises(CaseError) as info:
        assess_table(typo, BUNDLED)
    assert info.value.path == "rows[1].assessment_date"
    assert ASSESSMENT_DATE_OUT_OF_RANGE in str(info.value)
    with pytest.raises(CaseError):
        _per_case(typo.slice(1), BUNDLED)


@settings(max_examples=300, deadline=None)
@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
       st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
def test_months_between_over_arrays_is_the_models(dob: dt.date, when: dt.date) -> None:
    from rhrt.batch._table import _months_between
    from rhrt.model.case import months_between

    got = _months_between(np.array([dob], "datetime64[D]"), np.array([when], "datetime64[D]"))
    assert got[0] == months_between(dob, when)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.dates(dt.date(1960, 1, 1), dt.date(2110, 1, 1)),
                          st.dates(dt.date(1980, 1, 1), dt.date(2110, 1, 1))),
                min_size=1, max_size=6))
def test_dated_rows_are_refused_or_assessed_alike(pairs: list[tuple[dt.date, dt.date]]) -> None:
    table = pa.table({
        "date_of_birth": pa.array([p[0] for p in pairs], pa.date32()),
        "assessment_date": pa.array([p[1] for p in pairs], pa.date32()),
        "indicators": [["bruise"]] * len(pairs),
    })
    for i in range(len(pairs)):
        row = table.slice(i, 1)
        single = _refusal(lambda row=row: _per_case(row, MINIMAL))
        batch = _refusal(lambda row=row: assess_table(row, MINIMAL))
        assert (single is None) == (batch is None), (pairs[i], single, batch)
        if single is None:
            (decision,) = _per_case(row, MINIMAL)
            assert assess_table(row, MINIMAL).column("level").to_pylist() == [decision.level]
        else:
            assert batch is not None and batch.path.split(".", 1)[1] in single.path


def test_a_column_arrow_cannot_read_is_a_case_error_in_both_paths() -> None:
    """A timestamp column whose time zone is unknown: pyarrow's own error is not let through."""
    table = pa.table({
        "assessment_date": pa.array([dt.datetime(2024, 1, 1)], pa.timestamp("s", tz="Mars/Base")),
        "indicators": [["bruise"]],
    })
    with pytest.raises(CaseError) as info:
        assess_table(table, MINIMAL)
    assert info.value.path == "assessment_date"
    assert info.value.__context__ is None and info.value.__cause__ is None
    with pytest.raises(CaseError):
        _per_case(table, MINIMAL)


_FLOATS = st.sampled_from([None, 0.0, 1.0, 2.5, 3.0, 14.0, 25.0, 24.0, 300.0, 301.0, -1.0,
                           float("nan"), float("inf"), -0.0, 1e300])
_TYPED: dict[str, Any] = {
    "age_years": (pa.float64(), _FLOATS),
    "age_months": (pa.float32(), _FLOATS),
    "gestation_weeks": (pa.float64(), _FLOATS),
    "dash_score": (pa.float64(), _FLOATS),
    "recorded_decision": (pa.int64(), st.sampled_from([None, 0, 1, 4, 5, -3])),
    "unborn": (pa.bool_(), st.sampled_from([None, True, False])),
    "ind:bruise": (pa.float64(), st.sampled_from([None, 0.0, 1.0, 2.0, float("nan")])),
    "ind:danger": (pa.int8(), st.sampled_from([None, 0, 1, -1])),
    "indicators": (pa.list_(pa.string()), st.sampled_from([None, [], ["bruise"], ["nope"],
                                                           ["poor-diet", None, " "]])),
    "case_ref": (pa.uint64(), st.sampled_from([None, 0, 2**64 - 1])),
}


@st.composite
def _typed_tables(draw: Any) -> pa.Table:
    names = draw(st.lists(st.sampled_from(sorted(_TYPED)), min_size=1, max_size=6, unique=True))
    n = draw(st.integers(1, 6))
    return pa.table({
        name: pa.array([draw(_TYPED[name][1]) for _ in range(n)], _TYPED[name][0])
        for name in names
    })


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=_typed_tables())
def test_typed_columns_refused_or_assessed_alike(table: pa.Table) -> None:
    refused = []
    for i in range(table.num_rows):
        row = table.slice(i, 1)
        single = _single_refused(row)
        batch = _refusal(lambda row=row: assess_table(row, MINIMAL))
        assert (single is None) == (batch is None), (row.to_pylist(), single, batch)
        if single is None:
            (decision,) = _per_case(row, MINIMAL)
            out = assess_table(row, MINIMAL, keep_input=False)
            assert out.column("level").to_pylist() == [decision.level]
        else:
            refused.append(i)
    whole = _refusal(lambda: assess_table(table, MINIMAL))
    assert (whole is None) == (not refused)
    if whole is not None:
        assert whole.path.startswith(f"rows[{refused[0]}].")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=_text_tables())
def test_csv_files_are_refused_or_assessed_as_their_rows_are(table: pa.Table) -> None:
    """End to end through a CSV file: ``assess_file`` refuses the file exactly when ``assess``
    refuses one of its rows (naming the first), and otherwise gives each row's level."""
    import tempfile

    from pyarrow import csv

    from rhrt.batch._stream import read_chunks

    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        csv.write_csv(table, src)
        (read,) = list(read_chunks(src, 1_000))
        refused = [i for i in range(read.num_rows) if _single_refused(read.slice(i, 1))]
        error = _refusal(lambda: assess_file(src, out, MINIMAL, progress=False))
        if refused:
            assert error is not None and error.path.startswith(f"rows[{refused[0]}].")
            assert not out.exists()
            return
        assert error is None
        levels = csv.read_csv(out).column("level").to_pylist()
        assert levels == [d.level for d in _per_case(read, MINIMAL)]


def test_csv_missing_markers_are_not_recorded(tmp_path: Path) -> None:
    from rhrt.batch._stream import read_chunks

    src = tmp_path / "in.csv"
    src.write_text("case_ref,age_years,indicators,dash_score\nA,NA,bruise,N/A\nB,#N/A,NULL,nan\n")
    (table,) = list(read_chunks(src, 100))
    assert table.column("age_years").null_count == 2
    assert table.column("dash_score").null_count == 2
    summary = assess_file(src, tmp_path / "o.csv", MINIMAL, progress=False)
    assert summary.rows_read == summary.rows_assessed == 2
    want = [MINIMAL.assess({"indicators": ["bruise"]}).level, MINIMAL.assess({}).level]
    from pyarrow import csv

    assert csv.read_csv(tmp_path / "o.csv").column("level").to_pylist() == want


# -- indicator lists: ids looked up as written, trimmed only where they miss ---------------------

_LIST_ITEMS = st.sampled_from(["bruise", " bruise", "bruise ", "poor-diet", "danger", "",
                               " ", None, "nope", " nope ", "Bruise"])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lists=st.lists(st.one_of(st.none(), st.lists(_LIST_ITEMS, max_size=5)), min_size=1,
                      max_size=7),
       encoding=st.sampled_from(["list", "dictionary", "large", "text", "null-spans",
                                 "dictionary-null-spans", "chunks"]))
def test_indicator_lists_of_every_encoding_read_as_each_row_alone(
    lists: list[list[str | None] | None], encoding: str
) -> None:
    """An indicator list column, as plain lists, lists of dictionary-encoded ids (Parquet's
    ``read_dictionary``), large lists, several chunks or ';'-separated text: batch gives each
    row's decision or refuses the first row ``assess`` refuses, naming it; ids are trimmed,
    blanks dropped, repeats counted once."""
    plain = pa.table({"indicators": pa.array(lists, pa.list_(pa.string()))})
    if encoding == "dictionary":
        typ = pa.list_(pa.dictionary(pa.int32(), pa.string()))
        table = pa.table({"indicators": pa.array(lists, pa.list_(pa.string())).cast(typ)})
    elif encoding == "large":
        table = pa.table({"indicators": pa.array(lists, pa.large_list(pa.large_string()))})
    elif encoding.endswith("null-spans"):
        table = pa.table({"indicators": _null_spans(lists, encoding.startswith("dictionary"))})
    elif encoding == "chunks":  # a column of several chunks, read chunk by chunk
        half = plain.num_rows // 2
        table = pa.concat_tables([plain.slice(0, half), plain.slice(half)])
    elif encoding == "text":
        texts = [None if row is None else ";".join(v or "" for v in row) for row in lists]
        table = plain = pa.table({"indicators": pa.array(texts, pa.string())})
    else:
        table = plain
    refused = [i for i in range(plain.num_rows)
               if _refusal(lambda i=i: _per_case(plain.slice(i, 1), MINIMAL)) is not None]
    batch = _refusal(lambda: assess_table(table, MINIMAL, keep_input=False))
    if refused:
        assert batch is not None and batch.path == f"rows[{refused[0]}].indicators"
        return
    assert batch is None
    out = assess_table(table, MINIMAL, keep_input=False)
    decisions = _per_case(plain, MINIMAL)
    assert out.column("level").to_pylist() == [d.level for d in decisions]
    assert out.column("determining_indicators").to_pylist() == [
        [f.id for f in d.explanation.indicators] for d in decisions
    ]


def _null_spans(lists: list[list[str | None] | None], dictionary: bool) -> pa.Array:
    """``lists`` as a list array whose null rows (not recorded) still span ids, as Arrow allows
    (a list array built with a mask): those ids belong to no row."""
    values: list[str | None] = []
    offsets = [0]
    for row in lists:
        values.extend(["danger", "nope"] if row is None else row)
        offsets.append(len(values))
    flat = pa.array(values, pa.string())
    if dictionary:
        flat = flat.dictionary_encode()
    mask = pa.array([row is None for row in lists])
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), flat, mask=mask)


def test_a_null_list_spanning_ids_gives_them_to_no_row() -> None:
    """Regression: a null indicator list whose span holds ids (valid Arrow) made the rows of
    the ids and the ids themselves disagree: the next row's id was read into the null row
    (a silent wrong reading) or the batch failed with an IndexError."""
    for dictionary in (False, True):
        column = _null_spans([None, ["thriving"]], dictionary)
        assert column.to_pylist() == [None, ["thriving"]]
        out = assess_table(pa.table({"indicators": column}), MINIMAL, keep_input=False)
        decisions = [MINIMAL.assess({}), MINIMAL.assess({"indicators": ["thriving"]})]
        assert out.column("level").to_pylist() == [d.level for d in decisions]
        assert out.column("determining_indicators").to_pylist() == [
            [f.id for f in d.explanation.indicators] for d in decisions
        ]


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    lists=st.lists(st.none() | st.lists(st.sampled_from(["a", "b", " c"]), max_size=4),
                   min_size=1, max_size=12),
    kind=st.sampled_from(["list", "large_list", "spans", "fixed"]),
    cut=st.tuples(st.integers(0, 12), st.integers(0, 12)),
)
def test_each_ids_row_is_the_one_arrow_names(
    lists: list[list[str] | None], kind: str, cut: tuple[int, int]
) -> None:
    """The row of each listed id (``_columns._parents``, read from the list offsets) is the one
    ``pyarrow.compute.list_parent_indices`` names, for lists, large lists, null lists that span
    ids (a list array built with a mask), fixed-size lists, and slices of each."""
    import pyarrow.compute as pc

    from rhrt.batch._columns import _parents

    if kind == "spans":
        column = _null_spans(lists, dictionary=False)
    elif kind == "fixed":
        column = pa.array([None if row is None else [*row, "a", "a"][:2] for row in lists],
                          pa.list_(pa.string(), 2))
    else:
        typ = pa.list_(pa.string()) if kind == "list" else pa.large_list(pa.string())
        column = pa.array(lists, typ)
    start = min(cut[0], len(column))
    column = column.slice(start, cut[1])
    assert _parents(column).tolist() == pc.list_parent_indices(column).to_pylist()


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    values=st.lists(st.none() | st.floats(allow_nan=True, allow_infinity=True), max_size=40),
    chunks=st.integers(1, 3),
    cut=st.tuples(st.integers(0, 40), st.integers(0, 40)),
)
def test_a_number_column_reads_as_arrow_converts_it(
    values: list[float | None], chunks: int, cut: tuple[int, int]
) -> None:
    """``_columns._float64`` (a one-chunk column read from its buffers) gives what Arrow's
    ``to_numpy`` gives: the same floats, NaN where a cell is empty, for sliced columns (an
    offset into the validity bits) and columns of several chunks; a new, writable array."""
    from rhrt.batch._columns import _float64

    array = pa.array(values, pa.float64())
    size = max(1, -(-len(array) // chunks))
    column = pa.chunked_array(
        [array.slice(i, size) for i in range(0, len(array), size)] or [array], pa.float64())
    column = column.slice(min(cut[0], len(column)), cut[1])
    expected = np.asarray(column.to_numpy(), dtype=np.float64)
    for read in (column, column.combine_chunks()):  # a chunked column, and an array
        got = _float64(read)
        assert got.dtype == np.float64 and got.flags.writeable
        assert np.array_equal(got, expected, equal_nan=True)

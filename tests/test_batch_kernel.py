# SPDX-License-Identifier: MIT
"""The public batch kernel (``assess_arrow``), the table adapters' registry, the column layout
derived from the case model, and the rule that no module reaches into another package's
private modules."""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import typing
from pathlib import Path

import pytest

pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

import rhrt  # noqa: E402
from rhrt.batch import assess_arrow, assess_table, iter_cases  # noqa: E402
from rhrt.batch.adapters import Adapter, adapter_for, adapters, register  # noqa: E402
from rhrt.errors import CaseError  # noqa: E402
from rhrt.model.case import Case, Child, Column, ColumnKind, case_columns  # noqa: E402

SRC = Path(__file__).resolve().parents[1] / "src" / "rhrt"
MINIMAL = rhrt.load_ruleset(Path(__file__).parent / "rulesets" / "minimal.yaml")


def _population(n: int = 400) -> pa.Table:
    from rhrt.synth import population

    return population(n, seed=3)


# -- the kernel ------------------------------------------------------------------------------


def test_assess_arrow_is_what_every_table_kind_gets() -> None:
    bundled = rhrt.load_ruleset()
    table = _population()
    for fast in (False, True):
        kernel = assess_arrow(table, bundled, fast=fast)
        assert kernel.equals(assess_table(table, bundled, fast=fast, keep_input=False))
        frame = assess_table(table.to_pandas(), bundled, fast=fast, keep_input=False)
        assert pa.Table.from_pandas(frame, preserve_index=False).to_pylist() == kernel.to_pylist()
        kept = assess_arrow(table, bundled, fast=fast, keep_input=True)
        assert kept.column_names == table.column_names + kernel.column_names
        assert kept.select(kernel.column_names).equals(kernel)


def test_assess_arrow_takes_a_record_batch_in_chunks_with_offsets() -> None:
    """A chunk's rows are numbered from its offset, so chunked errors name the whole-table
    row, exactly as the whole table would."""
    table = pa.table({"age_years": [3.0, 4.0, None, 99.0, 5.0], "indicators": [[]] * 5})
    with pytest.raises(CaseError) as whole:
        assess_arrow(table, MINIMAL)
    assert whole.value.path == "rows[3].age_years"
    chunk = table.slice(2).combine_chunks().to_batches()[0]
    with pytest.raises(CaseError) as part:
        assess_arrow(chunk, MINIMAL, offset=2)
    assert part.value.path == whole.value.path
    good = table.slice(0, 3)
    parts = [assess_arrow(good.slice(i, 1), MINIMAL, offset=i) for i in range(3)]
    assert pa.concat_tables(parts).equals(assess_arrow(good, MINIMAL))


# -- adapters --------------------------------------------------------------------------------


def test_polars_lazyframe_and_arrow_reader_come_back_in_their_kind() -> None:
    table = _population(200)
    bundled = rhrt.load_ruleset()
    expected = assess_table(table, bundled, keep_input=True)
    lazy = assess_table(pl.from_arrow(table).lazy(), bundled, keep_input=True)
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect().to_arrow().to_pylist() == expected.to_pylist()
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
    out = assess_table(reader, bundled, keep_input=False)
    assert isinstance(out, pa.RecordBatchReader)
    assert out.read_all().equals(expected.select(out.schema.names))


def test_an_unknown_kind_is_refused_naming_its_type_only() -> None:
    with pytest.raises(CaseError, match="got list"):
        assess_table([{"age_years": 3}], MINIMAL)


def test_a_registered_adapter_is_used() -> None:
    class Rows(list):  # type: ignore[type-arg]
        """Rows as dicts: a table kind rhrt does not know."""

    adapter = Adapter(
        "rows as dicts",
        lambda t: isinstance(t, Rows),
        lambda t: pa.Table.from_pylist(list(t)),
        lambda result, like, arrow, keep: Rows(result.to_pylist()),
    )
    register(adapter, first=True)
    try:
        rows = Rows([{"age_years": 3.0}, {"age_years": None}])
        out = assess_table(rows, MINIMAL, keep_input=False)
        assert isinstance(out, Rows)
        assert out == assess_arrow(pa.Table.from_pylist(list(rows)), MINIMAL).to_pylist()
        assert adapter_for(rows) is adapter
    finally:
        from rhrt.batch import adapters as module

        module._REGISTRY.remove(adapter)
    assert adapter not in adapters()


# -- the column layout is the case model's ---------------------------------------------------


def _leaf_fields(model: type, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for name, info in model.model_fields.items():  # type: ignore[attr-defined]
        if isinstance(info.annotation, type) and hasattr(info.annotation, "model_fields"):
            out |= _leaf_fields(info.annotation, (*prefix, name))
        else:
            out.add((*prefix, name))
    return out


def test_every_case_field_is_a_column_and_every_column_a_case_field() -> None:
    """Measures are columns of their own (one per ruleset measure), not a case field column."""
    paths = {c.path for c in case_columns()}
    leaves = _leaf_fields(Case) - {("measures",)}
    assert paths <= leaves
    # The case context (issue 14) is not read from tables yet: its columns come with their
    # Column markers. Every other case field is a column.
    assert {p for p in leaves - paths if p[0] != "context"} == set()
    from rhrt.batch._table import CASE_COLUMNS, FIELD_KINDS

    assert set(CASE_COLUMNS) == {c.name for c in case_columns()}
    assert {c.name: c.kind for c in case_columns()} == FIELD_KINDS
    for model in (Case, Child):
        for info in model.model_fields.values():
            assert len([m for m in info.metadata if isinstance(m, Column)]) <= 1
    assert {c.kind for c in case_columns()} <= set(typing.get_args(ColumnKind))


def test_iter_cases_puts_each_column_where_the_spec_says() -> None:
    row = {"case_ref": "R1", "age_months": 30.0, "assessment_date": dt.date(2024, 5, 1),
           "consent": "given", "recorded_decision": 2.0, "referral_source": "school",
           "indicators": "unknown-age"}
    (case,) = iter_cases(pa.Table.from_pylist([row]))
    for spec in case_columns():
        if spec.name in row and spec.name != "indicators":
            target = case
            for part in spec.path:
                target = target[part]
            assert target is not None
    assert case["recorded_decision"] == 2 and isinstance(case["recorded_decision"], int)


# -- no reaching into another package's private modules --------------------------------------


def _package(path: Path) -> str:
    rel = path.relative_to(SRC).parts
    return rel[0] if len(rel) > 1 else rel[0].removesuffix(".py")


def test_no_module_imports_batch_private_modules_from_outside() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        if _package(path) == "batch":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                if parts[:2] == ["rhrt", "batch"] and len(parts) > 2 and parts[2].startswith("_"):
                    offenders.append(f"{path.relative_to(SRC)}: {name}")
    assert offenders == []


# -- long tables, a chunk at a time --------------------------------------------------------------


def test_long_tables_are_assessed_in_chunks_exactly_as_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Chunking is invisible: the same result columns, each one chunk, as the whole table at
    once (a row's result never depends on another row)."""
    from rhrt.batch import kernel

    bundled = rhrt.load_ruleset()
    table = _population(300)
    for fast, chunk in itertools.product((False, True), (64, 37)):
        whole = assess_arrow(table, bundled, fast=fast, keep_input=True)
        with monkeypatch.context() as m:
            m.setattr(kernel, "CHUNK_ROWS", chunk)
            chunked = assess_arrow(table, bundled, fast=fast, keep_input=True)
        assert chunked.equals(whole)
        assert chunked.schema == whole.schema
        for name in kernel.result_columns(bundled, fast=fast):
            assert chunked.column(name).num_chunks == 1


_CELLS = {
    "age_years": [None, "3", "x", "26", "-1"],
    "indicators": [None, "", "nope", "danger;bruise", "poor-diet"],
    "dash_score": [None, "14", "25", "2.5", "maybe"],
}


@pytest.mark.parametrize("seed", range(12))
def test_chunked_tables_refuse_the_row_the_whole_table_refuses(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused row in any chunk is named by its row in the whole table, and the lowest
    refused row over every chunk and column is the one named."""
    import random

    from rhrt.batch import kernel

    rng = random.Random(seed)
    n = rng.randint(20, 60)
    bad_rate = rng.choice([0.02, 0.1, 0.3])
    columns = {
        name: pa.array([rng.choice(values) if rng.random() < bad_rate else values[1]
                        for _ in range(n)], pa.string())
        for name, values in _CELLS.items()
    }
    table = pa.table(columns)

    def error(chunk: int) -> str | None:
        with monkeypatch.context() as m:
            m.setattr(kernel, "CHUNK_ROWS", chunk)
            try:
                assess_arrow(table, MINIMAL, offset=5)
            except CaseError as exc:
                return f"{type(exc).__name__} {exc}"
        return None

    whole = error(10**6)
    for chunk in (1, 3, 7, 16):
        assert error(chunk) == whole


def test_the_indicator_limit_counts_each_id_once_as_iter_cases_does() -> None:
    """More than 2,000 ids in a row, all repeats of a few: a row's ids are a set (iter_cases
    gives each once), so batch assesses it as ``assess`` assesses the row's case."""
    bundled = rhrt.load_ruleset()
    ids = list(bundled.plan.indicator_order)[:5]
    table = pa.table({"indicators": [ids * 500, ids[:1] * 2001, []]})
    out = assess_table(table, bundled, keep_input=False)
    expected = [bundled.assess(case) for case in iter_cases(table, bundled)]
    assert out.column("level").to_pylist() == [d.level for d in expected]
    assert out.column("determining_indicators").to_pylist() == [
        [f.id for f in d.explanation.indicators] for d in expected
    ]


# -- the error of a long table: found a chunk or two at a time ------------------------------------


_DAY_MS = 86_400_000


def _days(days: list[int | None], odd: typing.AbstractSet[int] = frozenset()) -> pa.Array:
    """A date64 column (days since 1970), the rows in ``odd`` an hour past midnight: a date64
    cell not at midnight makes the whole column unreadable (not a refused row)."""
    ms = [None if d is None else d * _DAY_MS + (3_600_000 if i in odd else 0)
          for i, d in enumerate(days)]
    return pa.array(ms, pa.int64()).view(pa.date64())


def _refusal(
    table: pa.Table, ruleset: rhrt.Ruleset, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[object, ...] | None, int]:
    """(the error assessing ``table`` raises, in every part that names it, or None; the most
    rows checked at once) with ``CHUNK_ROWS`` set to ``chunk``."""
    from rhrt.batch import kernel

    checked: list[int] = []
    real = kernel.arrays_of

    def spy(t: pa.Table, *args: typing.Any, **kwargs: typing.Any) -> typing.Any:
        checked.append(t.num_rows)
        return real(t, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(kernel, "CHUNK_ROWS", chunk)
        m.setattr(kernel, "arrays_of", spy)
        try:
            assess_arrow(table, ruleset, offset=5)
        except CaseError as exc:
            return ((type(exc), str(exc), exc.path, exc.reason, exc.row, exc.column),
                    max(checked))
    return None, max(checked, default=0)


def test_a_bad_row_in_a_later_chunk_is_named_as_the_whole_table_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression: a refused row in the 11th chunk of a long table was named by checking the
    whole table again (memory for every row, on the error path). Now the same error (type,
    message, path, row, column) is found reading no more than one chunk at a time."""
    bundled = rhrt.load_ruleset()
    table = _population(200)
    ages = table.column("age_years").to_pylist()
    ages[170] = 99.0  # out of range: a refused row
    table = table.set_column(table.column_names.index("age_years"), "age_years",
                             pa.array(ages, pa.float64()))
    whole, _ = _refusal(table, bundled, 10**6, monkeypatch)
    assert whole is not None and whole[2] == "rows[175].age_years" and whole[4] == 175
    chunked, most = _refusal(table, bundled, 16, monkeypatch)
    assert chunked == whole
    assert most == 16


def test_an_unreadable_column_in_a_later_chunk_comes_before_a_refused_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A column that cannot be read anywhere in the table is named before any refused row, and
    of two such columns (in different chunks) the one checked first, as the whole table at once
    names them; never more than two chunks are checked together."""
    n = 96
    ages: list[float | None] = [3.0] * n
    ages[20] = -1.0  # chunk 1 (of 16 rows): a refused row
    births: list[int | None] = [None] * n
    births[40] = 16_000  # chunk 2: a date of birth, an hour past midnight: unreadable
    table = pa.table({
        "age_years": pa.array(ages, pa.float64()),
        "assessment_date": _days([18_262] * n, odd={85}),  # chunk 5: unreadable too
        "date_of_birth": _days(births, odd={40}),
    })
    whole, _ = _refusal(table, MINIMAL, 10**6, monkeypatch)
    assert whole is not None and whole[2] == "assessment_date" and whole[4] is None
    for chunk in (16, 7, 1):
        chunked, most = _refusal(table, MINIMAL, chunk, monkeypatch)
        assert chunked == whole
        assert most <= 2 * chunk
    no_dates = table.drop_columns(["assessment_date", "date_of_birth"])
    assert _refusal(no_dates, MINIMAL, 16, monkeypatch)[0] == _refusal(
        no_dates, MINIMAL, 10**6, monkeypatch)[0]


@pytest.mark.parametrize("seed", range(12))
def test_chunked_tables_raise_the_error_the_whole_table_raises(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused rows and unreadable date columns anywhere: every chunk size names the error
    the whole table at once names, checking at most two chunks together."""
    import random

    rng = random.Random(seed)
    n = rng.randint(20, 60)
    bad_rate = rng.choice([0.02, 0.05, 0.1])
    columns = {
        name: pa.array([rng.choice(values) if rng.random() < bad_rate else values[1]
                        for _ in range(n)], pa.string())
        for name, values in _CELLS.items()
        if name != "age_years"
    }
    for name, day in (("assessment_date", 18_262), ("date_of_birth", 17_000)):
        odd = {i for i in range(n) if rng.random() < bad_rate / 2}
        columns[name] = _days([day] * n, odd)
    table = pa.table(columns)
    whole, _ = _refusal(table, MINIMAL, 10**6, monkeypatch)
    for chunk in (1, 3, 7, 16):
        chunked, most = _refusal(table, MINIMAL, chunk, monkeypatch)
        assert chunked == whole
        assert most <= 2 * chunk

# SPDX-License-Identifier: MIT
"""Tables ↔ cases: the column layout analysts use, checked and turned into engine arrays.

Why pyarrow in the middle: pandas, polars and Arrow tables all convert to Arrow cheaply (often
without copying), and Arrow compute functions give vectorised parsing of list and ';'-separated
indicator columns. Every check here is a whole-column operation; a failing check reports the
first offending row number and the column name, never the value (children's data).

The layout (documented in ``docs/analysts.md``):

=====================  ======================================================================
column                 meaning
=====================  ======================================================================
``case_ref``           opaque case reference (string)
``age_years``          age in years (number; empty = not recorded)
``age_months``         age in months (number; give at most one way of giving age per row)
``date_of_birth``      date, needs ``assessment_date``
``assessment_date``    date the assessment is made
``unborn``             true for an unborn child
``gestation_weeks``    weeks of pregnancy (unborn only)
``indicators``         list of indicator ids, or one string with ids separated by ``;``
``ind:<id>``           one boolean column per indicator (true = present)
``<measure id>``       a ruleset measure (number; empty = not recorded)
``consent``            given | refused | not_sought
``recorded_decision``  the level a practitioner recorded (1-4), for audits
``referral_source``    who raised the concern (e.g. police, school), for audits
=====================  ======================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rhrt.batch._vector import Arrays, VectorPlan, VectorResult
from rhrt.errors import CaseError, suggest
from rhrt.model.case import MAX_AGE_YEARS

INDICATOR_PREFIX = "ind:"
PATHWAY_PREFIX = "pathway:"
CASE_COLUMNS = (
    "case_ref",
    "age_years",
    "age_months",
    "date_of_birth",
    "assessment_date",
    "unborn",
    "gestation_weeks",
    "indicators",
    "consent",
    "recorded_decision",
    "referral_source",
)
RESULT_COLUMNS = ("level", "urgent", "pathways", "determining_indicators")
_CONSENT = ("given", "refused", "not_sought")
MAX_INDICATORS_PER_CASE = 2_000


# -- table kinds -----------------------------------------------------------------------------


def table_kind(table: object) -> str:
    """'pandas', 'polars', 'arrow' or 'batch' (a pyarrow RecordBatch)."""
    if isinstance(table, pa.Table):
        return "arrow"
    if isinstance(table, pa.RecordBatch):
        return "batch"
    module = type(table).__module__.split(".")[0]
    if module == "pandas" and type(table).__name__ == "DataFrame":
        return "pandas"
    if module == "polars" and type(table).__name__ == "DataFrame":
        return "polars"
    raise CaseError(
        "a table must be a pandas DataFrame, a polars DataFrame or a pyarrow Table "
        f"(got {type(table).__name__})"
    )


def to_arrow(table: object) -> pa.Table:
    """Any supported table as a pyarrow Table (columns are usually shared, not copied)."""
    kind = table_kind(table)
    if kind == "arrow":
        return table
    if kind == "batch":
        return pa.Table.from_batches([table])
    if kind == "pandas":
        names = [str(c) for c in table.columns]  # type: ignore[attr-defined]
        if len(set(names)) != len(names):
            raise CaseError("duplicate column names in the table")
        return pa.Table.from_pandas(table, preserve_index=False)
    return table.to_arrow()  # type: ignore[attr-defined]


def from_arrow(result: pa.Table, like: object, *, keep_input: bool) -> Any:
    """Results as a table of the same kind as ``like``, beside its columns when asked."""
    kind = table_kind(like)
    if kind in ("arrow", "batch"):
        out = to_arrow(like) if keep_input else result
        if keep_input:
            for name in result.column_names:
                out = out.append_column(name, result.column(name))
        return out.combine_chunks().to_batches()[0] if kind == "batch" and out.num_rows else out
    if kind == "pandas":
        import pandas as pd

        frame = result.to_pandas()
        frame.index = like.index  # type: ignore[attr-defined]
        return pd.concat([like, frame], axis=1) if keep_input else frame
    import polars as pl

    res = pl.from_arrow(result)
    assert isinstance(res, pl.DataFrame)
    return like.hstack(res.get_columns()) if keep_input else res  # type: ignore[attr-defined]


# -- column layout ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Which column plays which part, for one table and one ruleset."""

    indicator_columns: dict[str, int]
    """``ind:<id>`` column name → indicator column index."""
    measure_columns: tuple[str, ...]
    ignored: tuple[str, ...]


def layout(names: Iterable[str], vp: VectorPlan | None, ignore: Iterable[str] = ()) -> Layout:
    """Classify columns; unknown columns are errors (a misspelt column is never dropped).

    Without a vector plan (``iter_cases`` with no ruleset), any other column is a measure.
    """
    ignored = set(ignore)
    indicators: dict[str, int] = {}
    measures: list[str] = []
    seen: set[str] = set()
    known_measures = set(vp.plan.measures) if vp is not None else None
    for name in names:
        if name in seen:
            raise CaseError("duplicate column in the table", path=_safe(name))
        seen.add(name)
        if name in ignored or name in CASE_COLUMNS:
            continue
        if name.startswith(INDICATOR_PREFIX):
            ind = name[len(INDICATOR_PREFIX) :]
            if vp is not None and ind not in vp.column:
                raise CaseError(
                    "unknown indicator column",
                    path=_safe(name),
                    suggestion=_prefixed(suggest(ind, vp.column)),
                )
            indicators[name] = vp.column[ind] if vp is not None else -1
        elif known_measures is None or name in known_measures:
            measures.append(name)
        else:
            candidates = [*CASE_COLUMNS, *known_measures]
            raise CaseError(
                "unknown column (not a case field, an ind:<id> indicator or a measure)",
                path=_safe(name),
                suggestion=suggest(name, candidates),
            )
    return Layout(indicators, tuple(measures), tuple(sorted(ignored)))


def _prefixed(name: str | None) -> str | None:
    return None if name is None else INDICATOR_PREFIX + name


def _safe(name: str) -> str:
    cleaned = "".join(ch for ch in str(name)[:80] if ch.isprintable())
    return cleaned + ("…" if len(str(name)) > 80 else "")


def _where(row: int, column: str) -> str:
    return f"rows[{row}].{_safe(column)}"


def _fail(message: str, bad: Any, column: str, offset: int) -> None:
    """Raise for the first True in ``bad`` (a bool array), if any."""
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + offset
        raise CaseError(message, path=_where(row, column))


# -- column readers ----------------------------------------------------------------------------


def floats(col: pa.ChunkedArray, name: str, offset: int = 0) -> Any:
    """A numeric column as float64 with NaN for empty cells."""
    typ = col.type
    if pa.types.is_null(typ):
        return np.full(len(col), np.nan)
    if pa.types.is_boolean(typ) or not (
        pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_decimal(typ)
    ):
        if pa.types.is_string(typ) or pa.types.is_large_string(typ):
            return _floats_from_text(col, name, offset)
        raise CaseError("column must be numeric", path=_safe(name))
    values = pc.cast(col, pa.float64()).to_numpy()
    return np.asarray(values, dtype=np.float64)


def _floats_from_text(col: pa.ChunkedArray, name: str, offset: int) -> Any:
    text = pc.utf8_trim_whitespace(col)
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    try:
        return np.asarray(pc.cast(text, pa.float64()).to_numpy(), dtype=np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    numeric = pc.match_substring_regex(text, r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
    bad = pc.and_(pc.is_valid(text), pc.invert(pc.fill_null(numeric, False)))
    _fail("value must be a number", np.asarray(bad.to_numpy(zero_copy_only=False)), name, offset)
    raise CaseError("column must be numeric", path=_safe(name))  # pragma: no cover


def bools(col: pa.ChunkedArray, name: str, offset: int = 0) -> Any:
    """A boolean column (true/false, 1/0); empty cells are false."""
    typ = col.type
    if pa.types.is_null(typ):
        return np.zeros(len(col), dtype=bool)
    if pa.types.is_boolean(typ):
        return np.asarray(pc.fill_null(col, False).to_numpy(zero_copy_only=False), dtype=bool)
    if pa.types.is_integer(typ) or pa.types.is_floating(typ):
        values = floats(col, name, offset)
        _fail("value must be true or false (1 or 0)", ~np.isnan(values) & (values != 0) &
              (values != 1), name, offset)
        return np.nan_to_num(values, nan=0.0) == 1
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        text = pc.utf8_lower(pc.utf8_trim_whitespace(pc.fill_null(col, "")))
        true = pc.is_in(text, value_set=pa.array(["true", "t", "yes", "y", "1"]))
        false = pc.is_in(text, value_set=pa.array(["false", "f", "no", "n", "0", ""]))
        t = np.asarray(true.to_numpy(zero_copy_only=False), dtype=bool)
        f = np.asarray(false.to_numpy(zero_copy_only=False), dtype=bool)
        _fail("value must be true or false", ~(t | f), name, offset)
        return t
    raise CaseError("column must be true/false", path=_safe(name))


def texts(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column as strings (ids and categories)."""
    if pa.types.is_dictionary(col.type):
        col = pc.cast(col, col.type.value_type)
    return pc.cast(col, pa.string())


def indicator_lists(col: pa.ChunkedArray, name: str) -> tuple[pa.Array, Any]:
    """(flattened ids, row index of each id) of a list column or a ';'-separated string column."""
    typ = col.type
    if pa.types.is_null(typ):
        return pa.array([], pa.string()), np.zeros(0, dtype=np.int64)
    if pa.types.is_dictionary(typ) or pa.types.is_string(typ) or pa.types.is_large_string(typ):
        col = pc.split_pattern(texts(col), ";")
        typ = col.type
    if not (pa.types.is_list(typ) or pa.types.is_large_list(typ)):
        raise CaseError("indicators must be a list of ids or a ';'-separated string", path=name)
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    parents = np.asarray(pc.list_parent_indices(col).to_numpy(), dtype=np.int64)
    values = pc.list_flatten(col)
    if pa.types.is_dictionary(values.type):
        values = pc.cast(values, values.type.value_type)
    values = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
    keep = pc.and_(pc.is_valid(values), pc.not_equal(values, ""))
    keep = pc.fill_null(keep, False)
    return pc.filter(values, keep), parents[np.asarray(keep.to_numpy(zero_copy_only=False))]


def _months_between(dob: Any, when: Any) -> Any:
    """Whole months from date of birth to assessment date, as ``Case.age_in_months`` counts."""
    def parts(d: Any) -> tuple[Any, Any, Any]:
        months = d.astype("datetime64[M]")
        year = months.astype("datetime64[Y]").astype(np.int64)
        month = months.astype(np.int64) - year * 12
        day = (d - months).astype(np.int64)
        return year, month, day

    y1, m1, d1 = parts(dob)
    y2, m2, d2 = parts(when)
    months = (y2 - y1) * 12 + (m2 - m1) - (d2 < d1)
    return np.maximum(months, 0).astype(np.float64)


def _dates(col: pa.ChunkedArray, name: str) -> Any:
    typ = col.type
    try:
        if pa.types.is_string(typ) or pa.types.is_large_string(typ):
            col = pc.cast(pc.cast(col, pa.string()), pa.timestamp("s"))
        if pa.types.is_timestamp(typ) or pa.types.is_timestamp(col.type):
            col = pc.cast(col, pa.date32())
        col = pc.cast(col, pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise CaseError("column must hold dates (YYYY-MM-DD)", path=name) from None
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype="datetime64[D]")


# -- table → arrays ----------------------------------------------------------------------------


def arrays_of(
    table: pa.Table,
    vp: VectorPlan,
    *,
    offset: int = 0,
    ignore: Iterable[str] = (),
) -> Arrays:
    """Check a table's cases (as ``Ruleset.validate_case`` would) and build the engine arrays.

    ``offset`` is added to row numbers in error messages (the position of a streamed chunk).
    """
    lay = layout(table.column_names, vp, ignore)
    n = table.num_rows
    names = set(table.column_names)

    def col(name: str) -> pa.ChunkedArray | None:
        return table.column(name) if name in names else None

    present = np.zeros((len(vp.indicator_ids), n), dtype=bool)
    hit_rows: list[Any] = []
    hit_cols: list[Any] = []
    lists = col("indicators")
    if lists is not None:
        values, rows = indicator_lists(lists, "indicators")
        index = pc.index_in(values, value_set=pa.array(vp.indicator_ids, pa.string()))
        unknown = np.asarray(pc.is_null(index).to_numpy(zero_copy_only=False), dtype=bool)
        if unknown.any():
            row = int(rows[np.flatnonzero(unknown)[0]]) + offset
            raise CaseError("unknown indicator id", path=_where(row, "indicators"))
        cols = np.asarray(pc.fill_null(index, 0).to_numpy(zero_copy_only=False), dtype=np.intp)
        present[cols, rows] = True
        hit_rows.append(rows)
        hit_cols.append(cols)
        if rows.size:
            per_row = np.bincount(rows, minlength=n)
            _fail(
                f"more than {MAX_INDICATORS_PER_CASE} indicators",
                per_row > MAX_INDICATORS_PER_CASE,
                "indicators",
                offset,
            )
    for name, c in lay.indicator_columns.items():
        flags = bools(table.column(name), name, offset)
        present[c] |= flags
        where = np.flatnonzero(flags)
        hit_rows.append(where)
        hit_cols.append(np.full(where.size, c, dtype=np.intp))

    given: list[tuple[str, Any]] = []
    age = np.full(n, np.nan)
    limits = (("age_years", 12.0, float(MAX_AGE_YEARS)), ("age_months", 1.0, MAX_AGE_YEARS * 12.0))
    for name, scale, limit in limits:
        column = col(name)
        if column is None:
            continue
        values = floats(column, name, offset)
        _fail("must be between 0 and " + f"{limit:g}", (values < 0) | (values > limit) |
              np.isinf(values), name, offset)
        given.append((name, ~np.isnan(values)))
        age = np.where(np.isnan(values), age, values * scale)
    dob_col, when_col = col("date_of_birth"), col("assessment_date")
    when = _dates(when_col, "assessment_date") if when_col is not None else None
    if dob_col is not None:
        dob = _dates(dob_col, "date_of_birth")
        has_dob = ~np.isnat(dob)
        when_ok = np.zeros(n, dtype=bool) if when is None else ~np.isnat(when)
        _fail("date_of_birth needs assessment_date (rhrt never reads the clock)",
              has_dob & ~when_ok, "date_of_birth", offset)
        if when is not None:
            both = has_dob & when_ok
            _fail("date_of_birth is after assessment_date", both & (dob > when),
                  "date_of_birth", offset)
            months = np.full(n, np.nan)
            if both.any():
                months[both] = _months_between(dob[both], when[both])
            age = np.where(both, months, age)
        given.append(("date_of_birth", has_dob))
    if len(given) > 1:
        count = np.sum([g for _, g in given], axis=0)
        _fail("give only one of age_years, age_months, date_of_birth", count > 1,
              given[1][0], offset)
    unborn_col = col("unborn")
    unborn = bools(unborn_col, "unborn", offset) if unborn_col is not None else np.zeros(n, bool)
    for name, has in given:
        _fail("an unborn child has no age; give gestation_weeks instead", unborn & has,
              name, offset)
    gest = col("gestation_weeks")
    if gest is not None:
        weeks = floats(gest, "gestation_weeks", offset)
        _fail("must be between 0 and 45", (weeks < 0) | (weeks > 45) | np.isinf(weeks),
              "gestation_weeks", offset)
        _fail("gestation_weeks needs unborn: true", ~np.isnan(weeks) & ~unborn,
              "gestation_weeks", offset)

    measures: dict[str, Any] = {}
    for name in lay.measure_columns:
        values = floats(table.column(name), name, offset)
        low, high, integer = vp.plan.measures[name]
        _fail("must be a finite number", np.isinf(values), name, offset)
        _fail(f"measure out of range ({low:g} to {high:g})", (values < low) | (values > high),
              name, offset)
        if integer:
            fraction = np.isfinite(values) & (values != np.floor(values))
            _fail("measure must be a whole number", fraction, name, offset)
        measures[name] = values

    recorded = col("recorded_decision")
    if recorded is not None:
        values = floats(recorded, "recorded_decision", offset)
        bad = ~np.isnan(values) & ((values < 1) | (values > 4) | (values != np.floor(values)))
        _fail("recorded_decision must be a level 1-4", bad, "recorded_decision", offset)
    consent = col("consent")
    if consent is not None:
        text = texts(consent)
        ok = pc.or_(pc.is_null(text), pc.is_in(text, value_set=pa.array(_CONSENT)))
        _fail("consent must be given, refused or not_sought",
              ~np.asarray(pc.fill_null(ok, False).to_numpy(zero_copy_only=False), dtype=bool),
              "consent", offset)
    for name, limit in (("case_ref", 200), ("referral_source", 100)):
        column = col(name)
        if column is not None:
            lengths = pc.fill_null(pc.utf8_length(texts(column)), 0).to_numpy()
            _fail(f"longer than {limit} characters", np.asarray(lengths) > limit, name, offset)

    hits = (
        (np.concatenate(hit_rows).astype(np.intp), np.concatenate(hit_cols).astype(np.intp))
        if hit_rows
        else (np.zeros(0, np.intp), np.zeros(0, np.intp))
    )
    return Arrays(present=present, measures=measures, age_months=age, unborn=unborn, hits=hits)


# -- results → arrow -------------------------------------------------------------------------


def _pairs_column(rows: Any, idx: Any, n: int, labels: tuple[str, ...]) -> pa.Array:
    """A list<string> column from (row, label index) pairs sorted by row, without a row loop."""
    counts = np.bincount(rows, minlength=n) if rows.size else np.zeros(n, np.int64)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    values = pc.take(pa.array(labels, pa.string()), pa.array(idx.astype(np.int32)))
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def result_table(
    vp: VectorPlan,
    arrays: Arrays,
    result: VectorResult,
    *,
    fast: bool = False,
) -> pa.Table:
    """The result columns: level, urgent, then pathways (ordered lists, or one boolean column
    per pathway in fast mode) and the determining indicators (not in fast mode)."""
    columns: dict[str, pa.Array] = {
        "level": pa.array(result.level.astype(np.int8)),
        "urgent": pa.array(result.urgent),
    }
    if fast:
        recommended = result.pathway_rank < vp.no_rank
        for p, pid in enumerate(vp.pathway_ids):
            columns[PATHWAY_PREFIX + pid] = pa.array(recommended[p])
        return pa.table(columns)
    rows, idx = vp.ordered_pathways(result)
    columns["pathways"] = _pairs_column(rows, idx, arrays.n, vp.pathway_ids)
    d_rows, d_cols = vp.determining(arrays, result)
    columns["determining_indicators"] = _pairs_column(d_rows, d_cols, arrays.n, vp.indicator_ids)
    return pa.table(columns)


# -- rows → case dicts ------------------------------------------------------------------------


def iter_rows(table: pa.Table, vp: VectorPlan | None, ignore: Iterable[str] = ()) -> Iterator[
    dict[str, Any]
]:
    """Each row as the case mapping ``Ruleset.assess`` takes (a Python loop: for inspection)."""
    lay = layout(table.column_names, vp, ignore)
    skip = set(lay.ignored)
    for batch in table.to_batches(max_chunksize=4096):
        for row in batch.to_pylist():
            yield _case_of(row, lay, skip)


def _case_of(row: dict[str, Any], lay: Layout, skip: set[str]) -> dict[str, Any]:
    case: dict[str, Any] = {}
    child: dict[str, Any] = {}
    indicators: list[str] = []
    measures: dict[str, float] = {}
    for name, value in row.items():
        if name in skip or value is None:
            continue
        if name == "case_ref":
            case["reference"] = str(value)
        elif name in ("age_years", "age_months", "gestation_weeks"):
            number = _number(value)
            if number is not None:
                child[name] = number
        elif name == "date_of_birth":
            child[name] = value
        elif name == "assessment_date":
            case[name] = value
        elif name == "unborn":
            if _truthy(value):
                child["unborn"] = True
        elif name == "indicators":
            items = value.split(";") if isinstance(value, str) else value
            indicators.extend(s.strip() for s in items if s is not None and str(s).strip())
        elif name in lay.indicator_columns:
            if _truthy(value):
                indicators.append(name[len(INDICATOR_PREFIX) :])
        elif name == "recorded_decision":
            number = _number(value)
            if number is not None:
                case[name] = int(number) if number.is_integer() else number
        elif name in ("consent", "referral_source"):
            case[name] = str(value)
        else:
            number = _number(value)
            if number is not None:
                measures[name] = int(number) if number.is_integer() else number
    if child:
        case["child"] = child
    case["indicators"] = list(dict.fromkeys(indicators))
    if measures:
        case["measures"] = measures
    return case


def _number(value: Any) -> float | None:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    number = float(value)
    return None if number != number else number


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "t", "yes", "y", "1")
    return bool(value)

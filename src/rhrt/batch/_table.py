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
from dataclasses import dataclass, field
from typing import Any, get_args

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rhrt.batch._columns import (
    CATEGORY,
    CELL_READERS,
    DATE,
    FLAG,
    IDS,
    NOT_A_DATE,
    NOT_A_NUMBER,
    NUMBER,
    REFERENCE,
    UNKNOWN_ID,
    YESNO,
    CellError,
    Refusals,
    dates,
    flags,
    id_codes,
    numbers,
    prepare,
    shown,
    where,
)
from rhrt.batch._columns import months_between as _months_between
from rhrt.batch._columns import (
    texts as texts,  # re-exported: audits read single columns
)
from rhrt.batch._consent import consent_first
from rhrt.batch._context import context_arrays
from rhrt.batch._first_step import FIRST_STEP_COLUMN, first_steps
from rhrt.batch._recorded import RecordedRows, recorded_rows
from rhrt.batch._vector import (
    Arrays,
    VectorPlan,
    VectorResult,
    unique_pairs_of,
)
from rhrt.errors import CaseError, suggest
from rhrt.model.case import (
    AGE_OUT_OF_RANGE,
    ASSESSMENT_DATE_OUT_OF_RANGE,
    EARLIEST_ASSESSMENT_DATE,
    GESTATION_OUT_OF_RANGE,
    LATEST_ASSESSMENT_DATE,
    MAX_AGE_MONTHS,
    MAX_GESTATION_WEEKS,
    Case,
    CaseColumn,
    case_columns,
)
from rhrt.model.scale import LOWEST_LEVEL, TOP_LEVEL
from rhrt.rules.semantics import CONFIRMED, MEASURE_OPERATORS, PROVISIONAL

INDICATOR_PREFIX = "ind:"
PATHWAY_PREFIX = "pathway:"
CASE_COLUMN_SPEC: dict[str, CaseColumn] = {c.name: c for c in case_columns()}
"""Each case field's column (name → kind and place in a case), from the case model itself
(``rhrt.model.case.case_columns``): a field added there is a column here."""
CASE_COLUMNS = tuple(CASE_COLUMN_SPEC)
RESULT_COLUMNS = ("status", "level", "known_level", "urgent", "pathways", FIRST_STEP_COLUMN,
                  "determining_indicators", "consent_position", "unread_measures")
"""``status`` (confirmed or provisional, first: what a reader must know before the level),
``level`` (fail-safe), ``known_level`` (the known facts alone), ``first_step`` (the pathway an
urgent row acts on first, or null), as ``Decision`` has them."""
STATUS_WORDS = (CONFIRMED, PROVISIONAL)
"""``status`` cells by ``VectorResult.provisional`` (0 confirmed, 1 provisional)."""
UNREAD_COLUMN = "unread_measures"
CONSENT_COLUMN = "consent_position"
"""Per row, the id of the consent position shown first (``Decision.consent.id``: the most
protective that applies; ``level-N``, ``urgent``, ``pathway:<id>`` or the ruleset's position
id; see ``rhrt.rules.consent``)."""
"""Per row, the ids of the recorded measures that change nothing for it (``Decision.warnings``
says the same for one case; see ``rhrt.batch._recorded``)."""


def _model_max_length(name: str) -> int:
    """A text field's length limit, read from the case model (its one definition)."""
    for rule in Case.model_fields[name].metadata:
        if isinstance(getattr(rule, "max_length", None), int):
            return int(rule.max_length)
    raise AssertionError(f"no max_length on Case.{name}")  # pragma: no cover


def _model_literals(name: str) -> tuple[str, ...]:
    """The allowed values of a ``Literal[...] | None`` field of the case model."""
    (literal,) = (a for a in get_args(Case.model_fields[name].annotation) if a is not type(None))
    return tuple(str(v) for v in get_args(literal))


_CONSENT = _model_literals("consent")
_TEXT_LIMITS = (("case_ref", _model_max_length("reference")),
                ("referral_source", _model_max_length("referral_source")))
MAX_INDICATORS_PER_CASE = 2_000


# -- column layout ---------------------------------------------------------------------------

FIELD_KINDS: dict[str, str] = {name: c.kind for name, c in CASE_COLUMN_SPEC.items()}
"""The kind of each case column (``ind:<id>`` columns are true/false, measures numbers)."""


@dataclass(frozen=True)
class Layout:
    """Which column plays which part, for one table and one ruleset."""

    indicator_columns: dict[str, int]
    """``ind:<id>`` column name → indicator column index."""
    measure_columns: tuple[str, ...]
    ignored: tuple[str, ...]
    kinds: dict[str, str] = field(default_factory=dict)
    """Every column read (not ignored) → its kind (``rhrt.batch._columns``)."""


NO_KNOWN_COLUMN = (
    "no column of the table is a case field, an ind:<id> indicator or a measure of the "
    "ruleset (is the header row missing?)"
)


def layout(names: Iterable[str], vp: VectorPlan | None, ignore: Iterable[str] = ()) -> Layout:
    """Classify columns; unknown columns are errors (a misspelt column is never dropped).

    Without a vector plan (``iter_cases`` with no ruleset), any other column is a measure.

    Raises:
        CaseError: a duplicate or unknown column, or (with a ruleset) no known column at all: a
            CSV file without a header row would otherwise take its first case as the header.
            Column names are shown only when shaped like an id (a header cell may be a value).
    """
    ignored = set(ignore)
    names = [str(name) for name in names]
    indicators: dict[str, int] = {}
    measures: list[str] = []
    kinds: dict[str, str] = {}
    duplicate: str | None = None
    unknown: list[CaseError] = []
    seen: set[str] = set()
    known_measures = set(vp.plan.measures) if vp is not None else None
    for name in names:
        if name in seen and duplicate is None:
            duplicate = name
        seen.add(name)
        if name in ignored:
            continue
        if name in CASE_COLUMNS:
            kinds[name] = FIELD_KINDS[name]
        elif name.startswith(INDICATOR_PREFIX):
            ind = name[len(INDICATOR_PREFIX) :]
            if vp is not None and ind not in vp.column:
                unknown.append(CaseError(
                    "unknown indicator column",
                    path=shown(name),
                    suggestion=_prefixed(suggest(ind, vp.column)),
                ))
                continue
            indicators[name] = vp.column[ind] if vp is not None else -1
            kinds[name] = FLAG
        elif known_measures is None or name in known_measures:
            measures.append(name)
            kinds[name] = NUMBER
        else:
            candidates = [*CASE_COLUMNS, *(known_measures or ())]
            unknown.append(CaseError(
                "unknown column (not a case field, an ind:<id> indicator or a measure)",
                path=shown(name),
                suggestion=suggest(name, candidates),
            ))
    # A name with the indicator prefix, or one close to a known name, is a header (misspelt);
    # otherwise a table with no known column is most likely a CSV without its header row.
    header_like = any(n.startswith(INDICATOR_PREFIX) for n in names) or any(
        e.suggestion for e in unknown
    )
    if vp is not None and not kinds and not header_like:
        raise CaseError(NO_KNOWN_COLUMN)
    if duplicate is not None:
        raise CaseError("duplicate column in the table", path=shown(duplicate))
    if unknown:
        raise unknown[0]
    return Layout(indicators, tuple(measures), tuple(sorted(ignored)), kinds)


def _prefixed(name: str | None) -> str | None:
    return None if name is None else INDICATOR_PREFIX + name


def result_names(vp: VectorPlan, *, fast: bool) -> tuple[str, ...]:
    """The result columns :func:`result_table` gives, in order."""
    if fast:
        return ("status", "level", "known_level", "urgent",
                *(PATHWAY_PREFIX + pid for pid in vp.pathway_ids), CONSENT_COLUMN, UNREAD_COLUMN)
    return RESULT_COLUMNS


def check_no_clash(input_names: Iterable[str], vp: VectorPlan, *, fast: bool) -> None:
    """Refuse to put results beside input columns of the same names (``keep_input``): a reader
    of the output would otherwise take an input value (say, a recorded level 1) for the result.

    The one check ``assess_table`` and ``rhrt batch --keep-input`` share.

    Raises:
        CaseError: an input column has the name of a result column.
    """
    names = set(input_names)
    for name in result_names(vp, fast=fast):
        if name in names:
            raise CaseError("input column has the name of a result column", path=name)


# -- column readers (kept for callers that read one column on its own) -------------------------


def floats(col: pa.ChunkedArray, name: str, offset: int = 0) -> Any:
    """A numeric column as float64 with NaN for empty cells (raises for a bad cell)."""
    refusals = Refusals(offset)
    values = numbers(prepare(col, name, NUMBER), name, refusals)
    refusals.raise_first()
    return values


def bools(col: pa.ChunkedArray, name: str, offset: int = 0) -> Any:
    """A true/false column (true/false, 1/0); empty cells are false (raises for a bad cell)."""
    refusals = Refusals(offset)
    values = flags(prepare(col, name, FLAG), name, refusals)
    refusals.raise_first()
    return values


def _age_in_range(months: Any) -> Any:
    """``rhrt.model.case.age_months_in_range`` over an array (NaN is out of range there;
    here NaN means not recorded, so it is in range)."""
    return np.isnan(months) | ((months >= 0) & (months <= MAX_AGE_MONTHS))


# -- table → arrays ----------------------------------------------------------------------------


_ID_WINDOW = 1 << 18
"""Rows whose indicator lists are read together (see :func:`arrays_of`)."""


def arrays_of(
    table: pa.Table,
    vp: VectorPlan,
    *,
    offset: int = 0,
    ignore: Iterable[str] = (),
) -> Arrays:
    """Check a table's cases (as ``Ruleset.validate_case`` would) and build the engine arrays.

    ``offset`` is added to row numbers in error messages (the position of a streamed chunk).

    Raises:
        CaseError: a column's type does not fit its field (names the column), or a row is not a
            valid case: the lowest such row is named, with its column, never the value.
    """
    lay = layout(table.column_names, vp, ignore)
    n = table.num_rows
    cols = {name: prepare(table.column(name), name, kind) for name, kind in lay.kinds.items()}
    ref = Refusals(offset, lay.kinds if vp is not None else ())

    def col(name: str) -> pa.ChunkedArray | None:
        return cols.get(name)

    width = len(vp.indicator_ids)
    # the present indicators as (rows, columns) parts, as given: pairs may repeat (made
    # unique once, after the implied ones are added)
    parts: list[tuple[Any, Any]] = []
    longest = 0  # the most ids a row's list holds (blanks and repeats included)
    lists = col("indicators")
    if lists is not None:
        id_set = pa.array(vp.indicator_ids, pa.string())
        bad = np.zeros(n, dtype=bool)
        # a window of rows at a time: ';'-separated text is split into a copy of its ids;
        # chunk by chunk, so no chunks are copied together
        windows = []
        start = 0
        for chunk in lists.chunks:
            windows += [(start + at, chunk.slice(at, _ID_WINDOW))
                        for at in range(0, len(chunk), _ID_WINDOW)]
            start += len(chunk)
        for start, window in windows:
            rows, codes, most = id_codes(window, "indicators", id_set)
            longest = max(longest, most)
            if start:
                rows = rows + start
            if (codes < 0).any():
                bad[rows[codes == UNKNOWN_ID]] = True
                kept = codes >= 0
                rows, codes = rows[kept], codes[kept]
            parts.append((rows, codes))
        if bad.any():
            ref.add("unknown indicator id", bad, "indicators")
    for name, c in lay.indicator_columns.items():
        present_here = flags(cols[name], name, ref)
        where_ = np.flatnonzero(present_here)
        parts.append((where_, np.full(where_.size, c, dtype=np.int32)))
    if longest + len(lay.indicator_columns) > MAX_INDICATORS_PER_CASE:
        # a row may hold too many: counted with repeats first (cheap); only rows over the
        # limit are counted exactly
        all_rows = np.concatenate([r for r, _c in parts])
        over = np.flatnonzero(np.bincount(all_rows, minlength=n) > MAX_INDICATORS_PER_CASE)
        if over.size:
            mine = np.zeros(n, dtype=bool)
            mine[over] = True
            distinct, _ = unique_pairs_of([(r[mine[r]], c[mine[r]]) for r, c in parts], width, n)
            ref.add(f"more than {MAX_INDICATORS_PER_CASE} indicators",
                    np.bincount(distinct, minlength=n) > MAX_INDICATORS_PER_CASE, "indicators")

    # Ages, given or derived from dates, are held to the case model's bounds with its words
    # (rhrt.model.case: MAX_AGE_MONTHS, AGE_OUT_OF_RANGE, the assessment date window).
    given: list[tuple[str, Any]] = []
    age = None  # not recorded (NaN) until an age column is read
    for name, scale in (("age_years", 12.0), ("age_months", 1.0)):
        column = col(name)
        if column is None:
            continue
        values = numbers(column, name, ref)
        scaled = values * scale
        ref.add(AGE_OUT_OF_RANGE, ~_age_in_range(scaled), name)
        given.append((name, ~np.isnan(values)))
        # the first age column read is the age as it stands (NaN where not recorded)
        age = scaled if age is None else np.where(np.isnan(values), age, scaled)
    if age is None:
        age = np.full(n, np.nan)
    dob_col, when_col = col("date_of_birth"), col("assessment_date")
    when = dates(when_col, "assessment_date", ref) if when_col is not None else None
    if when is not None:
        early, late = (np.datetime64(d, "D") for d in (EARLIEST_ASSESSMENT_DATE,
                                                        LATEST_ASSESSMENT_DATE))
        ref.add(ASSESSMENT_DATE_OUT_OF_RANGE, ~np.isnat(when) & ((when < early) | (when > late)),
                "assessment_date")
    if dob_col is not None:
        dob = dates(dob_col, "date_of_birth", ref)
        has_dob = ~np.isnat(dob)
        when_ok = np.zeros(n, dtype=bool) if when is None else ~np.isnat(when)
        ref.add("date_of_birth needs assessment_date (rhrt never reads the clock)",
                has_dob & ~when_ok, "date_of_birth")
        if when is not None:
            both = has_dob & when_ok
            ref.add("date_of_birth is after assessment_date", both & (dob > when),
                    "date_of_birth")
            months = np.full(n, np.nan)
            if both.any():
                months[both] = _months_between(dob[both], when[both])
            ref.add(AGE_OUT_OF_RANGE, both & (dob <= when) & ~_age_in_range(months),
                    "date_of_birth")
            age = np.where(both, np.maximum(months, 0), age)
        given.append(("date_of_birth", has_dob))
    if len(given) > 1:
        count = np.sum([g for _, g in given], axis=0)
        ref.add("give only one of age_years, age_months, date_of_birth", count > 1,
                given[1][0])
    unborn_col = col("unborn")
    unborn = flags(unborn_col, "unborn", ref) if unborn_col is not None else np.zeros(n, bool)
    for name, has in given:
        ref.add("an unborn child has no age; give gestation_weeks instead", unborn & has, name)
    gest = col("gestation_weeks")
    if gest is not None:
        weeks = numbers(gest, "gestation_weeks", ref)
        ref.add(GESTATION_OUT_OF_RANGE, (weeks < 0) | (weeks > MAX_GESTATION_WEEKS),
                "gestation_weeks")
        ref.add("gestation_weeks needs unborn: true", ~np.isnan(weeks) & ~unborn,
                "gestation_weeks")

    context, stepped_down = context_arrays(col, n, when, ref)

    measures: dict[str, Any] = {}
    for name in lay.measure_columns:
        values = numbers(cols[name], name, ref)
        low, high, integer = vp.plan.measures[name]
        ref.add(f"measure out of range ({low:g} to {high:g})", (values < low) | (values > high),
                name)
        if integer:
            fraction = np.isfinite(values) & (values != np.floor(values))
            ref.add("measure must be a whole number", fraction, name)
        measures[name] = values

    recorded = col("recorded_decision")
    if recorded is not None:
        values = numbers(recorded, "recorded_decision", ref)
        bad = ~np.isnan(values) & ((values < LOWEST_LEVEL) | (values > TOP_LEVEL) |
                                   (values != np.floor(values)))
        ref.add(f"recorded_decision must be a level {LOWEST_LEVEL}-{TOP_LEVEL}", bad,
                "recorded_decision")
    consent = col("consent")
    if consent is not None:
        text = texts(consent)
        ok = pc.or_(pc.is_null(text), pc.is_in(text, value_set=pa.array(_CONSENT)))
        ref.add("consent must be given, refused or not_sought",
                ~np.asarray(pc.fill_null(ok, False).to_numpy(zero_copy_only=False), dtype=bool),
                "consent")
    for name, limit in _TEXT_LIMITS:
        column = col(name)
        if column is not None:
            # measured as the case model does, after trimming spaces (only where it matters)
            text = texts(column)
            # bytes first (a character is at least one byte): characters only where it matters
            long = _byte_lengths(text) > limit
            if long.any():
                long &= np.asarray(pc.fill_null(pc.utf8_length(text), 0).to_numpy()) > limit
            if long.any():
                trimmed = pc.utf8_length(pc.utf8_trim_whitespace(text))
                long &= np.asarray(pc.fill_null(trimmed, 0).to_numpy()) > limit
            ref.add(f"longer than {limit} characters", long, name)
    ref.raise_first()
    selected = {}
    for imp in vp.plan.implications:
        c = vp.column[imp.indicator]
        if c not in selected:
            chosen = np.zeros(n, dtype=bool)
            for rows, codes in parts:
                chosen[rows[codes == c]] = True
            selected[c] = chosen
    implied = (_implied_by_measures(vp, measures)
               + _implied_by_context(vp, context, stepped_down))
    # one pair per (row, indicator), sorted: counts need no de-duplication downstream
    hits = unique_pairs_of(parts + _implied_parts(vp, implied), width, n)
    # no dense rows × indicators matrix: evaluation and the outputs read the pairs; the matrix
    # is built from them only if a consumer reads ``Arrays.present`` (audit groupings, diff)
    return Arrays(dense=None, measures=measures, age_months=age, unborn=unborn, hits=hits,
                  selected=selected, context=context, stepped_down_months=stepped_down,
                  width=width, unique=True)


def _byte_lengths(text: pa.ChunkedArray) -> Any:
    """Each cell's length in bytes, read from the column's offsets without a copy of them
    (``pc.binary_length`` makes one); a null cell's is its span in the data, usually 0 (a
    bound for the checks that read it: they measure again where it is over a limit)."""
    parts = [np.zeros(0, dtype=np.int64)]
    for chunk in text.chunks:
        if not len(chunk):
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=width,
                                count=chunk.offset + len(chunk) + 1)[chunk.offset:]
        parts.append(np.diff(offsets))
    return np.concatenate(parts) if len(parts) != 2 else parts[1]


def _implied_by_context(
    vp: VectorPlan, context: dict[str, Any], months: Any
) -> list[tuple[Any, str]]:
    """The indicators a recorded context implies (``context.implies``), as (rows where it
    holds, indicator), as ``rhrt.rules.semantics.context_implied`` does for one case: only a
    state recorded as holding (and recent enough) implies its concern."""
    implied: list[tuple[Any, str]] = []
    for imp in vp.plan.context_implications:
        state = context.get(imp.state)
        if state is None:
            continue
        holds = state == 1.0
        if imp.within_months is not None:
            if months is None:
                continue
            with np.errstate(invalid="ignore"):
                holds = holds & (months <= imp.within_months)
        implied.append((holds, imp.indicator))
    return implied


def _implied_parts(vp: VectorPlan, implied: list[tuple[Any, str]]) -> list[tuple[Any, Any]]:
    """For each (rows-where-it-holds mask, indicator) in ``implied``, a (rows, columns) part:
    a pair for every row where it holds (a repeat is counted once downstream)."""
    parts = []
    for holds, indicator in implied:
        where_ = np.flatnonzero(holds)
        if where_.size:
            parts.append((where_, np.full(where_.size, vp.column[indicator], dtype=np.int32)))
    return parts


def _implied_by_measures(vp: VectorPlan, measures: dict[str, Any]) -> list[tuple[Any, str]]:
    """The indicators recorded measures imply (``measures[].implies``), as (rows where it
    holds, indicator), as ``rhrt.rules.semantics.implied_indicators`` does for one case: the
    same operators, and a measure not recorded (NaN) implies nothing."""
    implied: list[tuple[Any, str]] = []
    for imp in vp.plan.implications:
        values = measures.get(imp.measure)
        if values is None:
            continue
        with np.errstate(invalid="ignore"):
            holds = MEASURE_OPERATORS[imp.op](values, imp.value) & ~np.isnan(values)
        implied.append((holds, imp.indicator))
    return implied


def empty_arrays(vp: VectorPlan) -> Arrays:
    """The arrays of a table with no rows."""
    return Arrays(
        dense=np.zeros((len(vp.indicator_ids), 0), dtype=bool),
        measures={},
        age_months=np.zeros(0),
        unborn=np.zeros(0, dtype=bool),
        hits=(np.zeros(0, np.intp), np.zeros(0, np.intp)),
    )


# -- results → arrow -------------------------------------------------------------------------


def list_column(rows: Any, idx: Any, n: int, labels: tuple[str, ...]) -> pa.Array:
    """A list<string> column of ``n`` rows from (row, label index) pairs sorted by row, without
    a row loop (``labels[idx]`` in each row's list)."""
    counts = np.bincount(rows, minlength=n) if rows.size else np.zeros(n, np.int64)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    values = pc.take(pa.array(labels, pa.string()), pa.array(idx.astype(np.int32)))
    return pa.ListArray.from_arrays(pa.array(offsets), values)


@dataclass(frozen=True)
class Texts:
    """A text column as codes into its few words (``words[codes]``), made text once the
    chunks are joined (:func:`joined_table`)."""

    codes: Any
    words: tuple[str, ...]


@dataclass(frozen=True)
class Lists:
    """A list<string> column of ``n`` rows as (row, label index) pairs sorted by row, made a
    column (:func:`list_column`) once the chunks are joined (:func:`joined_table`)."""

    rows: Any
    idx: Any
    n: int
    labels: tuple[str, ...]


ResultParts = dict[str, pa.Array | Texts | Lists]
"""One chunk's result columns, name → column; text and list columns not yet Arrow arrays."""


def result_table(
    vp: VectorPlan,
    arrays: Arrays,
    result: VectorResult,
    *,
    fast: bool = False,
    recorded: RecordedRows | None = None,
) -> pa.Table:
    """The result columns: status, level, known level, urgent, then pathways (ordered lists, or
    one boolean column per pathway in fast mode), the first step and the determining indicators
    (not in fast mode) and, last, the unread measures (ids, in both modes). ``recorded`` is
    computed when not given."""
    return joined_table([result_parts(vp, arrays, result, fast=fast, recorded=recorded)])


def result_parts(
    vp: VectorPlan,
    arrays: Arrays,
    result: VectorResult,
    *,
    fast: bool = False,
    recorded: RecordedRows | None = None,
) -> ResultParts:
    """:func:`result_table`'s columns, the text and list columns as codes and pairs (made
    Arrow arrays by :func:`joined_table`)."""
    if recorded is None:
        recorded = recorded_rows(vp, arrays)
    u_rows, u_idx, u_names = recorded.pairs()
    unread = Lists(u_rows, u_idx, arrays.n, u_names)
    columns: ResultParts = {
        "status": Texts(result.provisional.astype(np.int8), STATUS_WORDS),
        "level": pa.array(result.level.astype(np.int8)),
        "known_level": pa.array(result.known_level.astype(np.int8)),
        "urgent": _bools(result.urgent),
    }
    if fast:
        recommended = result.pathway_rank < vp.no_rank
        for p, pid in enumerate(vp.pathway_ids):
            columns[PATHWAY_PREFIX + pid] = _bools(recommended[p])
        columns[CONSENT_COLUMN] = Texts(*consent_first(vp, arrays, result))
        columns[UNREAD_COLUMN] = unread
        return columns
    rows, idx = vp.ordered_pathways(result)
    columns["pathways"] = Lists(rows, idx, arrays.n, vp.pathway_ids)
    columns[FIRST_STEP_COLUMN] = first_steps(vp, result)
    d_rows, d_cols = vp.determining(arrays, result)
    columns["determining_indicators"] = Lists(d_rows, d_cols, arrays.n, vp.indicator_ids)
    columns[CONSENT_COLUMN] = Texts(*consent_first(vp, arrays, result))
    columns[UNREAD_COLUMN] = unread
    return columns


def joined_table(parts: list[ResultParts]) -> pa.Table:
    """The result table of consecutive chunks' :func:`result_parts` (at least one, all of one
    plan and mode), each column made once over all their rows: the text and list columns from
    the joined codes and pairs, so no chunk's text is copied again to join the chunks (joining
    the chunks' tables took ≈ 4-6 ms more per 1M rows of the bundled ruleset, fast mode)."""
    columns: dict[str, pa.Array] = {}
    for name, first in parts[0].items():
        pieces = [part[name] for part in parts]
        if isinstance(first, Texts):
            codes = []
            for piece in pieces:
                assert isinstance(piece, Texts)
                codes.append(piece.codes)
            columns[name] = pc.take(pa.array(first.words, pa.string()),
                                    pa.array(np.concatenate(codes)))
        elif isinstance(first, Lists):
            rows, idx, start = [], [], 0
            for piece in pieces:
                assert isinstance(piece, Lists)
                rows.append(piece.rows + start if start else piece.rows)
                idx.append(piece.idx)
                start += piece.n
            columns[name] = list_column(np.concatenate(rows), np.concatenate(idx), start,
                                        first.labels)
        else:
            columns[name] = pa.concat_arrays(pieces) if len(pieces) > 1 else first
    return pa.table(columns)


def _bools(values: Any) -> pa.Array:
    """A boolean column without nulls from a numpy bool array (packed by numpy: ``pa.array``
    takes ≈ 10× as long)."""
    bits = np.packbits(values, bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])


# -- rows → case dicts ------------------------------------------------------------------------


def iter_rows(table: pa.Table, vp: VectorPlan | None, ignore: Iterable[str] = ()) -> Iterator[
    dict[str, Any]
]:
    """Each row as the case mapping ``Ruleset.assess`` takes (a Python loop: for inspection).

    Columns are checked and cells read by the same rules as :func:`arrays_of` (one cell at a
    time, by the cell readers of ``rhrt.batch._columns``); the case model then checks the rest.

    Raises:
        CaseError: a column's type does not fit its field, or a cell cannot be read (names the
            row and column).
    """
    lay = layout(table.column_names, vp, ignore)
    if not lay.kinds:
        yield from ({"indicators": []} for _ in range(table.num_rows))
        return
    prepared = pa.table(
        {name: prepare(table.column(name), name, kind) for name, kind in lay.kinds.items()}
    )
    row0 = 0
    for batch in prepared.to_batches(max_chunksize=4096):
        cells = {name: _cells(batch.column(name)) for name in batch.schema.names}
        for i in range(batch.num_rows):
            row = {name: values[i] for name, values in cells.items()}
            yield _case_of(row, lay, row0 + i)
        row0 += batch.num_rows


_UNREADABLE = object()


def _cells(array: pa.Array) -> list[Any]:
    """A column's cells as Python values; a cell Python cannot hold (a date past year 9999)
    becomes a marker the cell readers refuse."""
    # KeyError: an unknown time zone, raised by pytz (pytz.UnknownTimeZoneError, when pandas < 3
    # has installed it) or zoneinfo (ZoneInfoNotFoundError), depending on the pyarrow release
    try:
        return list(array.to_pylist())
    except (ValueError, OverflowError, KeyError):
        out: list[Any] = []
        for i in range(len(array)):
            try:
                out.append(array[i].as_py())
            except (ValueError, OverflowError, KeyError):
                out.append(_UNREADABLE)
        return out


def _case_of(row: dict[str, Any], lay: Layout, index: int) -> dict[str, Any]:
    """One row's cells as a case mapping, each case column put where the case model's column
    spec (:data:`CASE_COLUMN_SPEC`) says; ``ind:<id>`` columns and measures as the layout says.
    Nested parts (``child``) follow the top-level fields, as ``Case`` lists them."""
    case: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    indicators: list[str] = []
    measures: dict[str, float] = {}
    for name, value in row.items():
        if value is None:
            continue
        kind = lay.kinds[name]
        reader = CELL_READERS.get(kind)
        if reader is not None:
            try:
                if value is _UNREADABLE:
                    raise CellError(NOT_A_DATE if kind == DATE else NOT_A_NUMBER)
                value = reader(value)
            except CellError as exc:
                raise CaseError(str(exc), path=where(index, name)) from None
            if value is None:
                continue
        spec = CASE_COLUMN_SPEC.get(name)
        if spec is None:
            if name in lay.indicator_columns:
                if value:
                    indicators.append(name[len(INDICATOR_PREFIX) :])
            else:
                measures[name] = int(value) if value.is_integer() else value
            continue
        if spec.kind == IDS:
            items = value.split(";") if isinstance(value, str) else value
            indicators.extend(s.strip() for s in items if s is not None and str(s).strip())
            continue
        if spec.kind == FLAG:
            if not value:
                continue  # false is every flag's default
            value = True
        elif spec.kind == YESNO:
            value = bool(value)  # false is recorded, not a default
        elif spec.kind in (REFERENCE, CATEGORY):
            value = str(value)
        elif spec.whole:
            value = int(value) if value.is_integer() else value
        *parents, key = spec.path
        target = case
        for part in parents:
            target = nested.setdefault(part, {})
        target[key] = value
    for part, values in nested.items():
        case[part] = values
    case["indicators"] = list(dict.fromkeys(indicators))
    if measures:
        case["measures"] = measures
    return case

# SPDX-License-Identifier: MIT
"""Table columns read by the meaning of their field, never by their physical type alone.

Why: a table's physical types say how values are stored, not what they mean. A Parquet
``date_of_birth`` stored as int32 ``20110502`` is a date written as a number, not 20,110,502
days since 1970; a ``case_ref`` stored as a list or as bytes is not a reference. So every column
is first checked against its field's *kind* (:data:`ACCEPTED`): a physical type is accepted only
where its meaning is unambiguous, and anything else is refused with a :class:`CaseError` naming
the column and the expected kind (never a value).

Then each kind has one reading, in two forms that must agree (property-tested):

- vectorised readers (:func:`numbers`, :func:`flags`, :func:`dates`, :func:`texts`,
  :func:`id_codes`) for the batch engine, which report bad cells to a :class:`Refusals`;
- cell readers (:func:`number_cell`, :func:`flag_cell`, :func:`date_cell`) for
  ``iter_cases``, which turns rows into the mappings ``Ruleset.assess`` takes.

The reading rules (also in ``docs/analysts.md``):

- numbers: integer, floating-point or decimal columns; text is read when it is a plain decimal
  number (``12``, ``-1.5``, ``2e3``; spaces around it allowed); empty text is not recorded.
- true/false: boolean columns; numbers 0 and 1; text true/t/yes/y/1 and false/f/no/n/0 (any
  case); empty is false.
- dates: date columns; timestamps at midnight (local midnight for a timestamp with a time zone);
  text ``YYYY-MM-DD``. Numbers are refused (``20110502`` is not a day count).
- references: text, or whole numbers (written in decimal).
- categories (``consent``, ``referral_source``): text.
- indicator lists: lists of text, or text with ids separated by ``;``.

Dictionary-encoded (categorical) columns are read as their values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Container
from decimal import Decimal
from typing import Any, Concatenate, ParamSpec, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rhrt.errors import CaseError, shown_id
from rhrt.model.case import CATEGORY as CATEGORY  # the kinds of column: named in the model
from rhrt.model.case import DATE as DATE
from rhrt.model.case import FLAG as FLAG
from rhrt.model.case import IDS as IDS
from rhrt.model.case import NUMBER as NUMBER
from rhrt.model.case import REFERENCE as REFERENCE
from rhrt.model.case import YESNO as YESNO
from rhrt.rules.scalars import INEXACT_NUMBER, InexactNumber, exact_float

EXPECTED: dict[str, str] = {
    NUMBER: "numbers",
    FLAG: "true/false values",
    YESNO: "true/false values (empty: not recorded)",
    DATE: "dates (YYYY-MM-DD)",
    REFERENCE: "text or whole numbers",
    CATEGORY: "text",
    IDS: "indicator ids (a list of text, or text with ids separated by ';')",
}
"""What a column of each kind must hold, in the words an error uses."""

_INTEGER, _FLOAT, _DECIMAL, _BOOL, _TEXT, _DATE, _TIMESTAMP, _NULL, _LIST = (
    "whole numbers",
    "floating-point numbers",
    "fixed-point decimals",
    "true/false values",
    "text",
    "dates",
    "timestamps",
    "empty cells",
    "lists",
)
ACCEPTED: dict[str, frozenset[str]] = {
    NUMBER: frozenset({_INTEGER, _FLOAT, _DECIMAL, _TEXT, _NULL}),
    FLAG: frozenset({_BOOL, _INTEGER, _FLOAT, _TEXT, _NULL}),
    YESNO: frozenset({_BOOL, _INTEGER, _FLOAT, _TEXT, _NULL}),
    DATE: frozenset({_DATE, _TIMESTAMP, _TEXT, _NULL}),
    REFERENCE: frozenset({_TEXT, _INTEGER, _NULL}),
    CATEGORY: frozenset({_TEXT, _NULL}),
    IDS: frozenset({_LIST, _TEXT, _NULL}),
}
"""The physical type families each kind accepts (a list must hold text; see :func:`family`)."""


class Refusals:
    """The first refused row of a table, over every check (the lowest row wins; at the same row,
    the check made first). Checks add boolean masks; :meth:`raise_first` raises for the winner.

    Why not raise at the first failing check: checks run column by column, so the first *check*
    to fail is not always the first *row* to fail. Reporting the lowest row makes batch refuse
    exactly the row ``assess`` would refuse first when given the rows one by one.
    """

    def __init__(self, offset: int = 0, known: Container[str] = ()) -> None:
        self.offset = offset
        self.known = known
        """Column names an error may show whatever their shape (checked against the ruleset)."""
        self.first: tuple[int, str, str] | None = None

    def add(self, message: str, bad: Any, column: str) -> None:
        if not bad.any():
            return
        row = int(np.flatnonzero(bad)[0])
        if self.first is None or row < self.first[0]:
            self.first = (row, message, column)

    def raise_first(self) -> None:
        if self.first is not None:
            row, message, column = self.first
            error = CaseError(message, path=where(row + self.offset, column, self.known))
            error.row, error.column = row + self.offset, column
            raise error


def where(row: int, column: str, known: Container[str] = ()) -> str:
    """The path of a cell in an error: ``rows[<row>].<column>`` (0-based data rows; the column
    as :func:`shown` shows it)."""
    return f"rows[{row}].{shown(column, known)}"


def shown(name: object, known: Container[str] = ()) -> str:
    """A column name as an error may show it, by rhrt's one rule (:func:`rhrt.errors.shown_id`):
    a known column (``known``) or a short name shaped like an id (every case field is one) is
    shown; any other name (a sentence, a header cell that is really a case's value) is not."""
    return shown_id(str(name), known)


# -- physical types ----------------------------------------------------------------------------


def family(typ: pa.DataType) -> str:
    """The family of a physical type, in words (never a value; struct field names not shown)."""
    t = pa.types
    if t.is_dictionary(typ):
        return family(typ.value_type)
    if t.is_null(typ):
        return _NULL
    if t.is_boolean(typ):
        return _BOOL
    if t.is_integer(typ):
        return _INTEGER
    if t.is_floating(typ):
        return _FLOAT
    if t.is_decimal(typ):
        return _DECIMAL
    if t.is_string(typ) or t.is_large_string(typ) or t.is_string_view(typ):
        return _TEXT
    if t.is_date(typ):
        return _DATE
    if t.is_timestamp(typ):
        return _TIMESTAMP
    if t.is_list(typ) or t.is_large_list(typ) or t.is_fixed_size_list(typ):
        return _LIST
    if t.is_binary(typ) or t.is_large_binary(typ) or t.is_fixed_size_binary(typ) or (
        t.is_binary_view(typ)
    ):
        return "bytes"
    if t.is_struct(typ):
        return "records (structs)"
    if t.is_map(typ):
        return "maps"
    if t.is_time(typ):
        return "times of day"
    if t.is_duration(typ) or t.is_interval(typ):
        return "durations"
    return "values of another type"


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _guarded(
    reader: Callable[Concatenate[pa.ChunkedArray, str, _P], _R],
) -> Callable[Concatenate[pa.ChunkedArray, str, _P], _R]:
    """Any error of pyarrow or numpy while reading a column becomes a CaseError naming the
    column. It is raised outside the handler: the library's message (which may quote a cell)
    is not kept, not even as ``__context__``."""

    def read(col: pa.ChunkedArray, name: str, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return reader(col, name, *args, **kwargs)
        except CaseError:
            raise
        except (pa.ArrowException, ValueError, TypeError, OverflowError):
            pass
        raise CaseError("column cannot be read (its values do not fit its type)",
                        path=shown(name))

    read.__name__, read.__doc__ = reader.__name__, reader.__doc__
    return read


@_guarded
def prepare(col: pa.ChunkedArray, name: str, kind: str) -> pa.ChunkedArray:
    """Check a column's physical type against its field's kind and return it decoded
    (dictionary columns as their values, string views as strings).

    Raises:
        CaseError: the column's type does not hold values of this kind (names the column and the
            expected kind).
    """
    typ = col.type
    found = family(typ)
    if found not in ACCEPTED[kind]:
        raise _wrong_type(name, kind, found)
    if kind == IDS and found == _LIST:
        item = typ.value_type
        if family(item) not in (_TEXT, _NULL):
            raise _wrong_type(name, kind, f"lists of {family(item)}")
    if pa.types.is_dictionary(typ):
        col = pc.cast(col, typ.value_type)
    if pa.types.is_string_view(col.type):
        col = pc.cast(col, pa.large_string())
    return col


def _wrong_type(name: str, kind: str, found: str) -> CaseError:
    return CaseError(f"column must hold {EXPECTED[kind]}, not {found}", path=shown(name))


# -- vectorised readers ------------------------------------------------------------------------

_NUMBER_TEXT = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_NUMBER_RE = re.compile(_NUMBER_TEXT)
_DATE_TEXT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0", "")
NOT_A_NUMBER = "value must be a number"
NOT_EXACT = f"value {INEXACT_NUMBER}"
NOT_A_FLAG = "value must be true or false (1 or 0)"
NOT_A_DATE = "value must be a date written YYYY-MM-DD"
NOT_A_DAY = "value must be a date (a timestamp must be at midnight)"


def _numpy_bool(array: Any) -> Any:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _float64(col: pa.ChunkedArray | pa.Array) -> Any:
    """A float64 column as a new numpy array, NaN where null: what ``to_numpy`` gives, read
    from the buffers of an array or a one-chunk column (≈ 1.5× faster: a copy, or one
    ``where`` over the validity bits)."""
    if isinstance(col, pa.ChunkedArray):
        if col.num_chunks != 1:
            return np.array(col.to_numpy(), dtype=np.float64)
        col = col.chunk(0)
    array = col
    n, start = len(array), array.offset
    validity, data = array.buffers()[:2]
    if not n or data is None:
        return np.array(array.to_numpy(zero_copy_only=False), dtype=np.float64)
    values = np.frombuffer(data, dtype=np.float64, count=start + n)[start:]
    if not array.null_count:
        return values.copy()
    valid = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), count=start + n,
                          bitorder="little")[start:].view(bool)
    return np.where(valid, values, np.nan)


def _blank_to_null(col: pa.ChunkedArray) -> pa.ChunkedArray:
    text = pc.utf8_trim_whitespace(col)
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)


@_guarded
def numbers(col: pa.ChunkedArray, name: str, refusals: Refusals) -> Any:
    """A prepared number column as float64, NaN where not recorded."""
    typ = col.type
    if pa.types.is_null(typ):
        return np.full(len(col), np.nan)
    if pa.types.is_integer(typ) or pa.types.is_floating(typ):
        # A 64-bit whole number beyond 2**53 is out of every range anyway: no exact cast needed.
        return _float64(pc.cast(col, pa.float64(), safe=False))
    if pa.types.is_decimal(typ):
        read = _float64(pc.cast(col, pa.float64(), safe=False))
        # a decimal column holds exact decimals: one a float does not keep is refused, as its
        # text would be (e.g. 12.99999999999999999 would be read as 13)
        exact = [d is None or not d.is_finite() or Decimal(repr(float(d))) == d
                 for d in col.to_pylist()]
        refusals.add(NOT_EXACT, ~np.asarray(exact, dtype=bool), name)
        return read
    text = _blank_to_null(col)
    valid = np.asarray(pc.is_valid(text).to_numpy(zero_copy_only=False), dtype=bool)
    try:
        values = np.asarray(pc.cast(text, pa.float64()).to_numpy(), dtype=np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values = None
    if values is not None:
        # Arrow also reads "nan" and "inf"; those are not numbers a person records.
        refusals.add(NOT_A_NUMBER, valid & ~np.isfinite(values), name)
        _refuse_inexact(text, values, name, refusals)
        return values
    plain = pc.match_substring_regex(text, _NUMBER_TEXT)
    refusals.add(NOT_A_NUMBER, valid & ~_numpy_bool(plain), name)
    kept = pc.if_else(pc.fill_null(plain, False), text, pa.scalar(None, text.type))
    values = np.asarray(pc.cast(kept, pa.float64()).to_numpy(), dtype=np.float64)
    refusals.add(NOT_A_NUMBER, valid & _numpy_bool(plain) & ~np.isfinite(values), name)
    _refuse_inexact(text, values, name, refusals)
    return values


_EXACT_DIGITS = 15
"""Decimal text of at most this many characters and no exponent is always held exactly enough
(a float keeps 15 significant digits), so only longer text is checked one cell at a time."""


def _refuse_inexact(text: Any, values: Any, name: str, refusals: Refusals) -> None:
    """Refuse number text whose value a float does not keep (``_scalars.exact_float``)."""
    long = pc.or_(
        pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(text)), _EXACT_DIGITS),
        pc.match_substring_regex(text, "[eE]"),
    )
    suspect = np.flatnonzero(_numpy_bool(long) & np.isfinite(values))
    if not len(suspect):
        return
    cells = pc.take(text, pa.array(suspect)).to_pylist()
    bad = np.zeros(len(values), dtype=bool)
    for row, cell in zip(suspect, cells, strict=True):
        try:
            exact_float(cell.strip())
        except InexactNumber:
            bad[row] = True
        except ValueError:
            pass  # a form Python does not read: the number checks above decide
    refusals.add(NOT_EXACT, bad, name)


@_guarded
def flags(col: pa.ChunkedArray, name: str, refusals: Refusals) -> Any:
    """A prepared true/false column as bool; empty cells are false."""
    typ = col.type
    if pa.types.is_null(typ):
        return np.zeros(len(col), dtype=bool)
    if pa.types.is_boolean(typ):
        return _numpy_bool(col)
    if pa.types.is_integer(typ) or pa.types.is_floating(typ):
        values = numbers(col, name, refusals)
        refusals.add(NOT_A_FLAG, ~np.isnan(values) & (values != 0) & (values != 1), name)
        return values == 1
    text = pc.utf8_lower(pc.utf8_trim_whitespace(pc.fill_null(col, "")))
    true = _numpy_bool(pc.is_in(text, value_set=pa.array(_TRUE, text.type)))
    false = _numpy_bool(pc.is_in(text, value_set=pa.array(_FALSE, text.type)))
    refusals.add(NOT_A_FLAG, ~(true | false), name)
    return true


def yes_no(col: pa.ChunkedArray, name: str, refusals: Refusals) -> Any:
    """A prepared true/false column where an empty cell is *not recorded*: float64, 1.0 true,
    0.0 false, NaN not recorded (``rhrt.model.case.YESNO``)."""
    truth = flags(col, name, refusals)
    typ = col.type
    if pa.types.is_null(typ):
        return np.full(len(col), np.nan)
    if pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_boolean(typ):
        recorded = np.asarray(pc.is_valid(col).to_numpy(zero_copy_only=False), dtype=bool)
        if not pa.types.is_boolean(typ):
            with np.errstate(invalid="ignore"):
                recorded &= ~np.isnan(np.asarray(
                    pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False), dtype=float
                ))
    else:
        text = pc.utf8_trim_whitespace(pc.fill_null(col, ""))
        recorded = _numpy_bool(pc.not_equal(text, ""))
    return np.where(recorded, truth.astype(np.float64), np.nan)


@_guarded
def dates(col: pa.ChunkedArray, name: str, refusals: Refusals) -> Any:
    """A prepared date column as datetime64[D], NaT where not recorded."""
    typ = col.type
    if pa.types.is_null(typ):
        return np.full(len(col), np.datetime64("NaT"), dtype="datetime64[D]")
    if pa.types.is_date(typ):
        return np.asarray(pc.cast(col, pa.date32()).to_numpy(zero_copy_only=False),
                          dtype="datetime64[D]")
    if pa.types.is_timestamp(typ):
        if typ.tz is not None:
            col = pc.local_timestamp(col)
        stamps = np.asarray(col.to_numpy(zero_copy_only=False), dtype=f"datetime64[{typ.unit}]")
        days = stamps.astype("datetime64[D]")
        refusals.add(NOT_A_DAY, ~np.isnat(stamps) & (stamps != days), name)
        return days
    text = _blank_to_null(col)
    valid = np.asarray(pc.is_valid(text).to_numpy(zero_copy_only=False), dtype=bool)
    shaped = pc.match_substring_regex(text, _DATE_TEXT)
    parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
    # strptime is lenient (2011-02-30 becomes 2 March): the date must print back as written.
    same = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), pc.cast(text, pa.string()))
    ok = _numpy_bool(pc.and_(shaped, same)) & _numpy_bool(
        pc.invert(pc.starts_with(text, "0000"))
    )
    refusals.add(NOT_A_DATE, valid & ~ok, name)
    days = np.asarray(pc.cast(parsed, pa.date32()).to_numpy(zero_copy_only=False),
                      dtype="datetime64[D]")
    return np.where(ok, days, np.datetime64("NaT"))


def texts(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """A prepared text, reference or category column as strings (whole numbers in decimal)."""
    if pa.types.is_dictionary(col.type):
        col = pc.cast(col, col.type.value_type)
    return pc.cast(col, pa.string())


BLANK_ID = -2
"""The code :func:`id_codes` gives a blank or empty id (the caller drops it)."""
UNKNOWN_ID = -1
"""The code :func:`id_codes` gives an id not among the known ones."""


@_guarded
def id_codes(
    col: pa.ChunkedArray | pa.Array, name: str, ids: pa.Array
) -> tuple[Any, Any, int]:
    """(row of each id, its index in ``ids``) of a prepared indicator column (lists of ids, or
    text with ids separated by ``;``): each id looked up after trimming spaces,
    :data:`UNKNOWN_ID` when not among ``ids`` and :data:`BLANK_ID` when blank (the caller
    drops those), and the most ids one row's list holds (blanks and repeats included; a
    bound of the distinct ids of a row).

    Why not trim every id, drop the blanks, then look them up: that copies the ids' text, and
    almost every id is written exactly; so the ids are looked up as written, and only the few
    that miss are trimmed and looked up again. A dictionary-encoded column (as Parquet gives
    one with ``read_dictionary``) is looked up once per distinct id, not once per row.
    ``ids`` must be distinct, trimmed and non-empty (a ruleset's indicator ids are)."""
    if pa.types.is_null(col.type):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), 0
    if family(col.type) == _TEXT:
        col = pc.split_pattern(pc.cast(col, pa.string()), ";")
    if isinstance(col, pa.ChunkedArray):
        array = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
    else:
        array = col
    longest = pc.max(pc.list_value_length(array)).as_py() or 0
    parents = _parents(array)
    values = pc.list_flatten(array)
    if array.null_count:
        # A null list (not recorded) may still span values (Arrow allows it, e.g. a list array
        # built with a mask): list_parent_indices names a parent for them, list_flatten drops
        # them. Keep only the parents of valid lists, so each id stays with its own row.
        parents = parents[_numpy_bool(pc.is_valid(array))[parents]]
    if isinstance(values, pa.ChunkedArray):  # pragma: no cover - combined above
        values = values.combine_chunks()
    if pa.types.is_dictionary(values.type):
        # one code per distinct id, and a last one for an empty cell (a null index)
        table = np.append(_lookup(values.dictionary, ids), np.int32(BLANK_ID))
        empty = len(values.dictionary)
        codes = table[np.asarray(pc.fill_null(values.indices, empty).to_numpy(), dtype=np.int64)]
        return parents, codes, longest
    return parents, _lookup(values, ids), longest


def _parents(array: pa.Array) -> Any:
    """The row of each value of a list array, as ``pc.list_parent_indices`` gives it (int64;
    the caller does not write to it). From the offsets, a row's values start where the count
    of later rows' starts at or before them rises: a count and a running sum (≈ 3× faster
    than Arrow's kernel or ``np.repeat``); fixed-size lists (no offsets) go to Arrow."""
    if pa.types.is_fixed_size_list(array.type):
        return np.asarray(pc.list_parent_indices(array).to_numpy(), dtype=np.int64)
    offsets = np.asarray(array.offsets.to_numpy(), dtype=np.int64)
    starts = offsets[:-1] - offsets[0]
    total = int(offsets[-1] - offsets[0])
    return np.cumsum(np.bincount(starts[1:], minlength=total + 1)[:total])


def _lookup(values: pa.Array, ids: pa.Array) -> Any:
    """Each value's index in ``ids`` (int32; :data:`UNKNOWN_ID`, :data:`BLANK_ID`), trimmed
    only where the value as written misses."""
    if not pa.types.is_string(values.type):
        values = pc.cast(values, pa.string())
    found = pc.index_in(values, value_set=ids)
    if found.null_count:
        found = pc.fill_null(found, UNKNOWN_ID)
    codes = np.array(found.to_numpy(), dtype=np.int32)  # a copy: misses are written below
    miss = np.flatnonzero(codes == UNKNOWN_ID)
    if miss.size:
        trimmed = pc.utf8_trim_whitespace(pc.take(values, pa.array(miss)))
        again = np.array(
            pc.fill_null(pc.index_in(trimmed, value_set=ids), UNKNOWN_ID).to_numpy(),
            dtype=np.int32,
        )
        blank = ~_numpy_bool(pc.and_(pc.is_valid(trimmed), pc.not_equal(trimmed, "")))
        again[blank] = BLANK_ID
        codes[miss] = again
    return codes


# -- cell readers (one value of a prepared column, as ``to_pylist`` gives it) ------------------


class CellError(ValueError):
    """A cell that cannot be read; the caller adds the row and column."""


def number_cell(value: Any) -> float | None:
    """One number cell: the float it means, None when not recorded."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not _NUMBER_RE.fullmatch(text):
            raise CellError(NOT_A_NUMBER)
        try:
            number = exact_float(text)
        except InexactNumber:
            raise CellError(NOT_EXACT) from None
        if number in (float("inf"), float("-inf")):
            raise CellError(NOT_A_NUMBER)
        return number
    number = float(value)
    if isinstance(value, Decimal) and value.is_finite() and Decimal(repr(number)) != value:
        raise CellError(NOT_EXACT)
    return None if number != number else number


def flag_cell(value: Any) -> bool:
    """One true/false cell (empty is false)."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise CellError(NOT_A_FLAG)
    number = float(value)
    if number != number:
        return False
    if number not in (0.0, 1.0):
        raise CellError(NOT_A_FLAG)
    return number == 1.0


def date_cell(value: Any) -> dt.date | None:
    """One date cell: a date, a timestamp at midnight, or text YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0) or int(getattr(value, "nanosecond", 0) or 0):
            raise CellError(NOT_A_DAY)
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    if not re.fullmatch(_DATE_TEXT, text):
        raise CellError(NOT_A_DATE)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CellError(NOT_A_DATE) from None


def yes_no_cell(value: Any) -> bool | None:
    """One true/false cell where empty is not recorded (None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value != value:
        return None
    return flag_cell(value)


CELL_READERS: dict[str, Callable[[Any], Any]] = {
    NUMBER: number_cell,
    FLAG: flag_cell,
    YESNO: yes_no_cell,
    DATE: date_cell,
}


def months_between(dob: Any, when: Any) -> Any:
    """``rhrt.model.case.months_between`` over arrays of datetime64[D] (property-tested to
    agree): whole months, negative when the date of birth is later."""
    def parts(d: Any) -> tuple[Any, Any, Any]:
        months = d.astype("datetime64[M]")
        year = months.astype("datetime64[Y]").astype(np.int64)
        month = months.astype(np.int64) - year * 12
        day = (d - months).astype(np.int64)
        return year, month, day

    y1, m1, d1 = parts(dob)
    y2, m2, d2 = parts(when)
    months = (y2 - y1) * 12 + (m2 - m1) - (d2 < d1)
    return months.astype(np.float64)

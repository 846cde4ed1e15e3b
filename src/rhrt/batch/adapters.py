# SPDX-License-Identifier: MIT
"""Table kinds in and out of the batch kernel: a small registry of adapters.

Why a registry: the kernel (:func:`rhrt.batch.assess_arrow`) works on Arrow only; every other
kind of table (pandas, polars, a stream of record batches) is converted to Arrow on the way in
and the results back to the caller's kind on the way out. Each kind is one :class:`Adapter`;
a new kind is one :func:`register` call, not another branch in every function that takes a
table. Adapters are tried in registration order; the first whose ``accepts`` is true is used.

Built in (checked by the type's module and name, so pandas and polars are imported only when
the table is one of theirs): pyarrow ``Table``, ``RecordBatch`` and ``RecordBatchReader``,
pandas ``DataFrame``, polars ``DataFrame`` and ``LazyFrame`` (collected once; results come back
lazy).

A converter's own error message may quote a cell (a child's data), so conversion failures are
re-raised as :class:`~rhrt.errors.CaseError` naming the column and row only, outside the
handler (not even kept as ``__context__``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from rhrt.batch._columns import where
from rhrt.errors import CaseError

__all__ = ["Adapter", "adapter_for", "adapters", "from_arrow", "register", "to_arrow"]


@dataclass(frozen=True)
class Adapter:
    """How one kind of table goes to Arrow and how results come back in that kind."""

    name: str
    """The kind in words (``"a pandas DataFrame"``), for the error naming the kinds taken."""
    accepts: Callable[[object], bool]
    to_arrow: Callable[[Any], pa.Table]
    """The table as Arrow (columns shared, not copied, where the library allows)."""
    from_arrow: Callable[[pa.Table, Any, pa.Table, bool], Any]
    """``(result, table, table_as_arrow, keep_input)`` → the result in the table's kind, after
    the table's columns when ``keep_input``."""


_REGISTRY: list[Adapter] = []


def register(adapter: Adapter, *, first: bool = False) -> None:
    """Add a table kind (tried after the built-in ones, or before them with ``first``)."""
    if first:
        _REGISTRY.insert(0, adapter)
    else:
        _REGISTRY.append(adapter)


def adapters() -> tuple[Adapter, ...]:
    """The registered adapters, in the order they are tried."""
    return tuple(_REGISTRY)


def adapter_for(table: object) -> Adapter:
    """The adapter for a table.

    Raises:
        CaseError: no adapter takes this kind of object (names its type, never its content).
    """
    for adapter in _REGISTRY:
        if adapter.accepts(table):
            return adapter
    names = [a.name for a in _REGISTRY]
    kinds = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)
    raise CaseError(f"a table must be {kinds} (got {type(table).__name__})")


def to_arrow(table: object) -> pa.Table:
    """Any supported table as a pyarrow Table (see :func:`adapter_for` for the error)."""
    return adapter_for(table).to_arrow(table)


def from_arrow(result: pa.Table, like: object, *, keep_input: bool,
               arrow: pa.Table | None = None) -> Any:
    """Results as a table of the same kind as ``like``, beside its columns when asked.
    ``arrow`` is ``like`` already converted (converted again when not given)."""
    adapter = adapter_for(like)
    return adapter.from_arrow(result, like, adapter.to_arrow(like) if arrow is None else arrow,
                              keep_input)


def _of(module: str, name: str) -> Callable[[object], bool]:
    def accepts(table: object) -> bool:
        kind = type(table)
        return kind.__module__.split(".")[0] == module and kind.__name__ == name

    return accepts


def _beside(result: pa.Table, arrow: pa.Table, keep_input: bool) -> pa.Table:
    out = arrow if keep_input else result
    if keep_input:
        for name in result.column_names:
            out = out.append_column(name, result.column(name))
    return out


# -- pyarrow -----------------------------------------------------------------------------------


def _batch_back(result: pa.Table, like: Any, arrow: pa.Table, keep_input: bool) -> Any:
    out = _beside(result, arrow, keep_input)
    return out.combine_chunks().to_batches()[0] if out.num_rows else out


def _reader_back(result: pa.Table, like: Any, arrow: pa.Table, keep_input: bool) -> Any:
    out = _beside(result, arrow, keep_input)
    return pa.RecordBatchReader.from_batches(out.schema, out.to_batches())


register(Adapter("a pyarrow Table", lambda t: isinstance(t, pa.Table), lambda t: t,
                 lambda r, like, a, keep: _beside(r, a, keep)))
register(Adapter("a pyarrow RecordBatch", lambda t: isinstance(t, pa.RecordBatch),
                 lambda t: pa.Table.from_batches([t]), _batch_back))
register(Adapter("a pyarrow RecordBatchReader", lambda t: isinstance(t, pa.RecordBatchReader),
                 lambda t: t.read_all(), _reader_back))


# -- pandas and polars ---------------------------------------------------------------------------


def _pandas_to_arrow(table: Any) -> pa.Table:
    names = [str(c) for c in table.columns]
    if len(set(names)) != len(names):
        raise CaseError("duplicate column names in the table")
    try:
        return pa.Table.from_pandas(table, preserve_index=False)
    except Exception:  # any converter error: its message may quote a cell
        pass
    # Raised outside the handler, so the converter's message (which may quote a cell) is not
    # even the error's __context__.
    raise _conversion_error(table, "pandas")


def _pandas_back(result: pa.Table, like: Any, arrow: pa.Table, keep_input: bool) -> Any:
    import pandas as pd

    frame = result.to_pandas()
    frame.index = like.index
    return pd.concat([like, frame], axis=1) if keep_input else frame


def _polars_to_arrow(table: Any) -> pa.Table:
    try:
        return table.to_arrow()
    except Exception:  # see _pandas_to_arrow
        pass
    raise _conversion_error(table, "polars")


def _polars_back(result: pa.Table, like: Any, arrow: pa.Table, keep_input: bool) -> Any:
    import polars as pl

    res = pl.from_arrow(result)
    assert isinstance(res, pl.DataFrame)
    return like.hstack(res.get_columns()) if keep_input else res


def _lazy_to_arrow(table: Any) -> pa.Table:
    return _polars_to_arrow(table.collect())


def _lazy_back(result: pa.Table, like: Any, arrow: pa.Table, keep_input: bool) -> Any:
    import polars as pl

    res = pl.from_arrow(_beside(result, arrow, keep_input))
    assert isinstance(res, pl.DataFrame)
    return res.lazy()


register(Adapter("a pandas DataFrame", _of("pandas", "DataFrame"), _pandas_to_arrow,
                 _pandas_back))
register(Adapter("a polars DataFrame", _of("polars", "DataFrame"), _polars_to_arrow,
                 _polars_back))
register(Adapter("a polars LazyFrame", _of("polars", "LazyFrame"), _lazy_to_arrow, _lazy_back))


def _conversion_error(table: Any, kind: str) -> CaseError:
    """The column and row a pandas or polars table cannot be converted at (never the value).

    A column that mixes kinds of value (``[10234, "some text"]``, ``[14, "15"]``) has no one
    Arrow type: the row named is the first whose kind differs from the column's first value.
    """
    message = "column mixes kinds of value (e.g. numbers and text): use one kind per column"
    for name in table.columns:
        series = table[name]
        try:
            if kind == "pandas":
                pa.Array.from_pandas(series)
            else:
                series.to_arrow()
        except Exception:  # see _pandas_to_arrow
            row = _first_odd_row(series.to_list())
            return CaseError(message, path=where(row, str(name)))
    return CaseError("the table cannot be converted to Arrow")


def _first_odd_row(values: list[Any]) -> int:
    kinds = [_value_kind(v) for v in values]
    present = [(i, k) for i, k in enumerate(kinds) if k != "missing"]
    if not present:
        return 0
    first = present[0][1]
    for i, k in present:
        if k != first:
            return i
    for i, value in enumerate(values):  # one kind throughout: the first value Arrow refuses
        try:
            pa.array([value])
        except Exception:  # see _pandas_to_arrow
            return i
    return present[0][0]


def _value_kind(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "missing"
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, float, np.number)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (bytes, bytearray)):
        return "bytes"
    if isinstance(value, (list, tuple, np.ndarray)):
        return "list"
    if value.__class__.__name__ in ("NaTType", "NAType"):
        return "missing"
    return type(value).__name__

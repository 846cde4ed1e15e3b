# SPDX-License-Identifier: MIT
"""Assess whole tables of cases at once: the analysts' engine.

>>> from rhrt.batch import assess_table, iter_cases      # doctest: +SKIP
>>> result = assess_table(frame, ruleset)                # pandas, polars or pyarrow in and out

Why a separate engine: audits and what-if analyses run a ruleset over hundreds of thousands
of contacts, which the one-case reference engine cannot do quickly. The ruleset's compiled plan
is turned once into numpy boolean vectors (``_vector.py``) and every rule is evaluated over all
rows at once; the result equals ``Ruleset.assess`` row by row (property-tested).

This package needs the ``analysis`` extra (numpy, pyarrow; pandas and polars for those table
kinds). ``import rhrt.batch`` itself stays light: the heavy modules load on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rhrt.errors import MissingExtraError

if TYPE_CHECKING:
    from rhrt.batch._columns import texts as texts
    from rhrt.batch._memory import allow_tuning as allow_tuning
    from rhrt.batch._memory import tune_allocator as tune_allocator
    from rhrt.batch._output import Writer as Writer
    from rhrt.batch._output import file_format as file_format
    from rhrt.batch._output import write_frames as write_frames
    from rhrt.batch._stream import Summary as Summary
    from rhrt.batch._stream import count_rows as count_rows
    from rhrt.batch._stream import read_chunks as read_chunks
    from rhrt.batch._table import floats as floats
    from rhrt.batch._table import list_column as list_column
    from rhrt.batch._vector import Arrays as Arrays
    from rhrt.batch._vector import VectorPlan as VectorPlan
    from rhrt.batch._vector import sorted_unique as sorted_unique
    from rhrt.batch._vector import vector_plan as vector_plan
    from rhrt.batch.adapters import from_arrow as from_arrow
    from rhrt.batch.adapters import to_arrow as to_arrow
    from rhrt.batch.kernel import Evaluated as Evaluated
    from rhrt.batch.kernel import assess_arrow as assess_arrow
    from rhrt.batch.kernel import evaluate_arrow as evaluate_arrow
    from rhrt.ruleset import Ruleset

LARGE_TABLE = 50_000
"""Tables this large tune the allocator first (see ``rhrt.batch._memory``)."""

_LAZY = {
    # the kernel and table adapters
    "Evaluated": "kernel",
    "assess_arrow": "kernel",
    "evaluate_arrow": "kernel",
    "to_arrow": "adapters",
    "from_arrow": "adapters",
    # the vector engine, for analyses that build engine arrays themselves (rhrt.synth)
    "Arrays": "_vector",
    "VectorPlan": "_vector",
    "vector_plan": "_vector",
    "sorted_unique": "_vector",
    "list_column": "_table",
    # reading single columns (audits) and files, writing tables, the allocator
    "floats": "_table",
    "texts": "_columns",
    "Summary": "_stream",
    "count_rows": "_stream",
    "file_format": "_output",
    "read_chunks": "_stream",
    "Writer": "_output",
    "write_frames": "_output",
    "tune_allocator": "_memory",
    "allow_tuning": "_memory",
}
"""Public names loaded on first use, so ``import rhrt.batch`` stays light (no numpy or pyarrow
until a table is assessed). Other packages import these from ``rhrt.batch``, never from its
private modules."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rhrt.batch' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"rhrt.batch.{module}"), name)


__all__ = [
    "LARGE_TABLE",
    "assess_file",
    "assess_table",
    "evaluate_table",
    "iter_cases",
    "require_analysis",
    *_LAZY,
]


def require_analysis(feature: str = "batch assessment") -> None:
    """Raise :class:`~rhrt.errors.MissingExtraError` unless numpy and pyarrow import."""
    try:
        import numpy  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        raise MissingExtraError(feature, "analysis") from None


def _ruleset(ruleset: Ruleset | None) -> Ruleset:
    if ruleset is None:
        from rhrt.ruleset import load_ruleset

        return load_ruleset()
    return ruleset


def _large(arrow: Any) -> None:
    if arrow.num_rows >= LARGE_TABLE:
        from rhrt.batch._memory import tune_allocator

        tune_allocator()


def evaluate_table(
    table: Any, ruleset: Ruleset | None = None, *, ignore_columns: Iterable[str] = ()
) -> Evaluated:
    """Check a table's cases and evaluate them all with the vector engine (any table kind of
    :mod:`rhrt.batch.adapters`; the kernel's :func:`~rhrt.batch.kernel.evaluate_arrow`)."""
    require_analysis()
    from rhrt.batch.adapters import to_arrow
    from rhrt.batch.kernel import evaluate_arrow

    rules = _ruleset(ruleset)
    arrow = to_arrow(table)
    _large(arrow)
    return evaluate_arrow(arrow, rules, ignore_columns=ignore_columns)


def assess_table(
    table: Any,
    ruleset: Ruleset | None = None,
    *,
    fast: bool = False,
    keep_input: bool = True,
    ignore_columns: Iterable[str] = (),
) -> Any:
    """Assess every row of a table; returns a table of the same kind.

    Args:
        table: a pandas DataFrame, a polars DataFrame or LazyFrame, or a pyarrow Table,
            RecordBatch or RecordBatchReader (:mod:`rhrt.batch.adapters`), one row per case,
            in the layout of ``docs/analysts.md`` (an ``indicators`` list or ';'-separated
            column and/or one ``ind:<id>`` boolean column per indicator, plus age and measure
            columns).
        ruleset: the ruleset to apply (default: the bundled Herefordshire ruleset).
        fast: only ``status``, ``level``, ``known_level``, ``urgent``, one boolean
            ``pathway:<id>`` column per pathway, ``consent_position`` and ``unread_measures``
            (the fastest form, for counts over large populations; no ``first_step``).
        keep_input: put the result columns after the input columns (default) rather than
            returning the result columns alone.
        ignore_columns: extra columns to allow and leave alone (otherwise an unknown column is
            an error, so a misspelt measure is never silently treated as not recorded).

    Returns:
        The result columns ``status``, ``level`` (1-4), ``known_level``, ``urgent``,
        ``pathways`` (ids in the order they were first recommended, as ``Decision.pathways``),
        ``first_step`` (the pathway id an urgent row acts on first, as ``Decision.first_step``;
        null when none), ``determining_indicators`` (ids in ruleset order, as
        ``Decision.explanation.indicators``), ``consent_position`` (as ``Decision.consent.id``)
        and ``unread_measures`` (the ids of the recorded measures that change nothing for the
        row, as the warnings of ``Decision.warnings`` say; also in fast mode; see
        ``rhrt.batch._recorded``).

    Raises:
        CaseError: a column's type does not fit its field (e.g. a date stored as a number), a
            pandas column mixes kinds of value, a column is unknown, no column is known, an
            input column has a result column's name (``keep_input``), or a row is not a valid
            case (the first such row is named). Messages name the column and row only, never
            a value; see ``docs/analysts.md``, "How columns are read".
    """
    require_analysis()
    from rhrt.batch._table import check_no_clash
    from rhrt.batch.adapters import adapter_for
    from rhrt.batch.kernel import assess_arrow

    rules = _ruleset(ruleset)
    adapter = adapter_for(table)
    arrow = adapter.to_arrow(table)
    _large(arrow)
    result = assess_arrow(arrow, rules, fast=fast, ignore_columns=ignore_columns)
    if keep_input:
        from rhrt.batch._vector import vector_plan

        check_no_clash(arrow.column_names, vector_plan(rules.plan), fast=fast)
    return adapter.from_arrow(result, table, arrow, keep_input)


def iter_cases(
    table: Any, ruleset: Ruleset | None = None, *, ignore_columns: Iterable[str] = ()
) -> Iterator[dict[str, Any]]:
    """Yield each row as the case mapping ``Ruleset.assess`` takes, to inspect any row alone.

    With a ruleset, columns are checked as :func:`assess_table` checks them; without one, any
    column that is not a case field or an ``ind:<id>`` column is taken to be a measure. Cells
    are read one by one by the same rules as :func:`assess_table` (dates as ``datetime.date``,
    numbers as floats, true/false as bools), so ``Ruleset.assess`` refuses exactly the rows
    :func:`assess_table` refuses (property-tested).

    Raises:
        CaseError: a column's type does not fit its field, or a cell cannot be read (names the
            row and column, never the value).
    """
    require_analysis()
    from rhrt.batch._table import iter_rows
    from rhrt.batch._vector import vector_plan
    from rhrt.batch.adapters import to_arrow

    vp = vector_plan(ruleset.plan) if ruleset is not None else None
    return iter_rows(to_arrow(table), vp, ignore_columns)


def assess_file(
    source: str | Path,
    out: str | Path,
    ruleset: Ruleset | None = None,
    *,
    fast: bool = False,
    keep_input: bool = False,
    chunk_rows: int = 100_000,
    progress: bool | None = None,
    ignore_columns: Iterable[str] = (),
) -> Summary:
    """Assess a CSV or Parquet file into another, chunk by chunk (memory stays flat).

    The format of each file follows its suffix (``.csv``, ``.csv.gz``, ``.parquet``). CSV
    output writes lists as ';'-separated strings. Returns a :class:`Summary` (counts and
    percentages per level and pathway, rows with unread measures or implied concerns).
    ``progress`` defaults to "when stderr is a terminal".
    """
    require_analysis()
    from rhrt.batch._stream import run_file

    return run_file(
        Path(source),
        Path(out),
        _ruleset(ruleset),
        fast=fast,
        keep_input=keep_input,
        chunk_rows=chunk_rows,
        progress=progress,
        ignore_columns=tuple(ignore_columns),
    )

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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rhrt.errors import MissingExtraError

if TYPE_CHECKING:
    from rhrt.batch._stream import Summary
    from rhrt.batch._vector import Arrays, VectorPlan, VectorResult
    from rhrt.ruleset import Ruleset

LARGE_TABLE = 50_000
"""Tables this large tune the allocator first (see ``rhrt.batch._memory``)."""

__all__ = [
    "Evaluated",
    "assess_file",
    "assess_table",
    "evaluate_table",
    "iter_cases",
    "require_analysis",
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


@dataclass(frozen=True)
class Evaluated:
    """A table evaluated by the vector engine, for analyses that need more than the result
    columns (audits and what-if comparisons look at which indicators and rules were involved).
    """

    table: Any
    """The input as a pyarrow Table."""
    plan: VectorPlan
    arrays: Arrays
    result: VectorResult

    def results(self, *, fast: bool = False) -> Any:
        """The result columns as a pyarrow Table (see :func:`assess_table`)."""
        from rhrt.batch._table import result_table

        return result_table(self.plan, self.arrays, self.result, fast=fast)


def evaluate_table(
    table: Any, ruleset: Ruleset | None = None, *, ignore_columns: Iterable[str] = ()
) -> Evaluated:
    """Check a table's cases and evaluate them all with the vector engine."""
    require_analysis()
    from rhrt.batch._table import arrays_of, to_arrow
    from rhrt.batch._vector import vector_plan

    rules = _ruleset(ruleset)
    arrow = to_arrow(table)
    if arrow.num_rows >= LARGE_TABLE:
        from rhrt.batch._memory import tune_allocator

        tune_allocator()
    vp = vector_plan(rules.plan)
    arrays = arrays_of(arrow, vp, ignore=ignore_columns)
    return Evaluated(arrow, vp, arrays, vp.evaluate(arrays))


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
        table: a pandas DataFrame, a polars DataFrame, or a pyarrow Table or RecordBatch, one
            row per case, in the layout of ``docs/analysts.md`` (an ``indicators`` list or
            ';'-separated column and/or one ``ind:<id>`` boolean column per indicator, plus
            age and measure columns).
        ruleset: the ruleset to apply (default: the bundled Herefordshire ruleset).
        fast: only ``level``, ``urgent``, one boolean ``pathway:<id>`` column per pathway and
            ``unread_measures`` (the fastest form, for large populations).
        keep_input: put the result columns after the input columns (default) rather than
            returning the result columns alone.
        ignore_columns: extra columns to allow and leave alone (otherwise an unknown column is
            an error, so a misspelt measure is never silently treated as not recorded).

    Returns:
        The result columns ``level`` (1-4), ``urgent``, ``pathways`` (ids in the order they
        were first recommended, as ``Decision.pathways``) and ``determining_indicators`` (ids
        in ruleset order, as ``Decision.explanation.indicators``) and ``unread_measures`` (the
        ids of the recorded measures that change nothing for the row, as the warnings of
        ``Decision.warnings`` say; also in fast mode; see ``rhrt.batch._recorded``).

    Raises:
        CaseError: a column's type does not fit its field (e.g. a date stored as a number), a
            pandas column mixes kinds of value, a column is unknown, no column is known, an
            input column has a result column's name (``keep_input``), or a row is not a valid
            case (the first such row is named). Messages name the column and row only, never
            a value; see ``docs/analysts.md``, "How columns are read".
    """
    from rhrt.batch._table import check_no_clash, from_arrow

    evaluated = evaluate_table(table, ruleset, ignore_columns=ignore_columns)
    if keep_input:
        check_no_clash(evaluated.table.column_names, evaluated.plan, fast=fast)
    return from_arrow(evaluated.results(fast=fast), table, keep_input=keep_input)


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
    from rhrt.batch._table import iter_rows, to_arrow
    from rhrt.batch._vector import vector_plan

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

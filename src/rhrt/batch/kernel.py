# SPDX-License-Identifier: MIT
"""The batch kernel: one Arrow chunk of cases in, its result columns out.

``layout → arrays → evaluate → results``: the columns are classified against the ruleset
(:func:`rhrt.batch._table.layout`), checked and read into engine arrays
(:func:`~rhrt.batch._table.arrays_of`, refusing the lowest bad row by row and column, never by
value), evaluated by the vector engine (:mod:`rhrt.batch._vector`) and turned into result
columns (:func:`~rhrt.batch._table.result_table`).

Every driver calls this and nothing else to assess cases: in-memory tables
(:func:`rhrt.batch.assess_table`, through the table adapters of :mod:`rhrt.batch.adapters`),
files streamed chunk by chunk (:func:`rhrt.batch.assess_file`) and the Spark driver
(:mod:`rhrt.batch.spark`, once per Arrow batch on each executor). A chunk is independent of
every other: the only shared state is the ruleset (its compiled vector plan, cached per plan).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from rhrt.batch._recorded import RecordedRows, recorded_rows
from rhrt.batch._table import (
    ResultParts,
    arrays_of,
    check_no_clash,
    joined_table,
    result_names,
    result_parts,
    result_table,
)
from rhrt.batch._vector import Arrays, VectorPlan, VectorResult, vector_plan
from rhrt.errors import CaseError

if TYPE_CHECKING:
    from rhrt.ruleset import Ruleset

__all__ = ["Evaluated", "assess_arrow", "evaluate_arrow", "result_columns"]


@dataclass(frozen=True)
class Evaluated:
    """A chunk evaluated by the vector engine, for analyses that need more than the result
    columns (audits and what-if comparisons look at which indicators and rules were involved;
    file streaming adds up a summary)."""

    table: Any
    """The input as a pyarrow Table."""
    plan: VectorPlan
    arrays: Arrays
    result: VectorResult

    def recorded(self) -> RecordedRows:
        """Which recorded measures changed nothing, and which implied a concern, per row."""
        return recorded_rows(self.plan, self.arrays)

    def results(self, *, fast: bool = False, recorded: RecordedRows | None = None) -> Any:
        """The result columns as a pyarrow Table (see :func:`rhrt.batch.assess_table`);
        ``recorded`` is computed when not given."""
        return result_table(self.plan, self.arrays, self.result, fast=fast, recorded=recorded)

    def result_parts(self, *, fast: bool = False) -> ResultParts:
        """:meth:`results` before its text and list columns are Arrow arrays, to join with
        other chunks' (:func:`rhrt.batch._table.joined_table`)."""
        return result_parts(self.plan, self.arrays, self.result, fast=fast)


def _plan(ruleset: Ruleset | VectorPlan) -> VectorPlan:
    return ruleset if isinstance(ruleset, VectorPlan) else vector_plan(ruleset.plan)


def evaluate_arrow(
    table: pa.Table | pa.RecordBatch,
    ruleset: Ruleset | VectorPlan,
    *,
    offset: int = 0,
    ignore_columns: Iterable[str] = (),
) -> Evaluated:
    """Check one Arrow chunk's cases and evaluate them (layout → arrays → evaluate).

    ``offset`` is the row number of the chunk's first row in the whole input: errors name
    ``rows[offset + i]``, as if the input had been one table.

    Raises:
        CaseError: a column is unknown or its type does not fit its field (names the column),
            or a row is not a valid case (the lowest such row, with its column; never a value).
    """
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    vp = _plan(ruleset)
    arrays = arrays_of(table, vp, offset=offset, ignore=tuple(ignore_columns))
    return Evaluated(table, vp, arrays, vp.evaluate(arrays))


def assess_arrow(
    table: pa.Table | pa.RecordBatch,
    ruleset: Ruleset | VectorPlan,
    *,
    fast: bool = False,
    keep_input: bool = False,
    offset: int = 0,
    ignore_columns: Iterable[str] = (),
) -> pa.Table:
    """Assess one Arrow chunk of cases: the batch kernel every driver calls.

    Args:
        table: a pyarrow Table or RecordBatch, one row per case, in the layout of
            ``docs/analysts.md``.
        ruleset: the ruleset (or its compiled vector plan) to apply.
        fast: the fast result columns (see :func:`rhrt.batch.assess_table`).
        keep_input: the input columns first, then the result columns.
        offset: the row number of the first row in the whole input, for errors.
        ignore_columns: columns to allow and leave alone.

    Returns:
        A pyarrow Table: :func:`result_columns` (after the input columns with ``keep_input``),
        one row per input row, in order.

    Raises:
        CaseError: as :func:`evaluate_arrow`; with ``keep_input``, an input column has a result
            column's name.
    """
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    vp = _plan(ruleset)
    ignore = tuple(ignore_columns)
    n = table.num_rows
    if n <= CHUNK_ROWS:
        out = evaluate_arrow(table, vp, offset=offset, ignore_columns=ignore).results(fast=fast)
    else:
        parts: list[ResultParts] = []
        for start in range(0, n, CHUNK_ROWS):
            try:
                # one expression: a chunk's arrays are freed before the next chunk's are made
                parts.append(evaluate_arrow(table.slice(start, CHUNK_ROWS), vp,
                                            offset=offset + start,
                                            ignore_columns=ignore).result_parts(fast=fast))
            except CaseError as error:
                raise _table_error(table, vp, error, start, offset=offset,
                                   ignore=ignore) from None
        out = joined_table(parts)
    if not keep_input:
        return out
    check_no_clash(table.column_names, vp, fast=fast)
    kept = table
    for name in out.column_names:
        kept = kept.append_column(name, out.column(name))
    return kept


def _table_error(
    table: pa.Table, vp: VectorPlan, error: CaseError, failed: int, *, offset: int,
    ignore: tuple[str, ...],
) -> CaseError:
    """The error the whole table checked at once raises (:func:`arrays_of` over every row),
    given ``error``, raised by the chunk starting at row ``failed`` (every earlier chunk
    passed), reading no more than two chunks at a time.

    Why this is the whole table's error: a column that cannot be read anywhere (a reader
    fails, e.g. a date64 cell not at midnight; ``error.row`` is None) comes before any refused
    row, and among such columns the one checked first; otherwise the lowest refused row,
    which is in the failing chunk (the checks are per row, and earlier chunks passed), with
    the check made first at that row: the failing chunk's own error. A reader fails on the
    whole column exactly when it fails on a chunk of it (its failures are per cell), so the
    later chunks are checked only for unreadable columns, and two such columns of different
    chunks are ranked by checking those two chunks together.
    """
    best, at = error, failed
    for start in range(failed + CHUNK_ROWS, table.num_rows, CHUNK_ROWS):
        try:
            arrays_of(table.slice(start, CHUNK_ROWS), vp, offset=offset + start, ignore=ignore)
        except CaseError as later:
            if later.row is not None or str(later) == str(best):
                continue  # a later refused row, or the same column again
            if best.row is not None:
                best, at = later, start
                continue
            both = pa.concat_tables([table.slice(at, CHUNK_ROWS),
                                     table.slice(start, CHUNK_ROWS)])
            try:
                arrays_of(both, vp, offset=offset, ignore=ignore)
            except CaseError as first:
                if str(first) == str(later):
                    best, at = later, start
    return best


CHUNK_ROWS = 1 << 18
"""Tables longer than this are assessed this many rows at a time: the engine's temporary
arrays (a few dozen per row, some per rule or pathway) then stay in the processor's caches and
are reused from one chunk to the next instead of being fresh memory for the whole table (which
a first call pays for in page faults). Each row's result does not depend on the others."""


def result_columns(ruleset: Ruleset | VectorPlan, *, fast: bool = False) -> tuple[str, ...]:
    """The names of the result columns :func:`assess_arrow` gives, in order."""
    return result_names(_plan(ruleset), fast=fast)

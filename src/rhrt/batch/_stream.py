# SPDX-License-Identifier: MIT
"""Files larger than memory: read, assess and write CSV or Parquet one chunk at a time.

Why chunks: a year of contacts for a large authority, or a synthetic benchmark population,
may not fit in memory. Each chunk is parsed, checked and evaluated on its own with the same
compiled vector plan, written out, and dropped; only the running summary (a few counters)
survives between chunks, so peak memory depends on the chunk size, not the file size.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rhrt._console import Progress
from rhrt._text import clean
from rhrt.batch._columns import NUMBER
from rhrt.batch._output import Writer
from rhrt.batch._output import file_format as file_format
from rhrt.batch._table import (
    PATHWAY_PREFIX,
    Layout,
    check_no_clash,
    empty_arrays,
    layout,
    result_table,
)
from rhrt.batch._vector import VectorPlan, vector_plan
from rhrt.batch.kernel import evaluate_arrow
from rhrt.errors import CaseError
from rhrt.model.scale import LEVELS, TOP_LEVEL
from rhrt.ruleset import Ruleset

# -- formats ---------------------------------------------------------------------------------


def count_rows(path: Path) -> int | None:
    """Rows in a file when known without reading it (Parquet metadata), else None.

    None too when the file cannot be read: :func:`read_chunks` then says why.
    """
    if file_format(path) == "parquet":
        import pyarrow.parquet as pq

        try:
            return int(pq.ParquetFile(path).metadata.num_rows)
        except (pa.ArrowException, OSError, ValueError):
            return None
    return None


CSV_MISSING = ("", "NA", "N/A", "n/a", "#N/A", "#N/A N/A", "#NA", "NULL", "null", "NaN", "nan",
               "-NaN", "-nan", "1.#IND", "-1.#IND", "1.#QNAN", "-1.#QNAN")
"""CSV cells that mean "not recorded" (exactly, with no spaces): what spreadsheets and pandas
write for an empty cell. Pinned here rather than left to pyarrow's default, so that the reading
of a file cannot change with a dependency's release."""


def read_chunks(path: Path, chunk_rows: int) -> Iterator[pa.Table]:
    """Yield the file as tables of at most about ``chunk_rows`` rows.

    CSV columns are all read as text and parsed by the batch layer, so a bad value is reported
    with its row and column (the CSV reader's own messages quote the value).
    """
    if not path.is_file():
        raise CaseError("input file not found", path=path.name)
    if file_format(path) == "parquet":
        import pyarrow.parquet as pq

        try:
            parquet = pq.ParquetFile(path)
            empty = True
            for batch in parquet.iter_batches(batch_size=chunk_rows):
                empty = False
                yield pa.Table.from_batches([batch])
            if empty:  # still one (empty) chunk, so its columns are checked
                yield parquet.schema_arrow.empty_table()
        except (pa.ArrowInvalid, OSError):
            raise CaseError("not a readable Parquet file", path=path.name) from None
        return
    from pyarrow import csv

    block = max(1 << 20, min(64 << 20, chunk_rows * 256))
    names = _csv_header(path, block)
    try:
        reader = csv.open_csv(
            path,
            read_options=csv.ReadOptions(block_size=block),
            convert_options=csv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=True,
                null_values=list(CSV_MISSING),
            ),
        )
        pending: list[pa.RecordBatch] = []
        size = 0
        yielded = False
        for batch in reader:
            pending.append(batch)
            size += batch.num_rows
            if size >= chunk_rows:
                yielded = True
                yield pa.Table.from_batches(pending)
                pending, size = [], 0
        if pending:
            yield pa.Table.from_batches(pending)
        elif not yielded:  # a header and no rows: still one (empty) chunk, to check its columns
            yield pa.table({name: pa.array([], pa.string()) for name in names})
    except pa.ArrowInvalid:
        raise _too_long(path, block) or CaseError(
            "the CSV file is malformed (e.g. a row with the wrong number of fields)",
            path=path.name,
        ) from None
    except OSError:  # e.g. a corrupt .csv.gz: the decompressor fails
        raise CaseError(_UNREADABLE, path=path.name) from None


_UNREADABLE = "cannot read the CSV file (corrupt, or not compressed as its name says)"


def _csv_header(path: Path, block: int) -> list[str]:
    """The header's column names, read with a small block first and, if a long row in the first
    block defeats that, with ``block`` (the size the rows are then read with).

    Raises:
        CaseError: a row is longer than ``block`` (named by its line), or the header cannot be
            read, or the file cannot be decompressed.
    """
    from pyarrow import csv

    for size in (1 << 16, block):
        try:
            reader = csv.open_csv(
                path,
                read_options=csv.ReadOptions(block_size=size),
                convert_options=csv.ConvertOptions(include_columns=[]),
            )
            return list(reader.schema.names) or _names_only(path)
        except pa.ArrowInvalid:
            continue
        except OSError:
            raise CaseError(_UNREADABLE, path=path.name) from None
    raise _too_long(path, block) or CaseError(
        "cannot read the CSV header", path=path.name
    ) from None


def _too_long(path: Path, block: int) -> CaseError | None:
    """The error for the first line of a CSV file longer than ``block`` bytes (a cell too long
    for the reader), or None when every line fits (the file is malformed some other way).

    Lines are counted as the file's physical lines (a quoted cell holding a line break counts
    as two); only called when reading has already failed.
    """
    try:
        with pa.input_stream(str(path), compression="detect") as stream:
            line, length = 1, 0
            while chunk := stream.read(1 << 20):
                start = 0
                while (end := chunk.find(b"\n", start)) >= 0:
                    if length + end - start > block:
                        break
                    line, length, start = line + 1, 0, end + 1
                else:
                    length += len(chunk) - start
                    if length <= block:
                        continue
                return CaseError(
                    f"line {line:,} of the CSV file has a cell too long to read (the line is "
                    f"over {block >> 20:,} MiB)",
                    path=path.name,
                )
    except (OSError, pa.ArrowException):
        return None
    return None


def _names_only(path: Path) -> list[str]:
    from pyarrow import csv

    reader = csv.open_csv(path, read_options=csv.ReadOptions(block_size=1 << 16))
    return list(reader.schema.names)


def numeric_columns(lay: Layout) -> frozenset[str]:
    """The columns read as numbers (ages, gestation, measures, recorded decisions)."""
    return frozenset(name for name, kind in lay.kinds.items() if kind == NUMBER)


def kept_number(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A number column as ``--keep-input`` writes it: numeric, not the text a CSV was read as.

    Only called after ``arrays_of`` accepted the chunk, so every non-blank text cell is a plain
    decimal number; float64 for every chunk, so the output's schema is the same throughout
    (a CSV writes 4.0 as ``4``).
    """
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return column
    blank = pc.equal(pc.utf8_trim_whitespace(column), "")
    text = pc.if_else(blank, pa.scalar(None, column.type), column)
    return pc.cast(pc.utf8_trim_whitespace(text), pa.float64())


# -- progress and summary --------------------------------------------------------------------


@dataclass
class Summary:
    """Counts per level and pathway over everything assessed (added up chunk by chunk).

    ``rows_read`` = ``rows`` (assessed) + ``rows_refused``, always: a run never drops a row
    unreported. A row that is not a valid case stops the run with a :class:`CaseError` (nothing
    is written), so a finished run has refused none; the count is there so that every reader of
    a summary can see that the numbers add up.
    """

    rows: int = 0
    """Rows assessed (each has a level in the output)."""
    levels: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    urgent: int = 0
    provisional: int = 0
    """Rows whose outcome rests on missing information (status provisional)."""
    pathways: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    rows_read: int = 0
    """Data rows read from the input (a CSV header row is not a data row)."""
    rows_refused: int = 0
    rows_unread: int = 0
    """Rows with at least one recorded measure that changes nothing for them (their
    ``unread_measures`` column is not empty; ``Decision.warnings`` says so for one case)."""
    rows_implied: int = 0
    """Rows where a recorded measure added a concern that was not selected."""
    ruleset_status: str | None = None
    """The ruleset's declared standing (``ruleset.status``), shown with the summary."""

    @property
    def rows_assessed(self) -> int:
        return self.rows

    def add(
        self,
        level: Any,
        urgent: Any,
        recommended: Any,
        pathway_ids: tuple[str, ...],
        provisional: Any = None,
    ) -> None:
        self.rows += int(level.shape[0])
        if provisional is not None:
            self.provisional += int(provisional.sum())
        counts = np.bincount(level, minlength=TOP_LEVEL + 1)
        for lv in LEVELS:
            self.levels[lv] += int(counts[lv])
        self.urgent += int(urgent.sum())
        sums = recommended.sum(axis=1)
        for p, pid in enumerate(pathway_ids):
            self.pathways[pid] = self.pathways.get(pid, 0) + int(sums[p])

    def to_text(self) -> str:
        """A plain-text summary for the end of a command-line run
        (:func:`rhrt.render.reports.batch_summary_text`)."""
        from rhrt.render.reports import batch_summary_text

        return batch_summary_text(self)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "rows_read": self.rows_read,
            "rows_assessed": self.rows,
            "rows_refused": self.rows_refused,
            "levels": {str(k): v for k, v in self.levels.items()},
            "urgent": self.urgent,
            "provisional": self.provisional,
            "pathways": dict(self.pathways),
            "rows_unread": self.rows_unread,
            "rows_implied": self.rows_implied,
            "ruleset_status": self.ruleset_status,
        }


def _check_counts(summary: Summary, source: Path) -> None:
    """Never report success while rows went missing: read = assessed + refused, and a Parquet
    file's own row count agrees with the rows read."""
    expected = count_rows(source)
    if summary.rows_read != summary.rows + summary.rows_refused or (
        expected is not None and expected != summary.rows_read
    ):
        raise CaseError(  # pragma: no cover - a reader that drops rows would be a bug
            "the rows read, assessed and refused do not add up; nothing was written",
            path=source.name,
        )


# -- the run ---------------------------------------------------------------------------------


def run_file(
    source: Path,
    out: Path,
    ruleset: Ruleset,
    *,
    fast: bool,
    keep_input: bool,
    chunk_rows: int,
    progress: bool | None,
    ignore_columns: tuple[str, ...],
) -> Summary:
    """Assess ``source`` into ``out`` chunk by chunk; see :func:`rhrt.batch.assess_file`."""
    if chunk_rows < 1:
        raise CaseError("chunk size must be at least 1", path="chunk_rows")
    file_format(out)
    file_format(source)
    writer = Writer(out, inputs=[source])  # refuses an input as output, before reading it
    try:
        return _run(source, writer, ruleset, fast=fast, keep_input=keep_input,
                    chunk_rows=chunk_rows, progress=progress, ignore_columns=ignore_columns)
    except BaseException:
        writer.abort()  # the old output stays as it was (or absent)
        raise


def _run(
    source: Path,
    writer: Writer,
    ruleset: Ruleset,
    *,
    fast: bool,
    keep_input: bool,
    chunk_rows: int,
    progress: bool | None,
    ignore_columns: tuple[str, ...],
) -> Summary:
    from rhrt.batch._memory import tune_allocator

    tune_allocator()
    vp: VectorPlan = vector_plan(ruleset.plan)
    status = ruleset.stamp.status
    summary = Summary(
        pathways=dict.fromkeys(vp.pathway_ids, 0),
        ruleset_status=clean(status.text) if status is not None else None,
    )
    bar = Progress(count_rows(source), progress, description="assessing")
    start = time.monotonic()
    offset = 0
    first = True
    keep = None
    try:
        for chunk in read_chunks(source, chunk_rows):
            summary.rows_read += chunk.num_rows
            if first:
                first = False
                numeric = numeric_columns(layout(chunk.column_names, vp, ignore_columns))
                if keep_input:
                    check_no_clash(chunk.column_names, vp, fast=fast)
                keep = "case_ref" if "case_ref" in chunk.column_names else None
            evaluated = evaluate_arrow(chunk, vp, offset=offset, ignore_columns=ignore_columns)
            arrays, result = evaluated.arrays, evaluated.result
            recorded = evaluated.recorded()  # kept: the summary counts read it too
            table = evaluated.results(fast=fast, recorded=recorded)
            if keep_input:
                for name in reversed(chunk.column_names):
                    column = chunk.column(name)
                    if name in numeric:
                        column = kept_number(column)
                    table = table.add_column(0, name, column)
            elif keep is not None:
                table = table.add_column(0, keep, chunk.column(keep))
            writer.write(table)
            summary.add(result.level, result.urgent, result.pathway_rank < vp.no_rank,
                        vp.pathway_ids, result.provisional)
            summary.rows_unread += int(recorded.any_unread(arrays.n).sum())
            summary.rows_implied += int(recorded.implied.sum())
            offset += chunk.num_rows
            bar.update(chunk.num_rows)
        if first:
            # an empty input still gives a well-formed (empty) output
            nothing = empty_arrays(vp)
            writer.write(result_table(vp, nothing, vp.evaluate(nothing), fast=fast))
        _check_counts(summary, source)
    finally:
        bar.close()
    writer.close()
    summary.seconds = time.monotonic() - start
    return summary


__all__ = ["PATHWAY_PREFIX", "Progress", "Summary", "Writer", "count_rows", "read_chunks",
           "run_file"]

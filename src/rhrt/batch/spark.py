# SPDX-License-Identifier: MIT
"""The batch kernel on Apache Spark: the same answers as on a laptop, on a cluster.

>>> from rhrt.batch.spark import assess          # doctest: +SKIP
>>> result = assess(df, ruleset)                  # a Spark DataFrame in, one out

Why no scheduler of rhrt's own: the work is embarrassingly parallel per row, and the only
shared state is the ruleset. So each Arrow batch of each partition goes through the one batch
kernel (:func:`rhrt.batch.assess_arrow`) inside ``DataFrame.mapInArrow``, and Spark does the
rest (see ``docs/cluster.md``).

How the ruleset travels: as its YAML bytes (the file it was loaded from; or, for a ruleset
built from data, its canonical JSON, which is YAML too) plus their sha256, in a Spark broadcast.
Each executor process loads and compiles it once (:data:`_PLANS`, keyed by sha256, checked
against the bytes) and every output row carries the ruleset's sha256 (``ruleset_sha256``, the
``Ruleset.stamp.sha256`` local decisions record).

Rows are numbered as the local path numbers them: 0-based, in the DataFrame's order (partition
by partition). A first, cheap pass (:func:`_check_partition`) counts each partition's rows and
checks its cases; the driver turns the counts into each partition's first row number. A bad
row is then refused on the driver with the :class:`~rhrt.errors.CaseError` local batch raises,
naming the same row and column (the lowest bad row of the whole DataFrame), never a value,
before any result exists: nothing is silently dropped. The output's ``row`` column holds each
row's number. The DataFrame must give the same rows each time it is computed (a file read, or
``df.cache()`` after a non-deterministic step); a partition whose row count changed between
the passes fails the job rather than misnumber rows.

Needs the ``spark`` extra (pyspark) and a Java runtime.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from rhrt.batch._columns import where
from rhrt.batch._table import Layout, arrays_of, check_no_clash, layout
from rhrt.batch._vector import VectorPlan, vector_plan
from rhrt.batch.kernel import assess_arrow
from rhrt.errors import CaseError, MissingExtraError

if TYPE_CHECKING:
    from rhrt.ruleset import Ruleset

__all__ = ["CHUNK_ROWS", "ROW_COLUMN", "SHA_COLUMN", "Job", "assess", "checked", "chunks",
           "executor_plan", "partition_id", "prepare", "row_numbers", "ruleset_payload",
           "true_labels"]

ROW_COLUMN = "row"
"""Each output row's number: its 0-based position in the input DataFrame, as local batch and its
errors number rows."""
SHA_COLUMN = "ruleset_sha256"
"""The sha256 of the ruleset that decided the row (``Ruleset.stamp.sha256``)."""

_PLANS: dict[str, VectorPlan] = {}
"""Per process (a Spark executor's Python worker): sha256 → compiled plan, loaded once."""
_LOCK = threading.Lock()
LOADS: dict[str, int] = {}
"""sha256 → how many times this process loaded that ruleset from a broadcast (once; tests)."""


def _pyspark() -> Any:
    try:
        import pyspark
    except ImportError:
        raise MissingExtraError("Spark assessment", "spark") from None
    return pyspark


# -- the ruleset on the wire -------------------------------------------------------------------


def ruleset_payload(ruleset: Ruleset) -> tuple[bytes, str]:
    """The bytes a ruleset travels to executors as, and their sha256.

    A ruleset loaded from a file travels as that file's bytes (so the sha256 is its
    ``stamp.sha256``) while the file is unchanged; any other ruleset as its canonical JSON
    (YAML too; the bytes ``ruleset_from_data`` hashes).
    """
    if ruleset.path is not None and ruleset.path.is_file():
        raw = ruleset.path.read_bytes()
        if hashlib.sha256(raw).hexdigest() == ruleset.stamp.sha256:
            return raw, ruleset.stamp.sha256
    canonical = json.dumps(ruleset.model.model_dump(mode="json", by_alias=True),
                           sort_keys=True).encode()
    return canonical, hashlib.sha256(canonical).hexdigest()


def executor_plan(payload: bytes, sha256: str) -> VectorPlan:
    """The compiled plan of a broadcast ruleset, loaded once per process.

    Raises:
        CaseError: the bytes do not have the sha256 they travelled with.
    """
    with _LOCK:
        plan = _PLANS.get(sha256)
        if plan is None:
            if hashlib.sha256(payload).hexdigest() != sha256:
                raise CaseError("the broadcast ruleset does not match its sha256",
                                path=SHA_COLUMN)
            from rhrt.ruleset import ruleset_from_text

            plan = vector_plan(ruleset_from_text(payload, file="<broadcast ruleset>").plan)
            _PLANS[sha256] = plan
            LOADS[sha256] = LOADS.get(sha256, 0) + 1
    return plan


# -- on the executors --------------------------------------------------------------------------


def partition_id() -> int:
    from pyspark import TaskContext

    context = TaskContext.get()
    return 0 if context is None else int(context.partitionId())


CHUNK_ROWS = 65_536
"""Arrow batches from Spark (``spark.sql.execution.arrow.maxRecordsPerBatch``, 10,000 rows by
default) are joined into chunks of about this many rows before the kernel sees them: each kernel
call has a fixed cost, about a quarter of its time at 10,000 rows (``docs/cluster.md``)."""


def chunks(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.Table]:
    """The partition's batches, in order, joined into tables of at least :data:`CHUNK_ROWS`
    rows (the last may be smaller; empty batches are dropped)."""
    pending: list[pa.RecordBatch] = []
    size = 0
    for batch in batches:
        if not batch.num_rows:
            continue
        pending.append(batch)
        size += batch.num_rows
        if size >= CHUNK_ROWS:
            yield pa.Table.from_batches(pending)
            pending, size = [], 0
    if pending:
        yield pa.Table.from_batches(pending)


_CHECK_FIELDS = (("partition", pa.int64()), ("rows", pa.int64()), ("bad_row", pa.int64()),
                 ("reason", pa.string()), ("column", pa.string()), ("path", pa.string()),
                 ("suggestion", pa.string()))


def _check_partition(batches: Iterator[pa.RecordBatch], payload: bytes, sha256: str,
                     ignore: tuple[str, ...]) -> Iterator[pa.RecordBatch]:
    """Pass 1, per partition: its row count and its first refused row (numbered within the
    partition) or column error, as one row. The checks are the kernel's own (arrays_of)."""
    vp = executor_plan(payload, sha256)
    rows = 0
    bad: CaseError | None = None
    for chunk in chunks(batches):
        if bad is None:
            try:  # the kernel's checks (layout and arrays); nothing is evaluated yet
                arrays_of(chunk, vp, offset=rows, ignore=ignore)
            except CaseError as exc:
                bad = exc
        rows += chunk.num_rows
    values: list[Any] = [partition_id(), rows, None, None, None, None, None]
    if bad is not None:
        values[2:] = [bad.row, bad.reason, bad.column, bad.path, bad.suggestion]
    yield pa.RecordBatch.from_arrays([pa.array([v], t) for v, (_, t) in
                                      zip(values, _CHECK_FIELDS, strict=True)],
                                     names=[n for n, _ in _CHECK_FIELDS])


def _assess_partition(batches: Iterator[pa.RecordBatch], payload: bytes, sha256: str,
                      stamp: str, starts: dict[int, tuple[int, int]], fast: bool,
                      keep_input: bool, ignore: tuple[str, ...]) -> Iterator[pa.RecordBatch]:
    """Pass 2, per partition: each Arrow batch through the kernel, numbered from the
    partition's first row, with the row numbers and the ruleset's sha256 added."""
    vp = executor_plan(payload, sha256)
    part = partition_id()
    start, count = starts.get(part, (0, 0))
    done = 0
    for batch in chunks(batches):
        n = batch.num_rows
        if done + n > count:
            raise _changed(part)
        out = assess_arrow(batch, vp, fast=fast, keep_input=keep_input, offset=start + done,
                           ignore_columns=ignore)
        if out.num_rows != n:  # pragma: no cover - the kernel keeps every row
            raise AssertionError("the kernel returned a different number of rows")
        numbers = pa.array(np.arange(start + done, start + done + n, dtype=np.int64))
        out = out.add_column(0, ROW_COLUMN, numbers)
        out = out.append_column(SHA_COLUMN, pa.array([stamp] * n, pa.string()))
        done += n
        yield from out.to_batches()
    if done != count:
        raise _changed(part)


def _changed(part: int) -> CaseError:
    return CaseError(
        "the DataFrame gave different rows when computed again (cache it, e.g. df.cache(), "
        "so that its rows can be numbered)", path=f"partition {part}")


# -- on the driver -----------------------------------------------------------------------------


def _result_schema(df: Any, vp: VectorPlan, *, fast: bool, keep_input: bool) -> Any:
    """The output's Spark schema: ``row``, the input's fields (``keep_input``), the result
    columns as the kernel gives them (its Arrow schema on no rows, so a new result column needs
    nothing here) and ``ruleset_sha256``."""
    from pyspark.sql import types as T
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    empty = to_arrow_schema(df.schema).empty_table()
    results = assess_arrow(empty, vp, fast=fast).schema
    fields = [T.StructField(ROW_COLUMN, T.LongType(), False)]
    if keep_input:
        fields.extend(df.schema.fields)
    fields.extend(from_arrow_schema(results).fields)
    fields.append(T.StructField(SHA_COLUMN, T.StringType(), False))
    return T.StructType(fields)


def _refuse(checks: list[Any], lay: Layout, starts: dict[int, tuple[int, int]]) -> None:
    """Raise the error local batch raises for the whole DataFrame, if any partition refused:
    a column error first (every partition finds it), else the lowest bad row overall."""
    bad = [c for c in checks if c["reason"] is not None]
    if not bad:
        return
    columns = [c for c in bad if c["bad_row"] is None]
    if columns:
        first = min(columns, key=lambda c: c["partition"])
        raise CaseError(first["reason"], path=first["path"] or "",
                        suggestion=first["suggestion"])
    first = min(bad, key=lambda c: starts[c["partition"]][0] + c["bad_row"])
    row = starts[first["partition"]][0] + first["bad_row"]
    error = CaseError(first["reason"], path=where(row, first["column"], lay.kinds))
    error.row, error.column = row, first["column"]
    raise error


@dataclass(frozen=True)
class Job:
    """A DataFrame checked for one ruleset: the broadcast ruleset and each partition's first
    row number and row count."""

    shared: Any
    sha256: str
    starts: dict[int, tuple[int, int]]


def prepare(df: Any, ruleset: Ruleset, vp: VectorPlan, lay: Layout,
            ignore: tuple[str, ...]) -> Job:
    """Broadcast the ruleset and run the first pass: count and check every partition, and
    refuse the DataFrame as local batch would (:func:`_refuse`)."""
    payload, sha256 = ruleset_payload(ruleset)
    shared = df.sparkSession.sparkContext.broadcast(payload)

    def check(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _check_partition(batches, shared.value, sha256, ignore)

    schema = ", ".join(f"{n} {'string' if t == pa.string() else 'long'}"
                       for n, t in _CHECK_FIELDS)
    checks = [row.asDict() for row in df.mapInArrow(check, schema).collect()]
    starts: dict[int, tuple[int, int]] = {}
    total = 0
    for c in sorted(checks, key=lambda c: c["partition"]):
        starts[c["partition"]] = (total, c["rows"])
        total += c["rows"]
    _refuse(checks, lay, starts)
    return Job(shared, sha256, starts)


def assess(
    df: Any,
    ruleset: Ruleset | None = None,
    *,
    fast: bool = False,
    keep_input: bool = False,
    ignore_columns: Iterable[str] = (),
) -> Any:
    """Assess every row of a Spark DataFrame with the batch kernel, on the executors.

    Args:
        df: a Spark DataFrame in the layout of ``docs/analysts.md`` (as :func:`assess_table`).
        ruleset: default the bundled ruleset.
        fast: as :func:`rhrt.batch.assess_table`.
        keep_input: as :func:`rhrt.batch.assess_table` (default here: False).
        ignore_columns: as :func:`rhrt.batch.assess_table`.

    Returns:
        A Spark DataFrame (computed when an action runs): ``row`` (each row's 0-based number
        in ``df``), the input columns with ``keep_input``, the result columns of
        :func:`rhrt.batch.assess_table` and ``ruleset_sha256``. Its rows equal local batch's
        row for row.

    Raises:
        CaseError: as local batch, before any result is computed: an unknown column (checked
            on the driver), a column of the wrong type, or a bad row (the lowest one in the
            DataFrame's order, by row number and column, never by value); with
            ``keep_input``, an input column named like a result column, ``row`` or
            ``ruleset_sha256``.
        MissingExtraError: pyspark is not installed.
    """
    _pyspark()
    if ruleset is None:
        from rhrt.ruleset import load_ruleset

        ruleset = load_ruleset()
    vp = vector_plan(ruleset.plan)
    ignore = tuple(ignore_columns)
    lay = layout(df.columns, vp, ignore)
    if keep_input:
        check_no_clash(df.columns, vp, fast=fast)
        for name in (ROW_COLUMN, SHA_COLUMN):
            if name in df.columns:
                raise CaseError("input column has the name of a result column", path=name)
    job = prepare(df, ruleset, vp, lay, ignore)
    payload_of, sha256, stamp, starts = job.shared, job.sha256, ruleset.stamp.sha256, job.starts

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _assess_partition(batches, payload_of.value, sha256, stamp, starts, fast,
                                 keep_input, ignore)

    return df.mapInArrow(run, _result_schema(df, vp, fast=fast, keep_input=keep_input))


# -- for analyses that run on Spark (rhrt.audit.compare_spark, rhrt.diff.impact_spark) ---------


def row_numbers(start: int, n: int) -> pa.Array:
    """Row numbers ``start`` to ``start + n - 1`` (int64)."""
    return pa.array(np.arange(start, start + n, dtype=np.int64))


def true_labels(matrix: Any, labels: tuple[str, ...]) -> pa.Array:
    """Per row (a column of the boolean ``matrix``), the labels of its true entries in label
    order, as a list<string> column."""
    from rhrt.batch._table import list_column

    rows, cols = np.nonzero(matrix.T)
    return list_column(rows, cols, matrix.shape[1], labels)


def checked(df: Any, ruleset: Ruleset, ignore: tuple[str, ...]) -> tuple[VectorPlan, Job]:
    """The driver's part before an analysis: classify the columns (refusing unknown ones at
    once), broadcast the ruleset and run the check pass (:func:`prepare`)."""
    _pyspark()
    vp = vector_plan(ruleset.plan)
    return vp, prepare(df, ruleset, vp, layout(df.columns, vp, ignore), ignore)

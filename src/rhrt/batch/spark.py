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
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from rhrt.batch._columns import where
from rhrt.batch._table import Layout, check_no_clash, layout, result_names
from rhrt.batch._vector import VectorPlan, vector_plan
from rhrt.batch.kernel import assess_arrow, evaluate_arrow
from rhrt.errors import CaseError, MissingExtraError

if TYPE_CHECKING:
    from rhrt.ruleset import Ruleset

__all__ = ["ROW_COLUMN", "SHA_COLUMN", "assess", "ruleset_payload"]

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


def _partition_id() -> int:
    from pyspark import TaskContext

    context = TaskContext.get()
    return 0 if context is None else int(context.partitionId())


_CHECK_FIELDS = (("partition", pa.int64()), ("rows", pa.int64()), ("bad_row", pa.int64()),
                 ("reason", pa.string()), ("column", pa.string()), ("path", pa.string()),
                 ("suggestion", pa.string()))


def _check_partition(batches: Iterator[pa.RecordBatch], payload: bytes, sha256: str,
                     ignore: tuple[str, ...]) -> Iterator[pa.RecordBatch]:
    """Pass 1, per partition: its row count and its first refused row (numbered within the
    partition) or column error, as one row. The check is the kernel's own (evaluate_arrow)."""
    vp = executor_plan(payload, sha256)
    rows = 0
    bad: CaseError | None = None
    for batch in batches:
        if bad is None and batch.num_rows:
            try:
                evaluate_arrow(batch, vp, offset=rows, ignore_columns=ignore)
            except CaseError as exc:
                bad = exc
        rows += batch.num_rows
    values: list[Any] = [_partition_id(), rows, None, None, None, None, None]
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
    part = _partition_id()
    start, count = starts.get(part, (0, 0))
    done = 0
    for batch in batches:
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
    from pyspark.sql import types as T

    fields = [T.StructField(ROW_COLUMN, T.LongType(), False)]
    if keep_input:
        fields.extend(df.schema.fields)
    for name in result_names(vp, fast=fast):
        if name in ("level", "known_level"):
            kind: Any = T.ByteType()
        elif name == "status":
            kind = T.StringType()
        elif name in ("pathways", "determining_indicators", "unread_measures"):
            kind = T.ArrayType(T.StringType(), True)
        else:
            kind = T.BooleanType()
        fields.append(T.StructField(name, kind, True))
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
        fast, keep_input, ignore_columns: as :func:`rhrt.batch.assess_table`.

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
    payload, sha256 = ruleset_payload(ruleset)
    stamp = ruleset.stamp.sha256
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

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _assess_partition(batches, shared.value, sha256, stamp, starts, fast,
                                 keep_input, ignore)

    return df.mapInArrow(run, _result_schema(df, vp, fast=fast, keep_input=keep_input))

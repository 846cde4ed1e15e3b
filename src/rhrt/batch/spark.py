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
import pyarrow.compute as pc

from rhrt.batch._columns import where
from rhrt.batch._table import Layout, arrays_of, check_no_clash, layout, result_names
from rhrt.batch._vector import VectorPlan, vector_plan
from rhrt.batch.kernel import assess_arrow, evaluate_arrow
from rhrt.errors import CaseError, MissingExtraError
from rhrt.model.scale import LEVELS, LOWEST_LEVEL

if TYPE_CHECKING:
    from rhrt.ruleset import Ruleset

__all__ = ["ROW_COLUMN", "SHA_COLUMN", "assess", "audit", "executor_plan", "impact",
           "ruleset_payload"]

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


CHUNK_ROWS = 65_536
"""Arrow batches from Spark (``spark.sql.execution.arrow.maxRecordsPerBatch``, 10,000 rows by
default) are joined into chunks of about this many rows before the kernel sees them: each kernel
call has a fixed cost, about a quarter of its time at 10,000 rows (``docs/cluster.md``)."""


def _chunks(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.Table]:
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
    partition) or column error, as one row. The check is the kernel's own (evaluate_arrow)."""
    vp = executor_plan(payload, sha256)
    rows = 0
    bad: CaseError | None = None
    for chunk in _chunks(batches):
        if bad is None:
            try:  # the kernel's checks (layout and arrays); nothing is evaluated yet
                arrays_of(chunk, vp, offset=rows, ignore=ignore)
            except CaseError as exc:
                bad = exc
        rows += chunk.num_rows
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
    for batch in _chunks(batches):
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


@dataclass(frozen=True)
class _Job:
    """A DataFrame checked for one ruleset: the broadcast ruleset and each partition's first
    row number and row count."""

    shared: Any
    sha256: str
    starts: dict[int, tuple[int, int]]


def _prepare(df: Any, ruleset: Ruleset, vp: VectorPlan, lay: Layout,
             ignore: tuple[str, ...]) -> _Job:
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
    return _Job(shared, sha256, starts)


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
    job = _prepare(df, ruleset, vp, lay, ignore)
    payload_of, sha256, stamp, starts = job.shared, job.sha256, ruleset.stamp.sha256, job.starts

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _assess_partition(batches, payload_of.value, sha256, stamp, starts, fast,
                                 keep_input, ignore)

    return df.mapInArrow(run, _result_schema(df, vp, fast=fast, keep_input=keep_input))


# -- audits and what-if comparisons, aggregated by Spark -----------------------------------------


def _rows_of(start: int, done: int, n: int) -> pa.Array:
    return pa.array(np.arange(start + done, start + done + n, dtype=np.int64))


def _present_lists(matrix: Any, labels: tuple[str, ...]) -> pa.Array:
    """Per row (column of ``matrix``), the labels of its true entries, in label order."""
    from rhrt.batch._table import list_column

    rows, cols = np.nonzero(matrix.T)
    return list_column(rows, cols, matrix.shape[1], labels)


def _audit_partition(batches: Iterator[pa.RecordBatch], payload: bytes, sha256: str,
                     starts: dict[int, tuple[int, int]], ignore: tuple[str, ...],
                     domains: list[tuple[str, list[str]]]) -> Iterator[pa.RecordBatch]:
    """Per row, what an audit counts: the framework's level, urgency and determining
    indicators (the kernel's), the recorded level, the indicators and domains present (after
    implied concerns), the referral source and the case reference."""
    from rhrt.audit import NOT_RECORDED
    from rhrt.batch._columns import texts
    from rhrt.batch._table import floats

    vp = executor_plan(payload, sha256)
    part = _partition_id()
    start, _ = starts.get(part, (0, 0))
    done = 0
    for batch in _chunks(batches):
        n = batch.num_rows
        ev = evaluate_arrow(batch, vp, offset=start + done, ignore_columns=ignore)
        table = ev.table
        results = ev.results()
        recorded = floats(table.column("recorded_decision"), "recorded_decision")
        present = ev.arrays.present
        in_domain = np.zeros((len(domains), n), dtype=bool)
        for d, (_, ids) in enumerate(domains):
            in_domain[d] = np.logical_or.reduce(present[[vp.column[i] for i in ids]], axis=0)
        columns: dict[str, Any] = {
            ROW_COLUMN: _rows_of(start, done, n),
            "status": results.column("status"),
            "level": results.column("level"),
            "known_level": results.column("known_level"),
            "provisional": pa.array(ev.result.provisional, pa.bool_()),
            "urgent": results.column("urgent"),
            "recorded": pa.array(recorded, pa.float64(), from_pandas=True),
            "present": _present_lists(present, vp.indicator_ids),
            "domains": _present_lists(in_domain, tuple(d for d, _ in domains)),
            "determining_indicators": results.column("determining_indicators"),
        }
        if "referral_source" in table.column_names:
            source = texts(table.column("referral_source"))
            columns["source"] = pc.fill_null(source.cast(pa.string()), NOT_RECORDED)
            columns["source_raw"] = table.column("referral_source")
        if "case_ref" in table.column_names:
            columns["case_ref"] = table.column("case_ref")
        done += n
        yield from pa.table(columns).to_batches()


def audit(
    df: Any,
    ruleset: Ruleset | None = None,
    *,
    top: int = 100,
    min_cases: int = 1,
    ignore_columns: Iterable[str] = (),
) -> Any:
    """:func:`rhrt.audit.compare` over a Spark DataFrame, counted by Spark aggregations.

    Returns the same :class:`~rhrt.audit.AuditResult` (reports included) as the local
    function gives for the DataFrame's rows in its order; the cases to review are numbered by
    their row in the DataFrame.

    Raises:
        CaseError: as :func:`assess`; or the DataFrame has no ``recorded_decision`` column.
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from rhrt.audit import AuditCounts, audit_result, domain_members

    _pyspark()
    rules = _default(ruleset)
    vp = vector_plan(rules.plan)
    ignore = tuple(ignore_columns)
    lay = layout(df.columns, vp, ignore)
    if "recorded_decision" not in df.columns:
        raise CaseError("an audit needs a recorded_decision column", path="recorded_decision")
    job = _prepare(df, rules, vp, lay, ignore)
    domains = list(domain_members(rules).items())
    has_source = "referral_source" in df.columns
    has_ref = "case_ref" in df.columns
    fields = [T.StructField(ROW_COLUMN, T.LongType()), T.StructField("status", T.StringType()),
              T.StructField("level", T.ByteType()), T.StructField("known_level", T.ByteType()),
              T.StructField("provisional", T.BooleanType()),
              T.StructField("urgent", T.BooleanType()),
              T.StructField("recorded", T.DoubleType()),
              T.StructField("present", T.ArrayType(T.StringType())),
              T.StructField("domains", T.ArrayType(T.StringType())),
              T.StructField("determining_indicators", T.ArrayType(T.StringType()))]
    if has_source:
        fields += [T.StructField("source", T.StringType()),
                   T.StructField("source_raw", df.schema["referral_source"].dataType)]
    if has_ref:
        fields.append(df.schema["case_ref"])
    shared, sha256, starts = job.shared, job.sha256, job.starts

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _audit_partition(batches, shared.value, sha256, starts, ignore, domains)

    has = F.col("recorded").isNotNull()
    rec = F.when(has, F.col("recorded").cast("int")).otherwise(F.lit(0))
    level = F.col("level").cast("int")
    view = (df.mapInArrow(run, T.StructType(fields))
            .withColumn("has", has).withColumn("rec", rec).withColumn("lvl", level)
            .withColumn("agree", (has & (F.col("rec") == F.col("lvl"))).cast("long"))
            .withColumn("under", (has & (F.col("rec") < F.col("lvl"))).cast("long"))
            .withColumn("over", (has & (F.col("rec") > F.col("lvl"))).cast("long"))
            .cache())
    try:
        sums = [F.sum("agree").alias("a"), F.sum("under").alias("u"), F.sum("over").alias("o")]
        total = view.agg(F.count(F.lit(1)).alias("n"), F.sum(has.cast("long")).alias("k"),
                         *sums).first()
        confusion = np.zeros((len(LEVELS), len(LEVELS)), dtype=np.int64)
        for r in view.filter(has).groupBy("lvl", "rec").count().collect():
            confusion[r["lvl"] - LOWEST_LEVEL, r["rec"] - LOWEST_LEVEL] = r["count"]
        framework = dict.fromkeys(LEVELS, 0)
        provisional = dict.fromkeys(LEVELS, 0)
        for r in view.groupBy("lvl", "provisional").count().collect():
            framework[r["lvl"]] += r["count"]
            if r["provisional"]:
                provisional[r["lvl"]] += r["count"]

        def grouped(column: str, names: Iterable[str]) -> list[tuple[str, int, int, int, int]]:
            found = {r["name"]: (r["k"], r["a"], r["u"], r["o"]) for r in (
                view.filter(has).select(F.explode(column).alias("name"), "agree", "under",
                                        "over")
                .groupBy("name").agg(F.count(F.lit(1)).alias("k"), *sums).collect())}
            return [(name, *found.get(name, (0, 0, 0, 0))) for name in names]

        groups = {"indicator": grouped("present", vp.indicator_ids),
                  "domain": grouped("domains", [d for d, _ in domains])}
        if has_source:
            by = {r["source"]: (r["k"], r["a"], r["u"], r["o"]) for r in (
                view.groupBy("source").agg(F.sum(has.cast("long")).alias("k"), *sums)
                .collect())}
            groups["referral_source"] = [(name, *by[name]) for name in sorted(by)]
        chosen = (view.filter(F.col("under") == 1)
                  .orderBy(F.desc("lvl"), F.desc(F.col("lvl") - F.col("rec")),
                           F.desc("urgent"), F.asc(ROW_COLUMN))
                  .limit(top).collect())
    finally:
        view.unpersist()
    review: dict[str, list[Any]] = {"row": [r[ROW_COLUMN] for r in chosen]}
    if has_ref:
        review["case_ref"] = [r["case_ref"] for r in chosen]
    review["status"] = [r["status"] for r in chosen]
    review["framework_level"] = [r["lvl"] for r in chosen]
    review["known_level"] = [r["known_level"] for r in chosen]
    review["recorded_decision"] = [r["rec"] for r in chosen]
    review["urgent"] = [r["urgent"] for r in chosen]
    if has_source:
        review["referral_source"] = [r["source_raw"] for r in chosen]
    review["determining_indicators"] = [list(r["determining_indicators"]) for r in chosen]
    counts = AuditCounts(
        rows=int(total["n"]),
        recorded=int(total["k"] or 0),
        agree=int(total["a"] or 0),
        under=int(total["u"] or 0),
        over=int(total["o"] or 0),
        confusion=confusion,
        framework_counts=tuple(framework.values()),
        recorded_counts=tuple(int(x) for x in confusion.sum(axis=0)),
        provisional_counts=tuple(provisional.values()),
        groups=groups,
        review=review,
    )
    return audit_result(rules, counts, min_cases=min_cases)


def _impact_partition(batches: Iterator[pa.RecordBatch], payloads: tuple[bytes, bytes],
                      shas: tuple[str, str], starts: dict[int, tuple[int, int]],
                      ignore: tuple[str, ...]) -> Iterator[pa.RecordBatch]:
    """Per row, both rulesets' levels and, where they differ, the cause of the move (the
    local function's own :func:`rhrt.diff.move_causes`)."""
    from rhrt.diff import move_causes

    old = executor_plan(payloads[0], shas[0])
    new = executor_plan(payloads[1], shas[1])
    part = _partition_id()
    start, _ = starts.get(part, (0, 0))
    done = 0
    for batch in _chunks(batches):
        n = batch.num_rows
        ev_old = evaluate_arrow(batch, old, offset=start + done, ignore_columns=ignore)
        ev_new = evaluate_arrow(batch, new, offset=start + done, ignore_columns=ignore)
        _, cause = move_causes(ev_old, ev_new)
        columns: dict[str, Any] = {
            ROW_COLUMN: _rows_of(start, done, n),
            "old_level": pa.array(ev_old.result.level.astype(np.int8)),
            "new_level": pa.array(ev_new.result.level.astype(np.int8)),
            "old_provisional": pa.array(ev_old.result.provisional, pa.bool_()),
            "new_provisional": pa.array(ev_new.result.provisional, pa.bool_()),
            "cause": pa.array(cause.tolist(), pa.string()),
        }
        if "case_ref" in batch.schema.names:
            columns["case_ref"] = batch.column("case_ref")
        done += n
        yield from pa.table(columns).to_batches()


def impact(
    df: Any,
    old: Ruleset,
    new: Ruleset,
    *,
    top: int = 200,
    ignore_columns: Iterable[str] = (),
) -> Any:
    """:func:`rhrt.diff.impact` over a Spark DataFrame: the transition counts aggregated by
    Spark, the moved rows (with their causes) collected in row order.

    Returns the same :class:`~rhrt.diff.ImpactResult` (reports included) as the local
    function gives for the DataFrame's rows in its order.

    Raises:
        CaseError: as :func:`assess`, for either ruleset.
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from rhrt.diff import ImpactCounts, impact_result

    _pyspark()
    ignore = tuple(ignore_columns)
    vps = (vector_plan(old.plan), vector_plan(new.plan))
    jobs = [_prepare(df, rules, vp, layout(df.columns, vp, ignore), ignore)
            for rules, vp in zip((old, new), vps, strict=True)]
    starts = jobs[0].starts
    shared = (jobs[0].shared, jobs[1].shared)
    shas = (jobs[0].sha256, jobs[1].sha256)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _impact_partition(batches, (shared[0].value, shared[1].value), shas, starts,
                                 ignore)

    fields = [T.StructField(ROW_COLUMN, T.LongType()), T.StructField("old_level", T.ByteType()),
              T.StructField("new_level", T.ByteType()),
              T.StructField("old_provisional", T.BooleanType()),
              T.StructField("new_provisional", T.BooleanType()),
              T.StructField("cause", T.StringType())]
    has_ref = "case_ref" in df.columns
    if has_ref:
        fields.append(df.schema["case_ref"])
    view = df.mapInArrow(run, T.StructType(fields)).cache()
    try:
        levels = LEVELS
        transition = np.zeros((len(levels), len(levels)), dtype=np.int64)
        old_counts = dict.fromkeys(levels, 0)
        new_counts = dict.fromkeys(levels, 0)
        old_prov = dict.fromkeys(levels, 0)
        new_prov = dict.fromkeys(levels, 0)
        rows = 0
        for r in view.groupBy("old_level", "new_level", "old_provisional",
                              "new_provisional").count().collect():
            lo, ln, k = r["old_level"], r["new_level"], r["count"]
            transition[lo - LOWEST_LEVEL, ln - LOWEST_LEVEL] += k
            old_counts[lo] += k
            new_counts[ln] += k
            old_prov[lo] += k if r["old_provisional"] else 0
            new_prov[ln] += k if r["new_provisional"] else 0
            rows += k
        moved = (view.filter(F.col("old_level") != F.col("new_level"))
                 .orderBy(ROW_COLUMN).collect())
    finally:
        view.unpersist()
    moves: dict[str, list[Any]] = {"row": [r[ROW_COLUMN] for r in moved]}
    if has_ref:
        moves["case_ref"] = [r["case_ref"] for r in moved]
    moves["old_level"] = [int(r["old_level"]) for r in moved]
    moves["new_level"] = [int(r["new_level"]) for r in moved]
    moves["direction"] = ["up" if r["new_level"] > r["old_level"] else "down" for r in moved]
    moves["cause"] = [r["cause"] for r in moved]
    counts = ImpactCounts(rows=rows, transition=transition, moves=moves,
                          old_counts=tuple(old_counts.values()),
                          new_counts=tuple(new_counts.values()),
                          old_provisional=tuple(old_prov.values()),
                          new_provisional=tuple(new_prov.values()))
    return impact_result(old, new, counts, top=top)


def _default(ruleset: Ruleset | None) -> Ruleset:
    if ruleset is not None:
        return ruleset
    from rhrt.ruleset import load_ruleset

    return load_ruleset()

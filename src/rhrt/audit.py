# SPDX-License-Identifier: MIT
"""Threshold-consistency audits: recorded decisions against the framework's level.

Why: a partnership audits whether its front door applies the thresholds consistently. The
question that matters most is *under-assessment* — a practitioner recording a lower level than
the framework gives — because a child who needed a statutory response may not have had one.
So the audit reports agreement, the confusion matrix, under- and over-assessment overall and
by indicator, domain and referral source, and lists the cases to review first: under-assessed
cases the framework puts at level 4 come top.

The framework's level never overrides a recorded decision: disagreement is a prompt to look at
the case, which may hold information the table does not.

>>> from rhrt.audit import compare            # doctest: +SKIP
>>> result = compare(table, ruleset)
>>> result.agreement, result.under_rate
>>> result.tables()["by_source"]               # pandas DataFrames for notebooks
>>> html = result.to_html()                    # self-contained report with charts
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rhrt._text import clean
from rhrt.errors import CaseError
from rhrt.model.scale import LEVELS, LOWEST_LEVEL, TOP_LEVEL

if TYPE_CHECKING:
    from rhrt.ruleset import Ruleset

__all__ = ["AuditCounts", "AuditResult", "audit_result", "compare", "compare_spark",
           "domain_members"]


@dataclass(frozen=True)
class AuditResult:
    """The audit of one table against one ruleset (numbers, then pandas tables)."""

    ruleset: str
    """Ruleset id, version and hash prefix, for the report."""
    rows: int
    recorded: int
    """Rows with a recorded decision (the base of every rate)."""
    agreement: float
    under_rate: float
    """Share of recorded rows where the recorded level is below the framework's."""
    over_rate: float
    framework_counts: tuple[int, ...]
    """Cases per level (``LEVELS`` order), as the framework decides."""
    recorded_counts: tuple[int, ...]
    confusion: Any
    """pandas DataFrame: framework level (rows) × recorded level (columns), counts."""
    by_indicator: Any
    by_domain: Any
    by_source: Any
    review: Any
    """Cases to review first: under-assessed, highest framework level and widest gap first."""
    provisional_counts: tuple[int, ...] = ()
    """Of the cases at each framework level (``LEVELS`` order), how many are provisional: their
    level rests on missing information (status column; ``Decision.status``)."""
    ruleset_status: str | None = None
    """The ruleset's declared standing (``ruleset.status``), shown in the report."""

    def tables(self) -> dict[str, Any]:
        """Every table of the audit as pandas DataFrames, by name."""
        from rhrt.render.reports import matrix_table

        summary = _summary_frame(self)
        return {
            "summary": summary,
            "levels": _levels_frame(self),
            "confusion": self.confusion,
            "confusion_flat": matrix_table(self.confusion),
            "by_indicator": self.by_indicator,
            "by_domain": self.by_domain,
            "by_source": self.by_source,
            "review": self.review,
        }

    def charts(self) -> dict[str, bytes]:
        """PNG charts: level distribution and the confusion-matrix heatmap."""
        from rhrt.render.reports import heatmap, level_bars

        return {
            "levels": level_bars(
                {"framework": self.framework_counts, "recorded": self.recorded_counts},
                "Cases by level",
            ),
            "confusion": heatmap(
                self.confusion.to_numpy(),
                "Recorded decision against framework level",
                "framework level",
                "recorded level",
            ),
        }

    def _sections(self, charts: bool) -> tuple[list[str], list[Any]]:
        from rhrt.render.reports import Section, matrix_table, pct

        c = self.charts() if charts else {}
        intro = [
            f"Ruleset: {self.ruleset}. {self.rows:,} cases, {self.recorded:,} with a recorded "
            "decision.",
            f"Agreement {pct(self.agreement)}; under-assessment (recorded below the framework) "
            f"{pct(self.under_rate)}; over-assessment {pct(self.over_rate)}.",
            "The framework supports professional judgement and never replaces it: a "
            "disagreement is a prompt to review the case, not a finding that it was wrong.",
        ]
        if self.ruleset_status:
            intro.insert(1, f"Ruleset status: {self.ruleset_status}")
        sections = [
            Section("Summary", tables=[("", _summary_frame(self))]),
            Section(
                "Levels",
                tables=[("", _levels_frame(self))],
                charts=[("Cases by level: framework and recorded", c["levels"])] if c else [],
            ),
            Section(
                "Confusion matrix",
                paragraphs=["Rows: the framework's level. Columns: the recorded decision."],
                tables=[("", matrix_table(self.confusion))],
                charts=[("Recorded decision against framework level", c["confusion"])]
                if c
                else [],
            ),
            Section(
                "Cases to review first",
                paragraphs=[
                    "Under-assessed cases, highest framework level first (level 4 at the top), "
                    "then the widest gap, urgent cases first."
                ],
                tables=[("", self.review)],
            ),
            Section("By referral source", tables=[("", self.by_source)]),
            Section(
                "By indicator",
                paragraphs=["Cases with each indicator present, most under-assessed first."],
                tables=[("", self.by_indicator)],
            ),
            Section("By domain", tables=[("", self.by_domain)]),
        ]
        return intro, sections

    def to_markdown(self) -> str:
        from rhrt.render.reports import render_markdown

        intro, sections = self._sections(charts=False)
        return render_markdown("Threshold consistency audit", intro, sections)

    def to_html(self) -> str:
        """A self-contained HTML report (charts inline)."""
        from rhrt.render.reports import render_html

        intro, sections = self._sections(charts=True)
        return render_html("Threshold consistency audit", intro, sections)


def _summary_frame(r: AuditResult) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "measure": ["cases", "provisional (level rests on missing information)",
                        "with recorded decision", "agreement", "under-assessment",
                        "over-assessment"],
            "value": [f"{r.rows:,}", f"{sum(r.provisional_counts):,}", f"{r.recorded:,}",
                      _p(r.agreement), _p(r.under_rate), _p(r.over_rate)],
        }
    )


def _levels_frame(r: AuditResult) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "level": list(LEVELS),
            "framework": list(r.framework_counts),
            "of which provisional": list(r.provisional_counts or (0,) * len(LEVELS)),
            "recorded": list(r.recorded_counts),
        }
    )


def _p(value: float) -> str:
    from rhrt.render.reports import pct

    return pct(value)


@dataclass(frozen=True)
class AuditCounts:
    """What an audit counts, before any rate is worked out: the one shape both drivers (local
    tables, :func:`compare`; Spark, :func:`compare_spark`) produce, so that
    :func:`audit_result` builds the same result, reports included, from either."""

    rows: int
    recorded: int
    agree: int
    under: int
    over: int
    confusion: Any
    """int array, framework level (rows) × recorded level (columns), lowest level first."""
    framework_counts: tuple[int, ...]
    recorded_counts: tuple[int, ...]
    provisional_counts: tuple[int, ...]
    """Of the cases at each framework level, how many are provisional."""
    groups: dict[str, list[tuple[str, int, int, int, int]]]
    """``indicator``/``domain``/``referral_source`` → (name, recorded cases, agreeing, under,
    over) in report order: indicators and domains in ruleset order, sources sorted."""
    review: dict[str, list[Any]]
    """The cases to review first, column by column, in :data:`REVIEW_ORDER`."""


REVIEW_ORDER = "highest framework level, widest gap, urgent, then row"
"""How the cases to review are ordered (both drivers sort by exactly this)."""


def audit_result(rules: Ruleset, counts: AuditCounts, *, min_cases: int = 1) -> AuditResult:
    """The audit's result from its counts (rates are worked out here, once for both drivers)."""
    import pandas as pd

    from rhrt.render.reports import matrix_frame

    def frame(key: str, groups: list[tuple[str, int, int, int, int]]) -> Any:
        rows = []
        for name, k, a, u, o in groups:
            if not k:
                rates = (float("nan"), float("nan"), float("nan"))
            else:
                rates = (float(a) / k, float(u) / k, float(o) / k)
            if k >= min_cases:
                rows.append({key: name, "cases": k, "agreement": rates[0], "under": rates[1],
                             "over": rates[2]})
        out = pd.DataFrame(rows, columns=[key, "cases", "agreement", "under", "over"])
        if len(out):
            out = out.sort_values(["under", "cases"], ascending=[False, False], kind="stable")
        return out.reset_index(drop=True)

    by_indicator = frame("indicator", counts.groups["indicator"])
    levels = rules.plan.indicator_level
    by_indicator.insert(1, "level", [levels[i] for i in by_indicator.indicator])
    by_domain = frame("domain", counts.groups["domain"])
    if "referral_source" in counts.groups:
        by_source = frame("referral_source", counts.groups["referral_source"])
    else:
        by_source = pd.DataFrame(columns=["referral_source", "cases", "agreement", "under",
                                          "over"])
    base = counts.recorded
    return AuditResult(
        ruleset=clean(f"{rules.id} {rules.version} (sha256 {rules.stamp.sha256[:12]})"),
        ruleset_status=(
            clean(rules.stamp.status.text) if rules.stamp.status is not None else None
        ),
        rows=counts.rows,
        recorded=base,
        agreement=float(counts.agree) / base if base else float("nan"),
        under_rate=float(counts.under) / base if base else float("nan"),
        over_rate=float(counts.over) / base if base else float("nan"),
        framework_counts=counts.framework_counts,
        recorded_counts=counts.recorded_counts,
        provisional_counts=counts.provisional_counts,
        confusion=matrix_frame(counts.confusion, "framework", "recorded"),
        by_indicator=by_indicator,
        by_domain=by_domain,
        by_source=by_source,
        review=pd.DataFrame(counts.review),
    )


def domain_members(rules: Ruleset) -> dict[str, list[str]]:
    """Domain id → the indicators counted under it (their own domain and their topics), for
    the domains any indicator names, in the ruleset's domain order."""
    members: dict[str, list[str]] = {}
    for ind in rules.model.indicators:
        for dom in dict.fromkeys((ind.domain, *ind.topics)):
            members.setdefault(dom, []).append(ind.id)
    return {d.id: members[d.id] for d in rules.model.domains if d.id in members}


def compare(
    table: Any,
    ruleset: Ruleset | None = None,
    *,
    top: int = 100,
    min_cases: int = 1,
    ignore_columns: Iterable[str] = (),
) -> AuditResult:
    """Audit a table's ``recorded_decision`` column against the framework's level.

    Args:
        table: pandas, polars or pyarrow; the batch layout plus ``recorded_decision`` (1-4,
            empty when none was recorded) and, for the source breakdown, ``referral_source``.
        ruleset: default the bundled ruleset.
        top: how many cases to list for review.
        min_cases: leave out indicators, domains and sources with fewer recorded cases.
    """
    import numpy as np
    import pandas as pd

    from rhrt.batch import evaluate_table, floats, texts

    rules = _ruleset(ruleset)
    ev = evaluate_table(table, rules, ignore_columns=ignore_columns)
    arrow = ev.table
    if "recorded_decision" not in arrow.column_names:
        raise CaseError("an audit needs a recorded_decision column", path="recorded_decision")
    rec_f = floats(arrow.column("recorded_decision"), "recorded_decision")
    has = ~np.isnan(rec_f)
    recorded_level = np.where(has, rec_f, 0).astype(np.int16)
    level = ev.result.level.astype(np.int16)
    agree = has & (recorded_level == level)
    under = has & (recorded_level < level)
    over = has & (recorded_level > level)

    confusion = np.zeros((len(LEVELS), len(LEVELS)), dtype=np.int64)
    np.add.at(confusion, (level[has] - LOWEST_LEVEL, recorded_level[has] - LOWEST_LEVEL), 1)
    fw_counts = np.bincount(level, minlength=TOP_LEVEL + 1)[LOWEST_LEVEL:]
    prov_counts = np.bincount(level[ev.result.provisional], minlength=TOP_LEVEL + 1)[
        LOWEST_LEVEL:
    ]
    rec_counts = np.bincount(recorded_level[has], minlength=TOP_LEVEL + 1)[LOWEST_LEVEL:]

    def counted(name: str, mask: Any) -> tuple[str, int, int, int, int]:
        m = mask & has
        return (name, int(m.sum()), int((agree & m).sum()), int((under & m).sum()),
                int((over & m).sum()))

    vp = ev.plan
    arrays = ev.arrays  # read by column from the pairs: no rows × indicators matrix
    groups = {
        "indicator": [counted(i, arrays.column(c)) for c, i in enumerate(vp.indicator_ids)],
        "domain": [
            counted(d, arrays.any_of(np.array([vp.column[i] for i in ids], dtype=np.intp)))
            for d, ids in domain_members(rules).items()
        ],
    }
    if "referral_source" in arrow.column_names:
        src = texts(arrow.column("referral_source")).to_numpy(zero_copy_only=False)
        src = np.where(pd.isna(src), NOT_RECORDED, src).astype(str)
        names, inverse = np.unique(src, return_inverse=True)
        groups["referral_source"] = [counted(str(s), inverse == k) for k, s in enumerate(names)]

    gap = level - recorded_level
    idx = np.flatnonzero(under)
    order = np.lexsort((idx, ~ev.result.urgent[idx], -gap[idx], -level[idx]))
    chosen = idx[order][:top]
    counts = AuditCounts(
        rows=int(level.shape[0]),
        recorded=int(has.sum()),
        agree=int(agree.sum()),
        under=int(under.sum()),
        over=int(over.sum()),
        confusion=confusion,
        framework_counts=tuple(int(x) for x in fw_counts),
        recorded_counts=tuple(int(x) for x in rec_counts),
        provisional_counts=tuple(int(x) for x in prov_counts),
        groups=groups,
        review=_review_frame(ev, chosen, recorded_level, arrow),
    )
    return audit_result(rules, counts, min_cases=min_cases)


NOT_RECORDED = "(not recorded)"
"""The referral source of rows that record none, in the by-source table."""


def _review_frame(ev: Any, chosen: Any, recorded_level: Any, arrow: Any) -> dict[str, Any]:
    import pyarrow as pa

    results = ev.results().take(pa.array(chosen, pa.int64()))
    data: dict[str, Any] = {"row": chosen.tolist()}
    if "case_ref" in arrow.column_names:
        data["case_ref"] = arrow.column("case_ref").take(pa.array(chosen, pa.int64())).to_pylist()
    data["status"] = results.column("status").to_pylist()
    data["framework_level"] = results.column("level").to_pylist()
    data["known_level"] = results.column("known_level").to_pylist()
    data["recorded_decision"] = recorded_level[chosen].tolist()
    data["urgent"] = results.column("urgent").to_pylist()
    if "referral_source" in arrow.column_names:
        data["referral_source"] = (
            arrow.column("referral_source").take(pa.array(chosen, pa.int64())).to_pylist()
        )
    data["determining_indicators"] = results.column("determining_indicators").to_pylist()
    return data


def _ruleset(ruleset: Ruleset | None) -> Ruleset:
    if ruleset is not None:
        return ruleset
    from rhrt.ruleset import load_ruleset

    return load_ruleset()


# -- on Spark: the same counts, aggregated by Spark (rhrt.batch.spark) ----------------------


def _spark_partition(batches: Iterator[Any], payload: bytes, sha256: str,
                     starts: dict[int, tuple[int, int]], ignore: tuple[str, ...],
                     domains: list[tuple[str, list[str]]]) -> Iterator[Any]:
    """Per row, what an audit counts: the framework's level, urgency and determining
    indicators (the kernel's), the recorded level, the indicators and domains present (after
    implied concerns), the referral source and the case reference."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from rhrt.batch import evaluate_arrow, floats, texts
    from rhrt.batch.spark import (
        ROW_COLUMN,
        chunks,
        executor_plan,
        partition_id,
        row_numbers,
        true_labels,
    )

    vp = executor_plan(payload, sha256)
    part = partition_id()
    start, _ = starts.get(part, (0, 0))
    done = 0
    for batch in chunks(batches):
        n = batch.num_rows
        ev = evaluate_arrow(batch, vp, offset=start + done, ignore_columns=ignore)
        table = ev.table
        results = ev.results()
        recorded = floats(table.column("recorded_decision"), "recorded_decision")
        present = ev.arrays.present  # the listing needs every row's indicators
        in_domain = np.zeros((len(domains), n), dtype=bool)
        for d, (_, ids) in enumerate(domains):
            in_domain[d] = ev.arrays.any_of(np.array([vp.column[i] for i in ids],
                                                     dtype=np.intp))
        columns: dict[str, Any] = {
            ROW_COLUMN: row_numbers(start + done, n),
            "status": results.column("status"),
            "level": results.column("level"),
            "known_level": results.column("known_level"),
            "provisional": pa.array(ev.result.provisional, pa.bool_()),
            "urgent": results.column("urgent"),
            "recorded": pa.array(recorded, pa.float64(), from_pandas=True),
            "present": true_labels(present, vp.indicator_ids),
            "domains": true_labels(in_domain, tuple(d for d, _ in domains)),
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


def compare_spark(
    df: Any,
    ruleset: Ruleset | None = None,
    *,
    top: int = 100,
    min_cases: int = 1,
    ignore_columns: Iterable[str] = (),
) -> Any:
    """:func:`compare` over a Spark DataFrame, counted by Spark aggregations (the spark extra).

    Returns the same :class:`~rhrt.audit.AuditResult` (reports included) as the local
    function gives for the DataFrame's rows in its order; the cases to review are numbered by
    their row in the DataFrame.

    Raises:
        CaseError: as :func:`rhrt.batch.spark.assess`; or the DataFrame has no
            ``recorded_decision`` column.
    """
    import numpy as np
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from rhrt.batch.spark import ROW_COLUMN, checked

    rules = _ruleset(ruleset)
    ignore = tuple(ignore_columns)
    if "recorded_decision" in df.columns and "recorded_decision" not in ignore:
        vp, job = checked(df, rules, ignore)
    else:
        raise CaseError("an audit needs a recorded_decision column", path="recorded_decision")
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

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        return _spark_partition(batches, shared.value, sha256, starts, ignore, domains)

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

# SPDX-License-Identifier: MIT
"""What-if: the impact of a ruleset change on a population of cases.

Why: thresholds change by editing the ruleset file, and a partnership must see what an edit
does before adopting it — how many children change level, in which direction, and *why*. Cases
that move down need the most scrutiny (a change that lowers a child's level can withdraw a
service), so they are listed separately.

Each move is attributed to one change, the first that explains it (rules in the new or old
ruleset's order, then indicators in ruleset order):

- a move up: a rule that now fires at the new level but did not reach it before (a new rule, a
  changed condition or level), else a present indicator whose level rose to the new level;
- a move down: a rule that reached the old level before but no longer does, else a present
  indicator whose level fell from the old level.

A move explained by neither (e.g. several changes together) is attributed to ``combination``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rhrt._text import clean
from rhrt.model.scale import LEVELS, LOWEST_LEVEL, TOP_LEVEL

if TYPE_CHECKING:
    from rhrt.ruleset import Ruleset

__all__ = ["ImpactCounts", "ImpactResult", "impact", "impact_result", "impact_spark",
           "move_causes", "ruleset_changes"]


@dataclass(frozen=True)
class ImpactResult:
    """The impact of replacing ``old`` with ``new`` on one table."""

    old: str
    new: str
    rows: int
    changed: int
    up: int
    down: int
    transition: Any
    """pandas DataFrame: old level (rows) × new level (columns), counts."""
    causes: Any
    """pandas DataFrame: cause, direction, cases (most cases first)."""
    moves: Any
    """Every case that changed level: row, case_ref, old_level, new_level, direction, cause."""
    moves_down: Any
    """Cases that move down (the ones that need scrutiny), biggest drop first."""
    changes: Any
    """The differences between the rulesets themselves (rules and indicators)."""
    old_counts: tuple[int, ...]
    """Cases per level (``LEVELS`` order) under the old rules."""
    new_counts: tuple[int, ...]
    old_provisional: tuple[int, ...] = ()
    """Of the cases at each level under the old rules, how many are provisional (their level
    rests on missing information)."""
    new_provisional: tuple[int, ...] = ()
    old_status: str | None = None
    """The old ruleset's declared standing (``ruleset.status``), shown in the report."""
    new_status: str | None = None

    @property
    def changed_rate(self) -> float:
        return self.changed / self.rows if self.rows else float("nan")

    def tables(self) -> dict[str, Any]:
        from rhrt.render.reports import matrix_table

        return {
            "summary": self._summary(),
            "transition": self.transition,
            "transition_flat": matrix_table(self.transition),
            "causes": self.causes,
            "moves": self.moves,
            "moves_down": self.moves_down,
            "changes": self.changes,
        }

    def charts(self) -> dict[str, bytes]:
        from rhrt.render.reports import heatmap, level_bars

        return {
            "levels": level_bars({"old": self.old_counts, "new": self.new_counts},
                                 "Cases by level: old and new rules"),
            "transition": heatmap(self.transition.to_numpy(), "Level transitions",
                                  "old level", "new level"),
        }

    def _summary(self) -> Any:
        import pandas as pd

        from rhrt.render.reports import pct

        return pd.DataFrame(
            {
                "measure": ["cases", "change level", "move up", "move down",
                            "provisional, old rules", "provisional, new rules"],
                "value": [f"{self.rows:,}", f"{self.changed:,} ({pct(self.changed_rate)})",
                          f"{self.up:,}", f"{self.down:,}", f"{sum(self.old_provisional):,}",
                          f"{sum(self.new_provisional):,}"],
            }
        )

    def _sections(self, charts: bool) -> tuple[list[str], list[Any]]:
        import pandas as pd

        from rhrt.render.reports import Section, matrix_table

        c = self.charts() if charts else {}
        none = (0,) * len(LEVELS)
        levels = pd.DataFrame({"level": list(LEVELS), "old": list(self.old_counts),
                               "old provisional": list(self.old_provisional or none),
                               "new": list(self.new_counts),
                               "new provisional": list(self.new_provisional or none)})
        intro = [
            f"Old rules: {self.old}. New rules: {self.new}.",
            f"{self.changed:,} of {self.rows:,} cases change level: {self.up:,} up, "
            f"{self.down:,} down.",
            "Cases that move down need scrutiny before a change is adopted. The framework "
            "supports professional judgement and never replaces it.",
        ]
        for which, status in (("Old", self.old_status), ("New", self.new_status)):
            if status:
                intro.insert(1, f"{which} ruleset's status: {status}")
        sections = [
            Section("Summary", tables=[("", self._summary())]),
            Section("Ruleset changes", tables=[("", self.changes)]),
            Section("Levels", tables=[("", levels)],
                    charts=[("Cases by level, old and new rules", c["levels"])] if c else []),
            Section(
                "Transition matrix",
                paragraphs=["Rows: level under the old rules. Columns: under the new rules."],
                tables=[("", matrix_table(self.transition))],
                charts=[("Level transitions", c["transition"])] if c else [],
            ),
            Section("What caused the moves", tables=[("", self.causes)]),
            Section(
                "Cases that move down",
                paragraphs=["These need scrutiny: the change would lower the child's level."],
                tables=[("", self.moves_down)],
            ),
        ]
        return intro, sections

    def to_markdown(self) -> str:
        from rhrt.render.reports import render_markdown

        intro, sections = self._sections(charts=False)
        return render_markdown("Ruleset change impact", intro, sections)

    def to_html(self) -> str:
        from rhrt.render.reports import render_html

        intro, sections = self._sections(charts=True)
        return render_html("Ruleset change impact", intro, sections)


def ruleset_changes(old: Ruleset, new: Ruleset) -> Any:
    """What differs between two rulesets as a table (columns ``kind``, ``id``, ``change``): the
    same change log, in the same words, as ``rhrt compare`` (:func:`rhrt.compare.ruleset_changes`).
    """
    import pandas as pd

    from rhrt.compare import ruleset_changes as changes

    rows = [{"kind": c.kind, "id": c.id, "change": c.change} for c in changes(old, new)]
    return pd.DataFrame(rows, columns=["kind", "id", "change"])


def impact(
    table: Any,
    old: Ruleset,
    new: Ruleset,
    *,
    top: int = 200,
    ignore_columns: Iterable[str] = (),
) -> ImpactResult:
    """Compare the levels two rulesets give every row of a table.

    The table must be valid for both rulesets (its indicator ids and measure columns must exist
    in each). ``top`` limits the moves-down list in reports (``moves`` has every move).
    """
    import numpy as np
    import pyarrow as pa

    from rhrt.batch import evaluate_table

    ev_old = evaluate_table(table, old, ignore_columns=ignore_columns)
    ev_new = evaluate_table(table, new, ignore_columns=ignore_columns)
    lo = ev_old.result.level.astype(np.int16)
    ln = ev_new.result.level.astype(np.int16)
    n = int(lo.shape[0])
    transition = np.zeros((len(LEVELS), len(LEVELS)), dtype=np.int64)
    np.add.at(transition, (lo - LOWEST_LEVEL, ln - LOWEST_LEVEL), 1)
    moved, cause = move_causes(ev_old, ev_new)

    arrow = ev_old.table
    refs = None
    if "case_ref" in arrow.column_names:
        refs = arrow.column("case_ref").take(pa.array(moved, pa.int64())).to_pylist()
    moves = {
        "row": moved.tolist(),
        **({"case_ref": refs} if refs is not None else {}),
        "old_level": lo[moved].tolist(),
        "new_level": ln[moved].tolist(),
        "direction": np.where(ln[moved] > lo[moved], "up", "down").tolist(),
        "cause": cause[moved].tolist(),
    }
    counts = ImpactCounts(rows=n, transition=transition, moves=moves,
                          old_counts=_per_level(lo), new_counts=_per_level(ln),
                          old_provisional=_per_level(lo[ev_old.result.provisional]),
                          new_provisional=_per_level(ln[ev_new.result.provisional]))
    return impact_result(old, new, counts, top=top)


@dataclass(frozen=True)
class ImpactCounts:
    """What a what-if comparison counts: the one shape both drivers (local tables,
    :func:`impact`; Spark, :func:`impact_spark`) produce, so that
    :func:`impact_result` builds the same result, reports included, from either."""

    rows: int
    transition: Any
    """int array, old level (rows) × new level (columns), lowest level first."""
    moves: dict[str, list[Any]]
    """Every row whose level moved, in row order: ``row``, ``case_ref`` (when the table has
    one), ``old_level``, ``new_level``, ``direction`` (up/down) and ``cause``."""
    old_counts: tuple[int, ...]
    new_counts: tuple[int, ...]
    old_provisional: tuple[int, ...] = ()
    """Of the cases at each level under the old rules, how many are provisional."""
    new_provisional: tuple[int, ...] = ()


def impact_result(old: Ruleset, new: Ruleset, counts: ImpactCounts, *,
                  top: int = 200) -> ImpactResult:
    """The comparison's result from its counts (the causes table and the moves-down list are
    worked out here, once for both drivers)."""
    import pandas as pd

    from rhrt.render.reports import matrix_frame

    moves = pd.DataFrame(counts.moves)
    if len(moves):
        causes = (
            moves.groupby(["cause", "direction"], sort=False).size().rename("cases").reset_index()
            .sort_values(["cases", "cause"], ascending=[False, True], kind="stable")
            .reset_index(drop=True)
        )
    else:
        causes = pd.DataFrame(columns=["cause", "direction", "cases"])
    down = moves[moves.direction == "down"].copy()
    down["drop"] = down.old_level - down.new_level
    down = down.sort_values(["drop", "old_level", "row"], ascending=[False, False, True],
                            kind="stable").drop(columns=["drop", "direction"]).head(top)
    up = int((moves.direction == "up").sum()) if len(moves) else 0
    return ImpactResult(
        old=_name(old),
        new=_name(new),
        rows=counts.rows,
        changed=len(moves),
        up=up,
        down=len(moves) - up,
        transition=matrix_frame(counts.transition, "old", "new"),
        causes=causes,
        moves=moves,
        moves_down=down.reset_index(drop=True),
        changes=ruleset_changes(old, new),
        old_counts=counts.old_counts,
        new_counts=counts.new_counts,
        old_provisional=counts.old_provisional,
        new_provisional=counts.new_provisional,
        old_status=_status(old),
        new_status=_status(new),
    )


def _status(ruleset: Ruleset) -> str | None:
    """A ruleset's declared standing, for the report (None when it declares none)."""
    return clean(ruleset.stamp.status.text) if ruleset.stamp.status is not None else None


def move_causes(ev_old: Any, ev_new: Any) -> tuple[Any, Any]:
    """The rows whose level differs between two evaluations of the same rows (``Evaluated``),
    and per row the first change that explains its move (empty where it did not move)."""
    import numpy as np

    lo = ev_old.result.level.astype(np.int16)
    ln = ev_new.result.level.astype(np.int16)
    moved = np.flatnonzero(lo != ln)
    up_rows = moved[ln[moved] > lo[moved]]
    down_rows = moved[ln[moved] < lo[moved]]
    cause = np.full(int(lo.shape[0]), "", dtype=object)
    cause[up_rows] = _attribute(up_rows, ev_new, ev_old, ln, up=True)
    cause[down_rows] = _attribute(down_rows, ev_old, ev_new, lo, up=False)
    return moved, cause


def _per_level(levels: Any) -> tuple[int, ...]:
    """How many of ``levels`` (an int array) are at each level of the scale, lowest first."""
    import numpy as np

    return tuple(int(x) for x in np.bincount(levels, minlength=TOP_LEVEL + 1)[LOWEST_LEVEL:])


def _name(ruleset: Ruleset) -> str:
    return clean(f"{ruleset.id} {ruleset.version} (sha256 {ruleset.stamp.sha256[:12]})")


def _attribute(rows: Any, ev_to: Any, ev_from: Any, level_to: Any, *, up: bool) -> Any:
    """The first change explaining each move from ``level_from`` (under ``ev_from``'s rules) to
    ``level_to`` (under ``ev_to``'s): ``ev_to`` is the side whose rules or indicators set the
    level that the other side does not reach.

    For a move up, ``to`` is the new ruleset; for a move down, the old one (a rule that *used*
    to set the level).
    """
    import numpy as np

    out = np.full(rows.size, "combination", dtype=object)
    if not rows.size:
        return out
    target = level_to[rows]
    done = np.zeros(rows.size, dtype=bool)
    vp_to, vp_from = ev_to.plan, ev_from.plan
    from_rules = {rid: r for r, rid in enumerate(vp_from.rule_ids)}
    for r, rid in enumerate(vp_to.rule_ids):
        level = vp_to.rules[r].level
        if level is None:
            continue
        sets = ev_to.result.fired[r, rows] & (target == level)
        other = from_rules.get(rid)
        if other is not None and vp_from.rules[other].level is not None:
            still = ev_from.result.fired[other, rows] & (vp_from.rules[other].level >= target)
            sets &= ~still
        hit = sets & ~done
        out[hit] = f"rule {rid}" + ("" if other is not None else (" (added)" if up else
                                                                   " (removed)"))
        done |= hit
    for c, ind in enumerate(vp_to.indicator_ids):
        lv_to = int(vp_to.indicator_level[c])
        c_from = vp_from.column.get(ind)
        lv_from = int(vp_from.indicator_level[c_from]) if c_from is not None else 0
        if lv_from >= lv_to:
            continue
        hit = ev_to.arrays.column(c)[rows] & (target == lv_to) & ~done
        if not lv_from:
            label = f"indicator {ind} ({'added' if up else 'removed'} at level {lv_to})"
        elif up:
            label = f"indicator {ind} (level {lv_from} → {lv_to})"
        else:
            label = f"indicator {ind} (level {lv_to} → {lv_from})"
        out[hit] = label
        done |= hit
    return out


# -- on Spark: the same counts, aggregated by Spark (rhrt.batch.spark) ----------------------


def _spark_partition(batches: Iterator[Any], payloads: tuple[bytes, bytes],
                     shas: tuple[str, str], starts: dict[int, tuple[int, int]],
                     ignore: tuple[str, ...]) -> Iterator[Any]:
    """Per row, both rulesets' levels and, where they differ, the cause of the move (the
    local function's own :func:`rhrt.diff.move_causes`)."""
    import numpy as np
    import pyarrow as pa

    from rhrt.batch import evaluate_arrow
    from rhrt.batch.spark import ROW_COLUMN, chunks, executor_plan, partition_id, row_numbers

    old = executor_plan(payloads[0], shas[0])
    new = executor_plan(payloads[1], shas[1])
    part = partition_id()
    start, _ = starts.get(part, (0, 0))
    done = 0
    for batch in chunks(batches):
        n = batch.num_rows
        ev_old = evaluate_arrow(batch, old, offset=start + done, ignore_columns=ignore)
        ev_new = evaluate_arrow(batch, new, offset=start + done, ignore_columns=ignore)
        _, cause = move_causes(ev_old, ev_new)
        columns: dict[str, Any] = {
            ROW_COLUMN: row_numbers(start + done, n),
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


def impact_spark(
    df: Any,
    old: Ruleset,
    new: Ruleset,
    *,
    top: int = 200,
    ignore_columns: Iterable[str] = (),
) -> Any:
    """:func:`impact` over a Spark DataFrame (the spark extra): the transition counts aggregated by
    Spark, the moved rows (with their causes) collected in row order.

    Returns the same :class:`~rhrt.diff.ImpactResult` (reports included) as the local
    function gives for the DataFrame's rows in its order.

    Raises:
        CaseError: as :func:`rhrt.batch.spark.assess`, for either ruleset.
    """
    import numpy as np
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from rhrt.batch.spark import ROW_COLUMN, checked

    ignore = tuple(ignore_columns)
    jobs = [checked(df, rules, ignore)[1] for rules in (old, new)]
    starts = jobs[0].starts
    shared = (jobs[0].shared, jobs[1].shared)
    shas = (jobs[0].sha256, jobs[1].sha256)

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        return _spark_partition(batches, (shared[0].value, shared[1].value), shas, starts,
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

# SPDX-License-Identifier: MIT
"""Synthetic populations of contacts: realistic, reproducible, and never real children.

Why: demos, tests and benchmarks need data shaped like a children's services front door, and
real case data must never be used for that. The shape follows published national figures
(``shared/research/levels-of-need-sources.md`` §5), scaled to whatever ruleset is in use:

- most contacts never reach an assessment (about half show no need beyond universal services;
  police contacts, the largest source at about 29%, most often need no further action);
- domestic abuse (about half of assessments) and parental mental health (about a third) are the
  most common factors, then substance misuse, emotional abuse and neglect;
- a practitioner's recorded decision usually agrees with the framework, is sometimes one level
  lower (more often for police contacts) and occasionally higher, so audits have something to
  find.

The generator works for any ruleset: indicators are weighted by matching their ids, tags,
domains and text against the national factors, so a ruleset's own domestic-abuse indicators
become the most common whatever they are called.

Reproducible: rows are made in fixed blocks of :data:`BLOCK` rows, block ``b`` from the numpy
generator seeded with ``(seed, b)``, so the same ``(n, seed, ruleset)`` always gives the same
table, the first ``m`` rows of a larger population equal the population of ``m``, and a file
of any size can be written block by block without holding it in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rhrt.errors import CaseError
from rhrt.model.scale import LEVELS, LOWEST_LEVEL, TOP_LEVEL

if TYPE_CHECKING:
    from rhrt.ruleset import Ruleset

BLOCK = 65_536
"""Rows per generated block (fixed, so results do not depend on how output is chunked)."""

MAX_ROWS = 20_000_000
"""The largest population rhrt makes (``n`` above it is refused before any work).

Why: the largest file anything needs is the 10-million-row benchmark (docs/analysts.md); this
is twice that. A CSV row is about 100 bytes, so 20 million rows is about 2 GB and minutes of
work, while a mistyped ``rhrt synth 99999999999999999999`` once ran ten minutes and wrote
7.6 GB before it was stopped. Write several files with different seeds for more."""

REFERRAL_SOURCES: tuple[tuple[str, float], ...] = (
    ("police", 0.29),
    ("school", 0.21),
    ("health", 0.14),
    ("local-authority", 0.09),
    ("individual", 0.07),
    ("other-agency", 0.12),
    ("anonymous", 0.02),
    ("housing", 0.02),
    ("early-years", 0.04),
)
"""Share of contacts by source (DfE Children in Need census, England, recent years)."""

FACTORS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("domestic-abuse", ("domestic", "dash", "coercive", "da-"), 49.6),
    ("mental-health", ("mental",), 36.6),
    ("drugs", ("drug", "substance"), 19.3),
    ("emotional-abuse", ("emotional",), 19.3),
    ("alcohol", ("alcohol",), 18.4),
    ("neglect", ("neglect", "diet", "hygiene"), 17.5),
    ("physical-abuse", ("physical-abuse", "injury", "bruis"), 14.0),
    ("self-harm", ("self-harm", "suicid"), 4.3),
    ("exploitation", ("exploitation", "cse", "cce"), 3.9),
    ("missing", ("missing",), 2.7),
    ("gangs", ("gang", "county-lines"), 1.2),
)
"""Factors identified at assessment (DfE 2015-16, % of assessments) and words that find them."""

_SOURCE_BOOST = {
    "police": {"domestic-abuse": 3.0, "missing": 2.0, "gangs": 2.0, "exploitation": 1.5},
    "health": {"mental-health": 2.0, "drugs": 1.5, "alcohol": 1.5, "self-harm": 2.0},
    "school": {"neglect": 1.5, "emotional-abuse": 1.5, "self-harm": 1.5},
}

# The latent need of a contact (1: universal ... 4: acute), by source: police contacts are the
# most likely to need no further action.
_TIERS_DEFAULT = (0.50, 0.28, 0.15, 0.07)
_TIERS_POLICE = (0.60, 0.22, 0.11, 0.07)

# How often a recorded decision differs from the framework: (two lower, one lower, one higher).
_DISAGREE_DEFAULT = (0.015, 0.09, 0.07)
_DISAGREE_POLICE = (0.03, 0.15, 0.05)
_RECORDED_MISSING = 0.02


@dataclass(frozen=True)
class _Design:
    """What the generator needs to know about a ruleset, computed once."""

    level_cols: dict[int, Any]
    """Level → indicator columns at that level (falls back to the nearest level present)."""
    cdf: dict[int, Any]
    """Level → (sources × indicators at that level) cumulative selection probabilities."""
    measures: tuple[tuple[str, float, float, bool, Any], ...]
    """(id, min, max, integer, related indicator columns)."""
    indicator_ids: tuple[str, ...]


def _themes(text: str) -> set[str]:
    text = text.lower()
    return {name for name, words, _ in FACTORS if any(w in text for w in words)}


def _design(ruleset: Ruleset) -> _Design:
    import numpy as np

    model = ruleset.model
    safety = model.safety
    ids = ruleset.plan.indicator_order
    inds = {ind.id: ind for ind in model.indicators}
    share = {name: pct for name, _, pct in FACTORS}
    themes: list[set[str]] = []
    weights = np.empty((len(REFERRAL_SOURCES), len(ids)))
    for c, ind_id in enumerate(ids):
        ind = inds[ind_id]
        found = _themes(" ".join((ind.id, ind.domain, *ind.topics, *ind.tags, ind.text)))
        themes.append(found)
        # level-1 indicators are strengths ("free from domestic abuse"): no factor weight
        factor = max((share[t] for t in found), default=0.0) if ind.level > 1 else 0.0
        base = 4.0 + factor
        if safety.immediate_danger.tag in ind.tags:
            base *= 0.05
        if safety.allegation.tag in ind.tags:
            base *= 0.1
        for s, (source, _) in enumerate(REFERRAL_SOURCES):
            boost = max((_SOURCE_BOOST.get(source, {}).get(t, 1.0) for t in found), default=1.0)
            weights[s, c] = base * boost
    levels = np.array([ruleset.plan.indicator_level[i] for i in ids])
    level_cols: dict[int, Any] = {}
    cdf: dict[int, Any] = {}
    for lv in LEVELS:
        # a missing level borrows its nearest neighbour, except the lowest (no concern at all)
        raising = LEVELS[1:]
        order = [lv] if lv == LOWEST_LEVEL else [
            lv, *sorted(raising, key=lambda x: (abs(x - lv), x))
        ]
        cols = np.zeros(0, dtype=np.intp)
        for candidate in order:
            cols = np.flatnonzero(levels == candidate)
            if cols.size:
                break
        if not cols.size:
            continue
        w = weights[:, cols]
        level_cols[lv] = cols
        cdf[lv] = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
    measures = []
    for ms in model.measures:
        found = _themes(ms.id.replace("_", "-") + " " + ms.title)
        related = np.array([c for c, t in enumerate(themes) if t & found], dtype=np.intp)
        measures.append((ms.id, float(ms.min), float(ms.max), ms.integer, related))
    return _Design(level_cols, cdf, tuple(measures), ids)


def _block(design: _Design, ruleset: Ruleset, seed: int, block: int) -> Any:
    """One block of :data:`BLOCK` rows as a pyarrow Table."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from rhrt.batch import Arrays, list_column, sorted_unique, vector_plan

    rng = np.random.default_rng([seed, block])
    n = BLOCK
    k = len(design.indicator_ids)

    names = [s for s, _ in REFERRAL_SOURCES]
    probs = np.array([p for _, p in REFERRAL_SOURCES])
    source = rng.choice(len(names), size=n, p=probs / probs.sum())
    police = source == names.index("police")
    u = rng.random(n)
    tiers_cdf = np.where(police[:, None], np.cumsum(_TIERS_POLICE), np.cumsum(_TIERS_DEFAULT))
    tier = 1 + (u[:, None] > tiers_cdf).sum(axis=1)
    tier = np.minimum(tier, TOP_LEVEL)

    # slots: each row draws up to 6 concerns, each at a level, depending on its tier
    slots = np.zeros((6, n), dtype=np.int8)
    r = rng.random((6, n))
    t1, t2, t3, t4 = (tier == 1), (tier == 2), (tier == 3), (tier == 4)
    slots[0] = np.where(t1 & (r[0] < 0.7), 1, 0)
    slots[1] = np.where(t1 & (r[1] < 0.25), 1, slots[1])
    slots[0] = np.where(t2, 2, slots[0])
    slots[1] = np.where(t2 & (r[1] < 0.55), 2, slots[1])
    slots[2] = np.where(t2 & (r[2] < 0.2), 2, slots[2])
    slots[3] = np.where((t2 | t3) & (r[3] < 0.3), 1, slots[3])
    single = r[0] < 0.65
    slots[0] = np.where(t3, np.where(single, 3, 2), slots[0])
    slots[1] = np.where(t3, 2, slots[1])
    slots[2] = np.where(t3 & (~single | (r[2] < 0.35)), 2, slots[2])
    slots[4] = np.where(t3 & ~single, 2, slots[4])
    acute = r[1] < 0.55
    slots[0] = np.where(t4, np.where(acute, 4, 3), slots[0])
    slots[1] = np.where(t4 & (r[2] < 0.7), 2, slots[1])
    slots[2] = np.where(t4 & ~acute, 3, slots[2])
    slots[5] = np.where((t3 | t4) & (r[5] < 0.3), 2, slots[5])

    present = np.zeros((k, n), dtype=bool)
    keys: list[Any] = []
    for s in range(slots.shape[0]):
        for lv in LEVELS:
            rows = np.flatnonzero(slots[s] == lv)
            if not rows.size or lv not in design.cdf:
                continue
            cdf = design.cdf[lv][source[rows]]
            pick = (cdf < rng.random(rows.size)[:, None]).sum(axis=1)
            pick = np.minimum(pick, cdf.shape[1] - 1)
            cols = design.level_cols[lv][pick]
            present[cols, rows] = True
            keys.append(rows.astype(np.int64) * k + cols)

    # age: unborn 3%, not recorded 4%, else skewed young as in the CIN population
    a = rng.random(n)
    unborn = a < 0.03
    unknown_age = (a >= 0.03) & (a < 0.07)
    band = rng.choice(5, size=n, p=[0.15, 0.20, 0.27, 0.28, 0.10])
    low = np.array([0.0, 1.0, 5.0, 10.0, 16.0])[band]
    high = np.array([1.0, 5.0, 10.0, 16.0, 18.0])[band]
    years = np.round(low + (high - low) * rng.random(n), 1)
    years = np.minimum(years, np.nextafter(high, 0))
    age_years = np.where(unborn | unknown_age, np.nan, years)
    gestation = np.where(unborn, rng.integers(12, 41, size=n).astype(float), np.nan)

    measure_values: dict[str, Any] = {}
    for mid, lo, hi, integer, related in design.measures:
        relevant = present[related].any(axis=0) if related.size else np.zeros(n, dtype=bool)
        recorded = rng.random(n) < np.where(relevant, 0.7, 0.02)
        shape_a = np.array([0.0, 1.0, 1.6, 2.6, 4.0])[tier]
        # counts with a wide valid range (incidents in a year) stay in a plausible band
        top = min(hi, lo + 24.0)
        value = lo + (top - lo) * rng.beta(shape_a, 3.0)
        if integer:
            value = np.clip(np.round(value), np.ceil(lo), np.floor(hi))
        measure_values[mid] = np.where(recorded, value, np.nan)

    vp = vector_plan(ruleset.plan)
    arrays = Arrays(present, measure_values, age_years * 12.0, unborn)
    framework = vp.evaluate(arrays).level.astype(np.int16)
    d = rng.random(n)
    two_down = np.where(police, _DISAGREE_POLICE[0], _DISAGREE_DEFAULT[0])
    one_down = two_down + np.where(police, _DISAGREE_POLICE[1], _DISAGREE_DEFAULT[1])
    one_up = one_down + np.where(police, _DISAGREE_POLICE[2], _DISAGREE_DEFAULT[2])
    shift = np.select([d < two_down, d < one_down, d < one_up], [-2, -1, 1], 0)
    recorded_level = np.clip(framework + shift, LOWEST_LEVEL, TOP_LEVEL).astype(float)
    recorded_level[rng.random(n) < _RECORDED_MISSING] = np.nan

    pair = sorted_unique(np.concatenate(keys)) if keys else np.zeros(0, np.int64)
    index = pa.array(np.arange(block * BLOCK, block * BLOCK + n, dtype=np.int64))
    ref = pc.binary_join_element_wise(
        f"SYN-{seed}-", pc.utf8_lpad(pc.cast(index, pa.string()), 9, "0"), ""
    )
    columns: dict[str, Any] = {
        "case_ref": ref,
        "referral_source": pc.take(pa.array(names), pa.array(source)),
        "age_years": pa.array(age_years, from_pandas=True),
        "unborn": pa.array(unborn),
        "gestation_weeks": pa.array(gestation, from_pandas=True),
        "indicators": list_column(pair // k, pair % k, n, design.indicator_ids),
    }
    for mid, values in measure_values.items():
        columns[mid] = pa.array(values, from_pandas=True)
    columns["recorded_decision"] = pc.cast(pa.array(recorded_level, from_pandas=True), pa.int8())
    return pa.table(columns)


def check_rows(n: object, *, path: str = "n") -> int:
    """``n`` as a number of rows: a whole number from 0 to :data:`MAX_ROWS`.

    Raises:
        CaseError: ``n`` is not a whole number (``True`` included), is negative, or is above
            :data:`MAX_ROWS` (naming ``path``; never the value).
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise CaseError("the number of cases must be a whole number", path=path)
    if n < 0:
        raise CaseError("the number of cases must not be negative", path=path)
    if n > MAX_ROWS:
        raise CaseError(
            f"the number of cases must be at most {MAX_ROWS:,} (rhrt.synth.MAX_ROWS); "
            "write several files with different seeds for more",
            path=path,
        )
    return n


def population_batches(
    n: int, seed: int = 0, ruleset: Ruleset | None = None
) -> Iterator[Any]:
    """Yield a population of ``n`` contacts as pyarrow Tables of at most :data:`BLOCK` rows.

    Raises (at the call, before any work):
        CaseError: ``n`` is not from 0 to :data:`MAX_ROWS` (:func:`check_rows`), or the seed
            is not valid.
    """
    from rhrt.batch import require_analysis

    require_analysis("synthetic populations")
    check_rows(n)
    _check_seed(seed)
    return _batches(n, seed, ruleset)


def _batches(n: int, seed: int, ruleset: Ruleset | None) -> Iterator[Any]:
    if ruleset is None:
        from rhrt.ruleset import load_ruleset

        ruleset = load_ruleset()
    if n >= BLOCK:
        from rhrt.batch import tune_allocator

        tune_allocator()
    design = _design(ruleset)
    done = 0
    block = 0
    while done < n:
        table = _block(design, ruleset, seed, block)
        take = min(BLOCK, n - done)
        yield table.slice(0, take) if take < BLOCK else table
        done += take
        block += 1


def population(
    n: int, seed: int = 0, ruleset: Ruleset | None = None, *, kind: str = "arrow"
) -> Any:
    """A synthetic population of ``n`` contacts (one row per contact).

    Columns: ``case_ref``, ``referral_source``, ``age_years`` (empty when not recorded or
    unborn), ``unborn``, ``gestation_weeks``, ``indicators`` (list of ids), one column per
    ruleset measure (empty when not recorded) and ``recorded_decision`` (the practitioner's
    level, sometimes different from the framework's, sometimes missing).

    Args:
        n: number of rows, from 0 to :data:`MAX_ROWS`.
        seed: the same seed (and ruleset) always gives the same table.
        ruleset: whose indicators and measures to use (default: the bundled ruleset).
        kind: ``"arrow"`` (pyarrow Table, default), ``"pandas"`` or ``"polars"``.
    """
    import pyarrow as pa

    if kind not in ("arrow", "pandas", "polars"):
        raise CaseError("kind must be arrow, pandas or polars", path="kind")
    parts = list(population_batches(n, seed, ruleset))
    if parts:
        table = pa.concat_tables(parts).combine_chunks()
    else:
        table = _block(_design(_default(ruleset)), _default(ruleset), seed, 0).slice(0, 0)
    if kind == "pandas":
        return table.to_pandas()
    if kind == "polars":
        import polars as pl

        return pl.from_arrow(table)
    return table


def _default(ruleset: Ruleset | None) -> Ruleset:
    if ruleset is not None:
        return ruleset
    from rhrt.ruleset import load_ruleset

    return load_ruleset()


def write_population(
    n: int,
    out: str | Path,
    seed: int = 0,
    ruleset: Ruleset | None = None,
    *,
    progress: Any = None,
) -> int:
    """Write a population to CSV or Parquet block by block (memory stays flat); returns rows.

    The file is written whole or not at all, compressed as its name says (``.csv.gz``), with
    formula-safe CSV cells (see ``rhrt.batch._output``). ``progress`` is called with the number
    of rows written after each block.

    Raises:
        CaseError: ``n`` is not from 0 to :data:`MAX_ROWS` or ``seed`` is negative (both
            before anything is written), or the name has an unsupported suffix.
        FileError: the file cannot be written (see :mod:`rhrt.files`).
    """
    from rhrt.batch import Writer

    check_rows(n)
    _check_seed(seed)
    path = Path(out)
    writer = Writer(path)
    rows = 0
    try:
        for table in population_batches(n, seed, ruleset):
            writer.write(table)
            rows += table.num_rows
            if progress is not None:
                progress(table.num_rows)
        if rows == 0:
            writer.write(population(0, seed, ruleset))
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return rows


def _check_seed(seed: int) -> None:
    """numpy takes seeds from 0 to 2**128 - 1; anything else is refused by name."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**128:
        raise CaseError("the seed must be a whole number from 0 to 2**128 - 1", path="seed")


__all__: Sequence[str] = [
    "BLOCK",
    "FACTORS",
    "MAX_ROWS",
    "REFERRAL_SOURCES",
    "check_rows",
    "population",
    "population_batches",
    "write_population",
]

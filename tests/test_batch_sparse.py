# SPDX-License-Identifier: MIT
"""The batch engine evaluates leaves over many indicator columns on the sparse (row, indicator)
pairs (``batch/_vector._Sparse``). Pairs repeat when a row lists an id twice, or gives it both
in the list and in an ``ind:`` column, or a measure implies a concern also selected: a concern
still counts once, exactly as one case's set of concerns does."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import rhrt  # noqa: E402
from rhrt.batch import _vector, assess_table  # noqa: E402
from rhrt.testing.strategies import rulesets  # noqa: E402

COLUMNS = ("level", "urgent", "status", "known_level", "pathways", "determining_indicators")


@st.composite
def _repeating_rows(draw: Any, ruleset: rhrt.Ruleset) -> tuple[Any, list[dict[str, Any]]]:
    """A table whose rows repeat concerns, and each row's case as a dict (ids once)."""
    ids = list(ruleset.plan.indicator_order)
    flagged = ids[: max(1, len(ids) // 3)]  # also given as ind: columns
    n = draw(st.integers(1, 12))
    lists, flags, ages, cases = [], {i: [] for i in flagged}, [], []  # type: ignore[var-annotated]
    for _ in range(n):
        chosen = draw(st.lists(st.sampled_from(ids), max_size=6))
        repeated = chosen + draw(st.lists(st.sampled_from(chosen), max_size=4)) if chosen else []
        marked = {i for i in flagged if draw(st.booleans())} if draw(st.booleans()) else set()
        age = draw(st.sampled_from([None, 3.0, 120.0]))
        lists.append(repeated)
        for i in flagged:
            flags[i].append(i in marked)
        ages.append(age)
        case: dict[str, Any] = {"indicators": sorted(set(repeated) | marked)}
        if age is not None:
            case["child"] = {"age_months": age}
        cases.append(case)
    table = pa.table(
        {
            "indicators": pa.array(lists, pa.list_(pa.string())),
            "age_months": pa.array(ages, pa.float64()),
            **{f"ind:{i}": pa.array(v) for i, v in flags.items()},
        }
    )
    return table, cases


def _check(ruleset: rhrt.Ruleset, table: Any, cases: list[dict[str, Any]]) -> None:
    out = assess_table(table, ruleset, keep_input=False)
    with pytest.MonkeyPatch.context() as m:  # every leaf it can on the pairs
        m.setattr(_vector._Sparse, "cheaper", lambda self, columns: True)
        sparse = assess_table(table, ruleset, keep_input=False)
    with pytest.MonkeyPatch.context() as m:  # the dense engine on the same table
        m.setattr(_vector._Sparse, "of", classmethod(lambda cls, arrays: None))
        dense = assess_table(table, ruleset, keep_input=False)
    assert out.equals(dense)
    assert sparse.equals(dense)
    for i, case in enumerate(cases):
        decision = ruleset.assess(case)
        assert out.column("level")[i].as_py() == decision.level, (i, case)
        assert out.column("pathways")[i].as_py() == [p.id for p in decision.pathways], (i, case)
        assert out.column("determining_indicators")[i].as_py() == [
            f.id for f in decision.explanation.indicators
        ], (i, case)
        assert out.column("consent_position")[i].as_py() == decision.consent.id, (i, case)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_repeated_concerns_count_once_on_generated_rulesets(data: st.DataObject) -> None:
    ruleset = data.draw(rulesets(max_indicators=10, max_rules=6, max_depth=3, allow_not=True))
    _check(ruleset, *data.draw(_repeating_rows(ruleset)))


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_repeated_concerns_count_once_on_the_bundled_ruleset(data: st.DataObject) -> None:
    ruleset = rhrt.load_ruleset()
    _check(ruleset, *data.draw(_repeating_rows(ruleset)))


def test_one_concern_listed_three_times_is_one_concern() -> None:
    """A count of 'at least 3 concerns' is not met by one concern listed three times (nor by
    it listed twice and flagged in its own column)."""
    ruleset = rhrt.load_ruleset()
    counts = [
        rule for rule in ruleset.plan.rules
        if type(rule.condition).__name__ == "Count" and rule.condition.at_least >= 3  # type: ignore[union-attr]
    ]
    assert counts, "the bundled ruleset has a count of three or more concerns"
    rule = counts[0]
    one = sorted(rule.condition.ids)[0]  # type: ignore[union-attr]
    table = pa.table({
        "indicators": pa.array([[one, one, one], [one, one]], pa.list_(pa.string())),
        f"ind:{one}": pa.array([False, True]),
        "age_months": pa.array([60.0, 60.0]),
    })
    cases = [{"indicators": [one], "child": {"age_months": 60.0}}] * 2
    _check(ruleset, table, cases)
    fired = assess_table(table, ruleset, keep_input=False).column("pathways").to_pylist()
    decision = ruleset.assess(cases[0])
    assert all(p == [x.id for x in decision.pathways] for p in fired)
    assert rule.id not in {r.id for r in decision.explanation.rules}


def _population_table(ruleset: rhrt.Ruleset) -> Any:
    """A small synthetic population with recorded measures, context and implied concerns."""
    from rhrt.synth import population

    return population(400, seed=21, ruleset=ruleset)


@pytest.mark.parametrize("fast", [True, False])
def test_assessing_a_table_builds_no_rows_by_indicators_matrix(fast: bool) -> None:
    """Evaluation, the result columns and the unread-measure trials read the pairs only: the
    dense matrix (≈ 300 MB per 1M rows) is not built unless a consumer reads it."""
    from rhrt.batch.kernel import evaluate_arrow

    ruleset = rhrt.load_ruleset()
    table = _population_table(ruleset)
    ev = evaluate_arrow(table, ruleset)
    assert ev.arrays.measures, "the population records measures (the unread trials run)"
    ev.results(fast=fast)
    assert "present" not in ev.arrays._built
    assert ev.arrays.dense is None


def test_the_matrix_built_from_the_pairs_is_each_rows_concerns() -> None:
    """``Arrays.present`` (built on first read), ``column`` and ``any_of`` give each row's
    concerns as a case dict of the same row would have them (repeats counted once)."""
    import numpy as np

    from rhrt.batch.kernel import evaluate_arrow

    ruleset = rhrt.load_ruleset()
    ids = list(ruleset.plan.indicator_order)
    rows = [[ids[0], ids[0], ids[5]], [], [ids[7]], [ids[5], ids[-1]]]
    table = pa.table({"indicators": pa.array(rows, pa.list_(pa.string())),
                      f"ind:{ids[7]}": pa.array([True, False, True, False])})
    arrays = evaluate_arrow(table, ruleset).arrays
    want = np.zeros((len(ids), len(rows)), dtype=bool)
    for i, row in enumerate(rows):
        for ind in [*row, *([ids[7]] if i in (0, 2) else [])]:
            want[ids.index(ind), i] = True
    for c in range(len(ids)):
        assert arrays.column(c).tolist() == want[c].tolist(), ids[c]
    some = np.array([0, 7, len(ids) - 1], dtype=np.intp)
    assert arrays.any_of(some).tolist() == want[some].any(axis=0).tolist()
    assert arrays.any_of(np.arange(len(ids), dtype=np.intp)).tolist() == [True, False, True, True]
    assert (arrays.present == want).all()
    assert "present" in arrays._built
    assert arrays.column(5).tolist() == want[5].tolist()  # now read from the built matrix


@pytest.mark.parametrize("window", [1, 2, 3])
def test_indicator_lists_read_in_windows_give_the_same_table(window: int) -> None:
    """The indicator lists are read a window of rows at a time: row numbers carry across
    windows, and an unknown id in a later window is refused at its own row."""
    from rhrt.batch import _table
    from rhrt.errors import CaseError

    ruleset = rhrt.load_ruleset()
    ids = list(ruleset.plan.indicator_order)
    lists = [[ids[3]], [], [ids[0], " " + ids[9] + " ", ids[0]], None, [ids[-1]], [""]]
    table = pa.table({"indicators": pa.array(lists, pa.list_(pa.string())),
                      "age_months": pa.array([60.0] * len(lists))})
    whole = assess_table(table, ruleset, keep_input=False)
    bad = pa.table({"indicators": pa.array([*lists, ["no-such-id"]], pa.list_(pa.string()))})
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_table, "_ID_WINDOW", window)
        assert assess_table(table, ruleset, keep_input=False).equals(whole)
        with pytest.raises(CaseError) as caught:
            assess_table(bad, ruleset)
    assert "rows[6]" in str(caught.value)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_concern_leaves_on_the_pairs_agree_with_the_matrix(data: st.DataObject) -> None:
    """Every indicator leaf of the bundled ruleset (its "level-N-or-above" sets read off each
    row's highest level, counts across domains) gives on the pairs, sorted and repeat-free or
    repeating, what it gives on the dense matrix of the same concerns."""
    import numpy as np

    from rhrt.rules.plan import Count, HasAny, walk

    ruleset = rhrt.load_ruleset()
    vp = _vector.vector_plan(ruleset.plan)
    k = len(vp.indicator_ids)
    n = data.draw(st.integers(1, 12))
    rows = sorted(data.draw(st.lists(st.integers(0, n - 1), max_size=6 * n)))
    # mostly a few concerns of two domains, so rows often hold several of one domain only
    pool = [int(c) for d in (0, 1)
            for c in np.flatnonzero((vp.primary_domain == d) & (vp.indicator_level >= 2))[:3]]
    column = st.one_of(st.sampled_from(pool), st.sampled_from(pool[:3]), st.integers(0, k - 1))
    cols = data.draw(st.lists(column, min_size=len(rows), max_size=len(rows)))
    r, c = np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp)
    u_rows, u_cols = _vector.unique_pairs(r, c, k) if r.size else (r, c)
    facts: dict[str, Any] = {"measures": {}, "age_months": np.full(n, np.nan),
                             "unborn": np.zeros(n, dtype=bool), "width": k}
    sorted_once = _vector.Arrays(dense=None, hits=(u_rows, u_cols), unique=True, **facts)
    repeating = _vector.Arrays(dense=None, hits=(r, c), **facts)
    leaves = {x for rule in vp.rules for x in walk(rule.node) if isinstance(x, (HasAny, Count))}
    assert any(vp._at_or_above(x.ids) is not None for x in leaves)  # the level sets are read
    for arrays in (sorted_once, repeating):
        sparse = _vector._Sparse.of(arrays)
        for leaf in leaves:
            on_pairs, _ = vp._compute(leaf, arrays, {}, sparse)
            on_matrix, _ = vp._compute(leaf, arrays, {}, None)
            assert np.array_equal(on_pairs, on_matrix), leaf.label


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    pairs=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 6)), max_size=60),
    unique=st.booleans(),
    wide=st.booleans(),
)
def test_the_pairs_column_index_and_highest_level_are_the_definitions(
    pairs: list[tuple[int, int]], unique: bool, wide: bool
) -> None:
    """``_Sparse._column_index`` (each column's rows, ascending) and ``_Sparse.top_level``
    (each row's highest level) against their definitions, with pairs that repeat or not, on
    the packed-key path (``wide`` False) and on the path for batches too wide to pack a
    (column, row) key in 32 bits (``wide``: 2**23 rows × 400 columns)."""
    np = pytest.importorskip("numpy")
    if unique:
        pairs = sorted(set(pairs))
    n, k = (2**23, 400) if wide else (40, 7)
    rows = np.array([r for r, _c in pairs], dtype=np.intp)
    cols = np.array([c for _r, c in pairs], dtype=np.intp)
    sparse = _vector._Sparse(rows, cols, n, k, unique)
    by_col, starts = sparse._column_index()
    for c in range(k):
        assert by_col[starts[c]:starts[c + 1]].tolist() == sorted(r for r, x in pairs if x == c)
    levels = np.array([(3 * c) % 5 for c in range(k)], dtype=np.uint8)
    top = sparse.top_level(levels)
    assert top.dtype == np.uint8 and top.shape == (n,)
    expected = {r: max(int(levels[c]) for x, c in pairs if x == r) for r, _c in pairs}
    held = np.flatnonzero(top)
    assert {int(r): int(top[r]) for r in held} == {r: v for r, v in expected.items() if v}

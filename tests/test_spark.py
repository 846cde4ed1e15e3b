# SPDX-License-Identifier: MIT
"""The Spark driver (``rhrt.batch.spark``) gives local batch's answers and refusals, row for row.

Spark runs in local mode (``local[2]``) with one session for the whole module; it needs pyspark
(the spark extra) and a Java runtime (``.ci/run`` installs Debian's openjdk-17-jre-headless when
``java`` is missing). Starting Spark takes tens of seconds, so the tests that use it are few and
marked slow.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

import rhrt  # noqa: E402
from rhrt.batch import assess_table  # noqa: E402
from rhrt.batch import spark as rhrt_spark  # noqa: E402
from rhrt.errors import CaseError  # noqa: E402
from rhrt.synth import population  # noqa: E402

MINIMAL = rhrt.load_ruleset(Path(__file__).parent / "rulesets" / "minimal.yaml")


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


# -- without Spark: the ruleset on the wire --------------------------------------------------


def test_a_ruleset_travels_as_its_file_bytes_or_canonical_json_with_its_sha256() -> None:
    bundled = rhrt.load_ruleset()
    payload, sha = rhrt_spark.ruleset_payload(bundled)
    assert payload == bundled.path.read_bytes()  # type: ignore[union-attr]
    assert sha == bundled.stamp.sha256 == hashlib.sha256(payload).hexdigest()
    data = bundled.model.model_dump(mode="json", by_alias=True, exclude_none=True)
    built = rhrt.ruleset_from_data(data)
    payload, sha = rhrt_spark.ruleset_payload(built)
    assert sha == built.stamp.sha256
    assert rhrt.ruleset_from_text(payload).model == built.model


def test_an_executor_loads_each_ruleset_once_and_checks_its_bytes() -> None:
    payload, sha = rhrt_spark.ruleset_payload(MINIMAL)
    first = rhrt_spark.executor_plan(payload, sha)
    assert rhrt_spark.executor_plan(payload, sha) is first
    assert rhrt_spark.LOADS[sha] == 1
    with pytest.raises(CaseError):
        rhrt_spark.executor_plan(payload + b" ", "0" * 64)


# -- with Spark ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Any:
    pytest.importorskip("pyspark", reason="needs the spark extra (pyspark)")
    if _java() is None:
        pytest.skip("no Java runtime (java not on PATH, no JAVA_HOME): .ci/run installs "
                    "openjdk-17-jre-headless where it can")
    from pyspark.sql import SparkSession

    scratch = tmp_path_factory.mktemp("spark")
    os.environ["PYSPARK_PYTHON"] = sys.executable  # executors run this interpreter (with rhrt)
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # no network: bind to the loopback only
    session = (
        SparkSession.builder.master("local[2]")
        .appName("rhrt-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.local.dir", str(scratch / "local"))
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "700")  # several per partition
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("WARN")
    yield session
    session.stop()


def _local_rows(table: Any, ruleset: rhrt.Ruleset, **options: Any) -> list[dict[str, Any]]:
    return assess_table(table, ruleset, keep_input=False, **options).to_pylist()  # type: ignore[no-any-return]


def _spark_rows(out: Any) -> list[dict[str, Any]]:
    frame = out.toPandas().sort_values("row")
    rows = []
    for record in frame.to_dict("records"):
        rows.append({k: _cell(v) for k, v in record.items()})
    return rows


def _cell(value: Any) -> Any:
    """A cell as ``to_pylist`` gives it: a list as a list, pandas' missing value (NaN in pandas
    3's text columns, e.g. ``first_step`` of a row that is not urgent) as None."""
    if hasattr(value, "__len__") and not isinstance(value, str):
        return list(value)
    if value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value


def _population_frame() -> Any:
    """A synthetic population (missing ages and measures, unborn children) with some rows that
    record nothing at all."""
    frame = population(4_000, seed=11).to_pandas()
    frame.loc[frame.index % 97 == 0, "age_years"] = None
    return frame


@pytest.mark.slow
def test_spark_equals_local_batch_row_for_row_and_refuses_the_same_row(
    spark: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    bundled = rhrt.load_ruleset()
    frame = _population_frame()
    df = spark.createDataFrame(frame)
    assert df.rdd.getNumPartitions() > 1
    ordered = df.toPandas()  # the DataFrame's own order: the order rows are numbered in
    for fast in (False, True):
        got = _spark_rows(rhrt_spark.assess(df, bundled, fast=fast))
        expected = _local_rows(pa.Table.from_pandas(ordered, preserve_index=False), bundled,
                               fast=fast)
        assert [r.pop("row") for r in got] == list(range(len(expected)))
        assert {r.pop("ruleset_sha256") for r in got} == {bundled.stamp.sha256}
        assert got == expected

    # bad rows in two partitions: the lowest is named, by row and column, as locally
    marker = "SECRET-CASE-VALUE-4711"
    bad = ordered.copy()
    bad["referral_source"] = bad["referral_source"].astype(object)
    bad["age_years"] = bad["age_years"].map(lambda v: None if pd.isna(v) else f"{v:g}")
    bad.loc[3_500, "age_years"] = marker
    bad.loc[2_222, "age_years"] = "99"
    with pytest.raises(CaseError) as local:
        assess_table(bad, bundled)
    with pytest.raises(CaseError) as remote:
        rhrt_spark.assess(spark.createDataFrame(bad), bundled)
    assert str(remote.value) == str(local.value)
    assert (remote.value.row, remote.value.column) == (2_222, "age_years")
    bad.loc[2_222, "age_years"] = "9"
    with pytest.raises(CaseError) as remote:
        rhrt_spark.assess(spark.createDataFrame(bad), bundled)
    assert remote.value.row == 3_500
    assert marker not in str(remote.value)
    assert marker not in "".join(capfd.readouterr())

    # keep_input: the input columns between the row number and the results
    kept = rhrt_spark.assess(df.limit(50), bundled, keep_input=True)
    assert kept.columns[: len(df.columns) + 1] == ["row", *df.columns]
    with pytest.raises(CaseError):
        rhrt_spark.assess(df.withColumnRenamed("case_ref", "level"), bundled, keep_input=True)
    with pytest.raises(CaseError):  # an unknown column is refused on the driver
        rhrt_spark.assess(df.withColumnRenamed("age_years", "age_yrs"), bundled)


@pytest.mark.slow
def test_spark_equals_local_batch_over_generated_rulesets(spark: Any) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from rhrt.testing.strategies import cases, ruleset_data

    @settings(max_examples=4, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data: st.DataObject) -> None:
        ruleset = rhrt.ruleset_from_data(data.draw(ruleset_data(max_indicators=8, max_rules=5)))
        drawn = data.draw(st.lists(cases(ruleset), min_size=1, max_size=30))
        rows = []
        for case in drawn:
            row: dict[str, Any] = {
                "indicators": sorted(case.indicator_ids),
                "unborn": case.child.unborn,
                "age_months": case.age_in_months() if not case.child.unborn else None,
            }
            for name in ruleset.plan.measures:
                row[name] = case.measures.get(name)
            rows.append(row)
        schema = pa.schema([("indicators", pa.list_(pa.string())), ("unborn", pa.bool_()),
                            ("age_months", pa.float64()),
                            *((name, pa.float64()) for name in ruleset.plan.measures)])
        table = pa.Table.from_pylist(rows, schema=schema)
        df = spark.createDataFrame(table.to_pandas(), schema=_spark_schema(schema))
        local_table = pa.Table.from_pandas(df.toPandas(), preserve_index=False)
        expected = _local_rows(local_table, ruleset)
        got = _spark_rows(rhrt_spark.assess(df, ruleset))
        for r in got:
            r.pop("row")
            assert r.pop("ruleset_sha256") == ruleset.stamp.sha256
        assert got == expected

    check()


def _spark_schema(schema: Any) -> Any:
    from pyspark.sql import types as T

    kinds = {pa.float64(): T.DoubleType(), pa.bool_(): T.BooleanType(),
             pa.list_(pa.string()): T.ArrayType(T.StringType())}
    return T.StructType([T.StructField(f.name, kinds[f.type]) for f in schema])


@pytest.mark.slow
def test_each_executor_process_loads_the_ruleset_once(spark: Any) -> None:
    bundled = rhrt.load_ruleset()
    df = spark.createDataFrame(population(3_000, seed=4).to_pandas()).repartition(6)
    rhrt_spark.assess(df, bundled).count()
    sha = rhrt_spark.ruleset_payload(bundled)[1]

    def loads(batches: Any) -> Any:
        from rhrt.batch.spark import LOADS

        for _ in batches:
            pass
        yield pa.RecordBatch.from_pydict({"loads": [LOADS.get(sha, 0)]})

    counts = [r.loads for r in df.mapInArrow(loads, "loads long").collect()]
    assert set(counts) <= {0, 1} and 1 in counts
    assert not any((Path.cwd() / name).exists() for name in ("spark-warehouse", "metastore_db",
                                                             "derby.log"))


@pytest.mark.slow
def test_spark_audit_and_impact_equal_the_local_functions(spark: Any) -> None:
    from rhrt import audit, diff

    bundled = rhrt.load_ruleset()
    data = bundled.model.model_dump(mode="json", by_alias=True, exclude_none=True)
    for rule in data["rules"]:
        if rule["then"].get("level") == 3:
            rule["then"]["level"] = 2  # a what-if: every level-3 rule lowered to 2
    changed = rhrt.ruleset_from_data(data)
    df = spark.createDataFrame(_population_frame())
    local = pa.Table.from_pandas(df.toPandas(), preserve_index=False)

    expected = audit.compare(local, bundled, top=40)
    got = audit.compare_spark(df, bundled, top=40)
    assert got.to_markdown() == expected.to_markdown()
    for name, frame in expected.tables().items():
        pd.testing.assert_frame_equal(got.tables()[name], frame, check_dtype=False)

    expected_impact = diff.impact(local, bundled, changed, top=30)
    got_impact = diff.impact_spark(df, bundled, changed, top=30)
    assert got_impact.to_markdown() == expected_impact.to_markdown()
    pd.testing.assert_frame_equal(got_impact.moves, expected_impact.moves, check_dtype=False)
    assert (got_impact.up, got_impact.down, got_impact.old_counts, got_impact.new_counts) == (
        expected_impact.up, expected_impact.down, expected_impact.old_counts,
        expected_impact.new_counts)

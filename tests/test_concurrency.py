# SPDX-License-Identifier: MIT
"""A loaded ruleset is immutable and safe to share: 8 threads assessing at once give exactly the
single-threaded decisions, for every engine, and loading in parallel is safe too.

Each engine that is importable is tested (``pytest.importorskip``): the reference engine, the
durable-rules backend (``rhrt.engine.durable``) and the vectorised batch engine (``rhrt.batch``).
The default run does 8 threads x 2,500 assessments per engine; the slow variant (CI) does
8 x 6,250 = 50,000.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import rhrt

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"
THREADS = 8
ENGINES = ["reference", "durable", "batch"]


@pytest.fixture(scope="module")
def rs() -> rhrt.Ruleset:
    return rhrt.load_ruleset(MINIMAL)


def make_cases(ruleset: rhrt.Ruleset, n: int, seed: int) -> list[dict[str, Any]]:
    """Varied cases: every age form (and none), 0-6 indicators, DASH scores recorded or not."""
    rng = random.Random(seed)
    ids = [i.id for i in ruleset.model.indicators]
    cases = []
    for _ in range(n):
        case: dict[str, Any] = {"indicators": rng.sample(ids, rng.randint(0, 6))}
        form = rng.random()
        if form < 0.45:
            case["child"] = {"age_months": rng.randint(0, 216)}
        elif form < 0.55:
            case["child"] = {"unborn": True}
        if rng.random() < 0.5:
            case["measures"] = {"dash_score": rng.randint(0, 24)}
        cases.append(case)
    return cases


def summary(decision: rhrt.Decision) -> tuple[Any, ...]:
    return (
        decision.level,
        decision.urgent,
        decision.pathway_ids,
        tuple(i.id for i in decision.explanation.indicators),
    )


def in_threads(work: Callable[[Sequence[Any]], list[Any]], items: Sequence[Any]) -> list[Any]:
    """Split ``items`` over THREADS threads that start together; results in input order."""
    chunks = [items[i::THREADS] for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)

    def run(chunk: Sequence[Any]) -> list[Any]:
        barrier.wait()
        return work(chunk)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(run, chunks))
    merged: list[Any] = [None] * len(items)
    for i, chunk_result in enumerate(results):
        merged[i::THREADS] = chunk_result
    return merged


def _engine_runner(name: str, ruleset: rhrt.Ruleset) -> Callable[[Sequence[Any]], list[Any]]:
    """A function assessing a chunk of cases with one engine, returning comparable results."""
    if name in {"reference", "durable"}:
        if name == "durable":
            pytest.importorskip("durable")

        def run(chunk: Sequence[Any]) -> list[Any]:
            return [ruleset.assess(case, engine=name).to_json() for case in chunk]

        return run
    pytest.importorskip("pyarrow")
    import pyarrow as pa

    from rhrt import batch

    def table(chunk: Sequence[dict[str, Any]]) -> Any:
        return pa.table(
            {
                "indicators": pa.array([c["indicators"] for c in chunk], pa.list_(pa.string())),
                "age_months": pa.array(
                    [c.get("child", {}).get("age_months") for c in chunk], pa.float64()
                ),
                "unborn": pa.array([c.get("child", {}).get("unborn", False) for c in chunk]),
                "dash_score": pa.array(
                    [c.get("measures", {}).get("dash_score") for c in chunk], pa.float64()
                ),
            }
        )

    def run_batch(chunk: Sequence[Any]) -> list[Any]:
        out: list[Any] = []
        for start in range(0, len(chunk), 250):  # many small tables: many concurrent calls
            part = chunk[start : start + 250]
            result = batch.assess_table(table(part), ruleset, keep_input=False)
            for row in result.to_pylist():
                out.append(
                    (
                        row["level"],
                        row["urgent"],
                        tuple(row["pathways"]),
                        tuple(row["determining_indicators"]),
                    )
                )
        return out

    return run_batch


def _fingerprint(ruleset: rhrt.Ruleset) -> tuple[Any, ...]:
    plan = ruleset.plan
    return (
        ruleset.model.model_dump_json(),
        repr(plan.rules),
        dict(plan.indicator_level),
        dict(plan.indicator_domain),
        dict(plan.level_pathways),
        dict(plan.measures),
        ruleset.stamp,
    )


def _check_engine(name: str, ruleset: rhrt.Ruleset, per_thread: int) -> None:
    run = _engine_runner(name, ruleset)
    cases = make_cases(ruleset, THREADS * per_thread, seed=per_thread)
    before = _fingerprint(ruleset)
    single = run(cases)
    threaded = in_threads(run, cases)
    assert len(threaded) == len(cases)
    mismatches = [i for i, (a, b) in enumerate(zip(single, threaded, strict=True)) if a != b]
    assert not mismatches, f"{len(mismatches)} decisions differ, first case {mismatches[0]}"
    # ... and they are the reference engine's decisions.
    reference = [summary(ruleset.assess(c)) for c in cases[:500]]
    if name == "batch":
        assert single[:500] == reference
    else:
        assert [summary(rhrt.Decision.from_json(j)) for j in single[:500]] == reference
    assert _fingerprint(ruleset) == before, "assessing changed the shared ruleset"


@pytest.mark.parametrize(
    "engine",
    # durable takes ~20 s of CPU here: in the slow tier (scripts/test, CI), like the at-scale run
    [pytest.param(e, marks=pytest.mark.slow) if e == "durable" else e for e in ENGINES],
)
def test_threads_give_the_single_threaded_decisions(engine: str, rs: rhrt.Ruleset) -> None:
    _check_engine(engine, rs, per_thread=2_500)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_threads_give_the_single_threaded_decisions_at_scale(engine: str) -> None:
    _check_engine(engine, rhrt.load_ruleset(MINIMAL), per_thread=6_250)


def test_the_bundled_ruleset_is_shared_safely_too() -> None:
    _check_engine("reference", rhrt.load_ruleset(), per_thread=300)


def test_engines_are_created_once_even_when_first_asked_for_concurrently() -> None:
    ruleset = rhrt.load_ruleset(MINIMAL)
    got = in_threads(lambda chunk: [ruleset.engine("reference") for _ in chunk], list(range(64)))
    assert all(fn is got[0] for fn in got)
    errors = in_threads(lambda chunk: [_engine_error(ruleset) for _ in chunk], list(range(32)))
    assert set(errors) == {"CaseError"}


def _engine_error(ruleset: rhrt.Ruleset) -> str:
    try:
        ruleset.engine("no-such-engine")
    except rhrt.RhrtError as exc:
        return type(exc).__name__
    return "no error"


# -- immutability -------------------------------------------------------------------------------


def test_a_loaded_ruleset_cannot_be_changed_through_its_model_or_plan(rs: rhrt.Ruleset) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        rs.model.ruleset.version = "2"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        rs.model.indicators[0].level = 4  # type: ignore[misc]
    assert isinstance(rs.model.indicators, tuple) and isinstance(rs.model.rules, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rs.plan.rules[0].level = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rs.plan.indicator_order = ()  # type: ignore[misc]
    assert isinstance(rs.plan.rules, tuple)
    decision = rs.assess({"indicators": ["bruise"]})
    with pytest.raises(ValidationError):
        decision.level = 1  # type: ignore[misc]
    assert isinstance(decision.pathways, tuple)


def test_a_ruleset_object_cannot_be_rebound(rs: rhrt.Ruleset) -> None:
    for name in ("model", "plan", "catalogue", "stamp", "path", "_engines", "_lock"):
        with pytest.raises(AttributeError, match="immutable"):
            setattr(rs, name, None)
        with pytest.raises(AttributeError, match="immutable"):
            delattr(rs, name)
    with pytest.raises(AttributeError):
        rs.anything_new = 1  # type: ignore[attr-defined]
    assert rs.assess({"indicators": ["bruise"]}).level == 4  # age unknown: baby-injury fires


def test_decisions_do_not_share_mutable_state_with_the_ruleset(rs: rhrt.Ruleset) -> None:
    before = _fingerprint(rs)
    first = rs.assess({"indicators": ["bruise", "poor-diet"], "child": {"age_months": 2}})
    record = first.to_record()
    record["pathways"].clear()
    record["explanation"]["indicators"].clear()
    again = rs.assess({"indicators": ["bruise", "poor-diet"], "child": {"age_months": 2}})
    assert again == first
    assert _fingerprint(rs) == before


# -- loading in parallel --------------------------------------------------------------------------


def test_loading_in_parallel_is_safe(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    copies = []
    for i in range(4):
        path = tmp_path / f"r{i}.yaml"
        path.write_text(text, encoding="utf-8")
        copies.append(path)
    cases = make_cases(rhrt.load_ruleset(MINIMAL), 40, seed=7)
    expected = [rhrt.load_ruleset(MINIMAL).assess(c).to_json() for c in cases]

    def load_and_assess(jobs: Sequence[int]) -> list[Any]:
        out = []
        for job in jobs:
            if job % 3 == 0:
                ruleset = rhrt.load_ruleset(copies[job % 4])
            elif job % 3 == 1:
                ruleset = rhrt.ruleset_from_text(text)
            else:
                ruleset = rhrt.ruleset_from_text(text.encode("utf-8"), file="bytes.yaml")
            out.append((ruleset.stamp.sha256, [ruleset.assess(c).to_json() for c in cases]))
        return out

    results = in_threads(load_and_assess, list(range(48)))
    assert {sha for sha, _ in results} == {rhrt.load_ruleset(MINIMAL).stamp.sha256}
    assert all(decisions == expected for _, decisions in results)


def test_broken_rulesets_fail_the_same_way_in_parallel() -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace("tags: [injury]", "tags: [injuyr]")

    def load(jobs: Sequence[int]) -> list[str]:
        out = []
        for _ in jobs:
            try:
                rhrt.ruleset_from_text(text, file="broken.yaml")
            except rhrt.RulesetError as exc:
                out.append(str(exc))
        return out

    messages = in_threads(load, list(range(32)))
    assert len(messages) == 32 and len(set(messages)) == 1
    assert "did you mean 'injury'" in messages[0]


_FIRST_USE = r"""
import json, sys, threading
import rhrt
from rhrt.render import render_decision
case = {"child": {"age_years": 9}, "indicators": ["incidents-of-domestic-abuse"],
        "measures": {"dash_score": 15, "domestic_abuse_incidents_12_months": 2}}
barrier = threading.Barrier(8)
out = [None] * 8
def work(i):
    barrier.wait()  # every first use at once: loading, validating, deciding, rendering
    rs = rhrt.load_ruleset()
    decision = rs.assess(case)
    out[i] = [decision.to_json(), render_decision(decision, rs, "text"),
              render_decision(decision, rs, "markdown")]
threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
rs = rhrt.load_ruleset()
decision = rs.assess(case)
alone = [decision.to_json(), render_decision(decision, rs, "text"),
         render_decision(decision, rs, "markdown")]
print(json.dumps({"same": all(o == alone for o in out), "level": decision.level}))
"""


def test_first_use_from_many_threads_in_a_fresh_process() -> None:
    """Everything built on first use (the bundled ruleset, the template environment and the
    precompiled templates, pydantic's validators) is built safely when 8 threads ask for it at
    once right after ``import rhrt`` (issue 17): each gets the single-threaded result."""
    import json
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", _FIRST_USE], capture_output=True, text=True, check=True
    )
    result = json.loads(proc.stdout)
    assert result == {"same": True, "level": 4}

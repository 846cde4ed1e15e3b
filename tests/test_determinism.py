# SPDX-License-Identifier: MIT
"""Determinism: a decision is byte-identical across runs, processes and PYTHONHASHSEED values,
and no wall-clock time enters it (the assessment date is an input).

Set and dict iteration orders of strings change with the hash seed, so each check runs the
same assessments in fresh interpreters under several seeds and compares the bytes.
"""

from __future__ import annotations

import ast
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rhrt

ROOT = Path(__file__).parents[1]
MINIMAL = ROOT / "tests" / "rulesets" / "minimal.yaml"
SEEDS = ("0", "1", "12345", "random")

# Assess a fixed, varied set of cases and print every decision record (notes included) and
# every rendering. Run in fresh interpreters; argv[1] is the ruleset ('' = bundled).
SCRIPT = r"""
import json, random, sys
import rhrt
from rhrt import render

ruleset = rhrt.load_ruleset(sys.argv[1] or None)
rng = random.Random(20201101)
ids = [i.id for i in ruleset.model.indicators]
measures = [(m.id, m.min, m.max) for m in ruleset.model.measures]
out = []
for n in range(int(sys.argv[2])):
    case = {"indicators": [{"id": i, "note": f"note {n} {i}", "source": "school"}
                           for i in rng.sample(ids, rng.randint(0, min(8, len(ids))))],
            "assessment_date": "2024-06-30"}
    form = rng.random()
    if form < 0.4:
        case["child"] = {"age_months": rng.randint(0, 216)}
    elif form < 0.5:
        case["child"] = {"unborn": True}
    elif form < 0.7:
        case["child"] = {"date_of_birth": f"{rng.randint(2007, 2024)}-0{rng.randint(1, 6)}-15"}
    for mid, low, high in measures:
        if rng.random() < 0.5:
            case.setdefault("measures", {})[mid] = rng.randint(int(low), int(high))
    override = None
    if rng.random() < 0.2:
        override = {"level": rng.randint(1, 4), "reason": "judgement", "role": "social worker"}
    decision = ruleset.assess(case, override=override)
    out.append(decision.to_json(include_notes=True))
    if n % 10 == 0:
        for fmt in ("text", "markdown", "html"):
            out.append(render.render_decision(decision, ruleset, fmt, include_notes=True))
sys.stdout.write("\n".join(out))
"""


def _run(code: str, *args: str, seed: str, extra_env: dict[str, str] | None = None) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed, **(extra_env or {})}
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, env=env, cwd=ROOT, check=False
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


@pytest.mark.parametrize("ruleset", ["minimal", "bundled"])
def test_decisions_are_byte_identical_across_hash_seeds(ruleset: str) -> None:
    path = str(MINIMAL) if ruleset == "minimal" else ""
    outputs = {seed: _run(SCRIPT, path, "150", seed=seed) for seed in SEEDS}
    first = outputs["0"]
    assert first.count(b'"level"') >= 150
    for seed, output in outputs.items():
        assert output == first, f"PYTHONHASHSEED={seed} gave different bytes"
    # ... and a second run with the same seed, too.
    assert _run(SCRIPT, path, "150", seed="random") == first


def test_the_cli_output_is_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(
        "child: {age_months: 4}\nassessment_date: 2024-01-31\n"
        "indicators: [bruise, poor-diet, missed-checks, poor-attendance, inconsistent-care,\n"
        "  {id: da-incidents, note: seen by school}]\nmeasures: {dash_score: 15}\n",
        encoding="utf-8",
    )
    # One interpreter per seed runs the CLI in every format; a NUL byte separates the outputs.
    code = (
        "import sys; from rhrt.cli import main\n"
        "for fmt in ('json', 'text', 'markdown', 'html'):\n"
        f"    assert main(['assess', {str(case)!r}, '--rules', {str(MINIMAL)!r}, "
        "'--format', fmt, '--include-notes']) == 0\n"
        "    sys.stdout.write('\\0'); sys.stdout.flush()\n"
    )
    outputs = {seed: _run(code, seed=seed) for seed in SEEDS}
    first = outputs["0"]
    for seed, output in outputs.items():
        assert output == first, f"PYTHONHASHSEED={seed} gave different CLI output"
    parts = first.split(b"\0")
    assert len(parts) == 5 and all(parts[:4])
    record = json.loads(parts[0])
    assert record["level"] == 4 and record["assessment_date"] == "2024-01-31"


# -- no wall-clock time -------------------------------------------------------------------------

# Break every clock after import: time.* returns a date far in the future and datetime's
# now/today/utcnow raise. Decisions and renderings must come out exactly the same.
FROZEN_CLOCK = r"""
import datetime, time
import rhrt, rhrt.render, rhrt.cli
FAR = 4_102_444_800.0  # 2100-01-01
time.time = lambda: FAR
time.time_ns = lambda: int(FAR * 1e9)
_gm, _local = time.gmtime, time.localtime
time.gmtime = lambda secs=None: _gm(FAR if secs is None else secs)
time.localtime = lambda secs=None: _local(FAR if secs is None else secs)

class _Clock:
    @classmethod
    def now(cls, tz=None):
        raise AssertionError("wall-clock time read: datetime.now")
    @classmethod
    def utcnow(cls):
        raise AssertionError("wall-clock time read: datetime.utcnow")
    @classmethod
    def today(cls):
        raise AssertionError("wall-clock time read: today")

class date(_Clock, datetime.date):
    pass

class dt(_Clock, datetime.datetime):
    pass

datetime.date = date
datetime.datetime = dt
"""


def test_no_wall_clock_time_enters_a_decision() -> None:
    normal = _run(SCRIPT, str(MINIMAL), "60", seed="0")
    frozen = _run(FROZEN_CLOCK + SCRIPT, str(MINIMAL), "60", seed="0")
    assert frozen == normal


def test_the_frozen_clock_really_is_frozen() -> None:
    probe = FROZEN_CLOCK + (
        "import datetime, time\n"
        "assert time.time() == FAR\n"
        "try:\n    datetime.date.today()\nexcept AssertionError:\n    print('blocked')\n"
    )
    assert _run(probe, seed="0").strip() == b"blocked"


CLOCK_CALLS = {"now", "utcnow", "today", "time", "time_ns", "localtime", "gmtime", "ctime"}


def test_rhrt_source_never_reads_the_clock() -> None:
    """Belt and braces: no call of a wall-clock function anywhere in rhrt's source."""
    src = Path(rhrt.__file__).parent
    found = []
    for path in sorted(src.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CLOCK_CALLS
                and ast.unparse(node.func.value).split(".")[-1] in {"date", "datetime", "time"}
            ):
                found.append(f"{path.relative_to(src)}:{node.lineno}: {ast.unparse(node)}")
    assert found == [], "wall-clock reads (pass dates in instead):\n" + "\n".join(found)


def test_age_from_date_of_birth_needs_the_callers_date() -> None:
    ruleset = rhrt.load_ruleset(MINIMAL)
    with pytest.raises(rhrt.CaseError, match="assessment_date"):
        ruleset.assess({"child": {"date_of_birth": "2024-01-01"}, "indicators": ["bruise"]})
    young = ruleset.assess(
        {
            "child": {"date_of_birth": "2024-01-01"},
            "assessment_date": "2024-03-01",
            "indicators": ["bruise"],
        }
    )
    older = ruleset.assess(
        {
            "child": {"date_of_birth": "2024-01-01"},
            "assessment_date": "2025-03-01",
            "indicators": ["bruise"],
        }
    )
    assert (young.level, older.level) == (4, 3)  # the baby-injury rule depends on the date given
    assert young.assessment_date is not None and young.assessment_date.isoformat() == "2024-03-01"


# -- order independence ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_order_indicators_are_given_in_does_not_change_the_record(data: Any) -> None:
    ruleset = rhrt.load_ruleset(MINIMAL)
    ids = [i.id for i in ruleset.model.indicators]
    chosen = data.draw(st.lists(st.sampled_from(ids), max_size=8))
    shuffled = data.draw(st.permutations(chosen))
    age = data.draw(st.none() | st.integers(0, 216))
    child = {} if age is None else {"age_months": age}
    first = ruleset.assess({"child": child, "indicators": chosen})
    second = ruleset.assess({"child": child, "indicators": list(shuffled)})
    assert first.to_json() == second.to_json()


def test_repeated_assessment_in_one_process_is_identical() -> None:
    ruleset = rhrt.load_ruleset(MINIMAL)
    ids = [i.id for i in ruleset.model.indicators]
    rng = random.Random(3)
    for _ in range(200):
        case = {"indicators": rng.sample(ids, rng.randint(0, 6))}
        assert ruleset.assess(case).to_json() == rhrt.load_ruleset(MINIMAL).assess(case).to_json()

# SPDX-License-Identifier: MIT
"""durable-rules as a second engine: it must agree exactly with the reference engine.

The differential tests run well over 10,000 generated cases in total (bundled, minimal and
generated rulesets, the generated ones using every condition kind including ``not``); any
disagreement is shrunk by hypothesis and reported as a case in words.
"""

from __future__ import annotations

import random
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rhrt import BackendError, MissingExtraError, Ruleset, load_ruleset, ruleset_from_data
from rhrt.engine.reference import Evaluation
from rhrt.model.case import Case
from rhrt.testing import cases, check_invariants, describe_case, rulesets

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"

DIFFERENTIAL_CASES = {"count": 0}
DIFFERENTIAL_RAN: set[str] = set()
"""The differential tests that have started in this session (each adds its own name)."""


@pytest.fixture
def durable_engine_module() -> Any:
    """The rhrt durable module, skipping when durable-rules cannot be imported (Python 3.13+
    or the extra not installed)."""
    pytest.importorskip("durable.engine")
    from rhrt.engine import durable

    return durable


def _summary(ev: Evaluation) -> dict[str, Any]:
    return {
        "level": ev.level,
        "urgent": ev.urgent,
        "pathways": list(ev.pathways.items()),
        "rules": [(r.rule.id, r.truth, r.assumed) for r in ev.results],
        "known": (ev.known_level, ev.known_urgent, list(ev.conditional.items())),
    }


def assert_engines_agree(ruleset: Ruleset, case: Case) -> None:
    """Both engines give the same evaluation (level, urgency, pathways in order, every rule's
    truth and assumptions); on disagreement the message says what, in words."""
    DIFFERENTIAL_CASES["count"] += 1
    facts = ruleset.facts(ruleset.validate_case(case))
    ref = _summary(ruleset.engine("reference")(facts))
    dur = _summary(ruleset.engine("durable")(facts))
    if ref != dur:
        diff = {k: (ref[k], dur[k]) for k in ref if ref[k] != dur[k]}
        raise AssertionError(
            f"engines disagree for {describe_case(ruleset, case)}: (reference, durable) = {diff}"
        )


_SETTINGS = {"deadline": None, "suppress_health_check": list(HealthCheck), "database": None}


@pytest.mark.slow  # ~25 s of CPU: the whole suite (scripts/test, CI) runs it
@settings(max_examples=4000, **_SETTINGS)  # type: ignore[arg-type]
@given(data=st.data())
def test_differential_bundled_ruleset(durable_engine_module: Any, data: st.DataObject) -> None:
    DIFFERENTIAL_RAN.add("bundled")
    ruleset = _bundled()
    assert_engines_agree(ruleset, data.draw(cases(ruleset)))


def _bundled() -> Ruleset:
    return load_ruleset()


def _minimal() -> Ruleset:
    return _MINIMAL


_MINIMAL = load_ruleset(MINIMAL)


@settings(max_examples=2000, **_SETTINGS)  # type: ignore[arg-type]
@given(case=cases(_MINIMAL))
def test_differential_minimal_ruleset(durable_engine_module: Any, case: Case) -> None:
    DIFFERENTIAL_RAN.add("minimal")
    assert_engines_agree(_MINIMAL, case)


@pytest.mark.slow  # ~10 s of CPU: the whole suite (scripts/test, CI) runs it
@settings(max_examples=120, **_SETTINGS)  # type: ignore[arg-type]
@given(data=st.data())
def test_differential_generated_rulesets(durable_engine_module: Any, data: st.DataObject) -> None:
    """Generated rulesets with every condition kind, nested three deep, ``not`` included."""
    DIFFERENTIAL_RAN.add("generated")
    ruleset = data.draw(rulesets(max_indicators=10, max_rules=6, max_depth=3, allow_not=True))
    for case in data.draw(st.lists(cases(ruleset), min_size=42, max_size=42)):
        assert_engines_agree(ruleset, case)


_DIFFERENTIAL_TESTS = {
    "bundled": test_differential_bundled_ruleset,
    "minimal": test_differential_minimal_ruleset,
    "generated": test_differential_generated_rulesets,
}


@pytest.mark.slow  # runs whichever differential tests have not run yet in this session
def test_differential_total(durable_engine_module: Any) -> None:
    """The differential tests above check at least 10,000 cases together, in any test order
    and selection: the ones that have not run in this session are run here (a run of the whole
    module does no work twice)."""
    for name, test in _DIFFERENTIAL_TESTS.items():
        if name not in DIFFERENTIAL_RAN:
            test(durable_engine_module=durable_engine_module)
    assert set(_DIFFERENTIAL_TESTS) == DIFFERENTIAL_RAN
    assert DIFFERENTIAL_CASES["count"] >= 10_000


def test_decisions_identical(durable_engine_module: Any, minimal_ruleset: Ruleset) -> None:
    case = {
        "child": {"age_months": 3},
        "indicators": ["bruise", "da-incidents", "staff-allegation"],
        "measures": {"dash_score": 15},
    }
    ref = minimal_ruleset.assess(case).model_dump(exclude={"engine"})
    dur = minimal_ruleset.assess(case, engine="durable")
    assert dur.engine == "durable"
    assert dur.model_dump(exclude={"engine"}) == ref
    assert dur.level == 4 and [p.id for p in dur.pathways][:2] == ["lado", "paediatric"]


def test_unknown_and_certain_are_distinguished(
    durable_engine_module: Any, minimal_ruleset: Ruleset
) -> None:
    """A rule whose condition is unknown fires, and durable reports it as unknown, not true."""
    ev = minimal_ruleset.engine("durable")(
        minimal_ruleset.facts(minimal_ruleset.validate_case({"indicators": ["bruise"]}))
    )
    baby = next(r for r in ev.results if r.rule.id == "baby-injury")
    assert baby.truth is None and baby.assumed == ("child's age",)
    assert ev.level == 4


def test_rule_names_are_yaml_ids(durable_engine_module: Any, minimal_ruleset: Ruleset) -> None:
    definition = durable_engine_module.compile_durable(minimal_ruleset.plan)
    own = {name for name in definition if "~" not in name}
    base = durable_engine_module.base_name
    assert all(base(n).split("~")[0] in own | {"rhrt"} for n in definition)
    assert own == {r.id for r in minimal_ruleset.plan.rules}
    assert {"accumulation", "baby-injury", "high-risk-da", "safety.immediate-danger"} <= own


def test_same_ruleset_loaded_twice(durable_engine_module: Any) -> None:
    """durable cannot unregister a ruleset; rhrt shares one per content hash instead."""
    first, second = load_ruleset(MINIMAL), load_ruleset(MINIMAL)
    assert first is not second
    case = {"child": {"age_months": 2}, "indicators": ["bruise"]}
    assert first.assess(case, engine="durable").level == 4
    assert second.assess(case, engine="durable").level == 4
    e1 = first.engine("durable").__self__  # type: ignore[attr-defined]
    e2 = second.engine("durable").__self__  # type: ignore[attr-defined]
    assert e1.name == e2.name and e1.name.startswith("rhrt_")
    from rhrt import ruleset_from_text

    # Thresholds reach durable as ranks, so a moved threshold shares the compiled ruleset...
    moved = ruleset_from_text(MINIMAL.read_text().replace("at_least: 14", "at_least: 15"))
    assert moved.engine("durable").__self__.name == e1.name  # type: ignore[attr-defined]
    case = {"indicators": ["da-incidents"], "measures": {"dash_score": 14}}
    assert first.assess(case, engine="durable").level == 4
    assert moved.assess(case, engine="durable").level == 3
    # ...while a changed condition is a different durable ruleset.
    other = ruleset_from_text(MINIMAL.read_text().replace("at_least: 3,", "at_least: 2,"))
    assert other.engine("durable").__self__.name != e1.name  # type: ignore[attr-defined]
    two = {"child": {"age_years": 9}, "indicators": ["poor-diet", "inconsistent-care"]}
    assert other.assess(two, engine="durable").level == 3
    assert first.assess(two, engine="durable").level == 2


def test_thread_safety(durable_engine_module: Any, minimal_ruleset: Ruleset) -> None:
    """8 threads share one ruleset's durable engine; every answer matches the reference."""
    rnd = random.Random(7)
    ids = list(minimal_ruleset.plan.indicator_order)
    work = []
    for _ in range(400):
        child: dict[str, Any] = rnd.choice(
            [{}, {"unborn": True}, {"age_months": rnd.choice([1, 5.9, 6, 30])}]
        )
        measures = {"dash_score": rnd.randint(0, 24)} if rnd.random() < 0.5 else {}
        case = {"child": child, "indicators": rnd.sample(ids, rnd.randint(0, 5)),
                "measures": measures}
        facts = minimal_ruleset.facts(minimal_ruleset.validate_case(case))
        work.append((facts, _summary(minimal_ruleset.engine("reference")(facts))))
    durable = minimal_ruleset.engine("durable")
    errors: list[BaseException] = []
    mismatches: list[int] = []
    barrier = threading.Barrier(8)

    def worker(offset: int) -> None:
        try:
            barrier.wait()
            for i in range(offset, len(work) + offset):
                facts, expected = work[i % len(work)]
                if _summary(durable(facts)) != expected:
                    mismatches.append(i)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k * 50,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and not mismatches


def test_action_errors_surface_and_sessions_are_freed(
    durable_engine_module: Any, minimal_ruleset: Ruleset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """durable swallows exceptions raised in actions into the session state; rhrt raises them.

    1100 failing evaluations (more than durable's 1024 live sessions) show every session is
    deleted even when the evaluation fails.
    """
    engine = minimal_ruleset.engine("durable")
    facts = minimal_ruleset.facts(minimal_ruleset.validate_case({"indicators": ["bruise"]}))

    def boom(self: Any, rule_name: str, c: Any) -> None:
        raise RuntimeError("action failed")

    monkeypatch.setattr(durable_engine_module._SharedRuleset, "record", boom)
    for _ in range(1100):
        with pytest.raises(BackendError, match="action failed"):
            engine(facts)
    monkeypatch.undo()
    assert engine(facts).level == 4
    shared = engine.__self__._shared  # type: ignore[attr-defined]
    assert shared.fired == {}


def test_sessions_deleted(durable_engine_module: Any, minimal_ruleset: Ruleset) -> None:
    durable = minimal_ruleset.engine("durable").__self__  # type: ignore[attr-defined]
    facts = minimal_ruleset.facts(minimal_ruleset.validate_case({"indicators": ["poor-diet"]}))
    for _ in range(1500):  # beyond the 1024 live-session limit
        durable.evaluate(facts)
    shared = durable._shared
    last = f"s{next(shared.sessions) - 1}"
    with pytest.raises(Exception, match="309"):  # durable: no such session
        shared.host.get_state(shared.name, last)


def test_many_indicators_beyond_property_limit(durable_engine_module: Any) -> None:
    """300 indicators, 250 present: durable limits a fact to ~250 properties, rhrt sends a list."""
    import yaml

    data = yaml.safe_load(MINIMAL.read_text())
    data["indicators"] = [
        {"id": f"ind-{i}", "level": 1 + i % 3, "domain": "parenting", "subdomain": "care",
         "tags": ["injury"] if i % 2 else [], "text": f"Indicator {i}", "source": {"ref": "test"}}
        for i in range(300)
    ]
    data["rules"] = [
        {"id": "many", "because": "b", "when": {"count": {"at_least": 120, "tag": "injury"}},
         "then": {"level": 4}},
    ]
    ruleset = ruleset_from_data(data)
    for n in (0, 119, 250, 300):
        case = Case.model_validate({"indicators": [f"ind-{i}" for i in range(n)]})
        assert_engines_agree(ruleset, case)
    assert ruleset.assess({"indicators": [f"ind-{i}" for i in range(250)]},
                          engine="durable").level == 4


def test_check_invariants_with_durable(
    durable_engine_module: Any, minimal_ruleset: Ruleset
) -> None:
    report = check_invariants(minimal_ruleset, 30, engine="durable")
    assert report.ok, str(report)


def test_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without durable-rules, asking for the engine names the extra to install."""
    monkeypatch.setitem(sys.modules, "durable", None)
    monkeypatch.setitem(sys.modules, "durable.engine", None)
    ruleset = load_ruleset(MINIMAL)
    with pytest.raises(MissingExtraError, match=r"rhrt\[durable\]"):
        ruleset.assess({"indicators": []}, engine="durable")

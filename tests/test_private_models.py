# SPDX-License-Identifier: MIT
"""Errors from rhrt's pydantic models never echo the values (or odd keys) they were given.

pydantic's ``ValidationError`` quotes the input (``input_value='...'``); every rhrt model hides
it (``rhrt.model.RhrtModel``), and the case, judgement and decision models also refuse
an unknown key not shaped like a field name without naming it. Also here: the wording of a few
case errors (a doubled prefix, ``consent: no``, an unquoted reference) and numpy numbers.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import rhrt
from rhrt.errors import CaseError
from rhrt.testing.yaml_tests import RuleTestError, load_test_file

SECRET = "SECRET-7731"

PLANTED: dict[str, Callable[[], Any]] = {
    "Case(**kwargs) odd key": lambda: rhrt.Case(**{"SECRET 7731": 1}),
    "Case(**kwargs) value": lambda: rhrt.Case(reference=7731, notes=[SECRET], child=SECRET),
    "Case.model_validate value": lambda: rhrt.Case.model_validate(
        {"child": {"age_years": SECRET}, "consent": SECRET}
    ),
    "Case.model_validate nested odd key": lambda: rhrt.Case.model_validate(
        {"child": {SECRET + " x": 1}}
    ),
    "Override value": lambda: rhrt.Override(level=SECRET, reason=SECRET[:2]),
    "Override odd key": lambda: rhrt.Override(**{"level": 2, "reason": "why", SECRET: 1}),
    "Decision.model_validate value": lambda: rhrt.Decision.model_validate(
        {"level": SECRET, "level_name": 7731, SECRET + " y": SECRET}
    ),
    "ruleset model value": lambda: rhrt.ruleset_from_data({"schema_version": SECRET}),
}


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_no_planted_secret_in_a_validation_error(name: str) -> None:
    with pytest.raises((ValidationError, rhrt.RhrtError)) as info:
        PLANTED[name]()
    for text in (str(info.value), repr(info.value)):
        assert SECRET not in text and "SECRET 7731" not in text and "7731" not in text
        assert "input_value" not in text


def _rhrt_models() -> list[type[BaseModel]]:
    found = []
    for module_info in pkgutil.walk_packages(rhrt.__path__, "rhrt."):
        if module_info.name.endswith("__main__"):
            continue  # runs the CLI
        try:
            module = importlib.import_module(module_info.name)
        except ModuleNotFoundError as missing:  # an optional extra not installed here
            if (missing.name or "rhrt").split(".")[0] == "rhrt":
                raise
            continue
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseModel) and obj.__module__.startswith("rhrt."):
                found.append(obj)
    return found


def test_every_rhrt_model_hides_its_input_in_errors() -> None:
    models = _rhrt_models()
    assert rhrt.Case in models and rhrt.Decision in models and rhrt.Override in models
    for model in models:
        assert model.model_config.get("hide_input_in_errors") is True, model.__name__


def test_a_bad_case_in_a_rule_test_file_says_invalid_case_once(tmp_path: Path) -> None:
    path = tmp_path / "x.rhrt-test.yaml"
    path.write_text(
        "tests:\n  - name: bad\n    case:\n      child: {age_years: 99}\n"
        "    expect: {level: 1}\n"
    )
    with pytest.raises(RuleTestError) as info:
        load_test_file(path)
    text = str(info.value)
    assert "invalid case" in text and "invalid case: invalid case" not in text


def test_consent_no_is_refused_saying_why_not_to_write_true_or_false() -> None:
    with pytest.raises(CaseError) as info:
        rhrt.assess("consent: no\n")
    text = str(info.value)
    assert "consent" in text and "YAML 1.1" in text and "quote" in text


def test_a_reference_written_as_a_number_is_told_to_quote_it() -> None:
    with pytest.raises(CaseError) as info:
        rhrt.assess("reference: 4417\n")
    text = str(info.value)
    assert "reference" in text and "quotes" in text and "4417" not in text
    assert rhrt.assess("reference: '4417'\n").level == 1


def test_numpy_numbers_are_measures_as_the_numbers_they_are() -> None:
    np = pytest.importorskip("numpy")
    ruleset = rhrt.load_ruleset()
    measure = ruleset.model.measures[0]
    whole = int(measure.max)
    plain = ruleset.assess({"measures": {measure.id: whole}})
    for number in (np.int64(whole), np.int32(whole), np.float64(whole), np.float32(whole)):
        decision = ruleset.assess({"measures": {measure.id: number}})
        assert decision.level == plain.level and decision.pathways == plain.pathways
    for flag in (np.bool_(True), True):
        with pytest.raises(CaseError, match="must be a number"):
            ruleset.assess({"measures": {measure.id: flag}})

# SPDX-License-Identifier: MIT
"""rhrt.testing: property-based testing for levels-of-need rulesets (needs ``rhrt[testing]``).

For a partnership's own test suite (the pytest plugin provides the ``rhrt_ruleset`` fixture,
set ``rhrt_rules = path/to/rules.yaml`` in the pytest ini file)::

    from rhrt.testing import assert_invariants

    def test_our_ruleset_is_safe(rhrt_ruleset):
        assert_invariants(rhrt_ruleset)

Names are loaded on first use: the pytest plugin lives in this package and is imported by every
pytest run, so importing the package must not import hypothesis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rhrt.testing.invariants import (
        PROPERTIES,
        Counterexample,
        InvariantReport,
        Property,
        assert_invariants,
        check_invariants,
        check_property,
        describe_case,
    )
    from rhrt.testing.strategies import (
        ages,
        cases,
        indicator_pool,
        measure_values,
        ruleset_data,
        rulesets,
    )

_EXPORTS = {
    "PROPERTIES": "invariants",
    "Counterexample": "invariants",
    "InvariantReport": "invariants",
    "Property": "invariants",
    "assert_invariants": "invariants",
    "check_invariants": "invariants",
    "check_property": "invariants",
    "describe_case": "invariants",
    "ages": "strategies",
    "cases": "strategies",
    "indicator_pool": "strategies",
    "measure_values": "strategies",
    "ruleset_data": "strategies",
    "rulesets": "strategies",
}

__all__ = [
    "PROPERTIES",
    "Counterexample",
    "InvariantReport",
    "Property",
    "ages",
    "assert_invariants",
    "cases",
    "check_invariants",
    "check_property",
    "describe_case",
    "indicator_pool",
    "measure_values",
    "ruleset_data",
    "rulesets",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rhrt.testing' has no attribute {name!r}")
    import importlib

    try:
        found = importlib.import_module(f"rhrt.testing.{module}")
    except ModuleNotFoundError as exc:
        if exc.name == "hypothesis" or (exc.name or "").startswith("hypothesis."):
            from rhrt.errors import MissingExtraError

            raise MissingExtraError("rhrt.testing", "testing") from None
        raise
    return getattr(found, name)

# SPDX-License-Identifier: MIT
"""The rhrt pytest plugin (registered through the ``pytest11`` entry point).

It gives a partnership's test suite a ``rhrt_ruleset`` fixture: the ruleset named by the
``--rhrt-rules`` option or the ``rhrt_rules`` ini setting (relative to the rootdir), or the
bundled Herefordshire ruleset. It also collects YAML rule tests (``*.rhrt-test.yaml``, see
``rhrt.testing.yaml_tests``): one test item per case, run against the file's own ruleset, else
that same configured ruleset. Every pytest run in an environment with rhrt installed loads
this module, so it imports nothing at import time beyond pytest itself: rhrt's ruleset
machinery and hypothesis are imported inside the fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from rhrt.ruleset import Ruleset
    from rhrt.testing.yaml_tests import RuleTest

_SUFFIX = ".rhrt-test.yaml"  # rhrt.testing.yaml_tests.SUFFIX (not imported: keep this light)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rhrt", "rhrt levels-of-need rulesets")
    group.addoption(
        "--rhrt-rules",
        action="store",
        default=None,
        metavar="FILE",
        help="ruleset YAML file for the rhrt_ruleset fixture (default: rhrt_rules ini setting, "
        "else the bundled Herefordshire ruleset)",
    )
    parser.addini("rhrt_rules", "ruleset YAML file for the rhrt_ruleset fixture", default="")


def rules_path(config: pytest.Config) -> Path | None:
    """The configured ruleset file, or None for the bundled ruleset."""
    option = config.getoption("--rhrt-rules", default=None)
    if option:
        return Path(option)
    ini = str(config.getini("rhrt_rules") or "")
    if ini:
        path = Path(ini)
        return path if path.is_absolute() else Path(config.rootpath) / path
    return None


@pytest.fixture(scope="session")
def rhrt_ruleset(pytestconfig: pytest.Config) -> Ruleset:
    """The partnership's ruleset, loaded and validated once per test session."""
    from rhrt.ruleset import load_ruleset

    return load_ruleset(rules_path(pytestconfig))


# --- YAML rule tests ------------------------------------------------------------------------


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.name.endswith(_SUFFIX):
        return RuleTestFile.from_parent(parent, path=file_path)
    return None


class RuleTestFile(pytest.File):
    """A ``*.rhrt-test.yaml`` file: its cases become items."""

    def collect(self) -> Iterator[pytest.Item]:
        from rhrt.ruleset import load_ruleset
        from rhrt.testing.yaml_tests import load_test_file

        default = load_ruleset(rules_path(self.config))
        loaded = load_test_file(self.path, default)
        for test in loaded.tests:
            yield RuleTestItem.from_parent(
                self, name=f"{test.index}: {test.name}", test=test, ruleset=loaded.ruleset
            )


class RuleTestItem(pytest.Item):
    def __init__(self, *, test: RuleTest, ruleset: Ruleset, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.test = test
        self.ruleset = ruleset

    def runtest(self) -> None:
        from rhrt.testing.yaml_tests import run_test

        outcome = run_test(self.ruleset, self.test)
        if not outcome.passed:
            raise RuleTestFailed(outcome.failures)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str:
        if isinstance(excinfo.value, RuleTestFailed):
            return "\n".join([f"rule test '{self.test.name}' failed:", *excinfo.value.failures])
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.test.line - 1 if self.test.line else None
        return self.path, line, f"rule test: {self.test.name}"


class RuleTestFailed(Exception):
    def __init__(self, failures: tuple[str, ...]) -> None:
        super().__init__("; ".join(failures))
        self.failures = failures

# SPDX-License-Identifier: MIT
"""rhrt: Right Help, Right Time levels of need as tested, explainable code.

rhrt supports professional judgement; it never replaces it.

>>> import rhrt
>>> decision = rhrt.assess({"child": {"age_years": 8}, "indicators": []})
>>> decision.level, decision.level_name
(1, 'Universal')
"""

from __future__ import annotations

from rhrt._gc import paused as _paused

with _paused():  # importing builds pydantic's schemas: thousands of long-lived objects
    from rhrt._version import __version__ as __version__
    from rhrt.errors import ArgumentError as ArgumentError
    from rhrt.errors import BackendError as BackendError
    from rhrt.errors import CaseError as CaseError
    from rhrt.errors import FileError as FileError
    from rhrt.errors import MissingExtraError as MissingExtraError
    from rhrt.errors import RhrtError as RhrtError
    from rhrt.errors import RulesetError as RulesetError
    from rhrt.model.case import Case as Case
    from rhrt.model.decision import Decision as Decision
    from rhrt.model.decision import Override as Override
    from rhrt.rules.safe_yaml import Limits as Limits
    from rhrt.ruleset import Ruleset as Ruleset
    from rhrt.ruleset import load_ruleset as load_ruleset
    from rhrt.ruleset import ruleset_from_data as ruleset_from_data
    from rhrt.ruleset import ruleset_from_text as ruleset_from_text

def assess(case: object, *, override: object = None, engine: str = "reference") -> Decision:
    """Assess a case with the bundled Herefordshire ruleset (loaded once, then shared).

    A shortcut for ``rhrt.load_ruleset().assess(case)``.
    """
    return load_ruleset().assess(case, override=override, engine=engine)  # type: ignore[arg-type]


__all__ = [
    "ArgumentError",
    "BackendError",
    "Case",
    "CaseError",
    "Decision",
    "FileError",
    "Limits",
    "MissingExtraError",
    "Override",
    "RhrtError",
    "Ruleset",
    "RulesetError",
    "__version__",
    "assess",
    "load_ruleset",
    "ruleset_from_data",
    "ruleset_from_text",
]

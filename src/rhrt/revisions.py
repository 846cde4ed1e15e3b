# SPDX-License-Identifier: MIT
"""Dated revisions of one ruleset: which files are revisions, whether they make one history,
and which revision is in force on a day (the rules ``rhrt.history`` documents).

Written once, below the façade, for the two callers that need them: ``load_ruleset(folder,
as_of=day)`` (``rhrt.ruleset``) and :class:`rhrt.history.RulesetHistory`. Neither imports the
other: ``rhrt.history`` sits above ``rhrt.ruleset`` (and above ``rhrt.batch``, for
``RulesetHistory.assess_table``). Nothing here loads a ruleset: callers pass the revisions.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rhrt.errors import Problem, RulesetReferenceError

if TYPE_CHECKING:
    from rhrt.ruleset import Ruleset

__all__ = ["in_force", "ordered_revisions", "revision_files"]


def revision_files(folder: str | Path) -> list[Path]:
    """The revision files of a folder: its ``*.yaml`` files (not rule tests), by name.

    Raises:
        RulesetReferenceError: the folder holds none.
    """
    folder = Path(folder)
    files = sorted(p for p in folder.glob("*.yaml") if not p.name.endswith(".rhrt-test.yaml"))
    if not files:
        raise RulesetReferenceError([Problem("no ruleset (*.yaml) files in the folder",
                                             file=str(folder))])
    return files


def ordered_revisions(revisions: Iterable[Ruleset]) -> tuple[Ruleset, ...]:
    """The revisions oldest first (by ``effective_from``), checked to be one history.

    Raises:
        RulesetReferenceError: no revision; revisions of different rulesets (``ruleset.id``);
            two coming into force on the same day; one in force after the next one starts.
    """
    ordered = sorted(revisions, key=lambda r: r.model.ruleset.effective_from)
    _check(ordered)
    return tuple(ordered)


def in_force(revisions: Sequence[Ruleset], when: dt.date) -> Ruleset:
    """The revision in force on ``when`` among ``revisions`` (oldest first, as
    :func:`ordered_revisions` gives them): the latest that came into force on or before it, or
    the first when ``when`` is before them all."""
    chosen = revisions[0]
    for revision in revisions:
        if revision.model.ruleset.effective_from <= when:
            chosen = revision
    return chosen


def _check(revisions: Sequence[Ruleset]) -> None:
    if not revisions:
        raise RulesetReferenceError([Problem("a ruleset history needs at least one revision")])
    problems = []
    first = revisions[0]
    for rev in revisions[1:]:
        if rev.id != first.id:
            problems.append(Problem(
                f"revision of a different ruleset ('{rev.id}', not '{first.id}')",
                path="ruleset.id", file=_file(rev),
            ))
    for before, after in itertools.pairwise(revisions):
        a, b = before.model.ruleset, after.model.ruleset
        if a.effective_from == b.effective_from:
            problems.append(Problem(
                f"two revisions come into force on {b.effective_from.isoformat()}",
                path="ruleset.effective_from", file=_file(after),
            ))
        elif a.effective_to is not None and a.effective_to >= b.effective_from:
            problems.append(Problem(
                f"revision {before.version} is in force until {a.effective_to.isoformat()}, "
                f"after revision {after.version} comes into force",
                path="ruleset.effective_to", file=_file(before),
            ))
    if problems:
        raise RulesetReferenceError(problems)


def _file(ruleset: Ruleset) -> str | None:
    return str(ruleset.path) if ruleset.path is not None else None

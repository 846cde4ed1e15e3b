# SPDX-License-Identifier: MIT
"""Dated revisions of one ruleset: the revision in force on each case's assessment date.

A partnership revises its framework every year or two, and a case assessed in 2024 must be
decided (and re-decided, in an audit) by the 2024 rules. A :class:`RulesetHistory` is the
revisions of one ruleset (same ``ruleset.id``), each in force from its ``effective_from`` until
its ``effective_to`` or the next revision's ``effective_from``. Each revision is an ordinary
:class:`~rhrt.Ruleset`, so a decision records which one decided it (``decision.ruleset``: id,
version and SHA-256).

Which revision a date picks: the latest that came into force on or before it. A date before
every revision picks the first; a date after a revision's ``effective_to`` with no later one
picks that revision. In both cases the decision carries the usual warning that the date is
outside the ruleset's effective period. A case with no assessment date is refused
(:class:`~rhrt.errors.CaseError` at ``assessment_date``) when there is more than one revision:
rhrt never reads the clock, so without the date no revision can be chosen (the latest may
not yet be in force). A history of one revision uses it, as a single file would.

Load one from a folder of ruleset files (``load_history("rules/")``, every ``*.yaml`` directly
in it) or a list of files; ``load_ruleset(folder, as_of=date)`` gives one revision. The rules
above are written once in :mod:`rhrt.revisions`, which both use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rhrt.errors import CaseError
from rhrt.revisions import in_force, ordered_revisions, revision_files
from rhrt.rules.safe_yaml import DEFAULT_LIMITS, Limits, check_limits
from rhrt.ruleset import load_ruleset

if TYPE_CHECKING:
    from rhrt.model.decision import Decision
    from rhrt.ruleset import Ruleset

__all__ = ["RulesetHistory", "load_history", "revision_files"]

_NO_DATE = ("an assessment date is needed to choose the ruleset revision in force "
            "(the rules are a folder of dated revisions)")


class RulesetHistory:
    """The dated revisions of one ruleset, oldest first (immutable, shareable)."""

    __slots__ = ("revisions",)

    def __init__(self, revisions: Iterable[Ruleset]) -> None:
        self.revisions: tuple[Ruleset, ...] = ordered_revisions(revisions)

    def __repr__(self) -> str:
        spans = ", ".join(f"{r.version} from {r.model.ruleset.effective_from}"
                          for r in self.revisions)
        return f"<RulesetHistory {self.revisions[0].id}: {spans}>"

    @property
    def latest(self) -> Ruleset:
        return self.revisions[-1]

    def as_of(self, when: dt.date | None) -> Ruleset:
        """The revision in force on ``when``; see the module.

        Raises:
            CaseError: ``when`` is None and there is more than one revision.
        """
        if when is None:
            if len(self.revisions) == 1:
                return self.latest
            raise CaseError(_NO_DATE, path="assessment_date")
        return in_force(self.revisions, when)

    def for_case(self, case: Any) -> Ruleset:
        """The revision for a case (anything ``Ruleset.assess`` takes), by its assessment date."""
        from rhrt.cases import parse_case

        return self.as_of(parse_case(case).assessment_date)

    def assess(self, case: Any, **kwargs: Any) -> Decision:
        """Assess with the revision in force on the case's assessment date."""
        from rhrt.cases import parse_case

        parsed = parse_case(case)
        return self.as_of(parsed.assessment_date).assess(parsed, **kwargs)


    def assess_table(
        self,
        table: Any,
        *,
        fast: bool = False,
        keep_input: bool = True,
        ignore_columns: Iterable[str] = (),
    ) -> Any:
        """``rhrt.batch.assess_table`` with each row decided by the revision in force on its
        ``assessment_date``, plus a ``ruleset_version`` column saying which. Needs
        rhrt[analysis].

        Raises:
            CaseError: with more than one revision, a row has no ``assessment_date`` (or the
                table has no such column), or a value is not a date.
        """
        import bisect

        import numpy as np
        import pyarrow as pa

        from rhrt.batch import assess_table
        from rhrt.batch.adapters import from_arrow, to_arrow

        arrow = to_arrow(table)
        latest = len(self.revisions) - 1
        which = np.full(arrow.num_rows, latest, dtype=np.int64)
        if len(self.revisions) > 1 and arrow.num_rows and (
            "assessment_date" not in arrow.column_names
        ):
            raise CaseError(_NO_DATE, path="assessment_date")
        if "assessment_date" in arrow.column_names and len(self.revisions) > 1:
            starts = [r.model.ruleset.effective_from for r in self.revisions]
            try:
                days = arrow.column("assessment_date").cast(pa.date32()).to_pylist()
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise CaseError("assessment_date must be dates (YYYY-MM-DD)",
                                path="assessment_date") from None
            for i, day in enumerate(days):
                if day is None:
                    raise CaseError(f"{_NO_DATE} (row {i + 1})", path="assessment_date")
                which[i] = max(bisect.bisect_right(starts, day) - 1, 0)
        parts, order = [], []
        for n, revision in enumerate(self.revisions):
            rows = np.flatnonzero(which == n)
            if rows.size == 0:
                continue
            part = assess_table(arrow.take(pa.array(rows)), revision, fast=fast,
                                keep_input=False, ignore_columns=ignore_columns)
            part = part.append_column(
                "ruleset_version", pa.array([revision.version] * rows.size, pa.string())
            )
            parts.append(part)
            order.append(rows)
        if not parts:
            result = assess_table(arrow, self.latest, fast=fast, keep_input=False,
                                  ignore_columns=ignore_columns)
            result = result.append_column("ruleset_version", pa.array([], pa.string()))
        else:
            combined = pa.concat_tables(parts, promote_options="default")
            result = combined.take(pa.array(np.argsort(np.concatenate(order), kind="stable")))
        return from_arrow(result, table, keep_input=keep_input)


def load_history(
    source: str | Path | Sequence[str | Path], *, limits: Limits = DEFAULT_LIMITS
) -> RulesetHistory:
    """Load every revision: a folder's ``*.yaml`` files (not rule tests), or the files given.

    ``limits`` bounds the size, nesting and aliases of each revision file, as for
    :func:`rhrt.load_ruleset` (see docs/security.md).

    Raises:
        RulesetError: a file is not a valid ruleset, or exceeds ``limits``; the revisions are of
            different rulesets, start on the same day or overlap.
        ArgumentError: ``limits`` is not a :class:`rhrt.Limits`.
    """
    check_limits(limits)
    if isinstance(source, (str, Path)):
        folder = Path(source)
        files = revision_files(folder) if folder.is_dir() else [folder]
    else:
        files = [Path(p) for p in source]
    return RulesetHistory(load_ruleset(p, limits=limits) for p in files)

# SPDX-License-Identifier: MIT
"""A loaded ruleset: the object applications hold, share across threads, and assess with.

The pipeline, one step per module::

    YAML ─ rules.safe_yaml ─▶ rules.load (validated model) ─▶ rules.compile (plan)
         ─▶ engine.reference | engine.durable (evaluation) ─▶ explain ─▶ Decision

A ``Ruleset`` is immutable once built; engines are created lazily, once, under a lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rhrt._gc import paused
from rhrt._version import __version__
from rhrt.cases import CaseInput, parse_case
from rhrt.engine import ENGINES
from rhrt.engine.reference import Evaluation, Facts, evaluate
from rhrt.errors import (
    ArgumentError,
    CaseError,
    RhrtError,
    RulesetSchemaError,
    RulesetSyntaxError,
    expect,
    field_path,
    id_shaped,
    suggest,
)
from rhrt.explain import (
    ExplanationParts,
    UrgentRoutes,
    citation,
    consent_position,
    explain,
    first_step,
    kept,
    override_record,
)
from rhrt.indicators.catalogue import Catalogue
from rhrt.model import decision as d
from rhrt.model import display, trusted
from rhrt.model.case import Case
from rhrt.model.ruleset import RulesetModel
from rhrt.provisional import Provisional
from rhrt.recorded import implied_warnings, unread_warnings
from rhrt.revisions import in_force, ordered_revisions, revision_files
from rhrt.rules.bundled import bundled_ruleset_path
from rhrt.rules.compile import Plan, compile_ruleset
from rhrt.rules.consent import ConsentTable, consent_table
from rhrt.rules.load import model_from_data, parse_ruleset
from rhrt.rules.plain import rule_conditions
from rhrt.rules.safe_yaml import DEFAULT_LIMITS, Limits, check_limits, read_limited
from rhrt.rules.semantics import context_implied, implied_indicators

EngineFn = Callable[[Facts], Evaluation]


def _show_decision(decision: d.Decision, kind: str) -> Any:
    """A Decision's notebook and rich display (registered with :mod:`rhrt.model.display`): the
    renderer, imported when a decision is first displayed, so ``import rhrt`` stays light."""
    from rhrt.render.hooks import show_decision

    return show_decision(decision, kind)


display.register(_show_decision)
OverrideInput = d.Override | Mapping[str, Any]


class Ruleset:
    """A validated, compiled levels-of-need ruleset."""

    __slots__ = (
        "_conditions",
        "_engines",
        "_guidance",
        "_lock",
        "_parts",
        "_pathways",
        "_provisional",
        "_routes",
        "catalogue",
        "consent",
        "model",
        "path",
        "plan",
        "stamp",
    )

    def __init__(self, model: RulesetModel, *, sha256: str, path: Path | None = None) -> None:
        self.model = model
        self.plan: Plan = compile_ruleset(model)
        self.catalogue = Catalogue(model)
        status = model.ruleset.status
        self.stamp = d.RulesetStamp(
            id=model.ruleset.id,
            version=model.ruleset.version,
            sha256=sha256,
            status=None if status is None else d.StatusStamp(id=status.id, text=status.text),
        )
        self.consent: ConsentTable = self.plan.consent or consent_table(model)
        self.path = path
        self._guidance = _pathway_guidance(model)
        self._conditions = rule_conditions(model)
        self._parts = ExplanationParts(self.catalogue, self._conditions)
        self._provisional = Provisional(model)
        self._routes = UrgentRoutes.of_plan(self.plan)
        self._pathways: dict[
            tuple[str, tuple[str, ...], str | None], d.PathwayRecommendation
        ] = {}
        self._engines: dict[str, EngineFn] = {"reference": self._reference}
        self._lock = threading.Lock()

    def __setattr__(self, name: str, value: object) -> None:
        """Each attribute is set once, in ``__init__``: a ruleset is shared across threads."""
        if hasattr(self, name):
            raise AttributeError(f"a Ruleset is immutable: cannot set '{name}'")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Ruleset is immutable: cannot delete '{name}'")

    # -- identity ---------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self.model.ruleset.id

    @property
    def version(self) -> str:
        return self.model.ruleset.version

    @property
    def title(self) -> str:
        return self.model.ruleset.title

    def __repr__(self) -> str:
        return (
            f"<Ruleset {self.id} {self.version} sha256={self.stamp.sha256[:12]} "
            f"indicators={len(self.model.indicators)} rules={len(self.model.rules)}>"
        )

    def _repr_html_(self) -> str:
        """Jupyter: identity, counts and levels as HTML (rendering imported only when asked)."""
        from rhrt.render.hooks import ruleset_html

        return ruleset_html(self)

    def __rich__(self) -> Any:
        """rich (terminals): the same summary in Markdown; rich is imported only here."""
        from rhrt.render.hooks import ruleset_rich

        return ruleset_rich(self)

    # -- cases ------------------------------------------------------------------------------

    def validate_case(
        self, case: CaseInput | str | bytes | Path, *, limits: Limits = DEFAULT_LIMITS
    ) -> Case:
        """Check a case's shape and that its indicator ids and measures exist in this ruleset.

        ``limits`` bounds the size, nesting and aliases of a case given as YAML/JSON text.
        """
        parsed = parse_case(case, limits=limits)
        for i, item in enumerate(parsed.indicators):
            if item.id not in self.plan.indicator_level:
                raise CaseError(
                    _unknown("indicator", item.id),
                    path=f"indicators[{i}].id",
                    suggestion=self.catalogue.suggest(item.id),
                )
        for name, value in parsed.measures.items():
            spec = self.plan.measures.get(name)
            if spec is None:
                raise CaseError(
                    _unknown("measure", name),
                    path=field_path(("measures", name)),
                    suggestion=suggest(name, self.plan.measures),
                )
            low, high, integer = spec
            if not low <= value <= high:
                raise CaseError(
                    f"measure out of range ({low:g} to {high:g})",
                    path=field_path(("measures", name)),
                )
            if integer and value != int(value):
                raise CaseError(
                    "measure must be a whole number", path=field_path(("measures", name))
                )
        return parsed

    def facts(self, case: Case) -> Facts:
        """The parts of a validated case the rules see."""
        context = case.context.states()
        months = case.stepped_down_months()
        present = case.indicator_ids | implied_indicators(self.plan, case.measures)
        if context and self.plan.context_implications:
            present |= context_implied(self.plan, context, months)
        facts = object.__new__(Facts)  # every field given: the frozen __init__ adds nothing
        facts.__dict__.update(
            present=present,
            measures=dict(case.measures),
            age_months=case.age_in_months(),
            unborn=case.child.unborn,
            domains=self.plan.indicator_domain,
            context=context,
            stepped_down_months=months,
        )
        return facts

    # -- assessment -------------------------------------------------------------------------

    def assess(
        self,
        case: CaseInput | str | bytes | Path,
        *,
        override: OverrideInput | None = None,
        engine: str = "reference",
        limits: Limits = DEFAULT_LIMITS,
    ) -> d.Decision:
        """Assess one case: its level, why, and what to do.

        Args:
            case: a :class:`~rhrt.Case`, a dict, YAML/JSON text or a path.
            override: a professional's recorded judgement (level, reason, role); kept beside
                the framework's level, never instead of it.
            engine: ``"reference"`` (default) or ``"durable"`` (needs ``rhrt[durable]``).
            limits: resource limits for a case given as YAML/JSON text (see docs/security.md).

        Raises:
            CaseError: the case (or override) is not valid for this ruleset.
        """
        parsed = self.validate_case(case, limits=limits)
        facts = self.facts(parsed)
        evaluation = self.engine(engine)(facts)
        return self._decide(parsed, facts, evaluation, engine, override)

    def engine(self, name: str) -> EngineFn:
        """The evaluation function of a named engine, created once per ruleset.

        Raises:
            ArgumentError: ``name`` is not a string.
            CaseError: no engine has that name.
        """
        expect(name, str, "engine", "an engine name (str)")
        found = self._engines.get(name)
        if found is not None:
            return found
        with self._lock:
            found = self._engines.get(name)
            if found is None:
                found = _make_engine(name, self)
                self._engines[name] = found
        return found

    def _reference(self, facts: Facts) -> Evaluation:
        return evaluate(self.plan, facts)

    def _decide(
        self,
        case: Case,
        facts: Facts,
        evaluation: Evaluation,
        engine: str,
        override: OverrideInput | None,
    ) -> d.Decision:
        level = self._parts.level(evaluation.level)
        conditional = self._provisional.conditional_on(evaluation)
        pathway = self._pathway
        pathways = tuple([
            pathway(pid, why, conditional.get(pid)) for pid, why in evaluation.pathways.items()
        ])
        selected = case.indicator_ids
        explanation = self._provisional.with_unknowns(
            explain(self.plan, self.catalogue, facts, evaluation, parts=self._parts), evaluation
        )
        notes = tuple([
            trusted(d.CaseNote, indicator=item.id, note=item.note, source=item.source)
            for item in case.indicators
            if item.note or item.source
        ])
        overridden = _override(override, evaluation.level, self.model)
        return trusted(
            d.Decision,
            status=evaluation.status,
            level=evaluation.level,
            known_level=evaluation.known_level,
            gather_first=self._provisional.gather_first(evaluation),
            level_name=level.name,
            level_response=level.response,
            urgent=evaluation.urgent,
            pathways=pathways,
            # What to act on first follows the level to act on: the override's, where recorded.
            first_step=first_step(
                self._routes,
                urgent=evaluation.urgent,
                final_level=evaluation.level if overridden is None else overridden.level,
                pathways=pathways,
                explanation=explanation,
            ),
            explanation=explanation,
            consent=consent_position(
                self.model, self.plan, self.catalogue, facts, evaluation, case.consent
            ),
            ruleset=self.stamp,
            engine=engine,
            assessment_date=case.assessment_date,
            rhrt_version=__version__,
            override=overridden,
            recorded_decision=case.recorded_decision,
            notes=notes,
            warnings=(
                *self._date_warnings(case),
                *implied_warnings(self.plan, selected, facts),
                *unread_warnings(self.plan, selected, facts),
            ),
        )

    def _pathway(
        self, pid: str, why: tuple[str, ...], conditional_on: str | None
    ) -> d.PathwayRecommendation:
        """A recommended pathway with the reasons it applies; the same pathway for the same
        reasons is the same in every decision, so the first ``rhrt.explain.MEMO_SIZE`` are
        kept and shared (:func:`rhrt.explain.kept`)."""
        key = (pid, why, conditional_on)
        found = self._pathways.get(key)
        if found is None:
            found = trusted(
                d.PathwayRecommendation,
                **{**self._guidance[pid].__dict__, "why": tuple(why),
                   "conditional_on": conditional_on},
            )
            found = kept(self._pathways, key, found)
        return found

    def _date_warnings(self, case: Case) -> tuple[str, ...]:
        """Say so when the assessment date falls outside the ruleset's effective period."""
        when = case.assessment_date
        info = self.model.ruleset
        if when is None:
            return ()
        if when < info.effective_from:
            return (
                f"The assessment date is before this ruleset came into force "
                f"({info.effective_from.isoformat()}); the framework then in force may differ.",
            )
        if info.effective_to is not None and when > info.effective_to:
            return (
                f"The assessment date is after this ruleset ceased to be in force "
                f"({info.effective_to.isoformat()}); a newer framework may apply.",
            )
        return ()


def _unknown(kind: str, value: str) -> str:
    """The message for an unknown id. A value shaped like an id is echoed (ids are not personal
    data); anything else is not: it may be a note typed into the wrong field or column."""
    if id_shaped(value):
        return f"unknown {kind} '{value}'"
    return f"unknown {kind} (the value given is not shaped like an id, so it is not shown)"


def _pathway_guidance(model: RulesetModel) -> dict[str, d.PathwayRecommendation]:
    """Each pathway's guidance as a decision carries it (``why`` is filled per decision)."""
    out = {}
    for p in model.pathways:
        contact = None
        if p.contact is not None and p.contact in model.contacts:
            c = model.contacts[p.contact]
            contact = d.PathwayContact(
                id=p.contact, name=c.name, how=c.how, hours=c.hours, url=c.url
            )
        out[p.id] = d.PathwayRecommendation(
            id=p.id,
            title=p.title,
            why=(),
            what=p.what,
            contact=contact,
            timescale=p.timescale,
            consent=p.consent,
            gather=p.gather,
            source=citation(model, p.source) if p.source is not None else None,
        )
    return out


def _override(
    value: OverrideInput | None, framework_level: int, model: RulesetModel
) -> d.OverrideRecord | None:
    """The override as recorded: the input checked here (a :class:`CaseError` naming the field,
    never the value), the policy (direction, management review) in :func:`explain.override_record`.
    """
    if value is None:
        return None
    try:
        ov = value if isinstance(value, d.Override) else d.Override.model_validate(dict(value))
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        path = field_path(("override", *first["loc"]))
        raise CaseError(f"invalid override: {first['msg']}", path=path) from None
    except (TypeError, ValueError):
        raise CaseError("an override must have level, reason and role", path="override") from None
    return override_record(ov, framework_level, model)


def _make_engine(name: str, ruleset: Ruleset) -> EngineFn:
    if name == "durable":
        from rhrt.engine.durable import DurableEngine

        return DurableEngine(ruleset.plan, ruleset.stamp.sha256).evaluate
    raise CaseError(
        _unknown("engine", name), suggestion=suggest(name, list(ENGINES))
    )


# -- loading ---------------------------------------------------------------------------------


def load_ruleset(
    path: str | Path | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    as_of: dt.date | str | None = None,
) -> Ruleset:
    """Load, validate and compile a ruleset file; the bundled Herefordshire one by default.

    ``path`` may be a folder of dated revisions of one ruleset (``rhrt.history``): the revision
    in force on ``as_of`` (a ``datetime.date`` or an ISO ``YYYY-MM-DD`` string) is returned.
    ``as_of`` is required for a folder: rhrt never reads the clock, so without a date no
    revision can be chosen. For a single file, ``as_of`` changes nothing (a decision dated
    outside its period carries a warning).

    Raises:
        RulesetError: with file, line, column, field path and suggestions.
        ArgumentError: ``path`` is not a str or path, ``limits`` not a :class:`Limits`,
            ``as_of`` not a date or ISO date string (a ``datetime`` is refused too), or
            ``path`` is a folder and ``as_of`` is not given.
    """
    check_limits(limits)
    day = _as_of_date(as_of)
    if path is None:
        return _bundled()
    expect(path, (str, PathLike), "path", "a str or os.PathLike path to a ruleset file")
    file = Path(path)
    if file.is_dir():
        if day is None:
            raise ArgumentError(
                "as_of", "", None,
                message="as_of is required when path is a folder of dated ruleset revisions "
                "(the revision in force depends on the date): pass as_of, or use rhrt.history "
                "to pick the revision per case; on the command line give --rules one revision "
                "file (rhrt assess and render choose by each case's assessment_date)",
            )
        # the revisions as rhrt.history loads them, each read within the same limits
        revisions = (load_ruleset(p, limits=limits) for p in revision_files(file))
        return in_force(ordered_revisions(revisions), day)
    try:
        raw = read_limited(file, limits.max_bytes)  # never more than the limit into memory
    except OSError as exc:
        raise RulesetSyntaxError(
            [_problem(f"cannot read ruleset file ({exc.strerror or 'error'})", str(path))]
        ) from None
    return ruleset_from_text(raw, file=str(path), path=file, limits=limits)


def _as_of_date(as_of: object) -> dt.date | None:
    """``as_of`` as a date: a ``datetime.date`` (not a ``datetime``) or ``YYYY-MM-DD`` text."""
    expected = "a datetime.date or an ISO 'YYYY-MM-DD' string"
    if as_of is None:
        return None
    if isinstance(as_of, dt.datetime):
        raise ArgumentError("as_of", expected, as_of)
    if isinstance(as_of, dt.date):
        return as_of
    if isinstance(as_of, str):
        if len(as_of) == 10 and as_of[4] == "-" and as_of[7] == "-" and as_of.replace(
            "-", ""
        ).isascii() and as_of.replace("-", "").isdigit():
            try:
                return dt.date.fromisoformat(as_of)
            except ValueError:
                pass
        raise ArgumentError("as_of", expected, as_of,
                            message=f"as_of must be {expected} (a real calendar date)")
    raise ArgumentError("as_of", expected, as_of)


def ruleset_from_text(
    text: str | bytes,
    *,
    file: str | None = "<string>",
    path: Path | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Ruleset:
    """Load a ruleset from YAML text. The content hash is of the UTF-8 bytes.

    Raises:
        RulesetError: the text is not a valid ruleset.
        ArgumentError: ``text`` is not str or bytes, or ``limits`` not a :class:`Limits`.
    """
    expect(text, (str, bytes), "text", "YAML text (str or bytes)")
    check_limits(limits)
    # surrogatepass: a lone surrogate becomes bytes the reader refuses as invalid UTF-8
    # (a RulesetSyntaxError), instead of a UnicodeEncodeError here.
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    with paused():  # the model and plan are long-lived: no collection while building them
        model = parse_ruleset(raw, file=file, limits=limits)
        return Ruleset(model, sha256=hashlib.sha256(raw).hexdigest(), path=path)


def ruleset_from_data(data: Mapping[str, Any]) -> Ruleset:
    """Build a ruleset from plain data (e.g. generated in tests); hashed as canonical JSON."""
    if not isinstance(data, Mapping):
        raise RulesetSchemaError(
            [_problem("a ruleset must be a mapping with keys such as 'ruleset' and 'indicators'",
                      "<data>")]
        )
    with paused():
        model = model_from_data(dict(data))
        canonical = json.dumps(model.model_dump(mode="json", by_alias=True), sort_keys=True)
        return Ruleset(model, sha256=hashlib.sha256(canonical.encode()).hexdigest())


@lru_cache(maxsize=1)
def _bundled() -> Ruleset:
    path = bundled_ruleset_path()
    return ruleset_from_text(path.read_bytes(), file=path.name, path=path)


def _problem(message: str, file: str) -> Any:
    from rhrt.errors import Problem

    return Problem(message, file=file)


__all__ = ["RhrtError", "Ruleset", "load_ruleset", "ruleset_from_data", "ruleset_from_text"]

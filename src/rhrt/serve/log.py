# SPDX-License-Identifier: MIT
"""The opt-in decision log: who decided what, when, under which ruleset (append-only).

``rhrt serve --log sqlite:///decisions.db`` (or a ``postgresql://`` URL, with the
``serve-postgresql`` extra) appends one row per assessment made through the page or the API:

- when (UTC, the server's clock: the *log* is dated; a decision never reads the clock), who
  (the role the practitioner gave, if any), the ruleset's id, version and SHA-256, rhrt's version;
- the framework's level, the level to act on, urgency, and any override with its reason and role;
- the facts the audit replays (indicator ids, measures, age in months, unborn, gestation,
  consent, assessment date) and the decision record as JSON;
- practitioners' notes and the referral source only when the log is opened with
  ``include_notes=True`` (``--log-notes``): otherwise they are never written.

Append-only: the log has no update or delete operation, and the database refuses them too
(SQLite: ``BEFORE UPDATE/DELETE`` triggers that abort, and a ``BEFORE INSERT`` one that
refuses a row id already used, so ``INSERT OR REPLACE`` cannot rewrite a row; PostgreSQL: a
trigger that raises on ``UPDATE`` (upserts and ``MERGE`` included), ``DELETE`` and
``TRUNCATE``). :meth:`DecisionLog.export_csv` writes the rows made
under one ruleset in ``rhrt audit``'s table layout (``recorded_decision`` = the level acted on),
so ``rhrt audit export.csv --rules SAME_RULESET`` audits what the page decided.

Raises :class:`rhrt.errors.BackendError` for a URL that is not SQLite or PostgreSQL, or a
database that cannot be opened (the message names the kind of problem, never the URL's
password).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from rhrt.errors import BackendError, MissingExtraError
from rhrt.model.case import Case
from rhrt.model.decision import Decision

TABLE = "rhrt_decision_log"
LOG_FORMAT = 1

_metadata = sa.MetaData()
_log = sa.Table(
    TABLE,
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("log_format", sa.Integer, nullable=False),
    # stamped by the database (CURRENT_TIMESTAMP, UTC), not by rhrt: rhrt's source reads no
    # clock (tests/test_determinism.py), and the database's own time is the one an auditor trusts
    sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.current_timestamp()),
    sa.Column("decided_by", sa.String(200)),
    sa.Column("ruleset_id", sa.String(200), nullable=False),
    sa.Column("ruleset_version", sa.String(200), nullable=False),
    sa.Column("ruleset_sha256", sa.String(64), nullable=False, index=True),
    sa.Column("rhrt_version", sa.String(50), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("final_level", sa.Integer, nullable=False),
    sa.Column("urgent", sa.Boolean, nullable=False),
    sa.Column("override_level", sa.Integer),
    sa.Column("override_direction", sa.String(10)),
    sa.Column("override_reason", sa.Text),
    sa.Column("override_role", sa.String(200)),
    sa.Column("management_review", sa.Boolean, nullable=False),
    sa.Column("indicators", sa.Text, nullable=False),
    sa.Column("measures", sa.Text, nullable=False),
    sa.Column("age_months", sa.Float),
    sa.Column("unborn", sa.Boolean, nullable=False),
    sa.Column("gestation_weeks", sa.Float),
    sa.Column("consent", sa.String(20)),
    sa.Column("assessment_date", sa.Date),
    sa.Column("referral_source", sa.String(100)),
    sa.Column("case_facts", sa.Text, nullable=False),
    sa.Column("record", sa.Text, nullable=False),
)

_SQLITE_GUARDS = (
    *(
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END"
        for verb in ("UPDATE", "DELETE")
    ),
    # INSERT OR REPLACE / REPLACE INTO deletes the row it replaces without firing DELETE
    # triggers (unless recursive_triggers is on): an insert may never reuse a row's id.
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_replace BEFORE INSERT ON {TABLE} "
    f"WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id) "
    f"BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END",
)
_POSTGRESQL_GUARDS = (
    f"CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION 'the decision log is append-only'; END $$",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()",
)
_NEVER_KEPT = ("reference", "recorded_decision")
"""Case fields the log never keeps: the caller's own reference, and the audit-only recorded
decision (the export's ``recorded_decision`` is the level acted on)."""


def case_facts(case: Case, *, include_notes: bool) -> dict[str, Any]:
    """The case as the log keeps it (JSON-ready): every field the rules and the audit read,
    without the reference; a date of birth becomes the age in months it gives; notes, sources
    and the referral source only with ``include_notes``."""
    data = case.model_dump(mode="json", exclude_none=True)
    for name in _NEVER_KEPT:
        data.pop(name, None)
    child = data.get("child", {})
    if "date_of_birth" in child:
        child.pop("date_of_birth")
        child["age_months"] = case.age_in_months()
    if not include_notes:
        data.pop("referral_source", None)
        data["indicators"] = [{"id": item["id"]} for item in data.get("indicators", [])]
    return data


def _cell_for(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "ids":
        return ";".join(item["id"] if isinstance(item, dict) else str(item) for item in value)
    if kind == "flag" or isinstance(value, bool):  # any yes/no kind, written as batch reads it
        return "true" if value else "false"
    if kind == "number":
        return _number_cell(value)
    return _cell(value)


def _number_cell(value: float) -> str:
    """A number exactly as the decision read it (:func:`rhrt.render.escape.number_text`:
    ``f"{v:g}"`` kept six significant figures, so an age of 12.9999999 years was exported as
    13 and the audit's replay missed an under-13 rule)."""
    from rhrt.render.escape import number_text

    return number_text(value)


def _engine(url: str) -> sa.Engine:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise BackendError("the decision log URL is not a database URL "
                           "(sqlite:///PATH or postgresql://...)") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend not in ("sqlite", "postgresql"):
        raise BackendError("the decision log must be SQLite (sqlite:///PATH) or PostgreSQL "
                           "(postgresql://...)")
    try:
        # hide_parameters: a database error's message otherwise carries the row it was
        # writing (override reason, role, case facts, the record) into logs and tracebacks.
        return sa.create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
    except ModuleNotFoundError:
        raise MissingExtraError("the PostgreSQL decision log", "serve-postgresql") from None


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula and a terminal will not run as
    an escape sequence: the one rule every CSV rhrt writes follows
    (:func:`rhrt.render.escape.csv_safe_text`)."""
    from rhrt.render.escape import csv_safe_text

    return "" if value is None else csv_safe_text(str(value))


class DecisionLog:
    """An append-only log of decisions in SQLite or PostgreSQL (see the module docstring)."""

    def __init__(self, url: str, *, include_notes: bool = False, create: bool = True) -> None:
        """Open (``create``: or start) the log at ``url``.

        Raises:
            BackendError: not a SQLite or PostgreSQL URL, the database cannot be opened, or
                (``create=False``, e.g. for an export) no decision log is there: a mistyped
                path is refused rather than exported as an empty log.
            MissingExtraError: a PostgreSQL URL without the ``serve-postgresql`` extra.
        """
        self.include_notes = include_notes
        self.engine = _engine(url)
        self._lock = threading.Lock()
        if not create:
            self._must_exist()
        try:
            with self.engine.begin() as conn:
                _metadata.create_all(conn)
                guards = (_POSTGRESQL_GUARDS if self.engine.dialect.name == "postgresql"
                          else _SQLITE_GUARDS)
                for statement in guards:
                    conn.exec_driver_sql(statement)
        except sa.exc.SQLAlchemyError as exc:
            raise BackendError(
                f"cannot open the decision log ({type(getattr(exc, 'orig', None) or exc).__name__})"
            ) from None

    def _must_exist(self) -> None:
        database = self.engine.url.database
        if self.engine.dialect.name == "sqlite" and (
            not database or database == ":memory:" or not Path(database).is_file()
        ):
            raise BackendError("no decision log at this URL (the SQLite file does not exist)")
        try:
            found = sa.inspect(self.engine).has_table(_log.name)
        except sa.exc.SQLAlchemyError as exc:
            raise BackendError(
                f"cannot open the decision log ({type(getattr(exc, 'orig', None) or exc).__name__})"
            ) from None
        if not found:
            raise BackendError("no decision log at this URL (the database has no decision log)")

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def append(self, case: Case, decision: Decision, *, decided_by: str | None = None) -> int:
        """Add one decision; returns its row id. Notes only when the log includes notes.

        Raises:
            BackendError: the database refused the row or could not be reached (the message
                names the kind of error, never the row).
        """
        ov = decision.override
        row = {
            "log_format": LOG_FORMAT,
            "decided_by": decided_by,
            "ruleset_id": decision.ruleset.id,
            "ruleset_version": decision.ruleset.version,
            "ruleset_sha256": decision.ruleset.sha256,
            "rhrt_version": decision.rhrt_version,
            "level": decision.level,
            "final_level": decision.final_level,
            "urgent": decision.urgent,
            "override_level": ov.level if ov else None,
            "override_direction": ov.direction if ov else None,
            "override_reason": ov.reason if ov else None,
            "override_role": ov.role if ov else None,
            "management_review": bool(ov and ov.management_review),
            "indicators": ";".join(item.id for item in case.indicators),
            "measures": json.dumps(dict(case.measures), sort_keys=True),
            "age_months": case.age_in_months(),
            "unborn": case.child.unborn,
            "gestation_weeks": case.child.gestation_weeks,
            "consent": case.consent,
            "assessment_date": case.assessment_date,
            "referral_source": case.referral_source if self.include_notes else None,
            "case_facts": json.dumps(case_facts(case, include_notes=self.include_notes),
                                     sort_keys=True),
            "record": decision.to_json(include_notes=self.include_notes, indent=None),
        }
        try:
            with self._lock, self.engine.begin() as conn:
                result = conn.execute(_log.insert().values(**row))
                key = result.inserted_primary_key
                return int(key[0]) if key else 0
        except sa.exc.SQLAlchemyError as exc:
            raise BackendError(
                "cannot write to the decision log "
                f"({type(getattr(exc, 'orig', None) or exc).__name__})"
            ) from None

    def entries(self, *, ruleset_sha256: str | None = None) -> Iterator[dict[str, Any]]:
        """Every row, oldest first (optionally only those made under one ruleset)."""
        query = sa.select(_log).order_by(_log.c.id)
        if ruleset_sha256 is not None:
            query = query.where(_log.c.ruleset_sha256 == ruleset_sha256)
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                yield dict(row._mapping)

    def export_csv(self, out: str | Path, *, ruleset_sha256: str) -> int:
        """Write the rows made under one ruleset as a table ``rhrt audit`` reads; returns rows.

        Columns: every case column of the batch layout (``rhrt.model.case.case_columns``, so
        a new case field is exported as soon as it is a column) then one per measure recorded
        in any row. Each ``case_ref`` is ``log-<row id>``; ``recorded_decision`` is the level
        acted on (the override's where there was one). Text cells are formula-safe; the file
        is written whole or not at all (``rhrt.files``).
        """
        import csv
        import io

        from rhrt.files import write_text
        from rhrt.model.case import case_columns

        columns = case_columns()
        rows = list(self.entries(ruleset_sha256=ruleset_sha256))
        facts = [json.loads(r["case_facts"]) for r in rows]
        measures = sorted({name for f in facts for name in f.get("measures", {})})
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([*(c.name for c in columns), *measures])
        for r, f in zip(rows, facts, strict=True):
            cells = []
            for c in columns:
                if c.name == "case_ref":
                    cells.append(f"log-{r['id']}")
                elif c.name == "recorded_decision":
                    cells.append(str(r["final_level"]))
                else:
                    value: Any = f
                    for part in c.path:
                        value = value.get(part) if isinstance(value, dict) else None
                    cells.append(_cell_for(c.kind, value))
            values = f.get("measures", {})
            cells += [_cell_for("number", values.get(m)) for m in measures]
            writer.writerow(cells)
        write_text(Path(out), buffer.getvalue())
        return len(rows)

    def close(self) -> None:
        self.engine.dispose()

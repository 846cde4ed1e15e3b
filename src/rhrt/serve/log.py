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
(SQLite: ``BEFORE UPDATE/DELETE`` triggers that abort; PostgreSQL: a trigger that raises on
``UPDATE``, ``DELETE`` and ``TRUNCATE``). :meth:`DecisionLog.export_csv` writes the rows made
under one ruleset in ``rhrt audit``'s table layout (``recorded_decision`` = the level acted on),
so ``rhrt audit export.csv --rules SAME_RULESET`` audits what the page decided.

Raises :class:`rhrt.errors.BackendError` for a URL that is not SQLite or PostgreSQL, or a
database that cannot be opened (the message names the kind of problem, never the URL's
password).
"""

from __future__ import annotations

import datetime as dt
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
    sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
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
    sa.Column("record", sa.Text, nullable=False),
)

_SQLITE_GUARDS = tuple(
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END"
    for verb in ("UPDATE", "DELETE")
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
EXPORT_COLUMNS = (
    "case_ref", "age_months", "unborn", "gestation_weeks", "indicators", "consent",
    "assessment_date", "recorded_decision", "referral_source",
)
"""``rhrt audit``'s case columns the export writes (then one column per measure)."""


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
        return sa.create_engine(parsed, pool_pre_ping=True)
    except ModuleNotFoundError:
        raise MissingExtraError("the PostgreSQL decision log", "serve-postgresql") from None


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class DecisionLog:
    """An append-only log of decisions in SQLite or PostgreSQL (see the module docstring)."""

    def __init__(self, url: str, *, include_notes: bool = False) -> None:
        self.include_notes = include_notes
        self.engine = _engine(url)
        self._lock = threading.Lock()
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

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def append(self, case: Case, decision: Decision, *, decided_by: str | None = None) -> int:
        """Add one decision; returns its row id. Notes only when the log includes notes."""
        ov = decision.override
        row = {
            "log_format": LOG_FORMAT,
            "logged_at": dt.datetime.now(dt.UTC),
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
            "record": decision.to_json(include_notes=self.include_notes, indent=None),
        }
        with self._lock, self.engine.begin() as conn:
            result = conn.execute(_log.insert().values(**row))
            key = result.inserted_primary_key
            return int(key[0]) if key else 0

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

        Columns: :data:`EXPORT_COLUMNS` then one per measure recorded in any row. Each
        ``case_ref`` is ``log-<row id>``; ``recorded_decision`` is the level acted on (the
        override's where there was one). Written whole or not at all (``rhrt.files``).
        """
        import csv
        import io

        from rhrt.files import write_text

        rows = list(self.entries(ruleset_sha256=ruleset_sha256))
        measures = sorted({name for r in rows for name in json.loads(r["measures"])})
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([*EXPORT_COLUMNS, *measures])
        for r in rows:
            values = json.loads(r["measures"])
            when = r["assessment_date"]
            writer.writerow([
                f"log-{r['id']}",
                "" if r["age_months"] is None else f"{r['age_months']:g}",
                "true" if r["unborn"] else "false",
                "" if r["gestation_weeks"] is None else f"{r['gestation_weeks']:g}",
                r["indicators"],
                r["consent"] or "",
                when.isoformat() if when is not None else "",
                r["final_level"],
                _cell(r["referral_source"]),
                *(("" if values.get(m) is None else f"{values[m]:g}") for m in measures),
            ])
        write_text(Path(out), buffer.getvalue())
        return len(rows)

    def close(self) -> None:
        self.engine.dispose()

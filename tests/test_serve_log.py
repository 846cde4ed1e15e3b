# SPDX-License-Identifier: MIT
"""The opt-in decision log of rhrt serve: what it keeps, append-only, and its export for
``rhrt audit``. SQLite always; PostgreSQL against a real server (``scripts/services`` starts a
throwaway cluster; ``.ci/run`` runs it first and sets RHRT_TEST_POSTGRESQL_URL)."""

from __future__ import annotations

import csv
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the decision log needs the serve extra")
pytest.importorskip("fastapi", reason="rhrt serve needs the serve extra")

import sqlalchemy as sa

import rhrt
from rhrt.errors import BackendError
from rhrt.serve.log import TABLE, DecisionLog

ROOT = Path(__file__).resolve().parents[1]
NOTE = "mum said <b>Jane Doe</b> =cmd|' /C calc'!A0"


def _postgresql_url() -> str:
    url = os.environ.get("RHRT_TEST_POSTGRESQL_URL")
    if url:
        return url
    pytest.importorskip("psycopg", reason="the PostgreSQL log needs the serve-postgresql extra")
    try:
        out = subprocess.run([str(ROOT / "scripts" / "services")], capture_output=True,
                             text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"PostgreSQL could not be started by scripts/services ({exc})")
    if out.returncode != 0 or not out.stdout.strip():
        tail = " / ".join(out.stderr.strip().splitlines()[-3:])
        pytest.skip(f"PostgreSQL could not be started by scripts/services: {tail}")
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture(params=["sqlite", "postgresql"])
def log_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'decisions.db'}"
        return
    base = _postgresql_url()
    pytest.importorskip("psycopg")
    engine = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
    name = f"rhrt_test_{uuid.uuid4().hex[:12]}"
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        engine.dispose()


@pytest.fixture(scope="module")
def ruleset() -> rhrt.Ruleset:
    return rhrt.load_ruleset()


def _ids(ruleset: rhrt.Ruleset, level: int, n: int = 1) -> list[str]:
    return [i.id for i in ruleset.model.indicators if i.level == level][:n]


def _log_two(log: DecisionLog, ruleset: rhrt.Ruleset) -> list[rhrt.Decision]:
    first = ruleset.validate_case({"child": {"age_years": 6}, "indicators": [
        {"id": _ids(ruleset, 3)[0], "note": NOTE}], "referral_source": "school"})
    second = ruleset.validate_case({"child": {"unborn": True}, "indicators": _ids(ruleset, 2, 2)})
    made = []
    for case, override, who in ((first, None, "duty worker"),
                                (second, {"level": 3, "reason": "history of neglect",
                                          "role": "team manager"}, None)):
        decision = ruleset.assess(case, override=override)
        log.append(case, decision, decided_by=who)
        made.append(decision)
    return made


def test_log_keeps_who_what_when_and_which_ruleset(log_url: str, ruleset: rhrt.Ruleset) -> None:
    log = DecisionLog(log_url)
    made = _log_two(log, ruleset)
    rows = list(log.entries())
    assert [r["level"] for r in rows] == [d.level for d in made]
    assert [r["final_level"] for r in rows] == [d.final_level for d in made]
    assert rows[0]["decided_by"] == "duty worker"
    assert rows[1]["override_level"] == 3 and rows[1]["override_reason"].startswith("history")
    assert rows[1]["override_role"] == "team manager"
    for r in rows:
        assert (r["ruleset_id"], r["ruleset_version"], r["ruleset_sha256"]) == (
            ruleset.stamp.id, ruleset.stamp.version, ruleset.stamp.sha256)
        assert r["logged_at"] is not None
        assert rhrt.Decision.from_json(r["record"]).level == r["level"]
    log.close()


def test_notes_are_kept_only_when_configured(log_url: str, ruleset: rhrt.Ruleset) -> None:
    plain = DecisionLog(log_url)
    _log_two(plain, ruleset)
    for r in plain.entries():
        assert "Jane Doe" not in r["record"] and r["referral_source"] is None
    plain.close()
    with_notes = DecisionLog(log_url, include_notes=True)
    _log_two(with_notes, ruleset)
    kept = list(with_notes.entries())[2:]
    assert "Jane Doe" in kept[0]["record"] and kept[0]["referral_source"] == "school"
    with_notes.close()


def test_the_log_refuses_update_and_delete(log_url: str, ruleset: rhrt.Ruleset) -> None:
    log = DecisionLog(log_url)
    _log_two(log, ruleset)
    for statement in (f"UPDATE {TABLE} SET level = 1", f"DELETE FROM {TABLE}"):
        with pytest.raises(sa.exc.DatabaseError), log.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    if log.backend == "postgresql":
        with pytest.raises(sa.exc.DatabaseError), log.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {TABLE}")
    assert [r["level"] for r in log.entries()] != [1, 1]
    assert len(list(log.entries())) == 2
    assert not any(name.startswith(("update", "delete")) for name in dir(log))
    reopened = DecisionLog(log_url)  # opening again keeps the rows and the guards
    assert len(list(reopened.entries())) == 2
    log.close()
    reopened.close()


def test_the_log_refuses_a_row_rewritten_by_replace_or_upsert(log_url: str,
                                                              ruleset: rhrt.Ruleset) -> None:
    # SQLite's INSERT OR REPLACE deletes the old row without firing DELETE triggers; an
    # upsert (ON CONFLICT DO UPDATE) and MERGE are updates by another name.
    log = DecisionLog(log_url)
    _log_two(log, ruleset)
    before = [(r["id"], r["level"], r["record"]) for r in log.entries()]
    cols = ", ".join(c for c in log.entries().__next__() if c != "id")
    copy = f"SELECT id, {cols.replace('level,', '1,', 1)} FROM {TABLE}"
    statements = [f"INSERT INTO {TABLE} (id, {cols}) {copy} "
                  f"ON CONFLICT (id) DO UPDATE SET level = 1"]
    if log.backend == "sqlite":
        statements += [f"INSERT OR REPLACE INTO {TABLE} (id, {cols}) {copy}",
                       f"REPLACE INTO {TABLE} (id, {cols}) {copy}"]
    else:
        statements += [f"MERGE INTO {TABLE} t USING {TABLE} s ON t.id = s.id "
                       f"WHEN MATCHED THEN UPDATE SET level = 1",
                       f"MERGE INTO {TABLE} t USING {TABLE} s ON t.id = s.id "
                       f"WHEN MATCHED THEN DELETE"]
    for statement in statements:
        with pytest.raises(sa.exc.DatabaseError), log.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert [(r["id"], r["level"], r["record"]) for r in log.entries()] == before
    log.append(*_case_and_decision(ruleset))  # a new row still goes in
    assert len(list(log.entries())) == len(before) + 1
    log.close()


def _case_and_decision(ruleset: rhrt.Ruleset) -> tuple[rhrt.Case, rhrt.Decision]:
    case = ruleset.validate_case({"child": {"age_years": 3}, "indicators": _ids(ruleset, 2)})
    return case, ruleset.assess(case)


def test_a_failing_log_never_carries_the_row_into_errors(log_url: str,
                                                         ruleset: rhrt.Ruleset) -> None:
    # SQLAlchemy's error messages carry the statement's parameters (the role, the override
    # reason, the case facts, the record): uvicorn logs them with the traceback of a 500.
    from fastapi.testclient import TestClient

    from rhrt.serve.app import create_app

    log = DecisionLog(log_url, include_notes=True)
    with log.engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE {TABLE}")  # the database refuses the insert
    case = ruleset.validate_case({"child": {"age_years": 6}, "indicators": [
        {"id": _ids(ruleset, 3)[0], "note": NOTE}]})
    decision = ruleset.assess(case, override={"level": 4, "reason": "Jane Doe told me",
                                              "role": "team manager"})
    with pytest.raises(BackendError) as raised:
        log.append(case, decision, decided_by="Jane Doe's worker")
    assert "Jane Doe" not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    client = TestClient(create_app(ruleset, log=log), base_url="http://127.0.0.1",
                        raise_server_exceptions=False)
    response = client.post("/api/assess", json={
        "case": {"child": {"age_years": 6}, "indicators": [
            {"id": _ids(ruleset, 3)[0], "note": NOTE}]},
        "override": {"level": 4, "reason": "Jane Doe told me", "role": "team manager"}})
    assert response.status_code == 503 and response.json()["error"] == "BackendError"
    assert "Jane Doe" not in response.text
    page = client.post("/", content=f"indicator={_ids(ruleset, 3)[0]}".encode(),
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert page.status_code == 503 and 'id="error"' in page.text
    log.close()


def test_export_is_read_by_rhrt_audit(log_url: str, ruleset: rhrt.Ruleset,
                                      tmp_path: Path) -> None:
    pytest.importorskip("pyarrow", reason="rhrt audit needs the analysis extra")
    log = DecisionLog(log_url, include_notes=True)
    made = _log_two(log, ruleset)
    out = tmp_path / "export.csv"
    assert log.export_csv(out, ruleset_sha256=ruleset.stamp.sha256) == 2
    assert log.export_csv(tmp_path / "none.csv", ruleset_sha256="0" * 64) == 0
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["recorded_decision"]) for r in rows] == [d.final_level for d in made]
    from rhrt.audit import compare
    from rhrt.cli.audit import read_table

    result = compare(read_table(str(out), 1000), ruleset)
    assert result.rows == 2 and result.recorded == 2
    # the framework's level, re-assessed from the export, is the level the log recorded
    assert result.agreement == sum(d.level == d.final_level for d in made) / 2
    from rhrt.cli import main

    assert main(["audit", str(out), "--out", str(tmp_path / "audit.md")]) == 0
    log.close()


@pytest.mark.parametrize("source", ["=1+1", "\x1b[31mschool\x1b[0m", "school\u202e=1+1",
                                    "\x1b]8;;http://e\x07=cmd|' /C calc'!A0"])
def test_export_cells_follow_the_one_csv_rule(tmp_path: Path, ruleset: rhrt.Ruleset,
                                             source: str) -> None:
    # The export's text cells were neutralised by a rule of their own (= + - @ tab CR), which
    # let terminal escapes and bidi controls through: every CSV rhrt writes uses csv_safe_text.
    from rhrt.render.escape import FORMULA_START, csv_safe_text

    log = DecisionLog(f"sqlite:///{tmp_path / 'd.db'}", include_notes=True)
    case = ruleset.validate_case({"child": {"age_years": 4}, "referral_source": source})
    log.append(case, ruleset.assess(case))
    out = tmp_path / "export.csv"
    log.export_csv(out, ruleset_sha256=ruleset.stamp.sha256)
    with out.open(newline="") as handle:
        cell = next(csv.DictReader(handle))["referral_source"]
    assert cell == csv_safe_text(source)
    assert cell.isprintable() and cell[:1] not in FORMULA_START
    log.close()


def _replayed(log: DecisionLog, ruleset: rhrt.Ruleset, tmp_path: Path) -> list[rhrt.Case]:
    pytest.importorskip("pyarrow", reason="reading the export needs the analysis extra")
    from rhrt.batch import iter_cases
    from rhrt.cli.audit import read_table

    out = tmp_path / "export.csv"
    log.export_csv(out, ruleset_sha256=ruleset.stamp.sha256)
    return [ruleset.validate_case(c) for c in iter_cases(read_table(str(out), 1000), ruleset)]


@pytest.mark.parametrize("child", [
    {"age_years": 12.9999999},  # exported as 13 by f"{v:g}": the under-13 rule was lost
    {"age_years": 17.9999999},
    {"age_months": 155.9999999},
    {"unborn": True, "gestation_weeks": 23.99999},
    {"age_years": 0.0000001},
])
def test_export_keeps_every_number_exactly(tmp_path: Path, ruleset: rhrt.Ruleset,
                                           child: dict[str, object]) -> None:
    log = DecisionLog(f"sqlite:///{tmp_path / 'd.db'}")
    case = ruleset.validate_case({"child": child, "indicators": ["risky-sexual-behaviour"],
                                  "measures": {"missing_episodes_90_days": 1234567 % 91}})
    decision = ruleset.assess(case)
    log.append(case, decision)
    (back,) = _replayed(log, ruleset, tmp_path)
    assert back.child == case.child and back.measures == case.measures
    assert ruleset.assess(back).level == decision.level
    log.close()


_CONTEXT_RULE = """  - id: looked-after-da
    because: A looked-after child at risk of domestic abuse.
    when: {all: [{context: {is: looked_after}}, {tag: da}]}
    then: {level: 4, pathways: [marac]}
  - id: accumulation
"""


@pytest.mark.parametrize("context", [
    {"looked_after": False},
    {"looked_after": True, "child_protection_plan": "neglect", "in_custody": False},
    {"looked_after": False, "stepped_down_from": "child_protection_plan",
     "stepped_down_category": "neglect", "stepped_down_months_ago": 2.5},
    {"looked_after": False, "stepped_down_from": "early_help", "stepped_down_on": "2024-01-15"},
])
def test_export_keeps_the_case_context_the_decision_read(tmp_path: Path,
                                                         context: dict[str, object]) -> None:
    # The log keeps the context (case_facts) but the export wrote only batch columns, so
    # `rhrt audit` replayed a child recorded as not looked after as unknown, and disagreed
    # with every such decision the page made.
    minimal = ROOT / "tests" / "rulesets" / "minimal.yaml"
    ruleset = rhrt.ruleset_from_text(minimal.read_text(encoding="utf-8").replace(
        "  - id: accumulation\n", _CONTEXT_RULE))
    da = next(i.id for i in ruleset.model.indicators if "da" in i.tags)
    case = ruleset.validate_case({"child": {"age_years": 13}, "indicators": [da],
                                  "measures": {"dash_score": 3},
                                  "assessment_date": "2024-03-01", "context": context})
    decision = ruleset.assess(case)
    log = DecisionLog(f"sqlite:///{tmp_path / 'd.db'}")
    log.append(case, decision)
    (back,) = _replayed(log, ruleset, tmp_path)
    log.close()
    assert back.context == case.context
    assert ruleset.assess(back).level == decision.level


def test_export_has_every_case_column_and_never_a_date_of_birth(tmp_path: Path,
                                                                 ruleset: rhrt.Ruleset) -> None:
    from rhrt.model.case import case_columns

    log = DecisionLog(f"sqlite:///{tmp_path / 'd.db'}")
    case = ruleset.validate_case({"reference": "REF-SECRET", "assessment_date": "2024-05-01",
                                  "child": {"date_of_birth": "2020-01-15"},
                                  "indicators": _ids(ruleset, 2)})
    log.append(case, ruleset.assess(case))
    out = tmp_path / "export.csv"
    log.export_csv(out, ruleset_sha256=ruleset.stamp.sha256)
    text = out.read_text()
    with out.open(newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert list(row)[: len(case_columns())] == [c.name for c in case_columns()]
    assert row["date_of_birth"] == "" and float(row["age_months"]) == case.age_in_months()
    assert row["assessment_date"] == "2024-05-01"
    assert "REF-SECRET" not in text and "2020-01-15" not in text
    assert "REF-SECRET" not in next(log.entries())["case_facts"]
    log.close()


def test_cli_export_log(tmp_path: Path, ruleset: rhrt.Ruleset) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    log = DecisionLog(url)
    _log_two(log, ruleset)
    log.close()
    from rhrt.cli import main

    out = tmp_path / "export.csv"
    assert main(["serve", "--log", url, "--export-log", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 3


def test_a_bad_log_url_is_refused_without_echoing_it() -> None:
    for url in ("mysql://user:pw-SECRET@host/db", "not a url SECRET"):
        with pytest.raises(BackendError) as info:
            DecisionLog(url)
        assert "SECRET" not in str(info.value)


def test_the_api_logs_each_decision(tmp_path: Path, ruleset: rhrt.Ruleset) -> None:
    from fastapi.testclient import TestClient

    from rhrt.serve.app import create_app

    log = DecisionLog(f"sqlite:///{tmp_path / 'd.db'}")
    client = TestClient(create_app(ruleset, log=log), base_url="http://127.0.0.1")
    case = {"indicators": [{"id": _ids(ruleset, 3)[0], "note": NOTE}]}
    assert client.post("/api/assess", json={"case": case, "decided_by": "sw"}).status_code == 200
    assert client.post("/", data={"indicator": _ids(ruleset, 2)[0]}).status_code == 200
    refused = client.post("/api/assess", json={"case": {"indicators": ["no-such-id"]}})
    assert refused.status_code == 422
    rows = list(log.entries())
    assert [r["decided_by"] for r in rows] == ["sw", None]
    assert all("Jane Doe" not in r["record"] for r in rows)
    log.close()


def test_exporting_a_log_that_is_not_there_is_refused(
    log_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # regression: a mistyped path created an empty log and reported "0 decisions written"
    from rhrt.cli import main
    from rhrt.errors import BackendError

    with pytest.raises(BackendError):
        DecisionLog(log_url, create=False)  # the database is there, its log is not
    missing = f"sqlite:///{tmp_path / 'typo' / 'decisions.db'}"
    out = tmp_path / "export.csv"
    assert main(["serve", "--log", missing, "--export-log", str(out)]) != 0
    assert "no decision log" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "typo").exists()
    DecisionLog(log_url)  # started by a server ...
    assert DecisionLog(log_url, create=False).backend in ("sqlite", "postgresql")  # ... exported

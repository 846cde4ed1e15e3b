# SPDX-License-Identifier: MIT
"""Privacy: no network anywhere, no logging of case content, notes masked in reprs and errors,
and decision records without notes unless asked.

A case is a child's personal data. Every test plants a marker in every free-text field and
checks it goes nowhere it should not.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import socket
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import rhrt
from rhrt.cli import main as cli_main

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"
NOTE = "Marker-Note-Kwame-Asante-7f3a9c"
SOURCE = "Marker-Source-Mrs-Pettigrew-18b2"
REFERENCE = "Marker-Ref-HR1-9ZZ-c41d"
REASON = "Marker-Reason-Dad-drinks-e77a"
MARKERS = (NOTE, SOURCE, REFERENCE, REASON)


def case_data() -> dict[str, Any]:
    return {
        "reference": REFERENCE,
        "child": {"date_of_birth": "2023-11-02"},
        "assessment_date": "2024-03-01",
        "indicators": [
            {"id": "bruise", "note": NOTE, "source": SOURCE},
            {"id": "poor-diet", "note": NOTE},
            "da-incidents",
        ],
        "measures": {"dash_score": 16},
        "consent": "refused",
        "referral_source": SOURCE,
    }


OVERRIDE = {"level": 3, "reason": REASON, "role": "social worker"}


@pytest.fixture(scope="module")
def rs() -> rhrt.Ruleset:
    return rhrt.load_ruleset(MINIMAL)


def _leaks(text: str) -> list[str]:
    return [m for m in MARKERS if m in text]


# -- no network -----------------------------------------------------------------------------


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every way of opening a connection or resolving a name raises (and is recorded)."""
    attempts: list[str] = []

    def refuse(name: str) -> Any:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            attempts.append(name)
            raise NetworkUsed(f"network access attempted: {name}")

        return blocked

    class BlockedSocket(socket.socket):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            attempts.append("socket.socket")
            raise NetworkUsed("network access attempted: socket.socket")

    monkeypatch.setattr(socket, "socket", BlockedSocket)
    for name in (
        "create_connection",
        "getaddrinfo",
        "gethostbyname",
        "socketpair",
        "create_server",
        "fromfd",
    ):
        monkeypatch.setattr(socket, name, refuse(f"socket.{name}"))
    yield attempts


def test_the_whole_api_runs_without_network(
    no_network: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ruleset = rhrt.load_ruleset(MINIMAL)
    rhrt.ruleset_from_text(MINIMAL.read_text(encoding="utf-8"))
    try:
        rhrt.load_ruleset()  # the bundled ruleset
        rhrt.assess({"indicators": []})
    except rhrt.RulesetError:  # pragma: no cover - the data file is being rewritten
        pass
    case = ruleset.validate_case(case_data())
    decision = ruleset.assess(case, override=OVERRIDE)
    ruleset.assess(json.dumps(case_data()))
    ruleset.assess(b"indicators: [bruise]\n")
    decision.to_json(include_notes=True)
    rhrt.Decision.from_json(decision.to_json())
    rhrt.Decision.json_schema()
    from rhrt import render

    for fmt in ("text", "markdown", "html", "json"):
        render.render_decision(decision, ruleset, fmt, case=case, include_notes=True)
    for fmt in ("text", "markdown", "html"):
        render.render_referral(case, decision, ruleset, fmt)
        for pathway in ruleset.model.pathways:
            render.render_pathway(pathway.id, ruleset, fmt, decision=decision)
    render.render_ruleset(ruleset, "markdown")
    render.render_ruleset(ruleset, "html")
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(case_data()), encoding="utf-8")
    for argv in (
        ["assess", str(case_file), "--rules", str(MINIMAL), "--format", "json"],
        ["assess", str(case_file), "--rules", str(MINIMAL), "--format", "html"],
        ["validate", str(MINIMAL)],
        ["indicators", "--rules", str(MINIMAL)],
    ):
        assert cli_main(argv) == 0, argv
    capsys.readouterr()
    # An engine that is not installed is fine; reaching for the network is not.
    with contextlib.suppress(rhrt.RhrtError, ImportError):
        ruleset.assess(case, engine="durable")
    try:
        import pyarrow as pa

        from rhrt.batch import assess_table
    except ImportError:  # pragma: no cover - the analysis extra is optional
        pass
    else:
        table = pa.table({"indicators": [["bruise", "poor-diet"], []], "age_months": [3.0, None]})
        assert assess_table(table, ruleset, keep_input=False).num_rows == 2
    assert no_network == []


def test_the_blocker_really_blocks(no_network: list[str]) -> None:
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.org", 80))
    with pytest.raises(NetworkUsed):
        socket.socket()
    assert no_network == ["socket.create_connection", "socket.socket"]


def test_importing_rhrt_loads_no_network_client() -> None:
    code = (
        "import sys, rhrt, rhrt.render, rhrt.cli\n"
        "bad = [m for m in ('http.client', 'urllib.request', 'ssl', 'requests', 'httpx', "
        "'urllib3', 'smtplib', 'ftplib') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# -- no logging of case content --------------------------------------------------------------


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        parts = []
        for record in self.records:
            parts.append(formatter.format(record))
            parts.append(repr(record.args))
            parts.append(repr(getattr(record, "__dict__", {})))
        return "\n".join(parts)


@pytest.fixture
def log_capture() -> Iterator[Capture]:
    handler = Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(n) for n in list(logging.root.manager.loggerDict)]
    old = [(lg, lg.level, lg.disabled) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
    logging.disable(logging.NOTSET)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for lg, level, disabled in old:
            lg.setLevel(level)
            lg.disabled = disabled


def test_nothing_logs_case_content_at_any_level(
    rs: rhrt.Ruleset, log_capture: Capture, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rhrt import render

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            case = rs.validate_case(case_data())
            decision = rs.assess(case, override=OVERRIDE)
            rs.assess(json.dumps(case_data()).encode())
            for fmt in ("text", "markdown", "html", "json"):
                render.render_decision(decision, rs, fmt, include_notes=True)
            render.render_referral(case, decision, rs, "html")
            bad = case_data()
            bad["indicators"].append({"id": "no-such", "note": NOTE})
            with pytest.raises(rhrt.CaseError):
                rs.assess(bad)
            with pytest.raises(rhrt.CaseError):
                rs.assess({"child": {"age_years": NOTE}})
        case_file = tmp_path / "case.json"
        case_file.write_text(json.dumps(case_data()), encoding="utf-8")
        assert cli_main(["assess", str(case_file), "--rules", str(MINIMAL)]) == 0
    out = capsys.readouterr()
    assert _leaks(log_capture.text()) == []
    assert _leaks("\n".join(str(w.message) for w in caught)) == []
    # The CLI prints the decision (notes only with --include-notes), and nothing to stderr.
    assert _leaks(out.out) == [] and _leaks(out.err) == []


def test_rhrt_code_never_calls_logging_with_case_objects() -> None:
    """Only reviewed modules log; if another starts to, this test asks for a review."""
    # Reviewed (issue 20, --debug): versions, the command name, ruleset ids and hash, timings,
    # exception types and code locations only (tests/test_cli_conventions.py checks it).
    reviewed = {"cli/_diagnostics.py", "cli/_common.py"}
    src = Path(rhrt.__file__).parent
    offenders = [
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if (
            "logging.getLogger" in p.read_text(encoding="utf-8")
            or "import logging" in p.read_text(encoding="utf-8")
        )
        and str(p.relative_to(src)) not in reviewed
    ]
    assert offenders == [], (
        "these modules log: check they never log notes, sources, references or override "
        f"reasons, then list them here: {offenders}"
    )


# -- masked reprs, errors and records --------------------------------------------------------


def test_reprs_and_strs_mask_free_text(rs: rhrt.Ruleset) -> None:
    case = rs.validate_case(case_data())
    decision = rs.assess(case, override=OVERRIDE)
    override = rhrt.Override.model_validate(OVERRIDE)
    for obj in (
        case,
        *case.indicators,
        case.child,
        decision,
        decision.override,
        override,
        *decision.notes,
    ):
        assert _leaks(repr(obj)) == [], repr(obj)
        assert _leaks(str(obj)) == [], str(obj)
    assert "2023-11-02" not in repr(case)  # the date of birth is masked too
    # The values are still there for the caller who asks for them.
    assert case.indicators[0].note == NOTE and case.reference == REFERENCE


def test_records_exclude_notes_unless_asked(rs: rhrt.Ruleset) -> None:
    decision = rs.assess(case_data(), override=OVERRIDE)
    for text in (decision.to_json(), json.dumps(decision.to_record())):
        assert NOTE not in text and SOURCE not in text and REFERENCE not in text
        assert json.loads(text)["notes"] == []
    full = decision.to_json(include_notes=True)
    assert NOTE in full and SOURCE in full
    notes = json.loads(full)["notes"]
    assert {n["indicator"] for n in notes} == {"bruise", "poor-diet"}
    # The practitioner's override reason is part of the record (it is their judgement).
    assert json.loads(decision.to_json())["override"]["reason"] == REASON


def test_the_case_reference_never_enters_a_decision(rs: rhrt.Ruleset) -> None:
    decision = rs.assess(case_data())
    assert REFERENCE not in decision.to_json(include_notes=True)


def test_exceptions_from_bad_cases_do_not_carry_notes(rs: rhrt.Ruleset) -> None:
    import traceback

    bad = case_data()
    bad["indicators"][0]["colour"] = NOTE
    with pytest.raises(rhrt.CaseError) as info:
        rs.assess(bad)
    shown = "".join(traceback.format_exception(info.value))
    assert _leaks(shown) == [] and _leaks(repr(info.value.args)) == []
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    logger = logging.getLogger("rhrt-test-privacy")
    logger.addHandler(handler)
    try:
        logger.error("assessment failed", exc_info=info.value)
    finally:
        logger.removeHandler(handler)
    assert _leaks(buffer.getvalue()) == []

# SPDX-License-Identifier: MIT
"""rhrt serve without a browser: the page's no-JavaScript path, the JSON API, the headers and
the bounds on requests (FastAPI's test client; the browser tests are test_serve_browser.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("fastapi", reason="rhrt serve needs the serve extra")
pytest.importorskip("httpx", reason="the test client needs httpx")

from fastapi.testclient import TestClient

import rhrt
from rhrt.serve import _form
from rhrt.serve.app import create_app

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> [a](javascript:alert(1))'
SECRET = "Jane-Doe-SECRET-7731"


@pytest.fixture(scope="module")
def ruleset() -> rhrt.Ruleset:
    return rhrt.load_ruleset()


@pytest.fixture(scope="module")
def client(ruleset: rhrt.Ruleset) -> TestClient:
    return TestClient(create_app(ruleset), base_url="http://127.0.0.1")


def _indicator(ruleset: rhrt.Ruleset, level: int) -> str:
    return next(i.id for i in ruleset.model.indicators if i.level == level)


def test_importing_rhrt_does_not_import_the_web_stack() -> None:
    code = ("import sys, rhrt, rhrt.cli; "
            "print(sorted(m for m in ('fastapi', 'starlette', 'uvicorn', 'sqlalchemy') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


# -- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api/ruleset", "/static/rhrt.css", "/static/serve.js",
                                  "/openapi.json", "/no-such-page"])
def test_every_response_has_the_security_headers_and_no_cookie(client: TestClient,
                                                                 path: str) -> None:
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
    assert "set-cookie" not in r.headers
    assert "server" not in r.headers


def test_page_has_no_inline_script_or_style_and_no_external_asset(client: TestClient) -> None:
    page = client.get("/").text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "<style" not in page and " style=" not in page
    assert not re.search(r"\bon[a-z]+=", page)
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert url.startswith(("/", "#")), url
    for name in ("rhrt.css", "serve.js"):
        assert f"/static/{name}" in page
        assert client.get(f"/static/{name}").status_code == 200


def test_the_browser_is_asked_not_to_remember_what_is_typed(client: TestClient) -> None:
    page = client.get("/").text
    assert re.search(r'<form id="case-form"[^>]*autocomplete="off"', page)


def test_every_page_says_it_supports_judgement(client: TestClient, ruleset: rhrt.Ruleset
                                               ) -> None:
    blank = client.get("/").text
    done = client.post("/", data={_form.INDICATOR: _indicator(ruleset, 3)}).text
    refused = client.post("/", data={"child.age_years": "forty"}).text
    for page in (blank, done, refused):
        assert "supports professional judgement; it never replaces it" in page


def test_a_foreign_host_is_refused_when_bound_to_loopback(client: TestClient) -> None:
    assert client.get("/", headers={"host": "rebind.example:8000"}).status_code == 421
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200
    assert client.get("/", headers={"host": "[::1]:8000"}).status_code == 200
    assert client.get("/", headers={"host": "127.0.0.2:8000"}).status_code == 200  # --host
    for foreign in ("127.0.0.1.rebind.example", "[::2]:80", "0.0.0.0:8000", "", "::1:80"):
        assert client.get("/", headers={"host": foreign}).status_code == 421, foreign


def test_any_host_when_not_loopback_only(ruleset: rhrt.Ruleset) -> None:
    c = TestClient(create_app(ruleset, loopback_only=False), base_url="http://portal.example")
    assert c.get("/api/ruleset").status_code == 200


# -- the page, without JavaScript ------------------------------------------------------------


def test_ticked_concerns_give_the_libraries_decision(client: TestClient,
                                                     ruleset: rhrt.Ruleset) -> None:
    ids = [_indicator(ruleset, 2), _indicator(ruleset, 3)]
    r = client.post("/", data={_form.INDICATOR: ids, "child.age_years": "9"})
    assert r.status_code == 200
    expected = ruleset.assess({"child": {"age_years": 9}, "indicators": ids})
    heading = re.search(r'<h2 id="result-title"[^>]*>Level (\d)', r.text)
    assert heading is not None and int(heading.group(1)) == expected.level
    record = re.search(r'<textarea id="record"[^>]*>(.*?)</textarea>', r.text, re.S)
    assert record is not None
    import html

    assert json.loads(html.unescape(record.group(1))) == expected.to_record()
    for p in expected.pathways:
        assert f'id="pathway-{p.id}"' in r.text


def test_the_decision_reads_in_a_practitioners_order(client: TestClient,
                                                     ruleset: rhrt.Ruleset) -> None:
    page = client.post("/", data={_form.INDICATOR: _indicator(ruleset, 3)}).text
    order = ["result-title", "Status and what to gather", ">Consent<", "What to do", ">Why<",
             "What would change it", "Draft referral"]
    found = [page.index(mark) for mark in order]
    assert found == sorted(found)


def test_form_values_are_kept_after_assessing(client: TestClient, ruleset: rhrt.Ruleset) -> None:
    ind = _indicator(ruleset, 2)
    page = client.post("/", data={_form.INDICATOR: ind, "child.age_years": "7",
                                  "consent": "given"}).text
    assert re.search(rf'id="i-{ind}"[^>]*checked', page)
    assert re.search(r'name="child.age_years"[^>]*value="7"', page)
    assert re.search(r'<option value="given" selected', page)


def test_hostile_note_is_escaped_everywhere(client: TestClient, ruleset: rhrt.Ruleset) -> None:
    ind = _indicator(ruleset, 3)
    data = {_form.INDICATOR: ind, _form.NOTE_PREFIX + ind: HOSTILE,
            "override.level": "4", "override.reason": HOSTILE, "override.role": "duty worker"}
    page = client.post("/", data=data).text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page  # shown as text, not dropped
    md = client.post("/download/referral.md", data=data)
    assert md.headers["content-disposition"] == 'attachment; filename="referral.md"'
    assert "<script>" not in md.text and "](javascript:" not in md.text


def test_a_bad_form_value_is_refused_with_its_field_never_its_value(client: TestClient) -> None:
    r = client.post("/", data={"child.age_years": SECRET})
    assert r.status_code == 422
    error = re.search(r'<div class="error".*?</div>', r.text, re.S)
    assert error is not None
    assert "child.age_years" in error.group(0) and SECRET not in error.group(0)


def test_unknown_indicator_from_a_form_is_refused_unnamed(client: TestClient) -> None:
    r = client.post("/", data={_form.INDICATOR: "Jane Doe lives at 4 Main St"})
    assert r.status_code == 422
    error = re.search(r'<div class="error".*?</div>', r.text, re.S)
    assert error is not None and "indicators[0].id" in error.group(0)
    assert "Main St" not in error.group(0)


def test_not_recorded_is_left_out_not_read_as_false_or_zero() -> None:
    form = {"child.age_years": [""], "consent": [""], "child.unborn": []}
    sub = _form.read_form(form, ["m"], ["a"])
    assert sub.case == {}
    assert sub.override is None


def test_every_case_field_is_on_the_form_or_deliberately_left_off() -> None:
    def names(controls: tuple[_form.Control | _form.Group, ...]) -> set[str]:
        out: set[str] = set()
        for c in controls:
            out |= names(c.controls) if isinstance(c, _form.Group) else {c.name}
            if isinstance(c, _form.Group):
                out.add(c.name)
        return out

    shown = names(_form.case_controls())
    for name, info in rhrt.Case.model_fields.items():
        assert name in shown or name in _form.NOT_ON_PAGE, name
        sub = getattr(info.annotation, "model_fields", None)
        for child in sub or ():
            path = f"{name}.{child}"
            assert path in shown or path in _form.NOT_ON_PAGE, path


def test_download_of_the_record_is_the_decision_json(client: TestClient,
                                                     ruleset: rhrt.Ruleset) -> None:
    ind = _indicator(ruleset, 2)
    r = client.post("/download/decision.json", data={_form.INDICATOR: ind})
    assert r.headers["content-type"].startswith("application/json")
    assert json.loads(r.text) == ruleset.assess({"indicators": [ind]}).to_record()


# -- the API ---------------------------------------------------------------------------------


def test_api_assess_returns_the_decision_record(client: TestClient, ruleset: rhrt.Ruleset
                                                ) -> None:
    case = {"child": {"age_months": 4}, "indicators": [
        {"id": _indicator(ruleset, 3), "note": HOSTILE}]}
    r = client.post("/api/assess", json={"case": case})
    assert r.status_code == 200
    assert r.json() == ruleset.assess(case).to_record()
    assert "alert" not in r.text  # notes are never in the API's record


@pytest.mark.parametrize("body, path", [
    ({"case": {"child": {"age_years": SECRET}}}, "child.age_years"),
    ({"case": {"indicators": [SECRET]}}, "indicators[0].id"),
    ({"case": {"measures": {"Jane Doe said": 3}}}, "measures"),
    ({"case": {"consent": SECRET}}, "consent"),
    ({"case": {}, "override": {"level": 2, "reason": SECRET, "role": 7}}, "override.role"),
    ({"case": {}, SECRET: 1}, None),
    ({"cases": {}}, "cases"),
])
def test_api_refusals_name_the_field_never_the_value(client: TestClient, body: dict[str, object],
                                                     path: str | None) -> None:
    r = client.post("/api/assess", json=body)
    assert r.status_code == 422
    problem = r.json()
    assert SECRET not in r.text and "Jane Doe" not in r.text
    if path is not None:
        assert problem["path"].startswith(path)
    assert problem["error"] == "CaseError"


def test_api_refuses_nan_repeated_keys_and_non_json(client: TestClient) -> None:
    for raw in (b'{"case": {"measures": {"x": NaN}}}', b'{"case": {}, "case": {}}', b"\xff{",
                b"[1]"):
        r = client.post("/api/assess", content=raw,
                        headers={"content-type": "application/json"})
        assert r.status_code == 422, raw


def test_fastapis_validation_handler_is_replaced_and_never_echoes(client: TestClient) -> None:
    r = client.get("/api/indicators", params={"level": SECRET})
    assert r.status_code == 422
    assert SECRET not in r.text
    assert r.json()["path"] == "level"
    long = client.get("/api/indicators", params={"q": SECRET * 40})
    assert long.status_code == 422 and SECRET not in long.text


def test_api_indicators_search_and_ruleset(client: TestClient, ruleset: rhrt.Ruleset) -> None:
    everything = client.get("/api/indicators").json()
    assert [i["id"] for i in everything] == [i.id for i in ruleset.model.indicators][:500]
    some = client.get("/api/indicators", params={"q": "bruising baby"}).json()
    assert some and all("bruising" in (i["id"] + i["text"]).lower() for i in some)
    info = client.get("/api/ruleset").json()
    assert (info["id"], info["version"], info["sha256"]) == (
        ruleset.stamp.id, ruleset.stamp.version, ruleset.stamp.sha256)
    declared = getattr(ruleset.stamp, "status", None)
    assert info["status"] == (None if declared is None else declared.text)
    if declared is not None:  # every page shows a declared status
        assert declared.text.split()[0] in client.get("/").text


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_api_render_a_decision(client: TestClient, ruleset: rhrt.Ruleset, fmt: str) -> None:
    from rhrt.render import render_decision

    decision = ruleset.assess({"indicators": [_indicator(ruleset, 3)]})
    r = client.post("/api/render", json={"decision": decision.to_record(), "format": fmt})
    assert r.status_code == 200
    assert r.json()["content"] == render_decision(decision, ruleset, fmt)


def test_api_render_a_referral_escapes_notes(client: TestClient, ruleset: rhrt.Ruleset) -> None:
    case = {"indicators": [{"id": _indicator(ruleset, 3), "note": HOSTILE}]}
    r = client.post("/api/render", json={"kind": "referral", "format": "html", "case": case})
    assert r.status_code == 200
    assert "<script>alert" not in r.json()["content"]
    assert "&lt;script&gt;" in r.json()["content"]


def test_api_render_refuses_a_tampered_record(client: TestClient) -> None:
    r = client.post("/api/render", json={"decision": {"level": SECRET}, "format": "text"})
    assert r.status_code == 422 and SECRET not in r.text


def test_openapi_is_built_from_the_models(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    assert {"Case", "Decision", "AssessRequest", "Override"} <= set(components)
    assert set(rhrt.Case.model_fields) <= set(components["Case"]["properties"])
    body = schema["paths"]["/api/assess"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/AssessRequest")
    assert "/docs" not in {route for route in schema["paths"]}


# -- bounds ----------------------------------------------------------------------------------


def test_request_body_is_bounded(ruleset: rhrt.Ruleset) -> None:
    c = TestClient(create_app(ruleset, max_body=5_000), base_url="http://127.0.0.1")
    big = json.dumps({"case": {"indicators": [{"id": "x", "note": "n" * 6_000}]}})
    r = c.post("/api/assess", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(10):
            yield b"x" * 1_000

    r = c.post("/api/assess", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_request_time_is_bounded(ruleset: rhrt.Ruleset, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from rhrt.serve import _guard

    async def slow(scope: object, receive: object, send: object) -> None:
        await asyncio.sleep(5)

    guard = _guard.Guard(slow, max_body=1000, timeout=0.05, loopback_only=True)
    c = TestClient(guard, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    assert c.get("/").status_code == 503


def test_cli_serve_help_and_missing_log_for_export() -> None:
    from rhrt.cli import main

    assert main(["serve", "--export-log", "x.csv"]) == 2


# -- the command -----------------------------------------------------------------------------


def _run_serve(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    import uvicorn

    from rhrt.cli import main

    seen: dict[str, object] = {}

    def fake_run(app: object, **kwargs: object) -> None:
        seen.update(kwargs, app=app)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    assert main(["serve", *argv]) == 0
    return seen


def test_serve_binds_loopback_by_default(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    seen = _run_serve([], monkeypatch)
    assert seen["host"] == "127.0.0.1"
    assert seen["app"].loopback_only is True  # type: ignore[attr-defined]
    assert "WARNING" not in capsys.readouterr().err


def test_serve_warns_loudly_off_loopback(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    seen = _run_serve(["--host", "0.0.0.0", "--port", "8123"], monkeypatch)
    assert seen["host"] == "0.0.0.0" and seen["port"] == 8123
    assert seen["app"].loopback_only is False  # type: ignore[attr-defined]
    err = capsys.readouterr().err
    assert err.count("WARNING") >= 3 and "0.0.0.0" in err


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.8.0.1", True),
                                            ("::1", True), ("localhost", True),
                                            ("0.0.0.0", False), ("::", False),
                                            ("192.168.1.5", False), ("example.org", False)])
def test_is_loopback(host: str, loopback: bool) -> None:
    from rhrt.serve._guard import is_loopback

    assert is_loopback(host) is loopback


def test_rhrt_serve_answers_on_loopback(tmp_path: object) -> None:
    import http.client
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "rhrt", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/ruleset")
                response = conn.getresponse()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert response.status == 200
        assert json.loads(response.read())["sha256"] == rhrt.load_ruleset().stamp.sha256
        assert response.getheader("content-security-policy")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_yes_no_facts_are_read_as_given_and_unknown_when_empty() -> None:
    choices = [c for c in _flat_controls(_form.case_controls())
               if c.kind == "choice" and {v for v, _ in c.choices} >= {"", "true", "false"}]
    for c in choices:
        top, _, leaf = c.name.partition(".")
        for text, expected in (("true", True), ("false", False)):
            case = _form.read_form({c.name: [text]}, [], []).case
            assert (case[top][leaf] if leaf else case[top]) is expected
        assert _form.read_form({c.name: [""]}, [], []).case == {}


def _flat_controls(controls: tuple[_form.Control | _form.Group, ...]) -> list[_form.Control]:
    out: list[_form.Control] = []
    for c in controls:
        out += _flat_controls(c.controls) if isinstance(c, _form.Group) else [c]
    return out


def test_every_case_control_reaches_the_library(client: TestClient,
                                                ruleset: rhrt.Ruleset) -> None:
    """Each choice on the form, set to each of its values, gives the decision the library gives
    for that case (or the library's own refusal, with the same field path)."""
    for c in _flat_controls(_form.case_controls()):
        for value, _ in c.choices:
            if not value:
                continue
            sub = _form.read_form({c.name: [value]}, [], [])
            r = client.post("/download/decision.json", data={c.name: value})
            try:
                expected = ruleset.assess(sub.case).to_record()
            except rhrt.CaseError as exc:
                assert r.status_code == 422 and f"<code>{exc.path}</code>" in r.text
                continue
            assert r.status_code == 200 and r.json() == expected, c.name


# -- properties ------------------------------------------------------------------------------

_MARK = "<i>x</i>"
_BUNDLED = rhrt.load_ruleset()
_NAMES = [c.name for c in _flat_controls(_form.case_controls())] + [
    c.name for c in _flat_controls(_form.override_controls())] + [_form.DECIDED_BY]
_texts = st.one_of(st.sampled_from(["", "1", "4", "true", "false", "given", "2024-05-01",
                                    "12.5", "-1", "1e3", "NaN", " 3 "]),
                   st.text(max_size=12).map(lambda t: _MARK + t))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(_NAMES), st.lists(_texts, min_size=1, max_size=2),
                       max_size=8),
       st.lists(st.sampled_from(_BUNDLED.plan.indicator_order), max_size=4),
       st.lists(_texts, max_size=2))
def test_any_form_is_assessed_or_refused_and_never_echoed_raw(
    form: dict[str, list[str]], ticked: list[str], notes: list[str]
) -> None:
    """Whatever a form holds, the page gives the library's decision or a typed refusal, and no
    submitted text reaches the page unescaped (a refusal's message never holds it at all)."""
    from rhrt.serve.page import render_page

    values = dict(form)
    if ticked:
        values[_form.INDICATOR] = list(ticked)
        for note in notes:
            values[_form.NOTE_PREFIX + ticked[0]] = [note]
    try:
        sub = _form.read_form(values, list(_BUNDLED.plan.measures), _BUNDLED.plan.indicator_order)
        case = _BUNDLED.validate_case(sub.case)
        decision = _BUNDLED.assess(case, override=sub.override)
    except rhrt.RhrtError as exc:
        assert _MARK not in str(exc)
        page = render_page(_BUNDLED, values, error=exc)
    else:
        page = render_page(_BUNDLED, values, case=case, decision=decision)
        assert f"Level {decision.level}: " in page
    assert _MARK not in page


def test_the_page_says_the_status_in_the_words_every_output_uses(
    client: TestClient, ruleset: rhrt.Ruleset
) -> None:
    # regression: the page wrote its own "no missing information can change the level", which
    # overclaimed (recording a concern or fact never mentioned can still raise a level)
    import html

    decision = ruleset.assess({"child": {"age_years": 9}})
    assert decision.status == "confirmed"
    page = client.post("/", data={"child.age_years": "9"}).text
    assert html.escape(decision.status_text()) in page
    assert "can change the level" not in page


@pytest.mark.parametrize("field", ["child.age_years", "decided_by", "measures"])
def test_a_single_valued_form_field_sent_twice_is_refused(
    client: TestClient, ruleset: rhrt.Ruleset, field: str
) -> None:
    # regression: the page took the last of repeated values, silently dropping the others
    if field == "measures":
        field = _form.MEASURE_PREFIX + ruleset.model.measures[0].id
    values = ["duty social worker", "x"] if field == "decided_by" else ["3", "9"]
    r = client.post("/", data={field: values})
    assert r.status_code == 422
    error = re.search(r'<div class="error".*?</div>', r.text, re.S)
    assert error is not None and "more than once" in error.group(0)


def test_a_role_longer_than_the_limit_is_refused_not_cut_short(client: TestClient) -> None:
    # regression: the form cut decided_by to 200 characters where the API refused it
    long_role = "r" * (_form.MAX_DECIDED_BY + 1)
    r = client.post("/", data={"decided_by": long_role, "child.age_years": "9"})
    assert r.status_code == 422
    error = re.search(r'<div class="error".*?</div>', r.text, re.S)
    assert error is not None and "decided_by" in error.group(0)
    assert long_role not in error.group(0)  # (the form keeps what was typed in its control)
    api = client.post("/api/assess", json={"case": {}, "decided_by": long_role})
    assert api.status_code == 422 and api.json()["path"] == "decided_by"
    fits = client.post("/", data={"decided_by": "r" * _form.MAX_DECIDED_BY, "child.age_years": "9"})
    assert fits.status_code == 200

# SPDX-License-Identifier: MIT
"""rhrt serve against a hostile client: inputs found to break it, kept as regressions (each
answer is a refusal with the field path, as HTML for the page's form and JSON for the API,
never a 500 and never the input echoed)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("fastapi", reason="rhrt serve needs the serve extra")
pytest.importorskip("httpx", reason="the test client needs httpx")

from fastapi.testclient import TestClient

import rhrt
from rhrt.serve import _form
from rhrt.serve.app import create_app

SECRET = "Jane-Doe-SECRET-7731"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(rhrt.load_ruleset()), base_url="http://127.0.0.1",
                      raise_server_exceptions=False)


@pytest.mark.parametrize("route", ["/api/assess", "/api/render"])
@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"case": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001,
    b'{"case": {"child": {"age_months": 4}, "x": ' + b"[" * 20_000 + b"]" * 20_000 + b"}}",
])
def test_deeply_nested_json_is_refused_not_a_server_error(client: TestClient, route: str,
                                                          body: bytes) -> None:
    response = client.post(route, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"] == "CaseError"


@pytest.mark.parametrize("route", ["/", "/download/referral.md", "/download/decision.json"])
@pytest.mark.parametrize("body", [
    b"note%3Ax=" + SECRET.encode() + b"&child.age_months=%ff",
    b"&".join(b"indicator=" + SECRET.encode() for _ in range(_form.MAX_FIELDS + 1)),
])
def test_an_unreadable_form_is_refused_on_the_page(client: TestClient, route: str,
                                                   body: bytes) -> None:
    # A form post is answered with the page (its refusal shown where the practitioner is),
    # as for any other refused form, not with the API's JSON.
    response = client.post(route, content=body,
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="error"' in response.text
    assert SECRET not in response.text


_CROSS_SITE = [
    {"origin": "https://evil.example", "sec-fetch-site": "cross-site"},
    {"origin": "http://127.0.0.1:3000", "sec-fetch-site": "same-site"},  # another local port
    {"origin": "https://evil.example"},  # a browser without fetch metadata
    {"origin": "null"},  # a sandboxed frame or a file:// page
]
_SAME_SITE = [
    {},  # curl, scripts: no browser headers
    {"origin": "http://127.0.0.1", "sec-fetch-site": "same-origin"},
    {"origin": "http://127.0.0.1"},
    {"sec-fetch-site": "none"},  # typed into the address bar
]


def _posts(ruleset: rhrt.Ruleset) -> list[tuple[str, bytes, str]]:
    ind = next(i.id for i in ruleset.model.indicators if i.level == 1)
    form = (f"indicator={ind}&child.age_years=15&override.level=1&override.reason=forged"
            f"&override.role=team+manager&decided_by=duty+worker").encode()
    api = json.dumps({"case": {"indicators": [ind]}, "decided_by": "duty worker"}).encode()
    return [("/", form, "application/x-www-form-urlencoded"),
            ("/download/decision.json", form, "application/x-www-form-urlencoded"),
            ("/api/assess", api, "text/plain"),  # a "simple" request: no CORS preflight
            ("/api/assess", api, "application/json")]


@pytest.mark.parametrize("headers", _CROSS_SITE)
def test_a_post_from_another_site_is_refused_and_never_logged(tmp_path: object,
                                                              headers: dict[str, str]) -> None:
    # A web page the practitioner visits could post to http://127.0.0.1:8000/ (the Host is
    # then loopback) and write forged decisions, with any role, into the decision log.
    from pathlib import Path

    from rhrt.serve.log import DecisionLog

    ruleset = rhrt.load_ruleset()
    log = DecisionLog(f"sqlite:///{Path(str(tmp_path)) / 'd.db'}")
    client = TestClient(create_app(ruleset, log=log), base_url="http://127.0.0.1")
    for route, body, kind in _posts(ruleset):
        response = client.post(route, content=body, headers={**headers, "content-type": kind})
        assert response.status_code == 403, route
        assert response.headers["content-security-policy"]
    assert list(log.entries()) == []
    assert client.get("/api/ruleset", headers=headers).status_code == 200  # reading is not
    log.close()


@pytest.mark.parametrize("headers", _SAME_SITE)
def test_a_post_from_the_page_itself_or_a_script_is_answered(client: TestClient,
                                                             headers: dict[str, str]) -> None:
    for route, body, kind in _posts(rhrt.load_ruleset()):
        response = client.post(route, content=body, headers={**headers, "content-type": kind})
        assert response.status_code == 200, route

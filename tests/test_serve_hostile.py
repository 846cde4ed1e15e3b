# SPDX-License-Identifier: MIT
"""rhrt serve against a hostile client: inputs found to break it, kept as regressions (each
answer is a refusal with the field path, as HTML for the page's form and JSON for the API,
never a 500 and never the input echoed)."""

from __future__ import annotations

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

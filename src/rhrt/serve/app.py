# SPDX-License-Identifier: MIT
"""The ``rhrt serve`` application: a server-rendered page and a JSON API over one ruleset.

Front-end only. Every decision is :meth:`rhrt.Ruleset.assess`; every rendering is rhrt's own
renderers and templates (``serve.html.j2`` beside the decision templates); every error is the
:class:`~rhrt.errors.RhrtError` the library raises, sent as 422 with its field path and message
(which never hold a case value). Nothing is stored unless a :class:`~rhrt.serve.log.DecisionLog`
is given; no cookie is ever set; the page works without JavaScript.

The assessing and rendering routes read the (bounded) body on the event loop, then do their
work in the thread pool: the loop stays free to answer others and to enforce the time bound.

Routes:

=========================  ===================================================================
``GET /``                  the form
``POST /``                 the form read back, assessed, and the decision shown (no JavaScript)
``POST /download/{name}``  the same form, answered as a file: ``referral.md``,
                           ``referral.txt``, ``decision.json``
``GET /static/{name}``     the page's own stylesheet and script
``GET /api/ruleset``       id, version, sha256, title, status
``GET /api/indicators``    indicators (``q``: words; ``domain``; ``level``), grouped data
``POST /api/assess``       ``{"case": {...}, "override": {...}?, "decided_by": "..."?}`` →
                           the decision record
``POST /api/render``       a decision record (or a case, for a referral) in a format
``GET /openapi.json``      the API's OpenAPI schema (built from the pydantic models)
=========================  ===================================================================
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from rhrt.errors import BackendError, CaseError, RecordError, RhrtError, field_path
from rhrt.model import PrivateModel, RhrtModel
from rhrt.model.case import Case
from rhrt.model.decision import SUPPORTS_JUDGEMENT, Decision, Override
from rhrt.model.scale import LOWEST_LEVEL, TOP_LEVEL
from rhrt.ruleset import Ruleset
from rhrt.serve import _form, _render
from rhrt.serve._guard import Guard
from rhrt.serve.log import DecisionLog
from rhrt.serve.page import domains, problem, render_page, ruleset_info

MAX_BODY = 1_000_000
"""Default request body bound (bytes): far above a case with notes on many concerns."""
TIMEOUT = 10.0
"""Default time bound for one request (seconds)."""
MAX_RESULTS = 500

FORMATS = {"text": "text", "markdown": "markdown", "html": "html", "json": "json"}
DOWNLOADS = {
    "referral.md": ("referral", "markdown", "text/markdown; charset=utf-8"),
    "referral.txt": ("referral", "text", "text/plain; charset=utf-8"),
    "decision.json": ("decision", "json", "application/json"),
}


class AssessRequest(PrivateModel):
    """``POST /api/assess``: a case, an optional professional judgement, and who is deciding."""

    model_config = ConfigDict(extra="forbid")

    case: Case
    override: Override | None = None
    decided_by: str | None = Field(default=None, max_length=_form.MAX_DECIDED_BY)
    """A role ("duty social worker"), kept only in the opt-in decision log."""


class RenderRequest(PrivateModel):
    """``POST /api/render``: a decision record in a format; or, for a referral, a case."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["decision", "referral"] = "decision"
    format: Literal["text", "markdown", "html", "json"] = "markdown"
    decision: Decision | None = None
    """The record to render (``kind: decision``)."""
    case: Case | None = None
    """The case a referral is drafted from (``kind: referral``; notes included: it is the
    referral's content, and is not stored)."""
    override: Override | None = None


class Rendered(RhrtModel):
    format: str
    media_type: str
    content: str


class RulesetInfo(RhrtModel):
    """The ruleset in use: ``status`` is its declared standing in words (e.g. a working draft
    for its partnership to review), None when it declares none."""

    id: str
    version: str
    sha256: str
    title: str
    status: str | None = None


class IndicatorInfo(RhrtModel):
    id: str
    text: str
    level: int
    domain: str
    domain_title: str
    tags: list[str]


class Problem(RhrtModel):
    """A refused request: what kind of error, the field path and the message (no values)."""

    error: str
    path: str | None = None
    message: str


_MEDIA = {"text": "text/plain; charset=utf-8", "markdown": "text/markdown; charset=utf-8",
          "html": "text/html; charset=utf-8", "json": "application/json"}
_STRICT_JSON_NAN = ("NaN", "Infinity", "-Infinity")


def _refuse_constant(name: str) -> object:
    raise CaseError("the request is not valid JSON (NaN and Infinity are not numbers here)")


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise CaseError("the request repeats a key", path=field_path((key,)))
        out[key] = value
    return out


def _json_body(raw: bytes) -> Mapping[str, Any]:
    """The request body as a JSON object, read strictly (no NaN, no repeated keys).

    Raises:
        CaseError: not JSON, nested deeper than Python's parser goes, or not an object.
    """
    try:
        data = json.loads(raw, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicates)
    except (ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, CaseError):
            raise
        raise CaseError("the request is not valid JSON") from None
    except RecursionError:  # "[[[[..." within the size bound: a refusal, not a 500
        raise CaseError("the request is nested too deeply to be a case") from None
    if not isinstance(data, dict):
        raise CaseError("the request must be a JSON object")
    return data


def _allowed(data: Mapping[str, Any], model: type[BaseModel]) -> None:
    for key in data:
        if key not in model.model_fields:
            raise CaseError("unknown field in the request", path=field_path((key,)))


class _Site:
    """What the routes share: the ruleset, its page data, the static files and the log."""

    def __init__(self, ruleset: Ruleset, log: DecisionLog | None) -> None:
        self.ruleset = ruleset
        self.log = log
        model = ruleset.model
        self.indicator_ids = tuple(i.id for i in model.indicators)
        self.measure_ids = tuple(m.id for m in model.measures)
        self.domains = domains(ruleset)
        self.titles = {d.id: d.title for d in model.domains}
        self.info = RulesetInfo(**ruleset_info(ruleset))
        self.static = _static_files()

    def assess(self, case: Mapping[str, Any] | Case, override: Mapping[str, Any] | None,
               decided_by: str | None) -> tuple[Case, Decision]:
        parsed = self.ruleset.validate_case(case)
        decision = self.ruleset.assess(parsed, override=override)
        if self.log is not None:
            self.log.append(parsed, decision, decided_by=decided_by)
        return parsed, decision


def _static_files() -> dict[str, tuple[bytes, str]]:
    """The page's stylesheet (the renderers' own style, then the page's) and script."""
    import re

    style = _render.render_template("_style.html.j2", "html", {})
    base = "\n".join(re.findall(r"<style>(.*?)</style>", style, flags=re.S))
    folder = resources.files("rhrt.serve") / "static"
    page_css = (folder / "serve.css").read_text(encoding="utf-8")
    script = (folder / "serve.js").read_bytes()
    return {
        "rhrt.css": ((base.strip() + "\n" + page_css).encode(), "text/css; charset=utf-8"),
        "serve.js": (script, "text/javascript; charset=utf-8"),
    }


def _page(site: _Site, values: Mapping[str, list[str]], *, case: Case | None = None,
          decision: Decision | None = None, error: RhrtError | None = None) -> str:
    return render_page(site.ruleset, values, case=case, decision=decision, error=error,
                       info=site.info, logged=site.log is not None, groups=site.domains)


def create_app(
    ruleset: Ruleset,
    *,
    log: DecisionLog | None = None,
    max_body: int = MAX_BODY,
    timeout: float = TIMEOUT,
    loopback_only: bool = True,
) -> Guard:
    """The ASGI application for ``ruleset`` (wrapped in :class:`~rhrt.serve._guard.Guard`).

    Args:
        log: where to append each decision (opt-in); ``None`` stores nothing.
        max_body: largest request body accepted, in bytes (413 above it).
        timeout: longest a request may take, in seconds (503 after it).
        loopback_only: refuse requests whose Host is not a loopback name (421); set false only
            when serving on another address on purpose.
    """
    site = _Site(ruleset, log)
    blank = _page(site, {})  # the empty form is the same for everyone: rendered once
    api = FastAPI(
        title="rhrt",
        version=ruleset.stamp.version,
        summary="Right Help, Right Time levels of need. " + SUPPORTS_JUDGEMENT,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )

    @api.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own handler echoes the input: here only the field path and the error kind.
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "type": "invalid"}
        loc = [p for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        return JSONResponse(status_code=422, content={
            "error": "RequestValidationError",
            "path": field_path(loc) or None,
            "message": f"invalid request ({first.get('type', 'invalid')})",
        })

    @api.exception_handler(RhrtError)
    async def _refused(request: Request, exc: RhrtError) -> JSONResponse:
        # the decision log failing is the server's problem, not the request's
        status = 503 if isinstance(exc, BackendError) else 422
        return JSONResponse(status_code=status, content=problem(exc))

    # -- the page ----------------------------------------------------------------------------

    @api.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(blank)

    @api.post("/", response_class=HTMLResponse, include_in_schema=False)
    async def page_assess(request: Request) -> HTMLResponse:
        return await run_in_threadpool(_page_assess, await request.body())

    def _page_assess(raw: bytes) -> HTMLResponse:
        values: dict[str, list[str]] = {}
        try:
            values = _form.parse_form(raw)
            sub = _form.read_form(values, site.measure_ids, site.indicator_ids)
            case, decision = site.assess(sub.case, sub.override, sub.decided_by)
        except RhrtError as exc:
            status = 503 if isinstance(exc, BackendError) else 422
            return HTMLResponse(_page(site, values, error=exc), status_code=status)
        return HTMLResponse(_page(site, values, case=case, decision=decision))

    @api.post("/download/{name}", include_in_schema=False)
    async def download(name: str, request: Request) -> Response:
        if name not in DOWNLOADS:
            return Response("Not found.", status_code=404, media_type="text/plain")
        return await run_in_threadpool(_download, name, await request.body())

    def _download(name: str, raw: bytes) -> Response:
        kind, fmt, media = DOWNLOADS[name]
        values: dict[str, list[str]] = {}
        try:
            values = _form.parse_form(raw)
            sub = _form.read_form(values, site.measure_ids, site.indicator_ids)
            parsed = ruleset.validate_case(sub.case)
            decision = ruleset.assess(parsed, override=sub.override)
        except RhrtError as exc:
            return HTMLResponse(_page(site, values, error=exc), status_code=422)
        if kind == "referral":
            body = _render.render_referral(parsed, decision, ruleset, fmt)
        else:
            body = decision.to_json()
        return Response(body, media_type=media,
                        headers={"content-disposition": f'attachment; filename="{name}"'})

    @api.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        found = site.static.get(name)
        if found is None:
            return Response("Not found.", status_code=404, media_type="text/plain")
        return Response(found[0], media_type=found[1])

    # -- the API -----------------------------------------------------------------------------

    @api.get("/api/ruleset", response_model=RulesetInfo, tags=["ruleset"])
    def describe() -> RulesetInfo:
        """The ruleset this server assesses with: id, version, SHA-256 of its file, status."""
        return site.info

    @api.get("/api/indicators", response_model=list[IndicatorInfo], tags=["ruleset"])
    def indicators(
        q: Annotated[str | None, Query(max_length=200, description="words in id or text")] = None,
        domain: Annotated[str | None, Query(max_length=100)] = None,
        level: Annotated[int | None, Query(ge=LOWEST_LEVEL, le=TOP_LEVEL)] = None,
    ) -> list[IndicatorInfo]:
        """Indicators (concerns) to choose from, in ruleset order; every filter given applies."""
        found = ruleset.catalogue.filter(level=level, domain=domain, search=q)
        return [
            IndicatorInfo(id=i.id, text=i.text, level=i.level, domain=i.domain,
                          domain_title=site.titles.get(i.domain, i.domain), tags=list(i.tags))
            for i in found[:MAX_RESULTS]
        ]

    @api.post(
        "/api/assess",
        tags=["decisions"],
        response_model=Decision,
        responses={422: {"model": Problem}},
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/AssessRequest"}}}}},
    )
    async def assess(request: Request) -> Response:
        """Assess a case: the decision record (``Decision``), the same JSON as ``rhrt assess
        --format json``. Notes are never in the response. 422: the field path, never a value."""
        return await run_in_threadpool(_assess, await request.body())

    def _assess(raw: bytes) -> Response:
        data = _json_body(raw)
        _allowed(data, AssessRequest)
        if "case" not in data:
            raise CaseError("the request needs a case", path="case")
        decided_by = data.get("decided_by")
        if decided_by is not None and (
            not isinstance(decided_by, str) or len(decided_by) > _form.MAX_DECIDED_BY
        ):
            raise CaseError(f"decided_by must be text of at most {_form.MAX_DECIDED_BY} characters",
                            path="decided_by")
        override = data.get("override")
        if override is not None and not isinstance(override, dict):
            raise CaseError("an override must have level, reason and role", path="override")
        _, decision = site.assess(data["case"], override, decided_by)
        return Response(decision.to_json(), media_type="application/json")

    @api.post(
        "/api/render",
        tags=["decisions"],
        response_model=Rendered,
        responses={422: {"model": Problem}},
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/RenderRequest"}}}}},
    )
    async def render(request: Request) -> Rendered:
        """A decision record rendered for people (text, Markdown, HTML) or as JSON; or a draft
        referral from a case (``kind: referral``). The content is escaped for its format."""
        return await run_in_threadpool(_render_any, await request.body())

    def _render_any(raw: bytes) -> Rendered:
        data = _json_body(raw)
        _allowed(data, RenderRequest)
        fmt = data.get("format", "markdown")
        if fmt not in FORMATS:
            raise CaseError("format must be text, markdown, html or json", path="format")
        kind = data.get("kind", "decision")
        if kind == "referral":
            if fmt == "json":
                raise CaseError("a referral is text, markdown or html", path="format")
            if "case" not in data:
                raise CaseError("a referral needs a case", path="case")
            parsed = ruleset.validate_case(data["case"])
            decision = ruleset.assess(parsed, override=data.get("override"))
            content = _render.render_referral(parsed, decision, ruleset, fmt)
        elif kind == "decision":
            if "decision" not in data:
                raise CaseError("a rendering needs a decision record", path="decision")
            try:
                record = Decision.from_json(json.dumps(data["decision"]))
            except RecordError as exc:
                raise CaseError(str(exc), path="decision") from None
            content = _render.render_decision(record, ruleset, fmt)
        else:
            raise CaseError("kind must be decision or referral", path="kind")
        return Rendered(format=fmt, media_type=_MEDIA[fmt], content=content)

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=api.title, version=api.version, summary=api.summary,
                                 routes=api.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (AssessRequest, RenderRequest):
                found = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(found.pop("$defs", {}))
                components[model.__name__] = found
            api.openapi_schema = schema
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
    return Guard(api, max_body=max_body, timeout=timeout, loopback_only=loopback_only)

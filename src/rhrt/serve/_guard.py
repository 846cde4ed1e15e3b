# SPDX-License-Identifier: MIT
"""Every response's security headers, and the bounds on every request (one ASGI middleware).

- Headers: a strict Content-Security-Policy (scripts and styles only from this server's own
  ``/static/`` files: no inline script or style, no external asset, no framing, forms post only
  here), ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
  ``Cache-Control: no-store`` (nothing about a child is kept by a browser or proxy), and the
  cross-origin isolation headers. Any ``Set-Cookie`` an inner layer adds is removed: rhrt serve
  sets no cookie.
- Host: when bound to loopback, a request whose ``Host`` is not ``localhost`` or a loopback
  address (127.0.0.0/8, ``[::1]``) is refused
  (421): a web page the practitioner visits cannot DNS-rebind its way to this server.
- Cross-site requests: a request that changes or reads state on the server's behalf (any
  method but GET, HEAD and OPTIONS) is refused (403) when the browser says it comes from
  another site: ``Sec-Fetch-Site`` other than ``same-origin`` or ``none`` or, from a browser
  that sends no ``Sec-Fetch-Site``, an ``Origin`` that is not this server's ``Host``. Without
  this, any web page the practitioner visits could post a form or a ``text/plain`` fetch to
  ``http://127.0.0.1:8000/`` (no CORS preflight) and write forged decisions into the decision
  log. Clients that are not browsers (curl, scripts) send neither header and are answered.
- Size: a body larger than ``max_body`` bytes is refused (413), whether or not it says its
  length up front.
- Time: a request not answered within ``timeout`` seconds gets 503 (nothing is half-sent).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
_REPLACED = {name for name, _ in HEADERS} | {b"set-cookie", b"server"}


def is_loopback(host: str) -> bool:
    """Whether an address to bind is loopback only (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"host":
            text = value.decode("latin-1").strip().lower()
            if text.startswith("["):
                return text[: text.find("]") + 1] if "]" in text else text
            return text.rsplit(":", 1)[0] if text.count(":") == 1 else text
    return None


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _header(headers: list[tuple[bytes, bytes]], wanted: bytes) -> str | None:
    for name, value in headers:
        if name == wanted:
            return value.decode("latin-1").strip().lower()
    return None


def is_cross_site(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a browser says this request comes from another site (module docstring)."""
    fetch_site = _header(headers, b"sec-fetch-site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = _header(headers, b"origin")
    if origin is None:
        return False
    from urllib.parse import urlsplit

    host = _header(headers, b"host")
    return origin == "null" or host is None or urlsplit(origin).netloc != host


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()), *HEADERS]})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, *, max_body: int, timeout: float, loopback_only: bool
                 ) -> None:
        self.app = app
        self.max_body = max_body
        self.timeout = timeout
        self.loopback_only = loopback_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = list(scope.get("headers", ()))
        host = _host_name(headers)
        if self.loopback_only and (host is None or not is_loopback(host)):
            await _plain(send, 421, "This server answers only on its loopback address.")
            return
        if scope.get("method", "GET") not in _SAFE_METHODS and is_cross_site(headers):
            await _plain(send, 403, "Requests from another site are refused.")
            return
        for name, value in headers:
            if name == b"content-length":
                try:
                    size = int(value)
                except ValueError:
                    await _plain(send, 400, "Invalid Content-Length.")
                    return
                if size > self.max_body:
                    await _plain(send, 413, f"Request body over {self.max_body} bytes.")
                    return
        # The whole (bounded) body is read first, then replayed: a body over the bound is
        # refused before the application sees any of it.
        chunks: list[bytes] = []
        received = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)  # a disconnect: nothing to answer
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_body:
                await _plain(send, 413, f"Request body over {self.max_body} bytes.")
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        replayed = False
        started = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def secured_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                kept = [(n, v) for n, v in message.get("headers", ()) if n.lower() not in _REPLACED]
                message = {**message, "headers": [*kept, *HEADERS]}
            await send(message)

        try:
            await asyncio.wait_for(self.app(scope, replay, secured_send), self.timeout)
        except TimeoutError:
            if not started:
                await _plain(send, 503, "The request took too long and was stopped.")

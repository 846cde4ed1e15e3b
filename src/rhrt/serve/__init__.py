# SPDX-License-Identifier: MIT
"""``rhrt serve``: a practitioners' page and a JSON API over a loaded ruleset (``rhrt[serve]``).

The web layer is front-end only: every level, pathway, consent position and word of guidance
comes from :class:`rhrt.Ruleset` (``assess``) and rhrt's renderers; nothing here decides.

- :mod:`rhrt.serve.app`: ``create_app(ruleset, ...)``, the ASGI application (FastAPI).
- :mod:`rhrt.serve._guard`: security headers, loopback Host check, request size and time bounds.
- :mod:`rhrt.serve._form`: the case form, built from the :class:`rhrt.Case` model's fields.
- :mod:`rhrt.serve.log`: the opt-in, append-only decision log (SQLAlchemy) and its export.

Not imported by ``import rhrt``; importing this package needs the ``serve`` extra.
"""

from __future__ import annotations

from rhrt.serve._guard import is_loopback  # standard library only: importing stays light

__all__ = ["create_app", "is_loopback"]


def create_app(*args: object, **kwargs: object) -> object:
    """See :func:`rhrt.serve.app.create_app` (imported here only when called)."""
    from rhrt.serve.app import create_app as _create

    return _create(*args, **kwargs)  # type: ignore[arg-type]

# SPDX-License-Identifier: MIT
"""Kept for compatibility: the public rendering API moved to :mod:`rhrt.render` (issue 13).

A thin re-export of the names that were public here (``__all__``); nothing else lives here, and
nothing in rhrt imports this module.
"""

from __future__ import annotations

from rhrt.render import *  # noqa: F403
from rhrt.render import __all__ as __all__

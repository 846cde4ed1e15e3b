# SPDX-License-Identifier: MIT
"""The one place serve/ reaches rhrt's renderers (so a move of the renderers is one edit here)."""

from __future__ import annotations

from rhrt.render import (
    decision_context,
    render_decision,
    render_referral,
    render_template,
)

__all__ = ["decision_context", "render_decision", "render_referral", "render_template"]

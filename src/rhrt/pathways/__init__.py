# SPDX-License-Identifier: MIT
"""Kept for compatibility: rendering moved to :mod:`rhrt.render` (issue 13).

``rhrt.pathways.render`` was documented in docs/api.md and docs/pathways.md, so programs that
import it keep working; new code imports :mod:`rhrt.render`.
"""

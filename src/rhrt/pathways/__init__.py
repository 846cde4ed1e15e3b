# SPDX-License-Identifier: MIT
"""Rendering decisions and pathways for people (text, Markdown, HTML, JSON)."""

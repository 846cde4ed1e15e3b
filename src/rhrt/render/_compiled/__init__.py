# SPDX-License-Identifier: MIT
"""rhrt's plain-text templates, precompiled by scripts/compile_templates.py (generated:
do not edit). Used by ``rhrt.render.environment`` only for the exact source, format and
jinja2 version they were compiled from."""

JINJA2_VERSION = '3.1.6'
"""The jinja2 version that generated the modules."""

TEMPLATES: dict[str, tuple[str, str, str]] = {
    'decision.text.j2': (
        'text',
        'decision_text',
        '06f34fcadb582ad8d070b9b566a5b1ebb49e682614138520a88a69e8d23bc344',
    ),
    'pathway.text.j2': (
        'text',
        'pathway_text',
        '8c4df9bdd24503466b98a1ae8aab4c3fcee0c66fd22f7c1b6e62e783d95a0f7b',
    ),
    'referral.text.j2': (
        'text',
        'referral_text',
        '5eeb5c9a8119f8684d767fe4bb2587abd288cb36bf51b8eb261bdda9dbd533db',
    ),
}
"""Template name -> (format, module, SHA-256 of the template source compiled)."""

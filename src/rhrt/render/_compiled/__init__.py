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
        '01015105e5547fa472baffc699e379db9fd1fbcfa17ae33d39435c360f3a654c',
    ),
    'pathway.text.j2': (
        'text',
        'pathway_text',
        'a93a7453b72e4abfa8450205008c480aa4239f4b5c21c3cfa78b8d9c62403e59',
    ),
    'referral.text.j2': (
        'text',
        'referral_text',
        '05c1d72a61db8dcd46d82e918c0a96a28f8688cae9b040ebb5abb1fdc16747fa',
    ),
}
"""Template name -> (format, module, SHA-256 of the template source compiled)."""

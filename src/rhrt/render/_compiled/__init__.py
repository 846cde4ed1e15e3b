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
        'ffeca9fc1ea612f42e93db89aa798b077543d0025aa0748f5d15b495472e6807',
    ),
    'pathway.text.j2': (
        'text',
        'pathway_text',
        '9fc9df7c85e721d80c3b8647a9060cc7917678d68a744fa5adc85c888b36e0eb',
    ),
    'referral.text.j2': (
        'text',
        'referral_text',
        '5eeb5c9a8119f8684d767fe4bb2587abd288cb36bf51b8eb261bdda9dbd533db',
    ),
}
"""Template name -> (format, module, SHA-256 of the template source compiled)."""

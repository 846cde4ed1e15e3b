# SPDX-License-Identifier: MIT
"""A source's standing: whose document it is, and how much weight it can bear.

Every source a ruleset cites states its ``standing`` (one of :data:`STANDINGS`), and every
citation on a decision carries it, so a reader can tell the partnership's own published word
from an informal note, a regional procedure adopted locally, national law or guidance, another
partnership's threshold document, or a third party's copy or summary. The values are
jurisdiction-neutral: "partnership" means the safeguarding partnership whose ruleset it is.

This replaced the boolean ``herefordshire`` before rhrt 1.0 (rhrt is pre-1.0: a ruleset or
decision record that still uses the old key is refused with an error naming ``standing``;
see :data:`RENAMED_KEYS`).
"""

from __future__ import annotations

from typing import Literal, get_args

Standing = Literal[
    "partnership",
    "partnership-copy",
    "partnership-informal",
    "regional-adopted",
    "national-statutory",
    "national-guidance",
    "other-partnership",
    "secondary",
]

STANDINGS: dict[Standing, str] = {
    "partnership": (
        "published by the partnership (or its predecessor board) or by one of its statutory "
        "partners in its own name, from the publisher's own site or document"
    ),
    "partnership-copy": (
        "a partnership document as held by a third party (not from the partnership's own site): "
        "its wording cannot be checked against the original"
    ),
    "partnership-informal": (
        "written by someone in the partnership but not a published policy or procedure "
        "(for example a practice note in a network's newsletter)"
    ),
    "regional-adopted": "regional procedures the partnership has adopted",
    "national-statutory": "legislation, or statutory guidance issued under it",
    "national-guidance": (
        "non-statutory national guidance from a government department or national body"
    ),
    "other-partnership": (
        "another partnership's or local authority's threshold document or procedure (comparable, "
        "not this partnership's)"
    ),
    "secondary": (
        "a third party's copy, summary or commentary of another body's material (a digest, "
        "training copy, document-sharing site or charity summary)"
    ),
}
"""Each standing and what it means (shown in ``docs/ruleset-format.md`` and rendered documents)."""

SHORT_LABELS: dict[Standing, str] = {
    "partnership": "the partnership's own material",
    "partnership-copy": "a third-party copy of the partnership's material",
    "partnership-informal": "informal partnership material, not a published procedure",
    "regional-adopted": "regional procedures adopted by the partnership",
    "national-statutory": "national law or statutory guidance",
    "national-guidance": "national non-statutory guidance",
    "other-partnership": "another partnership's document",
    "secondary": "secondary source",
}
"""A few words per standing, for the line beside a citation."""

RENAMED_KEYS: dict[str, tuple[str, str]] = {
    "herefordshire": (
        "standing",
        "'herefordshire' was replaced by 'standing' before rhrt 1.0: give "
        "standing: partnership (or partnership-copy, partnership-informal, regional-adopted, "
        "national-statutory, national-guidance, other-partnership, secondary; "
        "see docs/ruleset-format.md)",
    ),
}
"""Keys removed before 1.0: old name → (new name, the message an author sees)."""

assert set(get_args(Standing)) == set(STANDINGS) == set(SHORT_LABELS)

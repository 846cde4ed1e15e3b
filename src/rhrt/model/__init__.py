# SPDX-License-Identifier: MIT
"""Data shapes only: the case, the ruleset and the decision (pydantic models).

:class:`RhrtModel` is the base of every rhrt model (input values never shown in validation
errors); :class:`PrivateModel` adds the refusal of unknown keys without naming them, for models
that carry a child's case, a judgement or a decision. Front ends (``rhrt.serve``) build their
request and response models on them, so the same promises hold at every entry point.
"""

from rhrt.model._base import PrivateModel, RhrtModel

__all__ = ["PrivateModel", "RhrtModel"]

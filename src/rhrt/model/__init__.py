# SPDX-License-Identifier: MIT
"""Data shapes only: the case, the ruleset and the decision (pydantic models).

:class:`RhrtModel` is the base of every rhrt model (input values never shown in validation
errors); :class:`PrivateModel` adds the refusal of unknown keys without naming them, for models
that carry a child's case, a judgement or a decision. Front ends (``rhrt.serve``) build their
request and response models on them, so the same promises hold at every entry point.

:func:`trusted` builds a model from values rhrt built itself and knows to be valid (the parts
of a decision) without validating them again; :func:`known_keys` gives a model's field names
and aliases (the keys a case mapping may use).
"""

from rhrt.model._base import PrivateModel, RhrtModel, known_keys, trusted

__all__ = ["PrivateModel", "RhrtModel", "known_keys", "trusted"]

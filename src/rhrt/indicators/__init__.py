# SPDX-License-Identifier: MIT
"""The indicator catalogue: look indicators up by id, level, domain, tag or text."""

from rhrt.indicators.catalogue import Catalogue as Catalogue

__all__ = ["Catalogue"]

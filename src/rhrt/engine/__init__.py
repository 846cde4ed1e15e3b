"""Evaluation engines: ``reference`` (pure Python, the default) and ``durable`` (durable-rules,
an optional second engine that must agree exactly)."""

ENGINES = ("reference", "durable")
"""The engines ``Ruleset.assess(engine=...)`` and the command line's ``--engine`` accept."""

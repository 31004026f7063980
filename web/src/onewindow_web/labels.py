"""The core's Chinese label tables, as template globals."""

from __future__ import annotations

from onewindow import labels


def template_globals() -> dict[str, dict]:
    """Every ``*_LABELS`` table of :mod:`onewindow.labels`, by its own name."""
    return {name: table for name, table in vars(labels).items() if name.endswith("_LABELS")}

"""Unclear review points and the monthly problem list (形式审查要点问题清单)."""

from __future__ import annotations

ROUTES: list = []  # this module's handlers, registered by onewindow_web.app

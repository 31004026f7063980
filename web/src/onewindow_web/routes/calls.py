"""Joint review (共同形式审查): the window calls the section; the approver sees and answers."""

from __future__ import annotations

ROUTES: list = []  # this module's handlers, registered by onewindow_web.app

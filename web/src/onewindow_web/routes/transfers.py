"""Dedicated-network transfer forms (专网审批事项信息转交表): the section fills, the window records."""

from __future__ import annotations

ROUTES: list = []  # this module's handlers, registered by onewindow_web.app

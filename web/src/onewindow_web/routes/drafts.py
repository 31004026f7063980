"""Drafts: half-filled forms saved server-side so a reload or timeout loses nothing."""

from __future__ import annotations

ROUTES: list = []  # this module's handlers, registered by onewindow_web.app

"""The consultation window (咨询辅导窗口): the first-inquiry log and repeat visits."""

from __future__ import annotations

ROUTES: list = []  # this module's handlers, registered by onewindow_web.app

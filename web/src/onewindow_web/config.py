"""The web front end's own settings, from the environment (the core's live in onewindow.config).

| variable | meaning | default |
|---|---|---|
| ONEWINDOW_BUREAU_NAME | the name in every page header | 鞍山市行政审批局 · 政务服务大厅 |
| ONEWINDOW_SECURE_COOKIES | ``1`` when the hall serves over HTTPS: cookies get ``Secure`` | off |
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from attrs import frozen

DEFAULT_BUREAU_NAME = "鞍山市行政审批局 · 政务服务大厅"
IDLE_TIMEOUT_SECONDS = 30 * 60  # a clerk who walks away from the window is logged out
SESSION_MAX_AGE_SECONDS = 12 * 3600  # a login never outlives a working day
HOME_LIST_LIMIT = 100  # rows on a staff member's work list


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@frozen
class WebSettings:
    bureau_name: str = DEFAULT_BUREAU_NAME
    secure_cookies: bool = False
    idle_timeout: int = IDLE_TIMEOUT_SECONDS
    session_max_age: int = SESSION_MAX_AGE_SECONDS


def load_web_settings(env: Mapping[str, str] | None = None, *,
                      secure_cookies: bool | None = None) -> WebSettings:
    """Settings from ``env`` (default: the process environment); arguments win over it."""
    env = os.environ if env is None else env
    if secure_cookies is None:
        secure_cookies = _flag(env.get("ONEWINDOW_SECURE_COOKIES"))
    return WebSettings(
        bureau_name=(env.get("ONEWINDOW_BUREAU_NAME") or "").strip() or DEFAULT_BUREAU_NAME,
        secure_cookies=secure_cookies,
    )

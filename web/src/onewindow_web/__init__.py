"""onewindow's web front end: Litestar pages and htmx fragments over the core's services.

Build the app with :func:`onewindow_web.app.create_app`; run it with ``onewindow-web``
(:mod:`onewindow_web.server`).
"""

from __future__ import annotations

__all__ = ["create_app"]


def __getattr__(name: str):
    # Lazy, so importing a helper module does not build the whole app's imports.
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

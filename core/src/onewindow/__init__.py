"""onewindow: the core of a "front desk takes in, back office approves by section, one window
issues" hall (前台综合接件、后台分类审批、统一窗口发证).

Plugins import :data:`hookimpl` from here to implement the hooks in :mod:`onewindow.hookspecs`.
"""

from .hookspecs import hookimpl

__all__ = ["hookimpl"]

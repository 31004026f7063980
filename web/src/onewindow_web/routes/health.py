"""``/healthz`` for load balancers: is this process up and can it reach its database?

It says ``ok`` or ``unavailable`` and nothing else: no versions, no counts, no error text.
"""

from __future__ import annotations

import logging

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Response

from onewindow.errors import Busy
from onewindow.services import Hall

from ..auth import PUBLIC
from ..security import CSRF_EXCLUDE_OPT

log = logging.getLogger(__name__)


@get("/healthz", name="healthz", opt={PUBLIC: True, CSRF_EXCLUDE_OPT: True},
     sync_to_thread=True, include_in_schema=False)
def healthz(hall: NamedDependency[Hall]) -> Response[dict[str, str]]:
    try:
        hall.db.execute_sql("SELECT 1")
    except Busy as exc:  # an outage the hall expects (database restarting): no traceback
        log.warning("health check: database unavailable: %s", exc.cause)
        return _unavailable()
    except Exception:  # noqa: BLE001 - any failure means "take me out of rotation"
        log.exception("health check: database unreachable")
        return _unavailable()
    return Response({"status": "ok"}, headers={"Cache-Control": "no-store"})


def _unavailable() -> Response[dict[str, str]]:
    return Response({"status": "unavailable"}, status_code=503,
                    headers={"Cache-Control": "no-store"})

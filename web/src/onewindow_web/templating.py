"""The Jinja2 environment and the one way handlers render: a page, or one block of it for htmx.

Full pages and their htmx fragments come from the same template blocks. A handler names the
block that htmx swaps; ``base.html`` renders only that block (``self[fragment]()``) when the
request came from htmx, and the whole page otherwise, so a page works the same with
JavaScript off.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import MediaType, Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from litestar_htmx import HTMXDetails

from onewindow import privacy

from . import auth, i18n, people

TEMPLATE_DIR = Path(__file__).parent / "templates"


def format_date(value: dt.date | dt.datetime | None) -> str:
    """Dates as the hall writes them: 2026-10-09 (the same in both languages)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def build_environment(template_dir: Path = TEMPLATE_DIR) -> Environment:
    env = Environment(
        loader=FileSystemLoader(template_dir),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,  # a misspelt variable fails the test, not the clerk
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(env)
    env.filters["date"] = format_date
    env.filters["mask_ids"] = privacy.mask_text  # catalogue text: see DOCUMENT_RULES["guide"]
    return env


def template_config(env: Environment, **globals_: Any) -> TemplateConfig:
    env.globals.update(globals_)
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(env))


def wants_fragment(request: Request) -> bool:
    """An htmx swap, not a history restore (which needs the whole page back)."""
    htmx = getattr(request, "htmx", None) or HTMXDetails(request)
    return bool(htmx) and not htmx.history_restore_request


def page(request: Request, template: str, *, fragment: str | None = None,
         status_code: int = 200, **context: Any) -> Template:
    """Render ``template``; for an htmx request with ``fragment`` set, only that block.

    Responses that can be either carry ``Vary: HX-Request`` so no cache mixes the two.
    """
    if request.scope.get("state", {}).get(auth.PRIVATE_STATE):  # a signed-in page names staff
        people.load_names(request)
    headers = {"Vary": "HX-Request, Cookie"} if fragment else {}
    context["fragment"] = fragment if fragment and wants_fragment(request) else None
    return Template(template_name=template, context=context, status_code=status_code,
                    headers=headers, media_type=MediaType.HTML)

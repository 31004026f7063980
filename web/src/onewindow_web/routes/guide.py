"""The public service guide (办事指南): sections, their items, and each item in full.

No login: the seed asks that the catalogue be published for applicants. Everything here reads
the in-memory catalogue, never the database.
"""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from onewindow.catalogue import ApprovalItem
from onewindow.services import Hall

from ..auth import PUBLIC
from ..errors import PageNotFound
from ..templating import page

MAX_QUERY_LENGTH = 50
FORM_VIEWS = ("blank", "sample")  # one definition, two printouts; the guide is the third


def filter_items(items: list[ApprovalItem], query: str) -> list[ApprovalItem]:
    """Items whose code, name, intake category or result contains ``query`` (any case)."""
    needle = query.strip().casefold()
    if not needle:
        return items
    return [i for i in items
            if any(needle in text.casefold()
                   for text in (i.code, i.name, i.intake_category, i.result))]


def _item_or_404(hall: NamedDependency[Hall], code: str) -> ApprovalItem:
    item = hall.catalogue.items.get(code)
    if item is None:
        raise PageNotFound(detail=f"没有编码为 {code} 的审批事项")
    return item


class GuideController(Controller):
    path = "/guide"
    opt = {PUBLIC: True}

    @get("/", name="guide", sync_to_thread=False)
    def index(self, request: Request, hall: NamedDependency[Hall]) -> Template:
        catalogue = hall.catalogue
        sections = sorted(catalogue.sections.values(), key=lambda s: s.code)
        counts = {s.code: len(catalogue.items_of(s.code)) for s in sections}
        return page(request, "guide/index.html", sections=sections, counts=counts)

    @get("/sections/{code:str}", name="guide_section", sync_to_thread=False)
    def section(self, request: Request, hall: NamedDependency[Hall], code: FromPath[str],
                q: FromQuery[str] = "") -> Template:
        section = hall.catalogue.sections.get(code)
        if section is None:
            raise PageNotFound(detail=f"没有编码为 {code} 的审批业务科")
        query = q.strip()[:MAX_QUERY_LENGTH]
        everything = sorted(hall.catalogue.items_of(code), key=lambda i: i.code)
        items = filter_items(everything, query)
        return page(request, "guide/section.html", fragment="item_results",
                    section=section, items=items, total=len(everything), query=query)

    @get("/items/{code:str}", name="guide_item", sync_to_thread=False)
    def item(self, request: Request, hall: NamedDependency[Hall], code: FromPath[str]) -> Template:
        item = _item_or_404(hall, code)
        section = hall.catalogue.sections[item.section]
        forms = {f.code: f for f in item.forms}
        network_titles = {network: lookup.title for network, lookup in hall.registry.lookups.items()}
        materials = {m.code: m for m in item.materials}
        return page(request, "guide/item.html", item=item, section=section, forms=forms,
                    network_titles=network_titles, materials=materials)

    @get("/items/{code:str}/forms/{form:str}/{view:str}", name="guide_form",
         sync_to_thread=False)
    def form(self, request: Request, hall: NamedDependency[Hall], code: FromPath[str],
             form: FromPath[str], view: FromPath[str]) -> Template:
        """A form printed on A4 from its one definition: ``blank`` or the filled ``sample``."""
        item = _item_or_404(hall, code)
        found = next((f for f in item.forms if f.code == form), None)
        if found is None or view not in FORM_VIEWS:
            raise PageNotFound(detail=f"{item.name}没有表格 {form} 的 {view} 页面")
        network_titles = {network: lookup.title for network, lookup in hall.registry.lookups.items()}
        return page(request, "guide/form.html", item=item, form=found, view=view,
                    section=hall.catalogue.sections[item.section],
                    network_titles=network_titles)

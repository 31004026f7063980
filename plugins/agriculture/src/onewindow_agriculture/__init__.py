"""农业水利审批科 (agriculture and water section) plugin for onewindow.

The catalogue is data (catalogue.toml) so the section can revise review points after each
monthly problem list without touching code; this module only hands it, the water-permit
look-up and the automatic checks to the core.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable

from onewindow import hookimpl
from onewindow.catalogue import SectionCatalogue
from onewindow.catalogue_file import load_catalogue_file
from onewindow.lookups import HttpJsonLookup, LookupParam

from .checks import WATER_PERMIT, material_checks

__all__ = ["catalogue_resource", "section_catalogue", "water_permit_lookup"]


def catalogue_resource() -> Traversable:
    """The packaged data file; a function so tests can point the plugin at a broken copy."""
    return files(__package__) / "catalogue.toml"


@cache
def section_catalogue() -> SectionCatalogue:
    """Load the data file once per process; a bad file raises CatalogueError (not cached)."""
    with as_file(catalogue_resource()) as path:
        return load_catalogue_file(path)


def water_permit_lookup() -> HttpJsonLookup:
    """全国取水许可电子证照系统（取水许可管理信息系统）, queried by the holder's credit code.

    The base URL is read at query time from ONEWINDOW_NETWORK_WATER_PERMIT_URL, or
    ONEWINDOW_SANDBOX_URL + "/water-permit".
    """
    return HttpJsonLookup(
        network=WATER_PERMIT,
        title="全国取水许可电子证照系统（取水许可管理信息系统）",
        params=(LookupParam("credit_code", "取水权人统一社会信用代码"),),
        path="records",
    )


@hookimpl
def onewindow_section():
    return section_catalogue().section


@hookimpl
def onewindow_approval_items():
    return list(section_catalogue().items)


@hookimpl
def onewindow_lookups():
    return [water_permit_lookup()]


@hookimpl
def onewindow_material_checks():
    return material_checks()

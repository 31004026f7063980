"""环境保护审批科 (environmental protection section) plugin for onewindow.

The catalogue is data (catalogue.toml) so the section can revise review points after each
monthly problem list without touching code; this module only hands it, the pollutant discharge
permit platform look-up and the automatic checks to the core.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable

from onewindow import hookimpl
from onewindow.catalogue import SectionCatalogue
from onewindow.catalogue_file import load_catalogue_file
from onewindow.lookups import HttpJsonLookup, LookupParam

from .checks import POLLUTION_PERMIT, material_checks

__all__ = ["catalogue_resource", "pollution_permit_lookup", "section_catalogue"]


def catalogue_resource() -> Traversable:
    """The packaged data file; a function so tests can point the plugin at a broken copy."""
    return files(__package__) / "catalogue.toml"


@cache
def section_catalogue() -> SectionCatalogue:
    """Load the data file once per process; a bad file raises CatalogueError (not cached)."""
    with as_file(catalogue_resource()) as path:
        return load_catalogue_file(path)


def pollution_permit_lookup() -> HttpJsonLookup:
    """全国排污许可证管理信息平台, queried by the discharging unit's credit code.

    The base URL is read at query time from ONEWINDOW_NETWORK_POLLUTION_PERMIT_URL, or
    ONEWINDOW_SANDBOX_URL + "/pollution-permit".
    """
    return HttpJsonLookup(
        network=POLLUTION_PERMIT,
        title="全国排污许可证管理信息平台",
        params=(LookupParam("credit_code", "排污单位统一社会信用代码"),),
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
    return [pollution_permit_lookup()]


@hookimpl
def onewindow_material_checks():
    return material_checks()

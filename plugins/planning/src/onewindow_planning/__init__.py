"""规划审批科 (planning section) plugin for onewindow.

The catalogue is data (catalogue.toml) so the section can revise review points after each
monthly problem list without touching code; this module only hands it, the spatial-planning
look-up and the automatic checks to the core. Two items also declare the investment project
platform (project-platform), which the investment plugin supplies.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable

from onewindow import hookimpl
from onewindow.catalogue import SectionCatalogue
from onewindow.catalogue_file import load_catalogue_file
from onewindow.lookups import HttpJsonLookup, LookupParam

from .checks import SPATIAL_PLANNING, material_checks

__all__ = ["catalogue_resource", "section_catalogue", "spatial_planning_lookup"]


def catalogue_resource() -> Traversable:
    """The packaged data file; a function so tests can point the plugin at a broken copy."""
    return files(__package__) / "catalogue.toml"


@cache
def section_catalogue() -> SectionCatalogue:
    """Load the data file once per process; a bad file raises CatalogueError (not cached)."""
    with as_file(catalogue_resource()) as path:
        return load_catalogue_file(path)


def spatial_planning_lookup() -> HttpJsonLookup:
    """国土空间规划“一张图”实施监督信息系统, queried by 地块编号.

    The base URL is read at query time from ONEWINDOW_NETWORK_SPATIAL_PLANNING_URL, or
    ONEWINDOW_SANDBOX_URL + "/spatial-planning".
    """
    return HttpJsonLookup(
        network=SPATIAL_PLANNING,
        title="国土空间规划“一张图”实施监督信息系统",
        params=(LookupParam("parcel_code", "地块编号"),),
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
    return [spatial_planning_lookup()]


@hookimpl
def onewindow_material_checks():
    return material_checks()

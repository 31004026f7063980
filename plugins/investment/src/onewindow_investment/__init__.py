"""投资项目审批科 (investment projects section) plugin for onewindow.

The catalogue is data (catalogue.toml) so the section can revise review points after each
monthly problem list without touching code; this module only hands it, the project-platform
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

from .checks import PROJECT_PLATFORM, material_checks

__all__ = ["catalogue_resource", "project_platform_lookup", "section_catalogue"]


def catalogue_resource() -> Traversable:
    """The packaged data file; a function so tests can point the plugin at a broken copy."""
    return files(__package__) / "catalogue.toml"


@cache
def section_catalogue() -> SectionCatalogue:
    """Load the data file once per process; a bad file raises CatalogueError (not cached)."""
    with as_file(catalogue_resource()) as path:
        return load_catalogue_file(path)


def project_platform_lookup() -> HttpJsonLookup:
    """投资项目在线审批监管平台, queried by 项目代码 (e.g. 2026-210302-44-03-012345).

    The base URL is read at query time from ONEWINDOW_NETWORK_PROJECT_PLATFORM_URL, or
    ONEWINDOW_SANDBOX_URL + "/project-platform".
    """
    return HttpJsonLookup(
        network=PROJECT_PLATFORM,
        title="投资项目在线审批监管平台",
        params=(LookupParam("project_code", "项目代码"),),
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
    return [project_platform_lookup()]


@hookimpl
def onewindow_material_checks():
    return material_checks()

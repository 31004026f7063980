"""医药器械审批科 (medicines and devices section) plugin for onewindow.

The catalogue is data (catalogue.toml) so the section can revise review points after each
monthly problem list without touching code; this module only hands it, the pharmacist-registry
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

from .checks import PHARMACIST_REGISTRY, material_checks

__all__ = ["catalogue_resource", "pharmacist_registry_lookup", "section_catalogue"]


def catalogue_resource() -> Traversable:
    """The packaged data file; a function so tests can point the plugin at a broken copy."""
    return files(__package__) / "catalogue.toml"


@cache
def section_catalogue() -> SectionCatalogue:
    """Load the data file once per process; a bad file raises CatalogueError (not cached)."""
    with as_file(catalogue_resource()) as path:
        return load_catalogue_file(path)


def pharmacist_registry_lookup() -> HttpJsonLookup:
    """国家执业药师注册管理信息系统, queried by 执业药师注册证编号.

    The base URL is read at query time from ONEWINDOW_NETWORK_PHARMACIST_REGISTRY_URL, or
    ONEWINDOW_SANDBOX_URL + "/pharmacist-registry".
    """
    return HttpJsonLookup(
        network=PHARMACIST_REGISTRY,
        title="国家执业药师注册管理信息系统",
        params=(LookupParam("certificate_number", "执业药师注册证编号"),),
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
    return [pharmacist_registry_lookup()]


@hookimpl
def onewindow_material_checks():
    return material_checks()

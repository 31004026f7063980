"""卫生计生审批科 (health and family planning section) plugin for onewindow.

The catalogue is data (catalogue.toml) so the section can revise review points after each
monthly problem list without touching code; this module only hands it, the
practitioner-registry look-up and the automatic checks to the core.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable

from onewindow import hookimpl
from onewindow.catalogue import SectionCatalogue
from onewindow.catalogue_file import load_catalogue_file
from onewindow.lookups import HttpJsonLookup, LookupParam

from .checks import PRACTITIONER_REGISTRY, material_checks

__all__ = ["catalogue_resource", "practitioner_registry_lookup", "section_catalogue"]


def catalogue_resource() -> Traversable:
    """The packaged data file; a function so tests can point the plugin at a broken copy."""
    return files(__package__) / "catalogue.toml"


@cache
def section_catalogue() -> SectionCatalogue:
    """Load the data file once per process; a bad file raises CatalogueError (not cached)."""
    with as_file(catalogue_resource()) as path:
        return load_catalogue_file(path)


def practitioner_registry_lookup() -> HttpJsonLookup:
    """国家卫生健康委医生/护士电子化注册信息系统, queried by 执业证书编码.

    The base URL is read at query time from ONEWINDOW_NETWORK_PRACTITIONER_REGISTRY_URL, or
    ONEWINDOW_SANDBOX_URL + "/practitioner-registry".
    """
    return HttpJsonLookup(
        network=PRACTITIONER_REGISTRY,
        title="国家卫生健康委医生/护士电子化注册信息系统",
        params=(LookupParam("certificate_number", "执业证书编码"),),
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
    return [practitioner_registry_lookup()]


@hookimpl
def onewindow_material_checks():
    return material_checks()

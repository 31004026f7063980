"""社会事务审批科 (social affairs section) plugin for onewindow.

The catalogue is data (catalogue.toml) so the section can revise review points after each
monthly problem list without touching code; this module only hands it, the social-organisation
look-up and the automatic checks to the core. 劳务派遣经营许可 also queries the enterprise
credit registry, which the enterprise plugin supplies.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable

from onewindow import hookimpl
from onewindow.catalogue import SectionCatalogue
from onewindow.catalogue_file import load_catalogue_file
from onewindow.lookups import HttpJsonLookup, LookupParam

from .checks import SOCIAL_ORGANISATION, material_checks

__all__ = ["catalogue_resource", "section_catalogue", "social_organisation_lookup"]


def catalogue_resource() -> Traversable:
    """The packaged data file; a function so tests can point the plugin at a broken copy."""
    return files(__package__) / "catalogue.toml"


@cache
def section_catalogue() -> SectionCatalogue:
    """Load the data file once per process; a bad file raises CatalogueError (not cached)."""
    with as_file(catalogue_resource()) as path:
        return load_catalogue_file(path)


def social_organisation_lookup() -> HttpJsonLookup:
    """全国社会组织信用信息公示平台, queried by the organisation's credit code (51…/52…/53…).

    The base URL is read at query time from ONEWINDOW_NETWORK_SOCIAL_ORGANISATION_URL, or
    ONEWINDOW_SANDBOX_URL + "/social-organisation".
    """
    return HttpJsonLookup(
        network=SOCIAL_ORGANISATION,
        title="全国社会组织信用信息公示平台",
        params=(LookupParam("credit_code", "社会组织统一社会信用代码"),),
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
    return [social_organisation_lookup()]


@hookimpl
def onewindow_material_checks():
    return material_checks()

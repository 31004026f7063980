"""The web tests' own section plugin, so they never depend on a real section's catalogue."""

from pathlib import Path

from onewindow import hookimpl
from onewindow.catalogue_file import load_catalogue_file
from onewindow.lookups import HttpJsonLookup, LookupParam

CATALOGUE = load_catalogue_file(Path(__file__).parent / "data" / "web_catalogue.toml")


@hookimpl
def onewindow_section():
    return CATALOGUE.section


@hookimpl
def onewindow_approval_items():
    return CATALOGUE.items


@hookimpl
def onewindow_lookups():
    return [HttpJsonLookup(network="web-registry", title="测试登记专网",
                           params=(LookupParam("credit_code", "统一社会信用代码"),))]

"""The web tests' own section plugin, so they never depend on a real section's catalogue."""

from pathlib import Path

from onewindow import hookimpl
from onewindow.catalogue_file import load_catalogue_file
from onewindow.checks import CheckContext, CheckOutcome, CheckVerdict, MaterialCheck, found_record
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


def legal_representative_matches(context: CheckContext) -> CheckOutcome:
    """The legal representative who signs must be the registry's (advice to the clerk)."""
    record = found_record(context, "web-registry")
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, "请先查询测试登记专网")
    if record.get("legal_representative") == context.applicant.get("legal_representative"):
        return CheckOutcome(CheckVerdict.PASSED, "法定代表人与登记信息一致")
    return CheckOutcome(CheckVerdict.FAILED, "法定代表人与登记信息不一致")


@hookimpl
def onewindow_material_checks():
    return [MaterialCheck(item="web-permit", material="application", point="signed",
                          run=legal_representative_matches)]

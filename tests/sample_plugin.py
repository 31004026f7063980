"""A small in-test section plugin: the core tests' own catalogue, look-up and check."""

from pathlib import Path

from onewindow import hookimpl
from onewindow.catalogue_file import load_catalogue_file
from onewindow.checks import CheckOutcome, CheckVerdict, MaterialCheck
from onewindow.lookups import HttpJsonLookup, LookupParam

CATALOGUE = load_catalogue_file(Path(__file__).parent / "data" / "sample_catalogue.toml")
EVENTS: list = []


@hookimpl
def onewindow_section():
    return CATALOGUE.section


@hookimpl
def onewindow_approval_items():
    return CATALOGUE.items


@hookimpl
def onewindow_lookups():
    return [HttpJsonLookup(network="sample-registry", title="样例登记系统",
                           params=(LookupParam("credit_code", "统一社会信用代码"),))]


def _name_matches(context):
    record = context.lookups.get("sample-registry")
    if record is None:
        return CheckOutcome(CheckVerdict.UNKNOWN, "请先查询样例登记系统")
    if record.get("name") == context.applicant["name"]:
        return CheckOutcome(CheckVerdict.PASSED, "名称与登记一致")
    return CheckOutcome(CheckVerdict.FAILED, f"登记名称为{record.get('name')}")


@hookimpl
def onewindow_material_checks():
    return [MaterialCheck(item="sample-permit", material="application", point="signed",
                          run=_name_matches)]


@hookimpl
def onewindow_case_event(event, case):
    EVENTS.append((event.action, case.number, case.state))

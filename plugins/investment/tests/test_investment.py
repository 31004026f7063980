"""Tests of the 投资项目审批科 plugin: catalogue completeness, the project-platform look-up over
the sandbox, the automatic checks, and one intake through the real services."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from importlib.metadata import entry_points
from importlib.resources import files
from pathlib import Path

import pytest
from stdnum.cn import ric, uscc

import onewindow_investment
from onewindow.case import State
from onewindow.catalogue import DeferralKind
from onewindow.checks import CheckContext, CheckVerdict, run_checks
from onewindow.errors import CatalogueError
from onewindow.lookups import LookupStatus
from onewindow.plugins import ENTRY_POINT_GROUP
from onewindow.workdays import add_working_days
from onewindow_investment import checks

ROOT = Path(__file__).resolve().parents[3]
SANDBOX_FILE = ROOT / "fixtures" / "sandbox" / "project-platform.json"
CATALOGUE_TEXT = (files("onewindow_investment") / "catalogue.toml").read_text(encoding="utf-8")

WIND = "2026-210381-44-02-000057"  # 核准, 已赋码
SUBSTATION = "2025-210311-44-02-000019"  # 核准, 已核准
SCHOOL = "2026-210302-83-01-000036"  # 审批 (政府投资), 已赋码
RUIFENG = "2025-210303-35-03-000128"  # 备案, 已备案
COLD_CHAIN = "2026-210323-59-03-000045"  # 备案, 已赋码
REVOKED = "2024-210381-30-03-000204"  # 备案, 已撤销

PROJECT_CODE = re.compile(r"^(20\d{2})-(\d{6})-(\d{2})-(0[1-3])-(\d{6})$")


def sandbox_data() -> dict:
    return json.loads(SANDBOX_FILE.read_text(encoding="utf-8"))


def sandbox_record(code: str) -> dict:
    return next(r for r in sandbox_data()["records"] if r["project_code"] == code)


@pytest.fixture(scope="module")
def items(onewindow_registry):
    return onewindow_registry.catalogue.items_of("investment")


# --- loading ---------------------------------------------------------------------------------

def test_plugin_loads_through_its_entry_point(onewindow_registry):
    entry = list(entry_points(group=ENTRY_POINT_GROUP, name="investment"))
    assert entry and entry[0].value == "onewindow_investment"
    registry = onewindow_registry
    assert registry.owners["section:investment"] == "investment"
    assert registry.owners["network:project-platform"] == "investment"
    assert registry.catalogue.sections["investment"].name == "投资项目审批科"
    codes = {i.code for i in registry.catalogue.items_of("investment")}
    assert codes == {"inv-enterprise-approval", "inv-enterprise-filing", "inv-filing-change",
                     "inv-gov-feasibility", "inv-energy-review"}
    assert registry.lookups["project-platform"].title == "投资项目在线审批监管平台"


def test_core_plugin_contract(onewindow_check_plugin):
    counts = onewindow_check_plugin("investment")
    assert counts["items"] >= 4
    assert counts["review_points"] >= 3 * counts["materials"]
    assert counts["codes"] >= 4  # the sample units' credit codes passed their checksums
    assert counts["networks"] == 1  # project-platform answers FOUND and NOT_FOUND


def test_catalogue_is_loaded_once(monkeypatch):
    onewindow_investment.section_catalogue.cache_clear()
    calls = []
    real = onewindow_investment.catalogue_resource
    monkeypatch.setattr(onewindow_investment, "catalogue_resource",
                        lambda: calls.append(1) or real())
    onewindow_investment.onewindow_section()
    onewindow_investment.onewindow_approval_items()
    assert len(calls) == 1


def test_a_broken_catalogue_file_is_refused(tmp_path, monkeypatch):
    broken = tmp_path / "catalogue.toml"
    broken.write_text(CATALOGUE_TEXT.replace('seal_rule = "head_office"', 'seal_rule = "chief"', 1),
                      encoding="utf-8")
    monkeypatch.setattr(onewindow_investment, "catalogue_resource", lambda: broken)
    onewindow_investment.section_catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="inv-enterprise-approval.*seal_rule"):
            onewindow_investment.onewindow_approval_items()
    finally:
        monkeypatch.undo()
        onewindow_investment.section_catalogue.cache_clear()
    assert onewindow_investment.onewindow_section().code == "investment"


# --- catalogue content -----------------------------------------------------------------------

def test_items_are_complete(items):
    assert len(items) >= 4
    for item in items:
        assert item.version == "2026.1"
        assert item.intake_category == "投资建设类"
        assert item.code.startswith("inv-")
        assert any("《" in basis for basis in item.legal_basis), item.code
        assert item.statutory_limit_days is not None
        assert 0 < item.time_limit_days <= item.statutory_limit_days, item.code
        assert item.fee and item.result
        assert item.forms, f"{item.code} has no form"
        assert [u for u in item.lookups if u.network == "project-platform"], item.code


def test_every_material_has_detailed_review_points(items):
    for item in items:
        for material in item.materials:
            where = f"{item.code}/{material.code}"
            assert len(material.review_points) >= 3, where
            assert material.hard_points, where
            assert material.issuer.strip(), where
            for point in material.review_points:
                assert len(point.text) >= 10, (where, point.code)


def test_deferrals_are_complete(items):
    kinds = set()
    for item in items:
        for material in item.deferrable_materials:
            deferral = material.deferral
            assert isinstance(deferral.kind, DeferralKind)
            assert isinstance(deferral.max_days, int) and deferral.max_days > 0
            assert deferral.note.strip(), f"{item.code}/{material.code}"
            kinds.add(deferral.kind)
        # a legal prerequisite (用地预审与选址意见书) is never deferrable
        for material in item.materials:
            if material.code == "site-selection-opinion":
                assert material.deferral is None, item.code
    assert kinds == {DeferralKind.AT_ACCEPTANCE, DeferralKind.AT_ISSUANCE}
    assert sum(1 for i in items if i.deferrable_materials) >= 3
    raw = tomllib.loads(CATALOGUE_TEXT)
    for raw_item in raw["items"]:
        for raw_material in raw_item["materials"]:
            if "deferral" in raw_material:
                assert raw_material["deferral"]["kind"] in ("at_acceptance", "at_issuance")
                assert raw_material["deferral"]["max_days"] > 0


def test_forms_have_a_complete_filling_sample(items, onewindow_registry):
    raw = tomllib.loads(CATALOGUE_TEXT)
    raw_forms = [f for raw_item in raw["items"] for f in raw_item.get("forms", [])]
    assert len(raw_forms) >= 5
    for raw_form in raw_forms:
        assert "download_url" not in raw_form, raw_form["code"]
        assert raw_form["source"].strip()
        assert len(raw_form["fields"]) >= 8, raw_form["code"]
    for item in items:
        for form in item.forms:
            assert not form.network or form.network in onewindow_registry.lookups, form.code
        referenced = {m.form for m in item.materials if m.form}
        assert referenced and referenced <= {f.code for f in item.forms}, item.code


def test_form_samples_name_sandbox_projects(items):
    """The project code in every sample is a sandbox project of the sample's unit."""
    for item in items:
        for form in item.forms:
            values = {f.name: f.sample for f in form.fields}
            code = values["项目代码"]
            assert PROJECT_CODE.match(code), (form.code, code)
            record = sandbox_record(code)
            assert values["统一社会信用代码"] == record["credit_code"], form.code
            assert record["project_name"] == values["项目名称"], form.code


def test_code_and_id_fields_hold_a_valid_sample(items):
    codes = set()
    for item in items:
        for form in item.forms:
            for f in form.fields:
                if "统一社会信用代码" in f.name:
                    assert uscc.is_valid(f.sample), (form.code, f.name, f.sample)
                    codes.add(f.sample)
                if "身份证" in f.name:
                    assert ric.is_valid(f.sample), (form.code, f.name, f.sample)
    assert len(codes) >= 4


# --- sandbox records -------------------------------------------------------------------------

def test_sandbox_records_are_valid_and_varied():
    data = sandbox_data()
    assert data["network"] == "project-platform" and data["key"] == "project_code"
    assert data["title"] == "投资项目在线审批监管平台"
    records = data["records"]
    assert 6 <= len(records) <= 10
    keys = {"project_code", "project_name", "unit_name", "credit_code", "approval_type",
            "status", "total_investment", "location"}
    type_digits = {"审批": "01", "核准": "02", "备案": "03"}
    for record in records:
        assert keys <= set(record), record["project_code"]
        match = PROJECT_CODE.match(record["project_code"])
        assert match, record["project_code"]
        assert match.group(2).startswith("2103"), "鞍山 administrative division"
        assert match.group(4) == type_digits[record["approval_type"]], record["project_code"]
        assert uscc.is_valid(record["credit_code"]), record
        assert record["status"] in {"已赋码", "已核准", "已备案", "已撤销"}
        assert record["total_investment"].endswith("万元")
        assert record["location"].startswith("辽宁省")
    assert len({r["project_code"] for r in records}) == len(records)
    statuses = {r["status"] for r in records}
    assert statuses == {"已赋码", "已核准", "已备案", "已撤销"}


# --- the project-platform look-up over the sandbox -------------------------------------------

@pytest.fixture
def platform_lookup(onewindow_sandbox, monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_PROJECT_PLATFORM_URL", raising=False)
    return onewindow_investment.project_platform_lookup()


def test_lookup_trims_the_typed_code(platform_lookup):
    result = platform_lookup.query({"project_code": f" {RUIFENG}  "}, case_number=None)
    assert result.status is LookupStatus.FOUND and result.record["status"] == "已备案"
    assert len(result.answer_hash) == 64


def test_lookup_rejects_an_empty_code(platform_lookup):
    result = platform_lookup.query({"project_code": "  "}, case_number=None)
    assert result.status is LookupStatus.REJECTED and "项目代码" in result.message


def test_lookup_prefers_its_own_configured_url(onewindow_sandbox, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_NETWORK_PROJECT_PLATFORM_URL",
                       onewindow_sandbox + "/project-platform")
    result = onewindow_investment.project_platform_lookup().query(
        {"project_code": REVOKED}, case_number=None)
    assert result.status is LookupStatus.FOUND and result.record["status"] == "已撤销"
    monkeypatch.setenv("ONEWINDOW_NETWORK_PROJECT_PLATFORM_URL",
                       onewindow_sandbox + "/no-such-network")
    result = onewindow_investment.project_platform_lookup().query(
        {"project_code": REVOKED}, case_number=None)
    assert result.status is LookupStatus.NOT_FOUND


# --- automatic checks ------------------------------------------------------------------------

def applicant_of(code: str, **overrides) -> dict:
    record = sandbox_record(code)
    applicant = {"kind": "enterprise", "name": record["unit_name"],
                 "credit_code": record["credit_code"],
                 "legal_representative": record["legal_representative"], "id_number": "",
                 "contact_person": "杜明月", "phone": "13942218675",
                 "social_organisation_name": ""}
    applicant.update(overrides)
    return applicant


def outcomes(registry, item: str, applicant: dict, looked_up: str | None):
    lookups = {"project-platform": sandbox_record(looked_up)} if looked_up else {}
    return run_checks(registry.checks, CheckContext(item, applicant, lookups))


def test_every_check_targets_a_hard_review_point(onewindow_registry):
    ours = [c for c in onewindow_registry.checks if c.item.startswith("inv-")]
    assert len(ours) == len(checks.material_checks()) >= 5
    for check in ours:
        material = onewindow_registry.catalogue.item(check.item).material(check.material)
        point = next(p for p in material.review_points if p.code == check.point)
        assert point.is_hard, (check.item, check.material, check.point)


def test_unit_check_verdicts(onewindow_registry):
    key = ("approval-form", "unit-matches-platform")
    item = "inv-enterprise-approval"
    passed = outcomes(onewindow_registry, item, applicant_of(WIND), WIND)[key]
    assert passed.verdict is CheckVerdict.PASSED
    # half-width brackets and stray spaces are the same name
    spaced = applicant_of(WIND, name=" 海城市鞍能风电 有限公司")
    assert outcomes(onewindow_registry, item, spaced, WIND)[key].verdict is CheckVerdict.PASSED
    other_name = applicant_of(WIND, name="海城市鞍能新能源有限公司")
    failed = outcomes(onewindow_registry, item, other_name, WIND)[key]
    assert failed.verdict is CheckVerdict.FAILED and "单位名称" in failed.message
    other_unit = applicant_of(RUIFENG)
    failed = outcomes(onewindow_registry, item, other_unit, WIND)[key]
    assert failed.verdict is CheckVerdict.FAILED and "统一社会信用代码" in failed.message
    unknown = outcomes(onewindow_registry, item, applicant_of(WIND), None)[key]
    assert unknown.verdict is CheckVerdict.UNKNOWN and "请先" in unknown.message
    no_code = applicant_of(WIND, credit_code="")
    assert outcomes(onewindow_registry, item, no_code, WIND)[key].verdict \
        is CheckVerdict.UNKNOWN


def test_category_check_verdicts(onewindow_registry):
    key = ("approval-form", "category-approval")
    got = outcomes(onewindow_registry, "inv-enterprise-approval", applicant_of(WIND), WIND)
    assert got[key].verdict is CheckVerdict.PASSED
    # a 备案 project brought to the 核准 window
    filed = outcomes(onewindow_registry, "inv-enterprise-approval", applicant_of(COLD_CHAIN),
                     COLD_CHAIN)[key]
    assert filed.verdict is CheckVerdict.FAILED and "项目备案" in filed.message
    # a 核准 project brought to the 备案 window
    wrong = outcomes(onewindow_registry, "inv-enterprise-filing", applicant_of(WIND),
                     WIND)[("filing-form", "category-filing")]
    assert wrong.verdict is CheckVerdict.FAILED and "核准" in wrong.message
    gov = outcomes(onewindow_registry, "inv-gov-feasibility", applicant_of(SCHOOL), SCHOOL)
    assert gov[("application-form", "category-government")].verdict is CheckVerdict.PASSED
    # someone else's project says nothing about this applicant
    foreign = outcomes(onewindow_registry, "inv-enterprise-approval", applicant_of(WIND),
                       SUBSTATION)[key]
    assert foreign.verdict is CheckVerdict.UNKNOWN and "重新查询" in foreign.message
    blank = dict(sandbox_record(WIND), approval_type="")
    context = CheckContext("inv-enterprise-approval", applicant_of(WIND),
                           {"project-platform": blank})
    assert checks.project_category_is("核准")(context).verdict is CheckVerdict.UNKNOWN


def test_status_check_verdicts(onewindow_registry):
    reg = onewindow_registry
    coded = ("approval-form", "project-coded")
    assert outcomes(reg, "inv-enterprise-approval", applicant_of(WIND), WIND)[coded].verdict \
        is CheckVerdict.PASSED
    again = outcomes(reg, "inv-enterprise-approval", applicant_of(SUBSTATION), SUBSTATION)[coded]
    assert again.verdict is CheckVerdict.FAILED and "核准变更" in again.message
    duplicate = outcomes(reg, "inv-enterprise-filing", applicant_of(RUIFENG),
                         RUIFENG)[("filing-form", "not-yet-filed")]
    assert duplicate.verdict is CheckVerdict.FAILED and "备案变更" in duplicate.message
    fresh = outcomes(reg, "inv-enterprise-filing", applicant_of(COLD_CHAIN),
                     COLD_CHAIN)[("filing-form", "not-yet-filed")]
    assert fresh.verdict is CheckVerdict.PASSED
    change = ("change-form", "status-filed")
    assert outcomes(reg, "inv-filing-change", applicant_of(RUIFENG), RUIFENG)[change].verdict \
        is CheckVerdict.PASSED
    not_filed = outcomes(reg, "inv-filing-change", applicant_of(COLD_CHAIN), COLD_CHAIN)[change]
    assert not_filed.verdict is CheckVerdict.FAILED and "先办理项目备案" in not_filed.message
    revoked = outcomes(reg, "inv-filing-change", applicant_of(REVOKED), REVOKED)[change]
    assert revoked.verdict is CheckVerdict.FAILED and "已撤销" in revoked.message
    assert "吊销" in revoked.message  # the platform's reason is passed on
    energy = ("energy-application", "project-valid")
    for code in (WIND, SUBSTATION, RUIFENG):
        assert outcomes(reg, "inv-energy-review", applicant_of(code), code)[energy].verdict \
            is CheckVerdict.PASSED
    assert outcomes(reg, "inv-energy-review", applicant_of(REVOKED), REVOKED)[energy].verdict \
        is CheckVerdict.FAILED
    assert outcomes(reg, "inv-energy-review", applicant_of(RUIFENG), None)[energy].verdict \
        is CheckVerdict.UNKNOWN


# --- one intake through the real services ----------------------------------------------------

def test_intake_with_lookup_checks_and_deferral(onewindow_hall, onewindow_actor,
                                                onewindow_sandbox, monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_PROJECT_PLATFORM_URL", raising=False)
    hall = onewindow_hall
    clerk = onewindow_actor("window_staff")
    case = hall.open_case(clerk, "inv-enterprise-approval", {
        "kind": "enterprise", "name": "海城市鞍能风电有限公司", "phone": "13942218675",
        "credit_code": "91210381MA0XN3K75F", "legal_representative": "孟庆海",
        "contact_person": "杜明月"})
    assert case.item_version == "2026.1" and case.section == "investment"

    case, record = hall.lookup(clerk, case.number, "project-platform", {"project_code": WIND})
    assert record.status == LookupStatus.FOUND
    verdicts = hall.checks_for(case)
    for point in ("unit-matches-platform", "category-approval", "project-coded"):
        assert verdicts[("approval-form", point)].verdict is CheckVerdict.PASSED, point

    # the business licence is deferred (容缺受理); everything else is checked at the window
    due = add_working_days(dt.date.today(), 2)
    hall.act(clerk, case.number, "defer", params={"material": "business-licence",
                                                  "due_date": due})
    item = hall.catalogue.item("inv-enterprise-approval")
    marks = [(m.code, p.code, "passed", "") for m in item.materials
             if m.required and m.code != "business-licence" for p in m.review_points]
    hall.review(clerk, case.number, marks)
    case = hall.act(clerk, case.number, "take_in")
    assert case.state is State.TAKEN_IN


def test_intake_is_refused_while_a_hard_point_is_unchecked(onewindow_hall, onewindow_actor):
    from onewindow.errors import TransitionRefused

    hall = onewindow_hall
    clerk = onewindow_actor("window_staff")
    case = hall.open_case(clerk, "inv-filing-change", {
        "kind": "enterprise", "name": "鞍山市瑞丰机械制造有限公司", "phone": "0412-8861234",
        "credit_code": "91210303782581136R", "legal_representative": "孙建国"})
    item = hall.catalogue.item("inv-filing-change")
    marks = [(m.code, p.code, "passed", "") for m in item.materials if m.required
             for p in m.review_points if (m.code, p.code) != ("change-form", "status-filed")]
    hall.review(clerk, case.number, marks)
    with pytest.raises(TransitionRefused):
        hall.act(clerk, case.number, "take_in")
    hall.review(clerk, case.number, [("change-form", "status-filed", "passed", "")])
    assert hall.act(clerk, case.number, "take_in").state is State.TAKEN_IN

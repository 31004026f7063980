"""Tests of the 环境保护审批科 plugin: what is particular to it beyond onewindow_check_plugin —
catalogue content, the pollution-permit look-up's settings, the automatic checks, and intakes
through the real hall."""

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

import onewindow_environment
from onewindow.catalogue import DeferralKind
from onewindow.checks import CheckContext, CheckVerdict, run_checks
from onewindow.errors import CatalogueError, PluginError, TransitionRefused
from onewindow.lookups import LookupStatus
from onewindow.plugins import ENTRY_POINT_GROUP, load_registry
from onewindow.workdays import add_working_days
from onewindow_environment import checks

ROOT = Path(__file__).resolve().parents[3]
SANDBOX_FILE = ROOT / "fixtures" / "sandbox" / "pollution-permit.json"
CATALOGUE_TEXT = (files("onewindow_environment") / "catalogue.toml").read_text(encoding="utf-8")
NETWORK = "pollution-permit"

HENGTAI = "91210303MA491WPB4F"  # 重点管理, 有效
XINDA = "91210311MAHEH6DN0J"  # 重点管理, 有效 until 2028-11-14: the EIA sample applicant
HUAXING_LAPSED = "91210381MAWG4PM34L"  # says 有效, but expired 2025-04-19
JIEMEI_REGISTRATION = "91210303MAD720NR5B"  # 登记管理
XINHE = "91210302MA86KEYA2Q"  # 危险废物治理, 重点管理, 有效: the 危废 sample applicant
DONGFANG_PENDING = "91210303MAL62G9W4X"  # 申请中, 简化管理: the 排污许可 sample applicant
FENGSHOU_REVOKED = "93210321MA651TQ7XX"  # 撤销
HONGLI_CANCELLED = "91210304MAB7B0DW8C"  # 注销

TODAY = dt.date(2026, 11, 30)

# 18-character numbers in the catalogue that are neither credit codes nor ID numbers.
NOT_CODES = {"202621030200000417": "建设项目环境影响登记表备案号（年份+行政区划+流水号）"}


def sandbox_data() -> dict:
    return json.loads(SANDBOX_FILE.read_text(encoding="utf-8"))


def sandbox_record(code: str) -> dict:
    return next(r for r in sandbox_data()["records"] if r["credit_code"] == code)


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def items(registry):
    return registry.catalogue.items_of("environment")


# --- loading ---------------------------------------------------------------------------------

def test_plugin_loads_through_its_entry_point(registry):
    entry = list(entry_points(group=ENTRY_POINT_GROUP, name="environment"))
    assert entry and entry[0].value == "onewindow_environment"
    assert registry.owners["section:environment"] == "environment"
    assert registry.owners["network:" + NETWORK] == "environment"
    assert registry.catalogue.sections["environment"].name == "环境保护审批科"
    assert registry.lookups[NETWORK].title == "全国排污许可证管理信息平台"
    codes = {i.code for i in registry.catalogue.items_of("environment")}
    assert codes == {"env-eia-approval", "env-pollution-permit", "env-hazardous-waste-licence",
                     "env-radiation-licence"}


def test_core_plugin_contract(onewindow_check_plugin):
    counts = onewindow_check_plugin("environment", not_codes=NOT_CODES)
    assert counts["items"] >= 3
    assert counts["codes"] >= 9  # at least 5 credit codes and 4 ID numbers in the samples
    assert counts["networks"] == 1
    assert counts["review_points"] >= 3 * counts["materials"]


def test_catalogue_is_loaded_once(monkeypatch):
    onewindow_environment.section_catalogue.cache_clear()
    calls = []
    real = onewindow_environment.catalogue_resource
    monkeypatch.setattr(onewindow_environment, "catalogue_resource",
                        lambda: calls.append(1) or real())
    onewindow_environment.onewindow_section()
    onewindow_environment.onewindow_approval_items()
    assert len(calls) == 1


def test_a_broken_catalogue_file_stops_start_up(tmp_path, monkeypatch):
    broken = tmp_path / "catalogue.toml"
    broken.write_text(CATALOGUE_TEXT.replace('max_days = 20', 'max_days = 0', 1),
                      encoding="utf-8")
    monkeypatch.setattr(onewindow_environment, "catalogue_resource", lambda: broken)
    onewindow_environment.section_catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="env-eia-approval.*emission-quota.*max_days"):
            onewindow_environment.onewindow_approval_items()
        with pytest.raises(PluginError, match="plugin 'environment'"):
            load_registry()
    finally:
        monkeypatch.undo()
        onewindow_environment.section_catalogue.cache_clear()
    assert onewindow_environment.onewindow_section().code == "environment"


# --- catalogue content -----------------------------------------------------------------------

def test_items_are_complete(items):
    assert len(items) >= 3
    for item in items:
        assert item.version == "2026.1" and item.intake_category
        assert item.code.startswith("env-")
        assert all("《" in basis for basis in item.legal_basis), item.code
        assert item.statutory_limit_days and item.time_limit_days <= item.statutory_limit_days
        assert item.fee and item.result
        assert item.forms, f"{item.code} has no form"


def test_every_material_has_a_hard_point_and_detailed_review_points(items):
    for item in items:
        for material in item.materials:
            where = f"{item.code}/{material.code}"
            assert len(material.review_points) >= 3, where
            assert material.hard_points, where
            assert material.issuer.strip(), where


def test_deferrals_are_complete(items):
    deferrable = 0
    for item in items:
        for material in item.deferrable_materials:
            deferrable += 1
            deferral = material.deferral
            assert isinstance(deferral.kind, DeferralKind)
            assert isinstance(deferral.max_days, int) and deferral.max_days > 0
            assert deferral.note.strip(), f"{item.code}/{material.code}"
    assert deferrable >= 4
    permit = next(i for i in items if i.code == "env-pollution-permit")
    outfall = permit.material("outfall-description").deferral
    assert outfall.kind is DeferralKind.AT_ACCEPTANCE and outfall.commitment_required
    # what the dedicated network proves can never wait
    for item in items:
        for use in item.lookups:
            assert item.material(use.material).deferral is None, item.code


def test_raw_toml_forms_name_their_source_and_have_fields():
    raw = tomllib.loads(CATALOGUE_TEXT)
    assert raw["section"]["code"] == "environment"
    form_count = 0
    for raw_item in raw["items"]:
        assert raw_item.get("forms"), raw_item["code"]
        for raw_form in raw_item["forms"]:
            form_count += 1
            assert raw_form["source"].strip()
            assert "download_url" not in raw_form, "no unverified download address"
            assert raw_form["fields"], raw_form["code"]
        for raw_material in raw_item["materials"]:
            if "deferral" in raw_material:
                assert raw_material["deferral"]["kind"] in ("at_acceptance", "at_issuance")
                assert raw_material["deferral"]["max_days"] > 0
    assert form_count >= 4


def test_forms_are_referenced_and_the_platform_form_names_its_network(items, registry):
    for item in items:
        referenced = {m.form for m in item.materials if m.form}
        assert referenced, f"{item.code} has no material that is a form"
        assert referenced <= {f.code for f in item.forms}
        for form in item.forms:
            assert not form.network or form.network in registry.lookups
    permit = next(i for i in items if i.code == "env-pollution-permit")
    assert permit.form("pollution-permit-application").network == NETWORK


def test_declared_lookups_point_at_materials(items):
    uses = [(item, use) for item in items for use in item.lookups]
    assert len(uses) >= 3
    for item, use in uses:
        assert use.network == NETWORK and use.purpose.strip()
        item.material(use.material)


def test_code_and_id_fields_hold_the_right_kind_of_number(items):
    """A credit-code field holds a credit code and an ID field an ID number, not the other."""
    codes, ids = set(), set()
    for item in items:
        for form in item.forms:
            for f in form.fields:
                if "统一社会信用代码" in f.name:
                    assert uscc.is_valid(f.sample), (form.code, f.name, f.sample)
                    codes.add(f.sample)
                if "身份证件号码" in f.name:
                    assert ric.is_valid(f.sample), (form.code, f.name, f.sample)
                    ids.add(f.sample)
    assert len(codes) >= 5 and len(ids) >= 4


def test_permit_numbers_in_samples_exist_in_the_sandbox():
    numbers = set(re.findall(r"[0-9A-Z]{18}\d{3}[A-Z]", CATALOGUE_TEXT))
    assert numbers
    in_sandbox = {r["permit_number"] for r in sandbox_data()["records"]}
    assert numbers <= in_sandbox, numbers - in_sandbox


# --- sandbox records -------------------------------------------------------------------------

def test_sandbox_records_are_valid_and_varied():
    data = sandbox_data()
    assert data["network"] == NETWORK and data["key"] == "credit_code"
    assert data["title"] == "全国排污许可证管理信息平台"
    records = data["records"]
    assert 6 <= len(records) <= 10
    keys = {"credit_code", "name", "permit_number", "industry", "management_category",
            "valid_until", "status"}
    for record in records:
        assert keys <= set(record), record["name"]
        assert uscc.is_valid(record["credit_code"]), record
        assert record["management_category"] in (checks.KEY, checks.SIMPLIFIED,
                                                  checks.REGISTRATION)
        if record["permit_number"]:
            assert record["permit_number"].startswith(record["credit_code"])
            assert checks.parse_date(record["valid_until"]), record
    assert len({r["credit_code"] for r in records}) == len(records)
    statuses = {r["status"] for r in records}
    assert {"有效", "申请中", "撤销", "注销"} <= statuses
    categories = {r["management_category"] for r in records}
    assert categories == {checks.KEY, checks.SIMPLIFIED, checks.REGISTRATION}


# --- the look-up against the sandbox over HTTP -----------------------------------------------

@pytest.fixture
def platform(onewindow_sandbox, monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_POLLUTION_PERMIT_URL", raising=False)
    return onewindow_environment.pollution_permit_lookup()


def test_lookup_rejects_an_empty_code(platform):
    result = platform.query({"credit_code": ""}, case_number=None)
    assert result.status is LookupStatus.REJECTED and "统一社会信用代码" in result.message


def test_lookup_is_unavailable_when_not_configured(monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_POLLUTION_PERMIT_URL", raising=False)
    monkeypatch.delenv("ONEWINDOW_SANDBOX_URL", raising=False)
    result = onewindow_environment.pollution_permit_lookup().query(
        {"credit_code": XINDA}, case_number=None)
    assert result.status is LookupStatus.UNAVAILABLE and "未配置" in result.message


def test_own_network_variable_wins_over_the_sandbox(onewindow_sandbox, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_NETWORK_POLLUTION_PERMIT_URL",
                       onewindow_sandbox + "/no-such-network")
    result = onewindow_environment.pollution_permit_lookup().query(
        {"credit_code": XINDA}, case_number=None)
    assert result.status is LookupStatus.NOT_FOUND


# --- automatic checks ------------------------------------------------------------------------

def context(item: str, applicant_code: str, looked_up: str | None = "same",
            name: str | None = None) -> CheckContext:
    """The applicant is the sandbox unit ``applicant_code``; ``looked_up`` the record found."""
    record_code = applicant_code if looked_up == "same" else looked_up
    applicant = {"kind": "enterprise", "credit_code": applicant_code,
                 "name": name if name is not None else sandbox_record(applicant_code)["name"],
                 "legal_representative": "测试", "id_number": "", "contact_person": "董佳",
                 "phone": "15941287703", "social_organisation_name": ""}
    lookups = {NETWORK: sandbox_record(record_code)} if record_code else {}
    return CheckContext(item_code=item, applicant=applicant, lookups=lookups)


def test_every_check_targets_a_hard_review_point(registry):
    ours = [c for c in registry.checks if c.item.startswith("env-")]
    assert len(ours) == len(checks.material_checks()) >= 5
    for check in ours:
        material = registry.catalogue.item(check.item).material(check.material)
        point = next(p for p in material.review_points if p.code == check.point)
        assert point.is_hard, (check.item, check.material, check.point)


def test_permit_in_force_verdicts():
    item = "env-hazardous-waste-licence"
    ok = checks.permit_in_force(context(item, XINHE), TODAY)
    assert ok.verdict is CheckVerdict.PASSED and "2029-08-20" in ok.message
    lapsed = checks.permit_in_force(context(item, HUAXING_LAPSED), TODAY)
    assert lapsed.verdict is CheckVerdict.FAILED and "已过期" in lapsed.message
    revoked = checks.permit_in_force(context(item, FENGSHOU_REVOKED), TODAY)
    assert revoked.verdict is CheckVerdict.FAILED and "撤销" in revoked.message
    cancelled = checks.permit_in_force(context(item, HONGLI_CANCELLED), TODAY)
    assert cancelled.verdict is CheckVerdict.FAILED and "注销" in cancelled.message
    pending = checks.permit_in_force(context(item, DONGFANG_PENDING), TODAY)
    assert pending.verdict is CheckVerdict.FAILED and "尚未取得" in pending.message
    # the same permit, judged the day after it expires
    later = checks.permit_in_force(context(item, XINDA), dt.date(2028, 11, 15))
    assert later.verdict is CheckVerdict.FAILED
    assert checks.permit_in_force(context(item, XINHE, None), TODAY).verdict \
        is CheckVerdict.UNKNOWN
    foreign = checks.permit_in_force(context(item, XINHE, HENGTAI), TODAY)
    assert foreign.verdict is CheckVerdict.UNKNOWN and "重新查询" in foreign.message
    odd = dict(sandbox_record(XINHE), status="待核实")
    odd_ctx = CheckContext(item, context(item, XINHE).applicant, {NETWORK: odd})
    assert checks.permit_in_force(odd_ctx, TODAY).verdict is CheckVerdict.UNKNOWN


def test_permit_holder_verdicts():
    item = "env-eia-approval"
    assert checks.permit_holder_matches(context(item, XINDA)).verdict is CheckVerdict.PASSED
    spaced = context(item, XINDA, name=" 鞍山市鑫达冶金炉料有限公司 ")
    assert checks.permit_holder_matches(spaced).verdict is CheckVerdict.PASSED
    other = checks.permit_holder_matches(context(item, XINDA, HENGTAI))
    assert other.verdict is CheckVerdict.FAILED and "统一社会信用代码" in other.message
    renamed = checks.permit_holder_matches(context(item, XINDA, name="鞍山鑫达耐火材料有限公司"))
    assert renamed.verdict is CheckVerdict.FAILED and "名称" in renamed.message
    assert checks.permit_holder_matches(context(item, XINDA, None)).verdict \
        is CheckVerdict.UNKNOWN
    blank = checks.permit_holder_matches(context(item, XINDA, name=""))
    assert blank.verdict is CheckVerdict.UNKNOWN


def test_application_submitted_verdicts():
    item = "env-pollution-permit"
    ok = checks.application_submitted(context(item, DONGFANG_PENDING))
    assert ok.verdict is CheckVerdict.PASSED and "2026-11-20" in ok.message
    holder = checks.application_submitted(context(item, HENGTAI))
    assert holder.verdict is CheckVerdict.FAILED and "变更或延续" in holder.message
    revoked = checks.application_submitted(context(item, FENGSHOU_REVOKED))
    assert revoked.verdict is CheckVerdict.FAILED and "撤销" in revoked.message
    assert checks.application_submitted(context(item, DONGFANG_PENDING, None)).verdict \
        is CheckVerdict.UNKNOWN
    assert checks.application_submitted(context(item, DONGFANG_PENDING, HENGTAI)).verdict \
        is CheckVerdict.UNKNOWN


def test_management_category_verdicts():
    item = "env-pollution-permit"
    run = checks.management_category_requires_permit
    simplified = run(context(item, DONGFANG_PENDING))
    assert simplified.verdict is CheckVerdict.PASSED and "简化管理" in simplified.message
    assert run(context(item, HENGTAI)).verdict is CheckVerdict.PASSED
    registration = run(context(item, JIEMEI_REGISTRATION))
    assert registration.verdict is CheckVerdict.FAILED and "排污登记表" in registration.message
    blank = dict(sandbox_record(HENGTAI), management_category="")
    blank_ctx = CheckContext(item, context(item, HENGTAI).applicant, {NETWORK: blank})
    assert run(blank_ctx).verdict is CheckVerdict.UNKNOWN
    assert run(context(item, HENGTAI, None)).verdict is CheckVerdict.UNKNOWN


def test_checks_run_on_a_real_lookup_answer(registry, platform):
    result = platform.query({"credit_code": JIEMEI_REGISTRATION}, case_number="HB-2026-0002")
    assert result.status is LookupStatus.FOUND
    ctx = CheckContext("env-pollution-permit", context("x", JIEMEI_REGISTRATION, None).applicant,
                       {NETWORK: result.record})
    got = run_checks(registry.checks, ctx)
    assert got[("application", "management-category")].verdict is CheckVerdict.FAILED
    assert got[("application", "submitted-on-platform")].verdict is CheckVerdict.FAILED


# --- one intake through the real services ----------------------------------------------------

FOUNDRY = {"kind": "enterprise", "name": "鞍山市东方精密铸造有限公司", "phone": "13188062417",
           "credit_code": DONGFANG_PENDING, "id_number": "", "legal_representative": "田宏伟",
           "contact_person": "潘立军", "social_organisation_name": ""}


def _pass_every_required_point(hall, clerk, number, item, skip=()):
    marks = [(m.code, p.code, "passed", "") for m in item.materials if m.required
             and m.code not in skip for p in m.review_points]
    return hall.review(clerk, number, marks)


def test_intake_of_a_pollution_permit(onewindow_hall, onewindow_actor, onewindow_sandbox):
    hall = onewindow_hall
    clerk = onewindow_actor("window_staff")
    case = hall.open_case(clerk, "env-pollution-permit", FOUNDRY)
    assert case.item_version == "2026.1" and case.section == "environment"
    item = hall.catalogue.item("env-pollution-permit")

    case, record = hall.lookup(clerk, case.number, NETWORK, {"credit_code": DONGFANG_PENDING})
    assert record.status == "found" and record.record["status"] == "申请中"
    verdicts = hall.checks_for(case)
    assert verdicts[("application", "submitted-on-platform")].verdict is CheckVerdict.PASSED
    assert verdicts[("application", "management-category")].verdict is CheckVerdict.PASSED

    with pytest.raises(TransitionRefused):
        hall.act(clerk, case.number, "take_in")

    # 排污口规范化情况说明 deferred at acceptance, with the applicant's commitment
    due = add_working_days(hall.clock().date(), 10)
    with pytest.raises(TransitionRefused, match="承诺"):
        hall.act(clerk, case.number, "defer",
                 params={"material": "outfall-description", "due_date": due})
    hall.act(clerk, case.number, "defer",
             params={"material": "outfall-description", "due_date": due,
                     "commitment_signed": True})
    _pass_every_required_point(hall, clerk, case.number, item, skip={"outfall-description"})
    case = hall.act(clerk, case.number, "take_in")
    assert case.state.value == "taken_in"
    assert case.deferral("outfall-description").kind is DeferralKind.AT_ACCEPTANCE


def test_intake_is_refused_while_a_hard_point_fails(onewindow_hall, onewindow_actor):
    hall = onewindow_hall
    clerk = onewindow_actor("window_staff")
    applicant = dict(FOUNDRY, name="鞍山新禾环保科技有限公司", credit_code=XINHE,
                     legal_representative="吴雪梅", contact_person="董佳")
    case = hall.open_case(clerk, "env-hazardous-waste-licence", applicant)
    item = hall.catalogue.item("env-hazardous-waste-licence")
    _pass_every_required_point(hall, clerk, case.number, item)
    hall.review(clerk, case.number, [("technical-staff", "three-engineers", "failed",
                                      "中级职称技术人员仅2名")])
    with pytest.raises(TransitionRefused, match="技术人员"):
        hall.act(clerk, case.number, "take_in")
    hall.review(clerk, case.number, [("technical-staff", "three-engineers", "passed", "")])
    assert hall.act(clerk, case.number, "take_in").state.value == "taken_in"

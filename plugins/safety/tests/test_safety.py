"""Tests of the 安全质量审批科 plugin: what is particular to it beyond onewindow_check_plugin —
catalogue content, the licence-network look-up's settings, the automatic checks, and intakes
through the real services."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from importlib.metadata import entry_points
from importlib.resources import files
from pathlib import Path

import pytest
from stdnum.cn import ric, uscc

import onewindow_safety
from onewindow.case import State
from onewindow.catalogue import DeferralKind
from onewindow.checks import CheckContext, CheckVerdict, run_checks
from onewindow.errors import CatalogueError, PluginError, TransitionRefused
from onewindow.lookups import LookupStatus
from onewindow.plugins import ENTRY_POINT_GROUP, load_registry
from onewindow.workdays import add_working_days
from onewindow_safety import checks

ROOT = Path(__file__).resolve().parents[3]
SANDBOX_FILE = ROOT / "fixtures" / "sandbox" / "hazchem-licence.json"
CATALOGUE_TEXT = (files("onewindow_safety") / "catalogue.toml").read_text(encoding="utf-8")
NETWORK = "hazchem-licence"

DESHENG = "91210311MA22PMTP85"  # 鞍山德胜工业气体有限公司, 有效 until 2027-03-31
XINYUAN = "91210303MA1JY1AWXN"  # 鞍山市鑫源化工贸易有限公司, 有效 until 2027-08-19
HENGTONG = "91210304MA12UY664B"  # 恒通加油站, 有效 until 2027-01-15
LIMIN_REVOKED = "91210381MA1AYLWC2C"  # 吊销
HONGFA_EXPIRED = "91210303MA0RTJGJ98"  # 已过期
SHUNDA_CLOSED = "91210321MA026CRA8G"  # 注销
YULONG_SUSPENDED = "91210323MA08WYUQ5R"  # 暂扣
HENGRUI_NEW = "91210303MA2EHAT407"  # first-time applicant of the form sample, not licensed
DAY = dt.date(2026, 11, 30)


def sandbox_data() -> dict:
    return json.loads(SANDBOX_FILE.read_text(encoding="utf-8"))


def sandbox_record(code: str) -> dict:
    return next(r for r in sandbox_data()["records"] if r["credit_code"] == code)


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def items(registry):
    return registry.catalogue.items_of("safety")


@pytest.fixture
def fixed_day(monkeypatch):
    monkeypatch.setattr(checks, "today", lambda: DAY)
    return DAY


# --- loading ---------------------------------------------------------------------------------

def test_plugin_loads_through_its_entry_point(registry):
    entry = list(entry_points(group=ENTRY_POINT_GROUP, name="safety"))
    assert entry and entry[0].value == "onewindow_safety"
    assert registry.owners["section:safety"] == "safety"
    assert registry.owners["network:" + NETWORK] == "safety"
    assert registry.catalogue.sections["safety"].name == "安全质量审批科"
    assert registry.lookups[NETWORK].title == "安全生产许可信息系统"
    codes = {i.code for i in registry.catalogue.items_of("safety")}
    assert {"safe-hazchem-licence", "safe-hazchem-renewal", "safe-fireworks-retail",
            "safe-special-equipment-use"} <= codes


def test_core_plugin_contract(onewindow_check_plugin):
    counts = onewindow_check_plugin("safety")
    assert counts["items"] >= 3
    assert counts["codes"] >= 8  # at least 4 credit codes and 4 ID numbers in the samples
    assert counts["networks"] == 1
    assert counts["review_points"] >= 3 * counts["materials"]


def test_catalogue_is_loaded_once(monkeypatch):
    onewindow_safety.section_catalogue.cache_clear()
    calls = []
    real = onewindow_safety.catalogue_resource
    monkeypatch.setattr(onewindow_safety, "catalogue_resource", lambda: calls.append(1) or real())
    onewindow_safety.onewindow_section()
    onewindow_safety.onewindow_approval_items()
    assert len(calls) == 1


def test_a_broken_catalogue_file_stops_start_up(tmp_path, monkeypatch):
    broken = tmp_path / "catalogue.toml"
    broken.write_text(CATALOGUE_TEXT.replace("seal_rule = ", "seal_rules = ", 1), encoding="utf-8")
    monkeypatch.setattr(onewindow_safety, "catalogue_resource", lambda: broken)
    onewindow_safety.section_catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="safe-hazchem-licence.*seal_rules"):
            onewindow_safety.onewindow_approval_items()
        with pytest.raises(PluginError, match="plugin 'safety'"):
            load_registry()
    finally:
        monkeypatch.undo()
        onewindow_safety.section_catalogue.cache_clear()
    assert onewindow_safety.onewindow_section().code == "safety"


# --- catalogue content -----------------------------------------------------------------------

def test_items_are_complete(items):
    assert len(items) >= 4
    for item in items:
        assert item.code.startswith("safe-") and item.version == "2026.1"
        assert item.intake_category and item.result and item.fee
        assert all("《" in basis for basis in item.legal_basis), item.code
        assert item.statutory_limit_days and item.time_limit_days <= item.statutory_limit_days
        assert item.forms, f"{item.code} has no form"


def test_every_material_has_detailed_review_points(items):
    for item in items:
        for material in item.materials:
            where = f"{item.code}/{material.code}"
            assert len(material.review_points) >= 3, where
            assert material.hard_points, where
            assert material.issuer.strip(), where


def test_deferrals_are_complete(items):
    kinds = set()
    for item in items:
        for material in item.deferrable_materials:
            deferral = material.deferral
            assert isinstance(deferral.kind, DeferralKind)
            assert isinstance(deferral.max_days, int) and deferral.max_days > 0
            assert deferral.note.strip(), f"{item.code}/{material.code}"
            kinds.add(deferral.kind)
    assert kinds == {DeferralKind.AT_ACCEPTANCE, DeferralKind.AT_ISSUANCE}
    licence = next(i for i in items if i.code == "safe-hazchem-licence")
    premises = licence.material("premises-proof").deferral
    assert premises.kind is DeferralKind.AT_ACCEPTANCE and premises.commitment_required
    # the decisive technical documents are never deferrable
    assert licence.material("safety-evaluation").deferral is None
    assert licence.material("application").deferral is None


def test_forms_name_their_source_and_are_referenced(items):
    raw = tomllib.loads(CATALOGUE_TEXT)
    raw_forms = [f for raw_item in raw["items"] for f in raw_item.get("forms", [])]
    assert len(raw_forms) >= 4
    for raw_form in raw_forms:
        assert raw_form["source"].strip() and raw_form["fields"], raw_form["code"]
        assert "download_url" not in raw_form, "no unverified download address"
    for item in items:
        referenced = {m.form for m in item.materials if m.form}
        assert referenced and referenced <= {f.code for f in item.forms}, item.code


def test_declared_lookups_name_our_network_and_a_material(items):
    uses = [(item, use) for item in items for use in item.lookups]
    assert {item.code for item, _ in uses} >= {"safe-hazchem-licence", "safe-hazchem-renewal"}
    for item, use in uses:
        assert use.network == NETWORK and use.purpose.strip()
        item.material(use.material)


def test_code_and_id_fields_hold_the_right_kind_of_number(items):
    """A credit-code field holds a credit code and an ID field an ID number, not the other."""
    codes, ids = set(), set()
    for item in items:
        for form in item.forms:
            for f in form.fields:
                if "统一社会信用代码" in f.name and f.sample[:1].isdigit():
                    assert uscc.is_valid(f.sample), (form.code, f.name, f.sample)
                    codes.add(f.sample)
                if "身份证件号码" in f.name:
                    assert ric.is_valid(f.sample), (form.code, f.name, f.sample)
                    ids.add(f.sample)
    assert len(codes) >= 4 and len(ids) >= 3


# --- sandbox records -------------------------------------------------------------------------

def test_sandbox_records_are_valid_and_varied():
    data = sandbox_data()
    assert data["network"] == NETWORK and data["key"] == "credit_code"
    assert data["title"] == "安全生产许可信息系统"
    records = data["records"]
    assert 6 <= len(records) <= 10
    keys = {"credit_code", "name", "legal_representative", "licence_no", "business_mode",
            "scope", "valid_until", "status", "issued", "issuing_authority"}
    for record in records:
        assert keys <= set(record), record["name"]
        assert uscc.is_valid(record["credit_code"]), record
        assert dt.date.fromisoformat(record["issued"]) < dt.date.fromisoformat(
            record["valid_until"])
        assert "危化经字" in record["licence_no"]
    assert len({r["credit_code"] for r in records}) == len(records)
    statuses = {r["status"] for r in records}
    assert {"有效", "吊销", "已过期", "注销", "暂扣"} <= statuses


def test_renewal_sample_is_a_licence_holder_in_the_sandbox(items):
    renewal = next(i for i in items if i.code == "safe-hazchem-renewal")
    sample = {f.name: f.sample for f in renewal.form("hazchem-renewal-application").fields}
    record = sandbox_record(sample["统一社会信用代码"])
    assert record["name"] == sample["企业名称"]
    assert record["licence_no"] == sample["原许可证编号"]
    # the first-time applicant of the other sample holds no licence
    assert HENGRUI_NEW not in {r["credit_code"] for r in sandbox_data()["records"]}


# --- the look-up over the sandbox ------------------------------------------------------------

@pytest.fixture
def lookup(onewindow_sandbox, monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_HAZCHEM_LICENCE_URL", raising=False)
    return onewindow_safety.hazchem_licence_lookup()


def test_lookup_rejects_an_empty_code(lookup):
    result = lookup.query({"credit_code": " "}, case_number=None)
    assert result.status is LookupStatus.REJECTED and "统一社会信用代码" in result.message


def test_lookup_is_unavailable_when_not_configured(monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_HAZCHEM_LICENCE_URL", raising=False)
    monkeypatch.delenv("ONEWINDOW_SANDBOX_URL", raising=False)
    result = onewindow_safety.hazchem_licence_lookup().query({"credit_code": DESHENG},
                                                            case_number=None)
    assert result.status is LookupStatus.UNAVAILABLE


# --- automatic checks ------------------------------------------------------------------------

def applicant_of(code: str, **overrides) -> dict:
    record = sandbox_record(code) if code in {r["credit_code"] for r in
                                              sandbox_data()["records"]} else {}
    applicant = {"kind": "enterprise", "name": record.get("name", "鞍山市恒瑞化工物资有限公司"),
                 "credit_code": code, "phone": "13904226518", "id_number": "",
                 "legal_representative": record.get("legal_representative", "孙立新"),
                 "contact_person": "", "social_organisation_name": ""}
    applicant.update(overrides)
    return applicant


def outcomes(registry, item: str, applicant: dict, looked_up: str | None):
    lookups = {NETWORK: sandbox_record(looked_up)} if looked_up else {}
    return run_checks(registry.checks, CheckContext(item, applicant, lookups))


def test_every_check_targets_a_real_review_point(registry):
    ours = [c for c in registry.checks if c.item.startswith("safe-")]
    assert len(ours) == len(checks.material_checks()) >= 4
    for check in ours:
        material = registry.catalogue.item(check.item).material(check.material)
        assert check.point in {p.code for p in material.review_points}


def test_holder_check_verdicts(registry):
    key = ("renewal-application", "holder-matches-network")
    item = "safe-hazchem-renewal"
    assert outcomes(registry, item, applicant_of(DESHENG), DESHENG)[key].verdict \
        is CheckVerdict.PASSED
    renamed = applicant_of(DESHENG, name="鞍山德胜气体有限公司")
    failed = outcomes(registry, item, renamed, DESHENG)[key]
    assert failed.verdict is CheckVerdict.FAILED and "名称" in failed.message
    other_code = applicant_of(DESHENG, credit_code=XINYUAN)
    failed = outcomes(registry, item, other_code, DESHENG)[key]
    assert failed.verdict is CheckVerdict.FAILED and "统一社会信用代码" in failed.message
    assert outcomes(registry, item, applicant_of(DESHENG), None)[key].verdict \
        is CheckVerdict.UNKNOWN


def test_validity_check_verdicts(registry, fixed_day, monkeypatch):
    key = ("renewal-application", "before-expiry")
    item = "safe-hazchem-renewal"
    passed = outcomes(registry, item, applicant_of(DESHENG), DESHENG)[key]
    assert passed.verdict is CheckVerdict.PASSED and "2027-03-31" in passed.message
    for code, word in ((HONGFA_EXPIRED, "过期"), (LIMIN_REVOKED, "吊销"),
                       (SHUNDA_CLOSED, "注销"), (YULONG_SUSPENDED, "暂扣")):
        failed = outcomes(registry, item, applicant_of(code), code)[key]
        assert failed.verdict is CheckVerdict.FAILED and word in failed.message, code
    # 有效 in the record but the date has passed: the date decides
    monkeypatch.setattr(checks, "today", lambda: dt.date(2027, 2, 1))
    lapsed = outcomes(registry, item, applicant_of(HENGTONG), HENGTONG)[key]
    assert lapsed.verdict is CheckVerdict.FAILED and "已过期" in lapsed.message
    # a record of another unit says nothing about the applicant
    foreign = outcomes(registry, item, applicant_of(DESHENG), XINYUAN)[key]
    assert foreign.verdict is CheckVerdict.UNKNOWN and "重新查询" in foreign.message


def test_three_months_ahead_check_verdicts(registry, fixed_day):
    key = ("renewal-application", "three-months-ahead")
    item = "safe-hazchem-renewal"
    assert outcomes(registry, item, applicant_of(DESHENG), DESHENG)[key].verdict \
        is CheckVerdict.PASSED
    late = outcomes(registry, item, applicant_of(HENGTONG), HENGTONG)[key]
    assert late.verdict is CheckVerdict.FAILED and "不足3个月" in late.message
    assert checks.add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_original_licence_status_check(registry, fixed_day):
    key = ("original-licence", "status-valid")
    item = "safe-hazchem-renewal"
    assert outcomes(registry, item, applicant_of(XINYUAN), XINYUAN)[key].verdict \
        is CheckVerdict.PASSED
    suspended = outcomes(registry, item, applicant_of(YULONG_SUSPENDED), YULONG_SUSPENDED)[key]
    assert suspended.verdict is CheckVerdict.FAILED and "暂扣" in suspended.message


def test_no_existing_licence_check_verdicts(registry, fixed_day):
    key = ("application", "no-existing-licence")
    item = "safe-hazchem-licence"
    held = outcomes(registry, item, applicant_of(XINYUAN), XINYUAN)[key]
    assert held.verdict is CheckVerdict.FAILED and "不得重复核发" in held.message
    lapsed = outcomes(registry, item, applicant_of(HONGFA_EXPIRED), HONGFA_EXPIRED)[key]
    assert lapsed.verdict is CheckVerdict.PASSED
    revoked = outcomes(registry, item, applicant_of(LIMIN_REVOKED), LIMIN_REVOKED)[key]
    assert revoked.verdict is CheckVerdict.UNKNOWN and "吊销" in revoked.message
    assert outcomes(registry, item, applicant_of(HENGRUI_NEW), None)[key].verdict \
        is CheckVerdict.UNKNOWN


# --- one intake through the real services ----------------------------------------------------

def _pass_every_point(hall, clerk, case, skip=()):
    item = hall.catalogue.item(case.item_code)
    marks = [(m.code, p.code, "passed", "") for m in item.materials if m.code not in skip
             for p in m.review_points]
    return hall.review(clerk, case.number, marks)


def test_intake_of_a_first_licence_with_deferrals(onewindow_hall, onewindow_actor,
                                                  onewindow_sandbox, monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_HAZCHEM_LICENCE_URL", raising=False)
    hall, clerk = onewindow_hall, onewindow_actor("window_staff")
    case = hall.open_case(clerk, "safe-hazchem-licence", {
        "kind": "enterprise", "name": "鞍山市恒瑞化工物资有限公司", "phone": "13841227365",
        "credit_code": HENGRUI_NEW, "legal_representative": "孙立新",
        "contact_person": "李春燕"})
    assert case.item_version == "2026.1" and case.state is State.CONSULTATION
    case, record = hall.lookup(clerk, case.number, NETWORK, {"credit_code": HENGRUI_NEW})
    assert record.status == "not_found"
    # nothing reviewed yet: the window may not take the case in
    with pytest.raises(TransitionRefused, match="硬性要求"):
        hall.act(clerk, case.number, "take_in")
    today = hall.clock().date()
    hall.act(clerk, case.number, "defer", params={
        "material": "premises-proof", "due_date": add_working_days(today, 3),
        "commitment_signed": True})
    hall.act(clerk, case.number, "defer", params={
        "material": "emergency-plan", "due_date": add_working_days(today, 15),
        "commitment_signed": True})
    _pass_every_point(hall, clerk, case, skip={"premises-proof", "emergency-plan"})
    case = hall.act(clerk, case.number, "take_in")
    assert case.state is State.TAKEN_IN
    assert {d.material for d in case.deferrals} == {"premises-proof", "emergency-plan"}


def test_intake_of_a_renewal_runs_the_checks(onewindow_hall, onewindow_actor, onewindow_sandbox,
                                             monkeypatch, fixed_day):
    monkeypatch.delenv("ONEWINDOW_NETWORK_HAZCHEM_LICENCE_URL", raising=False)
    hall, clerk = onewindow_hall, onewindow_actor("window_staff")
    case = hall.open_case(clerk, "safe-hazchem-renewal", {
        "kind": "enterprise", "name": "鞍山德胜工业气体有限公司", "phone": "13904226518",
        "credit_code": DESHENG, "legal_representative": "张德胜"})
    case, record = hall.lookup(clerk, case.number, NETWORK, {"credit_code": DESHENG})
    assert record.status == "found" and record.record["status"] == "有效"
    verdicts = hall.checks_for(case)
    assert verdicts[("renewal-application", "holder-matches-network")].verdict \
        is CheckVerdict.PASSED
    assert verdicts[("renewal-application", "before-expiry")].verdict is CheckVerdict.PASSED
    assert verdicts[("original-licence", "status-valid")].verdict is CheckVerdict.PASSED
    _pass_every_point(hall, clerk, case)
    case = hall.act(clerk, case.number, "take_in")
    assert case.state is State.TAKEN_IN

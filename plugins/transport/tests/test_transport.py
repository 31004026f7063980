"""Tests of the 交通运输审批科 plugin: what is particular to it beyond onewindow_check_plugin —
catalogue content, the road-transport look-up's settings, the automatic checks, and intakes
through the real services."""

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

import onewindow_transport
from onewindow.case import State
from onewindow.catalogue import DeferralKind, SealRule
from onewindow.checks import CheckContext, CheckVerdict, run_checks
from onewindow.errors import CatalogueError, PluginError, TransitionRefused
from onewindow.lookups import LookupStatus
from onewindow.plugins import ENTRY_POINT_GROUP, load_registry
from onewindow.workdays import add_working_days
from onewindow_transport import checks

ROOT = Path(__file__).resolve().parents[3]
SANDBOX_FILE = ROOT / "fixtures" / "sandbox" / "road-transport.json"
CATALOGUE_TEXT = (files("onewindow_transport") / "catalogue.toml").read_text(encoding="utf-8")
NETWORK = "road-transport"

TONGDA = "91210303MA0TD7206B"  # 鞍山市通达物流有限公司, freight, 有效 until 2029-05-09
XINDA = "91210304MA1B0DW83J"  # 鑫达汽车运输, freight, 有效 until 2028-11-19
ANTU_PASSENGER = "91210302MA0N8T7F87"  # 安途旅游客运, passenger only, 有效
SHUNFA_REVOKED = "91210381MA186KEY03"  # 吊销
CHANGXING_EXPIRED = "91210302MA12G9WQ9G"  # 已过期
HONGYUN_CLOSED = "91210321MA11TQ7463"  # 注销
LUAN_NEW = "91210304MA2MDRMD15"  # first-time freight applicant of the form sample
XINGTU_BRANCH = "91210302MA3QDMEF9C"  # ride-hailing branch of the form sample
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
    return registry.catalogue.items_of("transport")


@pytest.fixture
def fixed_day(monkeypatch):
    monkeypatch.setattr(checks, "today", lambda: DAY)
    return DAY


# --- loading ---------------------------------------------------------------------------------

def test_plugin_loads_through_its_entry_point(registry):
    entry = list(entry_points(group=ENTRY_POINT_GROUP, name="transport"))
    assert entry and entry[0].value == "onewindow_transport"
    assert registry.owners["section:transport"] == "transport"
    assert registry.owners["network:" + NETWORK] == "transport"
    assert registry.catalogue.sections["transport"].name == "交通运输审批科"
    assert registry.lookups[NETWORK].title == "全国道路运输市场信用信息管理系统"
    codes = {i.code for i in registry.catalogue.items_of("transport")}
    assert {"tra-passenger-licence", "tra-freight-licence", "tra-vehicle-permit",
            "tra-ride-hailing"} <= codes


def test_core_plugin_contract(onewindow_check_plugin):
    counts = onewindow_check_plugin("transport")
    assert counts["items"] >= 3
    assert counts["codes"] >= 8  # at least 4 credit codes and 4 ID numbers in the samples
    assert counts["networks"] == 1
    assert counts["review_points"] >= 3 * counts["materials"]


def test_catalogue_is_loaded_once(monkeypatch):
    onewindow_transport.section_catalogue.cache_clear()
    calls = []
    real = onewindow_transport.catalogue_resource
    monkeypatch.setattr(onewindow_transport, "catalogue_resource",
                        lambda: calls.append(1) or real())
    onewindow_transport.onewindow_section()
    onewindow_transport.onewindow_approval_items()
    assert len(calls) == 1


def test_a_broken_catalogue_file_stops_start_up(tmp_path, monkeypatch):
    broken = tmp_path / "catalogue.toml"
    broken.write_text(CATALOGUE_TEXT.replace('form_of = "original"', 'form_of = "scan"', 1),
                      encoding="utf-8")
    monkeypatch.setattr(onewindow_transport, "catalogue_resource", lambda: broken)
    onewindow_transport.section_catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="tra-passenger-licence.*form_of"):
            onewindow_transport.onewindow_approval_items()
        with pytest.raises(PluginError, match="plugin 'transport'"):
            load_registry()
    finally:
        monkeypatch.undo()
        onewindow_transport.section_catalogue.cache_clear()
    assert onewindow_transport.onewindow_section().code == "transport"


# --- catalogue content -----------------------------------------------------------------------

def test_items_are_complete(items):
    assert len(items) >= 4
    for item in items:
        assert item.code.startswith("tra-") and item.version == "2026.1"
        assert item.intake_category == "交通运输类" and item.result and item.fee
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
        assert item.deferrable_materials, f"{item.code} has nothing deferrable"
        for material in item.deferrable_materials:
            deferral = material.deferral
            assert isinstance(deferral.kind, DeferralKind)
            assert isinstance(deferral.max_days, int) and deferral.max_days > 0
            assert deferral.note.strip(), f"{item.code}/{material.code}"
            kinds.add(deferral.kind)
        # the application form itself is never deferrable
        assert item.material("application").deferral is None
    assert kinds == {DeferralKind.AT_ACCEPTANCE, DeferralKind.AT_ISSUANCE}


def test_ride_hailing_separates_branch_and_head_office_seals(items):
    ride = next(i for i in items if i.code == "tra-ride-hailing")
    assert ride.material("application").seal_rule is SealRule.BRANCH
    assert ride.material("branch-licence").seal_rule is SealRule.BRANCH
    assert ride.material("online-capability").seal_rule is SealRule.HEAD_OFFICE
    assert ride.material("head-office-licence").seal_rule is SealRule.HEAD_OFFICE


def test_forms_name_their_source_and_are_referenced(items):
    raw = tomllib.loads(CATALOGUE_TEXT)
    raw_forms = [f for raw_item in raw["items"] for f in raw_item.get("forms", [])]
    assert len(raw_forms) >= 5
    for raw_form in raw_forms:
        assert raw_form["source"].strip() and raw_form["fields"], raw_form["code"]
        assert "download_url" not in raw_form, "no unverified download address"
    for item in items:
        referenced = {m.form for m in item.materials if m.form}
        assert referenced == {f.code for f in item.forms}, item.code


def test_declared_lookups_name_our_network_and_a_material(items):
    uses = [(item, use) for item in items for use in item.lookups]
    assert {item.code for item, _ in uses} >= {"tra-freight-licence", "tra-vehicle-permit"}
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
    assert len(codes) >= 4 and len(ids) >= 4


# --- sandbox records -------------------------------------------------------------------------

def test_sandbox_records_are_valid_and_varied():
    data = sandbox_data()
    assert data["network"] == NETWORK and data["key"] == "credit_code"
    assert data["title"] == "全国道路运输市场信用信息管理系统"
    records = data["records"]
    assert 6 <= len(records) <= 10
    keys = {"credit_code", "name", "legal_representative", "licence_no", "business_scope",
            "valid_until", "status", "issued", "issuing_authority"}
    for record in records:
        assert keys <= set(record), record["name"]
        assert uscc.is_valid(record["credit_code"]), record
        assert dt.date.fromisoformat(record["issued"]) < dt.date.fromisoformat(
            record["valid_until"])
        assert re.fullmatch(r"辽交运管许可鞍字\d{12}号", record["licence_no"]), record
    assert len({r["credit_code"] for r in records}) == len(records)
    assert {"有效", "吊销", "已过期", "注销"} <= {r["status"] for r in records}


def test_vehicle_permit_sample_operator_is_in_the_sandbox(items):
    permit = next(i for i in items if i.code == "tra-vehicle-permit")
    sample = {f.name: f.sample for f in permit.form("vehicle-permit-application").fields}
    record = sandbox_record(sample["统一社会信用代码"])
    assert record["name"] == sample["业户名称"]
    assert record["licence_no"] == sample["道路运输经营许可证号"]
    assert sample["经营范围"] in record["business_scope"]
    in_sandbox = {r["credit_code"] for r in sandbox_data()["records"]}
    assert LUAN_NEW not in in_sandbox and XINGTU_BRANCH not in in_sandbox


# --- the look-up over the sandbox ------------------------------------------------------------

@pytest.fixture
def lookup(onewindow_sandbox, monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_ROAD_TRANSPORT_URL", raising=False)
    return onewindow_transport.road_transport_lookup()


def test_lookup_rejects_an_empty_code(lookup):
    result = lookup.query({"credit_code": ""}, case_number=None)
    assert result.status is LookupStatus.REJECTED and "统一社会信用代码" in result.message


def test_lookup_is_unavailable_when_not_configured(monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_ROAD_TRANSPORT_URL", raising=False)
    monkeypatch.delenv("ONEWINDOW_SANDBOX_URL", raising=False)
    result = onewindow_transport.road_transport_lookup().query({"credit_code": TONGDA},
                                                              case_number=None)
    assert result.status is LookupStatus.UNAVAILABLE


# --- automatic checks ------------------------------------------------------------------------

def applicant_of(code: str, **overrides) -> dict:
    record = sandbox_record(code)
    applicant = {"kind": "enterprise", "name": record["name"], "credit_code": code,
                 "phone": "13941207714", "id_number": "",
                 "legal_representative": record["legal_representative"],
                 "contact_person": "", "social_organisation_name": ""}
    applicant.update(overrides)
    return applicant


def outcomes(registry, item: str, applicant: dict, looked_up: str | None):
    lookups = {NETWORK: sandbox_record(looked_up)} if looked_up else {}
    return run_checks(registry.checks, CheckContext(item, applicant, lookups))


def test_every_check_targets_a_hard_review_point(registry):
    ours = [c for c in registry.checks if c.item.startswith("tra-")]
    assert len(ours) == len(checks.material_checks()) >= 4
    for check in ours:
        material = registry.catalogue.item(check.item).material(check.material)
        point = next(p for p in material.review_points if p.code == check.point)
        assert point.is_hard, (check.item, check.material, check.point)


def test_identity_check_verdicts(registry):
    key = ("operator-licence", "holder-matches-network")
    item = "tra-vehicle-permit"
    assert outcomes(registry, item, applicant_of(TONGDA), TONGDA)[key].verdict \
        is CheckVerdict.PASSED
    half_width = applicant_of(TONGDA, name=" 鞍山市通达物流有限公司 ")
    assert outcomes(registry, item, half_width, TONGDA)[key].verdict is CheckVerdict.PASSED
    wrong_name = applicant_of(TONGDA, name="鞍山通达物流有限公司")
    failed = outcomes(registry, item, wrong_name, TONGDA)[key]
    assert failed.verdict is CheckVerdict.FAILED and "业户名称" in failed.message
    wrong_code = applicant_of(TONGDA, credit_code=XINDA)
    failed = outcomes(registry, item, wrong_code, TONGDA)[key]
    assert failed.verdict is CheckVerdict.FAILED and "统一社会信用代码" in failed.message
    assert outcomes(registry, item, applicant_of(TONGDA), None)[key].verdict \
        is CheckVerdict.UNKNOWN


def test_validity_check_verdicts(registry, fixed_day, monkeypatch):
    key = ("operator-licence", "licence-valid")
    item = "tra-vehicle-permit"
    passed = outcomes(registry, item, applicant_of(TONGDA), TONGDA)[key]
    assert passed.verdict is CheckVerdict.PASSED and "2029-05-09" in passed.message
    for code, word in ((SHUNFA_REVOKED, "吊销"), (CHANGXING_EXPIRED, "过期"),
                       (HONGYUN_CLOSED, "注销")):
        failed = outcomes(registry, item, applicant_of(code), code)[key]
        assert failed.verdict is CheckVerdict.FAILED and word in failed.message, code
    # 有效 in the record but the date has passed: the date decides
    monkeypatch.setattr(checks, "today", lambda: dt.date(2028, 11, 20))
    lapsed = outcomes(registry, item, applicant_of(XINDA), XINDA)[key]
    assert lapsed.verdict is CheckVerdict.FAILED and "2028-11-19" in lapsed.message
    foreign = outcomes(registry, item, applicant_of(TONGDA), XINDA)[key]
    assert foreign.verdict is CheckVerdict.UNKNOWN and "重新查询" in foreign.message


def test_scope_check_verdicts(registry):
    key = ("operator-licence", "scope-covers-freight")
    item = "tra-vehicle-permit"
    passed = outcomes(registry, item, applicant_of(TONGDA), TONGDA)[key]
    assert passed.verdict is CheckVerdict.PASSED and "道路普通货物运输" in passed.message
    passenger = outcomes(registry, item, applicant_of(ANTU_PASSENGER), ANTU_PASSENGER)[key]
    assert passenger.verdict is CheckVerdict.FAILED and "不含货物运输" in passenger.message


def test_no_freight_licence_check_verdicts(registry, fixed_day):
    key = ("application", "no-existing-licence")
    item = "tra-freight-licence"
    held = outcomes(registry, item, applicant_of(XINDA), XINDA)[key]
    assert held.verdict is CheckVerdict.FAILED and "不得重复许可" in held.message
    passenger = outcomes(registry, item, applicant_of(ANTU_PASSENGER), ANTU_PASSENGER)[key]
    assert passenger.verdict is CheckVerdict.PASSED and "增加货运经营范围" in passenger.message
    expired = outcomes(registry, item, applicant_of(CHANGXING_EXPIRED), CHANGXING_EXPIRED)[key]
    assert expired.verdict is CheckVerdict.PASSED
    revoked = outcomes(registry, item, applicant_of(SHUNFA_REVOKED), SHUNFA_REVOKED)[key]
    assert revoked.verdict is CheckVerdict.UNKNOWN and "吊销" in revoked.message
    new = {"kind": "enterprise", "name": "鞍山市路安货运有限公司", "credit_code": LUAN_NEW}
    assert outcomes(registry, item, new, None)[key].verdict is CheckVerdict.UNKNOWN


# --- intakes through the real services -------------------------------------------------------

def _pass_every_point(hall, clerk, case, skip=()):
    item = hall.catalogue.item(case.item_code)
    marks = [(m.code, p.code, "passed", "") for m in item.materials if m.code not in skip
             for p in m.review_points]
    return hall.review(clerk, case.number, marks)


def test_intake_of_a_vehicle_permit(onewindow_hall, onewindow_actor, onewindow_sandbox,
                                    monkeypatch, fixed_day):
    monkeypatch.delenv("ONEWINDOW_NETWORK_ROAD_TRANSPORT_URL", raising=False)
    hall, clerk = onewindow_hall, onewindow_actor("window_staff")
    case = hall.open_case(clerk, "tra-vehicle-permit", {
        "kind": "enterprise", "name": "鞍山市通达物流有限公司", "phone": "13941207714",
        "credit_code": TONGDA, "legal_representative": "吴海军", "contact_person": "吴海军"})
    assert case.item_version == "2026.1" and case.state is State.CONSULTATION
    case, record = hall.lookup(clerk, case.number, NETWORK, {"credit_code": TONGDA})
    assert record.status == "found"
    verdicts = hall.checks_for(case)
    for point in ("holder-matches-network", "licence-valid", "scope-covers-freight"):
        assert verdicts[("operator-licence", point)].verdict is CheckVerdict.PASSED, point
    # the satellite terminal is not yet on the platform: deferred to issuance
    with pytest.raises(TransitionRefused, match="硬性要求"):
        hall.act(clerk, case.number, "take_in")
    hall.act(clerk, case.number, "defer", params={
        "material": "satellite-terminal",
        "due_date": add_working_days(hall.clock().date(), 5), "commitment_signed": True})
    _pass_every_point(hall, clerk, case, skip={"satellite-terminal"})
    case = hall.act(clerk, case.number, "take_in")
    assert case.state is State.TAKEN_IN
    assert [d.kind for d in case.deferrals] == [DeferralKind.AT_ISSUANCE]


def test_intake_of_a_freight_licence(onewindow_hall, onewindow_actor, onewindow_sandbox,
                                     monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_ROAD_TRANSPORT_URL", raising=False)
    hall, clerk = onewindow_hall, onewindow_actor("window_staff")
    case = hall.open_case(clerk, "tra-freight-licence", {
        "kind": "enterprise", "name": "鞍山市路安货运有限公司", "phone": "13654120863",
        "credit_code": LUAN_NEW, "legal_representative": "林雪"})
    case, record = hall.lookup(clerk, case.number, NETWORK, {"credit_code": LUAN_NEW})
    assert record.status == "not_found"
    _pass_every_point(hall, clerk, case)
    case = hall.act(clerk, case.number, "take_in")
    assert case.state is State.TAKEN_IN


def test_a_person_cannot_apply_for_ride_hailing(onewindow_hall, onewindow_actor):
    from onewindow.errors import ValidationError

    with pytest.raises(ValidationError):
        onewindow_hall.open_case(onewindow_actor("window_staff"), "tra-ride-hailing", {
            "kind": "person", "name": "徐静", "phone": "18641289306",
            "id_number": "210302199301182864"})

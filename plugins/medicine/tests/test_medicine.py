"""Tests of the 医药器械审批科 plugin: catalogue completeness, the pharmacist-registry look-up
against the sandbox, the automatic checks, and one intake through the real services."""

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

import onewindow_medicine
from onewindow.case import State
from onewindow.catalogue import DeferralKind
from onewindow.checks import CheckContext, CheckVerdict, run_checks
from onewindow.errors import CatalogueError, TransitionRefused
from onewindow.lookups import LookupStatus
from onewindow.plugins import ENTRY_POINT_GROUP
from onewindow.workdays import add_working_days
from onewindow_medicine import checks

ROOT = Path(__file__).resolve().parents[3]
SANDBOX_FILE = ROOT / "fixtures" / "sandbox" / "pharmacist-registry.json"
CATALOGUE_TEXT = (files("onewindow_medicine") / "catalogue.toml").read_text(encoding="utf-8")
NETWORK = "pharmacist-registry"

LIU_JIA = "21032026001846"  # 刘佳, registered to 鞍山市康宁大药房有限公司, 有效
WANG_LIJUAN = "21032024000527"  # 王丽娟, 仁和堂, 中药学, 有效
SUN_HAO = "21032021001203"  # 仁和堂, status still 有效 but valid_until 2026-05-10 passed
ZHAO_MING = "21032018000391"  # 已注销
CHEN_JING = "21032022000615"  # hospital pharmacist: 药品使用
ZHANG_HONG = "21032021000958"  # manufacturer: 药品生产
WU_ZHIGANG = "21032019000742"  # 已撤销 (挂证)

KANGNING = {"kind": "enterprise", "name": "鞍山市康宁大药房有限公司", "phone": "13841206357",
            "credit_code": "91210302MA03AGYG5P", "id_number": "", "legal_representative": "韩志强",
            "contact_person": "马晓燕", "social_organisation_name": ""}
RENHETANG = dict(KANGNING, name="鞍山市仁和堂大药房有限公司", credit_code="91210303MA0KKHDR42",
                 legal_representative="杨立群", contact_person="王丽娟")
FIXED_TODAY = dt.date(2026, 11, 30)

# An 18-character token not inside a longer run of code characters.
_TOKEN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")
_ID_SHAPE = re.compile(r"[1-8]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]")


def catalogue_tokens() -> tuple[set[str], set[str]]:
    """(credit codes, ID numbers) in catalogue.toml; onewindow_check_plugin checks each one."""
    tokens = set(_TOKEN.findall(CATALOGUE_TEXT))
    ids = {t for t in tokens if _ID_SHAPE.fullmatch(t)}
    return tokens - ids, ids


def sandbox_data() -> dict:
    return json.loads(SANDBOX_FILE.read_text(encoding="utf-8"))


def sandbox_record(number: str) -> dict:
    return next(r for r in sandbox_data()["records"] if r["certificate_number"] == number)


@pytest.fixture
def medicine_items(onewindow_registry):
    return onewindow_registry.catalogue.items_of("medicine")


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(checks, "today", lambda: FIXED_TODAY)
    return FIXED_TODAY


# --- loading ---------------------------------------------------------------------------------

def test_plugin_loads_through_its_entry_point(onewindow_registry):
    entry = list(entry_points(group=ENTRY_POINT_GROUP, name="medicine"))
    assert entry and entry[0].value == "onewindow_medicine"
    assert onewindow_registry.owners["section:medicine"] == "medicine"
    assert onewindow_registry.owners["network:" + NETWORK] == "medicine"
    assert onewindow_registry.catalogue.sections["medicine"].name == "医药器械审批科"
    codes = {i.code for i in onewindow_registry.catalogue.items_of("medicine")}
    assert codes == {"med-retail-licence", "med-retail-renewal", "med-device-ii-filing",
                     "med-device-iii-licence"}
    assert onewindow_registry.lookups[NETWORK].title == "国家执业药师注册管理信息系统"


def test_core_plugin_contract(onewindow_check_plugin):
    counts = onewindow_check_plugin("medicine")
    assert counts["items"] >= 3
    assert counts["review_points"] >= 3 * counts["materials"]
    codes, ids = catalogue_tokens()
    assert counts["codes"] == len(codes | ids) > 0
    assert counts["networks"] == 1  # pharmacist-registry, found and not-found in the sandbox


def test_catalogue_is_loaded_once(monkeypatch):
    onewindow_medicine.section_catalogue.cache_clear()
    calls = []
    real = onewindow_medicine.catalogue_resource
    monkeypatch.setattr(onewindow_medicine, "catalogue_resource",
                        lambda: calls.append(1) or real())
    onewindow_medicine.onewindow_section()
    onewindow_medicine.onewindow_approval_items()
    assert len(calls) == 1


def test_a_broken_catalogue_file_is_refused(tmp_path, monkeypatch):
    broken = tmp_path / "catalogue.toml"
    broken.write_text(CATALOGUE_TEXT.replace('seal_rule = "head_office"', 'seal_rule = "stamp"', 1),
                      encoding="utf-8")
    monkeypatch.setattr(onewindow_medicine, "catalogue_resource", lambda: broken)
    onewindow_medicine.section_catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="med-retail-licence.*seal_rule"):
            onewindow_medicine.onewindow_approval_items()
    finally:
        monkeypatch.undo()
        onewindow_medicine.section_catalogue.cache_clear()
    assert onewindow_medicine.onewindow_section().code == "medicine"


# --- catalogue content -----------------------------------------------------------------------

def test_items_are_complete(medicine_items):
    assert len(medicine_items) >= 3
    for item in medicine_items:
        assert item.version == "2026.1" and item.intake_category and item.fee
        assert any("《" in basis for basis in item.legal_basis), item.code
        assert item.statutory_limit_days and item.time_limit_days <= item.statutory_limit_days
        assert item.forms, f"{item.code} has no form"
        referenced = {m.form for m in item.materials if m.form}
        assert referenced and referenced <= {f.code for f in item.forms}, item.code


def test_every_material_has_detailed_review_points(medicine_items):
    for item in medicine_items:
        for material in item.materials:
            where = f"{item.code}/{material.code}"
            assert len(material.review_points) >= 3, where
            assert material.hard_points, where
            assert material.issuer.strip(), where


def test_deferrals_are_complete_and_of_both_kinds(medicine_items):
    kinds = set()
    for item in medicine_items:
        for material in item.deferrable_materials:
            deferral = material.deferral
            assert isinstance(deferral.kind, DeferralKind)
            assert isinstance(deferral.max_days, int) and deferral.max_days > 0
            assert deferral.note.strip(), f"{item.code}/{material.code}"
            kinds.add(deferral.kind)
        # the pharmacist is the licence's core condition: never deferrable
        for material in item.materials:
            if material.code in ("pharmacist-certificate", "application", "key-personnel"):
                assert material.deferral is None, (item.code, material.code)
    assert kinds == {DeferralKind.AT_ACCEPTANCE, DeferralKind.AT_ISSUANCE}
    raw = tomllib.loads(CATALOGUE_TEXT)
    for raw_item in raw["items"]:
        for raw_material in raw_item["materials"]:
            if "deferral" in raw_material:
                assert {"kind", "max_days", "commitment_required", "note"} <= set(
                    raw_material["deferral"]), raw_material["code"]


def test_forms_have_a_complete_filling_sample(medicine_items, onewindow_registry):
    raw = tomllib.loads(CATALOGUE_TEXT)
    raw_forms = [form for raw_item in raw["items"] for form in raw_item.get("forms", [])]
    assert len(raw_forms) >= 4
    for raw_form in raw_forms:
        assert raw_form["source"].strip() and raw_form["fields"], raw_form["code"]
        assert "download_url" not in raw_form, "no unverified download address"
    for item in medicine_items:
        for form in item.forms:
            assert not form.network or form.network in onewindow_registry.lookups


def test_lookups_are_declared_on_the_pharmacist_material(medicine_items, onewindow_registry):
    uses = {item.code: item.lookups for item in medicine_items}
    for code in ("med-retail-licence", "med-retail-renewal"):
        (use,) = uses[code]
        assert use.network == NETWORK and use.material == "pharmacist-certificate"
        assert use.purpose.strip()


def test_sample_credit_codes_and_id_numbers(medicine_items):
    codes, ids = catalogue_tokens()  # their checksums: onewindow_check_plugin
    assert len(codes) >= 4 and len(ids) >= 3
    for item in medicine_items:
        for form in item.forms:
            for f in form.fields:
                if "统一社会信用代码" in f.name:
                    assert uscc.is_valid(f.sample), (form.code, f.name, f.sample)
                if "身份证件号码" in f.name:
                    assert ric.is_valid(f.sample), (form.code, f.name, f.sample)


# --- sandbox records -------------------------------------------------------------------------

def test_sandbox_records_are_valid_and_varied():
    data = sandbox_data()
    assert data["network"] == NETWORK and data["key"] == "certificate_number"
    assert data["title"] == "国家执业药师注册管理信息系统"
    records = data["records"]
    assert 6 <= len(records) <= 10
    keys = {"certificate_number", "name", "practice_category", "practice_scope",
            "practice_unit", "registered_on", "valid_until", "status"}
    for record in records:
        assert keys <= set(record), record["name"]
        assert record["practice_category"] in ("药学", "中药学", "药学与中药学")
        assert dt.date.fromisoformat(record["registered_on"]) < dt.date.fromisoformat(
            record["valid_until"])
    assert len({r["certificate_number"] for r in records}) == len(records)
    statuses = {r["status"] for r in records}
    assert {"有效", "已注销", "已撤销"} <= statuses
    assert any(dt.date.fromisoformat(r["valid_until"]) < FIXED_TODAY for r in records)


def test_sandbox_holds_the_pharmacists_of_the_form_samples():
    numbers = set(re.findall(r"(?<!\d)2103\d{10}(?!\d)", CATALOGUE_TEXT))
    assert numbers
    in_sandbox = {r["certificate_number"] for r in sandbox_data()["records"]}
    assert numbers <= in_sandbox, numbers - in_sandbox


# --- the pharmacist-registry look-up over the sandbox ----------------------------------------

def test_lookup_finds_a_padded_certificate_number(onewindow_sandbox):
    lookup = onewindow_medicine.pharmacist_registry_lookup()
    result = lookup.query({"certificate_number": f" {LIU_JIA} "}, case_number="YJ-2026-0001")
    assert result.status is LookupStatus.FOUND
    assert result.record["name"] == "刘佳"
    assert result.record["practice_unit"] == "鞍山市康宁大药房有限公司"


def test_lookup_rejects_an_empty_number(onewindow_sandbox):
    result = onewindow_medicine.pharmacist_registry_lookup().query(
        {"certificate_number": " "}, case_number=None)
    assert result.status is LookupStatus.REJECTED and "执业药师注册证编号" in result.message


def test_lookup_is_unavailable_when_not_configured(monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_PHARMACIST_REGISTRY_URL", raising=False)
    monkeypatch.delenv("ONEWINDOW_SANDBOX_URL", raising=False)
    result = onewindow_medicine.pharmacist_registry_lookup().query(
        {"certificate_number": LIU_JIA}, case_number=None)
    assert result.status is LookupStatus.UNAVAILABLE and "未配置" in result.message


# --- automatic checks ------------------------------------------------------------------------

def outcomes(registry, item: str, applicant: dict, record: dict | None):
    lookups = {NETWORK: record} if record else {}
    return run_checks(registry.checks, CheckContext(item, applicant, lookups))


UNIT = ("pharmacist-certificate", "registered-to-applicant")
VALID = ("pharmacist-certificate", "registration-valid")
SCOPE = ("pharmacist-certificate", "scope-retail")


def test_every_check_targets_a_hard_review_point(onewindow_registry):
    ours = [c for c in onewindow_registry.checks if c.item.startswith("med-")]
    assert len(ours) == len(checks.material_checks()) >= 3
    for check in ours:
        material = onewindow_registry.catalogue.item(check.item).material(check.material)
        point = next(p for p in material.review_points if p.code == check.point)
        assert point.is_hard, (check.item, check.material, check.point)


def test_all_checks_pass_for_a_pharmacist_registered_to_the_applicant(onewindow_registry,
                                                                     fixed_today):
    got = outcomes(onewindow_registry, "med-retail-licence", KANGNING, sandbox_record(LIU_JIA))
    assert {key: o.verdict for key, o in got.items()} == {
        UNIT: CheckVerdict.PASSED, VALID: CheckVerdict.PASSED, SCOPE: CheckVerdict.PASSED}
    renewal = outcomes(onewindow_registry, "med-retail-renewal", RENHETANG,
                       sandbox_record(WANG_LIJUAN))
    assert all(o.verdict is CheckVerdict.PASSED for o in renewal.values())


def test_unit_check_verdicts(onewindow_registry, fixed_today):
    # half-width brackets and spaces are the same name
    spaced = dict(KANGNING, name=" 鞍山市康宁大药房 有限公司")
    got = outcomes(onewindow_registry, "med-retail-licence", spaced, sandbox_record(LIU_JIA))
    assert got[UNIT].verdict is CheckVerdict.PASSED
    # registered at another pharmacy: 挂证 risk, must change registration first
    other = outcomes(onewindow_registry, "med-retail-licence", KANGNING,
                     sandbox_record(WANG_LIJUAN))[UNIT]
    assert other.verdict is CheckVerdict.FAILED and "仁和堂" in other.message
    assert "变更注册" in other.message
    nameless = outcomes(onewindow_registry, "med-retail-licence", dict(KANGNING, name=""),
                        sandbox_record(LIU_JIA))[UNIT]
    assert nameless.verdict is CheckVerdict.UNKNOWN
    not_queried = outcomes(onewindow_registry, "med-retail-licence", KANGNING, None)[UNIT]
    assert not_queried.verdict is CheckVerdict.UNKNOWN and "请先" in not_queried.message


def test_validity_check_verdicts(onewindow_registry, fixed_today):
    def verdict(record):
        return outcomes(onewindow_registry, "med-retail-renewal", RENHETANG, record)[VALID]

    expired = verdict(sandbox_record(SUN_HAO))  # the registry still says 有效
    assert expired.verdict is CheckVerdict.FAILED and "2026-05-10" in expired.message
    cancelled = verdict(sandbox_record(ZHAO_MING))
    assert cancelled.verdict is CheckVerdict.FAILED and "注销" in cancelled.message
    revoked = verdict(sandbox_record(WU_ZHIGANG))
    assert revoked.verdict is CheckVerdict.FAILED and "撤销" in revoked.message
    suspended = verdict(dict(sandbox_record(WANG_LIJUAN), status="暂停执业"))
    assert suspended.verdict is CheckVerdict.FAILED
    # the last valid day still passes; the day after fails
    last_day = dict(sandbox_record(WANG_LIJUAN), valid_until=FIXED_TODAY.isoformat())
    assert verdict(last_day).verdict is CheckVerdict.PASSED
    yesterday = (FIXED_TODAY - dt.timedelta(days=1)).isoformat()
    assert verdict(dict(last_day, valid_until=yesterday)).verdict is CheckVerdict.FAILED
    assert verdict(dict(last_day, valid_until="")).verdict is CheckVerdict.UNKNOWN
    assert verdict(dict(last_day, status="待审核")).verdict is CheckVerdict.UNKNOWN
    assert verdict(None).verdict is CheckVerdict.UNKNOWN


def test_scope_check_verdicts(onewindow_registry, fixed_today):
    hospital = outcomes(onewindow_registry, "med-retail-licence", KANGNING,
                        sandbox_record(CHEN_JING))[SCOPE]
    assert hospital.verdict is CheckVerdict.FAILED and "药品使用" in hospital.message
    factory = outcomes(onewindow_registry, "med-retail-licence", KANGNING,
                       sandbox_record(ZHANG_HONG))[SCOPE]
    assert factory.verdict is CheckVerdict.FAILED
    blank = dict(sandbox_record(LIU_JIA), practice_scope="")
    assert outcomes(onewindow_registry, "med-retail-licence", KANGNING, blank)[SCOPE].verdict \
        is CheckVerdict.UNKNOWN


def test_checks_only_run_for_pharmacy_items(onewindow_registry):
    got = outcomes(onewindow_registry, "med-device-iii-licence", KANGNING,
                   sandbox_record(LIU_JIA))
    assert got == {}


# --- one intake through the real services ----------------------------------------------------

def all_passed(item, kind: str):
    return [(m.code, p.code, "passed", "") for m in item.materials
            if kind in m.applicant_kinds for p in m.review_points]


def test_retail_licence_intake_with_lookup_and_deferral(onewindow_hall, onewindow_actor,
                                                         onewindow_sandbox, fixed_today):
    clerk = onewindow_actor("window_staff")
    item = onewindow_hall.catalogue.item("med-retail-licence")
    case = onewindow_hall.open_case(clerk, "med-retail-licence", KANGNING)
    assert case.item_version == "2026.1" and case.section == "medicine"

    case, record = onewindow_hall.lookup(clerk, case.number, NETWORK,
                                         {"certificate_number": LIU_JIA})
    assert record.status == LookupStatus.FOUND
    verdicts = onewindow_hall.checks_for(case)
    assert {k: v.verdict for k, v in verdicts.items()} == {
        UNIT: CheckVerdict.PASSED, VALID: CheckVerdict.PASSED, SCOPE: CheckVerdict.PASSED}

    marks = [m for m in all_passed(item, "enterprise") if m[0] != "staff-health"]
    onewindow_hall.review(clerk, case.number, marks)
    with pytest.raises(TransitionRefused, match="直接接触药品人员健康检查证明"):
        onewindow_hall.act(clerk, case.number, "take_in")
    today = onewindow_hall.clock().date()
    due = add_working_days(today, 5)
    with pytest.raises(TransitionRefused, match="告知承诺书"):
        onewindow_hall.act(clerk, case.number, "defer",
                           params={"material": "staff-health", "due_date": due})
    onewindow_hall.act(clerk, case.number, "defer", params={
        "material": "staff-health", "due_date": due, "commitment_signed": True})
    case = onewindow_hall.act(clerk, case.number, "take_in")
    assert case.state is State.TAKEN_IN
    assert case.outstanding(DeferralKind.AT_ACCEPTANCE)


def test_a_failed_hard_point_blocks_intake(onewindow_hall, onewindow_actor):
    clerk = onewindow_actor("window_staff")
    item = onewindow_hall.catalogue.item("med-device-iii-licence")
    case = onewindow_hall.open_case(clerk, item.code, dict(
        KANGNING, name="鞍山市瑞康医疗器械有限公司", credit_code="91210311MA1K239T00"))
    marks = all_passed(item, "enterprise")
    marks = [m if (m[0], m[1]) != ("key-personnel", "quality-head-qualified")
             else (m[0], m[1], "failed", "质量负责人仅有一年医疗器械质量管理工作经历")
             for m in marks]
    onewindow_hall.review(clerk, case.number, marks)
    with pytest.raises(TransitionRefused, match="三年以上"):
        onewindow_hall.act(clerk, case.number, "take_in")
    onewindow_hall.review(clerk, case.number,
                          [("key-personnel", "quality-head-qualified", "passed", "")])
    assert onewindow_hall.act(clerk, case.number, "take_in").state is State.TAKEN_IN


def test_device_filing_intake(onewindow_hall, onewindow_actor):
    clerk = onewindow_actor("window_staff")
    item = onewindow_hall.catalogue.item("med-device-ii-filing")
    applicant = dict(KANGNING, name="鞍山市安康医疗器械有限公司",
                     credit_code="91210304MA0QQJE702", legal_representative="徐伟")
    case = onewindow_hall.open_case(clerk, item.code, applicant)
    onewindow_hall.review(clerk, case.number, all_passed(item, "enterprise"))
    assert onewindow_hall.act(clerk, case.number, "take_in").state is State.TAKEN_IN

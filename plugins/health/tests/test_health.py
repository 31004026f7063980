"""Tests of the 卫生计生审批科 plugin: catalogue completeness, the practitioner-registry look-up
against the sandbox, the automatic checks, and intakes through the real services."""

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

import onewindow_health
from onewindow.case import State
from onewindow.catalogue import ApplicantKind, DeferralKind
from onewindow.checks import CheckContext, CheckVerdict, run_checks
from onewindow.errors import CatalogueError, TransitionRefused, ValidationError
from onewindow.lookups import LookupStatus
from onewindow.plugins import ENTRY_POINT_GROUP
from onewindow.workdays import add_working_days
from onewindow_health import checks

ROOT = Path(__file__).resolve().parents[3]
SANDBOX_FILE = ROOT / "fixtures" / "sandbox" / "practitioner-registry.json"
CATALOGUE_TEXT = (files("onewindow_health") / "catalogue.toml").read_text(encoding="utf-8")
NETWORK = "practitioner-registry"

WANG_JIANHUA = "110210302004518"  # 执业医师, first registered 2013, 有效
ZHANG_LEI = "110210381002760"  # 执业医师, 海城市康泰医院, 有效
CHEN_YU = "210210303000933"  # 执业助理医师
SHAO_GUODONG = "110210304001592"  # 已注销
FENG_LIXIN = "110210302003177"  # 暂停执业活动
HAN_BING = "120210302005406"  # 执业医师 since 2023-08-01: not yet five years
LIU_FANG = "202121003385"  # nurse, valid until 2026-12-19
ZHAO_XUE = "201721002218"  # nurse, expired 2022-07-31
SUN_LI = "201921005127"  # nurse, valid until 2029-06-30
FIXED_TODAY = dt.date(2026, 11, 30)


def person(name: str, id_number: str, phone: str = "13898012645") -> dict:
    return {"kind": "person", "name": name, "phone": phone, "credit_code": "",
            "id_number": id_number, "legal_representative": "", "contact_person": "",
            "social_organisation_name": ""}


WANG = person("王建华", "210302198801300658")
ZHANG = person("张磊", "21038119890227153X")
LIU = person("刘芳", "210304199604291462")
HOTEL = {"kind": "enterprise", "name": "鞍山市悦途酒店管理有限公司", "phone": "13604123376",
         "credit_code": "91210303MA1HTPQQ9H", "id_number": "", "legal_representative": "杜春梅",
         "contact_person": "苗雨", "social_organisation_name": ""}

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
def health_items(onewindow_registry):
    return onewindow_registry.catalogue.items_of("health")


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(checks, "today", lambda: FIXED_TODAY)
    return FIXED_TODAY


# --- loading ---------------------------------------------------------------------------------

def test_plugin_loads_through_its_entry_point(onewindow_registry):
    entry = list(entry_points(group=ENTRY_POINT_GROUP, name="health"))
    assert entry and entry[0].value == "onewindow_health"
    assert onewindow_registry.owners["section:health"] == "health"
    assert onewindow_registry.owners["network:" + NETWORK] == "health"
    assert onewindow_registry.catalogue.sections["health"].name == "卫生计生审批科"
    codes = {i.code for i in onewindow_registry.catalogue.items_of("health")}
    assert codes == {"hlth-clinic-filing", "hlth-physician-change", "hlth-nurse-renewal",
                     "hlth-public-place-permit"}
    assert onewindow_registry.lookups[NETWORK].title == "国家卫生健康委医生/护士电子化注册信息系统"


def test_core_plugin_contract(onewindow_check_plugin):
    counts = onewindow_check_plugin("health")
    assert counts["items"] >= 3
    assert counts["review_points"] >= 3 * counts["materials"]
    codes, ids = catalogue_tokens()
    assert counts["codes"] == len(codes | ids) > 0
    assert counts["networks"] == 1  # practitioner-registry, found and not-found in the sandbox


def test_catalogue_is_loaded_once(monkeypatch):
    onewindow_health.section_catalogue.cache_clear()
    calls = []
    real = onewindow_health.catalogue_resource
    monkeypatch.setattr(onewindow_health, "catalogue_resource",
                        lambda: calls.append(1) or real())
    onewindow_health.onewindow_section()
    onewindow_health.onewindow_approval_items()
    assert len(calls) == 1


def test_a_broken_catalogue_file_is_refused(tmp_path, monkeypatch):
    broken = tmp_path / "catalogue.toml"
    broken.write_text(CATALOGUE_TEXT.replace("max_days = 10", "max_days = 0", 1),
                      encoding="utf-8")
    monkeypatch.setattr(onewindow_health, "catalogue_resource", lambda: broken)
    onewindow_health.section_catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="hlth-physician-change.*max_days"):
            onewindow_health.onewindow_approval_items()
    finally:
        monkeypatch.undo()
        onewindow_health.section_catalogue.cache_clear()
    assert onewindow_health.onewindow_section().code == "health"


# --- catalogue content -----------------------------------------------------------------------

def test_items_are_complete(health_items):
    assert len(health_items) >= 3
    for item in health_items:
        assert item.version == "2026.1" and item.intake_category and item.fee
        assert any("《" in basis for basis in item.legal_basis), item.code
        assert item.statutory_limit_days and item.time_limit_days <= item.statutory_limit_days
        referenced = {m.form for m in item.materials if m.form}
        assert referenced and referenced <= {f.code for f in item.forms}, item.code
    by_code = {i.code: i for i in health_items}
    assert by_code["hlth-nurse-renewal"].applicant_kinds == (ApplicantKind.PERSON,)
    clinic = by_code["hlth-clinic-filing"]
    assert clinic.material("setter-id").applicant_kinds == (ApplicantKind.PERSON,)
    assert clinic.material("setter-licence").applicant_kinds == (ApplicantKind.ENTERPRISE,)


def test_every_material_has_detailed_review_points(health_items):
    for item in health_items:
        for material in item.materials:
            where = f"{item.code}/{material.code}"
            assert len(material.review_points) >= 3, where
            assert material.hard_points, where
            assert material.issuer.strip(), where


def test_deferrals_are_complete_and_of_both_kinds(health_items):
    kinds = set()
    for item in health_items:
        for material in item.deferrable_materials:
            deferral = material.deferral
            assert isinstance(deferral.kind, DeferralKind)
            assert isinstance(deferral.max_days, int) and deferral.max_days > 0
            assert deferral.note.strip(), f"{item.code}/{material.code}"
            kinds.add(deferral.kind)
    assert kinds == {DeferralKind.AT_ACCEPTANCE, DeferralKind.AT_ISSUANCE}
    report = next(i for i in health_items if i.code == "hlth-public-place-permit") \
        .material("hygiene-report").deferral
    assert report.kind is DeferralKind.AT_ACCEPTANCE and report.commitment_required


def test_forms_have_a_complete_filling_sample(health_items, onewindow_registry):
    raw = tomllib.loads(CATALOGUE_TEXT)
    raw_forms = [form for raw_item in raw["items"] for form in raw_item.get("forms", [])]
    assert len(raw_forms) >= 4
    for raw_form in raw_forms:
        assert raw_form["source"].strip() and raw_form["fields"], raw_form["code"]
        assert "download_url" not in raw_form, "no unverified download address"
    # the registration forms are produced on the dedicated network
    networked = {f.code for item in health_items for f in item.forms if f.network}
    assert networked == {"physician-change-form", "nurse-renewal-form"}
    for item in health_items:
        for form in item.forms:
            assert not form.network or form.network in onewindow_registry.lookups


def test_lookups_are_declared_on_the_certificate_materials(health_items):
    declared = {item.code: [(u.network, u.material) for u in item.lookups]
                for item in health_items}
    assert declared == {
        "hlth-clinic-filing": [(NETWORK, "head-certificate")],
        "hlth-physician-change": [(NETWORK, "certificate")],
        "hlth-nurse-renewal": [(NETWORK, "certificate")],
        "hlth-public-place-permit": [],
    }


def test_sample_credit_codes_and_id_numbers(health_items):
    codes, ids = catalogue_tokens()  # their checksums: onewindow_check_plugin
    assert len(codes) >= 1 and len(ids) >= 4
    for item in health_items:
        for form in item.forms:
            for f in form.fields:
                if "统一社会信用代码" in f.name and f.sample.startswith("9"):
                    assert uscc.is_valid(f.sample), (form.code, f.name, f.sample)
                if "身份证件号码" in f.name:
                    assert ric.is_valid(f.sample), (form.code, f.name, f.sample)


# --- sandbox records -------------------------------------------------------------------------

def test_sandbox_records_are_valid_and_varied():
    data = sandbox_data()
    assert data["network"] == NETWORK and data["key"] == "certificate_number"
    records = data["records"]
    assert 6 <= len(records) <= 10
    keys = {"certificate_number", "name", "profession", "level", "practice_category",
            "practice_scope", "practice_institution", "first_registered", "status"}
    for record in records:
        assert keys <= set(record), record["name"]
        assert record["profession"] in ("医师", "护士")
        if record["profession"] == "护士":
            assert dt.date.fromisoformat(record["valid_until"]) > dt.date.fromisoformat(
                record["first_registered"])
            assert len(record["certificate_number"]) == 12
        else:
            assert len(record["certificate_number"]) == 15
    assert len({r["certificate_number"] for r in records}) == len(records)
    statuses = {r["status"] for r in records}
    assert {"有效", "已注销", "暂停执业活动", "注册已过期"} <= statuses


def test_sandbox_holds_the_practitioners_of_the_form_samples():
    raw = tomllib.loads(CATALOGUE_TEXT)
    numbers = {f["sample"] for item in raw["items"] for form in item.get("forms", [])
               for f in form["fields"] if f["name"] in (
                   "主要负责人执业证书编码", "医师执业证书编码", "护士执业证书编号")}
    assert len(numbers) == 3
    in_sandbox = {r["certificate_number"]: r for r in sandbox_data()["records"]}
    assert numbers <= set(in_sandbox), numbers - set(in_sandbox)


# --- the practitioner-registry look-up over the sandbox --------------------------------------

def test_lookup_finds_a_physician_and_a_nurse(onewindow_sandbox):
    lookup = onewindow_health.practitioner_registry_lookup()
    physician = lookup.query({"certificate_number": ZHANG_LEI}, case_number="WS-2026-0001")
    assert physician.status is LookupStatus.FOUND
    assert physician.record["practice_institution"] == "海城市康泰医院"
    nurse = lookup.query({"certificate_number": f" {LIU_FANG}"}, case_number=None)
    assert nurse.status is LookupStatus.FOUND and nurse.record["valid_until"] == "2026-12-19"


def test_lookup_rejects_an_empty_number(onewindow_sandbox):
    result = onewindow_health.practitioner_registry_lookup().query(
        {"certificate_number": ""}, case_number=None)
    assert result.status is LookupStatus.REJECTED and "执业证书编码" in result.message


def test_lookup_is_unavailable_when_not_configured(monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_PRACTITIONER_REGISTRY_URL", raising=False)
    monkeypatch.delenv("ONEWINDOW_SANDBOX_URL", raising=False)
    result = onewindow_health.practitioner_registry_lookup().query(
        {"certificate_number": ZHANG_LEI}, case_number=None)
    assert result.status is LookupStatus.UNAVAILABLE


# --- automatic checks ------------------------------------------------------------------------

def outcomes(registry, item: str, applicant: dict, record: dict | None):
    lookups = {NETWORK: record} if record else {}
    return run_checks(registry.checks, CheckContext(item, applicant, lookups))


HEAD = ("head-certificate", "head-qualified")
HEAD_ACTIVE = ("head-certificate", "registration-active")
HOLDER = ("certificate", "holder-matches")
ACTIVE = ("certificate", "registration-active")
IN_TIME = ("certificate", "within-validity")


def test_every_check_targets_a_hard_review_point(onewindow_registry):
    ours = [c for c in onewindow_registry.checks if c.item.startswith("hlth-")]
    assert len(ours) == len(checks.material_checks()) >= 4
    for check in ours:
        material = onewindow_registry.catalogue.item(check.item).material(check.material)
        point = next(p for p in material.review_points if p.code == check.point)
        assert point.is_hard, (check.item, check.material, check.point)


def test_clinic_head_check_verdicts(onewindow_registry, fixed_today):
    def got(applicant, number):
        return outcomes(onewindow_registry, "hlth-clinic-filing", applicant,
                        sandbox_record(number) if number else None)

    ok = got(WANG, WANG_JIANHUA)
    assert ok[HEAD].verdict is CheckVerdict.PASSED and ok[HEAD_ACTIVE].verdict \
        is CheckVerdict.PASSED
    assistant = got(person("陈宇", "210303199803020810"), CHEN_YU)[HEAD]
    assert assistant.verdict is CheckVerdict.FAILED and "执业助理医师" in assistant.message
    young = got(person("韩冰", "210302199008272860"), HAN_BING)[HEAD]
    assert young.verdict is CheckVerdict.FAILED and "2028-08-01" in young.message
    # set up by a unit: the five-year rule of 个体行医 does not apply
    by_unit = got(dict(HOTEL, name="鞍山市仁济医疗管理有限公司"), HAN_BING)[HEAD]
    assert by_unit.verdict is CheckVerdict.PASSED
    nurse = got(LIU, LIU_FANG)[HEAD]
    assert nurse.verdict is CheckVerdict.FAILED and "护士" in nurse.message
    assert got(WANG, None)[HEAD].verdict is CheckVerdict.UNKNOWN
    # the fifth anniversary is the first day it passes
    record = dict(sandbox_record(HAN_BING), first_registered="2021-11-30")
    assert outcomes(onewindow_registry, "hlth-clinic-filing", WANG, record)[HEAD].verdict \
        is CheckVerdict.PASSED
    record = dict(record, first_registered="2021-12-01")
    assert outcomes(onewindow_registry, "hlth-clinic-filing", WANG, record)[HEAD].verdict \
        is CheckVerdict.FAILED
    record = dict(record, first_registered="")
    assert outcomes(onewindow_registry, "hlth-clinic-filing", WANG, record)[HEAD].verdict \
        is CheckVerdict.UNKNOWN


def test_physician_status_check_verdicts(onewindow_registry, fixed_today):
    def verdict(number_or_record):
        record = (sandbox_record(number_or_record) if isinstance(number_or_record, str)
                  else number_or_record)
        return outcomes(onewindow_registry, "hlth-physician-change", ZHANG, record)[ACTIVE]

    assert verdict(ZHANG_LEI).verdict is CheckVerdict.PASSED
    cancelled = verdict(SHAO_GUODONG)
    assert cancelled.verdict is CheckVerdict.FAILED and "注销" in cancelled.message
    suspended = verdict(FENG_LIXIN)
    assert suspended.verdict is CheckVerdict.FAILED and "暂停" in suspended.message
    assert verdict(dict(sandbox_record(ZHANG_LEI), status="审核中")).verdict \
        is CheckVerdict.UNKNOWN
    assert verdict(LIU_FANG).verdict is CheckVerdict.FAILED  # a nurse's record
    assert verdict(None).verdict is CheckVerdict.UNKNOWN


def test_holder_check_verdicts(onewindow_registry, fixed_today):
    ok = outcomes(onewindow_registry, "hlth-physician-change", ZHANG,
                  sandbox_record(ZHANG_LEI))[HOLDER]
    assert ok.verdict is CheckVerdict.PASSED
    someone_else = outcomes(onewindow_registry, "hlth-physician-change", ZHANG,
                            sandbox_record(WANG_JIANHUA))[HOLDER]
    assert someone_else.verdict is CheckVerdict.FAILED and "王建华" in someone_else.message
    spaced = outcomes(onewindow_registry, "hlth-nurse-renewal", dict(LIU, name="刘 芳"),
                      sandbox_record(LIU_FANG))[HOLDER]
    assert spaced.verdict is CheckVerdict.PASSED
    unit = outcomes(onewindow_registry, "hlth-nurse-renewal", HOTEL, sandbox_record(LIU_FANG))
    assert unit[HOLDER].verdict is CheckVerdict.UNKNOWN


def test_nurse_renewal_check_verdicts(onewindow_registry, fixed_today):
    def got(record):
        return outcomes(onewindow_registry, "hlth-nurse-renewal", LIU, record)[IN_TIME]

    soon = got(sandbox_record(LIU_FANG))  # 19 days left: renewable, but late
    assert soon.verdict is CheckVerdict.PASSED and "19天" in soon.message
    assert "30日" in soon.message
    early = got(sandbox_record(SUN_LI))
    assert early.verdict is CheckVerdict.PASSED and "30日" not in early.message
    expired = got(sandbox_record(ZHAO_XUE))
    assert expired.verdict is CheckVerdict.FAILED and "重新注册" in expired.message
    last_day = dict(sandbox_record(LIU_FANG), valid_until=FIXED_TODAY.isoformat())
    assert got(last_day).verdict is CheckVerdict.PASSED
    day_after = dict(last_day, valid_until=(FIXED_TODAY - dt.timedelta(days=1)).isoformat())
    assert got(day_after).verdict is CheckVerdict.FAILED
    assert got(dict(last_day, status="已注销")).verdict is CheckVerdict.FAILED
    assert got(dict(last_day, valid_until="")).verdict is CheckVerdict.UNKNOWN
    assert got(sandbox_record(ZHANG_LEI)).verdict is CheckVerdict.FAILED  # a physician
    assert got(None).verdict is CheckVerdict.UNKNOWN


# --- intakes through the real services -------------------------------------------------------

def all_passed(item, kind: str):
    return [(m.code, p.code, "passed", "") for m in item.materials
            if kind in m.applicant_kinds for p in m.review_points]


def test_clinic_filing_intake_with_lookup(onewindow_hall, onewindow_actor, onewindow_sandbox,
                                          fixed_today):
    clerk = onewindow_actor("window_staff")
    item = onewindow_hall.catalogue.item("hlth-clinic-filing")
    case = onewindow_hall.open_case(clerk, item.code, WANG)
    assert case.item_version == "2026.1" and case.section == "health"
    case, record = onewindow_hall.lookup(clerk, case.number, NETWORK,
                                         {"certificate_number": WANG_JIANHUA})
    assert record.status == LookupStatus.FOUND
    verdicts = onewindow_hall.checks_for(case)
    assert verdicts[HEAD].verdict is CheckVerdict.PASSED
    assert verdicts[HEAD_ACTIVE].verdict is CheckVerdict.PASSED
    # a person applicant is not asked for the unit's licence
    marks = all_passed(item, "person")
    assert not any(m[0] == "setter-licence" for m in marks)
    onewindow_hall.review(clerk, case.number, marks)
    assert onewindow_hall.act(clerk, case.number, "take_in").state is State.TAKEN_IN


def test_nurse_renewal_is_for_persons_only(onewindow_hall, onewindow_actor):
    clerk = onewindow_actor("window_staff")
    with pytest.raises(ValidationError):
        onewindow_hall.open_case(clerk, "hlth-nurse-renewal", HOTEL)


def test_physician_change_intake_defers_the_old_certificate(onewindow_hall, onewindow_actor):
    clerk = onewindow_actor("window_staff")
    item = onewindow_hall.catalogue.item("hlth-physician-change")
    case = onewindow_hall.open_case(clerk, item.code, ZHANG)
    marks = [m for m in all_passed(item, "person")
             if (m[0], m[1]) != ("certificate", "original-returned")]
    onewindow_hall.review(clerk, case.number, marks)
    with pytest.raises(TransitionRefused, match="收回原证书"):
        onewindow_hall.act(clerk, case.number, "take_in")
    due = add_working_days(onewindow_hall.clock().date(), 10)
    onewindow_hall.act(clerk, case.number, "defer",
                       params={"material": "certificate", "due_date": due})
    case = onewindow_hall.act(clerk, case.number, "take_in")
    assert case.state is State.TAKEN_IN
    assert case.outstanding(DeferralKind.AT_ISSUANCE)


def test_public_place_intake_blocks_on_a_failed_report(onewindow_hall, onewindow_actor):
    clerk = onewindow_actor("window_staff")
    item = onewindow_hall.catalogue.item("hlth-public-place-permit")
    case = onewindow_hall.open_case(clerk, item.code, HOTEL)
    marks = [m if (m[0], m[1]) != ("hygiene-report", "cma-sealed")
             else (m[0], m[1], "failed", "报告未加盖CMA标志") for m in all_passed(item, "enterprise")]
    onewindow_hall.review(clerk, case.number, marks)
    with pytest.raises(TransitionRefused, match="CMA"):
        onewindow_hall.act(clerk, case.number, "take_in")
    onewindow_hall.review(clerk, case.number, [("hygiene-report", "cma-sealed", "passed", "")])
    assert onewindow_hall.act(clerk, case.number, "take_in").state is State.TAKEN_IN

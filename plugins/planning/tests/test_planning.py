"""Tests of the 规划审批科 plugin: catalogue completeness, the spatial-planning look-up over the
sandbox, the automatic checks, and intakes through the real services."""

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

import onewindow_planning
from onewindow.case import State
from onewindow.catalogue import ApplicantKind, DeferralKind
from onewindow.checks import CheckContext, CheckVerdict, run_checks
from onewindow.errors import CatalogueError, TransitionRefused
from onewindow.lookups import LookupStatus
from onewindow.plugins import ENTRY_POINT_GROUP
from onewindow.workdays import add_working_days
from onewindow_planning import checks

ROOT = Path(__file__).resolve().parents[3]
SANDBOX_FILE = ROOT / "fixtures" / "sandbox" / "spatial-planning.json"
PROJECTS_FILE = ROOT / "fixtures" / "sandbox" / "project-platform.json"
CATALOGUE_TEXT = (files("onewindow_planning") / "catalogue.toml").read_text(encoding="utf-8")

SCHOOL = "TD-0206-05"  # 划拨, 已核发用地预审与选址意见书 (valid to 2029-05-19)
SEWAGE = "TX-0411-07"  # 划拨, 选址意见书 expired 2025-06-30
FACTORY = "TX-0508-12"  # 出让, 已供地
HUAFU = "LS-0312-08"  # 已核发建设用地规划许可证
HUAFU_DONE = "LS-0309-02"  # 已核发建设工程规划许可证
FROZEN = "TD-0105-03"  # 规划冻结
FARMLAND = "QS-TGZ-006"  # 规划储备, 占用永久基本农田, no land user
HOMESTEAD = "QS-DTC-031"  # 宅基地已批准, 孙宝林
HOMESTEAD_REVOKED = "TA-SLZ-017"  # 许可已撤销, 于长海

SUN_BAOLIN_ID = "210311199005142418"
YU_CHANGHAI_ID = "210321197208051018"


def sandbox_data() -> dict:
    return json.loads(SANDBOX_FILE.read_text(encoding="utf-8"))


def sandbox_record(code: str) -> dict:
    return next(r for r in sandbox_data()["records"] if r["parcel_code"] == code)


def project_codes() -> set[str]:
    data = json.loads(PROJECTS_FILE.read_text(encoding="utf-8"))
    return {r["project_code"] for r in data["records"]}


@pytest.fixture(scope="module")
def items(onewindow_registry):
    return onewindow_registry.catalogue.items_of("planning")


# --- loading ---------------------------------------------------------------------------------

def test_plugin_loads_through_its_entry_point(onewindow_registry):
    entry = list(entry_points(group=ENTRY_POINT_GROUP, name="planning"))
    assert entry and entry[0].value == "onewindow_planning"
    registry = onewindow_registry
    assert registry.owners["section:planning"] == "planning"
    assert registry.owners["network:spatial-planning"] == "planning"
    assert registry.catalogue.sections["planning"].name == "规划审批科"
    codes = {i.code for i in registry.catalogue.items_of("planning")}
    assert codes == {"plan-site-selection", "plan-land-use-permit", "plan-engineering-permit",
                     "plan-rural-permit"}
    assert registry.lookups["spatial-planning"].title == "国土空间规划“一张图”实施监督信息系统"


def test_core_plugin_contract(onewindow_check_plugin):
    counts = onewindow_check_plugin("planning")
    assert counts["items"] >= 4
    assert counts["review_points"] >= 3 * counts["materials"]
    # 4+ sample credit codes and 孙宝林's ID number passed their checksums
    assert counts["codes"] >= 5 and SUN_BAOLIN_ID in CATALOGUE_TEXT
    assert counts["networks"] == 1  # spatial-planning answers FOUND and NOT_FOUND


def test_catalogue_is_loaded_once(monkeypatch):
    onewindow_planning.section_catalogue.cache_clear()
    calls = []
    real = onewindow_planning.catalogue_resource
    monkeypatch.setattr(onewindow_planning, "catalogue_resource",
                        lambda: calls.append(1) or real())
    onewindow_planning.onewindow_section()
    onewindow_planning.onewindow_approval_items()
    assert len(calls) == 1


def test_a_broken_catalogue_file_is_refused(tmp_path, monkeypatch):
    broken = tmp_path / "catalogue.toml"
    broken.write_text(CATALOGUE_TEXT.replace('kind = "at_acceptance", max_days = 10',
                                             'kind = "at_acceptance", max_days = 0', 1),
                      encoding="utf-8")
    monkeypatch.setattr(onewindow_planning, "catalogue_resource", lambda: broken)
    onewindow_planning.section_catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="plan-site-selection.*max_days"):
            onewindow_planning.onewindow_approval_items()
    finally:
        monkeypatch.undo()
        onewindow_planning.section_catalogue.cache_clear()
    assert onewindow_planning.onewindow_section().code == "planning"


# --- catalogue content -----------------------------------------------------------------------

def test_items_are_complete(items):
    assert len(items) >= 4
    for item in items:
        assert item.version == "2026.1"
        assert item.intake_category == "投资建设类"
        assert item.code.startswith("plan-")
        assert any("《中华人民共和国城乡规划法》" in basis for basis in item.legal_basis), item.code
        assert item.statutory_limit_days is not None
        assert 0 < item.time_limit_days <= item.statutory_limit_days, item.code
        assert item.fee and item.result
        assert [u for u in item.lookups if u.network == "spatial-planning"], item.code
    rural = next(i for i in items if i.code == "plan-rural-permit")
    assert set(rural.applicant_kinds) == {ApplicantKind.PERSON, ApplicantKind.ENTERPRISE}


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
        # the land-use proof and the site-selection opinion are never deferrable
        for material in item.materials:
            if material.code in ("land-supply-docs", "land-proof", "site-selection",
                                 "homestead-proof"):
                assert material.deferral is None, (item.code, material.code)
    assert kinds == {DeferralKind.AT_ACCEPTANCE, DeferralKind.AT_ISSUANCE}
    assert all(i.deferrable_materials for i in items)
    raw = tomllib.loads(CATALOGUE_TEXT)
    for raw_item in raw["items"]:
        for raw_material in raw_item["materials"]:
            if "deferral" in raw_material:
                assert raw_material["deferral"]["kind"] in ("at_acceptance", "at_issuance")
                assert raw_material["deferral"]["max_days"] > 0


def test_forms_have_a_complete_filling_sample(items):
    raw = tomllib.loads(CATALOGUE_TEXT)
    raw_forms = [f for raw_item in raw["items"] for f in raw_item.get("forms", [])]
    assert len(raw_forms) >= 4
    for raw_form in raw_forms:
        assert "download_url" not in raw_form, raw_form["code"]
        assert raw_form["source"].strip()
        assert len(raw_form["fields"]) >= 10, raw_form["code"]
    for item in items:
        assert item.forms, item.code
        referenced = {m.form for m in item.materials if m.form}
        assert referenced and referenced <= {f.code for f in item.forms}, item.code


def test_form_samples_name_sandbox_parcels_of_the_sample_applicant(items):
    known_projects = project_codes()
    for item in items:
        for form in item.forms:
            values = {f.name: f.sample for f in form.fields}
            record = sandbox_record(values["地块编号"])
            applicant = next(v for k, v in values.items()
                             if k in ("建设单位", "用地单位", "申请人"))
            assert record["land_user"] == applicant, form.code
            if "项目代码" in values:
                assert values["项目代码"] in known_projects, form.code
                assert record.get("project_code", values["项目代码"]) == values["项目代码"]


def test_code_and_id_fields_hold_a_valid_sample(items):
    codes, ids = set(), set()
    for item in items:
        for form in item.forms:
            for f in form.fields:
                if f.name == "统一社会信用代码" or f.name.endswith("统一社会信用代码"):
                    assert uscc.is_valid(f.sample), (form.code, f.name, f.sample)
                    codes.add(f.sample)
                if "身份证" in f.name:
                    assert ric.is_valid(f.sample), (form.code, f.name, f.sample)
                    ids.add(f.sample)
    assert len(codes) >= 4 and SUN_BAOLIN_ID in ids


# --- sandbox records -------------------------------------------------------------------------

def test_sandbox_records_are_valid_and_varied():
    data = sandbox_data()
    assert data["network"] == "spatial-planning" and data["key"] == "parcel_code"
    assert data["title"] == "国土空间规划“一张图”实施监督信息系统"
    records = data["records"]
    assert 6 <= len(records) <= 10
    keys = {"parcel_code", "location", "land_use_nature", "plot_ratio_max", "height_limit_m",
            "status", "land_user", "in_ecological_redline", "occupies_permanent_farmland"}
    for record in records:
        assert keys <= set(record), record["parcel_code"]
        assert re.fullmatch(r"[A-Z]{2}-[0-9A-Z]{2,4}-\d{2,3}", record["parcel_code"])
        assert record["location"].startswith("辽宁省鞍山市")
        assert re.search(r"（\d{4,6}）$", record["land_use_nature"]), record["land_use_nature"]
        if record.get("land_user_credit_code"):
            assert uscc.is_valid(record["land_user_credit_code"]), record["parcel_code"]
        if record.get("land_user_id_masked"):
            assert re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", record["land_user_id_masked"])
        if record.get("site_selection_valid_until"):
            issued = dt.date.fromisoformat(record["site_selection_date"])
            until = dt.date.fromisoformat(record["site_selection_valid_until"])
            assert until == issued.replace(year=issued.year + 3) - dt.timedelta(days=1)
    assert len({r["parcel_code"] for r in records}) == len(records)
    statuses = [r["status"] for r in records]
    assert "规划冻结" in statuses and "许可已撤销" in statuses
    assert any(r["occupies_permanent_farmland"] for r in records)


# --- the spatial-planning look-up over the sandbox -------------------------------------------

@pytest.fixture
def planning_lookup(onewindow_sandbox, monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_SPATIAL_PLANNING_URL", raising=False)
    return onewindow_planning.spatial_planning_lookup()


def test_lookup_rejects_an_empty_parcel_code(planning_lookup):
    result = planning_lookup.query({"parcel_code": " "}, case_number=None)
    assert result.status is LookupStatus.REJECTED and "地块编号" in result.message


def test_lookup_is_unavailable_when_not_configured(monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_SPATIAL_PLANNING_URL", raising=False)
    monkeypatch.delenv("ONEWINDOW_SANDBOX_URL", raising=False)
    result = onewindow_planning.spatial_planning_lookup().query(
        {"parcel_code": HUAFU}, case_number=None)
    assert result.status is LookupStatus.UNAVAILABLE and "未配置" in result.message


# --- automatic checks ------------------------------------------------------------------------

def unit_of(code: str, **overrides) -> dict:
    record = sandbox_record(code)
    applicant = {"kind": "enterprise", "name": record["land_user"],
                 "credit_code": record["land_user_credit_code"],
                 "legal_representative": "钱文博", "id_number": "", "contact_person": "宋佳怡",
                 "phone": "13841257093", "social_organisation_name": ""}
    applicant.update(overrides)
    return applicant


def villager(name: str, id_number: str) -> dict:
    return {"kind": "person", "name": name, "id_number": id_number, "credit_code": "",
            "phone": "15104127736", "legal_representative": "", "contact_person": "",
            "social_organisation_name": ""}


def outcomes(registry, item: str, applicant: dict, parcel: str | None):
    lookups = {"spatial-planning": sandbox_record(parcel)} if parcel else {}
    return run_checks(registry.checks, CheckContext(item, applicant, lookups))


def context_for(parcel: str | None, applicant: dict | None = None) -> CheckContext:
    lookups = {"spatial-planning": sandbox_record(parcel)} if parcel else {}
    return CheckContext("plan-land-use-permit", applicant or unit_of(HUAFU), lookups)


def test_every_check_targets_a_hard_review_point(onewindow_registry):
    ours = [c for c in onewindow_registry.checks if c.item.startswith("plan-")]
    assert len(ours) == len(checks.material_checks()) >= 4
    assert {c.item for c in ours} == {"plan-site-selection", "plan-land-use-permit",
                                      "plan-engineering-permit", "plan-rural-permit"}
    for check in ours:
        material = onewindow_registry.catalogue.item(check.item).material(check.material)
        point = next(p for p in material.review_points if p.code == check.point)
        assert point.is_hard, (check.item, check.material, check.point)


def test_holder_check_for_units(onewindow_registry):
    key = ("application", "unit-consistent")
    item = "plan-engineering-permit"
    assert outcomes(onewindow_registry, item, unit_of(HUAFU), HUAFU)[key].verdict \
        is CheckVerdict.PASSED
    spaced = unit_of(HUAFU, name="鞍山华府置业 有限公司 ")
    assert outcomes(onewindow_registry, item, spaced, HUAFU)[key].verdict is CheckVerdict.PASSED
    other = outcomes(onewindow_registry, item, unit_of(FACTORY), HUAFU)[key]
    assert other.verdict is CheckVerdict.FAILED
    assert "用地人" in other.message and "统一社会信用代码" in other.message
    wrong_code = unit_of(HUAFU, credit_code="91210303MA0XDC8B15")
    failed = outcomes(onewindow_registry, item, wrong_code, HUAFU)[key]
    assert failed.verdict is CheckVerdict.FAILED and "代码" in failed.message
    assert outcomes(onewindow_registry, item, unit_of(HUAFU), None)[key].verdict \
        is CheckVerdict.UNKNOWN
    # a parcel without a land user yet cannot be judged
    no_user = checks.parcel_holder_matches(context_for(FARMLAND))
    assert no_user.verdict is CheckVerdict.UNKNOWN and "尚未确定用地单位" in no_user.message


def test_holder_check_for_villagers(onewindow_registry):
    key = ("application", "applicant-is-land-user")
    item = "plan-rural-permit"
    ok = outcomes(onewindow_registry, item, villager("孙宝林", SUN_BAOLIN_ID), HOMESTEAD)[key]
    assert ok.verdict is CheckVerdict.PASSED
    # same name, another person: the masked ID number tells them apart
    namesake = villager("孙宝林", "210302198609231517")
    failed = outcomes(onewindow_registry, item, namesake, HOMESTEAD)[key]
    assert failed.verdict is CheckVerdict.FAILED and "身份证" in failed.message
    other = outcomes(onewindow_registry, item, villager("于长海", YU_CHANGHAI_ID), HOMESTEAD)[key]
    assert other.verdict is CheckVerdict.FAILED and "孙宝林" in other.message
    no_id = villager("孙宝林", "")
    assert outcomes(onewindow_registry, item, no_id, HOMESTEAD)[key].verdict \
        is CheckVerdict.UNKNOWN


def test_stage_checks(onewindow_registry):
    reg = onewindow_registry
    land = ("land-supply-docs", "parcel-supplied")
    for parcel in (FACTORY, SCHOOL):
        assert outcomes(reg, "plan-land-use-permit", unit_of(parcel), parcel)[land].verdict \
            is CheckVerdict.PASSED, parcel
    twice = outcomes(reg, "plan-land-use-permit", unit_of(HUAFU), HUAFU)[land]
    assert twice.verdict is CheckVerdict.FAILED and "不得重复核发" in twice.message
    frozen = outcomes(reg, "plan-land-use-permit", unit_of(FROZEN), FROZEN)[land]
    assert frozen.verdict is CheckVerdict.FAILED and "规划冻结" in frozen.message
    reserve = checks.land_use_permit_stage(context_for(FARMLAND))
    assert reserve.verdict is CheckVerdict.FAILED and "尚未供地" in reserve.message

    works = ("land-proof", "land-use-permit-issued")
    assert outcomes(reg, "plan-engineering-permit", unit_of(HUAFU), HUAFU)[works].verdict \
        is CheckVerdict.PASSED
    early = outcomes(reg, "plan-engineering-permit", unit_of(FACTORY), FACTORY)[works]
    assert early.verdict is CheckVerdict.FAILED and "应先申请建设用地规划许可证" in early.message
    done = outcomes(reg, "plan-engineering-permit", unit_of(HUAFU_DONE), HUAFU_DONE)[works]
    assert done.verdict is CheckVerdict.FAILED and "不得重复核发" in done.message

    rural = ("homestead-proof", "parcel-approved")
    sun = villager("孙宝林", SUN_BAOLIN_ID)
    assert outcomes(reg, "plan-rural-permit", sun, HOMESTEAD)[rural].verdict \
        is CheckVerdict.PASSED
    revoked = outcomes(reg, "plan-rural-permit", villager("于长海", YU_CHANGHAI_ID),
                       HOMESTEAD_REVOKED)[rural]
    assert revoked.verdict is CheckVerdict.FAILED and "撤销" in revoked.message
    assert outcomes(reg, "plan-rural-permit", sun, None)[rural].verdict is CheckVerdict.UNKNOWN


def test_site_selection_checks(onewindow_registry):
    reg = onewindow_registry
    zones = ("site-report", "farmland-redline")
    blocked = ("site-report", "parcel-not-frozen")
    got = outcomes(reg, "plan-site-selection", unit_of(SCHOOL), SCHOOL)
    assert got[zones].verdict is CheckVerdict.PASSED
    assert got[blocked].verdict is CheckVerdict.PASSED
    farmland = outcomes(reg, "plan-site-selection", unit_of(SCHOOL), FARMLAND)
    assert farmland[zones].verdict is CheckVerdict.FAILED
    assert "永久基本农田" in farmland[zones].message
    assert farmland[blocked].verdict is CheckVerdict.PASSED  # 规划储备 is not frozen
    frozen = outcomes(reg, "plan-site-selection", unit_of(FROZEN), FROZEN)
    assert frozen[blocked].verdict is CheckVerdict.FAILED
    redline = dict(sandbox_record(SCHOOL), in_ecological_redline=True)
    context = CheckContext("plan-site-selection", unit_of(SCHOOL), {"spatial-planning": redline})
    assert "生态保护红线" in checks.outside_protected_zones(context).message
    unsure = dict(sandbox_record(SCHOOL))
    del unsure["occupies_permanent_farmland"]
    context = CheckContext("plan-site-selection", unit_of(SCHOOL), {"spatial-planning": unsure})
    assert checks.outside_protected_zones(context).verdict is CheckVerdict.UNKNOWN


def test_site_selection_validity_is_judged_on_the_day():
    school = context_for(SCHOOL, unit_of(SCHOOL))
    assert checks.site_selection_valid(school, today=dt.date(2029, 5, 19)).verdict \
        is CheckVerdict.PASSED
    expired = checks.site_selection_valid(school, today=dt.date(2029, 5, 20))
    assert expired.verdict is CheckVerdict.FAILED and "已过期" in expired.message
    sewage = checks.site_selection_valid(context_for(SEWAGE), today=dt.date(2026, 11, 30))
    assert sewage.verdict is CheckVerdict.FAILED and "2025-06-30" in sewage.message
    assert checks.site_selection_valid(context_for(SEWAGE), today=dt.date(2025, 6, 30)).verdict \
        is CheckVerdict.PASSED
    transfer = checks.site_selection_valid(context_for(FACTORY))
    assert transfer.verdict is CheckVerdict.UNKNOWN and "出让" in transfer.message
    assert checks.site_selection_valid(context_for(None)).verdict is CheckVerdict.UNKNOWN


def test_site_selection_validity_through_the_registry(onewindow_registry):
    key = ("site-selection", "within-validity")
    expired = outcomes(onewindow_registry, "plan-land-use-permit", unit_of(SEWAGE), SEWAGE)[key]
    assert expired.verdict is CheckVerdict.FAILED  # expired in 2025: stays expired


# --- intakes through the real services -------------------------------------------------------

def _mark_all_required(hall, clerk, case, skip=()):
    item = hall.catalogue.item(case.item_code)
    marks = [(m.code, p.code, "passed", "") for m in item.materials
             if m.required and case.applicant.kind in m.applicant_kinds and m.code not in skip
             for p in m.review_points]
    return hall.review(clerk, case.number, marks)


def test_engineering_permit_intake(onewindow_hall, onewindow_actor, onewindow_sandbox,
                                   monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_SPATIAL_PLANNING_URL", raising=False)
    monkeypatch.delenv("ONEWINDOW_NETWORK_PROJECT_PLATFORM_URL", raising=False)
    hall = onewindow_hall
    clerk = onewindow_actor("window_staff")
    case = hall.open_case(clerk, "plan-engineering-permit", {
        "kind": "enterprise", "name": "鞍山华府置业有限公司", "phone": "13841257093",
        "credit_code": "91210304MA0UKH6G9K", "legal_representative": "钱文博",
        "contact_person": "宋佳怡"})
    assert case.item_version == "2026.1" and case.section == "planning"
    case, parcel = hall.lookup(clerk, case.number, "spatial-planning",
                               {"parcel_code": HUAFU})
    assert parcel.status == LookupStatus.FOUND
    assert parcel.record["land_user"] == "鞍山华府置业有限公司"
    assert parcel.record["plot_ratio_max"] == 2.5 and len(parcel.answer_hash) == 64
    case, project = hall.lookup(clerk, case.number, "project-platform",
                                {"project_code": "2025-210304-70-03-000311"})
    assert project.status == LookupStatus.FOUND
    verdicts = hall.checks_for(case)
    assert verdicts[("application", "unit-consistent")].verdict is CheckVerdict.PASSED
    assert verdicts[("land-proof", "land-use-permit-issued")].verdict is CheckVerdict.PASSED

    # 容缺受理 of the sunlight analysis needs the applicant's signed commitment
    due = add_working_days(dt.date.today(), 3)
    with pytest.raises(TransitionRefused):
        hall.act(clerk, case.number, "defer", params={"material": "sunlight-analysis",
                                                      "due_date": due})
    hall.act(clerk, case.number, "defer", params={"material": "sunlight-analysis",
                                                  "due_date": due, "commitment_signed": True})
    _mark_all_required(hall, clerk, case)
    case = hall.act(clerk, case.number, "take_in")
    assert case.state is State.TAKEN_IN


def test_rural_permit_intake_for_a_villager(onewindow_hall, onewindow_actor, onewindow_sandbox,
                                            monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_SPATIAL_PLANNING_URL", raising=False)
    hall = onewindow_hall
    clerk = onewindow_actor("window_staff")
    case = hall.open_case(clerk, "plan-rural-permit", {
        "kind": "person", "name": "孙宝林", "phone": "15104127736", "id_number": SUN_BAOLIN_ID})
    case, _ = hall.lookup(clerk, case.number, "spatial-planning", {"parcel_code": HOMESTEAD})
    verdicts = hall.checks_for(case)
    assert verdicts[("application", "applicant-is-land-user")].verdict is CheckVerdict.PASSED
    assert verdicts[("homestead-proof", "parcel-approved")].verdict is CheckVerdict.PASSED
    # the unit licence is for units only; the house design is deferred (no commitment needed)
    due = add_working_days(dt.date.today(), 5)
    hall.act(clerk, case.number, "defer", params={"material": "house-design", "due_date": due})
    _mark_all_required(hall, clerk, case, skip=("house-design",))
    assert hall.act(clerk, case.number, "take_in").state is State.TAKEN_IN

"""Tests of the 建设工程审批科 plugin: catalogue completeness, the construction-market look-up
against the sandbox over HTTP, the automatic checks, and one intake through the real hall."""

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

import onewindow_construction
from onewindow.catalogue import DeferralKind
from onewindow.checks import CheckContext, CheckVerdict, run_checks
from onewindow.errors import CatalogueError, PluginError, TransitionRefused
from onewindow.lookups import LookupStatus
from onewindow.plugins import ENTRY_POINT_GROUP, load_registry
from onewindow.workdays import add_working_days
from onewindow_construction import checks

ROOT = Path(__file__).resolve().parents[3]
SANDBOX_FILE = ROOT / "fixtures" / "sandbox" / "construction-market.json"
CATALOGUE_TEXT = (files("onewindow_construction") / "catalogue.toml").read_text(encoding="utf-8")
NETWORK = "construction-market"

HONGYUAN = "91210302MAQ4JY1A2X"  # 建筑工程施工总承包一级, everything in force
DINGSHENG = "91210302MAB92PMT1T"  # 施工总承包三级, 7 constructors
ZHUCHENG = "91210304MAMULRM53E"  # no qualification yet, 6 constructors: the 资质 applicant
HUAJIAN_SUSPENDED = "91210303MAW0M63W2J"  # safety licence 暂扣
YONGAN_EXPIRED = "91210381MALU7AYL6K"  # certificate and licence 过期, 3 constructors
DESIGN_INSTITUTE = "91210302MAC82RTJ0X"  # 建筑行业（建筑工程）甲级
SUPERVISOR = "91210303MAJKY02673"  # 监理 only
XINGYE_LAPSED = "91210321MARA652UXD"  # 市政三级; licence says 有效 but its date has passed
ZHENGYANG_WITHDRAWN = "91210311MA66BR2857"  # certificate 撤回
WANHE = "91210302MAYUQRRJ9Y"  # 鞍山万和置业有限公司, the developer of the samples

TODAY = dt.date(2026, 11, 30)

# 18-character numbers in the catalogue that are neither credit codes nor ID numbers.
NOT_CODES = {"210302202604010101": "建筑工程施工许可证编号（全国统一18位编号）"}

_TOKEN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")


def sandbox_data() -> dict:
    return json.loads(SANDBOX_FILE.read_text(encoding="utf-8"))


def sandbox_record(code: str) -> dict:
    return next(r for r in sandbox_data()["records"] if r["credit_code"] == code)


def catalogue_credit_codes() -> set[str]:
    """The credit codes in catalogue.toml; the other 18-character tokens are ID numbers."""
    return {token for token in _TOKEN.findall(CATALOGUE_TEXT)
            if token not in NOT_CODES and uscc.is_valid(token)}


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def items(registry):
    return registry.catalogue.items_of("construction")


# --- loading ---------------------------------------------------------------------------------

def test_plugin_loads_through_its_entry_point(registry):
    entry = list(entry_points(group=ENTRY_POINT_GROUP, name="construction"))
    assert entry and entry[0].value == "onewindow_construction"
    assert registry.owners["section:construction"] == "construction"
    assert registry.owners["network:" + NETWORK] == "construction"
    assert registry.catalogue.sections["construction"].name == "建设工程审批科"
    assert registry.lookups[NETWORK].title == "全国建筑市场监管公共服务平台"
    codes = {i.code for i in registry.catalogue.items_of("construction")}
    assert codes == {"cons-construction-permit", "cons-enterprise-qualification",
                     "cons-presale-permit", "cons-fire-design-review"}


def test_core_plugin_contract(onewindow_check_plugin):
    counts = onewindow_check_plugin("construction", not_codes=NOT_CODES)
    assert counts["items"] >= 3
    assert counts["review_points"] >= 3 * counts["materials"]
    # every sample credit code and ID number passed its checksum: 5+ codes and 2+ ID numbers
    credit_codes = len(catalogue_credit_codes())
    assert credit_codes >= 5 and counts["codes"] - credit_codes >= 2
    assert counts["networks"] == 1  # construction-market answers FOUND and NOT_FOUND


def test_catalogue_is_loaded_once(monkeypatch):
    onewindow_construction.section_catalogue.cache_clear()
    calls = []
    real = onewindow_construction.catalogue_resource
    monkeypatch.setattr(onewindow_construction, "catalogue_resource",
                        lambda: calls.append(1) or real())
    onewindow_construction.onewindow_section()
    onewindow_construction.onewindow_approval_items()
    assert len(calls) == 1


def test_a_broken_catalogue_file_stops_start_up(tmp_path, monkeypatch):
    broken = tmp_path / "catalogue.toml"
    broken.write_text(CATALOGUE_TEXT.replace('seal_rule = "head_office"',
                                             'seal_rule = "project_department"', 1),
                      encoding="utf-8")
    monkeypatch.setattr(onewindow_construction, "catalogue_resource", lambda: broken)
    onewindow_construction.section_catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="cons-construction-permit.*seal_rule"):
            onewindow_construction.onewindow_approval_items()
        with pytest.raises(PluginError, match="plugin 'construction'"):
            load_registry()
    finally:
        monkeypatch.undo()
        onewindow_construction.section_catalogue.cache_clear()
    assert onewindow_construction.onewindow_section().code == "construction"


# --- catalogue content -----------------------------------------------------------------------

def test_items_are_complete(items):
    assert len(items) >= 3
    for item in items:
        assert item.version == "2026.1" and item.intake_category
        assert item.code.startswith("cons-")
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
    kinds = set()
    for item in items:
        for material in item.deferrable_materials:
            deferral = material.deferral
            assert isinstance(deferral.kind, DeferralKind)
            assert isinstance(deferral.max_days, int) and deferral.max_days > 0
            assert deferral.note.strip(), f"{item.code}/{material.code}"
            kinds.add(deferral.kind)
    assert kinds == {DeferralKind.AT_ACCEPTANCE, DeferralKind.AT_ISSUANCE}
    permit = next(i for i in items if i.code == "cons-construction-permit")
    drawings = permit.material("drawings-approval").deferral
    assert drawings.kind is DeferralKind.AT_ACCEPTANCE and drawings.commitment_required
    # what the contractor's qualification proves can never wait
    assert permit.material("contractor-qualification").deferral is None


def test_raw_toml_forms_and_deferrals():
    raw = tomllib.loads(CATALOGUE_TEXT)
    assert raw["section"]["code"] == "construction"
    form_count = 0
    for raw_item in raw["items"]:
        assert raw_item.get("forms"), raw_item["code"]
        for raw_form in raw_item["forms"]:
            form_count += 1
            assert raw_form["source"].strip()
            assert "download_url" not in raw_form, "no unverified download address"
        for raw_material in raw_item["materials"]:
            assert any(p["requirement"] == "hard" for p in raw_material["review_points"])
            if "deferral" in raw_material:
                assert raw_material["deferral"]["kind"] in ("at_acceptance", "at_issuance")
                assert raw_material["deferral"]["max_days"] > 0
    assert form_count >= 4


def test_materials_that_are_forms_name_a_form_of_their_item(items, registry):
    for item in items:
        referenced = {m.form for m in item.materials if m.form}
        assert referenced, f"{item.code} has no material that is a form"
        assert referenced <= {f.code for f in item.forms}
        for form in item.forms:
            assert not form.network or form.network in registry.lookups


def test_declared_lookups_point_at_materials(items):
    uses = [(item, use) for item in items for use in item.lookups]
    assert len(uses) >= 3
    for item, use in uses:
        assert use.network == NETWORK and use.purpose.strip()
        item.material(use.material)


def test_code_and_id_fields_hold_a_valid_sample(items):
    for item in items:
        for form in item.forms:
            for f in form.fields:
                if "统一社会信用代码" in f.name:
                    assert uscc.is_valid(f.sample), (form.code, f.name, f.sample)
                if "身份证件号码" in f.name:
                    assert ric.is_valid(f.sample), (form.code, f.name, f.sample)


def test_qualified_sample_enterprises_are_in_the_sandbox():
    in_sandbox = {r["credit_code"] for r in sandbox_data()["records"]}
    # the developers and owners (建设单位) hold no construction qualification
    assert catalogue_credit_codes() - in_sandbox == {WANHE, "91210303MAU98J4270"}


# --- sandbox records -------------------------------------------------------------------------

def test_sandbox_records_are_valid_and_varied():
    data = sandbox_data()
    assert data["network"] == NETWORK and data["key"] == "credit_code"
    assert data["title"] == "全国建筑市场监管公共服务平台"
    records = data["records"]
    assert 6 <= len(records) <= 10
    keys = {"credit_code", "name", "legal_representative", "qualifications",
            "certificate_number", "valid_until", "certificate_status",
            "safety_licence_status", "safety_licence_valid_until", "registered_constructors"}
    for record in records:
        assert keys <= set(record), record["name"]
        assert uscc.is_valid(record["credit_code"]), record
        assert isinstance(record["registered_constructors"], int)
        for field in ("valid_until", "safety_licence_valid_until"):
            assert record[field] == "" or checks.parse_date(record[field]), (record, field)
    assert len({r["credit_code"] for r in records}) == len(records)
    statuses = {r["certificate_status"] for r in records} | {
        r["safety_licence_status"] for r in records}
    assert {"有效", "过期", "暂扣", "撤回"} <= statuses


# --- the look-up against the sandbox over HTTP -----------------------------------------------

@pytest.fixture
def market(onewindow_sandbox, monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_CONSTRUCTION_MARKET_URL", raising=False)
    return onewindow_construction.construction_market_lookup()


def test_lookup_rejects_an_empty_code(market):
    result = market.query({"credit_code": " "}, case_number=None)
    assert result.status is LookupStatus.REJECTED and "统一社会信用代码" in result.message


def test_lookup_is_unavailable_when_not_configured(monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_CONSTRUCTION_MARKET_URL", raising=False)
    monkeypatch.delenv("ONEWINDOW_SANDBOX_URL", raising=False)
    result = onewindow_construction.construction_market_lookup().query(
        {"credit_code": HONGYUAN}, case_number=None)
    assert result.status is LookupStatus.UNAVAILABLE and "未配置" in result.message


def test_own_network_variable_wins_over_the_sandbox(onewindow_sandbox, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_NETWORK_CONSTRUCTION_MARKET_URL",
                       onewindow_sandbox + "/no-such-network")
    result = onewindow_construction.construction_market_lookup().query(
        {"credit_code": HONGYUAN}, case_number=None)
    assert result.status is LookupStatus.NOT_FOUND


# --- automatic checks ------------------------------------------------------------------------

def context(item: str, looked_up: str | None, applicant_code: str = WANHE,
            applicant_name: str = "鞍山万和置业有限公司") -> CheckContext:
    applicant = {"kind": "enterprise", "name": applicant_name, "credit_code": applicant_code,
                 "legal_representative": "刘振宇", "id_number": "", "contact_person": "张慧敏",
                 "phone": "13842206715", "social_organisation_name": ""}
    lookups = {NETWORK: sandbox_record(looked_up)} if looked_up else {}
    return CheckContext(item_code=item, applicant=applicant, lookups=lookups)


def permit(looked_up):
    return context("cons-construction-permit", looked_up)


def test_every_check_targets_a_hard_review_point(registry):
    ours = [c for c in registry.checks if c.item.startswith("cons-")]
    assert len(ours) == len(checks.material_checks()) >= 5
    for check in ours:
        material = registry.catalogue.item(check.item).material(check.material)
        point = next(p for p in material.review_points if p.code == check.point)
        assert point.is_hard, (check.item, check.material, check.point)


def test_certificate_check_verdicts():
    ok = checks.certificate_in_force(permit(HONGYUAN), TODAY)
    assert ok.verdict is CheckVerdict.PASSED and "2029-12-31" in ok.message
    expired = checks.certificate_in_force(permit(YONGAN_EXPIRED), TODAY)
    assert expired.verdict is CheckVerdict.FAILED and "过期" in expired.message
    withdrawn = checks.certificate_in_force(permit(ZHENGYANG_WITHDRAWN), TODAY)
    assert withdrawn.verdict is CheckVerdict.FAILED and "撤回" in withdrawn.message
    none = checks.certificate_in_force(permit(ZHUCHENG), TODAY)
    assert none.verdict is CheckVerdict.FAILED and "无资质证书" in none.message
    # the same certificate, judged after its expiry date
    later = checks.certificate_in_force(permit(DINGSHENG), dt.date(2028, 3, 11))
    assert later.verdict is CheckVerdict.FAILED
    assert checks.certificate_in_force(permit(None), TODAY).verdict is CheckVerdict.UNKNOWN


def test_certificate_check_is_unknown_on_an_unreadable_record():
    record = dict(sandbox_record(DINGSHENG), certificate_status="待核查")
    ctx = CheckContext("cons-construction-permit", {}, {NETWORK: record})
    assert checks.certificate_in_force(ctx, TODAY).verdict is CheckVerdict.UNKNOWN
    record = dict(sandbox_record(DINGSHENG), valid_until="")
    ctx = CheckContext("cons-construction-permit", {}, {NETWORK: record})
    assert checks.certificate_in_force(ctx, TODAY).verdict is CheckVerdict.UNKNOWN


def test_safety_licence_check_verdicts():
    assert checks.safety_licence_in_force(permit(HONGYUAN), TODAY).verdict \
        is CheckVerdict.PASSED
    suspended = checks.safety_licence_in_force(permit(HUAJIAN_SUSPENDED), TODAY)
    assert suspended.verdict is CheckVerdict.FAILED and "暂扣" in suspended.message
    # the platform still says 有效, but the date has passed
    lapsed = checks.safety_licence_in_force(permit(XINGYE_LAPSED), TODAY)
    assert lapsed.verdict is CheckVerdict.FAILED and "2025-09-30" in lapsed.message
    design = checks.safety_licence_in_force(permit(DESIGN_INSTITUTE), TODAY)
    assert design.verdict is CheckVerdict.FAILED
    assert checks.safety_licence_in_force(permit(None), TODAY).verdict is CheckVerdict.UNKNOWN


def test_contractor_category_check_verdicts():
    run = checks.building_contractor_qualification
    ok = run(permit(DINGSHENG))
    assert ok.verdict is CheckVerdict.PASSED and "建筑工程施工总承包三级" in ok.message
    municipal = run(permit(XINGYE_LAPSED))
    assert municipal.verdict is CheckVerdict.FAILED and "市政公用工程" in municipal.message
    assert run(permit(SUPERVISOR)).verdict is CheckVerdict.FAILED
    assert run(permit(ZHUCHENG)).verdict is CheckVerdict.FAILED
    assert run(permit(None)).verdict is CheckVerdict.UNKNOWN


def test_design_unit_check_verdicts():
    item = "cons-fire-design-review"
    ok = checks.design_unit_qualified(context(item, DESIGN_INSTITUTE), TODAY)
    assert ok.verdict is CheckVerdict.PASSED and "建筑行业（建筑工程）甲级" in ok.message
    contractor = checks.design_unit_qualified(context(item, HONGYUAN), TODAY)
    assert contractor.verdict is CheckVerdict.FAILED
    expired = checks.design_unit_qualified(context(item, DESIGN_INSTITUTE), dt.date(2028, 10, 1))
    assert expired.verdict is CheckVerdict.FAILED and "过期" in expired.message
    assert checks.design_unit_qualified(context(item, None), TODAY).verdict \
        is CheckVerdict.UNKNOWN


def test_qualification_applicant_checks(registry):
    item = "cons-enterprise-qualification"
    own = context(item, ZHUCHENG, ZHUCHENG, "鞍山市立山区筑诚建筑工程有限公司")
    got = run_checks(registry.checks, own)
    assert got[("application", "name-code-match-platform")].verdict is CheckVerdict.PASSED
    assert got[("constructors", "constructors-count")].verdict is CheckVerdict.PASSED
    # half-width brackets and spaces are the same name; another name is not
    assert checks.platform_identity_matches(
        context(item, ZHUCHENG, ZHUCHENG, " 鞍山市立山区筑诚建筑工程有限公司")).verdict \
        is CheckVerdict.PASSED
    renamed = checks.platform_identity_matches(
        context(item, ZHUCHENG, ZHUCHENG, "鞍山市筑诚建设工程有限公司"))
    assert renamed.verdict is CheckVerdict.FAILED and "名称" in renamed.message
    # too few constructors registered to the enterprise
    few = checks.constructor_count_sufficient(
        context(item, YONGAN_EXPIRED, YONGAN_EXPIRED, "海城市永安建筑工程有限公司"))
    assert few.verdict is CheckVerdict.FAILED and "3人" in few.message
    # the record of another enterprise says nothing about the applicant
    foreign = checks.constructor_count_sufficient(
        context(item, HONGYUAN, ZHUCHENG, "鞍山市立山区筑诚建筑工程有限公司"))
    assert foreign.verdict is CheckVerdict.UNKNOWN and "重新查询" in foreign.message
    wrong = checks.platform_identity_matches(
        context(item, HONGYUAN, ZHUCHENG, "鞍山市立山区筑诚建筑工程有限公司"))
    assert wrong.verdict is CheckVerdict.FAILED
    assert checks.platform_identity_matches(context(item, None)).verdict is CheckVerdict.UNKNOWN
    blank = checks.platform_identity_matches(context(item, ZHUCHENG, "", ""))
    assert blank.verdict is CheckVerdict.UNKNOWN


def test_checks_run_on_a_real_lookup_answer(registry, market):
    result = market.query({"credit_code": HUAJIAN_SUSPENDED}, case_number="JS-2026-0002")
    assert result.status is LookupStatus.FOUND
    ctx = CheckContext("cons-construction-permit", context("x", None).applicant,
                       {NETWORK: result.record})
    got = run_checks(registry.checks, ctx)
    key = "contractor-qualification"
    assert got[(key, "safety-licence-valid")].verdict is CheckVerdict.FAILED
    assert got[(key, "qualification-category")].verdict is CheckVerdict.PASSED


# --- one intake through the real services ----------------------------------------------------

DEVELOPER = {"kind": "enterprise", "name": "鞍山万和置业有限公司", "phone": "13842206715",
             "credit_code": WANHE, "id_number": "", "legal_representative": "刘振宇",
             "contact_person": "张慧敏", "social_organisation_name": ""}


def _pass_every_required_point(hall, clerk, number, item, skip=()):
    marks = [(m.code, p.code, "passed", "") for m in item.materials if m.required
             and m.code not in skip for p in m.review_points]
    return hall.review(clerk, number, marks)


def test_intake_of_a_construction_permit(onewindow_hall, onewindow_actor, onewindow_sandbox):
    hall = onewindow_hall
    clerk = onewindow_actor("window_staff")
    case = hall.open_case(clerk, "cons-construction-permit", DEVELOPER)
    assert case.item_version == "2026.1" and case.section == "construction"
    item = hall.catalogue.item("cons-construction-permit")

    case, record = hall.lookup(clerk, case.number, NETWORK, {"credit_code": HONGYUAN})
    assert record.status == "found" and record.record["name"] == "鞍山市宏远建设集团有限公司"
    verdicts = hall.checks_for(case)
    key = "contractor-qualification"
    assert verdicts[(key, "qualification-category")].verdict is CheckVerdict.PASSED

    # nothing reviewed yet: the window may not take the case in
    with pytest.raises(TransitionRefused):
        hall.act(clerk, case.number, "take_in")

    # 施工图审查合格书 deferred at acceptance, with the applicant's commitment
    due = add_working_days(hall.clock().date(), 5)
    hall.act(clerk, case.number, "defer",
             params={"material": "drawings-approval", "due_date": due,
                     "commitment_signed": True})
    _pass_every_required_point(hall, clerk, case.number, item, skip={"drawings-approval"})
    case = hall.act(clerk, case.number, "take_in")
    assert case.state.value == "taken_in"
    assert case.deferral("drawings-approval").due_date == due


def test_intake_is_refused_while_a_hard_point_fails(onewindow_hall, onewindow_actor):
    hall = onewindow_hall
    clerk = onewindow_actor("window_staff")
    applicant = dict(DEVELOPER, name="鞍山市立山区筑诚建筑工程有限公司", credit_code=ZHUCHENG,
                     legal_representative="孙立新")
    case = hall.open_case(clerk, "cons-enterprise-qualification", applicant)
    item = hall.catalogue.item("cons-enterprise-qualification")
    _pass_every_required_point(hall, clerk, case.number, item)
    hall.review(clerk, case.number, [("financial-statements", "net-assets", "failed",
                                      "净资产560万元，低于800万元")])
    with pytest.raises(TransitionRefused, match="净资产"):
        hall.act(clerk, case.number, "take_in")
    hall.review(clerk, case.number, [("financial-statements", "net-assets", "passed", "")])
    assert hall.act(clerk, case.number, "take_in").state.value == "taken_in"

"""Tests of the 农业水利审批科 plugin: what is particular to it beyond onewindow_check_plugin —
catalogue content, the water-permit look-up, the automatic checks, and intakes through the real
services."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from importlib.metadata import entry_points
from importlib.resources import files
from pathlib import Path

import pytest
from stdnum.cn import ric, uscc

import onewindow_agriculture
from onewindow.case import State
from onewindow.catalogue import DeferralKind
from onewindow.checks import CheckContext, CheckVerdict, run_checks
from onewindow.errors import CatalogueError, PluginError, TransitionRefused
from onewindow.lookups import LookupStatus
from onewindow.plugins import ENTRY_POINT_GROUP, load_registry
from onewindow_agriculture import checks

ROOT = Path(__file__).resolve().parents[3]
SANDBOX_FILE = ROOT / "fixtures" / "sandbox" / "water-permit.json"
CATALOGUE_TEXT = (files("onewindow_agriculture") / "catalogue.toml").read_text(encoding="utf-8")
RENEWAL = "agr-water-intake-renewal"

TIEXI_HEAT = "91210303MA0XK6R20C"  # 有效 until 2030-05-31
QIANSHAN_GREEN = "91210311MA0U3LQ62P"  # 有效 until 2027-03-31
RUIFENG = "91210303782581136R"  # 有效 until 2026-12-20
TENGDA_REVOKED = "91210381MA10D7P32B"  # 吊销
LVYE_EXPIRED = "93210321MA0TL5W808"  # 有效期届满 2024-04-30
TANGGANG_CLOSED = "91210311MA0Y2H9N07"  # 注销


def sandbox_data() -> dict:
    return json.loads(SANDBOX_FILE.read_text(encoding="utf-8"))


def sandbox_record(code: str) -> dict:
    return next(r for r in sandbox_data()["records"] if r["credit_code"] == code)


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def items(registry):
    return registry.catalogue.items_of("agriculture")


# --- loading ---------------------------------------------------------------------------------

def test_core_plugin_contract(onewindow_check_plugin):
    counts = onewindow_check_plugin("agriculture")
    assert counts["items"] >= 3
    assert counts["codes"] >= 8  # at least 4 credit codes and 4 ID numbers in the samples
    assert counts["networks"] == 1
    assert counts["review_points"] >= 3 * counts["materials"]


def test_plugin_loads_through_its_entry_point(registry):
    entry = list(entry_points(group=ENTRY_POINT_GROUP, name="agriculture"))
    assert entry and entry[0].value == "onewindow_agriculture"
    assert registry.owners["section:agriculture"] == "agriculture"
    assert registry.owners["network:water-permit"] == "agriculture"
    assert registry.catalogue.sections["agriculture"].name == "农业水利审批科"
    assert registry.lookups["water-permit"].title.startswith("全国取水许可电子证照系统")
    codes = {i.code for i in registry.catalogue.items_of("agriculture")}
    assert {"agr-water-intake", RENEWAL, "agr-soil-conservation",
            "agr-pesticide-licence"} <= codes


def test_a_broken_catalogue_file_stops_start_up(tmp_path, monkeypatch):
    broken = tmp_path / "catalogue.toml"
    broken.write_text(CATALOGUE_TEXT.replace("seal_rule = \"head_office\"",
                                             "seal_rule = \"branch_office\"", 1),
                      encoding="utf-8")
    monkeypatch.setattr(onewindow_agriculture, "catalogue_resource", lambda: broken)
    onewindow_agriculture.section_catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="agr-water-intake.*seal_rule"):
            onewindow_agriculture.onewindow_approval_items()
        with pytest.raises(PluginError, match="plugin 'agriculture'"):
            load_registry()
    finally:
        monkeypatch.undo()
        onewindow_agriculture.section_catalogue.cache_clear()
    assert onewindow_agriculture.onewindow_section().code == "agriculture"


# --- catalogue content -----------------------------------------------------------------------

def test_items_are_complete(items):
    assert len(items) >= 4
    for item in items:
        assert item.version == "2026.1" and item.intake_category == "农业水利类"
        assert item.code.startswith("agr-")
        assert all("《" in basis for basis in item.legal_basis), item.code
        assert item.statutory_limit_days and item.time_limit_days <= item.statutory_limit_days
        assert item.fee and item.result
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
            assert isinstance(deferral.kind, DeferralKind), material.code
            assert isinstance(deferral.max_days, int) and deferral.max_days > 0
            assert deferral.note.strip(), f"{item.code}/{material.code}"
            kinds.add(deferral.kind)
    assert kinds == {DeferralKind.AT_ACCEPTANCE, DeferralKind.AT_ISSUANCE}
    renewal = next(i for i in items if i.code == RENEWAL)
    assert renewal.material("current-permit").deferral.kind is DeferralKind.AT_ISSUANCE
    # the permit under renewal and its holder's application are never deferred
    assert renewal.material("application").deferral is None


def test_forms_are_present_and_referenced(items, registry):
    raw = tomllib.loads(CATALOGUE_TEXT)
    for raw_item in raw["items"]:
        assert raw_item.get("forms"), raw_item["code"]
        for raw_form in raw_item["forms"]:
            assert raw_form["fields"], raw_form["code"]
    for item in items:
        for form in item.forms:
            assert not form.download_url, f"{form.code}: no unverified download address"
            assert not form.network or form.network in registry.lookups
        referenced = {m.form for m in item.materials if m.form}
        assert referenced and referenced <= {f.code for f in item.forms}, item.code


def test_declared_lookups_point_at_materials(items):
    uses = [(item, use) for item in items for use in item.lookups]
    assert {item.code for item, _ in uses} == {"agr-water-intake", RENEWAL}
    for item, use in uses:
        assert use.network == "water-permit" and use.purpose.strip()
        item.material(use.material)


def test_code_and_id_fields_hold_the_right_kind_of_number(items):
    """A credit-code field holds a credit code and an ID field an ID number, not the other."""
    codes, ids = set(), set()
    for item in items:
        for form in item.forms:
            for f in form.fields:
                if f.name == "统一社会信用代码":
                    assert uscc.is_valid(f.sample), (form.code, f.sample)
                    codes.add(f.sample)
                if "身份证号码" in f.name:
                    assert ric.is_valid(f.sample), (form.code, f.name, f.sample)
                    ids.add(f.sample)
    assert len(codes) >= 4 and len(ids) >= 4


def test_renewal_sample_holder_exists_in_the_sandbox(items):
    form = next(i for i in items if i.code == RENEWAL).form("renewal-application")
    sample = {f.name: f.sample for f in form.fields}
    record = sandbox_record(sample["统一社会信用代码"])
    assert record["name"] == sample["取水权人名称"]
    assert record["permit_number"] == sample["原取水许可证编号"]


# --- sandbox records and the look-up ---------------------------------------------------------

def test_sandbox_records_are_valid_and_varied():
    data = sandbox_data()
    assert data["network"] == "water-permit" and data["key"] == "credit_code"
    records = data["records"]
    assert 6 <= len(records) <= 10
    keys = {"credit_code", "name", "legal_representative", "permit_number", "water_source_type",
            "water_source", "intake_location", "intake_purpose", "annual_quota", "quota_unit",
            "valid_from", "valid_until", "status"}
    for record in records:
        assert keys <= set(record), record["name"]
        assert uscc.is_valid(record["credit_code"]), record["credit_code"]
        assert record["quota_unit"] == "万立方米" and record["annual_quota"] > 0
        assert dt.date.fromisoformat(record["valid_from"]) < \
            dt.date.fromisoformat(record["valid_until"])
    assert len({r["credit_code"] for r in records}) == len(records)
    statuses = {r["status"] for r in records}
    assert {"有效", "吊销", "注销", "有效期届满"} <= statuses


def test_lookup_rejects_an_empty_code(onewindow_sandbox):
    result = onewindow_agriculture.water_permit_lookup().query({"credit_code": " "},
                                                               case_number=None)
    assert result.status is LookupStatus.REJECTED and "统一社会信用代码" in result.message


# --- automatic checks ------------------------------------------------------------------------

def applicant_of(code: str, **overrides) -> dict:
    record = sandbox_record(code)
    applicant = {"kind": "enterprise", "name": record["name"], "credit_code": code,
                 "legal_representative": record["legal_representative"], "id_number": "",
                 "contact_person": "于海燕", "phone": "13941256637",
                 "social_organisation_name": ""}
    applicant.update(overrides)
    return applicant


def context_of(applicant: dict, looked_up: str | None) -> CheckContext:
    lookups = {"water-permit": sandbox_record(looked_up)} if looked_up else {}
    return CheckContext(item_code=RENEWAL, applicant=applicant, lookups=lookups)


def test_every_check_targets_a_hard_review_point(registry):
    ours = [c for c in registry.checks if c.item.startswith("agr-")]
    assert len(ours) == len(checks.material_checks()) >= 3
    for check in ours:
        material = registry.catalogue.item(check.item).material(check.material)
        point = next(p for p in material.review_points if p.code == check.point)
        assert point.is_hard, (check.item, check.material, check.point)


def test_holder_check_verdicts():
    ok = checks.permit_holder_matches(context_of(applicant_of(TIEXI_HEAT), TIEXI_HEAT))
    assert ok.verdict is CheckVerdict.PASSED and "取水（鞍）字〔2025〕第0007号" in ok.message
    half_width = applicant_of(TIEXI_HEAT, name=" 鞍山市铁西热力有限公司 ")
    assert checks.permit_holder_matches(context_of(half_width, TIEXI_HEAT)).verdict \
        is CheckVerdict.PASSED
    renamed = applicant_of(TIEXI_HEAT, name="鞍山市铁西热力集团有限公司")
    failed = checks.permit_holder_matches(context_of(renamed, TIEXI_HEAT))
    assert failed.verdict is CheckVerdict.FAILED and "变更" in failed.message
    other = checks.permit_holder_matches(context_of(applicant_of(TIEXI_HEAT), RUIFENG))
    assert other.verdict is CheckVerdict.FAILED and "代码" in other.message
    assert checks.permit_holder_matches(context_of(applicant_of(TIEXI_HEAT), None)).verdict \
        is CheckVerdict.UNKNOWN
    blank = applicant_of(TIEXI_HEAT, credit_code="")
    assert checks.permit_holder_matches(context_of(blank, TIEXI_HEAT)).verdict \
        is CheckVerdict.UNKNOWN


@pytest.mark.parametrize(("code", "verdict", "words"), [
    (TIEXI_HEAT, CheckVerdict.PASSED, "2030-05-31"),
    (QIANSHAN_GREEN, CheckVerdict.PASSED, "2027-03-31"),
    (TENGDA_REVOKED, CheckVerdict.FAILED, "吊销"),
    (LVYE_EXPIRED, CheckVerdict.FAILED, "有效期届满"),
    (TANGGANG_CLOSED, CheckVerdict.FAILED, "注销"),
])
def test_permit_in_force_verdicts(code, verdict, words):
    outcome = checks.permit_in_force(context_of(applicant_of(code), code),
                                     today=dt.date(2026, 11, 30))
    assert outcome.verdict is verdict and words in outcome.message


def test_a_permit_still_marked_valid_but_past_its_date_is_not_in_force():
    record = sandbox_record(RUIFENG)
    assert record["status"] == "有效"
    context = context_of(applicant_of(RUIFENG), RUIFENG)
    assert checks.permit_in_force(context, today=dt.date(2026, 12, 20)).verdict \
        is CheckVerdict.PASSED
    late = checks.permit_in_force(context, today=dt.date(2026, 12, 21))
    assert late.verdict is CheckVerdict.FAILED and "2026-12-20" in late.message
    # the record of another holder says nothing about the applicant
    foreign = checks.permit_in_force(context_of(applicant_of(RUIFENG), TIEXI_HEAT),
                                     today=dt.date(2026, 11, 30))
    assert foreign.verdict is CheckVerdict.UNKNOWN and "重新查询" in foreign.message


def test_renewal_must_be_filed_45_days_before_expiry():
    context = context_of(applicant_of(QIANSHAN_GREEN), QIANSHAN_GREEN)  # expires 2027-03-31
    last_day = dt.date(2027, 3, 31) - dt.timedelta(days=45)
    assert last_day == dt.date(2027, 2, 14)
    assert checks.renewal_filed_in_time(context, today=last_day).verdict is CheckVerdict.PASSED
    late = checks.renewal_filed_in_time(context, today=last_day + dt.timedelta(days=1))
    assert late.verdict is CheckVerdict.FAILED and "重新申请" in late.message
    expired = checks.renewal_filed_in_time(context, today=dt.date(2027, 4, 1))
    assert expired.verdict is CheckVerdict.FAILED and "届满" in expired.message
    # 瑞丰 asks on 2026-11-30 for a permit ending 2026-12-20: too late
    ruifeng = checks.renewal_filed_in_time(context_of(applicant_of(RUIFENG), RUIFENG),
                                           today=dt.date(2026, 11, 30))
    assert ruifeng.verdict is CheckVerdict.FAILED
    assert checks.renewal_filed_in_time(context_of(applicant_of(RUIFENG), None)).verdict \
        is CheckVerdict.UNKNOWN


def test_a_record_without_dates_or_status_is_unknown():
    bare = {"credit_code": TIEXI_HEAT, "name": "鞍山市铁西热力有限公司", "status": "有效"}
    context = CheckContext(RENEWAL, applicant_of(TIEXI_HEAT), {"water-permit": bare})
    assert checks.permit_in_force(context).verdict is CheckVerdict.UNKNOWN
    assert checks.renewal_filed_in_time(context).verdict is CheckVerdict.UNKNOWN
    odd = dict(bare, status="暂停", valid_until="2030-05-31")
    context = CheckContext(RENEWAL, applicant_of(TIEXI_HEAT), {"water-permit": odd})
    assert checks.permit_in_force(context).verdict is CheckVerdict.UNKNOWN


def test_registry_runs_the_checks_by_review_point(registry):
    got = run_checks(registry.checks, context_of(applicant_of(TENGDA_REVOKED), TENGDA_REVOKED))
    assert got[("current-permit", "permit-in-force")].verdict is CheckVerdict.FAILED
    assert got[("current-permit", "holder-matches")].verdict is CheckVerdict.PASSED
    assert got[("application", "name-code-match-permit")].verdict is CheckVerdict.PASSED


# --- one intake through the real services ----------------------------------------------------

def _pass_everything(hall, clerk, case, skip=()):
    item = hall.catalogue.item(case.item_code)
    marks = [(m.code, p.code, "passed", "")
             for m in item.materials
             if case.applicant.kind in m.applicant_kinds and m.code not in skip
             for p in m.review_points]
    return hall.review(clerk, case.number, marks)


def test_renewal_intake_with_lookup_deferral_and_take_in(onewindow_hall, onewindow_actor,
                                                         onewindow_sandbox):
    hall, clerk = onewindow_hall, onewindow_actor("window_staff")
    record = sandbox_record(TIEXI_HEAT)
    case = hall.open_case(clerk, RENEWAL, {
        "kind": "enterprise", "name": record["name"], "phone": "13941256637",
        "credit_code": TIEXI_HEAT, "legal_representative": record["legal_representative"],
        "contact_person": "于海燕"})
    assert case.item_version == "2026.1" and case.section == "agriculture"

    case, answer = hall.lookup(clerk, case.number, "water-permit", {"credit_code": TIEXI_HEAT})
    assert answer.status == "found" and answer.record["permit_number"].startswith("取水")
    verdicts = hall.checks_for(hall.get_case(case.number))
    assert verdicts[("application", "name-code-match-permit")].verdict is CheckVerdict.PASSED
    assert verdicts[("current-permit", "holder-matches")].verdict is CheckVerdict.PASSED

    # the paper permit comes back at issuance; the meter certificate is still at the lab
    due = hall.clock().date() + dt.timedelta(days=1)
    for material in ("current-permit", "meter-certificate"):
        hall.act(clerk, case.number, "defer",
                 params={"material": material, "due_date": due, "commitment_signed": False})
    _pass_everything(hall, clerk, case, skip={"current-permit", "meter-certificate"})
    case = hall.act(clerk, case.number, "take_in")
    assert case.state is State.TAKEN_IN
    assert {d.material for d in case.deferrals} == {"current-permit", "meter-certificate"}


def test_intake_is_refused_until_every_hard_point_is_reviewed(onewindow_hall, onewindow_actor):
    hall, clerk = onewindow_hall, onewindow_actor("window_staff")
    case = hall.open_case(clerk, "agr-water-intake", {
        "kind": "person", "name": "崔永利", "phone": "13904126672",
        "id_number": "210321198103052772"})
    _pass_everything(hall, clerk, case, skip={"third-party-statement"})
    with pytest.raises(TransitionRefused, match="与第三者利害关系"):
        hall.act(clerk, case.number, "take_in")
    # 立项文件 may be deferred only under a signed commitment (告知承诺)
    due = hall.clock().date() + dt.timedelta(days=1)
    with pytest.raises(TransitionRefused, match="告知承诺"):
        hall.act(clerk, case.number, "defer", params={
            "material": "project-approval", "due_date": due, "commitment_signed": False})
    _pass_everything(hall, clerk, case)
    assert hall.act(clerk, case.number, "take_in").state is State.TAKEN_IN

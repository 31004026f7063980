"""Tests of the 社会事务审批科 plugin: catalogue completeness, the social-organisation look-up
against the sandbox, the automatic checks, and one intake through the real services."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from importlib.metadata import entry_points
from importlib.resources import files
from pathlib import Path

import pytest
from stdnum.cn import ric, uscc

import onewindow_social
from onewindow.case import State
from onewindow.catalogue import ApplicantKind, DeferralKind
from onewindow.checks import CheckContext, CheckVerdict, run_checks
from onewindow.errors import CatalogueError, PluginError, TransitionRefused
from onewindow.lookups import LookupStatus
from onewindow.plugins import ENTRY_POINT_GROUP, load_registry
from onewindow_social import checks

ROOT = Path(__file__).resolve().parents[3]
SANDBOX_FILE = ROOT / "fixtures" / "sandbox" / "social-organisation.json"
CATALOGUE_TEXT = (files("onewindow_social") / "catalogue.toml").read_text(encoding="utf-8")
TODAY = dt.date(2026, 11, 30)

YIKANG = "52210302MJ0134673F"  # 颐康老年公寓, 民非, 正常, 合格, certificate to 2028-07-19
FUSHOU_REVOKED = "52210303MJ01298583"  # 撤销
HOUSEKEEPING = "51210300MJ0087213J"  # 家政服务行业协会, 社团, 正常, 合格
SENIOR_SPORTS = "51210300MJ0094325H"  # 正常, 基本合格
SUNSHINE_CLOSED = "52210304MJ01427614"  # 注销
KANGNING_ABNORMAL = "52210311MJ015683X6"  # 正常 but 年检不合格 and 活动异常名录
YOUNG_ENTREPRENEURS = "51210300MJ00791688"  # 正常, 合格
CIHANG_CERT_EXPIRED = "52210381MJ0213478W"  # 正常, certificate ended 2026-09-12

_TOKEN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")
_ID_SHAPE = re.compile(r"[1-8]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]")


def catalogue_tokens() -> tuple[set[str], set[str]]:
    """(credit codes, ID numbers) in catalogue.toml; onewindow_check_plugin checks each one."""
    tokens = set(_TOKEN.findall(CATALOGUE_TEXT))
    ids = {t for t in tokens if _ID_SHAPE.fullmatch(t)}
    return tokens - ids, ids


def sandbox_data() -> dict:
    return json.loads(SANDBOX_FILE.read_text(encoding="utf-8"))


def sandbox_record(code: str) -> dict:
    return next(r for r in sandbox_data()["records"] if r["credit_code"] == code)


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def items(registry):
    return registry.catalogue.items_of("social")


# --- loading ---------------------------------------------------------------------------------

def test_core_plugin_contract(onewindow_check_plugin):
    counts = onewindow_check_plugin("social")
    assert counts["items"] >= 3
    assert counts["review_points"] >= 3 * counts["materials"]
    codes, ids = catalogue_tokens()
    assert counts["codes"] == len(codes | ids) > 0
    assert counts["networks"] == 1  # social-organisation, found and not-found in the sandbox


def test_plugin_loads_through_its_entry_point(registry):
    entry = list(entry_points(group=ENTRY_POINT_GROUP, name="social"))
    assert entry and entry[0].value == "onewindow_social"
    assert registry.owners["section:social"] == "social"
    assert registry.owners["network:social-organisation"] == "social"
    assert registry.catalogue.sections["social"].name == "社会事务审批科"
    assert registry.lookups["social-organisation"].title == "全国社会组织信用信息公示平台"
    codes = {i.code for i in registry.catalogue.items_of("social")}
    assert {"soc-private-school", "soc-social-group-establish", "soc-elderly-care-filing",
            "soc-labour-dispatch"} <= codes


def test_a_broken_catalogue_file_stops_start_up(tmp_path, monkeypatch):
    broken = tmp_path / "catalogue.toml"
    broken.write_text(CATALOGUE_TEXT.replace("time_limit_days = 30", "time_limit = 30", 1),
                      encoding="utf-8")
    monkeypatch.setattr(onewindow_social, "catalogue_resource", lambda: broken)
    onewindow_social.section_catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="soc-private-school.*time_limit"):
            onewindow_social.onewindow_approval_items()
        with pytest.raises(PluginError, match="plugin 'social'"):
            load_registry()
    finally:
        monkeypatch.undo()
        onewindow_social.section_catalogue.cache_clear()
    assert onewindow_social.onewindow_section().code == "social"


# --- catalogue content -----------------------------------------------------------------------

def test_items_are_complete(items):
    assert len(items) >= 4
    for item in items:
        assert item.version == "2026.1" and item.intake_category == "社会事务类"
        assert item.code.startswith("soc-")
        assert all("《" in basis for basis in item.legal_basis), item.code
        assert item.time_limit_days <= (item.statutory_limit_days or item.time_limit_days)
        assert item.fee and item.result and item.forms
    group = next(i for i in items if i.code == "soc-social-group-establish")
    assert group.applicant_kinds == (ApplicantKind.PERSON,)  # the 筹备组 signs; no code yet


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
    school = next(i for i in items if i.code == "soc-private-school")
    fire = school.material("fire-safety").deferral
    assert fire.kind is DeferralKind.AT_ACCEPTANCE and fire.commitment_required


def test_forms_have_a_complete_filling_sample(items, registry):
    for item in items:  # item.forms: test_items_are_complete; their fields: the loader
        for form in item.forms:
            assert not form.download_url, f"{form.code}: no unverified download address"
            assert not form.network or form.network in registry.lookups
        referenced = {m.form for m in item.materials if m.form}
        assert referenced and referenced <= {f.code for f in item.forms}, item.code


def test_declared_lookups_point_at_materials(items, registry):
    uses = {(item.code, use.network): (item, use) for item in items for use in item.lookups}
    assert set(uses) == {("soc-private-school", "social-organisation"),
                         ("soc-social-group-establish", "social-organisation"),
                         ("soc-elderly-care-filing", "social-organisation"),
                         ("soc-labour-dispatch", "credit-registry")}
    for item, use in uses.values():
        assert use.purpose.strip() and use.network in registry.lookups
        item.material(use.material)


def test_sample_credit_codes_and_id_numbers(items):
    codes, ids = catalogue_tokens()  # their checksums: onewindow_check_plugin
    assert len(ids) >= 5
    # social organisations' codes: registration authority 5 (民政), type 1 社团 / 2 民非
    assert {c[:2] for c in codes} >= {"51", "52", "91"}
    for item in items:
        for form in item.forms:
            for f in form.fields:
                if f.name == "统一社会信用代码":
                    assert uscc.is_valid(f.sample), (form.code, f.sample)
                if f.name.endswith("身份证号码"):
                    assert ric.is_valid(f.sample), (form.code, f.name, f.sample)


def test_social_organisations_of_the_samples_exist_in_the_sandbox():
    codes, _ = catalogue_tokens()
    in_sandbox = {r["credit_code"] for r in sandbox_data()["records"]}
    organisations = {c for c in codes if c.startswith("5")}
    assert organisations and organisations <= in_sandbox, organisations - in_sandbox


# --- sandbox records and the look-up ---------------------------------------------------------

def test_sandbox_records_are_valid_and_varied():
    data = sandbox_data()
    assert data["network"] == "social-organisation" and data["key"] == "credit_code"
    records = data["records"]
    assert 6 <= len(records) <= 10
    keys = {"credit_code", "name", "type", "legal_representative", "registration_authority",
            "status", "annual_inspection_year", "annual_inspection_result", "abnormal_list",
            "certificate_valid_until"}
    for record in records:
        assert keys <= set(record), record["name"]
        assert uscc.is_valid(record["credit_code"]), record["credit_code"]
        assert record["credit_code"][0] == "5"
        prefix = {"社会团体": "51", "民办非企业单位": "52", "基金会": "53"}[record["type"]]
        assert record["credit_code"].startswith(prefix), record["name"]
        assert record["status"] in ("正常", "注销", "撤销")
    assert len({r["credit_code"] for r in records}) == len(records)
    assert {r["status"] for r in records} == {"正常", "注销", "撤销"}
    assert {"合格", "基本合格", "不合格"} <= {r["annual_inspection_result"] for r in records}


def test_lookup_rejects_an_empty_code(onewindow_sandbox):
    result = onewindow_social.social_organisation_lookup().query({"credit_code": ""},
                                                                 case_number=None)
    assert result.status is LookupStatus.REJECTED and "统一社会信用代码" in result.message


# --- automatic checks ------------------------------------------------------------------------

def organisation(code: str, **overrides) -> dict:
    record = sandbox_record(code)
    applicant = {"kind": "enterprise", "name": record["name"], "credit_code": code,
                 "legal_representative": record["legal_representative"], "id_number": "",
                 "contact_person": "林可欣", "phone": "13591581327",
                 "social_organisation_name": record["name"]}
    applicant.update(overrides)
    return applicant


def context_of(item: str, applicant: dict, network: str = "social-organisation",
               record: dict | None = None) -> CheckContext:
    return CheckContext(item_code=item, applicant=applicant,
                        lookups={network: record} if record else {})


def test_every_check_targets_a_hard_review_point(registry):
    ours = [c for c in registry.checks if c.item.startswith("soc-")]
    assert len(ours) == len(checks.material_checks()) >= 3
    for check in ours:
        material = registry.catalogue.item(check.item).material(check.material)
        point = next(p for p in material.review_points if p.code == check.point)
        assert point.is_hard, (check.item, check.material, check.point)


def test_identity_check_verdicts():
    item = "soc-elderly-care-filing"
    ok = checks.organisation_identity_matches(
        context_of(item, organisation(YIKANG), record=sandbox_record(YIKANG)))
    assert ok.verdict is CheckVerdict.PASSED
    # the unit name field may differ in brackets/spaces; 社会组织名称 is what is compared
    spaced = organisation(YIKANG, name="颐康老年公寓", social_organisation_name=" 鞍山市颐康老年公寓")
    assert checks.organisation_identity_matches(
        context_of(item, spaced, record=sandbox_record(YIKANG))).verdict is CheckVerdict.PASSED
    wrong = organisation(YIKANG, social_organisation_name="鞍山市颐康养老院")
    failed = checks.organisation_identity_matches(
        context_of(item, wrong, record=sandbox_record(YIKANG)))
    assert failed.verdict is CheckVerdict.FAILED and "名称" in failed.message
    other = checks.organisation_identity_matches(
        context_of(item, organisation(YIKANG), record=sandbox_record(CIHANG_CERT_EXPIRED)))
    assert other.verdict is CheckVerdict.FAILED and "统一社会信用代码" in other.message
    assert checks.organisation_identity_matches(context_of(item, organisation(YIKANG))).verdict \
        is CheckVerdict.UNKNOWN
    person = {"kind": "person", "name": "周丽萍", "id_number": "210300197502193269"}
    assert checks.organisation_identity_matches(
        context_of("soc-private-school", person, record=sandbox_record(HOUSEKEEPING))
    ).verdict is CheckVerdict.UNKNOWN


@pytest.mark.parametrize(("code", "verdict", "words"), [
    (YIKANG, CheckVerdict.PASSED, "合格"),
    (SENIOR_SPORTS, CheckVerdict.PASSED, "基本合格"),
    (FUSHOU_REVOKED, CheckVerdict.FAILED, "撤销"),
    (SUNSHINE_CLOSED, CheckVerdict.FAILED, "注销"),
    (KANGNING_ABNORMAL, CheckVerdict.FAILED, "活动异常名录"),
    (CIHANG_CERT_EXPIRED, CheckVerdict.FAILED, "换证"),
])
def test_standing_check_verdicts(code, verdict, words):
    outcome = checks.organisation_in_good_standing(
        context_of("soc-elderly-care-filing", organisation(code), record=sandbox_record(code)),
        today=TODAY)
    assert outcome.verdict is verdict and words in outcome.message, outcome.message


def test_standing_depends_on_the_certificate_date():
    context = context_of("soc-elderly-care-filing", organisation(CIHANG_CERT_EXPIRED),
                         record=sandbox_record(CIHANG_CERT_EXPIRED))
    assert checks.organisation_in_good_standing(context, today=dt.date(2026, 9, 12)).verdict \
        is CheckVerdict.PASSED
    assert checks.organisation_in_good_standing(context, today=dt.date(2026, 9, 13)).verdict \
        is CheckVerdict.FAILED
    foreign = checks.organisation_in_good_standing(
        context_of("soc-elderly-care-filing", organisation(YIKANG),
                   record=sandbox_record(KANGNING_ABNORMAL)), today=TODAY)
    assert foreign.verdict is CheckVerdict.UNKNOWN and "重新查询" in foreign.message
    no_result = dict(sandbox_record(YIKANG), annual_inspection_result="")
    assert checks.organisation_in_good_standing(
        context_of("soc-elderly-care-filing", organisation(YIKANG), record=no_result),
        today=TODAY).verdict is CheckVerdict.UNKNOWN


def test_unit_members_are_judged_whoever_applies():
    founder = {"kind": "person", "name": "任国庆", "id_number": "210303198601183254",
               "social_organisation_name": "鞍山市智慧农业促进会"}
    item = "soc-social-group-establish"
    good = checks.unit_member_in_good_standing(
        context_of(item, founder, record=sandbox_record(YOUNG_ENTREPRENEURS)), today=TODAY)
    assert good.verdict is CheckVerdict.PASSED
    bad = checks.unit_member_in_good_standing(
        context_of(item, founder, record=sandbox_record(KANGNING_ABNORMAL)), today=TODAY)
    assert bad.verdict is CheckVerdict.FAILED and "不合格" in bad.message
    assert checks.unit_member_in_good_standing(context_of(item, founder)).verdict \
        is CheckVerdict.UNKNOWN


@pytest.mark.parametrize(("text", "wan"), [
    ("500万元人民币", Decimal(500)), ("200万元", Decimal(200)), ("1.2亿元人民币", Decimal(12000)),
    ("3,000,000元", Decimal(300)), ("１００万元人民币", Decimal(100)), ("", None),
    ("50万美元", None), ("认缴", None),
])
def test_capital_is_read_in_wan_yuan(text, wan):
    assert checks.capital_in_wan(text) == wan


def dispatch_record(**overrides) -> dict:
    record = {"credit_code": "91210302MA0UJ8K589", "name": "鞍山市安达人力资源服务有限公司",
              "legal_representative": "陈志远", "status": "存续",
              "registered_capital": "300万元人民币"}
    record.update(overrides)
    return record


def dispatch_applicant(**overrides) -> dict:
    applicant = {"kind": "enterprise", "name": "鞍山市安达人力资源服务有限公司",
                 "credit_code": "91210302MA0UJ8K589", "legal_representative": "陈志远"}
    applicant.update(overrides)
    return applicant


def test_dispatch_checks(registry):
    def run(record, applicant=None):
        context = context_of("soc-labour-dispatch", applicant or dispatch_applicant(),
                             "credit-registry", record)
        return run_checks(registry.checks, context)

    capital = ("business-licence", "capital-sufficient")
    status = ("business-licence", "status-active")
    legal_rep = ("legal-rep-id", "matches-registry")
    ok = run(dispatch_record())
    assert {ok[k].verdict for k in (capital, status, legal_rep)} == {CheckVerdict.PASSED}
    assert run(dispatch_record(registered_capital="200万元人民币"))[capital].verdict \
        is CheckVerdict.PASSED
    short = run(dispatch_record(registered_capital="199.99万元人民币"))[capital]
    assert short.verdict is CheckVerdict.FAILED and "200" in short.message
    assert run(dispatch_record(registered_capital="50万美元"))[capital].verdict \
        is CheckVerdict.UNKNOWN
    revoked = run(dispatch_record(status="吊销"))[status]
    assert revoked.verdict is CheckVerdict.FAILED and "吊销" in revoked.message
    other_rep = run(dispatch_record(), dispatch_applicant(legal_representative="孟晓丹"))
    assert other_rep[legal_rep].verdict is CheckVerdict.FAILED
    foreign = run(dispatch_record(credit_code="91210302MA0YCE7KX9"))
    assert {foreign[k].verdict for k in (capital, status, legal_rep)} == {CheckVerdict.UNKNOWN}
    nothing = run(None)
    assert nothing[capital].verdict is CheckVerdict.UNKNOWN


# --- one intake through the real services ----------------------------------------------------

def _pass_everything(hall, clerk, case, skip=()):
    item = hall.catalogue.item(case.item_code)
    marks = [(m.code, p.code, "passed", "")
             for m in item.materials
             if case.applicant.kind in m.applicant_kinds and m.code not in skip
             for p in m.review_points]
    return hall.review(clerk, case.number, marks)


def test_elderly_care_filing_intake(onewindow_hall, onewindow_actor, onewindow_sandbox):
    hall, clerk = onewindow_hall, onewindow_actor("window_staff")
    record = sandbox_record(YIKANG)
    case = hall.open_case(clerk, "soc-elderly-care-filing", {
        "kind": "enterprise", "name": record["name"], "phone": "13591581327",
        "credit_code": YIKANG, "legal_representative": record["legal_representative"],
        "contact_person": "林可欣", "social_organisation_name": record["name"]})
    assert case.item_version == "2026.1" and case.section == "social"

    case, answer = hall.lookup(clerk, case.number, "social-organisation",
                               {"credit_code": YIKANG})
    assert answer.status == "found" and answer.record["status"] == "正常"
    verdicts = hall.checks_for(hall.get_case(case.number))
    assert verdicts[("filing-form", "name-code-match")].verdict is CheckVerdict.PASSED

    # every hard point must be reviewed before intake
    _pass_everything(hall, clerk, case, skip={"commitment"})
    with pytest.raises(TransitionRefused, match="承诺书"):
        hall.act(clerk, case.number, "take_in")
    _pass_everything(hall, clerk, case)
    case = hall.act(clerk, case.number, "take_in")
    assert case.state is State.TAKEN_IN


def test_social_group_intake_by_the_preparatory_group(onewindow_hall, onewindow_actor,
                                                      onewindow_sandbox):
    hall, clerk = onewindow_hall, onewindow_actor("window_staff")
    applicant = {"kind": "person", "name": "任国庆", "phone": "13898065213",
                 "id_number": "210303198601183254",
                 "social_organisation_name": "鞍山市智慧农业促进会"}
    case = hall.open_case(clerk, "soc-social-group-establish", applicant)
    hall.lookup(clerk, case.number, "social-organisation", {"credit_code": KANGNING_ABNORMAL})
    verdicts = hall.checks_for(hall.get_case(case.number))
    assert verdicts[("members", "unit-members-standing")].verdict is CheckVerdict.FAILED
    # 住所 deferred at acceptance only under a signed commitment (告知承诺)
    due = hall.clock().date() + dt.timedelta(days=1)
    with pytest.raises(TransitionRefused, match="告知承诺"):
        hall.act(clerk, case.number, "defer",
                 params={"material": "premises", "due_date": due, "commitment_signed": False})
    hall.act(clerk, case.number, "defer",
             params={"material": "premises", "due_date": due, "commitment_signed": True})
    _pass_everything(hall, clerk, case, skip={"premises"})
    assert hall.act(clerk, case.number, "take_in").state is State.TAKEN_IN

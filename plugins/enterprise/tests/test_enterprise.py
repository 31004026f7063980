"""Tests of the 企业登记科 plugin: catalogue completeness, the credit-registry look-up over real
HTTP, and the automatic checks against sandbox records."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import entry_points
from importlib.resources import files
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest
from stdnum.cn import ric, uscc

import onewindow_enterprise
from onewindow.catalogue import ApplicantKind, DeferralKind, SealRule
from onewindow.checks import CheckContext, CheckVerdict, run_checks
from onewindow.errors import CatalogueError, PluginError
from onewindow.lookups import LookupStatus
from onewindow.plugins import ENTRY_POINT_GROUP, load_registry
from onewindow.search import ItemIndex
from onewindow_enterprise import checks

ROOT = Path(__file__).resolve().parents[3]
SANDBOX_FILE = ROOT / "fixtures" / "sandbox" / "credit-registry.json"
CATALOGUE_TEXT = (files("onewindow_enterprise") / "catalogue.toml").read_text(encoding="utf-8")

XINGHE = "91210302MA0YCE7KX9"  # 鞍山市星河科技有限公司, 存续
XINGHE_TIEXI = "91210303MA0YGP4U4H"  # its 铁西分公司, 存续
XINSHENG = "91210302MA10B5HJ6R"  # 鞍山鑫盛商贸有限公司, 存续
HONGDA_REVOKED = "91210381MA0QWN8B9C"  # 吊销
FURUI_CLOSED = "91210304MA0TRK2D4L"  # 注销
LIJI = "92210302MA0Y8T6L0F"  # 鞍山市铁东区李记早餐店, 个体工商户, 存续
FOOD = "ent-food-business-licence"

# An 18-character token not inside a longer run of code characters.
_TOKEN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")


def sandbox_data() -> dict:
    return json.loads(SANDBOX_FILE.read_text(encoding="utf-8"))


def sandbox_record(code: str) -> dict:
    return next(r for r in sandbox_data()["records"] if r["credit_code"] == code)


def catalogue_credit_codes() -> set[str]:
    """The credit codes in catalogue.toml; the other 18-character tokens are ID numbers."""
    return {token for token in _TOKEN.findall(CATALOGUE_TEXT) if uscc.is_valid(token)}


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def enterprise_items(registry):
    return [i for i in registry.catalogue.items.values() if i.section == "enterprise"]


# --- loading ---------------------------------------------------------------------------------

def test_plugin_loads_through_its_entry_point(registry):
    entry = list(entry_points(group=ENTRY_POINT_GROUP, name="enterprise"))
    assert entry and entry[0].value == "onewindow_enterprise"
    assert registry.owners["section:enterprise"] == "enterprise"
    assert registry.owners["network:credit-registry"] == "enterprise"
    assert registry.catalogue.sections["enterprise"].name == "企业登记科"
    codes = {code for code, item in registry.catalogue.items.items() if item.section == "enterprise"}
    assert {"ent-llc-establish", "ent-llc-change", "ent-llc-simple-deregister",
            "ent-branch-establish", "ent-branch-change", "ent-individual-establish",
            FOOD} <= codes
    for code in codes:
        assert registry.owners["item:" + code] == "enterprise"
    assert registry.lookups["credit-registry"].title == "国家企业信用信息公示系统"


def test_core_plugin_contract(onewindow_check_plugin):
    counts = onewindow_check_plugin("enterprise")
    assert counts["items"] >= 7
    assert counts["review_points"] >= 3 * counts["materials"]
    # every sample credit code and ID number passed its checksum: 3+ codes and 5+ ID numbers
    credit_codes = len(catalogue_credit_codes())
    assert credit_codes >= 3 and counts["codes"] - credit_codes >= 5
    assert counts["networks"] == 1  # credit-registry answers FOUND and NOT_FOUND


def test_catalogue_is_loaded_once(monkeypatch):
    onewindow_enterprise.section_catalogue.cache_clear()
    calls = []
    real = onewindow_enterprise.catalogue_resource
    monkeypatch.setattr(onewindow_enterprise, "catalogue_resource",
                        lambda: calls.append(1) or real())
    onewindow_enterprise.onewindow_section()
    onewindow_enterprise.onewindow_approval_items()
    assert len(calls) == 1


def test_a_broken_catalogue_file_stops_start_up(tmp_path, monkeypatch):
    broken = tmp_path / "catalogue.toml"
    broken.write_text(CATALOGUE_TEXT.replace('time_limit_days = 1', 'time_limt_days = 1', 1),
                      encoding="utf-8")
    monkeypatch.setattr(onewindow_enterprise, "catalogue_resource", lambda: broken)
    onewindow_enterprise.section_catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="item ent-llc-establish.*time_limt_days"):
            onewindow_enterprise.onewindow_approval_items()
        with pytest.raises(PluginError, match="plugin 'enterprise'"):
            load_registry()
    finally:
        monkeypatch.undo()
        onewindow_enterprise.section_catalogue.cache_clear()
    assert onewindow_enterprise.onewindow_section().code == "enterprise"


# --- catalogue content -----------------------------------------------------------------------

def test_items_are_complete(enterprise_items):
    assert len(enterprise_items) >= 7
    for item in enterprise_items:
        assert item.version and item.intake_category
        assert any("《" in basis for basis in item.legal_basis), item.code
        assert item.time_limit_days <= (item.statutory_limit_days or item.time_limit_days)
        assert item.fee
    individual = next(i for i in enterprise_items if i.code == "ent-individual-establish")
    assert individual.applicant_kinds == (ApplicantKind.PERSON,)


def test_every_material_has_detailed_review_points(enterprise_items):
    for item in enterprise_items:
        for material in item.materials:
            where = f"{item.code}/{material.code}"
            assert len(material.review_points) >= 3, where
            assert material.hard_points, where
            assert material.issuer.strip(), where


def test_deferrals_are_complete_and_of_both_kinds(enterprise_items):
    kinds = set()
    items_with_deferral = 0
    for item in enterprise_items:
        if item.deferrable_materials:
            items_with_deferral += 1
        for material in item.deferrable_materials:
            deferral = material.deferral
            assert isinstance(deferral.kind, DeferralKind)
            assert isinstance(deferral.max_days, int) and deferral.max_days > 0
            assert deferral.note.strip(), f"{item.code}/{material.code} deferral has no note"
            kinds.add(deferral.kind)
        # a prior approval (前置许可) is never deferrable
        for material in item.materials:
            if material.code == "prior-approval":
                assert material.deferral is None
    assert kinds == {DeferralKind.AT_ACCEPTANCE, DeferralKind.AT_ISSUANCE}
    assert items_with_deferral >= 2
    # 告知承诺制: the address proof deferred at acceptance requires a commitment
    establish = next(i for i in enterprise_items if i.code == "ent-llc-establish")
    address = establish.material("address-proof").deferral
    assert address.kind is DeferralKind.AT_ACCEPTANCE and address.commitment_required


def test_food_business_licence_item(registry):
    item = registry.catalogue.item(FOOD)
    assert item.name == "食品经营许可" and item.section == "enterprise"
    assert registry.owners["item:" + FOOD] == "enterprise"
    assert item.version == "2026.1" and item.intake_category == "市场准入类"
    assert item.applicant_kinds == (ApplicantKind.ENTERPRISE, ApplicantKind.PERSON)
    assert any("食品安全法》第三十五条" in b for b in item.legal_basis)
    assert any("第78号" in b for b in item.legal_basis)
    assert item.time_limit_days <= item.statutory_limit_days
    assert "食品经营许可证" in item.result and item.fee == "不收费"
    assert {m.code for m in item.materials} >= {
        "application", "subject-licence", "facilities-layout", "safety-rules-list",
        "safety-manager", "legal-rep-id", "premises-proof", "authorization"}
    assert not item.material("authorization").required
    # deferrals of both kinds: the ID at issuance, the premises proof at acceptance (告知承诺)
    deferred = {m.code: m.deferral for m in item.deferrable_materials}
    assert deferred["legal-rep-id"].kind is DeferralKind.AT_ISSUANCE
    assert deferred["premises-proof"].kind is DeferralKind.AT_ACCEPTANCE
    assert deferred["premises-proof"].commitment_required
    assert set(deferred) == {"legal-rep-id", "premises-proof"}
    # the registry look-up checks the business licence, which must be 存续
    assert [(u.network, u.material) for u in item.lookups] == [
        ("credit-registry", "subject-licence")]
    licence = item.material("subject-licence")
    assert {"status-active", "scope-consistent", "name-code-match-registry"} <= {
        p.code for p in licence.hard_points}
    # seals: the applicant's own, so a 分公司 seals with the branch seal, not the head office's
    assert item.material("application").seal_rule is SealRule.LEGAL_REPRESENTATIVE_SIGNATURE
    seal_point = next(p for p in item.material("application").review_points
                      if p.code == "applicant-seal")
    assert seal_point.is_hard and "分公司公章" in seal_point.text
    form = item.form("food-licence-application")
    assert item.material("application").form == form.code and len(form.fields) >= 20
    assert [i.code for i in ItemIndex(registry.catalogue).search("spjy")] == [FOOD]


def test_forms_name_only_verified_addresses_and_known_networks(enterprise_items, registry):
    form_count = 0
    for item in enterprise_items:
        for form in item.forms:
            form_count += 1
            # no official address is claimed that nobody verified: the platform prints the
            # blank form from this definition; a form made on a network names that network
            assert not form.download_url or ".gov.cn/" in form.download_url, form.code
            assert not form.network or form.network in registry.lookups, form.code
        referenced = {m.form for m in item.materials if m.form}
        assert referenced <= {f.code for f in item.forms}
        assert referenced, f"{item.code} has no material that is a form"
    assert form_count >= 6


def test_every_declared_lookup_is_known_and_points_at_a_material(enterprise_items, registry):
    uses = [(item, use) for item in enterprise_items for use in item.lookups]
    assert len(uses) >= 4
    for item, use in uses:
        assert use.network == "credit-registry"
        assert use.purpose.strip()
        if use.material:
            item.material(use.material)


def test_code_and_id_fields_hold_a_valid_sample(enterprise_items):
    for item in enterprise_items:
        for form in item.forms:
            for f in form.fields:
                if "统一社会信用代码" in f.name:
                    assert uscc.is_valid(f.sample), (form.code, f.name, f.sample)
                if "身份证件号码" in f.name:
                    assert ric.is_valid(f.sample), (form.code, f.name, f.sample)


# --- sandbox records -------------------------------------------------------------------------

def test_sandbox_records_are_valid_and_varied():
    data = sandbox_data()
    assert data["network"] == "credit-registry" and data["key"] == "credit_code"
    records = data["records"]
    assert len(records) >= 8
    keys = {"credit_code", "name", "legal_representative", "type", "status",
            "registered_capital", "established", "address", "registration_authority",
            "business_scope"}
    for record in records:
        assert keys <= set(record), record["name"]
        assert uscc.is_valid(record["credit_code"]), record
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["established"])
        assert record["address"].startswith("辽宁省")
    assert len({r["credit_code"] for r in records}) == len(records)
    statuses = [r["status"] for r in records]
    assert statuses.count("吊销") == 1 and statuses.count("注销") == 1
    assert statuses.count("存续") == len(records) - 2


def test_sandbox_holds_the_companies_of_the_form_samples():
    codes = catalogue_credit_codes()
    in_sandbox = {r["credit_code"] for r in sandbox_data()["records"]}
    assert codes <= in_sandbox, codes - in_sandbox
    assert sandbox_record(XINGHE)["name"] == "鞍山市星河科技有限公司"


# --- the credit-registry look-up over HTTP ---------------------------------------------------

class _Registry(BaseHTTPRequestHandler):
    """GET /credit-registry/records?credit_code=X; /slow/..., /broken/..., /garbage/... fail."""

    records: dict[str, dict] = {}
    seen_cases: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p]
        mode = parts[0] if parts and parts[0] in ("slow", "broken", "garbage") else ""
        if mode:
            parts = parts[1:]
        type(self).seen_cases.append(self.headers.get("X-Onewindow-Case", ""))
        if mode == "slow":
            time.sleep(1.5)
        if mode == "broken":
            return self._send(500, {"error": "internal"})
        if mode == "garbage":
            return self._send_bytes(200, b"<html>maintenance</html>")
        if parts != ["credit-registry", "records"]:
            return self._send(404, {"error": "no such path"})
        code = parse_qs(url.query).get("credit_code", [""])[0]
        record = type(self).records.get(code)
        return self._send(200, record) if record else self._send(404, {"error": "no record"})

    def _send(self, status, body):
        self._send_bytes(status, json.dumps(body, ensure_ascii=False).encode("utf-8"))

    def _send_bytes(self, status, payload):
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client timed out first
            pass

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def registry_server():
    _Registry.records = {r["credit_code"]: r for r in sandbox_data()["records"]}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def credit_lookup(registry_server, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_NETWORK_CREDIT_REGISTRY_URL", registry_server + "/credit-registry")
    return onewindow_enterprise.credit_registry_lookup()


def test_lookup_trims_the_typed_code(credit_lookup):
    result = credit_lookup.query({"credit_code": f"  {XINSHENG} "}, case_number=None)
    assert result.status is LookupStatus.FOUND and result.record["credit_code"] == XINSHENG


def test_lookup_rejects_an_empty_code(credit_lookup):
    result = credit_lookup.query({"credit_code": "  "}, case_number=None)
    assert result.status is LookupStatus.REJECTED and "统一社会信用代码" in result.message


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lookup_is_unavailable_when_the_server_is_down(monkeypatch):
    monkeypatch.setenv("ONEWINDOW_NETWORK_CREDIT_REGISTRY_URL",
                       f"http://127.0.0.1:{_closed_port()}/credit-registry")
    result = onewindow_enterprise.credit_registry_lookup().query(
        {"credit_code": XINGHE}, case_number=None)
    assert result.status is LookupStatus.UNAVAILABLE
    assert "不可用" in result.message


def test_lookup_is_unavailable_when_the_server_times_out(registry_server, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_NETWORK_CREDIT_REGISTRY_URL",
                       registry_server + "/slow/credit-registry")
    lookup = attrs.evolve(onewindow_enterprise.credit_registry_lookup(), timeout=0.3)
    started = time.monotonic()
    result = lookup.query({"credit_code": XINGHE}, case_number=None)
    assert result.status is LookupStatus.UNAVAILABLE
    assert time.monotonic() - started < 1.4


@pytest.mark.parametrize("mode", ["broken", "garbage"])
def test_lookup_is_unavailable_on_a_server_error_or_bad_answer(registry_server, monkeypatch,
                                                                mode):
    monkeypatch.setenv("ONEWINDOW_NETWORK_CREDIT_REGISTRY_URL",
                       f"{registry_server}/{mode}/credit-registry")
    result = onewindow_enterprise.credit_registry_lookup().query(
        {"credit_code": XINGHE}, case_number=None)
    assert result.status is LookupStatus.UNAVAILABLE


def test_lookup_is_unavailable_when_not_configured(monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_CREDIT_REGISTRY_URL", raising=False)
    monkeypatch.delenv("ONEWINDOW_SANDBOX_URL", raising=False)
    result = onewindow_enterprise.credit_registry_lookup().query(
        {"credit_code": XINGHE}, case_number=None)
    assert result.status is LookupStatus.UNAVAILABLE and "未配置" in result.message


def test_lookup_falls_back_to_the_sandbox_url(registry_server, monkeypatch):
    monkeypatch.delenv("ONEWINDOW_NETWORK_CREDIT_REGISTRY_URL", raising=False)
    monkeypatch.setenv("ONEWINDOW_SANDBOX_URL", registry_server)
    result = onewindow_enterprise.credit_registry_lookup().query(
        {"credit_code": HONGDA_REVOKED}, case_number=None)
    assert result.status is LookupStatus.FOUND and result.record["status"] == "吊销"


# --- automatic checks ------------------------------------------------------------------------

def applicant_of(code: str, **overrides) -> dict:
    record = sandbox_record(code)
    applicant = {"kind": "enterprise", "name": record["name"], "credit_code": code,
                 "legal_representative": record["legal_representative"], "id_number": "",
                 "contact_person": "张丽娜", "phone": "13904125678",
                 "social_organisation_name": ""}
    applicant.update(overrides)
    return applicant


def outcomes(registry, item: str, applicant: dict, looked_up: str | None):
    lookups = {"credit-registry": sandbox_record(looked_up)} if looked_up else {}
    context = CheckContext(item_code=item, applicant=applicant, lookups=lookups)
    return run_checks(registry.checks, context)


def test_every_check_targets_a_hard_review_point(registry):
    ours = [c for c in registry.checks if c.item.startswith("ent-")]
    assert len(ours) == len(checks.material_checks()) >= 2
    for check in ours:
        material = registry.catalogue.item(check.item).material(check.material)
        point = next(p for p in material.review_points if p.code == check.point)
        assert point.is_hard, (check.item, check.material, check.point)


def test_identity_check_verdicts(registry):
    key = ("application", "name-code-match-registry")
    passed = outcomes(registry, "ent-llc-change", applicant_of(XINGHE), XINGHE)[key]
    assert passed.verdict is CheckVerdict.PASSED
    # half-width brackets and stray spaces are the same name
    branch = applicant_of(XINGHE_TIEXI, name=" 鞍山市星河科技有限公司 铁西分公司")
    assert outcomes(registry, "ent-branch-change", branch, XINGHE_TIEXI)[key].verdict \
        is CheckVerdict.PASSED
    wrong_name = applicant_of(XINGHE, name="鞍山市星河信息科技有限公司")
    failed = outcomes(registry, "ent-llc-change", wrong_name, XINGHE)[key]
    assert failed.verdict is CheckVerdict.FAILED and "名称" in failed.message
    wrong_code = applicant_of(XINGHE, credit_code=XINSHENG)
    failed = outcomes(registry, "ent-llc-simple-deregister", wrong_code, XINGHE)[key]
    assert failed.verdict is CheckVerdict.FAILED and "统一社会信用代码" in failed.message
    unknown = outcomes(registry, "ent-llc-change", applicant_of(XINGHE), None)[key]
    assert unknown.verdict is CheckVerdict.UNKNOWN and "请先查询" in unknown.message
    no_code = outcomes(registry, "ent-llc-change", applicant_of(XINGHE, credit_code=""), XINGHE)
    assert no_code[key].verdict is CheckVerdict.UNKNOWN


def test_status_check_verdicts(registry):
    key = ("business-licence", "status-active")
    assert outcomes(registry, "ent-llc-change", applicant_of(XINGHE), XINGHE)[key].verdict \
        is CheckVerdict.PASSED
    revoked = outcomes(registry, "ent-llc-change", applicant_of(HONGDA_REVOKED),
                       HONGDA_REVOKED)[key]
    assert revoked.verdict is CheckVerdict.FAILED and "吊销" in revoked.message
    closed = outcomes(registry, "ent-llc-change", applicant_of(FURUI_CLOSED), FURUI_CLOSED)[key]
    assert closed.verdict is CheckVerdict.FAILED and "注销" in closed.message
    unknown = outcomes(registry, "ent-llc-change", applicant_of(XINGHE), None)[key]
    assert unknown.verdict is CheckVerdict.UNKNOWN
    # the record of another entity says nothing about the applicant
    foreign = outcomes(registry, "ent-llc-change", applicant_of(XINGHE), HONGDA_REVOKED)[key]
    assert foreign.verdict is CheckVerdict.UNKNOWN and "重新查询" in foreign.message


def test_simple_deregistration_sends_a_revoked_company_to_the_ordinary_procedure(registry):
    key = ("business-licence", "status-active")
    result = outcomes(registry, "ent-llc-simple-deregister", applicant_of(HONGDA_REVOKED),
                      HONGDA_REVOKED)[key]
    assert result.verdict is CheckVerdict.FAILED and "一般注销" in result.message
    ok = outcomes(registry, "ent-llc-simple-deregister", applicant_of(XINSHENG), XINSHENG)[key]
    assert ok.verdict is CheckVerdict.PASSED


def test_branch_establishment_checks_the_parent(registry):
    got = outcomes(registry, "ent-branch-establish", applicant_of(XINGHE), XINGHE)
    assert got[("parent-licence-copy", "parent-status-active")].verdict is CheckVerdict.PASSED
    assert got[("parent-licence-copy", "licence-matches-registry")].verdict is CheckVerdict.PASSED
    assert got[("application", "signed-by-parent-legal-rep")].verdict is CheckVerdict.PASSED
    revoked = outcomes(registry, "ent-branch-establish", applicant_of(HONGDA_REVOKED),
                       HONGDA_REVOKED)
    assert revoked[("parent-licence-copy", "parent-status-active")].verdict \
        is CheckVerdict.FAILED


def test_legal_representative_check_verdicts(registry):
    key = ("application", "signed-by-legal-rep")
    item = "ent-llc-simple-deregister"
    assert outcomes(registry, item, applicant_of(XINSHENG), XINSHENG)[key].verdict \
        is CheckVerdict.PASSED
    other = applicant_of(XINSHENG, legal_representative="王志刚")
    failed = outcomes(registry, item, other, XINSHENG)[key]
    assert failed.verdict is CheckVerdict.FAILED and "郑秀梅" in failed.message
    assert outcomes(registry, item, applicant_of(XINSHENG), None)[key].verdict \
        is CheckVerdict.UNKNOWN
    blank = applicant_of(XINSHENG, legal_representative="")
    assert outcomes(registry, item, blank, XINSHENG)[key].verdict is CheckVerdict.UNKNOWN


def test_enterprise_shareholder_status_at_establishment(registry):
    key = ("investor-enterprise-proof", "registry-status")
    ok = outcomes(registry, "ent-llc-establish", applicant_of(XINGHE), XINGHE)[key]
    assert ok.verdict is CheckVerdict.PASSED
    # a natural-person applicant looked up the enterprise co-shareholder: judge the record
    person = {"kind": "person", "name": "赵婷", "credit_code": "",
              "id_number": "21030219900214426X"}
    closed = outcomes(registry, "ent-llc-establish", person, FURUI_CLOSED)[key]
    assert closed.verdict is CheckVerdict.FAILED


def test_food_business_licence_checks_the_applicant_on_the_register(registry):
    licence = ("subject-licence", "status-active")
    identity = ("subject-licence", "name-code-match-registry")
    signer = ("application", "signed-by-legal-rep")
    # a 个体工商户 operator applies as a person: the status of the looked-up record counts
    operator = {"kind": "person", "name": "李振华", "credit_code": "",
                "id_number": "210302198508150312"}
    got = outcomes(registry, FOOD, operator, LIJI)
    assert got[licence].verdict is CheckVerdict.PASSED
    assert got[identity].verdict is CheckVerdict.UNKNOWN
    # a 分公司 applies in its own name, signed by its 负责人
    branch = applicant_of(XINGHE_TIEXI)
    got = outcomes(registry, FOOD, branch, XINGHE_TIEXI)
    assert {got[k].verdict for k in (licence, identity, signer)} == {CheckVerdict.PASSED}
    head_office = applicant_of(XINGHE_TIEXI, name="鞍山市星河科技有限公司")
    failed = outcomes(registry, FOOD, head_office, XINGHE_TIEXI)[identity]
    assert failed.verdict is CheckVerdict.FAILED and "名称" in failed.message
    revoked = outcomes(registry, FOOD, applicant_of(HONGDA_REVOKED), HONGDA_REVOKED)[licence]
    assert revoked.verdict is CheckVerdict.FAILED and "吊销" in revoked.message
    closed = outcomes(registry, FOOD, applicant_of(FURUI_CLOSED), FURUI_CLOSED)[licence]
    assert closed.verdict is CheckVerdict.FAILED and "注销" in closed.message
    assert outcomes(registry, FOOD, applicant_of(XINGHE), None)[licence].verdict \
        is CheckVerdict.UNKNOWN


def test_checks_run_on_a_real_lookup_answer(registry, credit_lookup):
    result = credit_lookup.query({"credit_code": XINGHE_TIEXI}, case_number="QY-2026-0002")
    assert result.status is LookupStatus.FOUND
    assert _Registry.seen_cases[-1] == "QY-2026-0002"
    assert len(result.answer_hash) == 64
    context = CheckContext(item_code="ent-branch-change", applicant=applicant_of(XINGHE_TIEXI),
                           lookups={"credit-registry": result.record})
    got = run_checks(registry.checks, context)
    assert got[("branch-licence", "status-active")].verdict is CheckVerdict.PASSED
    assert got[("application", "name-code-match-registry")].verdict is CheckVerdict.PASSED

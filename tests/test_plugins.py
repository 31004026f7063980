"""The plugin API: one test per hook (named after it), plus start-up failures.

``test_every_hook_is_documented_and_tested`` fails when a hook is added to hookspecs.py without
a section in docs/hooks.md and a ``test_<hook>`` here.
"""

import http.server
import inspect
import logging
import re
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import sample_plugin
from attrs import evolve
from conftest import ENTERPRISE

from onewindow import hookimpl, hookspecs
from onewindow.catalogue import Requirement, Section
from onewindow.checks import CheckOutcome, CheckVerdict, MaterialCheck
from onewindow.errors import PluginError
from onewindow.lookups import HttpJsonLookup, LookupParam, LookupStatus
from onewindow.plugins import get_plugin_manager, load_registry, plugin_versions
from onewindow.sandbox import start_in_thread

ROOT = Path(__file__).resolve().parents[1]
HOOKS = sorted(n for n, f in inspect.getmembers(hookspecs, inspect.isfunction)
               if n.startswith("onewindow_"))


def plugin(name, **hooks):
    """A throw-away plugin object with the given hook implementations."""
    ns = SimpleNamespace(__name__=name)
    for hook_name, function in hooks.items():
        function.__name__ = hook_name
        setattr(ns, hook_name, hookimpl(function))
    return ns


def registry_with(*extra):
    return load_registry([sample_plugin, *extra], load_entry_points=False)


@pytest.fixture(scope="module")
def sandbox_url():
    server, url = start_in_thread(ROOT / "tests" / "data" / "sandbox")
    yield url
    server.shutdown()


def test_every_hook_is_documented_and_tested():
    docs = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^## `(onewindow_\w+)", docs, re.M))
    this_file = Path(__file__).read_text(encoding="utf-8")
    assert HOOKS, "no hooks found"
    assert set(HOOKS) == documented, "docs/hooks.md and hookspecs.py disagree"
    for name in HOOKS:
        assert f"def test_{name}(" in this_file, f"hook {name} has no test_{name}"
        assert getattr(hookspecs, name).__doc__.strip(), f"hook {name} has no docstring"


def test_onewindow_section():
    registry = registry_with()
    assert registry.catalogue.sections["sample"].name == "样例审批科"
    assert registry.owners["section:sample"] == "sample_plugin"
    twin = plugin("twin", onewindow_section=lambda: Section("sample", "另一个科"))
    with pytest.raises(PluginError, match="'twin'.*already supplied by plugin 'sample_plugin'"):
        registry_with(twin)
    wrong = plugin("wrong", onewindow_section=lambda: "企业登记科")
    with pytest.raises(PluginError, match="'wrong'.*not a Section"):
        registry_with(wrong)


def test_onewindow_approval_items(tmp_path):
    registry = registry_with()
    assert sorted(registry.catalogue.items) == ["sample-permit", "sample-simple"]
    copy = plugin("copycat", onewindow_approval_items=lambda: [sample_plugin.CATALOGUE.items[0]])
    with pytest.raises(PluginError) as info:
        registry_with(copy)
    assert "duplicate item code 'sample-permit'" in str(info.value)
    assert "'copycat'" in str(info.value) and "'sample_plugin'" in str(info.value)

    from onewindow.catalogue_file import load_catalogue_file

    bad = tmp_path / "catalogue.toml"
    text = (ROOT / "tests/data/sample_catalogue.toml").read_text(encoding="utf-8")
    bad.write_text(text.replace('code = "sample"', 'code = "other"', 1)
                   .replace("copies = 2", "copies = 0"), encoding="utf-8")
    broken = plugin("broken_section", onewindow_approval_items=lambda: load_catalogue_file(bad))
    with pytest.raises(PluginError) as info:
        load_registry([broken], load_entry_points=False)
    message = str(info.value)
    assert "'broken_section'" in message and str(bad) in message
    assert "item sample-simple: materials[form].copies" in message


def test_items_must_name_known_sections_and_networks():
    item = sample_plugin.CATALOGUE.items[0]
    lonely = plugin("lonely", onewindow_approval_items=lambda: [item])
    with pytest.raises(PluginError, match="no plugin supplies section 'sample'"):
        load_registry([lonely], load_entry_points=False)
    no_lookup = plugin("no_lookup", onewindow_section=lambda: sample_plugin.CATALOGUE.section,
                       onewindow_approval_items=lambda: [item])
    with pytest.raises(PluginError) as info:
        load_registry([no_lookup], load_entry_points=False)
    sample_file = ROOT / "tests" / "data" / "sample_catalogue.toml"
    assert str(info.value) == (
        f"plugin 'no_lookup': {sample_file}: item sample-permit: lookups[sample-registry].network: "
        "no plugin supplies network 'sample-registry'")


def test_items_built_in_code_obey_the_catalogue_file_rules():
    """The rules a file is checked by hold for items a plugin builds in code too."""
    item = sample_plugin.CATALOGUE.items[1]
    material = item.materials[0]
    advice_only = evolve(item, materials=[evolve(material, review_points=[
        evolve(p, requirement=Requirement.ADVICE) for p in material.review_points])])
    coded = plugin("coded", onewindow_section=lambda: sample_plugin.CATALOGUE.section,
                   onewindow_approval_items=lambda: [advice_only])
    with pytest.raises(PluginError) as info:
        load_registry([coded], load_entry_points=False)
    assert str(info.value).startswith(
        "plugin 'coded': item sample-simple: materials[form].review_points: a required "
        "material needs at least one hard review point")


def test_onewindow_lookups(hall, staff, sandbox_url, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_SANDBOX_URL", sandbox_url)
    lookup = hall.registry.lookups["sample-registry"]
    assert lookup.query({"credit_code": "91110000600037341L"}, case_number="X").status \
        is LookupStatus.FOUND
    assert lookup.query({"credit_code": "000"}, case_number="X").status \
        is LookupStatus.NOT_FOUND
    assert lookup.query({}, case_number="X").status is LookupStatus.REJECTED

    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    case, record = hall.lookup(staff["window"], case.number, "sample-registry",
                               {"credit_code": "91110000600037341L"})
    assert record.status == "found" and record.record["name"] == "鞍山市星河科技有限公司"
    stored = hall.get_case(case.number).lookups[0]
    assert stored.asked_by == "window1" and stored.answer_hash == record.answer_hash
    assert len(stored.answer_hash) == 64 and stored.params == {"credit_code": "91110000600037341L"}
    assert case.events[-1].action == "lookup"
    twin = plugin("twin", onewindow_lookups=lambda: [lookup])
    with pytest.raises(PluginError, match="network 'sample-registry' is already supplied"):
        registry_with(twin)


def test_a_network_clash_names_the_plugin_that_came_second_and_the_first():
    lookup = HttpJsonLookup("sample-registry", "另一个专网", (LookupParam("q", "查询"),))
    twin = plugin("twin", onewindow_lookups=lambda: [lookup])
    for order, second, first in (([sample_plugin, twin], "twin", "sample_plugin"),
                                 ([twin, sample_plugin], "sample_plugin", "twin")):
        with pytest.raises(PluginError) as info:
            load_registry(order, load_entry_points=False)
        assert str(info.value) == (
            f"plugin {second!r}: look-up network 'sample-registry' is already supplied by "
            f"plugin {first!r}, which came first; network codes must be unique across plugins")


def test_lookup_sends_case_number_and_survives_dead_or_slow_networks(monkeypatch):
    monkeypatch.delenv("ONEWINDOW_SANDBOX_URL", raising=False)  # a sandbox fixture may be up
    seen = {}

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen["case"] = self.headers.get("X-Onewindow-Case")
            time.sleep(1.0)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    slow = HttpJsonLookup("slow-net", "慢网", (LookupParam("q", "查询"),), timeout=0.2,
                          base_url=f"http://127.0.0.1:{server.server_address[1]}")
    result = slow.query({"q": "1"}, case_number="202609280001")
    server.shutdown()
    assert result.status is LookupStatus.UNAVAILABLE and "专网暂不可用" in result.message
    assert seen["case"] == "202609280001"
    dead = HttpJsonLookup("dead-net", "断网", (LookupParam("q", "查询"),),
                          base_url="http://127.0.0.1:9")
    assert dead.query({"q": "1"}, case_number=None).status is LookupStatus.UNAVAILABLE
    unset = HttpJsonLookup("unset-net", "未配置", (LookupParam("q", "查询"),))
    assert unset.query({"q": "1"}, case_number=None).status is LookupStatus.UNAVAILABLE


def test_onewindow_material_checks(hall, staff, sandbox_url, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_SANDBOX_URL", sandbox_url)
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    assert hall.checks_for(case)[("application", "signed")].verdict is CheckVerdict.UNKNOWN
    case, _ = hall.lookup(staff["window"], case.number, "sample-registry",
                          {"credit_code": "91110000600037341L"})
    assert hall.checks_for(case)[("application", "signed")].verdict is CheckVerdict.PASSED
    other = hall.open_case(staff["window"], "sample-permit", {**ENTERPRISE, "name": "别的公司"})
    other, _ = hall.lookup(staff["window"], other.number, "sample-registry",
                           {"credit_code": "91110000600037341L"})
    assert hall.checks_for(other)[("application", "signed")].verdict is CheckVerdict.FAILED

    unknown = plugin("unknown_point", onewindow_material_checks=lambda: [MaterialCheck(
        item="sample-permit", material="application", point="nope",
        run=lambda c: CheckOutcome(CheckVerdict.PASSED, ""))])
    with pytest.raises(PluginError, match="'unknown_point'.*no review point 'nope'"):
        registry_with(unknown)


def test_a_crashing_check_is_unknown_never_passed():
    from onewindow.checks import CheckContext, run_checks

    def boom(context):
        raise RuntimeError("registry format changed")

    check = MaterialCheck(item="i", material="m", point="p", run=boom)
    outcome = run_checks([check], CheckContext("i", {}, {}))[("m", "p")]
    assert outcome.verdict is CheckVerdict.UNKNOWN and "registry format changed" in outcome.message


def test_onewindow_case_event(hall, staff, caplog):
    calls = []

    def listener(event, case):
        calls.append((event.action, case.state.value))

    def failing(event, case):
        raise RuntimeError("mail server down")

    hall.registry.pm.register(plugin("listener", onewindow_case_event=listener))
    hall.registry.pm.register(plugin("failing", onewindow_case_event=failing))
    try:
        with caplog.at_level(logging.ERROR):
            case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
        assert calls == [("open", "consultation")]
        assert "'failing'" in caplog.text and case.number in caplog.text
        assert hall.get_case(case.number).events[0].action == "open"  # not undone
    finally:
        hall.registry.pm.unregister(name="listener")
        hall.registry.pm.unregister(name="failing")


def test_misspelled_hook_fails_at_start_up_naming_the_plugin():
    typo = SimpleNamespace(__name__="typo")

    def onewindow_sections():
        return None

    typo.onewindow_sections = hookimpl(onewindow_sections)
    with pytest.raises(PluginError, match="plugin 'typo'.*onewindow_sections"):
        get_plugin_manager([typo], load_entry_points=False)


def test_hook_with_wrong_argument_fails_at_start_up():
    wrong = SimpleNamespace(__name__="wrong_args")

    def onewindow_case_event(event, case, extra):
        return None

    wrong.onewindow_case_event = hookimpl(onewindow_case_event)
    with pytest.raises(PluginError, match="plugin 'wrong_args'"):
        get_plugin_manager([wrong], load_entry_points=False)


def test_enterprise_plugin_loads_through_its_entry_point():
    pm = get_plugin_manager()
    names = {name for name, _dist, _version in plugin_versions(pm)}
    assert "enterprise" in names
    registry = load_registry()
    assert registry.owners["section:enterprise"] == "enterprise"
    assert len(registry.catalogue.items_of("enterprise")) >= 3

"""The eleven approval sections of the bureau, together: each a plugin, complete, and every
dedicated network answering from the sandbox."""

import json
from pathlib import Path

import pytest

from onewindow.lookups import LookupStatus
from onewindow.plugins import get_plugin_manager, plugin_versions

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = {
    "enterprise": "企业登记科",
    "investment": "投资项目审批科",
    "planning": "规划审批科",
    "construction": "建设工程审批科",
    "environment": "环境保护审批科",
    "safety": "安全质量审批科",
    "transport": "交通运输审批科",
    "agriculture": "农业水利审批科",
    "social": "社会事务审批科",
    "medicine": "医药器械审批科",
    "health": "卫生计生审批科",
}


def test_eleven_section_plugins_are_installed_with_versions():
    rows = {name: (dist, version) for name, dist, version in plugin_versions(get_plugin_manager())}
    for code in SECTIONS:
        assert rows[code][0] == f"onewindow-{code}" and rows[code][1] != "-"


def test_the_catalogue_holds_the_seeds_eleven_sections(onewindow_registry):
    catalogue = onewindow_registry.catalogue
    assert {code: s.name for code, s in catalogue.sections.items()} == SECTIONS
    assert len(catalogue.items) >= 33
    for code in SECTIONS:
        assert len(catalogue.items_of(code)) >= 3, code


@pytest.mark.parametrize("plugin", sorted(SECTIONS))
def test_each_section_plugin_is_complete(onewindow_check_plugin, onewindow_registry, plugin):
    counts = onewindow_check_plugin(plugin)
    assert counts["items"] >= 3
    items = onewindow_registry.catalogue.items_of(plugin)
    assert any(m.deferral for i in items for m in i.materials), f"{plugin}: nothing deferrable"
    assert all(i.forms for i in items), f"{plugin}: an item without forms"
    networks = [n for n, owner in onewindow_registry.owners.items()
                if owner == plugin and n.startswith("network:")]
    assert networks, f"{plugin} supplies no dedicated-network look-up"


@pytest.mark.parametrize("network", sorted(
    p.stem for p in (ROOT / "fixtures" / "sandbox").glob("*.json")))
def test_every_network_answers_a_sandbox_record(onewindow_registry, onewindow_sandbox, network):
    data = json.loads((ROOT / "fixtures" / "sandbox" / f"{network}.json").read_text("utf-8"))
    lookup = onewindow_registry.lookups[data["network"]]
    record = data["records"][0]
    result = lookup.query({p.name: record[p.name] for p in lookup.params}, case_number="T")
    assert result.status is LookupStatus.FOUND, result.message
    assert dict(result.record) == record


def test_every_supplied_network_has_sandbox_records(onewindow_registry):
    files = {p.stem for p in (ROOT / "fixtures" / "sandbox").glob("*.json")}
    assert set(onewindow_registry.lookups) <= files

"""The eleven approval sections of the bureau, together: each a plugin, complete, and every
dedicated network answering from the sandbox."""

import json
from pathlib import Path

import pytest

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


# Numbers in the catalogues that look like credit codes or ID numbers but are neither.
NOT_CODES = {"210302202604010101",  # 建筑工程施工许可证编号
             "202621030200000417"}  # 建设项目环境影响登记表备案号


@pytest.mark.parametrize("plugin", sorted(SECTIONS))
def test_each_section_plugin_is_complete(onewindow_check_plugin, onewindow_registry, plugin):
    counts = onewindow_check_plugin(plugin, not_codes=NOT_CODES)
    assert counts["networks"] >= 1
    assert counts["items"] >= 3
    items = onewindow_registry.catalogue.items_of(plugin)
    assert any(m.deferral for i in items for m in i.materials), f"{plugin}: nothing deferrable"
    assert all(i.forms for i in items), f"{plugin}: an item without forms"
    networks = [n for n, owner in onewindow_registry.owners.items()
                if owner == plugin and n.startswith("network:")]
    assert networks, f"{plugin} supplies no dedicated-network look-up"


def test_every_sandbox_file_belongs_to_a_supplied_network(onewindow_registry):
    files = {p.stem for p in (ROOT / "fixtures" / "sandbox").glob("*.json")}
    assert files == set(onewindow_registry.lookups)
    for path in (ROOT / "fixtures" / "sandbox").glob("*.json"):
        data = json.loads(path.read_text("utf-8"))
        assert data["network"] == path.stem and len(data["records"]) >= 5

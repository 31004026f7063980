"""A bad catalogue file fails with messages naming the file, the item and the field."""

from pathlib import Path

import pytest
from attrs import evolve

from onewindow.catalogue import DeferralKind, Requirement, SealRule
from onewindow.catalogue_file import load_catalogue_file, structure_item, unstructure
from onewindow.errors import CatalogueError

SAMPLE = Path(__file__).parent / "data" / "sample_catalogue.toml"


def broken(tmp_path, old, new, count=1):
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "catalogue.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def problems_of(path):
    with pytest.raises(CatalogueError) as info:
        load_catalogue_file(path)
    assert str(path) in str(info.value)
    return info.value.problems


def test_sample_loads_completely():
    catalogue = load_catalogue_file(SAMPLE)
    item = catalogue.items[0]
    assert catalogue.section.name == "样例审批科" and item.section == "sample"
    application = item.material("application")
    assert application.seal_rule is SealRule.HEAD_OFFICE
    assert [p.requirement for p in application.review_points] == [
        Requirement.HARD, Requirement.HARD, Requirement.ADVICE]
    assert item.material("lease").deferral.kind is DeferralKind.AT_ACCEPTANCE
    assert item.material("lease").deferral.commitment_required
    assert len(item.form("application-form").fields) == 2


def test_snapshot_round_trip():
    item = load_catalogue_file(SAMPLE).items[0]
    assert structure_item(unstructure(item)) == item


def test_bad_enum_names_item_material_and_field(tmp_path):
    path = broken(tmp_path, 'seal_rule = "head_office"', 'seal_rule = "head_offfice"')
    [problem] = problems_of(path)
    assert problem.startswith("item sample-permit: materials[application].seal_rule:")
    assert "head_offfice" in problem and "allowed: head_office" in problem


def test_unknown_field_is_an_error(tmp_path):
    path = broken(tmp_path, 'time_limit_days = 5', 'time_limit_days = 5\ntime_limt = 3')
    assert problems_of(path) == ["item sample-permit: (item): unknown field(s) time_limt"]


def test_missing_required_field(tmp_path):
    path = broken(tmp_path, 'result = "备案回执"\n', '')
    assert problems_of(path) == ["item sample-simple: result: required field is missing"]


def test_material_without_review_points(tmp_path):
    path = broken(tmp_path,
                  'review_points = [{ code = "signed", text = "申请人本人签字", requirement = "hard" }]',
                  'review_points = []')
    [problem] = problems_of(path)
    assert problem == "item sample-simple: materials[form].review_points: must not be empty"


def test_deferral_without_positive_days(tmp_path):
    path = broken(tmp_path, 'deferral = { kind = "at_issuance", max_days = 5 }',
                  'deferral = { kind = "at_issuance", max_days = 0 }')
    [problem] = problems_of(path)
    assert problem == "item sample-permit: materials[id-copy].deferral.max_days: must be > 0: 0"


def test_form_field_without_sample(tmp_path):
    path = broken(tmp_path, ', sample = "13904120000" }', ' }')
    [problem] = problems_of(path)
    assert "forms[application-form].fields[联系电话].sample: required field is missing" in problem


def test_material_naming_missing_form(tmp_path):
    path = broken(tmp_path, 'form = "application-form"', 'form = "no-such-form"')
    [problem] = problems_of(path)
    assert "no-such-form" in problem and problem.startswith("item sample-permit")


def test_duplicate_item_code_in_one_file(tmp_path):
    path = broken(tmp_path, 'code = "sample-simple"', 'code = "sample-permit"')
    assert "item sample-permit: duplicate item code" in problems_of(path)


def test_bad_toml_and_missing_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[section\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="not valid TOML"):
        load_catalogue_file(path)
    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue_file(tmp_path / "missing.toml")


# ------------------------------------------------------- handled end to end on a network
NETWORK_LINE = 'handled_on_network = "样例审批专网"  # 全流程专网审批: may take a transfer form'


def test_handled_on_network_loads_and_is_exported():
    permit, simple = load_catalogue_file(SAMPLE).items
    assert permit.handled_on_network == "样例审批专网"
    assert simple.handled_on_network == ""  # left out: handled on the platform
    # ``catalogue export`` and case snapshots both go through unstructure
    assert unstructure(permit)["handled_on_network"] == "样例审批专网"
    assert unstructure(simple)["handled_on_network"] == ""
    assert structure_item(unstructure(permit)) == permit
    # a snapshot kept before the field existed still loads, as handled on the platform
    old = unstructure(permit)
    del old["handled_on_network"]
    assert structure_item(old).handled_on_network == ""


@pytest.mark.parametrize(("value", "message"), [
    ('""', "handled_on_network: must not be empty; leave the field out for an item handled "
           "on the platform"),
    ('"   "', "handled_on_network: must not be empty"),
    ("true", "handled_on_network: must be text (the dedicated network's name), got True"),
    ("5", "handled_on_network: must be text (the dedicated network's name), got 5"),
    ('" 样例审批专网"', "handled_on_network: must be one line without leading or trailing spaces"),
    ('"样例\\n审批专网"', "handled_on_network: must be one line"),
    ('"project-platform"', "handled_on_network: must be the dedicated network's name as a clerk "
                           "reads it (e.g. 投资项目在线审批监管平台), not a code like "
                           "'project-platform'"),
    ('"' + "专" * 101 + '"', "handled_on_network: must be at most 100 characters, got 101"),
])
def test_a_bad_handled_on_network_is_named_precisely(tmp_path, value, message):
    path = broken(tmp_path, NETWORK_LINE, f"handled_on_network = {value}")
    [problem] = problems_of(path)
    assert problem.startswith(f"item sample-permit: {message}"), problem


def test_a_bad_handled_on_network_does_not_hide_other_faults(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8").replace(NETWORK_LINE, 'handled_on_network = ""')
    path = tmp_path / "catalogue.toml"
    path.write_text(text.replace("time_limit_days = 5", "time_limit_days = 0"), encoding="utf-8")
    problems = problems_of(path)
    assert len(problems) == 2
    assert problems[0].startswith("item sample-permit: handled_on_network: must not be empty")
    assert problems[1] == "item sample-permit: time_limit_days: must be > 0: 0"


def test_handled_on_network_is_checked_when_built_in_code_too():
    item = load_catalogue_file(SAMPLE).items[1]
    assert evolve(item, handled_on_network="样例审批专网").handled_on_network == "样例审批专网"
    for bad in ("  ", "sample-network", " 样例审批专网"):
        with pytest.raises(ValueError, match="'handled_on_network' must"):
            evolve(item, handled_on_network=bad)

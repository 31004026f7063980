"""A bad catalogue file fails with messages naming the file, the item and the field."""

from pathlib import Path

import pytest
from attrs import evolve
from cattrs import ClassValidationError, transform_error

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
    ("true", "handled_on_network: must be text in quotes, got the boolean true"),
    ("5", "handled_on_network: must be text in quotes, got the whole number 5"),
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


# ------------------------------------------------------------ strict types, no coercion
@pytest.mark.parametrize(("old", "new", "problem"), [
    ("time_limit_days = 5", 'time_limit_days = "15"',
     "item sample-permit: time_limit_days: must be a whole number, got the text '15' "
     "(write 15 without quotes)"),
    ("time_limit_days = 5", "time_limit_days = 15.7",
     "item sample-permit: time_limit_days: must be a whole number, got the decimal number 15.7"),
    ("time_limit_days = 5", "time_limit_days = true",
     "item sample-permit: time_limit_days: must be a whole number, got the boolean true"),
    ("time_limit_days = 5", "time_limit_days = 5\nstatutory_limit_days = \"20\"",
     "item sample-permit: statutory_limit_days: must be a whole number, got the text '20' "
     "(write 20 without quotes)"),
    ("copies = 2", "copies = 2.0",
     "item sample-simple: materials[form].copies: must be a whole number, got the decimal "
     "number 2.0"),
    ("max_days = 5 }", "max_days = false }",
     "item sample-permit: materials[id-copy].deferral.max_days: must be a whole number, got the "
     "boolean false"),
    ("commitment_required = true", 'commitment_required = "no"',
     "item sample-permit: materials[lease].deferral.commitment_required: must be true or false "
     "(without quotes), got the text 'no'"),
    ("commitment_required = true", "commitment_required = 1",
     "item sample-permit: materials[lease].deferral.commitment_required: must be true or false "
     "(without quotes), got the whole number 1"),
    ('issuer = "产权单位"', 'issuer = "产权单位"\nrequired = "yes"',
     "item sample-permit: materials[lease].required: must be true or false (without quotes), "
     "got the text 'yes'"),
    ('name = "样例备案"', "name = 2026",
     "item sample-simple: name: must be text in quotes, got the whole number 2026"),
    ('version = "2026.1"', "version = 2026.1",
     "item sample-permit: version: must be text in quotes, got the decimal number 2026.1"),
    ('time_limit_days = 1\n', 'time_limit_days = 1\nfee = 0\n',
     "item sample-simple: fee: must be text in quotes, got the whole number 0"),
    ('note = "签署告知承诺书后容缺受理"', "note = true",
     "item sample-permit: materials[lease].deferral.note: must be text in quotes, got the "
     "boolean true"),
    ('legal_basis = ["《样例管理条例》第二十条"]', 'legal_basis = "《样例管理条例》第二十条"',
     "item sample-simple: legal_basis: must be an array [...], got the text '《样例管理条例》第二十条'"),
    ('restrictive_conditions = ["场所不得位于居民住宅内"]', "restrictive_conditions = [1]",
     "item sample-permit: materials[lease].restrictive_conditions[0]: must be text in quotes, "
     "got the whole number 1"),
    ('applicant_kinds = ["person"]', 'applicant_kinds = "person"',
     "item sample-simple: applicant_kinds: must be an array [...], got the text 'person'"),
    ('requirement = "advice"', "requirement = false",
     "item sample-permit: materials[application].review_points[neat].requirement: must be one "
     "of the listed words in quotes, got the boolean false; allowed: hard, advice"),
    ('deferral = { kind = "at_issuance", max_days = 5 }', 'deferral = "at_issuance"',
     "item sample-permit: materials[id-copy].deferral: must be a table, got the text "
     "'at_issuance'"),
    ('name = "样例审批科"', "name = 1",
     "section.name: must be text in quotes, got the whole number 1"),
    ('purpose = "核对申请人登记信息"', "purpose = 1",
     "item sample-permit: lookups[sample-registry].purpose: must be text in quotes, got the whole number 1"),
])
def test_a_wrong_type_is_an_error_never_coerced(tmp_path, old, new, problem):
    path = broken(tmp_path, old, new)
    assert problems_of(path) == [problem]


def test_every_wrong_type_in_a_file_is_reported_at_once(tmp_path):
    text = (SAMPLE.read_text(encoding="utf-8")
            .replace("time_limit_days = 5", 'time_limit_days = "5"')
            .replace("commitment_required = true", 'commitment_required = "no"')
            .replace("copies = 2", "copies = true"))
    path = tmp_path / "catalogue.toml"
    path.write_text(text, encoding="utf-8")
    assert [p.split(":")[1].strip() for p in problems_of(path)] == [
        "time_limit_days", "materials[lease].deferral.commitment_required",
        "materials[form].copies"]


def test_plain_data_must_have_its_types_too():
    data = unstructure(load_catalogue_file(SAMPLE).items[1])
    with pytest.raises(ClassValidationError) as info:
        structure_item({**data, "time_limit_days": "1"})
    assert transform_error(info.value, format_exception=lambda exc, _type: str(exc)) == [
        "must be a whole number, got the text '1' (write 1 without quotes) @ $.time_limit_days"]


# ------------------------------------------------------------------- rules across fields
HARD_POINT = 'review_points = [{ code = "signed", text = "申请人本人签字", requirement = "hard" }]'


def test_a_required_material_needs_a_hard_review_point(tmp_path):
    path = broken(tmp_path, HARD_POINT, HARD_POINT.replace('"hard"', '"advice"'))
    [problem] = problems_of(path)
    assert problem.startswith(
        "item sample-simple: materials[form].review_points: a required material needs at least "
        'one hard review point (requirement = "hard")')
    assert "required = false" in problem  # says what else may be meant


def test_an_optional_material_may_have_advice_only(tmp_path):
    path = broken(tmp_path, HARD_POINT,
                  HARD_POINT.replace('"hard"', '"advice"') + "\nrequired = false")
    material = load_catalogue_file(path).items[1].material("form")
    assert not material.required and not material.hard_points


@pytest.mark.parametrize("word", ["hard", "advice", " Hard "])
def test_a_form_field_requirement_is_not_a_review_point_word(tmp_path, word):
    path = broken(tmp_path, 'requirement = "手机或固定电话"', f'requirement = "{word}"')
    [problem] = problems_of(path)
    assert problem.startswith(
        f"item sample-permit: forms[application-form].fields[联系电话].requirement: {word!r} "
        "is a review point's word; a form field's requirement is 填写要求")


def test_applicant_kinds_must_be_stated(tmp_path):
    path = broken(tmp_path, 'applicant_kinds = ["person"]\n', "")
    assert problems_of(path) == ["item sample-simple: applicant_kinds: required field is missing"]
    path = broken(tmp_path, 'applicant_kinds = ["person"]', "applicant_kinds = []")
    assert problems_of(path) == ["item sample-simple: applicant_kinds: must not be empty"]


def test_a_lookup_naming_an_unknown_material_names_file_and_entry(tmp_path):
    path = broken(tmp_path, 'material = "application"', 'material = "lease-contract"')
    assert problems_of(path) == [
        "item sample-permit: lookups[sample-registry].material: 'lease-contract' is not a "
        "material of this item"]


def test_loaded_items_remember_their_file():
    from onewindow.catalogue_file import source_of

    catalogue = load_catalogue_file(SAMPLE)
    assert source_of(catalogue.items[0]) == str(SAMPLE)
    assert source_of(catalogue.section) == str(SAMPLE)
    assert source_of(evolve(catalogue.items[0], fee="10元")) is None  # built in code
    assert source_of(object()) is None


def test_the_strict_converter_serves_tables_added_later():
    """Numbers with decimals and tables of labels, as a networks table would have them."""
    from collections.abc import Mapping

    from attrs import frozen

    from onewindow.strict_converter import strict_converter

    @frozen
    class Network:
        labels: Mapping[str, str]
        timeout: float = 5.0

    converter = strict_converter()
    assert converter.structure({"labels": {"name": "名称"}, "timeout": 3}, Network).timeout == 3.0
    with pytest.raises(ClassValidationError) as info:
        converter.structure({"labels": {"name": 1}, "timeout": True}, Network)
    assert transform_error(info.value, format_exception=lambda exc, _type: str(exc)) == [
        "must be text in quotes, got the whole number 1 @ $.labels['name']",
        "must be a number, got the boolean true @ $.timeout"]

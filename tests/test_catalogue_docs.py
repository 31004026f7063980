"""docs/catalogue.md is generated from the attrs models and cannot go stale or miss a key."""

import tomllib
import typing
from pathlib import Path

import attrs
import pytest
from attrs import frozen

from onewindow import catalogue_docs
from onewindow.catalogue import Section, SectionCatalogue
from onewindow.catalogue_docs import KEYS, Key, render, tables, undocumented
from onewindow.catalogue_file import _converter
from onewindow.checks import CheckContext, CheckOutcome, CheckVerdict, MaterialCheck

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "catalogue.md"


def test_docs_catalogue_md_is_current():
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/catalogue.md is stale: run `onewindow catalogue docs -o docs/catalogue.md`")


def test_every_key_of_every_table_has_a_row_with_type_default_and_example():
    text = render()
    for table in tables():
        section = text.split(f'<a id="{table.cls.__name__.lower()}"></a>')[1].split("<a id=")[0]
        for field in attrs.fields(table.cls):
            row = next((line for line in section.splitlines()
                        if line.startswith(f"| `{field.name}` |")), None)
            assert row is not None, f"{table.cls.__name__}.{field.name} has no row"
            cells = [c.strip() for c in row.strip("|").split(" | ")]
            assert len(cells) == 6 and all(cells[:3]) and cells[5], row
    assert "`at_acceptance` 容缺受理, `at_issuance` 容缺发证" in text
    assert "`hard` 硬性要求, `advice` 建议" in text


def test_check_verdict_types_are_documented_field_by_field():
    text = render()
    for cls in (CheckOutcome, CheckContext, MaterialCheck):
        for field in attrs.fields(cls):
            assert f"| `{field.name}` | `" in text.split(f"### `{cls.__name__}`")[1], field
    for member in CheckVerdict:
        assert f"| `CheckVerdict.{member.name}` | `\"{member.value}\"` |" in text


def test_every_example_is_a_value_the_loader_takes():
    for table in tables():
        hints = typing.get_type_hints(table.cls)
        for field in attrs.fields(table.cls):
            key = KEYS[f"{table.cls.__name__}.{field.name}"]
            if not key.example:
                continue
            value = tomllib.loads(f"value = {key.example}")["value"]
            structured = _converter.structure(value, hints[field.name])
            if field.validator is not None:
                field.validator(None, field, structured)


def test_a_model_added_later_is_picked_up_and_must_be_described(monkeypatch):
    """A table a later change adds to the file is documented with no change to the generator."""
    @frozen
    class Network:
        """A dedicated network a plugin brings along."""

        code: str
        timeout: float = 5.0

    @frozen
    class File:
        section: Section
        networks: tuple[Network, ...] = ()

    found = tables(File)
    assert [(t.cls, t.path, t.array) for t in found] == [
        (File, "", False), (Section, "section", False), (Network, "networks", True)]
    missing, stale = undocumented([File, Network])
    assert missing == ["File.section", "File.networks", "Network.code", "Network.timeout"]
    assert "Material.code" in stale  # the real keys name nothing in these made-up classes

    with pytest.raises(ValueError, match="undocumented: File.section, File.networks, "
                                         "Network.code, Network.timeout"):
        render(File)
    # described, and without the real tables' words (which would be stale here), it renders
    keys = {key: words for key, words in KEYS.items()
            if key.startswith(("Section.", "Check", "MaterialCheck."))}
    keys.update({"File.section": Key("the section"), "File.networks": Key("its networks"),
                 "Network.code": Key("the network's code", '"ticket-platform"'),
                 "Network.timeout": Key("seconds", "5.0")})
    monkeypatch.setattr(catalogue_docs, "KEYS", keys)
    text = render(File)
    assert "## `[[networks]]` — Network" in text
    assert "| `timeout` | number | `5.0` | — | `timeout = 5.0` | seconds |" in text


def test_a_key_that_no_longer_exists_fails_generation(monkeypatch):
    monkeypatch.setitem(KEYS, "Material.stamp_colour", Key("gone", '"red"'))
    with pytest.raises(ValueError, match="no such field: Material.stamp_colour"):
        render()


def test_the_root_is_the_catalogue_file():
    assert tables()[0].cls is SectionCatalogue


@pytest.mark.parametrize("name", ["README.md", "CONTRIBUTING.md", "docs/hooks.md"])
def test_catalogue_reference_is_linked(name):
    assert "catalogue.md" in (ROOT / name).read_text(encoding="utf-8")


def test_the_contributing_walkthrough_catalogue_loads(tmp_path):
    """The TOML example in CONTRIBUTING's plugin walkthrough is a valid catalogue file."""
    from onewindow.catalogue import DeferralKind
    from onewindow.catalogue_file import load_catalogue_file

    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    example = text.split("### 2. Write the catalogue as data")[1].split("```toml\n")[1]
    path = tmp_path / "catalogue.toml"
    path.write_text(example.split("```")[0], encoding="utf-8")
    [item] = load_catalogue_file(path).items
    assert [m.deferral.kind for m in item.materials] == [
        DeferralKind.AT_ACCEPTANCE, DeferralKind.AT_ISSUANCE]

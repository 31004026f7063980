"""Write ``docs/catalogue.md`` from the attrs models, so the reference cannot drift from code.

Keys, types, defaults, allowed values and table paths are read from the classes, starting at
the file's root (:class:`SectionCatalogue`): a table added to a model later is documented as
soon as it has its words here. What a key means and an example value live in :data:`KEYS`.
Generation fails, naming them, when a field has no entry or an entry names no field, so a test
that regenerates the page catches both an undocumented key and a stale one.
"""

from __future__ import annotations

import enum
import textwrap
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
from attrs import frozen

from . import labels
from .catalogue import SectionCatalogue, _code, _text
from .checks import CheckContext, CheckOutcome, CheckVerdict, MaterialCheck

ROOT = SectionCatalogue
CHECK_TYPES: tuple[type, ...] = (CheckOutcome, CheckVerdict, CheckContext, MaterialCheck)


@frozen
class Key:
    """The words for one key: ``text`` says what it means, ``example`` is a value as written
    in a file (TOML; empty for a table, which has its own heading), ``allowed`` states a rule
    the validators cannot show, ``default`` replaces the model's default when the file's rule
    differs (a key the loader fills in)."""

    text: str
    example: str = ""
    allowed: str = ""
    default: str = ""


KEYS: dict[str, Key] = {
    # --- the file
    "SectionCatalogue.section": Key("The section (审批业务科) the file describes; exactly one."),
    "SectionCatalogue.items": Key("The approval items (审批事项) the section offers, one "
                                  "`[[items]]` table each."),
    # --- [section]
    "Section.code": Key("The section's code; staff accounts and items name it.",
                        '"enterprise"'),
    "Section.name": Key("The section's name as the hall reads it.", '"企业登记科"'),
    "Section.description": Key("What the section handles, for the guide.",
                               '"负责企业设立、变更、注销登记"'),
    # --- [[items]]
    "ApprovalItem.code": Key("The item's code, unique across every plugin; cases keep it.",
                             '"ent-llc-establish"'),
    "ApprovalItem.name": Key("The item's name (事项名称).", '"有限责任公司设立登记"'),
    "ApprovalItem.section": Key(
        "The section the item belongs to. Leave it out: the loader takes it from `[section]`; "
        "written, it must be the same code.", '"enterprise"',
        default="the `[section]` code"),
    "ApprovalItem.version": Key(
        "The catalogue version of the item. Bump it whenever materials, review points, "
        "deferrals or forms change: a case keeps the version it was opened under.",
        '"2026.1"'),
    "ApprovalItem.intake_category": Key("接件分类, the group the item is listed under.",
                                        '"市场准入类"'),
    "ApprovalItem.legal_basis": Key("设定依据: the laws and articles the item rests on.",
                                    '["《中华人民共和国公司法》第二十九条"]'),
    "ApprovalItem.time_limit_days": Key(
        "承诺时限: the promised time limit in working days, counted from acceptance; the case's "
        "clock and overdue warnings use it.", "5"),
    "ApprovalItem.result": Key("审批结果: what the applicant receives.", '"营业执照"'),
    "ApprovalItem.materials": Key("申请材料: the materials the window checks, one "
                                  "`[[items.materials]]` table each."),
    "ApprovalItem.applicant_kinds": Key(
        "Who may apply: a unit (单位, `enterprise`: companies and other organisations) and/or a "
        "person (个人, `person`). Required, never assumed: intake refuses an applicant of "
        "another kind.", '["enterprise", "person"]'),
    "ApprovalItem.forms": Key("申请表格 with filling samples, one `[[items.forms]]` table each."),
    "ApprovalItem.lookups": Key("The dedicated-network look-ups (业务专网查询) the window makes "
                                "for this item, one `[[items.lookups]]` table each."),
    "ApprovalItem.statutory_limit_days": Key(
        "法定时限 in working days, when the law allows longer than the promised limit; shown in "
        "the guide next to `time_limit_days`. Leave it out when they are the same.", "20"),
    "ApprovalItem.fee": Key("收费标准 as the guide prints it.", '"不收费"'),
    "ApprovalItem.handled_on_network": Key(
        "全流程专网审批: the dedicated network the item can be handled on end to end, as a "
        "clerk reads its name. Only such items take a dedicated-network transfer form "
        "(专网审批事项信息转交表). Leave it out for an item handled on the platform.",
        '"投资项目在线审批监管平台"',
        allowed="the network's name, one line without leading or trailing spaces, at most 100 "
                "characters, not a code; not empty (leave the key out instead)"),
    # --- [[items.materials]]
    "Material.code": Key("The material's code, unique within the item.", '"articles"'),
    "Material.name": Key("The material's name as the applicant reads it.", '"公司章程"'),
    "Material.form_of": Key("Whether the window takes the original, a copy, or checks the "
                            "original and keeps a copy.", '"original"'),
    "Material.copies": Key("How many copies the window takes (份数).", "1"),
    "Material.issuer": Key("出具单位: who issues or produces the material.", '"全体股东"'),
    "Material.review_points": Key("形式审查要点: the checks the window makes on the material, "
                                  "one `[[items.materials.review_points]]` table each."),
    "Material.required": Key(
        "Whether the material must be supplied. A required material needs at least one hard "
        "review point; `false` for a material only some applicants bring (say who in "
        "`restrictive_conditions`).", "false"),
    "Material.seal_rule": Key("公章要求: which seal or signature the material must carry.",
                              '"head_office"'),
    "Material.restrictive_conditions": Key("限制条件: conditions printed with the material.",
                                           '["复印件须加盖公章"]'),
    "Material.deferral": Key("Whether and how the material may be deferred (容缺); leave it out "
                             "for a material that may not be deferred."),
    "Material.form": Key("The code of one of the item's `[[items.forms]]` when the material is "
                         "that form.", '"llc-application"',
                         allowed="a form code of the same item"),
    "Material.applicant_kinds": Key(
        "Which applicants bring this material; the checklist leaves it out for the others.",
        '["enterprise"]'),
    # --- review points
    "ReviewPoint.code": Key("The point's code, unique within the material; review marks and "
                            "automatic checks name it.", '"signed"'),
    "ReviewPoint.text": Key("What the window checks, in one sentence.",
                            '"法定代表人签字并加盖公章"'),
    "ReviewPoint.requirement": Key(
        "How binding the point is. A hard point not met (or not yet checked on a required "
        "material) stops intake; a failed advice point is listed on the one-time notice but "
        "never turns the applicant away.", '"hard"'),
    # --- deferral
    "Deferral.kind": Key(
        "容缺受理 (`at_acceptance`): the case is taken in now and is not decided until the "
        "material arrives. 容缺发证 (`at_issuance`): the case may be decided now; the result is "
        "not handed out until the material arrives.", '"at_acceptance"'),
    "Deferral.max_days": Key("The longest time allowed, in working days from the day the "
                             "window defers the material, before it must be supplied.", "10"),
    "Deferral.commitment_required": Key("Whether the applicant must sign a commitment letter "
                                        "(告知承诺书) for the deferral.", "true"),
    "Deferral.note": Key("A remark shown with the deferral in the guide and at the window.",
                         '"签署告知承诺书后容缺受理"'),
    # --- forms
    "Form.code": Key("The form's code, unique within the item; a material names it in `form`.",
                     '"llc-application"'),
    "Form.name": Key("The form's name.", '"公司登记（备案）申请书"'),
    "Form.source": Key("出处: who publishes the form.", '"国家市场监督管理总局统一格式"'),
    "Form.fields": Key("The form's fields, each with its filling requirement, note and sample, "
                       "one `[[items.forms.fields]]` table each; names unique within the form."),
    "Form.download_url": Key("The official download address, when there is one.",
                             '"https://www.samr.gov.cn/forms/llc.docx"',
                             allowed="an https:// address"),
    "Form.network": Key("The dedicated network the form must be produced on, if any: a look-up "
                        "network's code (the guide shows its title) or the network's name.",
                        '"project-platform"'),
    "FormField.name": Key("The field's label as printed on the form.", '"企业名称"'),
    "FormField.requirement": Key(
        "填写要求: how to fill the field in, as the applicant reads it. Free text, not a "
        "review point's `hard`/`advice`.", '"与营业执照载明的名称一致"',
        allowed='free text; the words "hard" and "advice" are refused as a mix-up'),
    "FormField.note": Key("注意事项: what applicants get wrong.", '"括号使用全角"'),
    "FormField.sample": Key("The value in the filled sample (表格填写范本). Fictional; an ID "
                            "number or credit code must pass its checksum.",
                            '"鞍山市星河科技有限公司"'),
    # --- look-ups
    "LookupUse.network": Key("The look-up network's code, as some installed plugin supplies it "
                             "through `onewindow_lookups`.", '"credit-registry"'),
    "LookupUse.purpose": Key("What the window checks with the answer.",
                             '"核验股东名称与登记状态"'),
    "LookupUse.material": Key("The material the answer checks, if one.", '"articles"',
                              allowed="a material code of the same item"),
    # --- what automatic checks return (checks.py)
    "CheckOutcome.verdict": Key("The verdict; shown beside the review point."),
    "CheckOutcome.message": Key("What the clerk reads beside the point, in Chinese: why it "
                                "passed, failed or could not be judged."),
    "CheckVerdict.passed": Key("通过: the check found the point met."),
    "CheckVerdict.failed": Key("不通过: the check found the point not met; the message says why."),
    "CheckVerdict.unknown": Key("无法判断: not enough information yet (no look-up made, a "
                                "status it cannot read); the clerk decides. A check that raises "
                                "is reported as unknown, never as passed."),
    "CheckContext.item_code": Key("The case's item."),
    "CheckContext.applicant": Key(
        "The applicant's fields as taken in at the window: `kind` (`enterprise` or `person`), "
        "`name`, `phone`, `credit_code`, `id_number`, `legal_representative`, "
        "`contact_person`, `social_organisation_name`; text, empty when not given."),
    "CheckContext.lookups": Key("The newest found record of each network looked up on the case, "
                                "by network code; a network not yet queried is absent."),
    "MaterialCheck.item": Key("The item's code."),
    "MaterialCheck.material": Key("The material's code within the item."),
    "MaterialCheck.point": Key("The review point's code within the material."),
    "MaterialCheck.run": Key("The check: given a `CheckContext`, returns a `CheckOutcome`."),
}

RULES = (
    "Codes (items, materials, review points, forms) are unique where they live: item codes "
    "across every installed plugin, material and form codes within their item, review point "
    "codes within their material, form field names within their form.",
    "A required material needs at least one `hard` review point.",
    "A material's `form` names a form of the same item; a look-up's `material` names a "
    "material of the same item.",
    "A look-up's `network` is supplied by an installed plugin, and no two plugins supply the "
    "same network code (the error names the plugin that came second and the first).",
    "A form field's `requirement` is 填写要求 text; `hard` or `advice` there is refused.",
    "An item's `section`, if written, equals the file's `[section]` code.",
)

READING = """\
Values are taken as written, never converted: `time_limit_days = "15"` (text), `15.7` or
`true` is an error, so is `commitment_required = "no"` or a number where text belongs. Unknown
keys are errors too. Every fault is reported at once, each naming the file, the item and the
key path with array entries by their code, e.g.
`catalogue.toml: item ent-llc-establish: materials[articles].copies: must be a whole number,
got the text '1' (write 1 without quotes)`. Run `onewindow catalogue check` after each edit:
it loads every installed plugin together, as the web application does at start-up, and
fails on the first plugin with a faulty file."""


# ------------------------------------------------------------------------- the models
@frozen
class Table:
    """One attrs class as it appears in the file: its TOML path, and its place's heading."""

    cls: type
    path: str  # e.g. "items.materials"; "" for the file itself
    array: bool


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _unwrap(type_: Any) -> Any:
    """``X | None`` → X; ``tuple[X, ...]`` → X; anything else as it is."""
    args = typing.get_args(type_)
    if typing.get_origin(type_) in (typing.Union, types.UnionType) and type(None) in args:
        return _unwrap(next(a for a in args if a is not type(None)))
    if typing.get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _unwrap(args[0])
    return type_


def _is_array(type_: Any) -> bool:
    args = typing.get_args(type_)
    if typing.get_origin(type_) in (typing.Union, types.UnionType) and type(None) in args:
        return _is_array(next(a for a in args if a is not type(None)))
    return typing.get_origin(type_) is tuple


def tables(root: type = ROOT) -> list[Table]:
    """Every attrs class reachable from ``root``, depth first, each once, with its path."""
    found: list[Table] = []
    seen: set[type] = set()

    def walk(cls: type, path: str, array: bool) -> None:
        if cls in seen:
            return
        seen.add(cls)
        found.append(Table(cls, path, array))
        hints = _hints(cls)
        for attribute in attrs.fields(cls):
            inner = _unwrap(hints[attribute.name])
            if attrs.has(inner):
                child = f"{path}.{attribute.name}" if path else attribute.name
                walk(inner, child, _is_array(hints[attribute.name]))

    walk(root, "", False)
    return found


def _enums(classes: list[type]) -> list[type[enum.Enum]]:
    """Every enum a field of ``classes`` takes, each once, in order of appearance."""
    found: list[type[enum.Enum]] = []
    for cls in classes:
        for hint in _hints(cls).values():
            inner = _unwrap(hint)
            if isinstance(inner, type) and issubclass(inner, enum.Enum) and inner not in found:
                found.append(inner)
    return found


def _label(member: enum.Enum) -> str:
    """The Chinese label the core gives an enum member, from :mod:`onewindow.labels`."""
    for table in vars(labels).values():
        if isinstance(table, Mapping) and member in table:
            return table[member]
    return ""


def undocumented(classes: list[type]) -> tuple[list[str], list[str]]:
    """(fields and enum members without an entry in KEYS, entries naming nothing)."""
    wanted: list[str] = []
    for cls in classes:
        if issubclass(cls, enum.Enum):
            wanted += [f"{cls.__name__}.{m.value}" for m in cls if not _label(m)]
        else:
            wanted += [f"{cls.__name__}.{a.name}" for a in attrs.fields(cls)]
    enum_members = {f"{e.__name__}.{m.value}" for e in _enums(classes) for m in e}
    known = set(wanted) | enum_members
    missing = [key for key in wanted if key not in KEYS]
    stale = [key for key in KEYS if key not in known]
    return missing, stale


# --------------------------------------------------------------------------- rendering
def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return f'"{value.value}"'
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


def _toml_type(type_: Any) -> str:
    args = typing.get_args(type_)
    if typing.get_origin(type_) in (typing.Union, types.UnionType) and type(None) in args:
        return _toml_type(next(a for a in args if a is not type(None)))
    if typing.get_origin(type_) is tuple:
        inner = args[0]
        return "array of tables" if attrs.has(inner) else f"array of {_toml_type(inner)}"
    if attrs.has(type_) or typing.get_origin(type_) in (dict, Mapping) or type_ in (dict,):
        return "table"
    if isinstance(type_, type) and issubclass(type_, enum.Enum):
        return "text (a listed word)"
    return {str: "text", int: "whole number", float: "number", bool: "true / false"}.get(
        type_, "any value")


def _python_type(type_: Any) -> str:
    if isinstance(type_, type) and not typing.get_args(type_):
        return type_.__name__
    text = repr(type_)
    for prefix in ("typing.", "collections.abc.", "onewindow.checks."):
        text = text.replace(prefix, "")
    return text


def _default(attribute: attrs.Attribute, key: Key) -> str:
    if key.default:
        return key.default
    default = attribute.default
    if default is attrs.NOTHING:
        return "**required**"
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = default.factory()
    if default is None:
        return "left out"
    return f"`{_toml_value(default)}`"


_DESCRIBED_VALIDATORS: dict[Callable[..., Any], str] = {
    _code: "a code: lower-case letters, digits, `.`, `_`, `-`, starting with a letter or digit",
    _text: "not empty",
}


def _rules(validator: Any, name: str) -> list[str]:
    """What the field's validators require, in words; ValueError for one it cannot read."""
    if validator is None:
        return []
    inner = getattr(validator, "_validators", None)
    if inner is not None:
        return [rule for v in inner for rule in _rules(v, name)]
    if validator in _DESCRIBED_VALIDATORS:
        return [_DESCRIBED_VALIDATORS[validator]]
    if hasattr(validator, "compare_op") and hasattr(validator, "bound"):
        return [f"{validator.compare_op} {validator.bound}"]
    if hasattr(validator, "min_length"):
        return ["at least one entry" if validator.min_length == 1
                else f"at least {validator.min_length} entries"]
    if hasattr(validator, "type"):  # instance_of: the type column says it
        return []
    raise ValueError(f"{name}: the generator cannot describe its validator {validator!r}; "
                     "state its rule in KEYS[...].allowed")


def _allowed(cls: type, attribute: attrs.Attribute, hint: Any, key: Key) -> str:
    name = f"{cls.__name__}.{attribute.name}"
    inner = _unwrap(hint)
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        words = ", ".join(f"`{m.value}`" + (f" {_label(m)}" if _label(m) else "")
                          for m in inner)
        return words
    if key.allowed:
        return key.allowed
    return "; ".join(_rules(attribute.validator, name))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _heading(table: Table) -> str:
    if not table.path:
        return "The file"
    return f"`[[{table.path}]]`" if table.array else f"`[{table.path}]`"


def _anchor(table: Table) -> str:
    return table.cls.__name__.lower()


def _first_paragraph(cls: type) -> str:
    doc = textwrap.dedent((cls.__doc__ or "").split("\n\n")[0]).strip()
    return " ".join(doc.split())


def _table_section(table: Table, found: list[Table]) -> Iterator[str]:
    cls = table.cls
    yield f'<a id="{_anchor(table)}"></a>'
    yield f"## {_heading(table)} — {cls.__name__}"
    yield ""
    yield _first_paragraph(cls).replace(":class:", "").replace("``", "`")
    yield ""
    if table.path:
        last = table.path.rpartition(".")[2]
        if table.array:
            yield (f"Each entry is a `[[{table.path}]]` table, or an inline table in "
                   f"`{last} = [{{ ... }}, ...]`.")
        else:
            yield f"A `[{table.path}]` table, or inline: `{last} = {{ ... }}`."
        yield ""
    yield "| Key | Type | Default | Allowed values | Example | Meaning |"
    yield "|---|---|---|---|---|---|"
    hints = _hints(cls)
    for attribute in attrs.fields(cls):
        key = KEYS[f"{cls.__name__}.{attribute.name}"]
        hint = hints[attribute.name]
        inner = _unwrap(hint)
        type_text = _toml_type(hint)
        if attrs.has(inner):
            child = next(t for t in found if t.cls is inner)
            type_text += f" ([{_heading(child)}](#{_anchor(child)}))"
        example = f"`{attribute.name} = {key.example}`" if key.example else "—"
        if not table.path:
            example = "—"
        yield ("| " + " | ".join(_cell(c) for c in (
            f"`{attribute.name}`", type_text, _default(attribute, key),
            _allowed(cls, attribute, hint, key) or "—", example, key.text)) + " |")
    yield ""


def _check_section(cls: type) -> Iterator[str]:
    yield f"### `{cls.__name__}`"
    yield ""
    yield _first_paragraph(cls).replace("``", "`") or f"`onewindow.checks.{cls.__name__}`."
    yield ""
    if issubclass(cls, enum.Enum):
        yield "| Member | Value | Meaning |"
        yield "|---|---|---|"
        for member in cls:
            key = KEYS.get(f"{cls.__name__}.{member.value}")
            meaning = key.text if key else _label(member)
            yield f"| `{cls.__name__}.{member.name}` | `\"{member.value}\"` | {_cell(meaning)} |"
    else:
        yield "| Field | Type | Default | Meaning |"
        yield "|---|---|---|---|"
        hints = _hints(cls)
        for attribute in attrs.fields(cls):
            key = KEYS[f"{cls.__name__}.{attribute.name}"]
            default = ("**required**" if attribute.default is attrs.NOTHING
                       else f"`{attribute.default!r}`")
            yield (f"| `{attribute.name}` | `{_cell(_python_type(hints[attribute.name]))}` | "
                   f"{default} | {_cell(key.text)} |")
    yield ""


def render(root: type = ROOT) -> str:
    """The whole of docs/catalogue.md; ValueError listing every undocumented or stale key.

    ``root`` is the class of a whole file; tests pass a made-up one."""
    found = tables(root)
    classes = [t.cls for t in found] + _enums([t.cls for t in found]) + list(CHECK_TYPES)
    missing, stale = undocumented(classes)
    if missing or stale:
        raise ValueError("catalogue_docs.KEYS is out of step with the models: "
                         + "; ".join(filter(None, [
                             "undocumented: " + ", ".join(missing) if missing else "",
                             "no such field: " + ", ".join(stale) if stale else ""])))
    lines = [
        "# The catalogue file (`catalogue.toml`)",
        "",
        "<!-- Generated by `onewindow catalogue docs -o docs/catalogue.md` from the attrs models",
        "     (core/src/onewindow/catalogue.py, checks.py) and the words in",
        "     core/src/onewindow/catalogue_docs.py. Do not edit here: a test fails when it is",
        "     stale. -->",
        "",
        "A section plugin's catalogue is one TOML file: the `[section]` and its `[[items]]`, each",
        "with its materials, review points, deferrals, forms and look-ups. The plugin loads it",
        "with `onewindow.catalogue_file.load_catalogue_file(path)`. A complete small example is",
        "[`tests/data/sample_catalogue.toml`](../tests/data/sample_catalogue.toml); the eleven",
        "sections' files are under `plugins/*/src/onewindow_*/catalogue.toml`.",
        "",
        "## How values are read",
        "",
        READING,
        "",
        "## Rules across keys",
        "",
        *(f"- {rule}" for rule in RULES),
        "",
        "## Tables",
        "",
        *(f"- [{_heading(t)}](#{_anchor(t)}) — {t.cls.__name__}" for t in found),
        "",
    ]
    for table in found:
        lines += list(_table_section(table, found))
    lines += [
        "## What a plugin's automatic checks return",
        "",
        "A plugin's `onewindow_material_checks` hook (see [hooks.md](hooks.md)) returns",
        "`MaterialCheck`s from `onewindow.checks`; each is run with a `CheckContext` and returns a",
        "`CheckOutcome` holding a `CheckVerdict`. The check is advice beside the review point:",
        "the clerk still marks the point.",
        "",
    ]
    for cls in CHECK_TYPES:
        lines += list(_check_section(cls))
    return "\n".join(lines).rstrip() + "\n"

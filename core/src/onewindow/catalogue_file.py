"""Load a section's catalogue data file (TOML) into frozen catalogue classes.

A section keeps its catalogue as data inside its plugin. A bad file must fail loudly and
precisely: every message names the file, the item and the field, in words a section clerk
can act on. Structuring goes through a private cattrs converter that forbids unknown keys, so a
misspelled field is an error, not silently ignored.
"""

from __future__ import annotations

import enum
import re
import tomllib
import weakref
from os import PathLike
from pathlib import Path
from typing import Any

from cattrs.errors import ForbiddenExtraKeysError
from cattrs.v import format_exception, transform_error

from .catalogue import ApprovalItem, Requirement, Section, SectionCatalogue
from .errors import CatalogueError
from .strict_converter import strict_converter

_converter = strict_converter()


def _format_exception(exc: BaseException, type_: type | None) -> str:
    """One line per fault: keep our validators' own words, cattrs' for the rest."""
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"unknown field(s) {', '.join(sorted(exc.extra_fields))}"
    if isinstance(exc, KeyError):
        return "required field is missing"
    if isinstance(exc, ValueError) and type_ is not None and issubclass(type_, enum.Enum):
        allowed = ", ".join(m.value for m in type_)
        return f"{exc.args[0] if exc.args else exc}; allowed: {allowed}"
    if isinstance(exc, (ValueError, TypeError)) and str(exc):
        return str(exc)
    return format_exception(exc, type_)


def _readable_path(raw: Any, where: str) -> str:
    """Turn ``materials[0].review_points[1]`` into ``materials[licence].review_points[seal]``.

    Codes are what a section clerk sees in the file; list positions are not.
    """
    parts = []
    node = raw
    for name, index in _PATH_PART.findall(where):
        node = node.get(name) if isinstance(node, dict) else None
        if index == "":
            parts.append(name)
            continue
        entry = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
        code = _entry_name(entry)
        parts.append(f"{name}[{code if code else index}]")
        node = entry
    return ".".join(parts) or "(item)"


def _entry_name(entry: Any) -> Any:
    """What names an array entry in the file: its code, a form field's name, a look-up's
    network."""
    if not isinstance(entry, dict):
        return None
    return entry.get("code") or entry.get("name") or entry.get("network")


_PATH_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?")


def _describe(exc: BaseException, raw: Any) -> list[str]:
    """``field.path: problem`` lines for every fault cattrs collected."""
    lines = []
    for line in transform_error(exc, path="$", format_exception=_format_exception):
        message, _, where = line.rpartition(" @ ")
        where = where.removeprefix("$").lstrip(".")
        # attrs validators report at the class; move the field they name into the path
        named = _ATTRS_MESSAGE.match(message)
        if named:
            where = f"{where}.{named.group(2)}".lstrip(".")
            message = "must not be empty" if named.group(1) else f"must {named.group(3)}"
        lines.append(f"{_readable_path(raw, where)}: {message}")
    return lines


_ATTRS_MESSAGE = re.compile(r"^(Length of )?'(\w+)' must (?:be >= 1: 0|(.*))$")

# Optional text fields of an item, checked on the raw TOML: an empty value would pass as "not
# set". Written in the file, each must be real, non-empty text (its type is the converter's).
# Field name: what to do instead of leaving it empty.
_NON_EMPTY_IF_PRESENT = {
    "handled_on_network": "leave the field out for an item handled on the platform",
}


def _raw_item_problems(raw_item: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The faults of those fields, and the item without them so the rest is still checked."""
    problems = []
    for name, instead in _NON_EMPTY_IF_PRESENT.items():
        value = raw_item.get(name)
        if isinstance(value, str) and not value.strip():
            problems.append(f"{name}: must not be empty; {instead}")
            raw_item = {key: v for key, v in raw_item.items() if key != name}
    return raw_item, problems


# A form field's ``requirement`` is 填写要求, free text telling the applicant how to fill the
# field in. These words belong to review points; written here they are a mix-up.
_REVIEW_POINT_WORDS = {r.value for r in Requirement}


def item_problems(item: ApprovalItem) -> list[str]:
    """Rules across fields that structuring one value cannot see, as ``field.path: problem``.

    Run on every item a file holds, and again at registry build on items a plugin built in
    code. Kept out of the attrs classes on purpose: a snapshot kept on an old case must stay
    readable even when a rule is added later.
    """
    problems = []
    for material in item.materials:
        if material.required and not material.hard_points:
            problems.append(
                f"materials[{material.code}].review_points: a required material needs at "
                'least one hard review point (requirement = "hard"), the check the window '
                'must not skip; all its points are "advice". Mark the decisive point hard, '
                "or set required = false if the material may be left out"
            )
    for form in item.forms:
        for form_field in form.fields:
            if form_field.requirement.strip().lower() in _REVIEW_POINT_WORDS:
                problems.append(
                    f"forms[{form.code}].fields[{form_field.name}].requirement: "
                    f"{form_field.requirement!r} is a review point's word; a form field's "
                    "requirement is 填写要求, the instruction for filling the field in as the "
                    "applicant reads it (e.g. 与营业执照载明的名称一致)"
                )
    material_codes = {m.code for m in item.materials}
    for use in item.lookups:
        if use.material and use.material not in material_codes:
            problems.append(f"lookups[{use.network}].material: {use.material!r} is not a "
                            "material of this item")
    return problems


# Where each loaded section and item came from, so errors found later (at registry build,
# when every plugin's networks are known) still name the file. Weak: a catalogue reloaded in
# a test does not pin the old one.
_sources: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def source_of(obj: Any) -> str | None:
    """The catalogue file a section or item was loaded from; None when built in code."""
    try:
        return _sources.get(obj)
    except TypeError:  # not hashable or not weakly referenceable: not from a file
        return None


def structure_section(raw: dict[str, Any], source: str) -> SectionCatalogue:
    """Turn parsed TOML into a :class:`SectionCatalogue`, naming ``source`` on any error."""
    problems: list[str] = []
    if not isinstance(raw, dict) or "section" not in raw:
        raise CatalogueError(f"{source}: missing [section] table")
    extra = set(raw) - {"section", "items"}
    if extra:
        problems.append(f"unknown top-level table(s) {', '.join(sorted(extra))}")
    section: Section | None = None
    try:
        section = _converter.structure(raw["section"], Section)
    except Exception as exc:  # noqa: BLE001 - every failure is reported with its path
        problems.extend(f"section.{line}" for line in _describe(exc, raw["section"]))
    # the items name the section even when the table is faulty, so its faults are not repeated
    section_code = section.code if section else raw["section"].get("code") \
        if isinstance(raw["section"], dict) else None
    items: list[ApprovalItem] = []
    raw_items = raw.get("items", [])
    if not isinstance(raw_items, list):
        problems.append("items: must be an array of tables ([[items]])")
        raw_items = []
    for position, raw_item in enumerate(raw_items, start=1):
        code = raw_item.get("code") if isinstance(raw_item, dict) else None
        label = f"item {code}" if code else f"item #{position}"
        if section_code is not None and isinstance(raw_item, dict):
            raw_item = {"section": section_code, **raw_item}
        if isinstance(raw_item, dict):  # the rest of the item is still checked below
            raw_item, raw_problems = _raw_item_problems(raw_item)
            problems.extend(f"{label}: {line}" for line in raw_problems)
        try:
            items.append(_converter.structure(raw_item, ApprovalItem))
        except Exception as exc:  # noqa: BLE001
            problems.extend(f"{label}: {line}" for line in _describe(exc, raw_item))
    seen: set[str] = set()
    for item in items:
        problems.extend(f"item {item.code}: {line}" for line in item_problems(item))
        if item.code in seen:
            problems.append(f"item {item.code}: duplicate item code")
        seen.add(item.code)
        if section is not None and item.section != section.code:
            problems.append(
                f"item {item.code}: section: {item.section!r} differs from the file's "
                f"section {section.code!r}"
            )
    if problems:
        raise CatalogueError(f"{source}: " + "; ".join(problems), problems=problems, source=source)
    assert section is not None
    for loaded in (section, *items):
        _sources[loaded] = source
    return SectionCatalogue(section=section, items=tuple(items))


def load_catalogue_file(path: str | PathLike[str]) -> SectionCatalogue:
    """Read a TOML catalogue file; raise :class:`CatalogueError` naming the file on any fault."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read catalogue file: {exc.strerror}") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: not valid TOML: {exc}") from exc
    return structure_section(raw, str(path))


def unstructure(obj: Any) -> Any:
    """Plain data (dicts, lists, strings) for JSON export and case snapshots."""
    return _converter.unstructure(obj)


def structure_item(data: dict[str, Any]) -> ApprovalItem:
    """Rebuild an item from plain data with the file's strict rules (types as written)."""
    return _converter.structure(data, ApprovalItem)

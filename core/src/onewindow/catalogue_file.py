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
from os import PathLike
from pathlib import Path
from typing import Any

import cattrs
from cattrs.errors import ForbiddenExtraKeysError
from cattrs.v import format_exception, transform_error

from .catalogue import ApprovalItem, Section, SectionCatalogue
from .errors import CatalogueError

_converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)


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
        code = entry.get("code") or entry.get("name") if isinstance(entry, dict) else None
        parts.append(f"{name}[{code if code else index}]")
        node = entry
    return ".".join(parts) or "(item)"


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

# Optional text fields of an item, checked on the raw TOML: cattrs would turn ``true`` into
# "True", and an empty value would pass as "not set". Written in the file, each must be real,
# non-empty text. Field name: (what it holds, what to do instead of leaving it empty).
_NON_EMPTY_IF_PRESENT = {
    "handled_on_network": ("the dedicated network's name",
                           "leave the field out for an item handled on the platform"),
}


def _raw_item_problems(raw_item: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The faults of those fields, and the item without them so the rest is still checked."""
    problems = []
    for name, (what, instead) in _NON_EMPTY_IF_PRESENT.items():
        if name not in raw_item:
            continue
        value = raw_item[name]
        if not isinstance(value, str):
            problems.append(f"{name}: must be text ({what}), got {value!r}")
        elif not value.strip():
            problems.append(f"{name}: must not be empty; {instead}")
        else:
            continue
        raw_item = {key: v for key, v in raw_item.items() if key != name}
    return raw_item, problems


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
    items: list[ApprovalItem] = []
    raw_items = raw.get("items", [])
    if not isinstance(raw_items, list):
        problems.append("items: must be an array of tables ([[items]])")
        raw_items = []
    for position, raw_item in enumerate(raw_items, start=1):
        code = raw_item.get("code") if isinstance(raw_item, dict) else None
        label = f"item {code}" if code else f"item #{position}"
        if section is not None and isinstance(raw_item, dict):
            raw_item = {"section": section.code, **raw_item}
        if isinstance(raw_item, dict):  # the rest of the item is still checked below
            raw_item, raw_problems = _raw_item_problems(raw_item)
            problems.extend(f"{label}: {line}" for line in raw_problems)
        try:
            items.append(_converter.structure(raw_item, ApprovalItem))
        except Exception as exc:  # noqa: BLE001
            problems.extend(f"{label}: {line}" for line in _describe(exc, raw_item))
    seen: set[str] = set()
    for item in items:
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
    """Rebuild an item from a snapshot kept on a case."""
    return _converter.structure(data, ApprovalItem)

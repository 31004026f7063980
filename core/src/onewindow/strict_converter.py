"""A cattrs converter that takes a data file's values as written, never coerced.

cattrs' defaults call ``int()``, ``bool()`` and ``str()``: ``"15"`` becomes 15, ``15.7`` becomes
15, ``true`` becomes 1 day and ``commitment_required = "no"`` becomes True. In a catalogue a
section clerk maintains, each of those is a typing mistake that must be reported, not guessed
at. Here every scalar must already have its type (a TOML boolean is not a number), an array
must be an array and a table a table; each message says what was expected and what was found,
in TOML's words, so the clerk sees how to write it.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from collections.abc import Callable
from typing import Any

import attrs
import cattrs
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn


def toml_kind(value: Any) -> str:
    """What a value is, in the words of the TOML file it came from."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the whole number {value}"
    if isinstance(value, float):
        return f"the decimal number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (dt.date, dt.time)):
        return f"the date/time {value.isoformat()}"
    return repr(value)


def _text(value: Any, _type: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"must be text in quotes, got {toml_kind(value)}")
    return value


def _whole_number(value: Any, _type: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        hint = ""
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            hint = f" (write {value.strip()} without quotes)"
        raise TypeError(f"must be a whole number, got {toml_kind(value)}{hint}")
    return value


def _number(value: Any, _type: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"must be a number, got {toml_kind(value)}")
    return float(value)


def _boolean(value: Any, _type: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"must be true or false (without quotes), got {toml_kind(value)}")
    return value


def _choice(value: Any, type_: type[enum.Enum]) -> enum.Enum:
    """One of an enum's values, as written; ValueError names the wrong one."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"must be one of the listed words in quotes, got {toml_kind(value)}")
    return type_(value)


def _is_optional(type_: Any) -> bool:
    args = typing.get_args(type_)
    return (typing.get_origin(type_) in (typing.Union, types.UnionType)
            and len(args) == 2 and type(None) in args)


def _optional(type_: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """``X | None``: absent from a file means the default; a value must be a real X."""
    inner = next(arg for arg in typing.get_args(type_) if arg is not type(None))

    def structure(value: Any, _type: Any) -> Any:
        return None if value is None else converter.get_structure_hook(inner)(value, inner)
    return structure


def _is_array(type_: Any) -> bool:
    args = typing.get_args(type_)
    return typing.get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis


def _array(type_: Any, converter: cattrs.Converter) -> Callable[[Any, Any], tuple]:
    """``tuple[X, ...]``: a TOML array, each element checked (cattrs would split a string)."""
    inner = typing.get_args(type_)[0]

    def structure(value: Any, _type: Any) -> tuple:
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"must be an array [...], got {toml_kind(value)}")
        hook = converter.get_structure_hook(inner)
        results, errors = [], []
        for index, element in enumerate(value):
            try:
                results.append(hook(element, inner))
            except Exception as exc:  # noqa: BLE001 - collected, each with its position
                note = IterableValidationNote(f"Structuring {type_} @ index {index}", index, inner)
                exc.__notes__ = [*getattr(exc, "__notes__", []), note]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
        return tuple(results)
    return structure


def _table(type_: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """An attrs class: a TOML table (``{ ... }`` or ``[name]``), then cattrs' own checks."""
    structure_fields = make_dict_structure_fn(type_, converter)

    def structure(value: Any, _type: Any) -> Any:
        if not isinstance(value, dict):
            raise TypeError(f"must be a table, got {toml_kind(value)}")
        return structure_fields(value, type_)
    return structure


def strict_converter() -> cattrs.Converter:
    """A converter that forbids unknown keys and coerces nothing; errors are collected."""
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    for type_, hook in ((str, _text), (int, _whole_number), (float, _number), (bool, _boolean)):
        converter.register_structure_hook(type_, hook)
    # hooks go by the class's MRO: StrEnum and IntEnum must not fall to the str and int hooks
    for type_ in (enum.Enum, enum.StrEnum, enum.IntEnum):
        converter.register_structure_hook(type_, _choice)
    converter.register_structure_hook_factory(_is_optional, _optional)
    converter.register_structure_hook_factory(_is_array, _array)
    converter.register_structure_hook_factory(attrs.has, _table)
    return converter

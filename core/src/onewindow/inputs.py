"""One normalisation step for every piece of typed text that core stores (输入规范化).

Whatever a clerk, an applicant's scanner or a hostile client sends, each core entry point that
stores text (intake, transfer forms, inquiries, joint-review calls, point reports, drafts,
accounts, review and action reasons) passes it through here first, so the rules are written
once and the database never sees what it cannot hold:

* Surrounding whitespace is stripped. Multi-line fields keep newlines and tabs (``\\r\\n`` and
  a lone ``\\r`` become ``\\n``); every other control character (NUL included), unpaired
  surrogates and the bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F,
  U+061C), which make stored text read differently from what it is, are refused with a
  :class:`~onewindow.errors.ValidationError` naming the field.
* Identifiers (credit codes, resident ID numbers, phone numbers) are NFKC-normalised
  (full-width ``９１２１`` becomes ``9121``), spaces and hyphens are removed and letters
  upper-cased *before* their length and checksum are checked.
* Each field's length limit is its database column's (the peewee model's ``max_length``, read
  by :func:`column_limit` so the two cannot drift); an unbounded TEXT column gets the limit its
  desk names. Longer input is refused ("不超过 64 个字"), never cut.

Names and free text are otherwise kept exactly as typed: a company's registered name keeps its
full-width brackets.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import peewee as pw
from stdnum.cn import ric, uscc
from stdnum.util import clean

from .errors import ValidationError

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F; Cs the surrogates.
_CONTROLS = "\x00-\x1f\x7f-\x9f"
_SINGLE_LINE_BAD = re.compile(f"[{_CONTROLS}\ud800-\udfff{BIDI_CONTROLS}]")
_MULTI_LINE_BAD = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{BIDI_CONTROLS}]")

# Row ids are 32-bit on PostgreSQL (serial) and must fit SQLite's 64-bit integers.
MAX_ROW_ID = 2**31 - 1
CASE_NUMBER = re.compile(r"\d{12,20}")  # yyyymmdd + the day's sequence (services._next_number)
TRANSFER_NUMBER = re.compile(r"ZW\d{12,20}")  # transfers.NUMBER_PREFIX + yyyymmdd + sequence

# GB 11714 organisation code (组织机构代码): 8 characters and a check character, which a
# credit code carries at positions 9-17.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY = re.compile(r"[0-9A-Z]{8}")


def column_limit(field: pw.Field) -> int:
    """The number of characters a CHAR column holds (its model's ``max_length``)."""
    limit = getattr(field, "max_length", None)
    if not limit:
        raise TypeError(f"{field.name} is not a bounded column: name the limit explicitly")
    return int(limit)


def refusal(value: str, *, multiline: bool = False) -> str:
    """Why ``value`` cannot be stored as text, in Chinese, or ``""`` when it can."""
    bad = (_MULTI_LINE_BAD if multiline else _SINGLE_LINE_BAD).search(value)
    if bad is None:
        return ""
    char, position = bad.group(), bad.start() + 1
    if char in BIDI_CONTROLS:
        return (f"不能包含文字方向控制符（第 {position} 个字符 U+{ord(char):04X}），"
                "请删除后重新输入")
    if "\ud800" <= char <= "\udfff":
        return f"含有无效的字符编码（第 {position} 个字符），请重新输入"
    if char in "\r\n\t":
        return f"不能换行或包含制表符（第 {position} 个字符），请写在一行内"
    return f"不能包含控制字符（第 {position} 个字符 U+{ord(char):04X}），请删除后重新输入"


def too_long(value: str, limit: int) -> str:
    """The message for text over ``limit`` characters, or ``""``."""
    if len(value) <= limit:
        return ""
    return f"不超过 {limit} 个字（现有 {len(value)} 个字）"


def clean_text(value: Any, field: str, *, limit: int, multiline: bool = False) -> str:
    """``value`` stripped and checked; raise :class:`ValidationError` ``{field: why}``."""
    text = _as_text(value, multiline)
    problem = refusal(text, multiline=multiline) or too_long(text, limit)
    if problem:
        raise ValidationError({field: problem})
    return text


def _as_text(value: Any, multiline: bool) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def compact_identifier(value: Any) -> str:
    """A code as its registry writes it: NFKC (full-width to half-width), no spaces or
    hyphens (any dash python-stdnum knows), upper case. Control characters are left in, for
    :func:`refusal` to name."""
    text = "" if value is None else str(value)
    # until nothing changes: upper() can undo NFKC (ŗ becomes R + U+0327), and stdnum's clean()
    # maps some marks NFKC leaves (U+0300 becomes an apostrophe), so one pass is not idempotent
    for _ in range(8):
        once = unicodedata.normalize("NFKC", text)
        once = "".join(c for c in clean(once, " -") if unicodedata.category(c) != "Zs").upper()
        once = unicodedata.normalize("NFKC", once)
        if once == text:
            break
        text = once
    return text


def organisation_check_char(body: str) -> str:
    """GB 11714's check character for an organisation code's first 8 characters."""
    if not _ORG_BODY.fullmatch(body):
        raise ValueError(f"{body!r} is not 8 digits or capital letters")
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w
                for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def credit_code_problem(code: str) -> str:
    """Why a compacted credit code is not valid (Chinese), or ``""``.

    python-stdnum's ``cn.uscc`` checks the length, the alphabet and the 18th character; the
    embedded organisation code's own check character (position 17, GB 11714) is checked here.
    """
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位（现有 {len(code)} 位），请核对"
    if not uscc.is_valid(code):
        return "统一社会信用代码校验不通过，请核对18位代码"
    if organisation_check_char(code[8:16]) != code[16]:
        return "统一社会信用代码中的组织机构代码（第9至17位）校验不通过，请核对18位代码"
    return ""


def is_valid_credit_code(value: Any) -> bool:
    """True for a unified social credit code whose both check characters hold."""
    code = compact_identifier(value)
    return not refusal(code) and not credit_code_problem(code)


def with_check_chars(first_16: str) -> str:
    """A valid credit code from its first 8 characters and the organisation code's first 8:
    both check characters computed (for fixtures and tests; keep them obviously fictional)."""
    body = first_16 + organisation_check_char(first_16[8:16])
    return body + uscc.calc_check_digit(body)


def id_number_problem(number: str) -> str:
    """Why a compacted resident ID number is not valid (Chinese), or ``""``."""
    if len(number) != 18:
        return f"身份证号码应为 18 位（现有 {len(number)} 位），请核对"
    if not ric.is_valid(number):
        return "身份证号码校验不通过，请核对18位号码"
    return ""


def is_case_number(value: Any) -> bool:
    """True when ``value`` has the form of a case number (so it may be looked up)."""
    return isinstance(value, str) and CASE_NUMBER.fullmatch(value) is not None


def is_transfer_number(value: Any) -> bool:
    return isinstance(value, str) and TRANSFER_NUMBER.fullmatch(value) is not None


def is_row_id(value: Any) -> bool:
    """True for an integer a row id column can hold (1 to 2**31 - 1)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ROW_ID


class Form:
    """Reads one form's fields through these rules, collecting every error at once::

        form = Form(data)
        name = form.text("name", limit=column_limit(CaseRow.applicant_name))
        notes = form.text("notes", limit=2000, multiline=True)
        form.check()  # raises ValidationError naming every bad field
    """

    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.errors: dict[str, str] = {}

    def text(self, name: str, *, limit: int, multiline: bool = False,
             required: str = "") -> str:
        """The field stripped; an error for a bad character, over ``limit``, or missing
        (``required`` is then the message). A bad field reads as ``""``."""
        value = _as_text(self.data.get(name), multiline)
        problem = refusal(value, multiline=multiline) or too_long(value, limit)
        if not problem and required and not value:
            problem = required
        if problem:
            self.fail(name, problem)
            return ""
        return value

    def identifier(self, name: str, *, limit: int) -> str:
        """The field as :func:`compact_identifier` makes it, checked like :meth:`text` after
        the separators are gone. A bad field reads as ``""``."""
        raw = self.data.get(name)
        value = compact_identifier(raw)
        problem = refusal(value) or too_long(value, limit)
        if problem:
            self.fail(name, problem)
            return ""
        return value

    def fail(self, name: str, message: str) -> None:
        """Record an error for ``name`` (the first one found for a field stays)."""
        self.errors.setdefault(name, message)

    def check(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


__all__ = ["BIDI_CONTROLS", "Form", "clean_text", "column_limit", "compact_identifier",
           "credit_code_problem", "id_number_problem", "is_case_number", "is_row_id",
           "is_transfer_number", "is_valid_credit_code", "organisation_check_char", "refusal",
           "too_long", "with_check_chars"]

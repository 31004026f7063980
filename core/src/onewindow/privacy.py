"""Personal data: where a resident ID number (居民身份证号码) may be shown whole, and masking.

One rule for the whole hall. Every page, list and print shows an applicant's ID number masked
(``1101**********002X``: enough to match a card held at the window, not to misuse) except the
documents in :data:`DOCUMENT_RULES` marked :attr:`Disclosure.FULL`, each with the reason the
paper needs the whole number. Whoever opens or prints one of those is chained into the audit
trail (:func:`record_full_disclosure`). Unified social credit codes belong to organisations, not
people, and are never masked.

Log lines never carry a whole ID number, whatever was typed: :class:`IdNumberFilter` masks
anything that looks like one in a record's message, its arguments and its traceback, and
:func:`install_log_filter` puts it in front of every handler of the process (the web app and
the ``onewindow`` command install it at start).
"""

from __future__ import annotations

import enum
import logging
import re
import traceback
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from attrs import frozen

from .case import Actor, mask_id_number

if TYPE_CHECKING:
    from .services import Hall

__all__ = ["DOCUMENT_RULES", "Disclosure", "DocumentRule", "IdNumberFilter", "id_number_for",
           "audit_username", "install_log_filter", "mask_id_number", "mask_text", "record_full_disclosure",
           "shows_full_id"]


class Disclosure(enum.StrEnum):
    FULL = "full"
    MASKED = "masked"


@frozen
class DocumentRule:
    """How one page or paper shows an applicant's resident ID number, and why."""

    document: str
    title: str  # the document's Chinese name
    disclosure: Disclosure
    reason: str


_RULES = (
    DocumentRule("transfer_form_print", "专网审批事项信息转交表（打印件）", Disclosure.FULL,
                 "转交表是录入业务专网审批结果的依据：专网系统按申请人的完整身份证号码建档，"
                 "签字的纸质表需与专网记录逐项核对，部分号码无法核对。"),
    DocumentRule("entry_form", "受理登记、转交表、咨询登记填写页及其草稿中的身份证号码输入框", Disclosure.FULL,
                 "工作人员自己正在录入的号码：输入框须保留完整号码才能核对、更正和提交；仅在"
                 "该输入框内，从不作为文字显示，也不属于查阅已存档案，故不逐次留痕。"),
    DocumentRule("transfer_form_page", "专网审批事项信息转交表（页面）", Disclosure.MASKED,
                 "窗口录入只需核对申请人与号码首尾；需要完整号码时打印转交表（打印留痕）。"),
    DocumentRule("receipt", "接件回执（受理通知书）", Disclosure.MASKED,
                 "回执交申请人本人保存，凭办件编号查询；写全号码会使遗失的回执泄露身份信息。"),
    DocumentRule("notice", "一次性告知书", Disclosure.MASKED,
                 "告知书只列需补正的材料，以办件编号对应办件，无需完整号码。"),
    DocumentRule("commitment", "容缺受理承诺书", Disclosure.MASKED,
                 "承诺人当面签字并核验身份证原件，办件记录保存完整号码；承诺书本身以办件编号"
                 "对应，无需完整号码。"),
    DocumentRule("seal_ledger", "用印登记台账", Disclosure.MASKED,
                 "台账按办件编号登记用印，只列申请人名称，不列号码。"),
    DocumentRule("case_page", "办件页面", Disclosure.MASKED,
                 "窗口凭身份证原件核对，号码首尾足以对应。"),
    DocumentRule("lists", "各类列表（首页、检索、转交表列表、咨询、草稿）", Disclosure.MASKED,
                 "列表只用于找到办件，不需要完整号码。"),
    DocumentRule("consultation", "咨询登记", Disclosure.MASKED,
                 "咨询不形成办件，只保存并显示部分号码。"),
    DocumentRule("guide", "办事指南及表格填写样例", Disclosure.MASKED,
                 "样例中的号码即使是编造的，校验合格时也可能属于真实的人；样例只需示意格式。"),
    DocumentRule("lookups", "专网核查结果", Disclosure.MASKED,
                 "核查结果页面与留痕只显示部分号码。"),
)
DOCUMENT_RULES: Mapping[str, DocumentRule] = {rule.document: rule for rule in _RULES}
FULL_ID_ACTION = "view_full_id"  # the audit row of a page or print showing a whole number


def shows_full_id(document: str) -> bool:
    """Whether ``document`` shows the whole ID number; unknown documents never do."""
    rule = DOCUMENT_RULES.get(document)
    return rule is not None and rule.disclosure is Disclosure.FULL


def id_number_for(document: str, id_number: str) -> str:
    """The ID number as ``document`` may show it: whole only where the rule says so."""
    return id_number if shows_full_id(document) else mask_id_number(id_number)


def record_full_disclosure(hall: Hall, actor: Actor, document: str, subject: str) -> int:
    """Chain "``actor`` opened ``document`` ``subject`` with a whole ID number" into the trail.

    Called by whatever shows such a document, before it is shown; returns the audit seq.
    Refuses (ValueError) a document the rule does not let show a whole number.
    """
    from . import audit

    if not shows_full_id(document):
        raise ValueError(f"{document} never shows a whole ID number")
    with hall.db.atomic():
        return audit.append_record(
            hall.settings.audit_key, case_number=None, action=FULL_ID_ACTION,
            actor=actor.username, role=actor.role.value, at=hall.clock(),
            data={"document": document, "subject": subject})


# ------------------------------------------------------------------------------ logs
# A run of 15 or more digits, with an optional X straight after it: the 18-character (17 digits and a
# check character) and 15-digit (pre-1999) forms, also inside longer runs or glued to letters,
# so no spelling of a number survives whole. 17 digits followed by another letter are the tail
# of a credit code (never personal) and are left alone.
# A separator people type inside a number they read off a card: spaces, hyphen, dashes.
_SEP = r"[ \t\u3000\-\u2010-\u2015\uff0d]?"
_ID_LIKE = re.compile(
    r"\d{15,}[XxＸｘ]?"  # a run of 15 or more digits (an ID number, or something as long)
    # an 18- or 15-character ID number typed in groups ("110101 19900307 002X"), not part of
    # a longer number (two case numbers side by side stay as they are)
    rf"|(?<!\d)\d(?:{_SEP}\d){{16}}{_SEP}[\dXxＸｘ](?![\dA-Za-z])"
    rf"|(?<!\d)\d(?:{_SEP}\d){{14}}(?![\dA-Za-z])")


def _mask_match(match: re.Match[str]) -> str:
    found = match.group(0)
    after = match.string[match.end():match.end() + 1]
    if len(found) == 17 and after.isascii() and after.isalpha():
        return found
    return mask_id_number(found)


def mask_text(text: str) -> str:
    """``text`` with everything that looks like a resident ID number masked."""
    return _ID_LIKE.sub(_mask_match, text) if text else text


def _mask_value(value: Any) -> Any:
    if isinstance(value, _Masked):
        return value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value if len(str(value)) < 15 else mask_text(str(value))
    if isinstance(value, bytes | bytearray):
        return mask_text(bytes(value).decode("utf-8", "replace"))
    if value is None or isinstance(value, bool):
        return value
    # containers by their repr (what %r and %s print for them), anything else by its str
    try:
        shown = (repr(value) if isinstance(value, (dict, list, tuple, set, frozenset))
                 else str(value))
    except Exception:  # noqa: BLE001 - a broken __str__ must not break the log call
        return value
    return _Masked(mask_text(shown)) if _ID_LIKE.search(shown) else value


class _Masked(str):
    """A masked ``repr`` that formats as itself under ``%r`` too."""

    def __repr__(self) -> str:
        return str(self)


class IdNumberFilter(logging.Filter):
    """Masks ID-number look-alikes in a record's message, arguments and traceback; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _mask_value(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {k: _mask_value(v) for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_mask_value(v) for v in record.args)
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = mask_text("".join(
                traceback.format_exception(*record.exc_info)).rstrip("\n"))
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


_FILTER = IdNumberFilter()


def install_log_filter() -> IdNumberFilter:
    """Pass every log record of the process through :class:`IdNumberFilter` as it is made.

    Installed at the record factory, so handlers configured later (uvicorn's, a test's) and
    records of every logger get it too. Idempotent.
    """
    factory = logging.getLogRecordFactory()
    if getattr(factory, "onewindow_masks_ids", False):
        return _FILTER

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        _FILTER.filter(record)
        return record

    masking_factory.onewindow_masks_ids = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masking_factory)
    return _FILTER


def audit_username(username: str) -> str:
    """Typed text as the audit trail keeps it: ID-number look-alikes masked, control and other
    unprintable characters as ``?`` (PostgreSQL refuses NUL), at most the column's 64."""
    return "".join(c if c.isprintable() else "?" for c in mask_text(username))[:64]

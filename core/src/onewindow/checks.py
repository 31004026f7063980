"""Automatic material checks: what a plugin's code can verify that data cannot say.

A check is tied to one review point of one material of one item. The core runs it when the
window asks for the checklist of a case and shows its verdict beside the point; the clerk still
decides (the check is advice to the clerk, never a silent pass).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from attrs import field, frozen

from .catalogue import _code


class CheckVerdict(enum.StrEnum):
    """What an automatic check concluded about its review point."""

    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"  # not enough information yet (e.g. no look-up made)


@frozen
class CheckOutcome:
    """What a check returns: its verdict and the sentence the clerk reads beside the point."""

    verdict: CheckVerdict
    message: str


@frozen
class CheckContext:
    """What a check may read: the applicant's fields and the look-ups made on the case.

    ``lookups`` maps a network code to the newest FOUND record for it.
    """

    item_code: str
    applicant: Mapping[str, Any]
    lookups: Mapping[str, Mapping[str, Any]]


@frozen
class MaterialCheck:
    """An automatic check of one review point, as returned from ``onewindow_material_checks``."""

    item: str = field(validator=_code)
    material: str = field(validator=_code)
    point: str = field(validator=_code)
    run: Callable[[CheckContext], CheckOutcome]


def run_checks(checks: Sequence[MaterialCheck], context: CheckContext
               ) -> dict[tuple[str, str], CheckOutcome]:
    """Run every check for ``context.item_code``; key the outcomes by (material, point).

    A check that raises is reported as UNKNOWN with its error, never as passed.
    """
    outcomes: dict[tuple[str, str], CheckOutcome] = {}
    for check in checks:
        if check.item != context.item_code:
            continue
        try:
            outcome = check.run(context)
        except Exception as exc:  # noqa: BLE001 - a faulty plugin check must not stop intake
            outcome = CheckOutcome(CheckVerdict.UNKNOWN, f"自动核验出错：{exc}")
        outcomes[(check.material, check.point)] = outcome
    return outcomes


# Helpers the sections' checks share: registries spell names and codes in their own ways.

def normalise_name(name: Any) -> str:
    """Fold full-width/half-width forms and drop whitespace: （ ） and ( ) compare equal."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name or "")))


def normalise_code(code: Any) -> str:
    """A credit code, permit or certificate number without spaces or dashes, upper case."""
    return re.sub(r"[\s-]+", "", str(code or "")).upper()


def parse_date(value: Any) -> dt.date | None:
    """A registry date ``YYYY-MM-DD``; None when missing or malformed."""
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def found_record(context: CheckContext, network: str) -> Mapping[str, Any] | None:
    """The newest found record of ``network`` on the case, or None before a look-up."""
    return context.lookups.get(network) or None


def classify_status(status: Any, classes: Mapping[str, Iterable[str]]) -> str:
    """Which class a registry's status text belongs to, judged by the words it contains.

    ``classes`` maps a class name to a tuple of its wordings, e.g. ``{"revoked": ("吊销",),
    "active": ("存续", "在营")}``, and is tried in its order: the first class one of whose words
    occurs in the text wins, so put the graver classes first ("有效（暂扣）" is suspended, not in
    force). Returns ``"missing"`` for an empty or blank status and ``"unknown"`` when no word
    occurs. A bare string of words (``("吊销")`` without its comma) is a TypeError.
    """
    text = str(status or "").strip()
    if not text:
        return "missing"
    for name, words in classes.items():
        if isinstance(words, str):
            raise TypeError(f"status class {name!r}: give a tuple of words, not the string {words!r}")
        if any(word in text for word in words):
            return name
    return "unknown"


def unclear_status(status: Any, what: str, source: str = "查询记录") -> CheckOutcome:
    """UNKNOWN for a status the check cannot judge: missing from the record, or unrecognised.

    ``what`` names the status ("许可证" gives 许可证状态) and ``source`` the record it was read
    from: "查询记录未载明许可证状态，请人工核实" or "许可证状态“待定”无法识别，请人工核实".
    """
    text = str(status or "").strip()
    if not text:
        return CheckOutcome(CheckVerdict.UNKNOWN, f"{source}未载明{what}状态，请人工核实")
    return CheckOutcome(CheckVerdict.UNKNOWN, f"{what}状态“{text}”无法识别，请人工核实")


@frozen
class HolderComparison:
    """The applicant set against the holder a record names, by credit code and name.

    Codes and names are normalised (``normalise_code``, ``normalise_name``); ``raw_name`` is the
    applicant's name as filled in, for messages. Build one with ``compare_holder``.
    """

    applicant_code: str
    applicant_name: str
    raw_name: Any
    record_code: str
    record_name: str

    @property
    def missing(self) -> bool:
        """The applicant's code or name is not filled in: nothing to compare."""
        return not self.applicant_code or not self.applicant_name

    @property
    def code_matches(self) -> bool:
        return self.applicant_code == self.record_code

    @property
    def name_matches(self) -> bool:
        return self.applicant_name == self.record_name

    def outcome(self, *, missing: str, code_mismatch: str, name_mismatch: str, passed: str
                ) -> CheckOutcome:
        """UNKNOWN ``missing`` when the applicant's code or name is not filled in; FAILED with
        ``code_mismatch`` and/or ``name_mismatch`` (joined by "；", code first); else PASSED."""
        if self.missing:
            return CheckOutcome(CheckVerdict.UNKNOWN, missing)
        problems = []
        if not self.code_matches:
            problems.append(code_mismatch)
        if not self.name_matches:
            problems.append(name_mismatch)
        if problems:
            return CheckOutcome(CheckVerdict.FAILED, "；".join(problems))
        return CheckOutcome(CheckVerdict.PASSED, passed)


def compare_holder(context: CheckContext, record: Mapping[str, Any], *, name_field: str = "name",
                   code: Any = None, name: Any = None) -> HolderComparison:
    """Compare the applicant's ``credit_code`` and ``name`` with the record's ``credit_code``
    and ``name_field``. ``code`` and ``name`` stand in for the applicant's own fields when a
    section knows its applicant otherwise (an ID number, an organisation's name)."""
    if code is None:
        code = context.applicant.get("credit_code")
    if name is None:
        name = context.applicant.get("name")
    return HolderComparison(
        applicant_code=normalise_code(code),
        applicant_name=normalise_name(name),
        raw_name=name,
        record_code=normalise_code(record.get("credit_code")),
        record_name=normalise_name(record.get(name_field)),
    )

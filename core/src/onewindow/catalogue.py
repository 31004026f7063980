"""The approval catalogue (审批事项目录): what each section offers and what the window checks.

Everything here is a frozen attrs class: catalogue entries are data that a section publishes,
never mutated at run time. Plugins load them from a data file with
:func:`onewindow.catalogue_file.load_catalogue_file`; the plugin manager gathers them into one
:class:`Catalogue`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping

from attrs import field, frozen, validators

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def _code(instance, attribute, value):
    if not isinstance(value, str) or not CODE_PATTERN.match(value):
        raise ValueError(
            f"'{attribute.name}' must be lower-case letters, digits, '.', '_' or '-' "
            f"and start with a letter or digit, got {value!r}"
        )


def _text(instance, attribute, value):
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"'{attribute.name}' must be non-empty text")


NETWORK_NAME_MAX = 100  # a network's name as the guide and the transfer form print it


def _network_name(instance, attribute, value):
    """Empty (handled on the platform), or the dedicated network's name as a clerk reads it."""
    if not isinstance(value, str):
        raise ValueError(f"'{attribute.name}' must be text, got {value!r}")
    if value == "":
        return
    if not value.strip():
        raise ValueError(f"'{attribute.name}' must be the dedicated network's name, not blank")
    if value != value.strip() or "\n" in value or "\r" in value:
        raise ValueError(f"'{attribute.name}' must be one line without leading or trailing "
                         f"spaces, got {value!r}")
    if len(value) > NETWORK_NAME_MAX:
        raise ValueError(f"'{attribute.name}' must be at most {NETWORK_NAME_MAX} characters, "
                         f"got {len(value)}")
    if CODE_PATTERN.match(value):
        raise ValueError(f"'{attribute.name}' must be the dedicated network's name as a clerk "
                         f"reads it (e.g. 投资项目在线审批监管平台), not a code like {value!r}")


def _unique(what: str, codes: Iterable[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"duplicate {what} code {code!r}")
        seen.add(code)


class Requirement(enum.StrEnum):
    """How binding a review point is: 硬性要求 (hard) or 建议 (advice)."""

    HARD = "hard"
    ADVICE = "advice"


class SealRule(enum.StrEnum):
    """Which seal or signature a material must carry (公章要求)."""

    HEAD_OFFICE = "head_office"  # 加盖总公司公章
    BRANCH = "branch"  # 加盖分公司公章
    LEGAL_REPRESENTATIVE_SIGNATURE = "legal_representative_signature"  # 法定代表人签字
    NONE = "none"  # 无需盖章


class MaterialForm(enum.StrEnum):
    """Whether the window takes the original, a copy, or sees the original and keeps a copy."""

    ORIGINAL = "original"  # 原件
    COPY = "copy"  # 复印件
    ORIGINAL_AND_COPY = "original_and_copy"  # 验原件收复印件


class DeferralKind(enum.StrEnum):
    """The two kinds of deferral (容缺).

    AT_ACCEPTANCE (容缺受理): the case is taken in now; the material must arrive before the
    decision. AT_ISSUANCE (容缺发证): the case is decided now; the material must arrive before
    the result is handed out.
    """

    AT_ACCEPTANCE = "at_acceptance"
    AT_ISSUANCE = "at_issuance"


class ApplicantKind(enum.StrEnum):
    """Who may apply for an item: an enterprise or other unit (单位) or a person (个人)."""

    ENTERPRISE = "enterprise"
    PERSON = "person"


@frozen
class Section:
    """An approval section (审批业务科), e.g. 企业登记科."""

    code: str = field(validator=_code)
    name: str = field(validator=_text)
    description: str = ""


@frozen
class ReviewPoint:
    """One formal review point (形式审查要点): a single check the window makes on a material."""

    code: str = field(validator=_code)
    text: str = field(validator=_text)
    requirement: Requirement = Requirement.HARD

    @property
    def is_hard(self) -> bool:
        return self.requirement is Requirement.HARD


@frozen
class Deferral:
    """Whether and how a material may be deferred (可容缺).

    ``max_days`` is the longest allowed time, in working days from intake, before the material
    must be supplied; ``commitment_required`` says the applicant must sign a commitment letter
    (告知承诺书) for the deferral.
    """

    kind: DeferralKind
    max_days: int = field(validator=validators.and_(validators.instance_of(int), validators.gt(0)))
    commitment_required: bool = False
    note: str = ""


@frozen
class FormField:
    """One field of an application form with its filling sample (表格填写范本)."""

    name: str = field(validator=_text)
    requirement: str = field(validator=_text)  # 填写要求
    note: str = field(validator=_text)  # 注意事项
    sample: str = field(validator=_text)  # the value in the filled sample


@frozen
class Form:
    """An application form (申请表格): where it comes from and how to fill it in.

    One definition serves three outputs: the blank form a clerk prints, the filled sample
    (表格填写范本) and the on-screen guide, so they can never disagree. ``download_url`` is the
    official address when one exists; ``network`` names the dedicated network a form must be
    produced on, if any. Without either, the platform's own printable blank form is the download.
    """

    code: str = field(validator=_code)
    name: str = field(validator=_text)
    source: str = field(validator=_text)  # 出处
    fields: tuple[FormField, ...] = field(converter=tuple, validator=validators.min_len(1))  # noqa: E501
    download_url: str = ""
    network: str = ""

    def __attrs_post_init__(self):
        if self.download_url and not self.download_url.startswith("https://"):
            raise ValueError("'download_url' must be an https:// address")
        _unique("form field", (f.name for f in self.fields))


@frozen
class Material:
    """An application material (申请材料) with everything the window checks on it."""

    code: str = field(validator=_code)
    name: str = field(validator=_text)
    form_of: MaterialForm
    copies: int = field(validator=validators.and_(validators.instance_of(int), validators.ge(1)))
    issuer: str = field(validator=_text)  # 出具单位
    review_points: tuple[ReviewPoint, ...] = field(
        converter=tuple, validator=validators.min_len(1)
    )
    required: bool = True
    seal_rule: SealRule = SealRule.NONE
    restrictive_conditions: tuple[str, ...] = field(converter=tuple, default=())
    deferral: Deferral | None = None
    form: str = ""  # code of a Form of the same item, when the material is a form
    applicant_kinds: tuple[ApplicantKind, ...] = field(
        converter=tuple, default=(ApplicantKind.ENTERPRISE, ApplicantKind.PERSON)
    )

    def __attrs_post_init__(self):
        _unique("review point", (p.code for p in self.review_points))

    @property
    def hard_points(self) -> tuple[ReviewPoint, ...]:
        return tuple(p for p in self.review_points if p.is_hard)


@frozen
class LookupUse:
    """An item's declaration that the window must query a dedicated network (业务专网).

    ``network`` names a look-up that some plugin supplies through ``onewindow_lookups``.
    """

    network: str = field(validator=_code)
    purpose: str = field(validator=_text)
    material: str = ""  # the material the answer checks, if any


@frozen
class ApprovalItem:
    """An approval item (审批事项) as one section publishes it, in one catalogue version.

    ``handled_on_network`` names the dedicated network (业务专网) on which the item can be
    handled end to end (全流程专网审批, 可通过各业务专网开展全流程网上审批的事项), e.g.
    ``投资项目在线审批监管平台``; empty for an item handled on the platform as usual. It is the
    network's name as a clerk reads it, not a look-up code: the network an item is approved on
    is often not the one the window queries (enterprise registration is handled on the 企业登记
    全程电子化平台, the window queries the 国家企业信用信息公示系统). Only such items may be
    recorded from a dedicated-network transfer form (专网审批事项信息转交表); the window may still
    take them in at the hall like any other item.
    """

    code: str = field(validator=_code)
    name: str = field(validator=_text)
    section: str = field(validator=_code)
    version: str = field(validator=_text)
    intake_category: str = field(validator=_text)  # 接件分类
    legal_basis: tuple[str, ...] = field(converter=tuple, validator=validators.min_len(1))
    time_limit_days: int = field(
        validator=validators.and_(validators.instance_of(int), validators.gt(0))
    )  # 承诺时限, working days
    result: str = field(validator=_text)  # 审批结果, e.g. 营业执照
    materials: tuple[Material, ...] = field(converter=tuple, validator=validators.min_len(1))
    # who may apply; required, never assumed (a silent "enterprise only" surprised an author)
    applicant_kinds: tuple[ApplicantKind, ...] = field(converter=tuple,
                                                       validator=validators.min_len(1))
    forms: tuple[Form, ...] = field(converter=tuple, default=())
    lookups: tuple[LookupUse, ...] = field(converter=tuple, default=())
    statutory_limit_days: int | None = None  # 法定时限, when it differs
    fee: str = "不收费"
    handled_on_network: str = field(default="", validator=_network_name)  # 全流程专网审批

    def __attrs_post_init__(self):
        _unique("material", (m.code for m in self.materials))
        _unique("form", (f.code for f in self.forms))
        form_codes = {f.code for f in self.forms}
        for material in self.materials:
            if material.form and material.form not in form_codes:
                raise ValueError(
                    f"material {material.code!r} names form {material.form!r}, "
                    "which this item does not define"
                )

    def material(self, code: str) -> Material:
        for material in self.materials:
            if material.code == code:
                return material
        raise KeyError(f"item {self.code} has no material {code!r}")

    def form(self, code: str) -> Form:
        for form in self.forms:
            if form.code == code:
                return form
        raise KeyError(f"item {self.code} has no form {code!r}")

    @property
    def deferrable_materials(self) -> tuple[Material, ...]:
        return tuple(m for m in self.materials if m.deferral is not None)


@frozen
class SectionCatalogue:
    """What one data file holds: a section and its items."""

    section: Section
    items: tuple[ApprovalItem, ...] = field(converter=tuple)


@frozen
class Catalogue:
    """The whole hall's catalogue, gathered from every loaded plugin."""

    sections: Mapping[str, Section]
    items: Mapping[str, ApprovalItem]

    def items_of(self, section_code: str) -> list[ApprovalItem]:
        return [i for i in self.items.values() if i.section == section_code]

    def item(self, code: str) -> ApprovalItem:
        try:
            return self.items[code]
        except KeyError:
            raise KeyError(f"no approval item with code {code!r}") from None

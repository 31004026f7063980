"""Dedicated-network transfer forms (专网审批事项信息转交表): the section fills, the window records.

Some items are handled end to end on a section's own dedicated network (业务专网): the
applicant never passes the platform, so the approval would leave no trace here. Only those
items take a transfer form (可通过各业务专网开展全流程网上审批的事项): the catalogue names
their network in :attr:`~onewindow.catalogue.ApprovalItem.handled_on_network`. Any other item
goes through the window's intake, never straight to approval and issuance. After such an
approval the approval section (审批业务科: an approver or the section head) fills this form on
the platform; the window staff (大厅服务人员) records it, which opens a case for the item and
applicant and moves it straight to 准予许可 (``record_transfer``), in one transaction. From then
on the case is an ordinary one: the unified issuance window (统一发证窗口) issues it and the seal
use goes into the section's ledger.

The form keeps exactly the seed's fields; its ``content_hash`` (SHA-256 of a canonical JSON of
what was filled) is printed on the paper form, so the paper and the record can be compared.
Filling is in the audit chain (网上留痕) as a row without a case; recording is the new case's
``open`` and ``record_transfer`` events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from attrs import evolve

from . import audit, lifecycle
from .case import (
    SECTION_BOUND_ROLES,
    Actor,
    Applicant,
    Case,
    TransferForm,
    mask_identifiers,
)
from .catalogue import ApplicantKind, ApprovalItem
from .errors import NotFound, TransitionRefused, ValidationError
from .inputs import Form, is_transfer_number, refusal
from .labels import ROLE_LABELS
from .storage import repo
from .storage.models import TransferRow

if TYPE_CHECKING:
    from .services import Hall

NUMBER_PREFIX = "ZW"  # 专网: ZW + yyyymmdd + the day's 4-digit sequence
MAX_NOTES = 2000  # 备注 (a TEXT column: the limit is the desk's)
APPLICANT_FIELDS = ("kind", "name", "phone", "credit_code", "id_number", "legal_representative",
                    "contact_person", "social_organisation_name")
FILL_ACTION = "transfer_fill"  # the audit row of a filled form (no case yet)


def content_hash(number: str, form_date: dt.date, item_code: str, item_name: str,
                 section: str, applicant: Applicant, notes: str, filled_by: str,
                 filled_by_name: str, filled_at: dt.datetime) -> str:
    """SHA-256 (hex) of the canonical JSON of everything the section filled in.

    The recording (who, when, which case) is not part of it: recording does not change what the
    section attested, so the hash printed before and after recording is the same.
    """
    canonical = json.dumps({
        "kind": "transfer", "number": number, "form_date": form_date.isoformat(),
        "item_code": item_code, "item_name": item_name, "section": section,
        "applicant": {name: str(getattr(applicant, name)) for name in APPLICANT_FIELDS},
        "notes": notes, "filled_by": filled_by, "filled_by_name": filled_by_name,
        "filled_at": filled_at.isoformat(timespec="microseconds"),
    }, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def expected_hash(form: TransferForm) -> str:
    """The hash ``form``'s own content gives now."""
    return content_hash(form.number, form.form_date, form.item_code, form.item_name,
                        form.section, form.applicant, form.notes, form.filled_by,
                        form.filled_by_name, form.filled_at)


def intact(form: TransferForm) -> bool:
    """True when the stored content still matches its hash (no edit outside the platform)."""
    return expected_hash(form) == form.content_hash


def may_view(form: TransferForm, actor: Actor) -> bool:
    """Approvers and section heads see their own section's forms; the window and supervision
    see all (the web keeps every other role off these pages)."""
    return actor.role not in SECTION_BOUND_ROLES or actor.section == form.section


def _form(row: TransferRow) -> TransferForm:
    applicant = Applicant(
        kind=ApplicantKind(row.applicant_kind), name=row.applicant_name, phone=row.phone,
        credit_code=row.credit_code, id_number=row.id_number,
        legal_representative=row.legal_representative, contact_person=row.contact_person,
        social_organisation_name=row.social_organisation_name)
    return TransferForm(
        number=row.number, form_date=row.form_date, item_code=row.item_code,
        item_name=row.item_name, section=row.section, applicant=applicant, notes=row.notes,
        filled_by=row.filled_by, filled_by_name=row.filled_by_name, filled_at=row.filled_at,
        content_hash=row.content_hash, recorded_by=row.recorded_by,
        recorded_by_name=row.recorded_by_name, recorded_at=row.recorded_at,
        case_number=row.case_number)


def handled_on_platform(item: ApprovalItem) -> str:
    """Why ``item`` takes no transfer form, or "" when it is handled end to end on a network."""
    if item.handled_on_network:
        return ""
    return f"{item.name}在平台办理，不属于全流程专网审批事项，不能通过专网审批事项信息转交表录入"


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return str(value).strip() if value is not None else ""


def _form_date(value: Any, today: dt.date) -> tuple[dt.date | None, str]:
    """The form's date (年 月 日) and an error, if any: required, a real date, not after today."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = str(value or "").strip()
        if not text:
            return None, "请填写转交表日期"
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            return None, "日期应按“年-月-日”填写，例如 2026-10-09"
    if value > today:
        return None, f"转交表日期不能晚于今天（{today.isoformat()}）：审批已在专网办结后才填写"
    return value, ""


class TransferDesk:
    """The transfer forms of one hall: fill, read, list, record. ``hall.transfers``."""

    def __init__(self, hall: Hall):
        self.hall = hall

    # ----------------------------------------------------------------- reading
    def get(self, number: str) -> TransferForm:
        # a malformed number (a NUL, 10 000 characters) never reaches a query
        row = (TransferRow.get_or_none(TransferRow.number == number)
               if is_transfer_number(number) else None)
        if row is None:
            raise NotFound(f"没有编号为 {number} 的专网审批事项信息转交表")
        return _form(row)

    def list(self, *, section: str | None = None, recorded: bool | None = None,
             limit: int = 200) -> list[TransferForm]:
        """Forms newest first, in one query however many there are.

        ``recorded`` False: waiting for the window, newest filled first; True: already recorded,
        newest recorded first; None: both, newest filled first.
        """
        query = TransferRow.select()
        if section:
            query = query.where(TransferRow.section == section)
        if recorded is True:
            query = query.where(TransferRow.recorded_at.is_null(False)).order_by(
                TransferRow.recorded_at.desc(), TransferRow.id.desc())
        else:
            if recorded is False:
                query = query.where(TransferRow.recorded_at.is_null(True))
            query = query.order_by(TransferRow.filled_at.desc(), TransferRow.id.desc())
        return [_form(row) for row in query.limit(max(1, limit))]

    def items_for(self, actor: Actor) -> list[ApprovalItem]:
        """The items ``actor`` may fill a form for, by name: their own section's items that are
        handled end to end on a dedicated network (``handled_on_network``)."""
        if actor.role not in SECTION_BOUND_ROLES or not actor.section:
            return []
        return sorted((i for i in self.hall.catalogue.items_of(actor.section)
                       if i.handled_on_network), key=lambda i: (i.name, i.code))

    # ----------------------------------------------------------------- writing
    def _next_number(self, day: dt.date) -> str:
        """The day's next form number, from a daily sequence of its own (``ZW`` + yymmdd)."""
        return f"{NUMBER_PREFIX}{day:%Y%m%d}{repo.next_in_sequence(NUMBER_PREFIX + day.strftime('%y%m%d')):04d}"

    def fill(self, actor: Actor, data: Mapping[str, Any]) -> TransferForm:
        """The approval section fills a transfer form after approving on its own network.

        ``data`` holds ``item`` (the code of an item of the section handled end to end on a
        dedicated network), ``form_date`` (a date or ``2026-10-09``),
        ``notes`` and the applicant's fields as :meth:`Applicant.create` takes them. Every bad
        field is named at once in a :class:`ValidationError`, in Chinese.
        """
        if actor.role not in SECTION_BOUND_ROLES:
            raise TransitionRefused(
                "(新转交表)", "none", FILL_ACTION,
                f"只有审批业务科的审批人员或科室负责人可以填写专网审批事项信息转交表，"
                f"{ROLE_LABELS[actor.role]}不能", [])
        now = self.hall.clock()
        errors: dict[str, str] = {}
        item: ApprovalItem | None = None
        code = _text(data, "item")
        if refusal(code):
            errors["item"] = "请从列表中选择审批事项"
        elif not code:
            errors["item"] = "请选择审批事项"
        else:
            item = self.hall.catalogue.items.get(code)
            if item is None:
                errors["item"] = f"没有编码为 {code} 的审批事项"
            elif item.section != actor.section:
                section = self.hall.catalogue.sections.get(actor.section)
                errors["item"] = (f"{item.name}不属于{section.name if section else actor.section}，"
                                  "只能填写本科室的审批事项")
                item = None
            elif handled_on_platform(item):  # an ordinary item goes through intake
                errors["item"] = handled_on_platform(item)
                item = None
        form_date, date_error = _form_date(data.get("form_date"), now.date())
        if date_error:
            errors["form_date"] = date_error
        applicant: Applicant | None = None
        try:
            applicant = Applicant.create({name: data.get(name) for name in APPLICANT_FIELDS})
        except ValidationError as exc:
            errors.update(exc.errors)
        if applicant is not None and item is not None and (
                applicant.kind not in item.applicant_kinds):
            errors["kind"] = f"{item.name}不受理该类申请人"
        form = Form(data)
        notes = form.text("notes", limit=MAX_NOTES, multiline=True)
        errors.update(form.errors)
        if errors:
            raise ValidationError(errors)
        assert item is not None and applicant is not None and form_date is not None
        name = (actor.display_name or actor.username)[:64]
        with self.hall.db.atomic():
            number = self._next_number(now.date())
            digest = content_hash(number, form_date, item.code, item.name, item.section,
                                  applicant, notes, actor.username, name, now)
            a = applicant
            TransferRow.create(
                number=number, form_date=form_date, item_code=item.code, item_name=item.name,
                section=item.section, applicant_kind=a.kind.value, applicant_name=a.name,
                credit_code=a.credit_code, id_number=a.id_number,
                legal_representative=a.legal_representative, contact_person=a.contact_person,
                phone=a.phone, social_organisation_name=a.social_organisation_name,
                notes=notes, filled_by=actor.username, filled_by_name=name, filled_at=now,
                content_hash=digest)
            # no case yet: the chain keeps the form itself, never a raw ID number
            audit.append_record(
                self.hall.settings.audit_key, case_number=None, action=FILL_ACTION,
                actor=actor.username, role=str(actor.role), at=now,
                data=mask_identifiers({
                    "transfer": number, "form_date": form_date.isoformat(),
                    "item": item.code, "section": item.section, "kind": a.kind.value,
                    "applicant": a.name, "id_number": a.id_number,
                    "credit_code": a.credit_code, "content_hash": digest}))
        return self.get(number)

    def record(self, actor: Actor, number: str) -> Case:
        """The window records a filled form: a new case with its whole trace, approved.

        In one transaction: claim the form, open the case exactly as :meth:`Hall.open_case`
        does (its ``open`` event names the form), apply ``record_transfer`` and store both
        events in the audit chain. A form is recorded once; any failure leaves nothing behind.
        """
        why = lifecycle.may_open(actor)
        if why:
            raise TransitionRefused(number, "none", "record_transfer",
                                    f"只有大厅服务人员可以录入专网审批事项信息转交表，"
                                    f"{ROLE_LABELS[actor.role]}不能", [])
        hall = self.hall
        now = hall.clock()
        key = hall.settings.audit_key
        if not is_transfer_number(number):
            raise NotFound(f"没有编号为 {number} 的专网审批事项信息转交表")
        with hall.db.atomic():
            query = TransferRow.select().where(TransferRow.number == number)
            if hall.db.for_update:
                query = query.for_update()
            row = query.first()
            if row is None:
                raise NotFound(f"没有编号为 {number} 的专网审批事项信息转交表")
            form = _form(row)
            if form.recorded:
                raise TransitionRefused(
                    number, "recorded", "record_transfer",
                    f"转交表 {number} 已于{form.recorded_at:%Y-%m-%d %H:%M}由"
                    f"{form.recorded_by_name or form.recorded_by}录入为办件 {form.case_number}，"
                    "不能重复录入", [])
            if not intact(form):
                raise TransitionRefused(
                    number, "unrecorded", "record_transfer",
                    f"转交表 {number} 的内容与其校验码不符（可能在平台外被改动），不能录入", [])
            item = hall.catalogue.items.get(form.item_code)
            if item is None:
                raise ValidationError({"item": f"审批事项 {form.item_code} 已不在事项目录中，"
                                               "请审批业务科核实"})
            if handled_on_platform(item):  # the catalogue changed since the form was filled
                raise ValidationError({"item": f"{item.name}在事项目录中已改为在平台办理，"
                                               "不属于全流程专网审批事项，不能录入此转交表，"
                                               "请审批业务科核实"})
            if form.applicant.kind not in item.applicant_kinds:
                raise ValidationError({"kind": f"{item.name}不受理该类申请人"})
            opened, case_row = hall.insert_opened(actor, item, form.applicant, now,
                                                  transfer=form.number)
            claimed = (TransferRow.update(recorded_by=actor.username,
                                          recorded_by_name=(actor.display_name
                                                            or actor.username)[:64],
                                          recorded_at=now, case_number=opened.number)
                       .where(TransferRow.id == row.id, TransferRow.recorded_at.is_null(True))
                       .execute())
            if claimed != 1:  # recorded by someone else a moment ago
                raise TransitionRefused(number, "recorded", "record_transfer",
                                        f"转交表 {number} 已被录入，不能重复录入", [])
            open_event = opened.events[0]
            after, event = lifecycle.apply(opened, actor, "record_transfer", at=now,
                                           params={"transfer": form})
            repo.save_case(case_row, opened, after)
            seq = audit.append(key, event)
        event = evolve(event, seq=seq)  # what was stored, with its place in the chain
        case = after.evolve(events=(open_event, event))
        hall.registry.notify(open_event, opened)
        hall.registry.notify(event, case)
        return case


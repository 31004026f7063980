"""The printable A4 documents of a case, read once from the case so templates only render.

* 接件回执 (intake receipt): once the window took the case in.
* 一次性告知书 (one-time notice): one per ``notify`` event, exactly as it was frozen then
  (its lines and ``notice_hash`` come from the event, never recomputed).
* 容缺承诺书 (commitment letter): one per deferral whose material requires a commitment.

Labels are English msgids (translated where shown); values are the case's own words. The
receipt's and the letter's verification hash is the SHA-256 of a canonical JSON of the case
number, the document's kind and everything printed, so it does not depend on the interface
language, and any change of content changes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any
from urllib.parse import quote

from attrs import frozen

from onewindow import privacy
from onewindow.case import Case, CaseEvent, ReviewOutcome, Role
from onewindow.catalogue import ApprovalItem, DeferralKind
from onewindow.labels import (
    APPLICANT_KIND_LABELS,
    DEFERRAL_LABELS,
    MATERIAL_FORM_LABELS,
    ROLE_LABELS,
)
from onewindow.lifecycle import applicable_materials, item_of

from .i18n import N_

RECEIPT, NOTICE, COMMITMENT = "receipt", "notice", "commitment"
TITLES = {RECEIPT: N_("Intake receipt"), NOTICE: N_("One-time notice"),
          COMMITMENT: N_("Deferral commitment letter")}
CONSEQUENCES = {
    DeferralKind.AT_ACCEPTANCE: N_("The case will not be decided until this material is "
                                   "supplied."),
    DeferralKind.AT_ISSUANCE: N_("The result will not be handed out until this material is "
                                 "supplied."),
}
COLLECT_AT = ROLE_LABELS[Role.ISSUANCE]  # 统一发证窗口


@frozen
class Field:
    label: str  # an English msgid
    value: str
    person: bool = False  # a username: printed with the display name, hashed as the username


@frozen
class MaterialLine:
    """A material the window received."""

    code: str
    name: str
    form: str  # 原件 / 复印件 / 验原件收复印件
    copies: int


@frozen
class DeferredLine:
    """A material taken in later (容缺): what kind, and by when."""

    code: str
    name: str
    kind: str  # 容缺受理 / 容缺发证
    due_date: str


@frozen
class Document:
    """One printable document. ``title`` is a msgid; ``verification_hash`` a SHA-256 (hex)."""

    kind: str
    title: str
    case_number: str
    date: str
    fields: tuple[Field, ...]
    verification_hash: str
    received: tuple[MaterialLine, ...] = ()
    deferred: tuple[DeferredLine, ...] = ()
    lines: tuple[str, ...] = ()
    reason: str = ""
    repeat: bool = False
    consequence: str = ""  # a msgid (commitment letter)
    material: str = ""  # the material a commitment letter is for (its name)
    due_date: str = ""  # when that material is due

    @property
    def short_hash(self) -> str:
        """The first 16 hex digits, in groups of four: what a person reads out."""
        head = self.verification_hash[:16]
        return " ".join(head[i:i + 4] for i in range(0, len(head), 4))


@frozen
class DocumentLink:
    kind: str
    title: str  # a msgid
    url: str
    detail: str  # e.g. the notice's date or the material's name


def content_hash(case_number: str, kind: str, content: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a document's content."""
    canonical = json.dumps({"case": case_number, "kind": kind, **content}, ensure_ascii=False,
                           sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _latest(case: Case, action: str, **data: Any) -> CaseEvent | None:
    for event in reversed(case.events):
        if event.action == action and all(event.data.get(k) == v for k, v in data.items()):
            return event
    return None


def _stamp(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


def _applicant_fields(case: Case, item: ApprovalItem, kind: str) -> list[Field]:
    """Who applied for what; the ID number as :mod:`onewindow.privacy` lets ``kind`` show it."""
    applicant = case.applicant
    identifier = (applicant.credit_code if applicant.credit_code else
                  privacy.id_number_for(kind, applicant.id_number))
    return [
        Field(N_("Applicant"), f"{applicant.name}（{APPLICANT_KIND_LABELS[applicant.kind]}）"),
        Field(N_("Credit code or ID number"), identifier),
        Field(N_("Approval item"), f"{item.name}（{item.code}）"),
        Field(N_("Catalogue version"), case.item_version),
    ]


def _content(fields, **more: Any) -> dict[str, Any]:
    return {"fields": [[f.label, f.value] for f in fields], **more}


def receipt(case: Case) -> Document | None:
    """接件回执, or None before the case was taken in."""
    event = _latest(case, "take_in")
    if event is None:
        return None
    item = item_of(case)
    received, deferred = [], []
    for material in applicable_materials(case, item):
        mark = case.deferral(material.code)
        if mark is not None:
            deferred.append(DeferredLine(material.code, material.name,
                                         DEFERRAL_LABELS[mark.kind], mark.due_date.isoformat()))
            continue
        marks = [case.review(material.code, p.code) for p in material.review_points]
        if not material.required and not any(m is not None and m.outcome is ReviewOutcome.PASSED
                                             for m in marks):
            continue  # an optional material the window did not check was not handed in
        received.append(MaterialLine(material.code, material.name,
                                     MATERIAL_FORM_LABELS[material.form_of], material.copies))
    fields = [
        *_applicant_fields(case, item, RECEIPT),
        Field(N_("Promised time limit (working days)"), str(item.time_limit_days)),
        Field(N_("Collect the result at"), COLLECT_AT),
        Field(N_("Taken in by"), event.actor, person=True),
        Field(N_("Taken in at"), _stamp(event.at)),
    ]
    content = _content(
        fields, date=event.at.date().isoformat(),
        received=[[m.code, m.name, m.form, m.copies] for m in received],
        deferred=[[d.code, d.name, d.kind, d.due_date] for d in deferred])
    return Document(kind=RECEIPT, title=TITLES[RECEIPT], case_number=case.number,
                    date=content["date"], fields=tuple(fields),
                    verification_hash=content_hash(case.number, RECEIPT, content),
                    received=tuple(received), deferred=tuple(deferred))


def notify_events(case: Case) -> list[CaseEvent]:
    return [e for e in case.events if e.action == "notify"]


def notice(case: Case, seq: int | None = None) -> Document | None:
    """一次性告知书 of the ``notify`` event ``seq`` (default the latest), exactly as stored."""
    events = notify_events(case)
    if seq is not None:
        events = [e for e in events if e.seq == seq]
    if not events:
        return None
    event = events[-1]
    fields = [*_applicant_fields(case, item_of(case), NOTICE), Field(N_("Clerk"), event.actor, person=True),
              Field(N_("Issued at"), _stamp(event.at))]
    return Document(kind=NOTICE, title=TITLES[NOTICE], case_number=case.number,
                    date=event.at.date().isoformat(), fields=tuple(fields),
                    verification_hash=str(event.data.get("notice_hash", "")),
                    lines=tuple(str(line) for line in event.data.get("deficiencies", ())),
                    reason=event.reason, repeat=bool(event.data.get("repeat")))


def _needs_commitment(item: ApprovalItem, code: str) -> bool:
    try:
        deferral = item.material(code).deferral
    except KeyError:
        return False
    return deferral is not None and deferral.commitment_required


def commitment(case: Case, material: str) -> Document | None:
    """容缺承诺书 for ``material``, or None unless it was deferred and needs a commitment."""
    item = item_of(case)
    mark = case.deferral(material)
    event = _latest(case, "defer", material=material)
    if mark is None or event is None or not _needs_commitment(item, material):
        return None
    kind = DeferralKind(event.data.get("kind", mark.kind))
    name = item.material(material).name
    due = str(event.data.get("due_date", mark.due_date.isoformat()))
    fields = [*_applicant_fields(case, item, COMMITMENT),
              Field(N_("Deferred material"), name),
              Field(N_("Kind of deferral"), DEFERRAL_LABELS[kind]),
              Field(N_("To be supplied by"), due),
              Field(N_("Clerk"), event.actor, person=True),
              Field(N_("Deferred at"), _stamp(event.at))]
    content = _content(fields, date=event.at.date().isoformat(), material=material,
                       consequence=CONSEQUENCES[kind])
    return Document(kind=COMMITMENT, title=TITLES[COMMITMENT], case_number=case.number,
                    date=content["date"], fields=tuple(fields),
                    verification_hash=content_hash(case.number, COMMITMENT, content),
                    consequence=CONSEQUENCES[kind], material=name, due_date=due)


# The routes that show a document of onewindow.privacy.DOCUMENT_RULES, by route name: whether
# each may carry a whole ID number is the core rule's answer, never decided here.
DOCUMENT_ROUTES = {"print_receipt": RECEIPT, "print_notice": NOTICE,
                   "print_commitment": COMMITMENT, "transfer": "transfer_form_page",
                   "transfer_print": "transfer_form_print"}


def full_id_route_paths(app: Any) -> list[str]:
    """The path templates of ``app``'s routes whose document shows a whole ID number."""
    paths: list[str] = []
    for name, document in DOCUMENT_ROUTES.items():
        if privacy.shows_full_id(document):
            index = app.get_handler_index_by_name(name)
            paths.extend(sorted(index["paths"]) if index else ())
    return paths


def shows_full_id(document: Document, case: Case) -> bool:
    """Whether ``document`` prints ``case``'s applicant's whole ID number (then it is audited)."""
    return bool(case.applicant.id_number) and privacy.shows_full_id(document.kind)


def available(case: Case) -> list[DocumentLink]:
    """Links to every document the case has now (for the case page)."""
    base = f"/cases/{case.number}/print"
    links = []
    take_in = _latest(case, "take_in")
    if take_in is not None:
        links.append(DocumentLink(RECEIPT, TITLES[RECEIPT], f"{base}/receipt",
                                  _stamp(take_in.at)))
    for event in notify_events(case):
        query = f"?seq={event.seq}" if event.seq is not None else ""
        links.append(DocumentLink(NOTICE, TITLES[NOTICE], f"{base}/notice{query}",
                                  _stamp(event.at)))
    item = item_of(case)
    names = {m.code: m.name for m in item.materials}
    for mark in case.deferrals:
        if not mark.requested and _needs_commitment(item, mark.material):
            links.append(DocumentLink(COMMITMENT, TITLES[COMMITMENT],
                                      f"{base}/commitment/{quote(mark.material, safe='')}",
                                      names.get(mark.material, mark.material)))
    return links

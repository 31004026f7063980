"""The hall's services: what the web layer (or another bureau's code) calls.

Each public method is one business step: it loads the case, asks :mod:`onewindow.lifecycle`
whether the step is allowed, stores the result and its audit event in one transaction, then
tells the plugins. Nothing half-written is ever stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import peewee as pw
from attrs import evolve, frozen

from . import accounts, audit, lifecycle
from .case import (
    Actor,
    Applicant,
    Case,
    CaseEvent,
    LookupRecord,
    ReviewMark,
    ReviewOutcome,
    State,
    Supplement,
)
from .catalogue import ApprovalItem
from .catalogue_file import unstructure
from .checks import CheckContext, CheckOutcome, run_checks
from .config import Settings, load_settings
from .errors import Busy, Conflict, NotFound, TransitionRefused, ValidationError
from .inputs import Form, clean_text, is_case_number
from .lookups import LookupStatus
from .plugins import Registry, load_registry
from .search import ItemIndex
from .storage import migrate, repo
from .storage.db import open_database
from .storage.models import CaseRow, SealLedgerRow, database_proxy
from .workdays import Deadline, deadline

HALL_TIMEZONE = ZoneInfo("Asia/Shanghai")
log = logging.getLogger(__name__)
# Lifecycle moves that only a desk may make, because they must write a record of their own in
# the same transaction: a transfer form is marked recorded as its case is approved.
# What a TEXT column holds is the hall's choice: a reason on the trail, a failed point's reason.
MAX_REASON = 2000
MAX_REVIEW_REASON = 500
MAX_LOOKUP_PARAM = 100
DESK_ACTIONS = {"record_transfer": "专网审批结果只能通过录入专网审批事项信息转交表办理"}


def hall_now() -> dt.datetime:
    """The hall's wall clock (Beijing time), naive: working days are counted in it."""
    return dt.datetime.now(HALL_TIMEZONE).replace(tzinfo=None)


@frozen
class SealUse:
    """One entry of a section's seal ledger (行政审批专用章使用台账)."""

    case_number: str
    section: str
    item_code: str
    item_name: str
    applicant_name: str
    purpose: str
    used_by: str
    used_at: dt.datetime
    audit_seq: int | None


@frozen
class QueueEntry:
    """One row of a work list: the case (without its reviews), its item's name, its deadline."""

    case: Case
    item_name: str
    deadline: Deadline


class Hall:
    """The hall's business steps over one database, one registry and one audit key."""

    def __init__(self, registry: Registry, db: pw.Database, settings: Settings,
                 clock: Callable[[], dt.datetime] = hall_now):
        if database_proxy.obj is not db:
            raise RuntimeError("the storage models are bound to another database: open one "
                               "Hall per process, with open_hall()")
        self.registry = registry
        self._index: ItemIndex | None = None
        self.db = db
        self.settings = settings
        self.clock = clock

    # ----------------------------------------------------------------- the hall's desks
    # Work beside the case lifecycle, each in its own module, over this hall's database.
    @cached_property
    def transfers(self):
        """Dedicated-network transfer forms (专网审批事项信息转交表)."""
        from .transfers import TransferDesk

        return TransferDesk(self)

    @cached_property
    def inquiries(self):
        """The consultation window's first-inquiry log (首问负责制) and repeat visits."""
        from .inquiries import InquiryLog

        return InquiryLog(self)

    @cached_property
    def problems(self):
        """Unclear review points and the monthly problem list (形式审查要点问题清单)."""
        from .problems import ProblemList

        return ProblemList(self)

    @cached_property
    def calls(self):
        """Joint-review calls (共同形式审查) from the window to a section."""
        from .calls import JointReviews

        return JointReviews(self)

    @cached_property
    def drafts(self):
        """Half-filled forms kept server-side per member of staff."""
        from .drafts import Drafts

        return Drafts(self)

    # ----------------------------------------------------------------- reading
    @property
    def catalogue(self):
        return self.registry.catalogue

    def refused(self, actor: Actor, exc: TransitionRefused, **data: Any) -> int | None:
        """Chain a refused action into the audit trail (who, what, on which case, why).

        Call after the refused transaction is over (the row is written in its own). A
        database too busy to take the row does not turn the refusal into a "busy" answer: the
        person still reads why, with what they typed; the miss is logged. Returns the row's seq,
        or None."""
        return self._chain_refusal(actor, exc.action, exc.case_number, exc.reason,
                                   {"state": exc.state, **data})

    def refused_role(self, actor: Actor, action: str, reason: str) -> int | None:
        """Chain a role refusal (a page or action the actor's role may not use)."""
        return self._chain_refusal(actor, action, "", reason, {})

    def _chain_refusal(self, actor: Actor, action: str, subject: str, reason: str,
                       data: dict[str, Any]) -> int | None:
        try:
            return audit.record_refusal(self.settings.audit_key, actor=actor.username,
                                        role=actor.role.value, action=action, subject=subject,
                                        reason=reason, at=self.clock(), data=data)
        except Busy as exc:
            log.warning("refusal of %s by %s not chained: database busy (%s)", action,
                        actor.username, exc.cause)
            return None

    def get_case(self, number: str) -> Case:
        # a malformed number (a NUL, 10 000 characters) never reaches a query
        row = CaseRow.get_or_none(CaseRow.number == number) if is_case_number(number) else None
        if row is None:
            raise NotFound(f"没有编号为 {number} 的办件")
        return repo.load_cases([row])[0]

    def _query(self, section: str | None, states: Iterable[State] | None, limit: int):
        query = CaseRow.select().order_by(CaseRow.opened_at.desc(), CaseRow.id.desc())
        if section:
            query = query.where(CaseRow.section == section)
        if states is not None:
            query = query.where(CaseRow.state.in_([s.value for s in states]))
        return list(query.limit(limit))

    def list_cases(self, *, section: str | None = None,
                   states: Iterable[State] | None = None, limit: int = 200) -> list[Case]:
        """Whole cases newest first; a fixed number of queries however many there are."""
        return repo.load_cases(self._query(section, states, limit))

    def queue(self, *, section: str | None = None, states: Iterable[State] | None = None,
              limit: int = 200) -> list[QueueEntry]:
        """What a work list shows, newest first: cheaper than :meth:`list_cases`.

        Four queries whatever the length; each entry's deadline uses the time limit the case
        was opened under.
        """
        today = self.clock().date()
        return [QueueEntry(case, name, deadline(case, limit_days, today))
                for case, name, limit_days in
                repo.load_summaries(self._query(section, states, limit))]

    def seal_ledger(self, section: str, *, since: dt.date | None = None,
                    until: dt.date | None = None) -> list[SealUse]:
        """The section's seal ledger, oldest first, optionally for days since..until."""
        query = SealLedgerRow.select().where(SealLedgerRow.section == section)
        if since:
            query = query.where(SealLedgerRow.used_at >= dt.datetime.combine(since, dt.time()))
        if until:
            query = query.where(SealLedgerRow.used_at < dt.datetime.combine(
                until + dt.timedelta(days=1), dt.time()))
        return [SealUse(r.case_number, r.section, r.item_code, r.item_name, r.applicant_name,
                        r.purpose, r.used_by, r.used_at, r.audit_seq)
                for r in query.order_by(SealLedgerRow.used_at, SealLedgerRow.id)]

    def search_items(self, query: str, *, section: str | None = None) -> list[ApprovalItem]:
        """Items by name, code, section, intake category or pinyin (``spjy``), best first."""
        if self._index is None:
            self._index = ItemIndex(self.catalogue)
        return self._index.search(query, section=section)

    def deadline(self, case: Case) -> Deadline:
        item = lifecycle.item_of(case)
        return deadline(case, item.time_limit_days, self.clock().date())

    def checks_for(self, case: Case) -> dict[tuple[str, str], CheckOutcome]:
        """The plugins' automatic verdicts on the case's review points (advice to the clerk)."""
        found: dict[str, Mapping[str, Any]] = {}
        for record in case.lookups:
            if record.status == LookupStatus.FOUND:
                found[record.network] = record.record
        applicant = {k: getattr(case.applicant, k) for k in (
            "name", "phone", "credit_code", "id_number", "legal_representative",
            "contact_person", "social_organisation_name")}
        applicant["kind"] = case.applicant.kind.value
        return run_checks(self.registry.checks,
                          CheckContext(case.item_code, applicant, found))

    # ----------------------------------------------------------------- writing
    def _next_number(self, day: dt.date) -> str:
        """The day's next case number, e.g. 202611300001."""
        key = day.strftime("%Y%m%d")
        return f"{key}{repo.next_in_sequence(key):04d}"

    def open_case(self, actor: Actor, item_code: str, applicant_data: Mapping[str, Any]
                  ) -> Case:
        """Start a case at the intake window (咨询/接件中) for one item and applicant."""
        why = lifecycle.may_open(actor)
        if why:
            raise TransitionRefused("(新办件)", "none", "open", why, [])
        try:
            item = self.catalogue.item(item_code)
        except KeyError:
            raise ValidationError({"item": f"没有编码为 {item_code} 的审批事项"}) from None
        applicant = Applicant.create(applicant_data)
        if applicant.kind not in item.applicant_kinds:
            raise ValidationError({"kind": f"{item.name}不受理该类申请人"})
        with self.db.atomic():
            case, _row = self.insert_opened(actor, item, applicant, self.clock())
        self.registry.notify(case.events[-1], case)
        return case

    def insert_opened(self, actor: Actor, item: ApprovalItem, applicant: Applicant,
                      now: dt.datetime, **data: Any) -> tuple[Case, CaseRow]:
        """Store a new case at 咨询/接件中 with its ``open`` event (``data`` added to the
        event's); call inside a transaction. Returns the case, its event seq'd, and its row."""
        number = self._next_number(now.date())
        case = Case(number=number, item_code=item.code, item_version=item.version,
                    section=item.section, applicant=applicant, state=State.CONSULTATION,
                    opened_by=actor.username, opened_at=now, item_snapshot=unstructure(item))
        row = repo.insert_case(case)
        event = CaseEvent(case_number=number, action="open", actor=actor.username,
                          role=actor.role, at=now, before=State.CONSULTATION,
                          after=State.CONSULTATION,
                          data={"item": item.code, "version": item.version,
                                "applicant": applicant.name,
                                "identifier": applicant.identifier, **data})
        seq = audit.append(self.settings.audit_key, event)
        return case.evolve(events=(evolve(event, seq=seq),)), row

    def act(self, actor: Actor, number: str, action: str, *, reason: str = "",
            params: Mapping[str, Any] | None = None) -> Case:
        """Do one lifecycle action; raise :class:`TransitionRefused` with core's reason, or
        :class:`Conflict` naming who moved the case on first (two clerks, one case)."""
        if action in DESK_ACTIONS:  # done with their own records, by their own desk
            raise TransitionRefused(number, "", action, DESK_ACTIONS[action], [])
        reason = clean_text(reason, "reason", limit=MAX_REASON, multiline=True)
        with self.db.atomic():
            row, before = repo.lock_case(number)
            try:
                after, event = lifecycle.apply(before, actor, action, at=self.clock(),
                                               reason=reason, params=params)
            except TransitionRefused as exc:  # a colleague may have been quicker: say so
                done = lifecycle.already_done(before, action, accounts.display_name)
                if done is None:
                    raise
                raise Conflict(number, exc.state, action, done, exc.allowed) from None
            repo.save_case(row, before, after)
            seq = audit.append(self.settings.audit_key, event)
            if action == "issue":  # the approval seal is used: into the section's ledger
                SealLedgerRow.create(
                    case_number=number, section=after.section, item_code=after.item_code,
                    item_name=after.item_snapshot.get("name", after.item_code),
                    applicant_name=after.applicant.name, purpose="发证：审批结果加盖行政审批专用章",
                    used_by=actor.username, used_at=event.at, audit_seq=seq)
        # what was stored is exactly ``after``, the event now with its place in the chain:
        # no second read of the case
        event = evolve(event, seq=seq)
        case = after.evolve(events=after.events[:-1] + (event,))
        self.registry.notify(event, case)
        return case

    def review(self, actor: Actor, number: str,
               marks: Iterable[tuple[str, str, str, str]]) -> Case:
        """Record the window's verdicts: (material, point, outcome, reason) each."""
        parsed, errors = [], {}
        for material, point, outcome, reason in marks:
            try:
                verdict = ReviewOutcome(outcome)
            except ValueError:
                raise ValidationError({f"{material}.{point}": "审查结果应为通过、不通过或不适用"}
                                      ) from None
            try:  # keyed material.point.reason: shown beside that point's reason
                reason = clean_text(reason, f"{material}.{point}.reason",
                                    limit=MAX_REVIEW_REASON, multiline=True)
            except ValidationError as exc:
                errors.update(exc.errors)
            parsed.append(ReviewMark(material, point, verdict, reason))
        if errors:
            raise ValidationError(errors)
        return self.act(actor, number, "review", params={"marks": parsed})

    def lookup(self, actor: Actor, number: str, network: str, params: Mapping[str, str]
               ) -> tuple[Case, LookupRecord]:
        """Query a dedicated network for a case and keep the answer on it."""
        try:
            adapter = self.registry.lookups[network]
        except KeyError:
            raise ValidationError({"network": f"没有名为 {network} 的业务专网"}) from None
        form = Form(params)
        params = {name: form.text(name, limit=MAX_LOOKUP_PARAM) for name in params}
        form.check()
        case = self.get_case(number)
        declared = {use.network for use in lifecycle.item_of(case).lookups}
        if network not in declared:
            raise ValidationError({"network": f"{case.item_code}事项不需要查询{adapter.title}"})
        why = lifecycle.refusal(case, actor, "lookup", check_guard=False)
        if why:  # refuse before sending anything to the network
            raise TransitionRefused(number, case.state.value, "lookup", why,
                                    lifecycle.allowed_actions(case, actor))
        result = adapter.query(params, case_number=number)
        record = LookupRecord(network=network, params=dict(params), status=str(result.status),
                              message=result.message, answer_hash=result.answer_hash,
                              record=dict(result.record), asked_by=actor.username,
                              asked_at=self.clock())
        case = self.act(actor, number, "lookup", params={"record": record})
        return case, record

    def read_supplement(self, case: Case, key: str) -> tuple[Supplement, bytes]:
        """A stored supplement's bytes (by its :attr:`~Supplement.key`), checked against the
        SHA-256 kept at upload.

        Raises :class:`NotFound` for a file the case does not have, and
        :class:`ValidationError` when the bytes on disk are no longer the ones uploaded.
        """
        found = next((s for s in case.supplements if key and s.key == key), None)
        if found is None:
            raise NotFound(f"办件 {case.number} 没有该补正材料")
        path = self.settings.upload_dir / found.storage_path
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"补正材料文件 {found.filename} 已不在存储中") from None
        if hashlib.sha256(content).hexdigest() != found.sha256:
            raise ValidationError({"file": f"补正材料 {found.filename} 与上传时登记的SHA-256不一致，"
                                           "文件可能已被改动"})
        return found, content

    def supply(self, actor: Actor, number: str, material: str, filename: str,
               content: bytes) -> Case:
        """Keep a supplement (补正材料) with its SHA-256, under a path the server chooses."""
        if not content:
            raise ValidationError({"file": "上传的文件为空"})
        digest = hashlib.sha256(content).hexdigest()
        safe_name = re.sub(r"[^\w.\-]", "_", Path(filename).name)[:100] or "upload"
        relative = Path(number) / f"{secrets.token_hex(8)}-{digest[:16]}{Path(safe_name).suffix}"
        target = self.settings.upload_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        supplement = Supplement(material=material, filename=safe_name, sha256=digest,
                                size=len(content), storage_path=str(relative),
                                uploaded_by=actor.username, uploaded_at=self.clock())
        try:
            return self.act(actor, number, "supply", params={"material": material,
                                                            "supplement": supplement})
        except Exception:
            target.unlink(missing_ok=True)  # nothing half-written stays behind
            raise



def open_hall(settings: Settings | None = None, registry: Registry | None = None,
              *, upgrade: bool = False) -> Hall:
    """Open the configured database and plugins.

    Refuses to run on a database with pending migrations unless ``upgrade`` is True: a hall
    must never write to a schema older than its code.
    """
    settings = settings or load_settings()
    registry = registry or load_registry()
    db = open_database(settings.database_url)
    if upgrade:
        migrate.upgrade(db)
    pending = migrate.pending(db)
    if pending:
        raise RuntimeError(f"database {settings.database_url} needs migrations "
                           f"{', '.join(pending)}: run `onewindow db upgrade`")
    return Hall(registry, db, settings)

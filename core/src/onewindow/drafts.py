"""Drafts: a half-filled form kept server-side, so a reload or an expired session loses nothing.

A draft belongs to one member of staff and one form (its ``key``, e.g. ``intake:ent-food``) and
holds exactly what was typed, field by field. It is overwritten as the clerk types and removed
when the form is finally sent. Drafts are working notes, not records: they are not audited, and
after ``KEEP_DAYS`` they are gone (they may hold an applicant's ID number).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping

from attrs import frozen

from .errors import ValidationError
from .inputs import refusal, too_long
from .storage.models import DraftRow

MAX_DRAFT_BYTES = 64 * 1024
MAX_DRAFTS_PER_OWNER = 50
KEEP_DAYS = 7
MAX_FIELD_NAME = 140
_KEY = re.compile(r"[a-z_]+:[\w.\-]{1,150}", re.ASCII)


def _valid_key(key: str) -> bool:
    """A draft's key is ``form:target`` (an item code, a case number): nothing else is
    looked up, so a NUL or a 10 000-character path never reaches a query."""
    return isinstance(key, str) and _KEY.fullmatch(key) is not None


@frozen
class Draft:
    owner: str
    key: str
    fields: Mapping[str, tuple[str, ...]]
    updated_at: dt.datetime

    @property
    def target(self) -> str:
        """What the form is about: the key's part after the colon (item code, case number)."""
        return self.key.partition(":")[2]

    def first(self, name: str) -> str:
        values = self.fields.get(name) or ("",)
        return values[0]


def _draft(row: DraftRow) -> Draft:
    fields = {k: tuple(v) for k, v in json.loads(row.data).items()}
    return Draft(row.owner, row.key, fields, row.updated_at)


class Drafts:
    """The drafts of one hall (``hall.drafts``)."""

    def __init__(self, hall):
        self.hall = hall

    def save(self, owner: str, key: str, fields: Iterable[tuple[str, str]]) -> Draft:
        """Keep what is typed now (name, value pairs), replacing the previous draft."""
        if not _valid_key(key):
            raise ValidationError({"key": f"草稿标识 {key} 不合规"})
        grouped: dict[str, list[str]] = {}
        errors: dict[str, str] = {}
        for name, value in fields:
            # what the form will refuse anyway is not kept either: the field says why
            problem = refusal(name) or too_long(name, MAX_FIELD_NAME) or refusal(
                value, multiline=True)
            if problem:
                errors.setdefault(name if not refusal(name) else "", problem)
                continue
            grouped.setdefault(name, []).append(value)
        if errors:
            raise ValidationError(errors)
        data = json.dumps(grouped, ensure_ascii=False, sort_keys=True)
        if len(data.encode("utf-8")) > MAX_DRAFT_BYTES:
            raise ValidationError({"": "草稿内容过长，未能保存"})
        now = self.hall.clock()
        with self.hall.db.atomic():
            DraftRow.delete().where(DraftRow.owner == owner,
                                    DraftRow.updated_at < self._oldest_kept()).execute()
            mine = DraftRow.select().where(DraftRow.owner == owner)
            if (mine.count() >= MAX_DRAFTS_PER_OWNER
                    and not mine.where(DraftRow.key == key).exists()):
                raise ValidationError({"": f"未完成的草稿已达{MAX_DRAFTS_PER_OWNER}份，"
                                           "请先完成或删除一些"})
            # an upsert: two autosaves arriving together cannot both insert
            (DraftRow.insert(owner=owner, key=key, data=data, updated_at=now)
             .on_conflict(conflict_target=[DraftRow.owner, DraftRow.key],
                          update={DraftRow.data: data, DraftRow.updated_at: now})
             .execute())
        return Draft(owner, key, {k: tuple(v) for k, v in grouped.items()}, now)

    def _oldest_kept(self) -> dt.datetime:
        return self.hall.clock() - dt.timedelta(days=KEEP_DAYS)

    def load(self, owner: str, key: str) -> Draft | None:
        if not _valid_key(key):
            return None
        row = DraftRow.get_or_none((DraftRow.owner == owner) & (DraftRow.key == key)
                                   & (DraftRow.updated_at >= self._oldest_kept()))
        return _draft(row) if row else None

    def discard(self, owner: str, key: str) -> bool:
        """Remove the draft (after the form was sent, or on request); True if there was one."""
        if not _valid_key(key):
            return False
        return bool(DraftRow.delete()
                    .where((DraftRow.owner == owner) & (DraftRow.key == key)).execute())

    def of(self, owner: str, kind: str | None = None) -> list[Draft]:
        """The owner's drafts, most recently touched first (one query)."""
        query = DraftRow.select().where(DraftRow.owner == owner,
                                        DraftRow.updated_at >= self._oldest_kept())
        if kind:
            query = query.where(DraftRow.key.startswith(kind + ":"))
        return [_draft(r) for r in query.order_by(DraftRow.updated_at.desc())]

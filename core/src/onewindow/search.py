"""Finding an approval item at the window: by name, code, section, intake category or pinyin.

A clerk types ``spjy`` for 食品经营许可 (the initials of its pinyin) or ``shipin`` (the full
pinyin); both work, as do plain Chinese and item codes. The index is built once from the
catalogue, with pypinyin, and searching it is a scan of a few hundred short strings.
"""

from __future__ import annotations

from attrs import frozen
from pypinyin import Style, lazy_pinyin

from .catalogue import ApprovalItem, Catalogue


def initials(text: str) -> str:
    """``食品经营许可`` → ``spjyxk``; letters and digits in the text are kept as they are."""
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda s: list(s))).lower()


def full_pinyin(text: str) -> str:
    """``食品`` → ``shipin``."""
    return "".join(lazy_pinyin(text, errors=lambda s: list(s))).lower()


@frozen
class _Entry:
    item: ApprovalItem
    haystacks: tuple[str, ...]


class ItemIndex:
    """Every item of a catalogue, searchable by the ways a window clerk looks for it."""

    def __init__(self, catalogue: Catalogue):
        self._entries = []
        for item in sorted(catalogue.items.values(), key=lambda i: i.code):
            section = catalogue.sections[item.section].name
            self._entries.append(_Entry(item, (
                item.name.lower(), item.code.lower(), section, item.intake_category,
                initials(item.name), full_pinyin(item.name))))

    def search(self, query: str, *, section: str | None = None, limit: int = 50
               ) -> list[ApprovalItem]:
        """Items matching ``query`` (whitespace ignored, any case); names first, then the rest.

        An empty query lists every item (of ``section``, when given).
        """
        needle = "".join(query.split()).lower()
        ranked: list[tuple[int, str, ApprovalItem]] = []
        for entry in self._entries:
            if section and entry.item.section != section:
                continue
            if not needle:
                ranked.append((0, entry.item.code, entry.item))
                continue
            positions = [h.find(needle) for h in entry.haystacks]
            hits = [(field, at) for field, at in enumerate(positions) if at >= 0]
            if hits:
                field, at = min(hits, key=lambda hit: (hit[1] > 0, hit[0]))
                ranked.append((field * 2 + (at > 0), entry.item.code, entry.item))
        ranked.sort(key=lambda r: (r[0], r[1]))
        return [item for _, _, item in ranked[:limit]]

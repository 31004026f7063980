"""Unclear review points (要点不清) and the monthly review-point problem list
(形式审查要点问题清单).

The window service department collects each month what went wrong with review points and
sends the list to the coordination section (业务协调科); the sections then revise their points
(and bump the item's catalogue version). Two things feed the list:

- a one-click report from a case's checklist that a point is unclear (:meth:`ProblemList.report`,
  a :class:`~onewindow.storage.models.PointReportRow`), and
- the points the back office named when it returned a case (``return`` events, whose data
  lists ``"points": ["material/point", ...]``): what the window missed.

Each point is shown with its text from the catalogue snapshot of the case it came from, so the
list speaks of the version the clerk actually used.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from attrs import frozen

from . import audit, lifecycle
from .case import Actor, Role
from .catalogue_file import unstructure
from .errors import NotFound, TransitionRefused, ValidationError
from .inputs import clean_text, is_case_number
from .inquiries import month_bounds
from .storage import repo
from .storage.models import AuditRow, CaseRow, PointReportRow

MAX_NOTE = 500
# Who applies review points and may say one is unclear: the window and the section.
REPORTING_ROLES = frozenset({Role.WINDOW_STAFF, Role.APPROVER, Role.SECTION_HEAD})


@frozen
class PointReport:
    """One "this review point is unclear" report."""

    id: int
    item_code: str
    item_version: str
    section: str
    material: str
    point: str
    case_number: str | None
    note: str
    reported_by: str
    reported_at: dt.datetime

    @property
    def key(self) -> str:
        return f"{self.material}/{self.point}"


def _report(row: PointReportRow) -> PointReport:
    return PointReport(row.id, row.item_code, row.item_version, row.section, row.material,
                       row.point, row.case_number, row.note, row.reported_by, row.reported_at)


@frozen
class ProblemPoint:
    """One review point on the month's list: how often it was reported unclear and named in
    a return, in which cases and catalogue versions, with the reporters' notes."""

    material: str
    material_name: str
    point: str
    text: str
    requirement: str
    unclear: int
    returned: int
    cases: tuple[str, ...]
    versions: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.material}/{self.point}"

    @property
    def total(self) -> int:
        return self.unclear + self.returned


@frozen
class ProblemItem:
    code: str
    name: str
    current_version: str  # the catalogue's version now ("" if the item is gone)
    points: tuple[ProblemPoint, ...]

    @property
    def unclear(self) -> int:
        return sum(p.unclear for p in self.points)

    @property
    def returned(self) -> int:
        return sum(p.returned for p in self.points)

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(sorted({v for p in self.points for v in p.versions}))


@frozen
class ProblemSection:
    code: str
    name: str
    items: tuple[ProblemItem, ...]

    @property
    def unclear(self) -> int:
        return sum(i.unclear for i in self.items)

    @property
    def returned(self) -> int:
        return sum(i.returned for i in self.items)


@frozen
class MonthProblems:
    """The month's problem list, by section, then item, then point in catalogue order."""

    month: dt.date
    sections: tuple[ProblemSection, ...]

    @property
    def unclear(self) -> int:
        return sum(s.unclear for s in self.sections)

    @property
    def returned(self) -> int:
        return sum(s.returned for s in self.sections)

    def __bool__(self) -> bool:
        return bool(self.sections)


class _Tally:
    def __init__(self):
        self.unclear = 0
        self.returned = 0
        self.cases: set[str] = set()
        self.versions: set[str] = set()
        self.notes: list[str] = []
        self.latest: tuple[dt.datetime, str] | None = None  # (when, version) for the text


class ProblemList:
    """Point reports and the monthly problem list of one hall (``hall.problems``)."""

    def __init__(self, hall):
        self.hall = hall

    # ------------------------------------------------------------------- writing
    def report(self, actor: Actor, number: str, material: str, point: str,
               note: str = "") -> PointReport:
        """Report that a review point of the case's item (as the case has it) is unclear.

        A second report of the same point on the same case by the same person changes
        nothing and returns the first. Recorded on the case's audit trail.
        """
        note = clean_text(note, "note", limit=MAX_NOTE, multiline=True)
        if not is_case_number(number):
            raise NotFound(f"没有编号为 {number} 的办件")
        now = self.hall.clock()
        with self.hall.db.atomic():
            query = CaseRow.select().where(CaseRow.number == number)
            if self.hall.db.for_update:  # the trail's last event must match the case's state
                query = query.for_update()
            row = query.first()
            if row is None:
                raise NotFound(f"没有编号为 {number} 的办件")
            case = repo.load_cases([row])[0]
            if not lifecycle.may_view(case, actor):
                raise NotFound(f"没有编号为 {number} 的办件")
            if actor.role not in REPORTING_ROLES:
                raise TransitionRefused(number, case.state.value, "point_unclear",
                                        "只有大厅服务人员和审批人员可以报告审查要点不清", [])
            item = lifecycle.item_of(case)
            try:
                found = item.material(material)
            except KeyError:
                raise ValidationError({"point": f"本事项没有材料 {material}"}) from None
            if point not in {p.code for p in found.review_points}:
                raise ValidationError({"point": f"材料 {found.name} 没有审查要点 {point}"})
            existing = PointReportRow.get_or_none(
                (PointReportRow.case_number == number) & (PointReportRow.material == material)
                & (PointReportRow.point == point)
                & (PointReportRow.reported_by == actor.username))
            if existing is not None:
                return _report(existing)
            created = PointReportRow.create(
                item_code=case.item_code, item_version=case.item_version, section=case.section,
                material=material, point=point, case_number=number, note=note,
                reported_by=actor.username, reported_at=now)
            audit.append_record(
                self.hall.settings.audit_key, case_number=number, action="point_unclear",
                actor=actor.username, role=str(actor.role), at=now, before=str(case.state),
                after=str(case.state),
                data={"report": created.id, "item": case.item_code,
                      "version": case.item_version, "material": material, "point": point,
                      "note": note})
        return _report(created)

    # ------------------------------------------------------------------- reading
    def reported_points(self, number: str, username: str) -> frozenset[str]:
        """The ``material/point`` keys ``username`` reported unclear on the case (one query).

        Each person's report counts once (:meth:`report`), so a point a colleague reported
        can still be reported by everyone else.
        """
        return frozenset(f"{m}/{p}" for m, p in PointReportRow.select(
            PointReportRow.material, PointReportRow.point).where(
            (PointReportRow.case_number == number)
            & (PointReportRow.reported_by == username)).tuples())

    def reports(self, month: dt.date, *, section: str | None = None) -> list[PointReport]:
        """The month's reports, oldest first (one query)."""
        start, end = month_bounds(month)
        query = PointReportRow.select().where((PointReportRow.reported_at >= start)
                                              & (PointReportRow.reported_at < end))
        if section:
            query = query.where(PointReportRow.section == section)
        return [_report(r) for r in query.order_by(PointReportRow.reported_at,
                                                    PointReportRow.id)]

    def month(self, month: dt.date, *, section: str | None = None) -> MonthProblems:
        """The month's problem list (three queries however long it is), optionally for one
        section: unclear reports and the points named by returns in that month."""
        start, end = month_bounds(month)
        reports = self.reports(month, section=section)
        returns = list(AuditRow.select(AuditRow.case_number, AuditRow.at, AuditRow.data)
                       .where((AuditRow.action == "return") & (AuditRow.at >= start)
                              & (AuditRow.at < end))
                       .order_by(AuditRow.seq))
        numbers = {r.case_number for r in reports if r.case_number}
        numbers |= {r.case_number for r in returns if r.case_number}
        cases = {}
        if numbers:
            cases = {c.number: c for c in CaseRow.select(
                CaseRow.number, CaseRow.item_code, CaseRow.item_version, CaseRow.section,
                CaseRow.item_snapshot).where(CaseRow.number.in_(sorted(numbers)))}
        snapshots: dict[tuple[str, str], Mapping[str, Any]] = {}

        def snapshot(code: str, version: str, number: str | None) -> Mapping[str, Any]:
            key = (code, version)
            if key not in snapshots:
                case = cases.get(number or "")
                if case is not None and (case.item_code, case.item_version) == key:
                    snapshots[key] = json.loads(case.item_snapshot)
                else:  # a report without its case: the catalogue as it is now
                    item = self.hall.catalogue.items.get(code)
                    snapshots[key] = unstructure(item) if item else {}
            return snapshots[key]

        # (section, item) -> (material, point) -> tally
        tallies: dict[tuple[str, str], dict[tuple[str, str], _Tally]] = defaultdict(
            lambda: defaultdict(_Tally))

        def count(section_code, code, version, number, key, at, note=None):
            material, _, point = key.partition("/")
            tally = tallies[(section_code, code)][(material, point)]
            if note is None:
                tally.returned += 1
            else:
                tally.unclear += 1
                if note:
                    tally.notes.append(note)
            if number:
                tally.cases.add(number)
            tally.versions.add(version)
            snapshot(code, version, number)
            if tally.latest is None or at >= tally.latest[0]:
                tally.latest = (at, version)

        for report in reports:
            count(report.section, report.item_code, report.item_version, report.case_number,
                  report.key, report.reported_at, report.note)
        for event in returns:
            case = cases.get(event.case_number)
            if case is None or (section and case.section != section):
                continue
            for key in json.loads(event.data or "{}").get("points", ()):
                count(case.section, case.item_code, case.item_version, case.number,
                      str(key), event.at)
        return MonthProblems(month, self._assemble(tallies, snapshots))

    def _assemble(self, tallies, snapshots) -> tuple[ProblemSection, ...]:
        catalogue = self.hall.catalogue
        by_section: dict[str, list[ProblemItem]] = defaultdict(list)
        for (section_code, code), points in tallies.items():
            shown = []
            name = ""
            for (material, point), tally in points.items():
                snap = snapshots.get((code, tally.latest[1]), {}) if tally.latest else {}
                name = name or snap.get("name", "")
                order, material_name, text, requirement = _point_of(snap, material, point)
                shown.append((order, ProblemPoint(
                    material=material, material_name=material_name, point=point, text=text,
                    requirement=requirement, unclear=tally.unclear, returned=tally.returned,
                    cases=tuple(sorted(tally.cases)), versions=tuple(sorted(tally.versions)),
                    notes=tuple(tally.notes))))
            shown.sort(key=lambda p: (p[0], p[1].material, p[1].point))
            current = catalogue.items.get(code)
            by_section[section_code].append(ProblemItem(
                code=code, name=name or (current.name if current else code),
                current_version=current.version if current else "",
                points=tuple(p for _, p in shown)))
        sections = []
        for code in sorted(by_section):
            known = catalogue.sections.get(code)
            sections.append(ProblemSection(
                code=code, name=known.name if known else code,
                items=tuple(sorted(by_section[code], key=lambda i: i.code))))
        return tuple(sections)


def _point_of(snapshot: Mapping[str, Any], material: str, point: str
              ) -> tuple[tuple[int, int], str, str, str]:
    """(catalogue order, material name, point text, requirement) from an item snapshot;
    the codes themselves for a point the snapshot does not hold."""
    for m_index, m in enumerate(snapshot.get("materials", ())):
        if m.get("code") != material:
            continue
        for p_index, p in enumerate(m.get("review_points", ())):
            if p.get("code") == point:
                return ((m_index, p_index), m.get("name", material), p.get("text", point),
                        str(p.get("requirement", "")))
        return (m_index, 10_000), m.get("name", material), point, ""
    return (10_000, 10_000), material, point, ""


__all__ = ["MonthProblems", "PointReport", "ProblemItem", "ProblemList", "ProblemPoint",
           "ProblemSection", "REPORTING_ROLES"]

"""Unclear review points (要点不清) and the monthly review-point problem list
(形式审查要点问题清单), through the services on the configured database."""

import datetime as dt
import json

import pytest
from conftest import ENTERPRISE

from onewindow import audit
from onewindow.catalogue_file import unstructure
from onewindow.errors import NotFound, TransitionRefused, ValidationError
from onewindow.storage.models import AuditRow, CaseRow, PointReportRow
from onewindow.testing import counting_queries

SEPTEMBER = dt.date(2026, 9, 1)
ALL_PASS = [("application", "signed", "passed", ""), ("application", "sealed", "passed", ""),
            ("application", "neat", "passed", ""), ("lease", "valid", "passed", ""),
            ("id-copy", "valid", "passed", "")]


def take_in(hall, staff, applicant=ENTERPRISE, marks=ALL_PASS):
    case = hall.open_case(staff["window"], "sample-permit", applicant)
    hall.review(staff["window"], case.number, marks)
    return hall.act(staff["window"], case.number, "take_in")


def test_a_point_reported_unclear_is_kept_with_its_version_and_traced(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    report = hall.problems.report(staff["window"], case.number, "application", "sealed",
                                  note="分公司能否盖章不清楚")
    assert (report.item_code, report.item_version, report.section) == (
        "sample-permit", "2026.1", "sample")
    assert (report.material, report.point, report.case_number) == (
        "application", "sealed", case.number)
    assert report.reported_by == "window1" and report.reported_at == hall.clock()
    assert hall.problems.reported_points(case.number, "window1") == {"application/sealed"}
    # on the case's own trail, which still verifies (the event keeps the case's state)
    event = hall.get_case(case.number).events[-1]
    assert event.action == "point_unclear" and event.before == event.after == case.state
    assert event.data["point"] == "sealed" and event.data["version"] == "2026.1"
    assert audit.verify(hall.settings.audit_key).ok
    # one click twice is one report; a colleague's is another
    again = hall.problems.report(staff["window"], case.number, "application", "sealed")
    assert again.id == report.id
    assert hall.problems.reported_points(case.number, "approver1") == frozenset()
    hall.problems.report(staff["approver"], case.number, "application", "sealed")
    assert PointReportRow.select().count() == 2
    assert hall.problems.reported_points(case.number, "approver1") == {"application/sealed"}


def test_reports_are_checked(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    with pytest.raises(ValidationError, match="没有材料"):
        hall.problems.report(staff["window"], case.number, "nope", "sealed")
    with pytest.raises(ValidationError, match="没有审查要点"):
        hall.problems.report(staff["window"], case.number, "application", "nope")
    with pytest.raises(ValidationError):
        hall.problems.report(staff["window"], case.number, "application", "sealed",
                             note="长" * 501)
    with pytest.raises(NotFound):  # another section's case does not exist for them
        hall.problems.report(staff["other_approver"], case.number, "application", "sealed")
    with pytest.raises(NotFound):
        hall.problems.report(staff["window"], "000000000000", "application", "sealed")
    for role in ("issuance", "supervision"):
        with pytest.raises(TransitionRefused):
            hall.problems.report(staff[role], case.number, "application", "sealed")
    assert PointReportRow.select().count() == 0


def test_the_month_lists_unclear_points_and_returned_points(hall, staff, clock):
    first = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    hall.problems.report(staff["window"], first.number, "application", "sealed", note="看不懂")
    returned = take_in(hall, staff)
    clock.advance(hours=1)
    hall.act(staff["approver"], returned.number, "return", reason="公章不符",
             params={"points": ["application/sealed", "lease/valid"]})
    problems = hall.problems.month(SEPTEMBER)
    assert (problems.unclear, problems.returned) == (1, 2)
    [section] = problems.sections
    assert (section.code, section.name) == ("sample", "样例审批科")
    [item] = section.items
    assert (item.code, item.name, item.current_version) == (
        "sample-permit", "样例经营许可", "2026.1")
    assert [(p.key, p.unclear, p.returned) for p in item.points] == [
        ("application/sealed", 1, 1), ("lease/valid", 0, 1)]
    sealed, lease = item.points
    assert sealed.text == "加盖总公司公章，不得使用分公司公章"
    assert sealed.material_name == "样例经营许可申请表" and sealed.requirement == "hard"
    assert sealed.cases == tuple(sorted((first.number, returned.number)))
    assert sealed.notes == ("看不懂",) and sealed.versions == ("2026.1",)
    assert lease.text == "租赁期限不少于一年且在有效期内"
    # scoped to a section, and to the month
    assert not hall.problems.month(SEPTEMBER, section="elsewhere")
    assert hall.problems.month(SEPTEMBER, section="sample").returned == 2
    assert not hall.problems.month(dt.date(2026, 10, 1))
    assert not hall.problems.month(dt.date(2026, 8, 1))


def test_a_point_is_shown_as_the_case_had_it(hall, staff):
    """After a revision, the list quotes the text of the version the clerk used."""
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    snapshot = unstructure(hall.catalogue.item("sample-permit"))
    snapshot["version"] = "2025.9"
    snapshot["materials"][0]["review_points"][1]["text"] = "加盖公章（旧版）"
    CaseRow.update(item_version="2025.9", item_snapshot=json.dumps(snapshot)).where(
        CaseRow.number == case.number).execute()
    hall.problems.report(staff["window"], case.number, "application", "sealed")
    [section] = hall.problems.month(SEPTEMBER).sections
    [item] = section.items
    assert item.versions == ("2025.9",) and item.current_version == "2026.1"
    assert item.points[0].text == "加盖公章（旧版）"


def test_the_month_costs_three_queries_however_long(hall, staff, clock):
    def queries():
        with counting_queries(hall.db) as executed:
            hall.problems.month(SEPTEMBER)
        return len(executed)

    def one():
        case = take_in(hall, staff, marks=ALL_PASS)
        hall.problems.report(staff["window"], case.number, "lease", "valid")
        hall.act(staff["approver"], case.number, "return", reason="不符",
                 params={"points": ["id-copy/valid"]})

    one()
    few = queries()
    for _ in range(5):
        one()
    assert hall.problems.month(SEPTEMBER).returned == 6
    assert queries() == few == 3
    assert AuditRow.select().where(AuditRow.action == "point_unclear").count() == 6

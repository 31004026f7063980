"""What a browser walk of a window clerk's day found: ids, the way back to a case owing a
deferred material, the deferral's date limits, stale failure reasons and “mark all as met”."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from onewindow.case import ReviewOutcome
from onewindow.lifecycle import applicable_materials, item_of
from onewindow.workdays import add_working_days

from .conftest import CSRF_FIELD, ENTERPRISE, PERSON, page_queries


def send(client, url: str, data: dict, *, page: str):
    """POST a form with the CSRF token the page carried, without following the redirect."""
    match = CSRF_FIELD.search(client.get(page).text)
    assert match, f"no CSRF field on {page}"
    return client.post(url, data={"_csrf_token": match.group(1), **data},
                       follow_redirects=False)


def _all_passed(hall, window, case):
    marks = [(m.code, p.code, ReviewOutcome.PASSED.value, "")
             for m in applicable_materials(case, item_of(case)) for p in m.review_points]
    return hall.review(window, case.number, marks)


def _owing(hall, staff, *, accept: bool = False):
    """A web-permit case taken in with its lease deferred (容缺), optionally accepted."""
    window = staff["window"]
    case = _all_passed(hall, window, hall.open_case(window, "web-permit", ENTERPRISE))
    due = add_working_days(hall.clock().date(), 4)
    hall.act(window, case.number, "defer", params={"material": "lease", "due_date": due,
                                                   "commitment_signed": True})
    case = hall.act(window, case.number, "take_in")
    if accept:
        case = hall.act(staff["approver"], case.number, "accept")
    return case, due


# ------------------------------------------------------------------ 1. distinct ids
def test_lookup_panel_and_its_form_have_distinct_ids(client, hall, staff, login):
    case = hall.open_case(staff["window"], "web-permit", ENTERPRISE)
    login("window1")
    url = f"/cases/{case.number}"
    text = client.get(url).text
    ids = Counter(re.findall(r'\sid="([^"]+)"', text))
    assert not [i for i, n in ids.items() if n > 1], ids
    assert '<form method="post" action="/cases/' in text and 'id="lookup-web-registry"' in text
    # the error summary's links land on the one form and the one field
    response = send(client, f"{url}/lookups/web-registry", {"credit_code": ""}, page=url)
    assert response.status_code == 422
    assert 'href="#lookup-web-registry--credit_code"' in response.text
    ids = Counter(re.findall(r'\sid="([^"]+)"', response.text))
    assert ids["lookup-web-registry--credit_code"] == 1
    assert ids["lookup-web-registry"] == 1


# ------------------------------------------------------------------ 2. the way back
def test_window_home_lists_cases_owing_a_deferred_material(client, hall, staff, login):
    taken_in, due = _owing(hall, staff)
    accepted, _ = _owing(hall, staff, accept=True)
    nothing_owed = hall.act(staff["window"], _all_passed(
        hall, staff["window"], hall.open_case(staff["window"], "web-permit", PERSON)).number,
        "take_in")
    login("window1")
    text = client.get("/").text
    assert "待补正材料" in text
    owed = text.split('id="owed"', 1)[1]
    for case in (taken_in, accepted):
        assert f'<a href="/cases/{case.number}#deferrals">{case.number}</a>' in owed
    assert nothing_owed.number not in owed
    assert "经营场所使用证明" in owed
    assert due.isoformat() in owed
    assert "已受理" in owed and "已接件" in owed
    # the case page it leads to names what is owed
    assert "经营场所使用证明" in client.get(f"/cases/{accepted.number}").text


def test_other_roles_have_no_owed_list(client, hall, staff, login):
    _owing(hall, staff)
    login("approver1")
    assert 'id="owed"' not in client.get("/").text


def test_owed_list_query_count_does_not_grow_with_the_cases(client, hall, staff, login):
    _owing(hall, staff)
    login("window1")
    few, response = page_queries(client, hall, "/")
    assert response.text.count("#deferrals") == 1
    for _ in range(6):
        _owing(hall, staff)
    many, response = page_queries(client, hall, "/")
    assert response.text.count("#deferrals") == 7
    assert len(few) == len(many), (few, many)


# ------------------------------------------------------------------ 3. deferral date limits
def test_deferral_due_date_defaults_to_the_latest_allowed_day(client, hall, staff, login):
    case = hall.open_case(staff["window"], "web-permit", ENTERPRISE)
    login("window1")
    text = client.get(f"/cases/{case.number}").text
    today = hall.clock().date()
    latest = add_working_days(today, 10).isoformat()  # the lease: at most 10 working days
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    field = re.search(r'<input type="date" id="defer-lease--due_date"[^>]*>', text)
    assert field, text
    assert f'value="{latest}"' in field.group(0)
    assert f'min="{tomorrow}"' in field.group(0) and f'max="{latest}"' in field.group(0)
    short = re.search(r'<input type="date" id="defer-id-copy--due_date"[^>]*>', text).group(0)
    assert f'max="{add_working_days(today, 5).isoformat()}"' in short


# ------------------------------------------------------------------ 4. stale reasons
def test_a_point_switched_back_to_met_loses_its_reason(client, hall, staff, login):
    case = hall.open_case(staff["window"], "web-permit", ENTERPRISE)
    login("window1")
    url = f"/cases/{case.number}"
    response = send(client, f"{url}/review", {"mark:application/signed": "failed",
                                              "reason:application/signed": "未签字"}, page=url)
    assert response.status_code == 303
    assert hall.get_case(case.number).review("application", "signed").reason == "未签字"
    # the clerk switches the point back to met: the browser still sends the old reason
    response = send(client, f"{url}/review", {"mark:application/signed": "passed",
                                              "reason:application/signed": "未签字"}, page=url)
    assert response.status_code == 303
    after = hall.get_case(case.number)
    mark = after.review("application", "signed")
    assert mark.outcome is ReviewOutcome.PASSED and mark.reason == ""
    # the record of the step (the audit trail) carries no stale reason either
    assert [e for e in after.events if e.action == "review"][-1].data["marks"] == [
        ["application", "signed", "passed", ""]]
    # sent again unchanged, nothing differs from the record: nothing to save
    response = send(client, f"{url}/review", {"mark:application/signed": "passed",
                                              "reason:application/signed": "未签字"}, page=url)
    assert response.status_code == 422
    response = send(client, f"{url}/review", {"mark:lease/valid": "not_applicable",
                                              "reason:lease/valid": "旧理由"}, page=url)
    assert hall.get_case(case.number).review("lease", "valid").reason == ""


def test_reason_field_is_empty_for_points_not_failed(client, hall, staff, login):
    case = hall.open_case(staff["window"], "web-permit", ENTERPRISE)
    hall.review(staff["window"], case.number,
                [("application", "signed", "passed", "旧的不通过理由"),
                 ("application", "neat", "failed", "字迹潦草")])
    login("window1")
    text = client.get(f"/cases/{case.number}").text
    signed = re.search(r'<input type="text" id="review--reason-application-signed"[^>]*>', text)
    assert 'value=""' in signed.group(0)
    assert "旧的不通过理由" not in signed.group(0)
    neat = re.search(r'<input type="text" id="review--reason-application-neat"[^>]*>', text)
    assert 'value="字迹潦草"' in neat.group(0)
    # shown again after a refusal, a point switched to met does not keep the typed reason
    url = f"/cases/{case.number}"
    response = send(client, f"{url}/review", {
        "mark:application/signed": "failed", "reason:application/signed": "",
        "mark:application/neat": "passed", "reason:application/neat": "字迹潦草"}, page=url)
    assert response.status_code == 422
    neat = re.search(r'<input type="text" id="review--reason-application-neat"[^>]*>',
                     response.text)
    assert 'value=""' in neat.group(0)


# ------------------------------------------------------------------ 5. mark all as met
def test_mark_all_passes_required_and_skips_optional_keeping_failures(client, hall, staff,
                                                                      login):
    case = hall.open_case(staff["window"], "web-permit", ENTERPRISE)
    login("window1")
    url = f"/cases/{case.number}"
    text = client.get(url).text
    assert re.search(r'<button type="submit" name="mark_all" value="passed"[^>]*>全部通过</button>',
                     text)
    # as the browser sends it: the point the clerk marked not met, then the button
    response = send(client, f"{url}/review", {"mark:application/signed": "failed",
                                              "reason:application/signed": "未签字",
                                              "mark_all": "passed"}, page=url)
    assert response.status_code == 303
    after = hall.get_case(case.number)
    assert after.review("application", "signed").outcome is ReviewOutcome.FAILED
    assert after.review("application", "signed").reason == "未签字"
    assert after.review("application", "neat").outcome is ReviewOutcome.PASSED
    assert after.review("lease", "valid").outcome is ReviewOutcome.PASSED
    assert after.review("id-copy", "valid").outcome is ReviewOutcome.NOT_APPLICABLE


def test_mark_all_leaves_a_recorded_failure_alone(client, hall, staff, login):
    case = hall.open_case(staff["window"], "web-permit", ENTERPRISE)
    hall.review(staff["window"], case.number, [("lease", "valid", "failed", "租期不足一年")])
    login("window1")
    url = f"/cases/{case.number}"
    response = send(client, f"{url}/review", {"mark_all": "passed"}, page=url)
    assert response.status_code == 303
    after = hall.get_case(case.number)
    assert after.review("lease", "valid").outcome is ReviewOutcome.FAILED
    assert after.review("lease", "valid").reason == "租期不足一年"
    assert after.review("application", "signed").outcome is ReviewOutcome.PASSED
    assert after.review("id-copy", "valid").outcome is ReviewOutcome.NOT_APPLICABLE


def test_mark_all_leaves_a_deferred_material_unmarked(client, hall, staff, login):
    from onewindow.workdays import add_working_days

    case = hall.open_case(staff["window"], "web-permit", ENTERPRISE)
    due = add_working_days(hall.clock().date(), 2)
    hall.act(staff["window"], case.number, "defer",
             params={"material": "lease", "due_date": due, "commitment_signed": True})
    login("window1")
    url = f"/cases/{case.number}"
    assert send(client, f"{url}/review", {"mark_all": "passed"}, page=url).status_code == 303
    after = hall.get_case(case.number)
    assert after.review("lease", "valid") is None  # not there yet: nothing to mark
    assert after.review("application", "neat").outcome is ReviewOutcome.PASSED

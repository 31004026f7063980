"""Two people acting on one case, and a database too busy to answer: never a 500.

The loser of a race reads what happened (core's words, "该办件已由 … 受理") on a 409 page that
still holds what they typed; a busy database answers 503 with ``Retry-After``.
"""

from __future__ import annotations

import httpx
import pytest
from litestar.testing import TestClient

from onewindow.errors import Busy
from onewindow_web.errors import RETRY_AFTER_SECONDS

from .conftest import ENTERPRISE, PASSWORD, csrf_token
from .test_workday import _push, send


def _session(client: TestClient, username: str) -> httpx.Cookies:
    """Sign ``username`` in on a fresh cookie jar; return the jar (two people, one client)."""
    client.cookies = httpx.Cookies()
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "_csrf_token": csrf_token(client)},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return httpx.Cookies(client.cookies)


def test_the_second_of_two_deciders_gets_409_with_what_happened_and_their_text(
        client, hall, more_staff):
    case = _push(hall, more_staff, item="web-permit", applicant=ENTERPRISE, until="take_in")
    url = f"/cases/{case.number}"
    first = _session(client, "approver1")
    _session(client, "head1")
    late_token = csrf_token(client, url)  # both have the page open, with its buttons
    second = httpx.Cookies(client.cookies)  # the session now holds its CSRF secret
    client.cookies = first
    assert send(client, f"{url}/actions/accept", page=url).status_code == 303
    client.cookies = second
    response = client.post(f"{url}/actions/return", data={
        "_csrf_token": late_token, "points": ["application/signed"],
        "reason": "申请表签字与法定代表人不符"}, follow_redirects=False)
    assert response.status_code == 409
    assert "该办件已由 李建国 受理，不能再退回" in response.text
    assert "申请表签字与法定代表人不符</textarea>" in response.text
    assert hall.get_case(case.number).state.value == "accepted"


@pytest.mark.parametrize("locale, title", [("zh_CN", "系统繁忙，请重试"),
                                           ("en", "The system is busy, please try again")])
def test_a_busy_database_answers_503_with_retry_after(client, hall, staff, login, monkeypatch,
                                                       locale, title):
    case = _push(hall, staff, item="web-permit", applicant=ENTERPRISE, until="take_in")
    url = f"/cases/{case.number}"
    login("approver1")
    client.cookies.set("onewindow_lang", locale)

    def busy(*args, **kwargs):  # what core raises when the lock wait runs out
        raise Busy("database is locked")

    monkeypatch.setattr(hall, "act", busy)
    response = send(client, f"{url}/actions/accept", page=url)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert title in response.text
    assert "database is locked" not in response.text  # the driver's words stay in the log
    monkeypatch.undo()
    assert send(client, f"{url}/actions/accept", page=url).status_code == 303


def test_a_refusal_the_busy_trail_cannot_take_is_still_a_409_with_the_text(client, hall,
                                                                          more_staff,
                                                                          monkeypatch):
    """The loser's refusal is chained into the audit trail; a database too busy for that row
    must not turn their 409 (with what they typed) into a 503 that keeps nothing."""
    from onewindow import audit

    case = _push(hall, more_staff, item="web-permit", applicant=ENTERPRISE, until="accept")
    url = f"/cases/{case.number}"
    _session(client, "head1")
    token = csrf_token(client, url)

    def busy(*args, **kwargs):
        raise Busy("database is locked")

    monkeypatch.setattr(audit, "record_refusal", busy)
    response = client.post(f"{url}/actions/return", data={
        "_csrf_token": token, "points": ["application/signed"],
        "reason": "申请表签字与法定代表人不符"}, follow_redirects=False)
    assert response.status_code == 409
    assert "申请表签字与法定代表人不符</textarea>" in response.text

"""A step that was stored is acknowledged as stored, even if the database goes away right after.

Found by the PostgreSQL outage test: an intake committed just before PostgreSQL stopped, then
removing the clerk's draft met the stopped server and the clerk read "busy, nothing was saved"
for a case that was saved, the surest way to have it typed in twice. Removing the draft of a
stored step (``Drafts.forget``) may fail; the step's answer may not.
"""

from __future__ import annotations

import pytest

from onewindow.drafts import Drafts
from onewindow.errors import Busy

from .conftest import ENTERPRISE
from .test_workday import send


@pytest.fixture
def draft_removal_fails(monkeypatch):
    calls = []

    def busy(self, owner, key):
        calls.append(key)
        raise Busy("server closed the connection unexpectedly")

    monkeypatch.setattr(Drafts, "discard", busy)
    return calls


def test_an_intake_stored_is_acknowledged_when_its_draft_cannot_be_removed(
        client, hall, staff, login, draft_removal_fails):
    login("window1")
    hall.drafts.save("window1", "intake:web-permit", [("name", "半填")])
    response = send(client, "/intake/new", {**ENTERPRISE, "item": "web-permit"},
                    page="/intake/new?item=web-permit")
    assert response.status_code == 303, response.text[:300]
    number = response.headers["location"].removeprefix("/cases/").split("?")[0]
    assert hall.get_case(number).applicant.name == ENTERPRISE["name"]
    assert draft_removal_fails == ["intake:web-permit"]
    # the draft is still there, for the clerk to discard: nothing typed is lost either
    assert hall.drafts.load("window1", "intake:web-permit") is not None


def test_a_review_stored_is_acknowledged_when_its_draft_cannot_be_removed(
        client, hall, staff, login, draft_removal_fails):
    case = hall.open_case(staff["window"], "web-permit", ENTERPRISE)
    login("window1")
    url = f"/cases/{case.number}"
    response = send(client, f"{url}/review", {"mark:application/signed": "passed"}, page=url)
    assert response.status_code == 303
    assert hall.get_case(case.number).review("application", "signed") is not None
    assert draft_removal_fails == [f"review:{case.number}"]


def test_inside_a_transaction_the_failure_is_not_hidden(hall, draft_removal_fails):
    """There the step itself is not stored yet: "busy" is the truth."""
    with pytest.raises(Busy), hall.db.atomic():
        hall.drafts.forget("window1", "intake:web-permit")

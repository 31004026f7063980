"""Printable A4 documents of a case: intake receipt, one-time notice, commitment letter.

Each carries the bureau's header, the case number, the date and a verification hash; the
notice is printed exactly as it was frozen (its lines and stored hash), never recomputed.
"""

from __future__ import annotations

import re

import pytest

from onewindow.case import ReviewOutcome
from onewindow.lifecycle import applicable_materials, item_of
from onewindow.workdays import add_working_days
from onewindow_web import documents

from .conftest import PERSON

RAW_ID = PERSON["id_number"]
MASKED_ID = "1101**********002X"
PASSED, FAILED = ReviewOutcome.PASSED.value, ReviewOutcome.FAILED.value


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _notified_twice(hall, staff, applicant=PERSON):
    """A web-permit case with two one-time notices (the second a repeat)."""
    window = staff["window"]
    case = hall.open_case(window, "web-permit", applicant)
    hall.review(window, case.number, [("application", "signed", FAILED, "缺法定代表人签字")])
    hall.act(window, case.number, "notify")
    hall.review(window, case.number, [("application", "neat", FAILED, "字迹潦草")])
    return hall.act(window, case.number, "notify")


def _taken_in(hall, staff, case=None, applicant=PERSON):
    """Every point passed, the lease deferred (容缺受理, with commitment), then taken in."""
    window = staff["window"]
    case = case or hall.open_case(window, "web-permit", applicant)
    marks = [(m.code, p.code, PASSED, "")
             for m in applicable_materials(case, item_of(case)) for p in m.review_points
             if m.code != "lease"]
    hall.review(window, case.number, marks)
    due = add_working_days(hall.clock().date(), 3)
    hall.act(window, case.number, "defer",
             params={"material": "lease", "due_date": due, "commitment_signed": True})
    return hall.act(window, case.number, "take_in")


@pytest.fixture
def notified(hall, staff):
    return _notified_twice(hall, staff)


def test_the_receipt_is_there_only_after_take_in(client, hall, staff, login, notified):
    login("window1")
    url = f"/cases/{notified.number}/print/receipt"
    assert client.get(url).status_code == 404
    assert "/print/receipt" not in client.get(f"/cases/{notified.number}").text
    case = _taken_in(hall, staff, notified)
    response = client.get(url)
    assert response.status_code == 200
    html, text = response.text, text_of(response.text)
    doc = documents.receipt(case)
    assert "接件回执" in text and "鞍山市行政审批局" in text and case.number in text
    assert case.event_at("take_in").date().isoformat() in text
    assert MASKED_ID in text and RAW_ID not in html
    assert "网页测试经营许可" in text and "2026.2" in text
    assert "网页测试许可申请表" in text and "法定代表人身份证复印件" in text
    deferred = text[text.index("容缺及补正材料"):]
    assert "经营场所使用证明" in deferred and "容缺受理" in deferred
    assert case.deferral("lease").due_date.isoformat() in text
    assert "承诺办结时限（工作日） 5" in text and "统一发证窗口" in text
    assert "接件人 王晓梅" in text and "window1" not in text  # the hash keeps the login
    assert doc.verification_hash in html and doc.short_hash in html
    assert re.fullmatch(r"[0-9a-f]{4}( [0-9a-f]{4}){3}", doc.short_hash)
    assert doc.short_hash.replace(" ", "") == doc.verification_hash[:16]
    assert 'class="no-print' in html  # the breadcrumb and hint stay off paper
    # the case page links to every document that exists now
    page = client.get(f"/cases/{case.number}").text
    assert f'href="{url}"' in page
    assert f'href="/cases/{case.number}/print/commitment/lease"' in page
    for event in documents.notify_events(case):
        assert f'href="/cases/{case.number}/print/notice?seq={event.seq}"' in page


def test_the_notice_prints_exactly_what_was_stored(client, hall, staff, login, notified):
    first, second = documents.notify_events(notified)
    login("window1")
    base = f"/cases/{notified.number}/print/notice"
    html = client.get(f"{base}?seq={first.seq}").text
    text = text_of(html)
    assert "一次性告知书" in text and notified.number in text
    assert first.data["notice_hash"] in html
    assert re.findall(r"<li>([^<]*)</li>", html) == list(first.data["deficiencies"])
    assert "缺法定代表人签字" in text and "重复告知" not in text
    assert MASKED_ID in text and RAW_ID not in html
    # the default is the latest notice, marked as a repeat (a breach of one-time notice)
    html = client.get(base).text
    assert second.data["repeat"] is True
    assert second.data["notice_hash"] in html and first.data["notice_hash"] not in html
    assert re.findall(r"<li>([^<]*)</li>", html) == list(second.data["deficiencies"])
    assert "重复告知" in html and 'class="a4-warning"' in html
    assert client.get(f"{base}?seq=999999").status_code == 404


def test_the_notice_is_never_recomputed(client, hall, staff, login, notified):
    # the case changes after the notice: the printed notice does not
    _taken_in(hall, staff, notified)
    event = documents.notify_events(hall.get_case(notified.number))[0]
    login("window1")
    html = client.get(f"/cases/{notified.number}/print/notice?seq={event.seq}").text
    assert re.findall(r"<li>([^<]*)</li>", html) == list(event.data["deficiencies"])
    assert event.data["notice_hash"] in html


def test_the_commitment_letter(client, hall, staff, login):
    case = _taken_in(hall, staff)
    login("window1")
    url = f"/cases/{case.number}/print/commitment/lease"
    html = client.get(url).text
    text = text_of(html)
    doc = documents.commitment(case, "lease")
    due = case.deferral("lease").due_date.isoformat()
    assert "容缺承诺书" in text and case.number in text and "鞍山市行政审批局" in text
    assert f"承诺于 {due} 前补齐“经营场所使用证明”" in text
    assert "该材料补齐前，不作出审批决定" in text
    assert "申请人（签字）" in text and "经办人（签字）" in text
    assert doc.verification_hash in html and doc.short_hash in html
    assert MASKED_ID in text and RAW_ID not in html
    # no letter for a material not deferred, or whose deferral needs no commitment
    assert client.get(f"/cases/{case.number}/print/commitment/application").status_code == 404
    assert client.get(f"/cases/{case.number}/print/commitment/nothing").status_code == 404


def test_a_deferral_without_commitment_has_no_letter(client, hall, staff, login):
    window = staff["window"]
    case = hall.open_case(window, "web-permit", PERSON)
    due = add_working_days(hall.clock().date(), 2)
    hall.act(window, case.number, "defer",
             params={"material": "id-copy", "due_date": due, "commitment_signed": False})
    login("window1")
    assert client.get(f"/cases/{case.number}/print/commitment/id-copy").status_code == 404
    assert "/print/commitment/" not in client.get(f"/cases/{case.number}").text


def test_the_hash_follows_the_content(hall, staff):
    one, two = _taken_in(hall, staff), _taken_in(hall, staff)
    assert documents.receipt(one).verification_hash != documents.receipt(two).verification_hash
    assert (documents.commitment(one, "lease").verification_hash
            != documents.commitment(two, "lease").verification_hash)
    # the same content gives the same hash, and every kind hashes differently
    assert documents.receipt(one) == documents.receipt(hall.get_case(one.number))
    assert (documents.receipt(one).verification_hash
            != documents.commitment(one, "lease").verification_hash)


def test_documents_keep_the_case_pages_visibility(client, hall, staff, login):
    case = _taken_in(hall, staff)
    base = f"/cases/{case.number}/print"
    login("approver2")  # another section: the case does not exist for them
    for path in ("receipt", "commitment/lease"):
        assert client.get(f"{base}/{path}").status_code == 404
    login("approver1")
    assert client.get(f"{base}/receipt").status_code == 200
    assert client.get("/cases/000000000000/print/receipt").status_code == 404


def test_documents_in_english_keep_the_cases_own_words(client, hall, staff, login):
    case = _taken_in(hall, staff)
    login("window1")
    text = text_of(client.get(f"/cases/{case.number}/print/receipt?lang=en").text)
    assert "Intake receipt" in text and "Verification hash" in text
    assert "经营场所使用证明" in text and "统一发证窗口" in text
    text = text_of(client.get(f"/cases/{case.number}/print/commitment/lease").text)
    assert "The case will not be decided until this material is supplied." in text

"""Personal data through the web: the core's per-document rule for whole ID numbers, the audit
of every print of a whole number, failed sign-ins and refused actions in the audit trail, and
log lines that never carry a whole ID number."""

from __future__ import annotations

import json
import logging

from onewindow import audit, privacy
from onewindow.storage.models import AuditRow
from onewindow_web.app import create_app
from onewindow_web.documents import DOCUMENT_ROUTES, full_id_route_paths

from .conftest import PASSWORD, PERSON
from .test_transfers import MASKED_ID, RAW_ID, filled
from .test_workday import send

OLD_FORM_ID = "110105491231002"  # the 15-digit pre-1999 form of the same person's number


def _rows(action: str) -> list[AuditRow]:
    return list(AuditRow.select().where(AuditRow.action == action).order_by(AuditRow.seq))


def test_the_rule_is_the_cores_and_only_the_transfer_print_is_whole(app):
    assert set(DOCUMENT_ROUTES.values()) <= set(privacy.DOCUMENT_RULES)
    full = {name for name, rule in privacy.DOCUMENT_RULES.items()
            if rule.disclosure is privacy.Disclosure.FULL}
    assert full == {"transfer_form_print", "entry_form"}
    assert all(rule.reason and rule.title for rule in privacy.DOCUMENT_RULES.values())
    assert full_id_route_paths(app) == ["/transfers/{number:str}/print"]
    assert privacy.id_number_for("receipt", RAW_ID) == MASKED_ID
    assert privacy.id_number_for("no-such-document", RAW_ID) == MASKED_ID
    assert privacy.id_number_for("transfer_form_print", RAW_ID) == RAW_ID


def test_the_transfer_page_masks_and_each_print_is_audited(client, hall, staff, login):
    form = filled(hall, staff)
    login("window1")
    before = len(_rows(privacy.FULL_ID_ACTION))
    view = client.get(f"/transfers/{form.number}").text
    assert MASKED_ID in view and RAW_ID not in view
    assert len(_rows(privacy.FULL_ID_ACTION)) == before  # a masked page is not a disclosure
    for _ in range(2):
        assert RAW_ID in client.get(f"/transfers/{form.number}/print").text
    rows = _rows(privacy.FULL_ID_ACTION)[before:]
    assert [(r.actor, r.role, r.case_number) for r in rows] == [("window1", "window_staff",
                                                                  None)] * 2
    assert json.loads(rows[0].data) == {"document": "transfer_form_print",
                                        "subject": form.number}
    assert audit.verify(hall.settings.audit_key).ok


def test_an_enterprise_print_records_nothing(client, hall, staff, login):
    from .conftest import ENTERPRISE

    form = filled(hall, staff, {"item": "web-permit", "form_date": hall.clock().date(),
                                **ENTERPRISE})
    login("window1")
    page = client.get(f"/transfers/{form.number}/print").text
    assert ENTERPRISE["credit_code"] in page  # credit codes are not personal data
    assert not _rows(privacy.FULL_ID_ACTION)


def test_case_documents_follow_the_rule(client, hall, staff, login):
    from .test_workday import _push

    case = _push(hall, staff, "web-filing", PERSON)
    login("window1")
    receipt = client.get(f"/cases/{case.number}/print/receipt")
    assert receipt.status_code == 200
    assert MASKED_ID in receipt.text and RAW_ID not in receipt.text
    assert not _rows(privacy.FULL_ID_ACTION)


def test_a_failed_login_with_an_id_number_is_logged_and_audited_masked(client, staff, login,
                                                                      hall, caplog):
    caplog.set_level(logging.INFO)
    grouped = f"{RAW_ID[:6]} {RAW_ID[6:14]} {RAW_ID[14:]}"  # as read off the card
    pages = []
    for username in (RAW_ID, f"x{RAW_ID}", OLD_FORM_ID, grouped):
        response = login(username, "wrong-password")
        assert response.status_code == 400
        pages.append(response.text)
    lines = "\n".join(r.getMessage() for r in caplog.records)
    assert "login failed for '1101**********002X'" in lines
    assert RAW_ID not in lines and OLD_FORM_ID not in lines and grouped not in lines
    assert not any(grouped in page or RAW_ID in page for page in pages)
    rows = _rows(audit.LOGIN_FAILED)
    assert [r.actor for r in rows] == [MASKED_ID, "x" + MASKED_ID, "1101*******1002",
                                       "1101************002X"]
    assert all(r.role == "" and r.case_number is None for r in rows)
    assert audit.verify(hall.settings.audit_key).ok


def test_a_failed_and_a_locked_login_are_audited(client, staff, login, hall):
    for _ in range(5):
        login("window1", "wrong-password")
    assert login("window1", PASSWORD).status_code == 429  # locked: refused, and audited too
    rows = _rows(audit.LOGIN_FAILED)
    assert [r.actor for r in rows] == ["window1"] * 6
    assert [json.loads(r.data)["locked"] for r in rows] == [False] * 5 + [True]


def test_a_username_with_control_characters_is_audited_printable(client, staff, login):
    login("a\tb\x7f", "wrong-password")
    assert _rows(audit.LOGIN_FAILED)[-1].actor == "a?b?"


def test_a_refused_transition_is_audited(client, hall, staff, login):
    form = filled(hall, staff)
    login("window1")
    page = f"/transfers/{form.number}"
    assert send(client, f"{page}/record", page=page).status_code == 303
    again = send(client, f"{page}/record", page=page)
    assert again.status_code == 409
    (row,) = _rows(audit.ACTION_REFUSED)
    assert (row.actor, row.role, row.case_number) == ("window1", "window_staff", None)
    data = json.loads(row.data)
    assert data["action"] == "record_transfer" and data["subject"] == form.number
    assert "已被录入" in row.reason or "录入为办件" in row.reason
    assert audit.verify(hall.settings.audit_key).ok


def test_a_role_refusal_is_audited(client, hall, staff, login):
    login("window1")
    assert client.get("/transfers/new").status_code == 403  # only the section fills forms
    (row,) = _rows(audit.ACTION_REFUSED)
    assert (row.actor, row.role) == ("window1", "window_staff")
    assert json.loads(row.data)["action"] == "GET transfer_new"
    assert audit.verify(hall.settings.audit_key).ok


def test_the_app_installs_the_log_filter(hall, monkeypatch):
    monkeypatch.setattr(logging, "_logRecordFactory", logging.LogRecord)
    create_app(hall, secure_cookies=False)
    record = logging.getLogRecordFactory()("t", logging.INFO, __file__, 1, "typed %s",
                                           (RAW_ID,), None)
    assert record.getMessage() == f"typed {MASKED_ID}"


def test_the_server_installs_the_log_filter(monkeypatch):
    import uvicorn

    from onewindow_web import server

    monkeypatch.setattr(logging, "_logRecordFactory", logging.LogRecord)
    monkeypatch.setattr(server, "create_app", lambda: object())
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    server.serve("127.0.0.1", 0)
    record = logging.getLogRecordFactory()("t", logging.INFO, __file__, 1, "GET /?q=%s",
                                           (RAW_ID,), None)
    assert RAW_ID not in record.getMessage()


def test_guide_samples_show_id_numbers_masked_and_credit_codes_whole():
    from onewindow_web.templating import build_environment

    assert privacy.DOCUMENT_RULES["guide"].disclosure is privacy.Disclosure.MASKED
    sample = "赵婷，居民身份证21030219900214426X；统一社会信用代码91210302MA0YCE7KX9"
    shown = build_environment().from_string("{{ s|mask_ids }}").render(s=sample)
    assert shown == "赵婷，居民身份证2103**********426X；统一社会信用代码91210302MA0YCE7KX9"

"""Dedicated-network transfer forms (专网审批事项信息转交表), through the services.

The section fills the form after approving on its own network; the window records it, which
opens a case already approved, with its whole trace; the case is then issued as any other.
"""

import datetime as dt
import json
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
import sample_plugin
from attrs import evolve
from conftest import ENTERPRISE, PERSON

from onewindow import audit, transfers
from onewindow.case import State
from onewindow.errors import Conflict, NotFound, TransitionRefused, ValidationError
from onewindow.storage import repo
from onewindow.storage.models import (
    AuditRow,
    CaseCounterRow,
    CaseRow,
    SealLedgerRow,
    TransferRow,
)

RAW_ID = PERSON["id_number"]
MASKED_ID = "1101**********002X"


def fill_data(applicant=ENTERPRISE, **more):
    return {"item": "sample-permit", "form_date": "2026-09-25",
            "notes": "专网办结，许可证号 YL-2026-0815", **applicant, **more}


def trail_size():
    return AuditRow.select().count()


def count_queries(function):
    """How many SQL statements ``function`` sends (peewee logs each one at DEBUG)."""
    logger = logging.getLogger("peewee")
    seen = []

    class Counter(logging.Handler):
        def emit(self, record):
            seen.append(record)

    handler, old_level = Counter(logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        result = function()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    return len(seen), result


# ------------------------------------------------------------------------------ filling
def test_fill_names_every_bad_field_at_once_and_stores_nothing(hall, staff):
    data = fill_data(item="", form_date="2026-09-29", credit_code="91110000600037341X",
                     phone="123", legal_representative="", notes="长" * 2001)
    with pytest.raises(ValidationError) as info:
        hall.transfers.fill(staff["approver"], data)
    errors = info.value.errors
    assert set(errors) == {"item", "form_date", "credit_code", "phone", "legal_representative",
                           "notes"}
    assert errors["item"] == "请选择审批事项"
    assert "不能晚于今天" in errors["form_date"]
    assert "统一社会信用代码校验不通过" in errors["credit_code"]
    assert "手机号码" in errors["phone"]
    assert "2000" in errors["notes"]
    assert TransferRow.select().count() == 0 and trail_size() == 0


@pytest.mark.parametrize(("form_date", "message"), [
    ("", "请填写转交表日期"), ("2026-13-01", "年-月-日"), ("昨天", "年-月-日"),
    (dt.date(2026, 9, 29), "不能晚于今天")])
def test_the_form_date_is_required_real_and_not_in_the_future(hall, staff, form_date,
                                                              message):
    with pytest.raises(ValidationError) as info:
        hall.transfers.fill(staff["approver"], fill_data(form_date=form_date))
    assert set(info.value.errors) == {"form_date"}
    assert message in info.value.errors["form_date"]


def test_a_person_is_checked_by_id_number(hall, staff):
    with pytest.raises(ValidationError) as info:
        hall.transfers.fill(staff["approver"], fill_data(PERSON, id_number="110105194912310021",
                                                         name=""))
    assert set(info.value.errors) == {"id_number", "name"}
    assert "身份证号码校验不通过" in info.value.errors["id_number"]
    assert info.value.errors["name"] == "请填写申请人姓名"


def test_overlong_names_are_refused_not_cut(hall, staff):
    with pytest.raises(ValidationError) as info:
        hall.transfers.fill(staff["approver"], fill_data(legal_representative="张" * 65,
                                                         contact_person="刘" * 65))
    assert set(info.value.errors) == {"legal_representative", "contact_person"}


def test_only_the_section_fills_and_only_its_own_items(hall, staff):
    for who in ("window", "issuance", "supervision"):
        with pytest.raises(TransitionRefused, match="只有审批业务科"):
            hall.transfers.fill(staff[who], fill_data())
    with pytest.raises(ValidationError) as info:  # an approver of another section
        hall.transfers.fill(staff["other_approver"], fill_data())
    assert set(info.value.errors) == {"item"}
    assert "样例经营许可不属于" in info.value.errors["item"]
    with pytest.raises(ValidationError) as info:
        hall.transfers.fill(staff["approver"], fill_data(item="no-such-item"))
    assert info.value.errors == {"item": "没有编码为 no-such-item 的审批事项"}
    assert TransferRow.select().count() == 0
    # the section head fills as well as the approver
    assert hall.transfers.fill(staff["head"], fill_data()).filled_by == "head1"
    # only the items handled end to end on a network: 样例备案 (sample-simple) is not
    assert [i.code for i in hall.transfers.items_for(staff["approver"])] == ["sample-permit"]
    assert hall.transfers.items_for(staff["window"]) == []


def test_an_item_handled_on_the_platform_takes_no_transfer_form(hall, staff, monkeypatch):
    """Only 可通过各业务专网开展全流程网上审批的事项: any other item goes through intake."""
    assert hall.catalogue.item("sample-simple").handled_on_network == ""
    with pytest.raises(ValidationError) as info:
        hall.transfers.fill(staff["approver"], fill_data(PERSON, item="sample-simple"))
    assert info.value.errors == {
        "item": "样例备案在平台办理，不属于全流程专网审批事项，不能通过专网审批事项信息转交表录入"}
    with pytest.raises(ValidationError) as info:  # named with the other faults, at once
        hall.transfers.fill(staff["approver"], fill_data(PERSON, item="sample-simple",
                                                         form_date=""))
    assert set(info.value.errors) == {"item", "form_date"}
    assert TransferRow.select().count() == 0 and trail_size() == 0
    # once the catalogue names its network, the same item takes a form
    simple = hall.catalogue.item("sample-simple")
    monkeypatch.setitem(hall.catalogue.items, "sample-simple",
                        evolve(simple, handled_on_network="样例备案专网"))
    assert [i.code for i in hall.transfers.items_for(staff["head"])] == [
        "sample-simple", "sample-permit"]  # by name: 样例备案, 样例经营许可
    assert hall.transfers.fill(staff["approver"], fill_data(PERSON, item="sample-simple"))


def test_recording_refuses_an_item_no_longer_handled_on_a_network(hall, staff, monkeypatch):
    form = hall.transfers.fill(staff["approver"], fill_data())
    size = trail_size()
    permit = hall.catalogue.item("sample-permit")
    monkeypatch.setitem(hall.catalogue.items, "sample-permit",
                        evolve(permit, handled_on_network=""))  # the catalogue changed
    with pytest.raises(ValidationError) as info:
        hall.transfers.record(staff["window"], form.number)
    assert set(info.value.errors) == {"item"}
    assert info.value.errors["item"].startswith("样例经营许可在事项目录中已改为在平台办理")
    assert "请审批业务科核实" in info.value.errors["item"]
    assert CaseRow.select().count() == 0 and trail_size() == size
    assert not hall.transfers.get(form.number).recorded
    monkeypatch.undo()  # listed again: the form is recorded as usual
    assert hall.transfers.record(staff["window"], form.number).state is State.APPROVED


def test_the_applicant_must_be_of_a_kind_the_item_accepts(hall, staff, monkeypatch):
    simple = hall.catalogue.item("sample-simple")  # persons only
    monkeypatch.setitem(hall.catalogue.items, "sample-simple",
                        evolve(simple, handled_on_network="样例备案专网"))
    with pytest.raises(ValidationError) as info:
        hall.transfers.fill(staff["approver"], fill_data(item="sample-simple"))
    assert info.value.errors == {"kind": "样例备案不受理该类申请人"}
    with pytest.raises(ValidationError) as info:
        hall.transfers.fill(staff["approver"], fill_data(kind=""))
    assert set(info.value.errors) == {"kind"}


def test_a_filled_form_is_numbered_hashed_and_chained(hall, staff, clock):
    form = hall.transfers.fill(staff["approver"], fill_data(PERSON))
    assert form.number == "ZW202609280001"
    assert form.form_date == dt.date(2026, 9, 25)
    assert (form.item_code, form.item_name, form.section) == ("sample-permit", "样例经营许可",
                                                              "sample")
    assert form.applicant.id_number == RAW_ID and form.applicant.name == "王芳"
    assert form.notes == "专网办结，许可证号 YL-2026-0815"
    assert (form.filled_by, form.filled_by_name, form.filled_at) == (
        "approver1", "测试approver", clock.now)
    assert not form.recorded and form.case_number is None
    assert len(form.content_hash) == 64 and transfers.intact(form)
    assert hall.transfers.get(form.number) == form
    # the trail keeps the filling, without a case and without the raw ID number
    row = AuditRow.get(AuditRow.seq == 1)
    assert (row.case_number, row.action, row.actor, row.role) == (
        None, "transfer_fill", "approver1", "approver")
    data = json.loads(row.data)
    assert data["transfer"] == form.number and data["content_hash"] == form.content_hash
    assert data["id_number"] == MASKED_ID and RAW_ID not in row.data
    assert audit.verify(hall.settings.audit_key).ok
    # numbered per day, apart from case numbers
    assert hall.transfers.fill(staff["approver"], fill_data()).number == "ZW202609280002"
    assert hall.open_case(staff["window"], "sample-permit", ENTERPRISE).number == "202609280001"
    clock.advance(days=1)
    assert hall.transfers.fill(staff["approver"], fill_data()).number == "ZW202609290001"


def test_the_hash_covers_what_was_filled(hall, staff):
    form = hall.transfers.fill(staff["approver"], fill_data())
    other = hall.transfers.fill(staff["approver"], fill_data(notes="另一备注"))
    assert form.content_hash != other.content_hash
    TransferRow.update(applicant_name="鞍山市月亮科技有限公司").where(
        TransferRow.number == form.number).execute()
    tampered = hall.transfers.get(form.number)
    assert not transfers.intact(tampered)
    with pytest.raises(TransitionRefused, match="校验码不符"):
        hall.transfers.record(staff["window"], form.number)
    assert CaseRow.select().count() == 0


def test_numbers_stay_unique_when_sections_fill_at_once(hall, staff):
    hall.transfers.fill(staff["approver"], fill_data())  # the trail's head exists

    def fill(i):
        with hall.db.connection_context():
            return hall.transfers.fill(staff["approver"], fill_data(notes=f"第{i}份")).number

    with ThreadPoolExecutor(max_workers=4) as pool:
        numbers = list(pool.map(fill, range(12)))
    assert len(set(numbers)) == 12
    assert sorted(numbers) == [f"ZW20260928{n:04d}" for n in range(2, 14)]
    assert audit.verify(hall.settings.audit_key).ok


def test_listing_filters_by_section_and_state_in_one_query(hall, staff, clock):
    first = hall.transfers.fill(staff["approver"], fill_data())
    clock.advance(minutes=5)
    second = hall.transfers.fill(staff["approver"], fill_data(PERSON))
    clock.advance(minutes=5)
    hall.transfers.record(staff["window"], first.number)
    assert [f.number for f in hall.transfers.list()] == [second.number, first.number]
    assert [f.number for f in hall.transfers.list(recorded=False)] == [second.number]
    assert [f.number for f in hall.transfers.list(recorded=True)] == [first.number]
    assert [f.number for f in hall.transfers.list(section="sample")] == [second.number,
                                                                          first.number]
    assert hall.transfers.list(section="elsewhere") == []
    assert len(hall.transfers.list(limit=1)) == 1
    few, _ = count_queries(lambda: hall.transfers.list())
    for i in range(10):
        hall.transfers.fill(staff["approver"], fill_data(notes=f"第{i}份"))
    many, listed = count_queries(lambda: hall.transfers.list())
    assert len(listed) == 12 and few == many == 1


def test_who_sees_a_form(hall, staff):
    form = hall.transfers.fill(staff["approver"], fill_data())
    assert transfers.may_view(form, staff["approver"]) and transfers.may_view(form, staff["head"])
    assert transfers.may_view(form, staff["window"])
    assert transfers.may_view(form, staff["supervision"])
    assert not transfers.may_view(form, staff["other_approver"])
    with pytest.raises(NotFound):
        hall.transfers.get("ZW209901010001")


# ------------------------------------------------------------------------------ recording
def test_recording_opens_an_approved_case_with_its_whole_trace(hall, staff, clock):
    form = hall.transfers.fill(staff["approver"], fill_data(PERSON))
    clock.advance(hours=2)
    sample_plugin.EVENTS.clear()
    case = hall.transfers.record(staff["window"], form.number)
    assert case.number == "202609280001"
    assert case.state is State.APPROVED
    assert (case.item_code, case.section, case.item_version) == ("sample-permit", "sample",
                                                                 "2026.1")
    assert case.applicant == form.applicant
    assert case.opened_by == "window1" and case.opened_at == clock.now
    assert case.item_snapshot["name"] == "样例经营许可"
    assert [e.action for e in case.events] == ["open", "record_transfer"]
    opened, recorded = case.events
    assert opened.data["transfer"] == form.number
    assert opened.data["identifier"] == MASKED_ID
    assert recorded.before is State.CONSULTATION and recorded.after is State.APPROVED
    assert recorded.data == {"transfer": form.number, "form_date": "2026-09-25",
                             "approved_by": "approver1",
                             "filled_at": form.filled_at.isoformat(),
                             "content_hash": form.content_hash}
    assert (opened.seq, recorded.seq) == (2, 3)  # after the filling's row
    # exactly what was stored
    assert hall.get_case(case.number) == case
    stored = hall.transfers.get(form.number)
    assert stored.recorded and stored.case_number == case.number
    assert (stored.recorded_by, stored.recorded_by_name, stored.recorded_at) == (
        "window1", "测试window_staff", clock.now)
    assert stored.content_hash == form.content_hash and transfers.intact(stored)
    rows = list(AuditRow.select().order_by(AuditRow.seq))
    assert [(r.case_number, r.action) for r in rows] == [
        (None, "transfer_fill"), (case.number, "open"), (case.number, "record_transfer")]
    assert all(RAW_ID not in r.data for r in rows)
    assert audit.verify(hall.settings.audit_key).ok
    assert sample_plugin.EVENTS == [("open", case.number, State.CONSULTATION),
                                    ("record_transfer", case.number, State.APPROVED)]


def test_a_form_is_recorded_once(hall, staff):
    form = hall.transfers.fill(staff["approver"], fill_data())
    case = hall.transfers.record(staff["window"], form.number)
    size = trail_size()
    with pytest.raises(Conflict) as info:  # the web's 409
        hall.transfers.record(staff["window"], form.number)
    assert "已于2026-09-28 09:00由测试window_staff录入为办件" in info.value.reason
    assert case.number in info.value.reason and "不能重复录入" in info.value.reason
    assert CaseRow.select().count() == 1 and trail_size() == size
    # and the case cannot be given a second transfer form through the lifecycle either
    other = hall.transfers.fill(staff["approver"], fill_data())
    with pytest.raises(TransitionRefused):
        hall.act(staff["window"], case.number, "record_transfer", params={"transfer": other})


def test_only_the_window_records(hall, staff):
    form = hall.transfers.fill(staff["approver"], fill_data())
    for who in ("approver", "head", "issuance", "supervision"):
        with pytest.raises(TransitionRefused, match="只有大厅服务人员"):
            hall.transfers.record(staff[who], form.number)
    with pytest.raises(NotFound):
        hall.transfers.record(staff["window"], "ZW209901010001")
    assert not hall.transfers.get(form.number).recorded and CaseRow.select().count() == 0


def _fail_on_record_transfer(monkeypatch):
    real = audit.append

    def append(key, event):
        if event.action == "record_transfer":
            raise OSError("disk full")
        return real(key, event)

    monkeypatch.setattr(audit, "append", append)


def _fail_on_save(monkeypatch):
    def save_case(row, before, after):
        raise OSError("connection lost")

    monkeypatch.setattr(repo, "save_case", save_case)


@pytest.mark.parametrize("breakage", [_fail_on_record_transfer, _fail_on_save])
def test_a_failing_record_leaves_nothing_half_written(hall, staff, monkeypatch, breakage):
    form = hall.transfers.fill(staff["approver"], fill_data())
    size = trail_size()
    breakage(monkeypatch)
    with pytest.raises(OSError):
        hall.transfers.record(staff["window"], form.number)
    monkeypatch.undo()
    assert CaseRow.select().count() == 0
    assert trail_size() == size
    assert hall.transfers.get(form.number) == form  # still waiting, unchanged
    assert CaseCounterRow.get_or_none(CaseCounterRow.day == "20260928") is None
    assert audit.verify(hall.settings.audit_key).ok
    # nothing was used up: recording again gives the day's first case number
    assert hall.transfers.record(staff["window"], form.number).number == "202609280001"


def test_a_recorded_case_is_issued_into_the_seal_ledger(hall, staff, clock):
    form = hall.transfers.fill(staff["approver"], fill_data())
    case = hall.transfers.record(staff["window"], form.number)
    clock.advance(hours=1)
    issued = hall.act(staff["issuance"], case.number, "issue")
    assert issued.state is State.ISSUED
    (entry,) = hall.seal_ledger("sample")
    assert (entry.case_number, entry.item_name, entry.applicant_name, entry.used_by) == (
        case.number, "样例经营许可", "鞍山市星河科技有限公司", "issuance1")
    assert entry.audit_seq == issued.events[-1].seq
    assert SealLedgerRow.select().count() == 1
    closed = hall.act(staff["issuance"], case.number, "close")
    assert [e.action for e in closed.events] == ["open", "record_transfer", "issue", "close"]
    assert audit.verify(hall.settings.audit_key).ok


def test_only_the_transfer_desk_records_a_transfer(hall, staff):
    """``Hall.act`` refuses record_transfer: the form must be marked recorded with it."""
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    with pytest.raises(TransitionRefused, match="只能通过录入"):
        hall.act(staff["window"], case.number, "record_transfer", params={"transfer": None})

"""onewindow.inputs: the one normalisation step for typed text, and the desks that use it.

Property tests (hypothesis) over every Unicode category: what comes out never carries a
control or bidirectional character, never exceeds its column, and identifiers typed with
spaces, hyphens or full-width characters normalise to the clean code. The desk tests run on
SQLite and on the PostgreSQL of ``ONEWINDOW_TEST_DATABASE_URL``, where a NUL or an over-long
value used to raise.
"""

from __future__ import annotations

import string
import unicodedata

import pytest
from conftest import ENTERPRISE, PERSON
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from onewindow import accounts
from onewindow.case import Applicant, validate_phone
from onewindow.errors import NotFound, ValidationError
from onewindow.inputs import (
    BIDI_CONTROLS,
    Form,
    clean_text,
    column_limit,
    compact_identifier,
    credit_code_problem,
    is_case_number,
    is_row_id,
    is_valid_credit_code,
    organisation_check_char,
    refusal,
    with_check_chars,
)
from onewindow.storage.models import CaseRow, InquiryRow, StaffRow, TransferRow

CODE = ENTERPRISE["credit_code"]  # 91110000600037341L
FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in string.digits + string.ascii_uppercase}
# text of every category, surrogates included (what a lax decoder lets through)
ANY_TEXT = st.text(st.characters(exclude_categories=[]), max_size=300)


def full_width(text: str) -> str:
    return "".join(FULL_WIDTH.get(c, c) for c in text)


def forbidden(text: str, multiline: bool) -> bool:
    allowed = "\n\t" if multiline else ""
    return any((unicodedata.category(c) in ("Cc", "Cs") and c not in allowed)
               or c in BIDI_CONTROLS for c in text)


# ----------------------------------------------------------------------------- properties
@settings(max_examples=400, deadline=None)
@given(ANY_TEXT, st.integers(1, 300), st.booleans())
def test_clean_text_never_returns_control_or_bidi_characters_nor_more_than_the_limit(
        value, limit, multiline):
    try:
        cleaned = clean_text(value, "field", limit=limit, multiline=multiline)
    except ValidationError as exc:
        assert set(exc.errors) == {"field"}  # the error names the field
        assert forbidden(value.replace("\r", "\n"), multiline) or len(
            value.replace("\r\n", "\n").strip() if multiline else value.strip()) > limit
    else:
        assert not forbidden(cleaned, multiline) and len(cleaned) <= limit
        assert cleaned == cleaned.strip()


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_identifier_normalisation_is_nfkc_and_idempotent(value):
    once = compact_identifier(value)
    assert compact_identifier(once) == once
    assert unicodedata.normalize("NFKC", once) == once
    assert " " not in once and "-" not in once and once == once.upper()


SEPARATORS = st.sampled_from([" ", "-", "\u3000", "\u00a0", "－", "—", "  "])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 17), SEPARATORS), max_size=6), st.booleans(),
       st.booleans())
def test_a_credit_code_typed_with_spaces_hyphens_or_full_width_is_the_clean_code(
        cuts, wide, lower):
    typed = full_width(CODE) if wide else CODE
    for position, separator in sorted(cuts, reverse=True):
        typed = typed[:position] + separator + typed[position:]
    typed = typed.lower() if lower else typed
    assert compact_identifier(typed) == CODE
    applicant = Applicant.create({**ENTERPRISE, "credit_code": typed})
    assert applicant.credit_code == CODE


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.digits, min_size=8, max_size=8),
       st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8))
def test_with_check_chars_makes_codes_both_checks_accept(head, organisation):
    code = with_check_chars(head + organisation)
    assert uscc.is_valid(code) and is_valid_credit_code(code)
    assert code[16] == organisation_check_char(organisation)


# ----------------------------------------------------------------------------- examples
def test_gb11714_check_character():
    # 组织机构代码 D2143569-X is the textbook example; 60003734-1 is python-stdnum's USCC's
    assert organisation_check_char("D2143569") == "X"
    assert organisation_check_char("60003734") == "1"
    assert credit_code_problem(CODE) == ""
    # python-stdnum accepts this one (its 18th character holds); GB 11714 does not
    assert uscc.is_valid("91210302MA03AGYGL6")
    assert "组织机构代码" in credit_code_problem("91210302MA03AGYGL6")


def test_the_length_is_checked_after_separators_are_gone():
    grouped = "9111 0000 6000 3734 1L"  # 22 characters as typed: cut to 18 it used to fail
    assert Applicant.create({**ENTERPRISE, "credit_code": grouped}).credit_code == CODE
    with pytest.raises(ValidationError) as info:
        Applicant.create({**ENTERPRISE, "credit_code": CODE + "9"})
    assert info.value.errors == {"credit_code": "统一社会信用代码应为 18 位（现有 19 位），请核对"}


def test_full_width_id_numbers_and_phones_are_made_half_width():
    applicant = Applicant.create({**PERSON, "id_number": full_width("110105 1949 1231 002x"),
                                  "phone": "１３９－０４１２－１２３４"})
    assert applicant.id_number == PERSON["id_number"] and applicant.phone == "13904121234"
    assert validate_phone("0412-555 1234") == "0412-5551234"
    assert validate_phone("０４１２－５５５１２３４") == "0412-5551234"


@pytest.mark.parametrize("field", ["name", "legal_representative", "contact_person",
                                   "social_organisation_name"])
@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\u202e", "\u2066", "\u200f", "\u061c",
                                 "\n", "\ud800"])
def test_every_applicant_text_field_refuses_control_and_bidi_characters(field, bad):
    with pytest.raises(ValidationError) as info:
        Applicant.create({**ENTERPRISE, field: f"鞍山{bad}星河"})
    assert set(info.value.errors) == {field}
    assert "第 3 个字符" in info.value.errors[field]


def test_over_long_text_is_refused_with_the_column_limit_not_cut():
    limit = column_limit(CaseRow.legal_representative)
    assert limit == 64 == column_limit(TransferRow.legal_representative)
    assert Applicant.create({**ENTERPRISE, "legal_representative": "张" * 64})
    with pytest.raises(ValidationError) as info:
        Applicant.create({**ENTERPRISE, "legal_representative": "张" * 65,
                          "contact_person": "刘" * 200, "name": "鞍" * 201})
    assert info.value.errors == {
        "legal_representative": "不超过 64 个字（现有 65 个字）",
        "contact_person": "不超过 64 个字（现有 200 个字）",
        "name": "不超过 200 个字（现有 201 个字）"}


def test_multi_line_text_keeps_newlines_and_tabs_and_unifies_line_ends():
    assert clean_text(" 第一行\r\n第二行\r\t第三行 ", "note", limit=20,
                      multiline=True) == "第一行\n第二行\n\t第三行"
    assert "换行" in refusal("a\nb")
    form = Form({"a": "x\x00", "b": "y" * 11, "c": " ok "})
    assert form.text("a", limit=10) == "" and form.text("b", limit=10) == ""
    assert form.text("c", limit=10) == "ok"
    with pytest.raises(ValidationError) as info:
        form.check()
    assert set(info.value.errors) == {"a", "b"}


def test_numbers_that_reach_a_query_are_checked_first():
    assert is_case_number("202609280001") and not is_case_number("2026\x000928")
    assert not is_case_number("1" * 21) and not is_case_number(None)
    assert is_row_id(1) and is_row_id(2**31 - 1)
    assert not any(is_row_id(v) for v in (0, -1, 2**31, 10**30, True, "1"))


# ----------------------------------------------------------------------------- the desks
HOSTILE = ["a\x00b", "a\u202eb", "长" * 3000]


def test_a_malformed_case_or_transfer_number_is_not_found_without_a_query(hall, staff):
    for number in ("\x00", "2026\x00", "1" * 5000, "ZW\x00"):
        with pytest.raises(NotFound):
            hall.get_case(number)
        with pytest.raises(NotFound):
            hall.act(staff["window"], number, "take_in")
        with pytest.raises(NotFound):
            hall.transfers.get(number)
        with pytest.raises(NotFound):
            hall.transfers.record(staff["window"], number)
        with pytest.raises(NotFound):
            hall.problems.report(staff["window"], number, "m", "p")
    for bad_id in (0, -5, 10**20):
        with pytest.raises(NotFound):
            hall.inquiries.get(bad_id)
        with pytest.raises(NotFound):
            hall.calls.get(bad_id)
        with pytest.raises(NotFound):
            hall.calls.answer(staff["approver"], bad_id)


def test_reasons_notes_and_answers_are_refused_not_stored(hall, staff):
    case = hall.open_case(staff["window"], "sample-permit", ENTERPRISE)
    for text in HOSTILE:
        with pytest.raises(ValidationError) as info:
            hall.act(staff["window"], case.number, "withdraw", reason=text)
        assert set(info.value.errors) == {"reason"}
        with pytest.raises(ValidationError) as info:
            hall.calls.call(staff["window"], case.number, note=text)
        assert set(info.value.errors) == {"note"}
        with pytest.raises(ValidationError) as info:
            hall.review(staff["window"], case.number, [("m", "p", "failed", text)])
        assert set(info.value.errors) == {"m.p.reason"}
        with pytest.raises(ValidationError) as info:
            hall.inquiries.record(staff["window"], {
                "question": text, "applicant_name": text, "contacted": text, "answer": text,
                "identifier": "91110000600037341L"})
        assert set(info.value.errors) == {"question", "applicant_name", "contacted", "answer"}
    assert hall.get_case(case.number).events[-1].action == "open"


def test_an_inquiry_takes_a_grouped_full_width_credit_code(hall, staff):
    inquiry = hall.inquiries.record(staff["window"], {
        "question": "经营范围怎么写？", "applicant_name": "星河科技",
        "identifier": full_width("9111-0000-6000-3734-1l")})
    assert inquiry.applicant_identifier == CODE
    assert column_limit(InquiryRow.applicant_name) == 200


def test_drafts_refuse_hostile_keys_and_fields_without_a_query(hall, staff):
    owner = staff["window"].username
    for key in ("intake:\x00", "review:" + "1" * 200, "intake:a\nb", "intake:甲"):
        assert hall.drafts.load(owner, key) is None
        assert hall.drafts.discard(owner, key) is False
        with pytest.raises(ValidationError):
            hall.drafts.save(owner, key, [("name", "x")])
    with pytest.raises(ValidationError) as info:
        hall.drafts.save(owner, "intake:sample-permit", [("name", "a\x00b"), ("phone", "1")])
    assert set(info.value.errors) == {"name"}
    saved = hall.drafts.save(owner, "intake:sample-permit", [("note", "第一行\n第二行")])
    assert saved.first("note") == "第一行\n第二行"


def test_accounts_refuse_what_their_columns_cannot_hold(hall):
    with pytest.raises(ValidationError) as info:
        accounts.create_staff("a" * 65, "王\x00", "window_staff", "long-enough-1")
    assert set(info.value.errors) == {"username", "display_name"}
    assert column_limit(StaffRow.username) == 64
    accounts.create_staff("window9", "王晓梅", "window_staff", "long-enough-1")
    for username in ("window9\x00", "a\u202e", "w" * 5000):
        assert accounts.authenticate(username, "long-enough-1") is None
    assert accounts.authenticate(" window9 ", "long-enough-1").username == "window9"

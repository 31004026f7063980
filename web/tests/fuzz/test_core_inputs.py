"""Property: every core entry point that takes typed text accepts it or names the bad field.

Whatever the text (every Unicode category, NUL and other controls, bidirectional marks,
full-width forms, strings far past each column's length, plausible values spoiled), the core
either accepts it and stores it, or raises :class:`onewindow.errors.ValidationError` whose
``errors`` name a field of the input (a state refusal, :class:`TransitionRefused`, is allowed
where the case's state decides). Anything else - a database error on PostgreSQL, a
``UnicodeEncodeError``, a ``TypeError`` - fails. Runs on SQLite and on PostgreSQL, like the
whole suite; bounded examples, seeded, no deadline.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from onewindow import accounts
from onewindow.case import Applicant
from onewindow.errors import TransitionRefused, ValidationError

from ..conftest import ENTERPRISE, PERSON
from .test_routes import strategies  # loaded once, by path (see there)

APPLICANT = ("kind", "name", "credit_code", "legal_representative", "social_organisation_name",
             "id_number", "contact_person", "phone")
TRANSFER = ("item", "form_date", "kind", "name", "phone", "credit_code", "legal_representative",
            "contact_person", "social_organisation_name", "id_number", "notes")
INQUIRY = ("question", "item", "applicant_name", "identifier", "contacted", "answered", "answer")

REAL = {"item": ["web-permit", "web-filing"], "material": ["application", "lease"],
        "point": ["application/signed"], "credit_code": [ENTERPRISE["credit_code"]],
        "id_number": [PERSON["id_number"]], "phone": [ENTERPRISE["phone"], PERSON["phone"]],
        "kind": ["enterprise", "person"]}
VALUES = strategies.field_values(REAL)


def lenient(**kwargs):
    """Bounded, seeded, no deadline; the hall is shared by the examples of one test."""
    def wrap(test):
        return seed(8)(settings(max_examples=kwargs.get("examples", 60), deadline=None,
                                database=None,
                                suppress_health_check=list(HealthCheck))(test))
    return wrap


@st.composite
def form(draw, names):
    """A mapping of ``names`` to mostly plausible, often hostile text (some left out)."""
    return {name: draw(VALUES.get(name, VALUES["notes"])) for name in names
            if draw(st.integers(0, 9)) < 9}


def names_a_field(exc: ValidationError, fields, *, whole_form: bool = False) -> None:
    """``whole_form``: the key ``""`` (the form as a whole) is allowed too, as for a draft,
    which is kept or refused as one piece (too large, too many, a field name no form has)."""
    assert exc.errors, "a ValidationError must name at least one field"
    for field, message in exc.errors.items():
        assert isinstance(field, str) and (field or whole_form), exc.errors
        assert isinstance(message, str) and message.strip(), exc.errors
        if fields is not None:
            assert field in fields, (field, exc.errors)


@lenient(examples=300)
@given(data=form(APPLICANT))
def test_applicant_create_accepts_or_names_the_field(data):
    try:
        Applicant.create(data)
    except ValidationError as exc:
        names_a_field(exc, APPLICANT)


@lenient(examples=80)
@given(data=form(APPLICANT), item=VALUES["item"])
def test_opening_a_case_accepts_or_names_the_field(hall, staff, data, item):
    try:
        case = hall.open_case(staff["window"], item, data)
    except ValidationError as exc:
        names_a_field(exc, (*APPLICANT, "item"))
    else:
        assert hall.get_case(case.number).applicant == case.applicant


@lenient(examples=80)
@given(data=form(TRANSFER))
def test_filling_a_transfer_form_accepts_or_names_the_field(hall, staff, data):
    try:
        hall.transfers.fill(staff["approver"], data)
    except ValidationError as exc:
        names_a_field(exc, TRANSFER)


@lenient(examples=80)
@given(data=form(INQUIRY), answer=VALUES["answer"])
def test_logging_and_answering_an_inquiry_accepts_or_names_the_field(hall, staff, data,
                                                                      answer):
    try:
        inquiry = hall.inquiries.record(staff["window"], data)
    except ValidationError as exc:
        names_a_field(exc, INQUIRY)
        return
    try:
        hall.inquiries.answer(staff["window"], inquiry.id, answer)
    except ValidationError as exc:
        names_a_field(exc, ("answer",))
    except TransitionRefused:
        pass  # answered when it was logged


@pytest.fixture
def open_case(hall, staff):
    return hall.open_case(staff["window"], "web-permit", ENTERPRISE)


@lenient(examples=60)
@given(material=VALUES["material"], point=st.one_of(st.just("signed"), VALUES["notes"]),
       note=VALUES["note"], reason=VALUES["reason"])
def test_case_steps_taking_text_accept_or_name_the_field(hall, staff, open_case, material,
                                                         point, note, reason):
    """Review reasons, unclear-point reports, joint-review calls and a withdrawal's reason."""
    window, number = staff["window"], open_case.number
    for whole_form, step in (
        (False, lambda: hall.review(window, number, [(material, point, "failed", reason)])),
        (False, lambda: hall.problems.report(window, number, material, point, note)),
        (False, lambda: hall.calls.call(window, number, material=material, point=point,
                                        note=note)),
        (True, lambda: hall.drafts.save(window.username, f"review:{number}",
                                        [(f"reason:{material}/{point}", reason)])),
    ):
        try:
            step()
        except ValidationError as exc:
            names_a_field(exc, None, whole_form=whole_form)
        except TransitionRefused:
            pass  # e.g. a call already waiting: the state decides, not the text


@lenient(examples=40)
@given(reason=VALUES["reason"])
def test_an_action_reason_is_accepted_or_refused_by_name(hall, staff, reason):
    case = hall.open_case(staff["window"], "web-permit", PERSON)
    try:
        hall.act(staff["window"], case.number, "withdraw", reason=reason)
    except ValidationError as exc:
        names_a_field(exc, None)
    except TransitionRefused:
        pass  # an empty reason: the lifecycle asks for one


@lenient(examples=20)  # each costs an Argon2 verification, on purpose slow
@given(username=st.one_of(st.just("window1"), strategies.hostile_text()),
       password=st.one_of(st.just("wrong"), strategies.hostile_text()))
def test_authenticate_never_raises(hall, staff, username, password):
    assert accounts.authenticate(username, password) is None

"""Property-based: random actions by random roles never reach a state the rules forbid.

The machine under test is :mod:`onewindow.lifecycle` (pure, no storage). The invariants below
are written from the hall's rules, independently of the machine's own tables: if the machine
ever allowed a forbidden move, an invariant over the event history would break.
"""

import datetime as dt

import sample_plugin
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onewindow.case import (
    Actor,
    Applicant,
    Case,
    LookupRecord,
    ReviewMark,
    ReviewOutcome,
    Role,
    State,
    Supplement,
)
from onewindow.catalogue import DeferralKind
from onewindow.catalogue_file import unstructure
from onewindow.errors import TransitionRefused
from onewindow.lifecycle import ACTIONS, apply

ITEM = next(i for i in sample_plugin.CATALOGUE.items if i.code == "sample-permit")
START = dt.datetime(2026, 9, 28, 9, 0)
ACTORS = [Actor("w", Role.WINDOW_STAFF), Actor("a", Role.APPROVER, "sample"),
          Actor("x", Role.APPROVER, "other"), Actor("h", Role.SECTION_HEAD, "sample"),
          Actor("i", Role.ISSUANCE), Actor("s", Role.SUPERVISION), Actor("c", Role.COORDINATION),
          Actor("d", Role.ADMIN)]
POINTS = [(m.code, p.code) for m in ITEM.materials for p in m.review_points]


def new_case() -> Case:
    applicant = Applicant.create({"kind": "enterprise", "name": "甲公司", "phone": "13904120000",
                                  "credit_code": "91110000600037341L",
                                  "legal_representative": "张伟"})
    return Case(number="T1", item_code=ITEM.code, item_version=ITEM.version, section="sample",
                applicant=applicant, state=State.CONSULTATION, opened_by="w", opened_at=START,
                item_snapshot=unstructure(ITEM))


@st.composite
def steps(draw):
    action = draw(st.sampled_from(sorted(ACTIONS)))
    actor = draw(st.sampled_from(ACTORS))
    reason = draw(st.sampled_from(["", "理由"]))
    params = {}
    if action == "review":
        chosen = draw(st.lists(st.sampled_from(POINTS), min_size=1, max_size=5, unique=True))
        outcome = draw(st.sampled_from(list(ReviewOutcome)))
        params["marks"] = [ReviewMark(m, p, outcome, draw(st.sampled_from(["", "不符合"])))
                           for m, p in chosen]
    elif action == "defer":
        params = {"material": draw(st.sampled_from([m.code for m in ITEM.materials])),
                  "due_date": START.date() + dt.timedelta(days=draw(st.integers(-1, 20))),
                  "commitment_signed": draw(st.booleans())}
    elif action == "supply":
        material = draw(st.sampled_from([m.code for m in ITEM.materials]))
        params = {"material": material, "supplement": Supplement(
            material, "f.pdf", "0" * 64, 1, "p", actor.username, START)}
    elif action == "request_supplement":
        params = {"materials": draw(st.lists(st.sampled_from(["lease", "id-copy"]), max_size=2,
                                             unique=True)),
                  "due_date": START.date() + dt.timedelta(days=draw(st.integers(-1, 20)))}
    elif action == "lookup":
        params = {"record": LookupRecord("sample-registry", {}, "found", "", "h", {}, "w", START)}
    return action, actor, reason, params


def check_invariants(case: Case) -> None:
    taken_in = accepted = approved = False
    for event in case.events:
        rules = {
            "take_in": event.role is Role.WINDOW_STAFF,
            "notify": event.role is Role.WINDOW_STAFF,
            "accept": taken_in and event.role in (Role.APPROVER, Role.SECTION_HEAD),
            "return": taken_in and not accepted,
            "approve": accepted and event.role in (Role.APPROVER, Role.SECTION_HEAD),
            "deny": accepted,
            "issue": approved and event.role is Role.ISSUANCE,
        }
        assert rules.get(event.action, True), f"forbidden {event.action} by {event.role}"
        if event.role in (Role.APPROVER, Role.SECTION_HEAD):
            assert event.actor != "x", "an approver acted outside their section"
        if event.role in (Role.COORDINATION, Role.ADMIN):
            raise AssertionError(f"{event.role} changed a case")
        taken_in = taken_in or event.action == "take_in"
        accepted = accepted or event.action == "accept"
        approved = approved or event.action == "approve"
        if event.action in ("accept", "approve", "deny", "issue", "return"):
            assert taken_in
        if event.action in ("approve", "deny"):
            assert event.before in (State.ACCEPTED, State.HALTED)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(steps(), min_size=1, max_size=40))
def test_random_actions_never_break_the_rules(sequence):
    case = new_case()
    at = START
    for action, actor, reason, params in sequence:
        at += dt.timedelta(minutes=7)
        before = case
        try:
            case, event = apply(case, actor, action, at=at, reason=reason, params=params)
        except TransitionRefused as refused:
            assert refused.state == before.state.value and case is before
            continue
        if action in ("approve", "deny"):
            assert not before.outstanding(DeferralKind.AT_ACCEPTANCE)
        if action == "issue":
            assert not [d for d in before.deferrals if d.outstanding]
        if action == "take_in":
            for material in ITEM.materials:
                if before.deferral(material.code):
                    continue
                for point in material.hard_points:
                    mark = before.review(material.code, point.code)
                    assert mark is not None and mark.outcome is not ReviewOutcome.FAILED
        assert event.before is before.state and event.after is case.state
        check_invariants(case)

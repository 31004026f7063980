"""Property-based: random actions by random roles never reach a state the rules forbid.

The machine under test is :mod:`onewindow.lifecycle` (pure, no storage). The invariants below
are written from the hall's rules, independently of the machine's own tables: if the machine
ever allowed a forbidden move, an invariant over the event history would break.
"""

import datetime as dt
import random

import sample_plugin
from attrs import evolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onewindow.case import (
    Actor,
    Applicant,
    Case,
    CaseEvent,
    LookupRecord,
    ReviewMark,
    ReviewOutcome,
    Role,
    State,
    Supplement,
    TransferForm,
)
from onewindow.catalogue import DeferralKind
from onewindow.catalogue_file import unstructure
from onewindow.errors import TransitionRefused
from onewindow.lifecycle import ACTIONS, allowed_actions, apply

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
    opened = CaseEvent("T1", "open", "w", Role.WINDOW_STAFF, START, State.CONSULTATION,
                       State.CONSULTATION)  # as every stored case begins
    return Case(number="T1", item_code=ITEM.code, item_version=ITEM.version, section="sample",
                applicant=applicant, state=State.CONSULTATION, opened_by="w", opened_at=START,
                item_snapshot=unstructure(ITEM), events=(opened,))


def make_step(case: Case, choose):
    """One step: an actor, an action and its parameters, drawn with ``choose(options)``.

    Half the time it is a move some actor may make now (so walks get deep into the lifecycle);
    otherwise any actor tries any action (so forbidden moves are tried too).
    """
    def moves(actor):  # a look-up is allowed nearly always; guided walks skip it to go deeper
        return [m for m in allowed_actions(case, actor) if m != "lookup"]

    able = [a for a in ACTORS if moves(a)]
    if able and choose([True, False]):
        actor = choose(able)
        action = choose(moves(actor))
    else:
        actor = choose(ACTORS)
        action = choose(sorted(ACTIONS))
    reason = choose(["", "理由", "理由"])
    materials = [m.code for m in ITEM.materials]
    params = {}
    if action == "review" and choose([True, False]):  # the clerk checks everything: all pass
        params["marks"] = [ReviewMark(m, p, ReviewOutcome.PASSED) for m, p in POINTS]
    elif action == "review":
        outcome = choose(list(ReviewOutcome))
        params["marks"] = [ReviewMark(m, p, outcome, choose(["", "不符合"]))
                           for m, p in {choose(POINTS) for _ in range(choose([1, 2, 5]))}]
    elif action == "defer":
        params = {"material": choose(materials + ["lease", "id-copy"]),
                  "due_date": START.date() + dt.timedelta(days=choose([-1, 1, 3, 20])),
                  "commitment_signed": choose([True, False])}
    elif action == "supply":
        material = choose([d.material for d in case.deferrals] or materials)
        params = {"material": material, "supplement": Supplement(
            choose([material, material, "lease"]), "f.pdf", "0" * 64, 1, "p", actor.username,
            START)}
    elif action == "request_supplement":
        params = {"materials": choose([[], ["lease"], ["lease", "id-copy"]]),
                  "due_date": START.date() + dt.timedelta(days=choose([-1, 5, 20]))}
    elif action == "return":
        params = {"points": choose([[], ["lease/valid"], ["application/nope"]])}
    elif action == "lookup":
        params = {"record": LookupRecord("sample-registry", {}, "found", "", "h", {}, "w", START)}
    elif action == "record_transfer":  # the right form, someone else's, or one already recorded
        form = TransferForm("ZW1", START.date(), ITEM.code, ITEM.name, "sample", case.applicant,
                            "", "a", "审批人", START, "0" * 64)
        params = {"transfer": choose([form, form, evolve(form, item_code="other"),
                                      evolve(form, recorded_at=START), None])}
    return action, actor, reason, params


def check_invariants(case: Case) -> None:
    taken_in = accepted = approved = transferred = False
    for number, event in enumerate(case.events):
        rules = {
            # only as the case's first move after it was opened, by the window
            "record_transfer": number == 1 and event.role is Role.WINDOW_STAFF
            and event.after is State.APPROVED,
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
        approved = approved or event.action in ("approve", "record_transfer")
        transferred = transferred or event.action == "record_transfer"
        if event.action in ("accept", "approve", "deny", "return"):
            assert taken_in
        if event.action == "issue":  # taken in here, or approved on a dedicated network
            assert taken_in or transferred
        if event.action in ("approve", "deny"):
            assert event.before in (State.ACCEPTED, State.HALTED)


def walk(choose, steps: int, on_step=None) -> Case:
    """Play ``steps`` random steps on a new case; ``on_step`` sees every move the machine made."""
    case = new_case()
    at = START
    for _ in range(steps):
        action, actor, reason, params = make_step(case, choose)
        at += dt.timedelta(minutes=7)
        before = case
        try:
            case, event = apply(case, actor, action, at=at, reason=reason, params=params)
        except TransitionRefused as refused:
            assert refused.state == before.state.value
            continue
        if on_step:
            on_step(before, action, event, case)
    return case


def check_move(before: Case, action: str, event, case: Case) -> None:
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


def test_the_random_walk_reaches_every_state():
    """Seeded walks: every state and move is reached (so the property below cannot pass by
    never getting past intake), and every move obeys the rules."""
    rng = random.Random(20261130)
    visited: set[State] = {State.CONSULTATION}
    moves: set[str] = set()

    def record(before, action, event, case):
        check_move(before, action, event, case)
        visited.add(case.state)
        moves.add(action)

    for _ in range(2000):
        walk(rng.choice, 60, record)
    assert visited == set(State)
    assert moves == set(ACTIONS)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.integers(min_value=1, max_value=40))
def test_random_actions_never_break_the_rules(data, steps):
    walk(lambda options: data.draw(st.sampled_from(list(options))), steps, check_move)

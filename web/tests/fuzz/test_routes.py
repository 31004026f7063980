"""Fuzz every route of the app: hostile and plausible requests, as every role, 0 server errors.

The routes are read from the Litestar app itself (``app.routes``: every path, every method,
OPTIONS and HEAD included), so a new route is fuzzed without touching this file. What this
file must know about a route is only what the app cannot say:

* a POST route's form fields (``FORMS``, by handler name): a POST handler missing from it
  fails ``test_every_post_route_has_a_form_spec``;
* where real values for a path parameter come from (``path_values``): a parameter name it
  does not know fails the fuzz run before any request.

Query parameters are read from each handler's signature. Every request goes out as one of the
eight accounts (one per role, and an approver of another section) with a valid CSRF token, or
anonymously; some with a missing or wrong token, some as htmx. Hypothesis draws each request
(seeded per route and role: the same requests on every run); the run fails if any response
is >= 500, if a request raises, or if a route (method and path) got no request or never got
past validation (no 2xx or 3xx answer for any role). The figures (requests, by status class, by route, the
errors with a reproducer) are printed at the end of the pytest run.

Run it longer locally (the default is 5,000 requests per database, 10,000 per CI run)::

    ONEWINDOW_FUZZ_EXAMPLES=50000 .venv/bin/python -m pytest web/tests/fuzz -q
    ONEWINDOW_FUZZ_SEED=7 ...        # other requests than CI's (the default seed is 0)
"""

from __future__ import annotations

import importlib.util
import logging
import math
import os
import re
import sys
import time
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from onewindow.case import ReviewOutcome, Role
from onewindow.lifecycle import ACTIONS, applicable_materials, item_of
from onewindow.workdays import add_working_days
from onewindow_web.app import STATIC_DIR, create_app
from onewindow_web.routes.guide import FORM_VIEWS
from onewindow_web.throttle import LoginThrottle

from ..conftest import CSRF_FIELD, ENTERPRISE, PASSWORD, PERSON


def _load(name: str):
    """The sibling ``strategies.py`` (pytest imports test files with --import-mode=importlib)."""
    full = f"onewindow_fuzz_{name}"
    if full not in sys.modules:
        spec = importlib.util.spec_from_file_location(full, Path(__file__).with_name(f"{name}.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[full] = module
        spec.loader.exec_module(module)
    return sys.modules[full]


strategies = _load("strategies")

EXAMPLES = int(os.environ.get("ONEWINDOW_FUZZ_EXAMPLES", "5000"))
SEED = int(os.environ.get("ONEWINDOW_FUZZ_SEED", "0"))
ANONYMOUS = "anonymous"

# The form fields of every POST route, by handler name. ``marks`` stands for the checklist's
# ``mark:<material>/<point>`` and ``reason:<material>/<point>`` fields, ``file`` for an upload.
APPLICANT = ("kind", "name", "credit_code", "legal_representative", "social_organisation_name",
             "id_number", "contact_person", "phone")
FORMS: dict[str, tuple[str, ...]] = {
    "login_submit": ("username", "password", "next"),
    "logout": (),
    "intake_open": ("item", *APPLICANT),
    "case_review": ("marks", "mark_all"),
    "case_defer": ("material", "due_date", "commitment_signed"),
    "case_lookup": ("credit_code",),
    "case_supply": ("material", "file"),
    "case_action": ("reason", "points", "materials", "due_date"),
    "transfer_fill": ("form_date", "item", "kind", "name", "legal_representative",
                      "contact_person", "phone", "credit_code", "social_organisation_name",
                      "person_name", "id_number", "person_phone", "notes"),
    "transfer_record": (),
    "consultation_log": ("question", "item", "applicant_name", "identifier", "contacted",
                         "answered", "answer"),
    "consultation_answer": ("answer",),
    "point_unclear": ("point", "note", "marks"),
    "case_call": ("point", "note"),
    "call_answer": (),
    "intake_draft": APPLICANT,
    "intake_draft_discard": (),
    "review_draft": ("marks",),
    "review_draft_discard": (),
}
# Fields the multi-valued checkboxes send several times.
MULTI = {"points": "point", "materials": "material"}
# A URL's values are cut to this (characters): past 64 KiB a URL is refused by the HTTP
# client (and by every server's request-line limit) before it reaches the app.
URL_VALUE_LIMIT = 2000
NOT_QUERY = {"request", "hall", "self", "data", "state", "scope", "headers", "cookies"}


# ------------------------------------------------------------------------------ the app
def endpoints(app) -> list[tuple[str, str, object, dict]]:
    """(method, path template, handler, path parameters) of every route the app serves."""
    found = []
    for route in app.routes:
        for method, handler_info in sorted(getattr(route, "route_handler_map", {}).items()):
            handler = handler_info[0] if isinstance(handler_info, tuple) else handler_info
            found.append((method, route.path, handler, dict(route.path_parameters)))
    return found


def query_params(handler, path_params: dict) -> list[str]:
    """The query parameters a handler declares (its signature minus path and injected ones).

    Read from Litestar's parsed signature: ``handler.fn`` of a ``sync_to_thread`` handler is a
    wrapper taking ``*args, **kwargs``.
    """
    signature = getattr(handler, "parsed_fn_signature", None)
    if signature is None:
        return []
    names = []
    for name, field in signature.parameters.items():
        if name in NOT_QUERY or name in path_params:
            continue
        kwarg = getattr(field, "kwarg_definition", None)
        alias = getattr(kwarg, "query", None) or getattr(kwarg, "name", None)
        names.append(alias or name)  # QueryParameter(name="next") is sent as ?next=
    return names


def _handler_name(handler) -> str:
    return getattr(handler, "name", None) or getattr(getattr(handler, "fn", None), "__name__",
                                                       "")


# ------------------------------------------------------------------------------ the hall
def _setup_records(hall, staff) -> dict[str, list[str]]:
    """Cases in most states, a transfer form, an inquiry, a call and a supplement."""
    window, approver = staff["window"], staff["approver"]

    def passed(case):
        marks = [(m.code, p.code, ReviewOutcome.PASSED.value, "")
                 for m in applicable_materials(case, item_of(case)) for p in m.review_points]
        return hall.review(window, case.number, marks)

    cases = [hall.open_case(window, "web-permit", ENTERPRISE),
             hall.open_case(window, "web-permit", PERSON),
             hall.open_case(window, "web-filing", PERSON)]
    taken = hall.act(window, passed(cases[0]).number, "take_in")
    owing = passed(hall.open_case(window, "web-permit", ENTERPRISE))
    hall.act(window, owing.number, "defer", params={
        "material": "lease", "due_date": add_working_days(hall.clock().date(), 4),
        "commitment_signed": True})
    accepted = hall.act(approver, hall.act(window, owing.number, "take_in").number, "accept")
    with_file = hall.supply(window, accepted.number, "lease", "scan.pdf", strategies.PDF)
    approved = hall.act(approver, hall.act(window, passed(
        hall.open_case(window, "web-permit", PERSON)).number, "take_in").number, "accept")
    approved = hall.act(approver, approved.number, "approve")
    numbers = [c.number for c in cases] + [taken.number, accepted.number, approved.number]
    transfer = hall.transfers.fill(approver, {"item": "web-permit",
                                              "form_date": hall.clock().date(), **PERSON})
    inquiry = hall.inquiries.record(window, {"question": "营业执照怎么办？", "item": "web-permit",
                                             "applicant_name": "王芳", "identifier": "",
                                             "contacted": "13904120000", "answered": "",
                                             "answer": ""})
    call = hall.calls.call(window, cases[1].number)
    other_call = hall.calls.call(window, cases[2].number)
    return {"case": numbers, "transfer": [transfer.number],
            "inquiry": [str(inquiry.id)], "call": [str(call.id), str(other_call.id)],
            "key": [s.key for s in with_file.supplements]}


def _real_values(hall, records) -> dict[str, list[str]]:
    catalogue = hall.catalogue
    today = hall.clock().date()
    # items with forms first: the simplest draw then opens a form of the guide
    items = sorted(catalogue.items, key=lambda code: (not catalogue.items[code].forms, code))
    materials = sorted({m.code for i in catalogue.items.values() for m in i.materials})
    points = sorted({f"{m.code}/{p.code}" for i in catalogue.items.values()
                     for m in i.materials for p in m.review_points})
    return {"item": items, "material": materials, "point": points,
            "section": sorted(catalogue.sections), "network": sorted(hall.registry.lookups),
            "action": sorted(ACTIONS), "outcome": [o.value for o in ReviewOutcome],
            "credit_code": [ENTERPRISE["credit_code"]], "id_number": [PERSON["id_number"]],
            "phone": [ENTERPRISE["phone"], PERSON["phone"]],
            "username": ["window1", "approver1", "head1", "admin1", "nobody"],
            "password": [PASSWORD, "wrong-password"],
            "form": sorted({f.code for i in catalogue.items.values() for f in i.forms}),
            "view": list(FORM_VIEWS),
            "due_date": [add_working_days(today, 3).isoformat()],
            "form_date": [today.isoformat()], "month": [today.strftime("%Y-%m")],
            "file_path": sorted(str(p.relative_to(STATIC_DIR)) for p in STATIC_DIR.rglob("*")
                                if p.is_file()),
            **records}


def path_values(route_path: str, name: str, real: dict[str, list[str]]) -> list[str]:
    """Real values for a path parameter; an unknown parameter name fails the run."""
    if name == "number":
        return real["transfer"] if route_path.startswith("/transfers") else real["case"]
    if name == "code":
        return real["section"] if "/sections/" in route_path else real["item"]
    known = {"inquiry_id": "inquiry", "call_id": "call", "key": "key", "item": "item",
             "material": "material", "network": "network", "action": "action",
             "form": "form", "view": "view", "file_path": "file_path"}
    if name not in known:
        pytest.fail(f"path parameter {name!r} of {route_path} has no real values: add it to "
                    f"path_values in {__file__}")
    return real[known[name]]


# ------------------------------------------------------------------------------ sessions
class Sessions:
    """One cookie jar and CSRF token per role (and one anonymous), swapped into one client."""

    def __init__(self, client: TestClient, usernames: dict[str, str]):
        self.client = client
        self.usernames = usernames
        self.jars: dict[str, list] = {}
        self.tokens: dict[str, str] = {}
        for role in [ANONYMOUS, *usernames]:
            self.sign_in(role)

    def sign_in(self, role: str) -> None:
        client = self.client
        client.cookies.clear()
        token = CSRF_FIELD.search(client.get("/login").text).group(1)
        if role != ANONYMOUS:
            client.app.state.login_throttle = LoginThrottle()  # the fuzzer's wrong passwords
            response = client.post("/login", data={"username": self.usernames[role],
                                                   "password": PASSWORD, "_csrf_token": token},
                                   follow_redirects=False)
            assert response.status_code == 303, (role, response.status_code)
            token = CSRF_FIELD.search(client.get("/guide/").text).group(1)
        self.jars[role] = list(client.cookies.jar)
        self.tokens[role] = token

    def use(self, role: str) -> None:
        self.client.cookies.clear()
        for cookie in self.jars[role]:
            self.client.cookies.jar.set_cookie(cookie)

    def keep(self, role: str) -> None:
        self.jars[role] = list(self.client.cookies.jar)
        if len({c.name for c in self.jars[role]}) != len(self.jars[role]):
            raise AssertionError([(c.name, c.domain, c.path, c.value[:20]) for c in self.jars[role]])


class ServerErrors(logging.Handler):
    """Collects what the app logged for a 500, to name the exception in the report."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            self.records.append(f"{type(exc).__name__}: {str(exc)[:200]}")
        else:
            self.records.append(record.getMessage()[:200])


# ------------------------------------------------------------------------------ the test
def test_every_post_route_has_a_form_spec(app):
    posts = {_handler_name(h) for method, _, h, _ in endpoints(app) if method == "POST"}
    assert posts - set(FORMS) == set(), "add the new POST route's fields to FORMS"
    assert set(FORMS) - posts == set(), "FORMS names a route the app no longer has"


def test_every_field_of_every_template_form_is_fuzzed(app):
    """A field added to a template but not to ``FORMS`` (or a handler's query) fails here."""
    sent = {field for fields in FORMS.values() for field in fields}
    sent |= {"mark:", "reason:"} | {f for f in MULTI}
    sent |= {q for _, _, handler, params in endpoints(app) for q in query_params(handler, params)}
    templates = Path(STATIC_DIR).parent / "templates"
    named = {name for path in templates.rglob("*.html")
             for name in re.findall(r'<(?:input|select|textarea|button)[^>]*\bname="([^"{]+)',
                                    path.read_text(encoding="utf-8"))}
    assert named - sent == set(), "declare these form fields in FORMS"


def test_every_declared_field_has_a_strategy_of_its_own():
    values = strategies.field_values({name: ["x"] for name in ("item", "material", "point",
                                                                "username", "password")})
    declared = {field for fields in FORMS.values() for field in fields} - {"marks", "file"}
    assert {MULTI.get(f, f) for f in declared} - set(values) == set()


def _fields(draw, names, values, real) -> tuple[list[tuple[str, str]], list]:
    pairs: list[tuple[str, str]] = []
    files = []
    for name in names:
        if draw(st.integers(0, 9)) == 9:
            continue  # a field left out
        if name == "marks":
            for point in draw(st.lists(st.sampled_from(real["point"]), min_size=1, max_size=4,
                                       unique=True)):
                pairs.append((f"mark:{point}", draw(values["outcome"])))
                pairs.append((f"reason:{point}", draw(values["reason"])))
        elif name == "file":
            files.append(("file", draw(strategies.file_names), draw(strategies.file_contents)))
        elif name in MULTI:
            for _ in range((draw(st.integers(0, 3)) + 1) % 4):
                pairs.append((name, draw(values[MULTI[name]])))
        else:
            pairs.append((name, draw(values.get(name, values["notes"]))))
    if draw(st.integers(0, 9)) == 9:  # unknown fields, hostile names
        pairs.append((draw(strategies.hostile_text()), draw(strategies.hostile_text())))
    return pairs, files


def _bound(function, route, role):
    def request_to_route(data):
        function(route, role, data)
    return request_to_route


@pytest.fixture
def fuzz_app(hall, more_staff, monkeypatch):
    monkeypatch.delenv("ONEWINDOW_SANDBOX_URL", raising=False)  # look-ups fail fast, offline
    return create_app(hall, secure_cookies=False)


def test_fuzz_every_route_as_every_role(fuzz_app, hall, more_staff, fuzz_report):
    app = fuzz_app
    routes = endpoints(app)
    records = _setup_records(hall, more_staff)
    real = _real_values(hall, records)
    values = strategies.field_values(real)
    path_strategies = {(m, p): {name: strategies.path_segment(path_values(p, name, real))
                                for name in params}
                       for m, p, _, params in routes}
    usernames = {key: actor.username for key, actor in more_staff.items()}
    roles = [ANONYMOUS, *usernames]
    assert {more_staff[k].role for k in usernames} == set(Role), "a role has no account"

    by_class: Counter[str] = Counter()
    by_route: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    passed_by_route: Counter[tuple[str, str]] = Counter()
    errors: list[str] = []
    timing = [0.0]
    logged = ServerErrors()
    logging.getLogger("onewindow_web").addHandler(logged)
    logging.getLogger("litestar").addHandler(logged)

    client = TestClient(app, raise_server_exceptions=False)
    client.__enter__()
    try:
        sessions = Sessions(client, usernames)

        def one_request(route, role, data):
            draw = data.draw
            method, path, handler, params = route
            url = path
            for name in params:
                segment = draw(path_strategies[(method, path)][name])[:URL_VALUE_LIMIT * 3]
                url = re.sub(r"\{" + name + r":[^}]+\}", lambda _m, s=segment: s, url)
            query = [(name, draw(values.get(name, values["q"])))
                     for name in query_params(handler, params) if draw(st.booleans())]
            if draw(st.integers(0, 14)) == 14:
                query.append(("lang", draw(values["lang"])))
            if query:
                url += "?" + urlencode([(k, v[:URL_VALUE_LIMIT].encode("utf-8", "surrogatepass"))
                                        for k, v in query])
            headers = {}
            if draw(st.integers(0, 4)) == 4:
                headers["hx-request"] = "true"
                if draw(st.booleans()):
                    headers["hx-current-url"] = "http://testserver.local" + draw(
                        st.sampled_from(("/", "/cases/x", "//evil", "/%00")))
            token_choice = draw(st.integers(0, 19))
            token = sessions.tokens[role] if token_choice != 19 else None
            if token_choice == 18:
                token = "forged" + sessions.tokens[role][6:]
            content = b""
            body_kind = "none"
            if method in ("POST", "PUT", "PATCH", "DELETE"):
                names = FORMS.get(_handler_name(handler), ())
                pairs, files = _fields(draw, names, values, real)
                body_kind, content, more = draw(strategies.body(pairs, files, token))
                headers.update(more)
            sessions.use(role)
            before = len(logged.records)
            started = time.perf_counter()
            try:
                response = client.request(method, url, content=content, headers=headers,
                                          follow_redirects=False)
                status = response.status_code
            except Exception as exc:  # noqa: BLE001 - reported below, with the request
                status = 599
                logged.records.append(f"raised {type(exc).__name__}: {str(exc)[:200]}")
            timing[0] += time.perf_counter() - started
            if role != ANONYMOUS and path not in ("/login", "/logout"):
                sessions.keep(role)
            if path == "/logout" and role != ANONYMOUS and status < 400:
                sessions.sign_in(role)  # the fuzzer signed this role out
            label = f"{status // 100}xx"
            by_class[label] += 1
            by_route[(method, path)][label] += 1
            if 200 <= status < 400:
                passed_by_route[(method, path)] += 1
            if status >= 500:
                cause = "; ".join(logged.records[before:]) or "no log"
                errors.append(f"{status} {method} {url[:300]!r} as {role}, body {body_kind} "
                              f"{content[:300]!r} headers {headers} -> {cause}")

        # Each route and role gets its share of the examples (a POST twice a GET's): one
        # Hypothesis run per route and role, so none goes without requests whatever is drawn.
        # Every draw is arranged so that Hypothesis's simplest choice is the plausible one
        # (a real id, a valid value, the token, a well-formed form): the first request of
        # each run is the one most likely to get past validation.
        # Each run has a seed of its own (its route and role, plus ONEWINDOW_FUZZ_SEED), so
        # CI sends the same requests every time and no two runs repeat each other's draws.
        weights = [2 if method == "POST" else 1 for method, *_ in routes]
        share = EXAMPLES / (sum(weights) * len(roles))
        for route, weight in zip(routes, weights, strict=True):
            for role in roles:
                run = settings(max_examples=math.ceil(share * weight), deadline=None,
                               database=None, suppress_health_check=list(HealthCheck),
                               phases=[Phase.explicit, Phase.generate])(
                    given(data=st.data())(_bound(one_request, route, role)))
                run = seed(SEED + zlib.crc32(f"{route[0]} {route[1]} {role}".encode()))(run)
                run()
    finally:
        client.__exit__(None, None, None)
        logging.getLogger("onewindow_web").removeHandler(logged)
        logging.getLogger("litestar").removeHandler(logged)

    total = sum(by_class.values())
    database = hall.db.__class__.__name__
    lines = [f"fuzz ({database}): {total} requests over {len(routes)} routes as "
             f"{len(roles)} roles; by status class: "
             + ", ".join(f"{k} {v}" for k, v in sorted(by_class.items()))
             + f"; server errors: {len(errors)}; {timing[0]:.1f} s in the app"]
    for (method, path), counts in sorted(by_route.items(), key=lambda r: (r[0][1], r[0][0])):
        lines.append(f"  {method:7} {path:55} " + " ".join(
            f"{k}={v}" for k, v in sorted(counts.items())))
    lines += [f"  ERROR {e}" for e in errors[:30]]
    fuzz_report.extend(lines)
    print("\n".join(lines))

    assert total >= EXAMPLES, f"only {total} of {EXAMPLES} requests were generated"
    missed = [f"{m} {p}" for m, p, _, _ in routes if (m, p) not in by_route]
    assert not missed, f"routes the fuzzer never requested: {missed}"
    never_passed = [f"{m} {p}" for m, p, _, _ in routes
                    if m != "OPTIONS" and not passed_by_route[(m, p)]]
    assert not never_passed, f"routes no request got past validation: {never_passed}"
    assert not errors, f"{len(errors)} server errors, first: {errors[:5]}"

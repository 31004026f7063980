"""Signing in and out, the login guard, idle timeout, throttling and CSRF."""

from __future__ import annotations

from litestar import HttpMethod
from litestar.routes import HTTPRoute

from onewindow import accounts
from onewindow_web import auth
from onewindow_web.auth import safe_next
from onewindow_web.throttle import LoginThrottle

from .conftest import PASSWORD, csrf_token


def test_home_requires_login_and_redirects_with_next(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    response = client.get("/?page=2", follow_redirects=False)
    assert response.headers["location"] == "/login?next=/%3Fpage%3D2"


def test_htmx_request_without_login_gets_401_and_hx_redirect(client):
    response = client.get("/", headers={"HX-Request": "true",
                                        "HX-Current-URL": "http://testserver.local/"},
                          follow_redirects=False)
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/login"
    assert "location" not in response.headers


def test_every_private_route_refuses_anonymous_visitors(app, client):
    """A route is private unless marked public: none can slip through unguarded."""
    checked = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "{" in route.path:
            continue
        for handler in route.route_handlers:
            if handler.opt.get(auth.PUBLIC) or HttpMethod.GET not in handler.http_methods:
                continue
            response = client.get(route.path, follow_redirects=False)
            assert response.status_code == 303, route.path
            assert response.headers["location"].startswith("/login"), route.path
            checked += 1
    assert checked >= 1


def test_login_success_starts_session_and_goes_to_next(client, login):
    response = login("window1", next="/?from=login")
    assert response.status_code == 303
    assert response.headers["location"] == "/?from=login"
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("onewindow_session="))
    assert "HttpOnly" in session_cookie
    assert "samesite=lax" in session_cookie.lower()
    assert "Secure" not in session_cookie
    home = client.get("/")
    assert home.status_code == 200
    assert "王晓梅" in home.text
    assert "大厅服务人员" in home.text


def test_login_refuses_offsite_next(login):
    response = login("window1", next="//evil.example/steal")
    assert response.headers["location"] == "/"


def test_safe_next_accepts_only_local_paths():
    assert safe_next("/guide?x=1") == "/guide?x=1"
    for bad in ("https://evil.example/", "//evil.example", "/\\evil.example", "guide",
                "javascript:alert(1)", "/login?next=/", "", None):
        assert safe_next(bad) == "/"


def test_wrong_password_is_refused_in_chinese(client, login):
    response = login("window1", "wrong-password")
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_empty_fields_are_named_in_the_error(client, staff):
    token = csrf_token(client)
    response = client.post("/login", data={"username": "", "password": "",
                                           "_csrf_token": token})
    assert response.status_code == 400
    assert "请填写用户名" in response.text
    assert "请填写密码" in response.text
    assert 'aria-invalid="true"' in response.text


def test_five_failures_lock_the_username_for_fifteen_minutes(app, client, login):
    moment = [1000.0]
    app.state.login_throttle = LoginThrottle(clock=lambda: moment[0])
    for _ in range(4):
        assert login("window1", "wrong-password").status_code == 400
    fifth = login("window1", "wrong-password")
    assert fifth.status_code == 429
    assert "登录失败次数过多" in fifth.text
    assert "15 分钟后再试" in fifth.text
    # even the right password is refused while locked
    locked = login("window1", PASSWORD)
    assert locked.status_code == 429
    assert "location" not in locked.headers
    # another username is not affected
    assert login("approver1", PASSWORD).status_code == 303
    moment[0] += 15 * 60 + 1
    assert login("window1", PASSWORD).status_code == 303


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock():
    moment = [0.0]
    throttle = LoginThrottle(clock=lambda: moment[0])
    for _ in range(8):
        assert throttle.failed("clerk") == 0
        moment[0] += 4 * 60
    assert throttle.locked_for("clerk") == 0


def test_success_clears_the_failure_count():
    throttle = LoginThrottle(clock=lambda: 0.0)
    for _ in range(4):
        throttle.failed("clerk")
    throttle.succeeded("clerk")
    assert throttle.failed("clerk") == 0


def test_logout_ends_the_session(client, login):
    login("window1")
    token = csrf_token(client, "/")
    response = client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?reason=signed_out"
    assert client.get("/", follow_redirects=False).status_code == 303
    assert "您已安全退出" in client.get("/login?reason=signed_out").text


def test_post_without_csrf_token_is_rejected(client, staff):
    client.get("/login")  # the CSRF cookie is set, but the form field is missing
    response = client.post("/login", data={"username": "window1", "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 403
    assert "页面已过期" in response.text
    response = client.post("/logout", data={}, follow_redirects=False)
    assert response.status_code == 403


def test_csrf_token_in_htmx_header_is_accepted(client, login):
    login("window1")
    token = csrf_token(client, "/")
    response = client.post("/logout", headers={"x-csrftoken": token, "HX-Request": "true"},
                           follow_redirects=False)
    assert response.status_code == 303


def test_pages_carry_the_csrf_token_for_htmx_on_body(client, login):
    login("window1")
    text = client.get("/").text
    token = csrf_token(client, "/")
    assert f"""<body hx-headers='{{"x-csrftoken": "{token}"}}'>""" in text


def test_idle_session_expires_after_thirty_minutes(client, login, monkeypatch):
    moment = [1_000_000.0]
    monkeypatch.setattr(auth, "now", lambda: moment[0])
    login("window1")
    moment[0] += 29 * 60
    assert client.get("/").status_code == 200  # activity slides the timeout
    moment[0] += 29 * 60
    assert client.get("/").status_code == 200
    moment[0] += 31 * 60
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?reason=expired"
    assert "30分钟未操作" in client.get(response.headers["location"]).text
    # the expired session is gone, not merely refused once
    moment[0] += 1
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_a_screens_own_polling_does_not_keep_the_session_alive(client, hall, staff, login,
                                                                monkeypatch):
    """The joint-review banner and call panel poll every few seconds (htmx); that is not the
    clerk's activity, so a screen left open still times out."""
    case = hall.open_case(staff["window"], "web-permit",
                          {"kind": "person", "name": "王芳", "phone": "13904120000",
                           "id_number": "11010519491231002X"})
    moment = [1_000_000.0]
    monkeypatch.setattr(auth, "now", lambda: moment[0])
    login("approver1")
    for _ in range(2):  # 20 minutes of polling, nobody at the keyboard
        moment[0] += 10 * 60
        assert client.get("/calls/alert", headers={"HX-Request": "true"}).status_code == 200
        assert client.get(f"/cases/{case.number}/calls",
                          headers={"HX-Request": "true"}).status_code == 200
    moment[0] += 15 * 60  # 35 minutes since the last real request
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?reason=expired"


def test_deactivated_account_is_out_at_the_next_request(client, login):
    login("window1")
    assert client.get("/").status_code == 200
    accounts.deactivate("window1")
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?reason=inactive"


def test_login_replaces_the_previous_session(client, login):
    login("window1")
    first = client.cookies.get("onewindow_session")
    login("approver1")
    assert client.cookies.get("onewindow_session") != first
    assert "李建国" in client.get("/").text


def test_secure_cookies_flag(hall, staff, monkeypatch):
    from litestar.testing import TestClient

    from onewindow_web.app import create_app

    monkeypatch.setenv("ONEWINDOW_SECURE_COOKIES", "1")
    app = create_app(hall)
    with TestClient(app, base_url="https://testserver.local") as secure_client:
        token = csrf_token(secure_client)
        response = secure_client.post("/login", data={"username": "window1",
                                                      "password": PASSWORD,
                                                      "_csrf_token": token},
                                      follow_redirects=False)
    cookies = response.headers.get_list("set-cookie")
    assert cookies
    assert all("Secure" in c for c in cookies), cookies


def test_a_cookie_copied_before_logout_is_worthless_after_it(client, staff, login):
    login("window1")
    stolen = dict(client.cookies)
    assert client.get("/").status_code == 200
    token = csrf_token(client, "/")
    client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
    client.cookies.clear()
    for name, value in stolen.items():
        client.cookies.set(name, value)
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and "/login" in response.headers["location"]


# ------------------------------------------------------------------ CSRF bound to the session
def test_a_csrf_token_from_another_session_is_refused(app, client, staff, login):
    """A planted CSRF cookie plus its matching token (the old double-submit hole) is refused,
    signed in and on the anonymous login form alike; the visitor's own token still works."""
    from litestar.testing import TestClient

    with TestClient(app) as attacker:
        attacker_token = csrf_token(attacker)  # the attacker's own pre-session token
        login("window1")
        client.cookies.set("onewindow_csrf", attacker_token)  # what the old scheme trusted
        for headers, data in (({}, {"_csrf_token": attacker_token}),
                              ({"x-csrftoken": attacker_token, "HX-Request": "true"}, {})):
            response = client.post("/logout", headers=headers, data=data,
                                   follow_redirects=False)
            assert response.status_code == 403
        assert client.get("/", follow_redirects=False).status_code == 200  # still signed in

        # the login form: an anonymous visitor's token is bound to their pre-session cookie
        with TestClient(app) as visitor:
            visitor.get("/login")
            visitor.cookies.set("onewindow_csrf", attacker_token)
            refused = visitor.post("/login", data={"username": "window1", "password": PASSWORD,
                                                   "_csrf_token": attacker_token},
                                   follow_redirects=False)
            assert refused.status_code == 403
            own = visitor.post("/login", data={"username": "window1", "password": PASSWORD,
                                               "_csrf_token": csrf_token(visitor)},
                               follow_redirects=False)
            assert own.status_code == 303

    token = csrf_token(client, "/")
    assert token != attacker_token
    response = client.post("/logout", headers={"x-csrftoken": token, "HX-Request": "true"},
                           follow_redirects=False)
    assert response.status_code == 303


def test_a_token_seen_before_login_is_worthless_after_it(client, staff):
    before = csrf_token(client)
    response = client.post("/login", data={"username": "window1", "password": PASSWORD,
                                           "_csrf_token": before}, follow_redirects=False)
    assert response.status_code == 303
    after = csrf_token(client, "/")
    assert after != before
    assert client.post("/logout", data={"_csrf_token": before},
                       follow_redirects=False).status_code == 403
    assert client.post("/logout", data={"_csrf_token": after},
                       follow_redirects=False).status_code == 303


def test_a_form_that_is_not_utf8_is_a_bad_request_not_a_server_error(client, staff):
    csrf_token(client)
    body = (b'--b\r\nContent-Disposition: form-data; name="username"\r\n\r\n\xff\xfe\r\n'
            b'--b\r\nContent-Disposition: form-data; name="_csrf_token"\r\n\r\nx\r\n--b--\r\n')
    response = client.post("/login", content=body,
                           headers={"content-type": "multipart/form-data; boundary=b"})
    assert response.status_code == 400

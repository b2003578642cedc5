"""A login that asks for more than the password: the stand-in's ``--otp`` and ``--must-change-password`` screens
over HTTP, and the demo driver in real headless Chromium stopping at them (and at a captcha) with
``LoginNeedsPerson`` — after one password, never two.
"""

from __future__ import annotations

import re

import httpx
import pytest

from agent.portal.base import LoginNeedsPerson
from portal.support import STAFF_PASSWORD, make_driver, running_portal

pytestmark = pytest.mark.usefixtures("no_secret_leaks")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _password(client: httpx.Client, password: str = STAFF_PASSWORD) -> httpx.Response:
    token = CSRF.search(client.get("/login").text).group(1)
    return client.post("/login", data={"usuario": "recepcion", "clave": password, "csrf_token": token})


def _code_form(client: httpx.Client, code: str) -> httpx.Response:
    page = client.get("/verificacion")
    return client.post("/verificacion", data={"codigo": code, "csrf_token": CSRF.search(page.text).group(1)})


def test_the_stand_in_asks_a_code_after_the_password_and_only_the_right_one_opens_the_agenda():
    with running_portal(otp=True) as portal, httpx.Client(base_url=portal.url, follow_redirects=True) as client:
        page = _password(client)
        assert page.url.path == "/verificacion" and "Código de verificación" in page.text
        assert client.get("/agenda").url.path == "/login"  # a right password alone is no session
        code = portal.admin.last_code()
        assert re.fullmatch(r"\d{6}", code)
        wrong = _code_form(client, "000000" if code != "000000" else "111111")
        assert wrong.status_code == 401 and "Código incorrecto. Le quedan 2 intentos." in wrong.text
        right = _code_form(client, code)
        assert right.url.path == "/agenda" and right.status_code == 200
        counts = portal.admin.login_counts()
    assert counts == {"password_ok": 1, "password_wrong": 0, "codes_sent": 1, "codes_ok": 1, "codes_wrong": 1,
                      "passwords_changed": 0, "sessions_opened": 1}


def test_three_wrong_codes_send_back_to_the_password():
    with running_portal(otp=True) as portal, httpx.Client(base_url=portal.url, follow_redirects=True) as client:
        _password(client)
        code = portal.admin.last_code()
        other = "123456" if code != "123456" else "654321"
        answers = [_code_form(client, other) for _ in range(3)]
        assert [a.status_code for a in answers] == [401, 401, 401]
        assert "Demasiados códigos incorrectos" in answers[-1].text and answers[-1].url.path == "/verificacion"
        assert client.get("/verificacion").url.path == "/login"


def test_the_stand_in_can_ask_for_a_new_password_once():
    with running_portal(must_change_password=True) as portal, \
            httpx.Client(base_url=portal.url, follow_redirects=True) as client:
        page = _password(client)
        assert page.url.path == "/cambiar-clave" and "Debe cambiar su contraseña" in page.text
        token = CSRF.search(page.text).group(1)
        short = client.post("/cambiar-clave", data={"nueva": "corta", "repetida": "corta", "csrf_token": token})
        assert short.status_code == 422
        done = client.post("/cambiar-clave", data={"nueva": "Otra-Clave-2027", "repetida": "Otra-Clave-2027",
                                                   "csrf_token": token})
        assert done.url.path == "/agenda"
        client.cookies.clear()
        assert _password(client).url.path == "/login"  # the old password is gone
        assert _password(client, "Otra-Clave-2027").url.path == "/agenda"  # and nothing more is asked


def _captcha_login(app):
    """A web app that, after a password, shows its login form again with a captcha to solve (no error text)."""
    from starlette.responses import RedirectResponse

    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/login":
            await RedirectResponse("/login?verificar=1", status_code=303)(scope, receive, send)
            return
        if not (scope["type"] == "http" and scope["path"] == "/login"):
            await app(scope, receive, send)
            return

        async def add_captcha(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [(k, v) for k, v in message["headers"] if k.lower() != b"content-length"]}
            elif message["type"] == "http.response.body":
                message = {**message, "body": message.get("body", b"").replace(
                    b'<button type="submit"',
                    b'<div class="g-recaptcha" style="width:304px;height:78px;border:1px solid #d3d3d3">'
                    b'No soy un robot</div><button type="submit"')}
            await send(message)

        await app(scope, receive, add_captcha)

    return wrapped


@pytest.mark.parametrize("screen, step", [("otp", "code"), ("must_change_password", "new_password"),
                                          ("captcha", "captcha")])
async def test_the_demo_driver_stops_at_what_only_a_person_can_give(browser_path, tmp_path, screen, step):
    options = {"wrap": _captcha_login} if screen == "captcha" else {screen: True}
    with running_portal(**options) as portal:
        async with make_driver(portal, browser_path, tmp_path) as driver:
            with pytest.raises(LoginNeedsPerson) as stopped:
                await driver.login()
            with pytest.raises(LoginNeedsPerson):
                await driver.free_slots(7)  # the same stop again, without typing the password again
        posts = portal.requests.count("POST /login")
    assert stopped.value.step == step and stopped.value.code == "login_needs_person"
    assert stopped.value.nothing_written and stopped.value.url.startswith(portal.url)
    assert stopped.value.screenshot is not None and stopped.value.screenshot.exists()
    assert posts == 1


async def test_the_login_test_counts_a_code_screen_as_a_right_password(browser_path, tmp_path):
    """The wizard's "Probar acceso": the password works; the code is asked later, when the agent runs."""
    from agent.login_check import test_login
    from agent.settings import AgentSettings

    with running_portal(otp=True) as portal:
        settings = AgentSettings(portal_kind="demo", portal_url=portal.url, portal_user="recepcion",
                                 browser_path=browser_path)
        passed = await test_login(settings, STAFF_PASSWORD, tmp_path)
        refused = await test_login(settings, "Otra-Clave-Mala-1", tmp_path)
    assert (passed.ok, passed.code) == (True, "login_needs_person")
    assert (refused.ok, refused.code) == (False, "login_failed")

"""What a page asks a person for, read from its fields in real Chromium: other web apps, other words, other
languages — a code, a captcha, a new password, or nothing of the kind (a login form, a logged-in page)."""

from __future__ import annotations

import pytest
import pytest_asyncio
from playwright.async_api import async_playwright

from agent.portal.base import BrowserChoice
from agent.portal.browser import launch_browser
from agent.portal.person_step import person_step

PAGES = {
    # second factors
    '<label for="c">Enter the 6-digit code from your authenticator app</label><input id="c" name="c">': "code",
    '<input name="otp" placeholder="123456">': "code",
    '<input autocomplete="one-time-code" name="x">': "code",
    '<label>Código enviado por SMS <input type="tel" name="sms"></label>': "code",
    '<input aria-label="Verification token" name="t"><button>Continue</button>': "code",
    # captchas
    '<input name="user"><input type="password" name="pw"><div class="g-recaptcha" style="width:300px;height:70px">'
    '</div>': "captcha",
    '<iframe title="Widget containing a Cloudflare security challenge" src="about:blank" class="cf-turnstile">'
    '</iframe>': "captcha",
    '<img src="/captcha.png" alt="captcha" width="120" height="40"><input name="answer">': "captcha",
    # a new password
    '<label>Nueva contraseña <input type="password" name="a"></label>'
    '<label>Confirmar <input type="password" name="b"></label>': "new_password",
    '<input type="password" autocomplete="new-password" name="pw">': "new_password",
    # nothing a person must add
    '<label>Usuario <input name="u"></label><label>Contraseña <input type="password" name="p"></label>': "",
    '<label>Código de la clínica <input name="clinic"></label><label>Clave <input type="password" name="p">'
    '</label>': "",
    '<h1>Agenda</h1><input type="search" placeholder="Buscar paciente">': "",
    '<input type="hidden" name="csrf_token" value="x"><h1>Bienvenida</h1>': "",
    '<div class="g-recaptcha" style="display:none"></div><p>Agenda</p>': "",
}


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def page(browser_path):
    async with async_playwright() as playwright:
        browser = await launch_browser(playwright, BrowserChoice(executable_path=browser_path))
        try:
            yield await browser.new_page()
        finally:
            await browser.close()


@pytest.mark.parametrize("html, expected", list(PAGES.items()))
async def test_what_the_page_asks_for(page, html, expected):
    await page.set_content(f"<!doctype html><html><body><form>{html}</form></body></html>")
    assert await person_step(page) == expected

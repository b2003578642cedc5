"""django-appointment behind a second factor (a django-otp-like "Token" screen after the admin login): the driver
stops with LoginNeedsPerson after one password, a person types the token in the window the driver opens, and the
driver carries on with that session — reading the calendar with no second login.
"""

from __future__ import annotations

import pytest
from django_site import RECEPTION_USER, STAFF_PASSWORD, TIME_ZONE

from agent.drivers.django_appointment import DjangoAppointmentDriver
from agent.portal.base import BrowserChoice, Credentials, LoginNeedsPerson
from agent.portal.retry import RetryPolicy

TOKEN = "482913"


@pytest.fixture
def second_factor(django_app):
    flag = django_app.folder / "second_factor.on"
    flag.write_text(TOKEN)
    try:
        yield
    finally:
        flag.unlink()


async def test_a_token_after_the_password_is_typed_by_a_person_and_the_driver_carries_on(
    django_app, second_factor, browser_path, tmp_path
):
    driver = DjangoAppointmentDriver(django_app.url, Credentials(RECEPTION_USER, STAFF_PASSWORD),
                                     BrowserChoice(executable_path=browser_path), tmp_path,
                                     settings={"time_zone": TIME_ZONE}, retry=RetryPolicy(attempts=2), timeout_s=20)
    async with driver:
        with pytest.raises(LoginNeedsPerson) as stopped:
            await driver.login()
        assert stopped.value.step == "code" and "/verificacion/" in stopped.value.url

        window = await driver.open_person_window()
        try:
            page = window.page
            assert "/verificacion/" in page.url
            await page.get_by_label("Token:").fill(TOKEN)  # the receptionist, with the code from their phone
            await page.get_by_role("button", name="Verificar").click()
            state = await window.wait_until_done(driver.logged_in_at, timeout_s=60)
        finally:
            await window.close()
        assert state is not None
        await driver.adopt_session(state)
        appointments = await driver.free_slots(7)
    assert appointments  # the calendar read with the person's session


async def test_a_code_asked_again_mid_session_is_a_person_s_step_not_a_changed_web_app(
    django_app, browser_path, tmp_path
):
    """The web app started asking for its code with the agent's session alive: every call was sent to the code's
    page, and the agent said "the web app changed" / "no responde" and went on offering times."""
    driver = DjangoAppointmentDriver(django_app.url, Credentials(RECEPTION_USER, STAFF_PASSWORD),
                                     BrowserChoice(executable_path=browser_path), tmp_path,
                                     settings={"time_zone": TIME_ZONE}, retry=RetryPolicy(attempts=2), timeout_s=20)
    flag = django_app.folder / "second_factor.on"
    async with driver:
        await driver.login()
        assert await driver.free_slots(2) is not None
        flag.write_text(TOKEN)
        try:
            with pytest.raises(LoginNeedsPerson) as stopped:
                await driver.free_slots(2)
        finally:
            flag.unlink()
    assert stopped.value.step == "code" and "/verificacion/" in stopped.value.url

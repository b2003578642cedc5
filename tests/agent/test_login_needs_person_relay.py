"""The whole path of a web app that asks for a code: the real relay (relay.app on 127.0.0.1), the stand-in Kommo
playing the patient's chat, the stand-in web app with ``--otp``, and the agent's engine with the real driver.

While the web app waits for a person, a patient who writes is handed off: the chat says a receptionist will write,
the clinic's Kommo gets a task with the reason, and the agent's "Para contactar" list gets the patient. Once the
receptionist typed the code in the window the agent opened, the next patient books.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from agent_testkit import EngineRun
from polling import wait_until
from relay_world import relay_with_clinic

from agent.engine import Engine
from agent.events import FollowUpReceived, PortalChangedState, SlotsRefreshed
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, SecretStore
from agent.settings import AgentSettings
from demo.kommo.chat_view import bot_turn
from demo.portal import PortalAdmin, PortalSettings, create_portal_app
from demo.portal.settings import DEFAULT_STAFF_PASSWORD
from demo.serving import ServerThread

CLINIC = "aromos"
ADMIN_TOKEN = "admin-token-relay-otp"


@pytest.fixture
def world(tmp_path):
    with relay_with_clinic(tmp_path, CLINIC, address="Av. Providencia 1234, Santiago") as (kommo, relay_url, token):
        portal = ServerThread(create_portal_app(PortalSettings(seed=21, admin_token=ADMIN_TOKEN, otp=True))).start()
        try:
            yield kommo, relay_url, portal.url, token
        finally:
            portal.stop()


async def _chat(kommo, relay_url: str, lead_id: str, *steps: str, name: str, phone: str) -> list:
    """The patient's turns: a message, or "#n" for the n-th button of the last answer."""
    turns, buttons = [], ()
    for step in steps:
        message = buttons[int(step[1:])] if step.startswith("#") else step
        record = await kommo.say(f"{relay_url}/kommo/{CLINIC}", CLINIC, lead_id, message, name=name, phone=phone,
                                 timeout=60)
        turns.append(record)
        buttons = bot_turn(record.body).buttons or buttons
    return turns


async def test_patients_are_handed_off_until_the_receptionist_types_the_code_then_they_book(
    agent_paths, plaintext_keyring, world, browser_path
):
    kommo, relay_url, portal_url, agent_token = world
    secrets = SecretStore(agent_paths.keyring_service)
    secrets.set(PORTAL_PASSWORD, DEFAULT_STAFF_PASSWORD)
    secrets.set(RELAY_TOKEN, agent_token)
    settings = AgentSettings(relay_url=relay_url.replace("http://", "ws://") + "/agent", portal_kind="demo",
                             portal_url=portal_url, portal_user="recepcion", browser_path=browser_path)
    run = EngineRun(Engine(agent_paths, settings, secrets))
    try:
        await run.wait_event(PortalChangedState, lambda e: e.state == "login_needs_person", wait_s=120)
        await wait_until(lambda: run.engine.link.state == "connected", wait_s=60)

        [first] = await _chat(kommo, relay_url, "8101", "Hola, quiero una hora", name="Rosa Elena Díaz",
                              phone="+56 9 6666 2222")
        handed = await run.wait_event(FollowUpReceived, wait_s=60)
        health = (await asyncio.to_thread(httpx.get, f"{relay_url}/healthz", timeout=10)).json()
        await wait_until(lambda: bool(kommo.tasks(CLINIC, "8101")), wait_s=30)
        [task] = kommo.tasks(CLINIC, "8101")

        finishing = asyncio.get_running_loop().create_task(run.engine.finish_login_by_person())
        await wait_until(lambda: run.engine.portal.person_window is not None, wait_s=60)
        window = run.engine.portal.person_window.page
        with PortalAdmin(portal_url, ADMIN_TOKEN) as admin:
            await window.get_by_label("Código de verificación").fill(await asyncio.to_thread(admin.last_code))
            await window.get_by_role("button", name="Verificar").click()
            assert await asyncio.wait_for(finishing, 60) is True
            await run.wait_event(SlotsRefreshed, wait_s=60)

            turns = await _chat(kommo, relay_url, "8102", "Hola, quiero una hora con cualquier profesional", "#0",
                                "#0", name="Ana Pérez", phone="+56 9 1234 5678")
            appointments = await asyncio.to_thread(admin.appointments)
            counts = await asyncio.to_thread(admin.login_counts)
    finally:
        await run.stop()

    assert first.body["data"]["status"] == "handoff"
    assert health["clinics"][CLINIC]["portal"] == "login_needs_person"  # what the relay's operator sees
    assert handed.reason == "login_needs_person" and handed.patient_name == "Rosa Elena Díaz"
    assert "la agenda web pedía un código de verificación" in task.text
    assert turns[-1].body["data"]["status"] == "booked", turns[-1].body
    assert [a["patient_name"] for a in appointments].count("Ana Pérez") == 1
    assert counts["password_ok"] == 1 and counts["codes_ok"] == 1

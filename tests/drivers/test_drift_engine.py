"""The engine's drift watch with the real parts: the stand-in web app whose appointment form changed, the real driver
in headless Chromium, a scripted relay. A booking fails on the changed screen; the self-check that follows names what
is missing, the relay is told the web app is down (patients get a hand-off), and it stays so until a check passes."""

from __future__ import annotations

import sys
from pathlib import Path

from portal.support import ADMIN_TOKEN, STAFF_PASSWORD, running_portal
from stand_in_markup import changed_markup

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "agent"))
from agent_testkit import EngineRun, ScriptedRelay, book_args  # noqa: E402

from agent.engine import Engine  # noqa: E402
from agent.events import PortalChangedState, SlotsRefreshed  # noqa: E402
from agent.paths import resolve_paths  # noqa: E402
from agent.runtime_state import load_state  # noqa: E402
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, SecretStore  # noqa: E402
from agent.settings import AgentSettings  # noqa: E402

SENTENCE = 'La agenda web cambió: no encuentro el botón "Guardar cita" en la ficha de cita.'


async def test_a_failed_booking_on_a_changed_screen_puts_the_agent_in_attention(
        plaintext_keyring, browser_path, tmp_path):
    paths = resolve_paths(tmp_path / "agent-home").ensure()
    secrets = SecretStore(paths.keyring_service)
    secrets.set(PORTAL_PASSWORD, STAFF_PASSWORD)
    secrets.set(RELAY_TOKEN, "agent-token-xyz")
    with running_portal(wrap=changed_markup({"Guardar cita": "Grabar"})) as portal:
        assert portal.settings.admin_token == ADMIN_TOKEN
        async with ScriptedRelay(token="agent-token-xyz") as relay:
            settings = AgentSettings(relay_url=relay.url, portal_kind="demo", portal_url=portal.url,
                                     portal_user=portal.settings.staff_user, browser_path=browser_path,
                                     language="es")
            run = EngineRun(Engine(paths, settings, secrets))
            try:
                await run.wait_event(SlotsRefreshed, wait_s=120)
                slot = (await relay.request("slots", {"days": 14}))["result"]["slots"][2]
                failed = await relay.request("book", book_args(slot["id"], "lead-1:conv-1"), timeout_s=60, wait_s=120)
                assert failed["ok"] is False
                attention = await run.wait_event(PortalChangedState, lambda e: e.detail == SENTENCE, wait_s=120)
                assert attention.state == "down"
                await relay.next_status(portal="down", wait_s=30)
                await run.engine.cache.refresh()  # reading still works, yet the web app stays "changed"
                assert run.engine.portal.health == "down" and run.engine.portal.detail == SENTENCE
            finally:
                await run.stop()
    state = load_state(paths.state_file)
    assert state.portal == "down" and state.portal_detail == SENTENCE
    assert not [r for r in portal.requests if r.startswith("POST /api/citas")]

"""Setting a clinic up on Kommo when several relay instances share Redis: the install lands on one instance, the
patient's turns on both, and `check-clinic`/`list-clinics` ask either one."""

from __future__ import annotations

import asyncio
import json
import os

import httpx
from relay_harness import ClinicInfo
from test_shared_store import cita_relay

from demo.kommo import new_secret
from relay.kommo_oauth import install_state
from relay.store import ClinicDetails

PUBLIC = "https://relay.example.com"


async def test_install_check_and_list_across_two_instances(relay, kommo, redis_server):
    name = "instalada-redis"
    secret = new_secret()
    kommo.add_account(name, f"cid-{name}", secret, redirect_uri=f"{PUBLIC}/kommo/oauth/{name}")
    admin = relay.store()
    try:
        agent_token = admin.add_clinic(
            ClinicDetails(name, kommo_subdomain=name, kommo_client_id=f"cid-{name}", kommo_client_secret=secret,
                          kommo_base_url=kommo.account_base_url(name))
        )
        state = install_state(admin.clinic(name))
    finally:
        admin.close_now()

    # The relays were built without a public URL: B computes the redirect URI from its own settings, so the
    # stand-in is told that one (as the admin would type the address B is reachable at).
    kommo.set_redirect_uri(name, f"{relay.peer.settings.public_base_url}/kommo/oauth/{name}")
    page = await asyncio.to_thread(kommo.install, name, f"{relay.peer.url}/kommo/oauth/{name}", state=state)
    assert page.status_code == 200, page.text

    clinic = ClinicInfo(name, name, agent_token, secret)
    await relay.agent(clinic)
    for lead in ("8101", "8102"):
        reply = await kommo.say(relay.widget_url(clinic), name, lead, "Hola")
        assert reply.accepted, reply.reason

    env = {**os.environ, "CITA_RELAY_REDIS_URL": redis_server.url}
    checked = await asyncio.to_thread(cita_relay, "check-clinic", name, "--relay", relay.url, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    listed = await asyncio.to_thread(cita_relay, "list-clinics", "--json", "--relay", relay.url, env=env)
    [row] = [r for r in json.loads(listed.stdout) if r["name"] == name]
    assert row["kommo_auth"] == "oauth" and row["agent"]["connected"] is True
    assert row["conversations_24h"] == 2
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{relay.url}/operator/clinics")).status_code == 200

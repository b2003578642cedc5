"""`cita-relay check-clinic` and `list-clinics` ask the running relay, as an operator runs them: the relay on
uvicorn, a scripted agent over a real websocket, the stand-in Kommo, the commands as subprocesses."""

from __future__ import annotations

import asyncio
import json
import os

import httpx
import pytest
from relay_harness import RelayHarness, unique_name
from test_cli import cita_relay

import relay.followups as relay_followups
from relay.clinic_check import render_check
from relay.store import ClinicDetails


def check(relay: RelayHarness, name: str, *, env: dict | None = None):
    return cita_relay("check-clinic", name, "--data", str(relay.settings.data_dir), "--relay", relay.url, env=env)


async def check_async(relay: RelayHarness, name: str, *, env: dict | None = None):
    """The command in a thread: the scripted agent answers on this test's event loop meanwhile."""
    return await asyncio.to_thread(check, relay, name, env=env)


async def test_a_ready_clinic_passes_every_line(relay, kommo):
    clinic = relay.add_clinic()
    await relay.agent(clinic)

    checked = await check_async(relay, clinic.name)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()
    assert lines[0].startswith("✔ Kommo: el token funciona") and clinic.subdomain in lines[0]
    assert lines[1].startswith("✔ Agente: conectado desde") and "versión test-agent" in lines[1]
    assert "agenda web: funcionando" in lines[1]
    assert lines[2].startswith("✔ Consulta de prueba: 21 horas libres")
    assert f"URL: {relay.settings.public_base_url}/kommo/{clinic.name}" in checked.stdout
    assert '"message": "{{message_text}}"' in checked.stdout and '"lead_id": "{{lead.id}}"' in checked.stdout
    assert lines[-1].startswith("Todo listo")
    assert kommo.account_reads(clinic.subdomain) == 1
    # The dry run asked the agent for slots, and nothing else.
    [agent] = relay.agents
    assert [r.op for r in agent.requests] == ["slots"]
    assert clinic.long_lived_token not in checked.stdout


async def test_a_clinic_without_its_agent_or_token_fails_with_what_to_do(relay, kommo):
    clinic = relay.add_clinic(language="en")
    store = relay.store()
    try:  # The long-lived token is gone (as if revoked in Kommo): OAuth with a refresh token Kommo never issued.
        store.set_oauth_tokens(clinic.name, refresh_token="rt-unknown", redirect_uri="https://relay.example/oauth")
    finally:
        store.close_now()

    checked = check(relay, clinic.name)

    assert checked.returncode == 1
    lines = checked.stdout.splitlines()
    assert lines[0].startswith("✘ Kommo: did not renew the token (HTTP 4") and "kommo-install-link" in lines[0]
    assert lines[1].startswith("✘ Agent: not connected (last seen: never)")
    assert lines[2].startswith("✘ Test question: no answer (the agent is not connected)")
    assert lines[-1] == "3 item(s) above must be fixed before the first patient."


async def test_a_clinic_registered_at_a_wrong_kommo_address_is_told_to_check_its_subdomain(relay, kommo):
    real = relay.add_clinic(oauth=True)
    wrong_address = kommo.account_base_url(real.subdomain) + "x"  # a typo in the subdomain given to add-clinic
    store = relay.store()
    try:
        store.add_clinic(ClinicDetails(
            "sol-typo", kommo_subdomain=real.subdomain + "x", kommo_client_id=f"cid-{real.name}",
            kommo_client_secret=real.client_secret, kommo_base_url=wrong_address,
        ))
        store.set_oauth_tokens(
            "sol-typo", refresh_token=kommo.issue_refresh_token(real.subdomain), redirect_uri="https://relay.example/o"
        )
    finally:
        store.close_now()

    checked = check(relay, "sol-typo")

    assert checked.returncode == 1
    first = checked.stdout.splitlines()[0]
    assert first.startswith(f"✘ Kommo: no hay una cuenta en {wrong_address} (HTTP 404)"), first
    assert "cita-relay set-kommo-account sol-typo --kommo-subdomain" in first and "no tiene token" not in checked.stdout

    # The operator does what it says; the running relay reads the clinic again and the same tokens work there.
    fixed = cita_relay(
        "set-kommo-account", "sol-typo", "--kommo-subdomain", real.subdomain,
        "--kommo-base-url", kommo.account_base_url(real.subdomain), "--data", str(relay.settings.data_dir),
    )  # fmt: skip
    assert fixed.returncode == 0, fixed.stderr
    assert kommo.account_base_url(real.subdomain) in fixed.stdout
    again = check(relay, "sol-typo")
    assert again.stdout.startswith(f"✔ Kommo: el token funciona en la cuenta {real.subdomain}"), again.stdout


async def test_a_paused_agent_is_not_ready(relay):
    clinic = relay.add_clinic()
    await relay.agent(clinic, paused=True)
    checked = await check_async(relay, clinic.name)
    assert checked.returncode == 1
    assert "en pausa" in checked.stdout and "cita-agent resume" in checked.stdout


def test_no_relay_running_says_so(relay):
    clinic = relay.add_clinic()
    checked = cita_relay("check-clinic", clinic.name, "--data", str(relay.settings.data_dir), "--relay",
                         "http://127.0.0.1:9")
    assert checked.returncode == 1
    assert "No se pudo preguntar al relay en http://127.0.0.1:9" in checked.stdout
    assert cita_relay("check-clinic", "nadie", "--data", str(relay.settings.data_dir)).returncode == 2


async def test_operator_routes_answer_only_loopback_or_the_operator_token(make_relay):
    open_relay = make_relay()
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.get(f"{open_relay.url}/operator/clinics")).status_code == 200
        # Through a proxy (even one on this machine) it may be anyone: as if the route did not exist.
        proxied = await http.get(f"{open_relay.url}/operator/clinics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert proxied.status_code == 404

    guarded = make_relay(operator_token="op-secret-1")
    clinic = guarded.add_clinic()
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.get(f"{guarded.url}/operator/clinics")).status_code == 404
        wrong = await http.get(f"{guarded.url}/operator/clinics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 404
        ok = await http.get(f"{guarded.url}/operator/clinics", headers={"Authorization": "Bearer op-secret-1"})
        assert ok.status_code == 200 and clinic.name in ok.json()["clinics"]
    refused = check(guarded, clinic.name)
    assert refused.returncode == 1 and "CITA_RELAY_OPERATOR_TOKEN" in refused.stdout
    allowed = check(guarded, clinic.name, env={**os.environ, "CITA_RELAY_OPERATOR_TOKEN": "op-secret-1"})
    assert "✔ Kommo" in allowed.stdout


async def test_list_clinics_shows_agents_and_conversations(relay, kommo):
    busy, idle = relay.add_clinic(), relay.add_clinic()
    await relay.agent(busy)
    for lead in ("7001", "7002"):
        reply = await kommo.say(relay.widget_url(busy), busy.subdomain, lead, "Hola")
        assert reply.accepted
    await kommo.say(relay.widget_url(busy), busy.subdomain, "7001", "Hola otra vez")  # same conversation

    listed = cita_relay("list-clinics", "--data", str(relay.settings.data_dir), "--relay", relay.url)

    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.split()[-6:] == ["AGENT", "WEB", "APP", "FOLLOW-UPS", "CHATS", "24H"]
    busy_row = next(r for r in rows if r.startswith(busy.name + " "))
    idle_row = next(r for r in rows if r.startswith(idle.name + " "))
    assert "connected since" in busy_row and busy_row.split()[-1] == "2" and " ok " in busy_row
    assert "never connected" in idle_row and idle_row.split()[-1] == "0"

    as_json = cita_relay("list-clinics", "--json", "--data", str(relay.settings.data_dir), "--relay", relay.url)
    row = next(r for r in json.loads(as_json.stdout) if r["name"] == busy.name)
    assert row["agent"]["connected"] is True and row["agent"]["version"] == "test-agent"
    assert row["conversations_24h"] == 2


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_check_line_reads_in_the_clinics_language(language):
    report = {
        "clinic": "c", "language": language,
        "kommo": {"ok": False, "problem": "wrong_account", "subdomain": "otra", "status": 200},
        "agent": {"connected": True, "connected_at": "2026-12-02T10:00:00+00:00", "version": "1.2", "portal": "down",
                  "paused": False},
        "slots": {"ok": True, "count": 0, "age_s": 3.0},
        "widget_request": {"url": "https://relay.example.com/kommo/c", "data": {"lead_id": "{{lead.id}}"}},
    }
    outcome = render_check(report)
    assert not outcome.passed
    text = "\n".join(outcome.lines)
    assert "otra" in text and "2026-12-02 10:00:00 UTC" in text
    assert ("la agenda web está sin responder" if language == "es" else "the web app is not answering") in text
    assert "down" not in text  # the state in words, not its code
    assert ("recepción" if language == "es" else "reception") in text
    assert "--public-url" not in text  # an https URL needs no note


async def test_a_client_secret_typed_wrong_is_shown_by_check_clinic_and_fixed_with_set_kommo_secret(relay, kommo):
    clinic = relay.add_clinic()
    await relay.agent(clinic)
    typed_wrong = cita_relay("set-kommo-secret", clinic.name, "--kommo-secret-stdin", "--data",
                             str(relay.settings.data_dir), stdin="not-the-integrations-secret\n")
    assert typed_wrong.returncode == 0, typed_wrong.stderr
    body, _ = kommo.widget_request(clinic.subdomain, {"lead_id": "801", "message": "hola", "name": "Ana",
                                                      "phone": "+56 9 1111 2222"})
    async with httpx.AsyncClient() as http:
        assert (await http.post(relay.widget_url(clinic), json=body)).status_code == 401  # the patient hears nothing

    checked = await check_async(relay, clinic.name)
    assert checked.returncode == 1
    [line] = [line for line in checked.stdout.splitlines() if line.startswith("✘ Kommo → relay")]
    assert "fue rechazado, y el paciente no recibió respuesta" in line
    assert f"cita-relay set-kommo-secret {clinic.name} --kommo-secret-stdin --data {relay.settings.data_dir}`" in line
    assert "not-the-integrations-secret" not in checked.stdout + checked.stderr + typed_wrong.stdout
    assert clinic.client_secret not in checked.stdout

    fixed = cita_relay("set-kommo-secret", clinic.name, "--kommo-secret-stdin", "--data",
                       str(relay.settings.data_dir), stdin=clinic.client_secret + "\n")
    assert fixed.returncode == 0, fixed.stderr
    assert clinic.client_secret not in fixed.stdout + fixed.stderr
    await asyncio.sleep(0.1)
    reply = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "802", "hola")
    assert reply.body["data"]["status"] == "choose_day"
    checked = await check_async(relay, clinic.name)
    assert checked.returncode == 0, checked.stdout
    assert any(line.startswith("✔ Kommo → relay: último mensaje de un paciente recibido hace")
               for line in checked.stdout.splitlines())


async def test_a_typo_in_the_bots_relay_url_is_shown_by_check_clinic_with_the_right_one(relay, kommo):
    """The bot posts to …/kommo/<name with a typo>: the patient hears nothing, and check-clinic, instead of waiting
    for a first message forever, names the URL that came and the one it must be."""
    clinic = relay.add_clinic()
    await relay.agent(clinic)
    typo = clinic.name.replace("-", "_") if "-" in clinic.name else clinic.name + "x"
    body, _ = kommo.widget_request(clinic.subdomain, {"lead_id": "803", "message": "hola", "name": "Ana",
                                                      "phone": "+56 9 1111 2222"})
    async with httpx.AsyncClient() as http:
        assert (await http.post(f"{relay.url}/kommo/{typo}", json=body)).status_code == 401
        await http.post(f"{relay.url}/kommo/not-a-clinic-at-all-xyz", json=body)  # a stranger's: not shown

    checked = await check_async(relay, clinic.name)
    assert checked.returncode == 1
    [line] = [line for line in checked.stdout.splitlines() if line.startswith("✘ Kommo → relay")]
    assert f"…/kommo/{typo}, que no es ninguna clínica de este relay" in line
    assert f"debe terminar en /kommo/{clinic.name}" in line and "not-a-clinic-at-all" not in checked.stdout

    reply = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "804", "hola")  # the URL fixed in the bot
    assert reply.body["data"]["status"] == "choose_day"
    checked = await check_async(relay, clinic.name)
    assert checked.returncode == 0, checked.stdout


async def test_a_bot_step_without_the_phone_or_under_the_kommo_subdomain_is_shown_by_check_clinic(relay, kommo):
    """Two mistakes a Kommo admin makes alone: the step's phone left as "{{contact.phone}}" unfilled (every patient is
    handed to reception, and check-clinic said ✔), and the URL ending in the Kommo subdomain instead of the clinic's
    name (check-clinic said no message had come yet)."""
    name = unique_name()
    clinic = relay.add_clinic(name, subdomain=f"cuenta{name.replace('-', '')}")
    await relay.agent(clinic)
    reply = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "805", "hola", name="{{contact.name}}",
                            phone="{{contact.phone}}")
    assert reply.body["data"]["status"] == "handoff"
    checked = await check_async(relay, clinic.name)
    assert checked.returncode == 1
    [line] = [line for line in checked.stdout.splitlines() if line.startswith("✘ Kommo → relay")]
    assert "llegó sin el teléfono del paciente" in line and "phone debe ser {{contact.phone}}" in line

    reply = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "806", "hola")  # the step fixed
    assert reply.body["data"]["status"] != "handoff"
    checked = await check_async(relay, clinic.name)
    assert checked.returncode == 0, checked.stdout

    body, _ = kommo.widget_request(clinic.subdomain, {"lead_id": "807", "message": "hola", "name": "Ana",
                                                      "phone": "+56 9 1111 2222"})
    async with httpx.AsyncClient() as http:
        assert (await http.post(f"{relay.url}/kommo/{clinic.subdomain}", json=body)).status_code == 401
    checked = await check_async(relay, clinic.name)
    [line] = [line for line in checked.stdout.splitlines() if line.startswith("✘ Kommo → relay")]
    assert f"…/kommo/{clinic.subdomain}, que no es ninguna clínica de este relay" in line


def test_which_came_last_is_told_apart_within_the_same_second():
    """An accepted request and a misaddressed (or refused) one less than a second apart both read "0 s ago": the
    check said ✔ or ✘ by chance. The relay says which came last."""
    from relay.clinic_check import _requests_line

    typo_last = {"accepted_s_ago": 0, "misaddressed": [{"name": "clinica_sol", "s_ago": 0, "after_accepted": True}]}
    assert _requests_line(typo_last, "es", "clinica-sol", "clinicasol")[1] == 1
    fixed_last = {"accepted_s_ago": 0, "misaddressed": [{"name": "clinica_sol", "s_ago": 0, "after_accepted": False}]}
    assert _requests_line(fixed_last, "es", "clinica-sol", "clinicasol")[1] == 0
    refused_last = {"accepted_s_ago": 0, "refused_s_ago": 0, "refused_last": True, "refused_error": "invalid_token"}
    assert _requests_line(refused_last, "es", "clinica-sol", "clinicasol")[1] == 1
    accepted_last = {**refused_last, "refused_last": False}
    assert _requests_line(accepted_last, "es", "clinica-sol", "clinicasol")[1] == 0
    older_relay = {"accepted_s_ago": 5, "misaddressed": [{"name": "clinica_sol", "s_ago": 2}]}
    assert _requests_line(older_relay, "es", "clinica-sol", "clinicasol")[1] == 1


async def test_a_bot_step_that_sends_message_empty_is_shown_by_check_clinic(relay, kommo):
    """The step's message value left blank: every patient was answered "no te entendí" and check-clinic said ✔."""
    clinic = relay.add_clinic()
    await relay.agent(clinic)
    await kommo.say(relay.widget_url(clinic), clinic.subdomain, "808", "")
    checked = await check_async(relay, clinic.name)
    assert checked.returncode == 1
    [line] = [line for line in checked.stdout.splitlines() if line.startswith("✘ Kommo → relay")]
    assert "llegó con message vacío" in line and "{{message_text}}" in line
    await kommo.say(relay.widget_url(clinic), clinic.subdomain, "808", "hola")
    assert (await check_async(relay, clinic.name)).returncode == 0


async def test_handoffs_kommo_refuses_to_write_are_shown_by_check_clinic_and_written_once_it_allows(relay, kommo,
                                                                                                     monkeypatch):
    """Kommo answering 403 to the hand-off's task and note (the user who authorised the integration may not write
    on the lead) lost them at once, with only a log line. Now check-clinic says so and what to do, and the writes
    are made once the admin has fixed the user's rights."""
    monkeypatch.setattr(relay_followups, "KOMMO_RETRY_S", (0.4,) * 60)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, paused=True)  # every patient is handed to reception
    kommo.refuse_api(clinic.subdomain, 10_000, status=403)
    await kommo.say(relay.widget_url(clinic), clinic.subdomain, "731", "hola", name="Rosa Vera",
                    phone="+56 9 7000 0731")
    await agent.wait_for_events(1)  # the tray has the patient meanwhile

    for _ in range(40):
        checked = await check_async(relay, clinic.name)
        lines = [line for line in checked.stdout.splitlines() if line.startswith("✘ Kommo ← relay")]
        if lines:
            break
        await asyncio.sleep(0.25)
    [line] = lines
    assert checked.returncode == 1
    assert "1 paciente(s) derivado(s) a recepción" in line and "HTTP 403" in line
    assert "no puede crear tareas o notas" in line and "Ajustes → Usuarios" in line and "Para contactar" in line
    assert kommo.tasks(clinic.subdomain, "731") == []

    kommo.refuse_api(clinic.subdomain, 0)  # the admin gave the user the right
    for _ in range(200):
        if kommo.tasks(clinic.subdomain, "731") and kommo.notes(clinic.subdomain, "731"):
            break
        await asyncio.sleep(0.05)
    [task] = kommo.tasks(clinic.subdomain, "731")
    assert "Contactar por WhatsApp a Rosa Vera" in task.text
    checked = await check_async(relay, clinic.name)
    assert not [line for line in checked.stdout.splitlines() if line.startswith("✘ Kommo ← relay")], checked.stdout


def test_hand_offs_waiting_for_a_clinic_not_yet_connected_to_kommo_say_so():
    """A clinic with no Kommo token was told «Kommo no lo ha aceptado todavía (sin respuesta)» — the relay never called
    Kommo — and that reception sees them in «Para contactar», with no agent ever connected."""
    report = {
        "clinic": "c", "language": "es",
        "kommo": {"ok": False, "problem": "no_token", "subdomain": "c"},
        "agent": {"connected": False, "last_seen": None},
        "slots": {"ok": False},
        "kommo_writes": {"owed": 1, "since": "2026-12-02T10:00:00+00:00", "status": None},
        "widget_request": {"url": "https://relay.example.com/kommo/c", "data": {"lead_id": "{{lead.id}}"}},
    }
    text = "\n".join(render_check(report).lines)
    assert "la clínica aún no está conectada a Kommo" in text and "no lo ha aceptado" not in text
    assert "el agente de la clínica aún no se ha conectado" in text

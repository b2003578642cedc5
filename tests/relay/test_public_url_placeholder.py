"""A relay set up by copying deploy/systemd/relay.env.example unchanged hands out https://relay.yourdomain.com/… as
the URL to paste into Kommo: `check-clinic` said ✔ and "Todo listo". It is a ✘ now, with what to set, as an http
address is for a clinic on the real Kommo; and `cita-relay serve` warns at start."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess

import httpx
from test_check_clinic import check_async
from test_cli import CITA_RELAY, ROOT, add_clinic, serving

from demo.serving import free_port
from relay.clinic_check import render_check

PLACEHOLDER = "https://relay.yourdomain.com"


async def test_check_clinic_on_a_relay_with_the_examples_public_url_is_not_ready(make_relay):
    relay = make_relay(public_url=PLACEHOLDER)
    clinic = relay.add_clinic()
    await relay.agent(clinic)

    checked = await check_async(relay, clinic.name)

    assert checked.returncode == 1, checked.stdout
    lines = checked.stdout.splitlines()
    assert [line[0] for line in lines[:4]] == ["✔", "✔", "✔", "•"]  # Kommo, agent, test question, no message yet
    assert lines[4] == (
        f"✘ URL del relay: {PLACEHOLDER} es una dirección de ejemplo (yourdomain.com), no la de este relay, y Kommo no"
        " llegaría a ella: pon la dirección https real del relay en CITA_RELAY_PUBLIC_URL (en"
        " /etc/cita-relay/relay.env), reinícialo y vuelve a ejecutar este comando."
    )
    assert f"  URL: {PLACEHOLDER}/kommo/{clinic.name}" in lines
    assert "Todo listo" not in checked.stdout
    assert lines[-1] == "Falta resolver 1 punto(s) de arriba antes del primer paciente."


def _ready_report(url: str, kommo_base_url: str) -> dict:
    """The running relay's report for a clinic where everything passes (relay/operator_endpoint.py)."""
    return {
        "clinic": "clinica-sol", "language": "es",
        "kommo": {"ok": True, "subdomain": "clinicasol", "account_id": 31000001, "status": 200,
                  "base_url": kommo_base_url},
        "agent": {"connected": True, "connected_at": "2026-12-02T08:10:03+00:00", "version": "0.1.0", "portal": "ok",
                  "paused": False},
        "slots": {"ok": True, "count": 42, "age_s": 12.0},
        "kommo_requests": {"accepted_s_ago": 30, "refused_s_ago": None, "misaddressed": []},
        "widget_request": {"url": url, "data": {"lead_id": "{{lead.id}}"}},
    }


def test_an_http_relay_url_for_a_clinic_on_kommo_is_not_all_set():
    """The lines `check-clinic` prints: a note that Kommo calls https only, then "Todo listo" and exit 0, before."""
    outcome = render_check(_ready_report("http://203.0.113.7:8700/kommo/clinica-sol", "https://clinicasol.kommo.com"))

    assert not outcome.passed  # exit 1
    assert (
        "✘ URL del relay: http://203.0.113.7:8700 no es https, y Kommo solo llama a direcciones https: pon la"
        " dirección https del relay (la del proxy con TLS) en CITA_RELAY_PUBLIC_URL (o --public-url), reinícialo y"
        " vuelve a ejecutar este comando."
    ) in outcome.lines
    assert "Todo listo" not in "\n".join(outcome.lines)
    assert outcome.lines[-1] == "Falta resolver 1 punto(s) de arriba antes del primer paciente."

    # A stand-in Kommo on this machine (`make demo`, the tests) calls http: nothing to fix there.
    local = render_check(_ready_report("http://127.0.0.1:8700/kommo/clinica-sol", "http://127.0.0.1:8800/clinicasol"))
    assert local.passed and local.lines[-1].startswith("Todo listo")


async def test_serve_warns_at_start_while_its_public_url_is_the_examples(tmp_path):
    add_clinic(tmp_path, "clinica-ejemplo")

    async def stderr_of_serve(public_url: str) -> str:
        port = free_port()
        env = {**os.environ, "CITA_RELAY_PUBLIC_URL": public_url}
        process = subprocess.Popen([str(CITA_RELAY), "serve", "--port", str(port), "--data", str(tmp_path)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        try:
            async with httpx.AsyncClient() as http:
                await serving(http, port)
        finally:
            process.send_signal(signal.SIGINT)
            _, stderr = await asyncio.to_thread(process.communicate, timeout=30)
        return stderr

    warned = await stderr_of_serve(PLACEHOLDER)
    assert (
        f"cita-relay: warning: the public URL {PLACEHOLDER} is an example address (yourdomain.com), not this relay's:"
        " Kommo cannot reach it" in warned
    ), warned
    assert "Set CITA_RELAY_PUBLIC_URL (or --public-url) to the relay's https address." in warned
    assert "example address" not in await stderr_of_serve("https://relay.clinicasol.cl")

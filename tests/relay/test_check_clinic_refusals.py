"""What `check-clinic`'s "Kommo → relay" line says about refused messages, through the real relay and the command
as an operator runs it: the latest event wins (a wrong URL the admin has fixed since is not repeated over the
refusal that followed), and why a message was refused reads in the clinic's language — the relay's own English
detail stays in its log."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from relay_harness import unique_name
from test_check_clinic import check_async

PATIENT = {"name": "Ana Pérez", "phone": "+56 9 1111 2222"}
WRONG_SECRET = "not-the-integrations-secret-" + "x" * 20


def kommo_line(checked) -> str:
    [line] = [line for line in checked.stdout.splitlines() if line.startswith(("✘ Kommo → relay", "✔ Kommo → relay"))]
    return line


async def test_the_latest_message_wins_a_wrong_url_fixed_then_a_wrong_secret(relay, kommo):
    """The bot first called …/kommo/<the Kommo subdomain>; the admin fixed the URL, but the secret stored is wrong."""
    name = unique_name("luna")
    clinic = relay.add_clinic(name, subdomain=f"otracuenta{name.replace('-', '')}")
    await relay.agent(clinic)
    data = {"lead_id": "901", "message": "hola", **PATIENT}
    async with httpx.AsyncClient(timeout=10) as http:
        body, _ = kommo.widget_request(clinic.subdomain, data)
        assert (await http.post(f"{relay.url}/kommo/{clinic.subdomain}", json=body)).status_code == 401
        wrong_url = kommo_line(await check_async(relay, clinic.name))
        assert f"…/kommo/{clinic.subdomain}, que no es ninguna clínica de este relay" in wrong_url

        await asyncio.sleep(1.2)  # a second apart at least: the relay tells them apart by the second
        body, _ = kommo.widget_request(clinic.subdomain, data, secret=WRONG_SECRET)
        assert (await http.post(relay.widget_url(clinic), json=body)).status_code == 401
        checked = await check_async(relay, clinic.name)

        assert checked.returncode == 1
        line = kommo_line(checked)
        assert re.match(r"✘ Kommo → relay: el último mensaje de un paciente \(hace \d s\) fue rechazado", line), line
        assert "la clave secreta (client secret) guardada para esta clínica no es la de su integración" in line
        assert "no es ninguna clínica" not in checked.stdout

        await asyncio.sleep(1.2)  # and the other way round: a wrong URL again is said again
        body, _ = kommo.widget_request(clinic.subdomain, data)
        assert (await http.post(f"{relay.url}/kommo/{clinic.subdomain}", json=body)).status_code == 401
        assert "que no es ninguna clínica de este relay" in kommo_line(await check_async(relay, clinic.name))


def _without_lead_id(kommo, subdomain: str) -> dict[str, Any]:
    return kommo.widget_request(subdomain, {"message": "hola", **PATIENT})[0]


def _lead_id_not_a_text(kommo, subdomain: str) -> dict[str, Any]:
    return kommo.widget_request(subdomain, {"lead_id": {"id": 902}, "message": "hola", **PATIENT})[0]


def _expired_token(kommo, subdomain: str) -> dict[str, Any]:
    return kommo.widget_request(subdomain, {"lead_id": "903", "message": "hola", **PATIENT},
                                now=time.time() - 3600)[0]


def _no_return_url(kommo, subdomain: str) -> dict[str, Any]:
    body = kommo.widget_request(subdomain, {"lead_id": "904", "message": "hola", **PATIENT})[0]
    del body["return_url"]
    return body


def _answer_elsewhere(kommo, subdomain: str) -> dict[str, Any]:
    body = kommo.widget_request(subdomain, {"lead_id": "905", "message": "hola", **PATIENT})[0]
    body["return_url"] = "https://otra.kommo.com/api/v4/salesbot/77/continue/abc"
    return body


@pytest.mark.parametrize(
    ("make_body", "status", "said", "relays_english"),
    [
        (_without_lead_id, 400, "el paso widget_request del bot no envía los datos de abajo (falta lead_id, o no es el"
         " id del lead: su valor debe ser {{lead.id}}): pega la URL y los datos tal cual.", "data.lead_id must be"),
        (_lead_id_not_a_text, 400, "(cada valor de data debe ser un texto entre comillas)", "data values must be"),
        (_expired_token, 401, "el token de Kommo llegó vencido o aún no válido: revisa que el reloj del servidor del"
         " relay esté en hora (`timedatectl`).", "token expired"),
        (_no_return_url, 400, "la llamada no viene de un paso widget_request del Salesbot (no trae return_url, que"
         " Kommo añade solo en ese paso): usa ese paso, no un webhook ni otra llamada.", "no return_url in the body"),
        (_answer_elsewhere, 400, "la llamada pide la respuesta en una dirección que no es de la cuenta", "return_url is"
         " not a Salesbot continue URL"),
    ],
    ids=["no_lead_id", "lead_id_not_a_text", "expired_token", "no_return_url", "foreign_return_url"],
)
async def test_why_a_message_was_refused_reads_in_spanish(
    relay, kommo, make_body: Callable[..., dict[str, Any]], status: int, said: str, relays_english: str
):
    clinic = relay.add_clinic(language="es")
    await relay.agent(clinic)
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.post(relay.widget_url(clinic), json=make_body(kommo, clinic.subdomain))).status_code == status

    checked = await check_async(relay, clinic.name)

    assert checked.returncode == 1
    line = kommo_line(checked)
    assert re.match(r"✘ Kommo → relay: el último mensaje de un paciente \(hace \d s\) fue rechazado, y el"
                    r" paciente no recibió respuesta: ", line), line
    assert said in line
    assert relays_english not in line  # the relay's own words are for its log
    assert [word for word in (" the ", " must ", " is ", " not ") if word in line] == []

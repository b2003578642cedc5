"""A bot step that never sends the patient's text — the `message` key misspelt, or its value a placeholder Kommo
does not fill — answers every patient "Perdona, no te entendí" forever: `check-clinic` says so (✘, and how to fix
the step) instead of "Todo listo". Through the real relay, with the command as an operator runs it."""

from __future__ import annotations

import httpx
import pytest
from test_check_clinic import check_async

PATIENT = {"name": "Ana Pérez", "phone": "+56 9 1111 2222"}


@pytest.mark.parametrize(
    ("step_data", "language", "said", "fix", "last_line"),
    [
        (
            {"messge": "{{message_text}}"},
            "es",
            "llegó sin la clave message, así que el relay no lee lo que escribe el paciente",
            "en el paso widget_request del bot, la clave debe ser message y su valor {{message_text}}",
            "Falta resolver 1 punto(s) de arriba antes del primer paciente.",
        ),
        (
            {"message": "{{message}}"},
            "en",
            'came with message not filled in ("{{…}}") instead of the patient\'s text',
            "in the bot's widget_request step, the key must be message and its value {{message_text}}",
            "1 item(s) above must be fixed before the first patient.",
        ),
    ],
    ids=["misspelt_key", "unfilled_placeholder"],
)
async def test_a_bot_step_without_the_patients_text_is_a_cross_in_check_clinic(
    relay, kommo, step_data, language, said, fix, last_line
):
    clinic = relay.add_clinic(language=language)
    await relay.agent(clinic)
    async with httpx.AsyncClient(timeout=10) as http:
        for lead in ("810", "811"):
            body, continue_id = kommo.widget_request(clinic.subdomain, {"lead_id": lead, **step_data, **PATIENT})
            assert (await http.post(relay.widget_url(clinic), json=body)).status_code == 200
            assert (await kommo.wait_for_continuation(continue_id)).accepted

    checked = await check_async(relay, clinic.name)

    assert checked.returncode == 1, checked.stdout
    [line] = [line for line in checked.stdout.splitlines() if line.startswith("✘ Kommo → relay")]
    assert said in line and fix in line
    assert checked.stdout.splitlines()[-1] == last_line

    # The step fixed: the patient's text arrives, and the check passes.
    reply = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "812", "hola", **PATIENT)
    assert reply.accepted
    fixed = await check_async(relay, clinic.name)
    assert fixed.returncode == 0, fixed.stdout
    assert any(line.startswith("✔ Kommo → relay") for line in fixed.stdout.splitlines())


"""`cita-relay set-clinic`: a clinic's bot question step (and display name, language, address) changed once the
clinic exists, as set-up-kommo.md tells the Kommo admin to ask for — without remove-clinic + add-clinic, which loses
the Kommo tokens, the agent token and the conversations. Against a real relay that keeps serving: the next
continuation Kommo receives sends the bot to the new step. On SQLite and on Redis."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from relay_harness import ClinicInfo, texts_of, unique_name
from test_cli import cita_relay

from demo.kommo import new_secret

ROOT = Path(__file__).resolve().parents[2]


def goto_step(body: dict) -> int | None:
    """The step a continuation sends the bot back to (its last handler), or None when the bot goes on."""
    last = body["execute_handlers"][-1]
    return last["params"]["step"] if last["handler"] == "goto" else None


async def test_set_clinic_changes_the_bots_step_on_the_running_relay_and_keeps_the_rest(make_relay, kommo, storage):
    flags, settings = storage
    relay = make_relay(**settings)
    name = unique_name("luna")
    secret, long_lived = new_secret(), f"llt-{new_secret()}"
    kommo.add_account(name, f"cid-{name}", secret, long_lived_token=long_lived)
    added = cita_relay(
        "add-clinic", name, "--kommo-subdomain", name, "--kommo-client-id", f"cid-{name}", "--kommo-secret-stdin",
        "--kommo-token-stdin", "--kommo-base-url", kommo.account_base_url(name), *flags,
        stdin=f"{secret}\n{long_lived}\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    agent_token = added.stdout.rstrip("\n").split("\n")[-1]
    await relay.agent(ClinicInfo(name, name, agent_token, secret, long_lived))
    url = relay.widget_url(name)
    first = await kommo.say(url, name, "501", "Hola, quiero una hora")
    assert goto_step(first.body) == 1  # add-clinic's default

    changed = await asyncio.to_thread(
        cita_relay, "set-clinic", name, "--bot-question-step", "3", "--display-name", "Clínica Luna", *flags
    )

    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.splitlines()[:3] == [
        f"Clinic {name!r} changed (its agent token, Kommo tokens and conversations stay):",
        "  bot question step: 1 -> 3",
        f"  display name: {name!r} -> 'Clínica Luna'",
    ]
    assert "without a restart" in changed.stdout
    # The relay serves on, with the same Kommo token and agent: the next continuation goes to step 3. (Redis: each
    # instance reads a clinic's settings again after 5 s at most.)
    for attempt in range(12):
        reply = await kommo.say(url, name, f"6{attempt:02d}", "Hola, quiero una hora")
        if goto_step(reply.body) == 3:
            break
        await asyncio.sleep(0.5)
    assert goto_step(reply.body) == 3, reply.body["execute_handlers"][-1]
    assert "Soy el asistente de citas de Clínica Luna." in texts_of(reply.body)
    assert reply.accepted and [r for r in kommo.rejections() if r.subdomain == name] == []
    on = await kommo.say(url, name, "501", "1")  # the conversation begun before the change goes on
    assert on.body["data"]["status"] == "choose_time" and goto_step(on.body) == 3

    table = cita_relay("list-clinics", "--relay", relay.url, *flags)
    header, *rows = table.stdout.splitlines()
    row = next(r for r in rows if r.startswith(name + " "))
    assert row[header.index("BOT STEP"):].split()[0] == "3"
    [as_json] = [r for r in json.loads(cita_relay("list-clinics", "--json", *flags).stdout) if r["name"] == name]
    assert (as_json["display_name"], as_json["kommo_auth"]) == ("Clínica Luna", "long-lived token")  # tokens stay

    again = cita_relay("set-clinic", name, "--bot-question-step", "3", *flags)
    assert again.returncode == 0 and "nothing changed" in again.stdout
    nothing = cita_relay("set-clinic", name, *flags)
    assert nothing.returncode == 2 and "give --bot-question-step, --display-name, --language or --address" in (
        nothing.stderr)
    wrong = cita_relay("set-clinic", name, "--bot-question-step", "0", *flags)
    assert wrong.returncode == 2 and "the bot question step must be 1 to 1000" in wrong.stderr
    nobody = cita_relay("set-clinic", "nadie", "--language", "en", *flags)
    assert nobody.returncode == 2 and "no clinic named 'nadie'" in nobody.stderr

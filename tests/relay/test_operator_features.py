"""`cita-relay add-clinic --display-name` and `cita-relay rotate-agent-token`, as an operator runs them (real
subprocesses) against a real relay, a real agent websocket and the stand-in Kommo, on SQLite and on Redis."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from relay_harness import ClinicInfo, ScriptedAgent, buttons_of, texts_of, unique_name
from websockets.exceptions import InvalidStatus

from demo.kommo import new_secret

ROOT = Path(__file__).resolve().parents[2]
CITA_RELAY = ROOT / ".venv" / "bin" / "cita-relay"
DISPLAY_NAME = "Centro Médico Los Aromos"


def cita_relay(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    command = [str(CITA_RELAY)] if CITA_RELAY.exists() else [sys.executable, "-m", "relay.cli"]
    return subprocess.run([*command, *args], input=stdin, capture_output=True, text=True, timeout=60, cwd=ROOT)


def last_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    lines = result.stdout.rstrip("\n").split("\n")
    assert all(lines[-1] not in line for line in lines[:-1])  # the token is printed once, alone
    return lines[-1]


def kommo_account(kommo, prefix: str) -> tuple[str, str, str]:
    """A new account on the stand-in Kommo: (its subdomain, the integration's secret, a long-lived token)."""
    name = unique_name(prefix)
    secret, long_lived = new_secret(), f"llt-{new_secret()}"
    kommo.add_account(name, f"cid-{name}", secret, long_lived_token=long_lived)
    return name, secret, long_lived


async def test_display_name_greets_and_rotation_keeps_kommo_and_the_conversation(make_relay, kommo, storage):
    flags, settings = storage
    relay = make_relay(**settings)
    name, secret, long_lived = kommo_account(kommo, "aromos")
    old_token = last_line(
        cita_relay(
            "add-clinic", name, "--kommo-subdomain", name, "--kommo-client-id", f"cid-{name}",
            "--kommo-secret-stdin", "--kommo-token-stdin", "--display-name", DISPLAY_NAME,
            "--kommo-base-url", kommo.account_base_url(name), *flags,
            stdin=f"{secret}\n{long_lived}\n",
        )
    )  # fmt: skip

    listed = cita_relay("list-clinics", *flags)
    assert DISPLAY_NAME in listed.stdout and "DISPLAY NAME" in listed.stdout
    rows = {row["name"]: row for row in json.loads(cita_relay("list-clinics", "--json", *flags).stdout)}
    assert rows[name]["display_name"] == DISPLAY_NAME

    url = relay.widget_url(name)
    clinic = ClinicInfo(name, name, old_token, secret, long_lived)
    old_agent = await ScriptedAgent(relay.ws_url, old_token).connect()
    try:
        await relay.wait_for_agent(clinic)
        first = await kommo.say(url, name, "301", "Hola, quiero una hora")
        assert first.accepted, first.reason
        assert f"Soy el asistente de citas de {DISPLAY_NAME}." in texts_of(first.body)
        assert name not in texts_of(first.body)
        days = buttons_of(first.body)

        rotated = await asyncio.to_thread(cita_relay, "rotate-agent-token", name, "--relay", relay.url, *flags)
        new_token = last_line(rotated)
        assert new_token != old_token and len(new_token) >= 40
        assert "cita-agent login --relay-token-stdin" in rotated.stdout
        assert old_token not in rotated.stdout + rotated.stderr
        # The agent holding the old token (a stolen PC, say) is cut off now, not at its next reconnect.
        assert "The agent connected with the old token was disconnected" in rotated.stdout, rotated.stdout
        await asyncio.wait_for(old_agent.closed.wait(), 10)
        assert old_agent.close_code == 4401
    finally:
        await old_agent.close()

    # The old agent's next reconnect is refused for good; the new token connects.
    with pytest.raises(InvalidStatus) as refused:
        await ScriptedAgent(relay.ws_url, old_token).connect()
    assert refused.value.response.status_code == 401
    new_agent = await ScriptedAgent(relay.ws_url, new_token).connect()
    try:
        await relay.wait_for_agent(clinic)
        # Same conversation, same Kommo token: the patient goes on from the day menu they were shown.
        times = await kommo.say(url, name, "301", days[0])
        assert times.accepted, times.reason
        assert times.body["data"]["status"] == "choose_time"
        assert [r for r in kommo.rejections() if r.subdomain == name] == []
        assert [r.op for r in new_agent.requests] == ["slots"]
    finally:
        await new_agent.close()


async def test_a_kommo_subdomain_typed_wrong_is_set_right_and_tokens_stay(make_relay, kommo, storage):
    flags, settings = storage
    relay = make_relay(**settings)
    name, secret, long_lived = kommo_account(kommo, "sol")
    last_line(
        cita_relay(
            "add-clinic", name, "--kommo-subdomain", name + "x", "--kommo-client-id", f"cid-{name}",
            "--kommo-secret-stdin", "--kommo-token-stdin", "--kommo-base-url", kommo.account_base_url(name) + "x",
            *flags, stdin=f"{secret}\n{long_lived}\n",
        )
    )  # fmt: skip

    fixed = cita_relay(
        "set-kommo-account", name, "--kommo-subdomain", name, "--kommo-base-url", kommo.account_base_url(name), *flags
    )

    assert fixed.returncode == 0, fixed.stderr
    assert "tokens and conversations stay" in fixed.stdout and long_lived not in fixed.stdout
    row = next(r for r in json.loads(cita_relay("list-clinics", "--json", *flags).stdout) if r["name"] == name)
    assert (row["kommo_subdomain"], row["kommo_base_url"]) == (name, kommo.account_base_url(name))
    assert row["kommo_auth"] == "long-lived token"
    checked = cita_relay("check-clinic", name, "--relay", relay.url, *flags)
    assert checked.stdout.startswith(f"✔ Kommo: el token funciona en la cuenta {name}"), checked.stdout

    wrong = cita_relay("set-kommo-account", "nadie", "--kommo-subdomain", "ok", *flags)
    assert wrong.returncode == 2 and "no clinic named 'nadie'" in wrong.stderr
    bad = cita_relay("set-kommo-account", name, "--kommo-subdomain", "Con Espacios", *flags)
    assert bad.returncode == 2 and "subdomain" in bad.stderr


def test_rotating_an_unknown_clinic_says_so(tmp_path):
    from relay.store import SqliteStore

    SqliteStore(tmp_path / "relay.sqlite3").close_now()  # a relay's data folder, without that clinic
    result = cita_relay("rotate-agent-token", "nadie", "--data", str(tmp_path))
    assert result.returncode == 2
    assert "no clinic named 'nadie'" in result.stderr
    assert result.stdout == ""


def test_a_file_from_before_display_names_is_migrated(tmp_path):
    # The clinics table as relays before --display-name wrote it.
    with sqlite3.connect(tmp_path / "relay.sqlite3") as db:
        db.execute(
            "CREATE TABLE clinics (name TEXT PRIMARY KEY, agent_token_hash TEXT NOT NULL UNIQUE,"
            " kommo_subdomain TEXT NOT NULL, kommo_base_url TEXT NOT NULL, kommo_client_id TEXT NOT NULL,"
            " kommo_client_secret TEXT NOT NULL, language TEXT NOT NULL DEFAULT 'es',"
            " address TEXT NOT NULL DEFAULT '', bot_question_step INTEGER NOT NULL DEFAULT 1,"
            " created_at REAL NOT NULL)"
        )
        db.execute(
            "INSERT INTO clinics VALUES ('vieja', 'old-hash', 'vieja', 'https://vieja.kommo.com', 'cid', 's',"
            " 'es', 'Calle 2', 1, 0)"
        )
    db.close()

    rows = json.loads(cita_relay("list-clinics", "--json", "--data", str(tmp_path)).stdout)
    assert [(r["name"], r["display_name"]) for r in rows] == [("vieja", "vieja")]
    assert last_line(cita_relay("rotate-agent-token", "vieja", "--data", str(tmp_path)))
    added = cita_relay(
        "add-clinic", "nueva", "--kommo-subdomain", "nueva", "--kommo-client-id", "cid",
        "--kommo-secret-stdin", "--display-name", "  Clínica   Nueva ", "--data", str(tmp_path), stdin="s\n",
    )  # fmt: skip
    assert last_line(added)
    rows = json.loads(cita_relay("list-clinics", "--json", "--data", str(tmp_path)).stdout)
    assert [(r["name"], r["display_name"]) for r in rows] == [("nueva", "Clínica Nueva"), ("vieja", "vieja")]
    with sqlite3.connect(tmp_path / "relay.sqlite3") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(clinics)")]
    db.close()
    assert columns.count("display_name") == 1

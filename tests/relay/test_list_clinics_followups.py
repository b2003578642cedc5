"""`cita-relay list-clinics` shows how many follow-ups wait for each clinic's agent (SQLite store), as the
operator runs it: a real relay, patients handed off while no agent is connected, the command in a subprocess."""

from __future__ import annotations

import asyncio
import json

from test_cli import cita_relay


def listing(relay) -> tuple[list[str], list[dict]]:
    flags = ("--data", str(relay.settings.data_dir), "--relay", relay.url)
    table = cita_relay("list-clinics", *flags)
    assert table.returncode == 0, table.stderr
    as_json = cita_relay("list-clinics", "--json", *flags)
    assert as_json.returncode == 0, as_json.stderr
    return table.stdout.splitlines(), json.loads(as_json.stdout)


def cells(header: str, row: str) -> dict[str, str]:
    """A table row read by its header's column starts (cells may hold spaces)."""
    names = ["NAME", "DISPLAY NAME", "KOMMO", "LANG", "AUTH", "ADDRESS", "AGENT", "WEB APP", "FOLLOW-UPS", "CHATS 24H"]
    starts = [header.index(name) for name in names]
    ends = [*starts[1:], None]
    return {n: row[s:e].strip() for n, s, e in zip(names, starts, ends, strict=True)}


async def test_follow_ups_waiting_are_counted_until_the_agent_takes_them(relay, kommo):
    waiting, quiet = relay.add_clinic(), relay.add_clinic()
    url = relay.widget_url(waiting)
    for lead in ("8101", "8102", "8103"):  # no agent connected: each patient is handed off, a follow-up waits
        reply = await kommo.say(url, waiting.subdomain, lead, "hola", name=f"Paciente {lead}", phone="+56 9 1111 2222")
        assert reply.body["data"]["status"] == "handoff"

    lines, rows = listing(relay)
    header, *body = lines
    assert header.split()[-6:] == ["AGENT", "WEB", "APP", "FOLLOW-UPS", "CHATS", "24H"]
    row = cells(header, next(r for r in body if r.startswith(waiting.name + " ")))
    other = cells(header, next(r for r in body if r.startswith(quiet.name + " ")))
    assert (row["FOLLOW-UPS"], row["AGENT"]) == ("3", "never connected")
    assert other["FOLLOW-UPS"] == "0"
    by_name = {r["name"]: r for r in rows}
    assert by_name[waiting.name]["followups_waiting"] == 3 and by_name[quiet.name]["followups_waiting"] == 0

    agent = await relay.agent(waiting)  # takes the backlog and acknowledges every one
    await agent.wait_for_events(3)
    for _ in range(400):
        _, rows = listing(relay)
        if next(r for r in rows if r["name"] == waiting.name)["followups_waiting"] == 0:
            break
        await asyncio.sleep(0.05)
    lines, rows = listing(relay)
    header, *body = lines
    assert cells(header, next(r for r in body if r.startswith(waiting.name + " ")))["FOLLOW-UPS"] == "0"


def test_an_empty_relay_still_lists_no_clinics(tmp_path):
    from relay.store import SqliteStore

    SqliteStore(tmp_path / "relay.sqlite3").close_now()  # a relay that served, with no clinic yet
    result = cita_relay("list-clinics", "--data", str(tmp_path))
    assert result.returncode == 0 and "No clinics yet" in result.stdout

"""`cita-relay` as an operator runs it: real subprocesses, a temporary --data folder."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from relay_harness import ScriptedAgent

from demo.serving import free_port

ROOT = Path(__file__).resolve().parents[2]
CITA_RELAY = ROOT / ".venv" / "bin" / "cita-relay"


def cita_relay(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    command = [str(CITA_RELAY)] if CITA_RELAY.exists() else [sys.executable, "-m", "relay.cli"]
    return subprocess.run([*command, *args], input=stdin, capture_output=True, text=True, timeout=60, cwd=ROOT, env=env)


def add_clinic(data: Path, name: str, *extra: str, stdin: str = "the-client-secret\n") -> subprocess.CompletedProcess:
    return cita_relay(
        "add-clinic",
        name,
        "--kommo-subdomain",
        name.lower().replace(" ", "-"),  # a bad clinic name is refused for itself, not as a subdomain
        "--kommo-client-id",
        "cid-1",
        "--kommo-secret-stdin",
        *extra,
        "--data",
        str(data),
        stdin=stdin,
    )


def test_add_list_remove(tmp_path):
    added = add_clinic(
        tmp_path,
        "clinica-sur",
        "--kommo-token-stdin",
        "--language",
        "en",
        "--address",
        "Calle 1",
        stdin="the-client-secret\nthe-long-lived-token\n",
    )
    assert added.returncode == 0, added.stderr
    lines = added.stdout.rstrip("\n").split("\n")
    token = lines[-1]
    assert len(token) >= 40 and " " not in token  # the token, alone on the last line
    assert all(token not in line for line in lines[:-1])
    # Only a hash is kept; neither the token nor the secrets are printed anywhere else.
    database = (tmp_path / "relay.sqlite3").read_bytes()
    assert token.encode() not in database
    assert "the-client-secret" not in added.stdout + added.stderr
    assert "the-long-lived-token" not in added.stdout + added.stderr

    listed = cita_relay("list-clinics", "--data", str(tmp_path))
    assert listed.returncode == 0
    assert "clinica-sur" in listed.stdout and "https://clinica-sur.kommo.com" in listed.stdout
    assert "long-lived token" in listed.stdout
    assert "the-client-secret" not in listed.stdout and "the-long-lived-token" not in listed.stdout
    rows = json.loads(cita_relay("list-clinics", "--json", "--data", str(tmp_path), "--relay", "http://127.0.0.1:9").stdout)
    # The agent, follow-up and conversation columns come on top of the fields scripts already read (no relay runs).
    assert [(row.pop("agent"), row.pop("followups_waiting"), row.pop("conversations_24h")) for row in rows] == [
        (None, 0, 0)
    ]
    assert rows == [
        {
            "name": "clinica-sur",
            "kommo_subdomain": "clinica-sur",
            "kommo_base_url": "https://clinica-sur.kommo.com",
            "language": "en",
            "address": "Calle 1",
            "kommo_auth": "long-lived token",
            "display_name": "clinica-sur",
            "bot_question_step": 1,
        }
    ]

    assert add_clinic(tmp_path, "clinica-sur").returncode == 2  # already there
    removed = cita_relay("remove-clinic", "clinica-sur", "--data", str(tmp_path))
    assert removed.returncode == 0
    assert "No clinics yet" in cita_relay("list-clinics", "--data", str(tmp_path)).stdout
    assert cita_relay("remove-clinic", "clinica-sur", "--data", str(tmp_path)).returncode == 1


def test_add_clinic_with_a_base_url_and_oauth(tmp_path):
    added = add_clinic(tmp_path, "clinica-norte", "--kommo-base-url", "http://127.0.0.1:9/clinica-norte/")
    assert added.returncode == 0, added.stderr
    oauth = cita_relay(
        "set-kommo-oauth",
        "clinica-norte",
        "--redirect-uri",
        "https://relay.example/oauth",
        "--data",
        str(tmp_path),
        stdin="the-refresh-token\n",
    )
    # No Kommo answers at that address: the token cannot be tried, so nothing replaces what the clinic had.
    assert oauth.returncode == 1 and "No se pudo llegar a Kommo" in oauth.stderr, oauth.stderr
    assert "the-refresh-token" not in oauth.stdout + oauth.stderr
    rows = json.loads(cita_relay("list-clinics", "--json", "--data", str(tmp_path)).stdout)
    assert rows[0]["kommo_base_url"] == "http://127.0.0.1:9/clinica-norte"
    assert rows[0]["kommo_auth"] != "oauth"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("Bad Name",), "s\n", "clinic name"),
        (("ok-name", "--kommo-base-url", "ftp://x"), "s\n", "base URL"),
        (("ok-name",), "\n", "client secret"),
        (("ok-name", "--kommo-token-stdin"), "s\n", "long-lived token"),
    ],
)
def test_add_clinic_refuses_bad_input_with_a_reason(tmp_path, args, stdin, message):
    result = add_clinic(tmp_path, *args, stdin=stdin)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_data_folder_from_the_environment(tmp_path):
    env = {**os.environ, "CITA_RELAY_DATA": str(tmp_path / "from-env")}
    command = [
        str(CITA_RELAY),
        "add-clinic",
        "c1",
        "--kommo-subdomain",
        "c1",
        "--kommo-client-id",
        "i",
        "--kommo-secret-stdin",
    ]
    result = subprocess.run(command, input="s\n", capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-env" / "relay.sqlite3").exists()


def start_serve(data: Path, port: int, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "CITA_RELAY_LOG_FORMAT": "json"}
    return subprocess.Popen(
        [str(CITA_RELAY), "serve", "--port", str(port), "--data", str(data), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


async def serving(http: httpx.AsyncClient, port: int) -> dict:
    """/healthz of the `cita-relay serve` on ``port`` once it answers 200."""
    for _ in range(200):
        try:
            answer = await http.get(f"http://127.0.0.1:{port}/healthz")
            if answer.status_code == 200:
                return answer.json()
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("cita-relay serve did not come up")


async def test_serve_accepts_the_printed_token(tmp_path):
    token = add_clinic(tmp_path, "clinica-serve").stdout.rstrip("\n").split("\n")[-1]
    port = free_port()
    process = start_serve(tmp_path, port)
    try:
        async with httpx.AsyncClient() as http:
            health = await serving(http, port)
            assert health["store_writable"] is True
            assert health["clinics"]["clinica-serve"]["agent_connected"] is False
            agent = await ScriptedAgent(f"ws://127.0.0.1:{port}/agent", token).connect()
            for _ in range(200):
                health = (await http.get(f"http://127.0.0.1:{port}/healthz")).json()
                if health["clinics"]["clinica-serve"]["agent_connected"]:
                    break
                await asyncio.sleep(0.02)
            assert health["clinics"]["clinica-serve"]["portal"] == "ok"
            metrics = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
            assert "cita_relay_agents_connected 1.0" in metrics
            await agent.close()
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0
    events = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert {"relay_started", "agent_connected", "relay_stopped"} <= {e["event"] for e in events}
    assert token not in stderr
    with sqlite3.connect(tmp_path / "relay.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM clinics").fetchone()[0] == 1


async def test_a_second_relay_on_the_same_data_folder_or_port_refuses_to_start_and_touches_nothing(tmp_path):
    add_clinic(tmp_path, "clinica-una")
    port = free_port()
    first = start_serve(tmp_path, port)
    try:
        async with httpx.AsyncClient() as http:
            await serving(http, port)

            same_folder = cita_relay("serve", "--port", str(free_port()), "--data", str(tmp_path))
            assert same_folder.returncode == 3
            assert f"another cita-relay (pid {first.pid}) is already running on the data folder" in same_folder.stderr
            same_port = cita_relay("serve", "--port", str(port), "--data", str(tmp_path / "other"))
            assert same_port.returncode == 3
            assert f"port {port} on 127.0.0.1 is already in use" in same_port.stderr
            for refused in (same_folder, same_port):  # refused before the store was opened or a turn resumed
                assert "Traceback" not in refused.stderr and "relay_started" not in refused.stderr
                assert "turn_resumed" not in refused.stderr
            assert not (tmp_path / "other").exists()  # refused before anything was made
            assert (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200  # the first one serves on
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=30)
    assert first.returncode == 0
    restarted = start_serve(tmp_path, port)  # the folder is free again once the first one stopped
    try:
        async with httpx.AsyncClient() as http:
            await serving(http, port)
    finally:
        restarted.send_signal(signal.SIGINT)
        restarted.communicate(timeout=30)


def test_a_data_folder_typed_wrong_is_said_and_never_made_by_a_command_that_only_reads_or_changes(tmp_path):
    add_clinic(tmp_path / "relay", "clinica-datos")
    typo = tmp_path / "rleay"
    for command in (("list-clinics",), ("remove-clinic", "clinica-datos"), ("rotate-agent-token", "clinica-datos"),
                    ("set-kommo-account", "clinica-datos", "--kommo-subdomain", "x")):
        done = cita_relay(*command, "--data", str(typo))
        assert done.returncode == 2, command
        assert f"no relay data in {typo}" in done.stderr and "Traceback" not in done.stderr
    assert not typo.exists()
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for command in (("list-clinics",), ("serve", "--port", str(free_port()))):
        done = cita_relay(*command, "--data", str(a_file))
        assert done.returncode == 2 and "is a file, not a folder" in done.stderr and "Traceback" not in done.stderr
    listed = cita_relay("list-clinics", "--data", str(tmp_path / "relay"))
    assert listed.returncode == 0 and "clinica-datos" in listed.stdout
    under_a_file = a_file / "relay"  # a folder that cannot be made or written (as a read-only or full disk)
    for command in (("add-clinic", "clinica-nueva", "--kommo-subdomain", "nueva", "--kommo-client-id", "id-1",
                     "--kommo-secret-stdin"),
                    ("serve", "--port", str(free_port()))):
        done = cita_relay(*command, "--data", str(under_a_file), stdin="secreto-de-prueba\n")
        assert done.returncode in (2, 3), (command, done.stderr)
        assert f"cannot use the data folder {under_a_file}" in done.stderr and "Traceback" not in done.stderr


def test_a_data_folder_that_fills_up_mid_command_is_one_sentence(tmp_path, monkeypatch, capsys):
    """A write the disk refuses halfway (SQLite's "database or disk is full"): one sentence and exit 3, no traceback."""
    import sqlite3

    from relay.cli import main
    from relay.store import SqliteStore

    add_clinic(tmp_path, "clinica-llena")

    def full(*_args, **_kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(SqliteStore, "rotate_agent_token", full)
    assert main(["rotate-agent-token", "clinica-llena", "--data", str(tmp_path)]) == 3
    said = capsys.readouterr().err
    assert f"cannot use the data folder {tmp_path}" in said and "disk is full" in said and "Traceback" not in said


async def test_commands_given_only_the_data_folder_find_the_relay_serving_it_on_any_port(tmp_path):
    """`cita-relay serve --port 8931 --data D` then `rotate-agent-token C --data D`: the command asked
    127.0.0.1:8700, so the agent holding the leaked token stayed connected. The relay writes where it listens."""
    token = add_clinic(tmp_path, "clinica-puerto").stdout.rstrip("\n").split("\n")[-1]
    port = free_port()
    process = start_serve(tmp_path, port)
    env = {k: v for k, v in os.environ.items() if k != "CITA_RELAY_PORT"}
    try:
        async with httpx.AsyncClient() as http:
            await serving(http, port)
            agent = await ScriptedAgent(f"ws://127.0.0.1:{port}/agent", token).connect()
            for _ in range(200):
                if (await http.get(f"http://127.0.0.1:{port}/healthz")).json()["clinics"]["clinica-puerto"][
                        "agent_connected"]:
                    break
                await asyncio.sleep(0.02)
            rotated = cita_relay("rotate-agent-token", "clinica-puerto", "--data", str(tmp_path), env=env)
            assert rotated.returncode == 0, rotated.stderr
            for _ in range(200):  # the old token's link is closed now, not at its next reconnect
                if not (await http.get(f"http://127.0.0.1:{port}/healthz")).json()["clinics"]["clinica-puerto"][
                        "agent_connected"]:
                    break
                await asyncio.sleep(0.02)
            else:
                raise AssertionError("the agent with the old token stayed connected")
            await agent.close()
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


def test_a_public_url_written_wrong_is_one_line_for_every_command_serve_included(tmp_path):
    """relay.env under systemd holds it: a missing scheme is taken as https; a scheme Kommo cannot call, a clinic's
    bot address, or a word for a number are one `cita-relay: …` line (a traceback meant a crash loop)."""
    assert add_clinic(tmp_path, "sol").returncode == 0
    for typed in ("relay.clinica.cl", " https://relay.clinica.cl "):  # a bare host; a line copied with its spaces
        bare = cita_relay("kommo-install-link", "sol", "--data", str(tmp_path), "--public-url", typed)
        assert bare.returncode == 0 and "  https://relay.clinica.cl/kommo/oauth/sol\n" in bare.stdout, bare.stdout
    for flags, env, said in (
        (["serve", "--port", str(free_port())], {"CITA_RELAY_PUBLIC_URL": "ftp://relay.clinica.cl"}, "public_url"),
        (["list-clinics"], {"CITA_RELAY_PUBLIC_URL": "https://relay.clinica.cl/kommo/sol"}, "not a clinic's /kommo/"),
        (["list-clinics"], {"CITA_RELAY_SLOTS_TIMEOUT_S": "diez"}, "CITA_RELAY_SLOTS_TIMEOUT_S='diez': must be a number"),
        (["list-clinics"], {"CITA_RELAY_PORT": "veinte"}, "must be a whole number"),
        (["serve", "--port", str(free_port())], {"CITA_RELAY_LOG_LEVEL": "veinte"}, "log_level must be debug"),
        (["list-clinics"], {"CITA_RELAY_PUBLIC_URL": "https://https://relay.clinica.cl"}, "must be one address"),
    ):
        result = cita_relay(*flags, "--data", str(tmp_path), env={**os.environ, **env})
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.startswith("cita-relay: setting not usable:") and said in result.stderr, result.stderr


async def test_the_install_link_names_the_public_url_the_running_relay_was_given(tmp_path):
    """Under systemd the public URL is in relay.env, which the operator's shell does not load: the install link's
    redirect URI is still the relay's public one, never http://127.0.0.1:8700/…"""
    assert add_clinic(tmp_path, "sol").returncode == 0
    port = free_port()
    process = start_serve(tmp_path, port, "--public-url", "https://relay.clinica.cl")
    try:
        async with httpx.AsyncClient() as http:
            await serving(http, port)
        link = cita_relay("kommo-install-link", "sol", "--data", str(tmp_path))
        assert link.returncode == 0 and "https://relay.clinica.cl/kommo/oauth/sol" in link.stdout, link.stdout
        assert "127.0.0.1" not in link.stdout
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


def test_a_data_folder_this_user_cannot_read_is_one_sentence(tmp_path, monkeypatch, capsys):
    """A command run without `sudo -u cita-relay` on the relay's 0700 folder ended in a PermissionError traceback."""
    from relay.cli import main

    add_clinic(tmp_path, "clinica-ajena")
    real_exists = Path.exists

    def not_ours(self, *args, **kwargs):
        if self.name == "relay.sqlite3":
            raise PermissionError(13, "Permission denied", str(self))
        return real_exists(self, *args, **kwargs)

    monkeypatch.setattr(Path, "exists", not_ours)
    for command in (["serve", "--port", "0"], ["list-clinics"], ["rotate-agent-token", "clinica-ajena"]):
        assert main([*command, "--data", str(tmp_path)]) == 3, command
        said = capsys.readouterr().err
        assert f"cannot use the data folder {tmp_path}" in said and "sudo -u cita-relay" in said, (command, said)


def test_where_a_clinic_went_and_which_clinics_a_folder_has_are_said(tmp_path):
    """add-clinic without --data stored the clinic in the user's own folder without a word; a name typed wrong was
    only "no clinic named …"; a CITA_RELAY_* variable typed wrong was ignored without a word."""
    added = add_clinic(tmp_path, "clinica-sol")
    assert f"Stored in {tmp_path}" in added.stdout and f"--data {tmp_path}" in added.stdout
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": ""}
    command = [str(CITA_RELAY)] if CITA_RELAY.exists() else [sys.executable, "-m", "relay.cli"]
    elsewhere = subprocess.run([*command, "add-clinic", "clinica-mar", "--kommo-subdomain", "mar", "--kommo-client-id",
                                "cid", "--kommo-secret-stdin"], input="s\n", capture_output=True, text=True,
                               timeout=60, cwd=ROOT, env=env)
    assert elsewhere.returncode == 0 and "had no relay data yet" in elsewhere.stderr
    assert str(home / ".local" / "share" / "cita-relay") in elsewhere.stdout
    wrong = cita_relay("set-clinic", "clinica_sol", "--language", "en", "--data", str(tmp_path))
    assert wrong.returncode == 2
    assert f"no clinic named 'clinica_sol' in {tmp_path} (did you mean clinica-sol?)" in wrong.stderr
    typo = cita_relay("serve", "--port", "99999", "--data", str(tmp_path),
                      env={**os.environ, "CITA_RELAY_PROT": "8701"})
    assert "CITA_RELAY_PROT is not a cita-relay setting (did you mean CITA_RELAY_PORT?)" in typo.stderr
    assert typo.returncode == 2 and "port must be 0 to 65535" in typo.stderr and "Traceback" not in typo.stderr


def test_the_install_links_paste_the_code_command_runs_on_the_same_relay_folder(tmp_path):
    """`kommo-install-link NAME --data DIR` printed `cita-relay set-kommo-oauth NAME --auth-code-stdin …` without
    --data: run as printed it looked in the operator's own folder ("no relay data in ~/.local/share/…")."""
    assert add_clinic(tmp_path, "sol").returncode == 0
    link = cita_relay("kommo-install-link", "sol", "--data", str(tmp_path), "--public-url", "https://relay.clinica.cl")
    assert link.returncode == 0, link.stderr
    assert (f"cita-relay set-kommo-oauth sol --data {tmp_path} --auth-code-stdin"
            " --redirect-uri https://relay.clinica.cl/kommo/oauth/sol") in link.stdout, link.stdout


@pytest.mark.parametrize("typed", ["https://clinicasol.kommo.com/leads/", "clinicasol.kommo.com", " ClinicaSol "])
def test_the_kommo_account_address_pasted_as_the_subdomain_is_taken(tmp_path, typed):
    """`--kommo-subdomain https://clinicasol.kommo.com` (the account's address, copied from the browser) ended in
    «Kommo subdomain must be lowercase letters, digits and '-'»; now it is the account clinicasol."""
    added = cita_relay("add-clinic", "sol", "--data", str(tmp_path), "--kommo-subdomain", typed,
                       "--kommo-client-id", "cid-1", "--kommo-secret-stdin", stdin="the-client-secret\n")
    assert added.returncode == 0, added.stderr
    listed = cita_relay("list-clinics", "--data", str(tmp_path), "--json")
    assert json.loads(listed.stdout)[0]["kommo_subdomain"] == "clinicasol", listed.stdout
    moved = cita_relay("set-kommo-account", "sol", "--data", str(tmp_path), "--kommo-subdomain", typed.upper())
    assert moved.returncode == 0 and "https://clinicasol.kommo.com" in moved.stdout, moved.stderr


def test_a_subdomain_that_cannot_be_says_what_to_give(tmp_path):
    added = cita_relay("add-clinic", "sol", "--data", str(tmp_path), "--kommo-subdomain", "clinica sol",
                       "--kommo-client-id", "cid-1", "--kommo-secret-stdin", stdin="the-client-secret\n")
    assert added.returncode == 2 and "Traceback" not in added.stderr
    assert "clinicasol for https://clinicasol.kommo.com" in added.stderr, added.stderr


def test_adding_a_clinic_again_says_what_to_run_instead(tmp_path):
    """A second `add-clinic sol` (to fix a secret typed wrong) said only «a clinic named 'sol' already exists»."""
    assert add_clinic(tmp_path, "sol").returncode == 0
    again = add_clinic(tmp_path, "sol", stdin="another-secret\n")
    assert again.returncode == 2 and again.stdout == "", again.stdout
    assert "already exists" in again.stderr
    assert f"cita-relay set-kommo-secret sol --data {tmp_path} --kommo-secret-stdin" in again.stderr, again.stderr
    assert f"cita-relay rotate-agent-token sol --data {tmp_path}" in again.stderr
    assert "another-secret" not in again.stderr


async def test_serve_makes_a_new_data_folder_only_its_user_can_open(tmp_path):
    """`cita-relay serve --data NEW` made the folder 0755 (its files are 0600): it holds Kommo secrets."""
    data = tmp_path / "new-relay-data"
    port = free_port()
    process = start_serve(data, port)
    try:
        async with httpx.AsyncClient() as http:
            await serving(http, port)
    finally:
        process.terminate()
        process.communicate(timeout=60)
    assert (data.stat().st_mode & 0o777) == 0o700

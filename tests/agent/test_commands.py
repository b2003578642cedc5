"""`cita-agent configure/login/status/run --headless` as subprocesses, as a clinic's IT person runs them.

The keyring is keyrings.alt's PlaintextKeyring in a temporary XDG_DATA_HOME (outside the agent's home);
the clinic web app is the file-backed fake (tests/agent/fake_agent_cli.py adds it as the "fake" kind).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from agent_testkit import ScriptedRelay, book_args, write_fake_portal_state
from polling import wait_until

from agent.journal import BookingJournal
from agent.paths import resolve_paths
from agent.runtime_state import load_state
from demo.kommo import StandInKommo

HERE = Path(__file__).resolve().parent
LAUNCHER = HERE / "fake_agent_cli.py"
PASSWORD = "correcta-123"
TOKEN = "agent-token-xyz"


@pytest.fixture
def clinic_pc(tmp_path):
    """An agent home, a private plaintext keyring and the fake web app's state file."""
    env = dict(os.environ)
    env.update(
        PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        HOME=str(tmp_path / "user-home"),
        CITA_FAKE_PORTAL=str(write_fake_portal_state(tmp_path / "fake-portal.json")),
        LANG="es_CL.UTF-8",
    )
    env.pop("CITA_AGENT_HOME", None)
    return Pc(tmp_path / "agent-home", env, tmp_path / "fake-portal.json")


class Pc:
    def __init__(self, home: Path, env: dict[str, str], portal_file: Path) -> None:
        self.home, self.env, self.portal_file = home, env, portal_file

    def agent(self, *args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(LAUNCHER), "--home", str(self.home), *args],
            input=stdin, capture_output=True, text=True, env={**self.env, **(env or {})}, timeout=120,
        )

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, str(LAUNCHER), "--home", str(self.home), *args],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )

    def portal(self) -> dict:
        return json.loads(self.portal_file.read_text())

    def update_portal(self, **changes: object) -> None:
        self.portal_file.write_text(json.dumps({**self.portal(), **changes}))

    def status(self) -> dict:
        done = self.agent("status", "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def configure(self, relay_url: str, browser_path: str) -> None:
        done = self.agent("configure", "--relay", relay_url, "--portal", "fake", "--portal-url",
                          "http://127.0.0.1:9/clinica", "--user", "recepcion", "--browser-path", browser_path)
        assert done.returncode == 0, done.stderr

    def files_holding(self, *secrets: str) -> list[Path]:
        """Files of the agent's home holding a secret, as is or base64-encoded."""
        needles = [s.encode() for s in secrets] + [base64.b64encode(s.encode()) for s in secrets]
        return [p for p in self.home.rglob("*") if p.is_file() and any(n in p.read_bytes() for n in needles)]


def test_configure_login_and_status(clinic_pc, browser_path):
    pc = clinic_pc
    pc.configure("ws://127.0.0.1:8700/agent", browser_path)
    before = pc.status()
    assert before["missing"] == [] and before["settings"]["portal_user"] == "recepcion"
    assert before["keyring"]["portal_password"] is False and before["keyring"]["relay_token"] is False

    wrong = pc.agent("login", "--password-stdin", "--relay-token-stdin", stdin=f"equivocada\n{TOKEN}\n")
    assert wrong.returncode == 1
    assert "rechazó" in wrong.stderr and "No se guardó" in wrong.stderr
    assert "vuelva a ejecutar cita-agent login" in wrong.stderr  # what to do next, not only what went wrong
    assert pc.status()["keyring"]["portal_password"] is False  # not stored
    assert pc.portal()["login_attempts"] == 1  # tried once, never again

    right = pc.agent("login", "--password-stdin", "--relay-token-stdin", stdin=f"{PASSWORD}\n{TOKEN}\n")
    assert right.returncode == 0, right.stderr
    after = pc.status()
    assert after["keyring"]["portal_password"] is True and after["keyring"]["relay_token"] is True
    assert pc.portal()["login_attempts"] == 2

    text = pc.agent("status")
    assert text.returncode == 0
    assert "contraseña de la agenda web: guardado" in text.stdout and "token del agente: guardado" in text.stdout
    for output in (wrong, right, text):
        assert PASSWORD not in output.stdout + output.stderr and TOKEN not in output.stdout + output.stderr
    assert pc.files_holding(PASSWORD, TOKEN, "equivocada") == []


def test_a_token_alone_with_no_password_stored_is_never_read_as_the_password(clinic_pc, browser_path):
    """`… | cita-agent login --relay-token-stdin` on a PC with no password stored read the token's line as the
    password (and said «No se indicó el token»); now it says what to give, and nothing reaches the web app."""
    clinic_pc.configure("ws://127.0.0.1:8700/agent", browser_path)
    done = clinic_pc.agent("login", "--relay-token-stdin", stdin=f"{TOKEN}\n")
    assert done.returncode == 2
    assert "--password-stdin --relay-token-stdin" in done.stderr and "No se guardó" in done.stderr, done.stderr
    assert clinic_pc.portal().get("login_attempts", 0) == 0
    assert TOKEN not in done.stdout + done.stderr
    assert clinic_pc.status()["keyring"]["relay_token"] is False


def test_configure_refuses_an_unencrypted_relay_elsewhere(clinic_pc):
    done = clinic_pc.agent("configure", "--relay", "ws://relay.example.com/agent", "--portal", "fake")
    assert done.returncode == 2 and "wss://" in done.stderr
    done = clinic_pc.agent("configure", "--relay", "wss://relay.example.com/agent", "--browser-channel", "msedge")
    assert done.returncode == 0
    assert clinic_pc.status()["settings"]["browser_channel"] == "msedge"


def test_login_without_a_keyring_says_how_to_fix_it(clinic_pc, browser_path):
    clinic_pc.configure("ws://127.0.0.1:8700/agent", browser_path)
    done = clinic_pc.agent("login", "--password-stdin", "--relay-token-stdin", stdin=f"{PASSWORD}\n{TOKEN}\n",
                           env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert done.returncode != 0
    assert "PYTHON_KEYRING_BACKEND" in done.stderr and "gnome-keyring" in done.stderr
    assert clinic_pc.portal().get("login_attempts", 0) == 0  # nothing tried before the keyring was known to work
    in_spanish = clinic_pc.agent("login", "--password-stdin", "--relay-token-stdin", stdin=f"{PASSWORD}\n{TOKEN}\n",
                                 env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "LANG": "es_CL.UTF-8"})
    assert "almacén seguro de contraseñas" in in_spanish.stderr, in_spanish.stderr  # (it was in English)


def test_login_with_no_browser_there_says_what_to_install_or_give(clinic_pc, tmp_path):
    """«No se pudo abrir el navegador: there is no browser at …» said the engine's English and not what to do."""
    clinic_pc.configure("ws://127.0.0.1:8700/agent", str(tmp_path / "no-such-browser"))
    done = clinic_pc.agent("login", "--password-stdin", "--relay-token-stdin", stdin=f"{PASSWORD}\n{TOKEN}\n")
    assert done.returncode != 0
    said = done.stderr.split("(Detalle técnico")[0]
    assert "No se pudo abrir el navegador: instale Microsoft Edge o Google Chrome" in said, done.stderr
    assert "--browser-path" in said and "there is no browser" not in said


def test_run_headless_refuses_to_start_half_configured(clinic_pc, browser_path):
    unconfigured = clinic_pc.agent("run", "--headless")
    assert unconfigured.returncode == 2 and "cita-agent configure" in unconfigured.stderr
    clinic_pc.configure("ws://127.0.0.1:8700/agent", browser_path)
    no_secrets = clinic_pc.agent("run", "--headless")
    assert no_secrets.returncode == 2 and "cita-agent login" in no_secrets.stderr


async def configured_and_logged_in(pc, relay: ScriptedRelay, browser_path: str) -> None:
    """`cita-agent configure` for ``relay``, then `cita-agent login` with the right password and token."""
    pc.configure(relay.url, browser_path)
    login = await asyncio.to_thread(
        pc.agent, "login", "--password-stdin", "--relay-token-stdin", stdin=f"{PASSWORD}\n{TOKEN}\n"
    )
    assert login.returncode == 0, login.stderr


async def test_a_second_agent_on_the_same_pc_and_folder_refuses_to_start_and_the_first_keeps_its_link(
        clinic_pc, browser_path):
    pc = clinic_pc
    async with ScriptedRelay(token=TOKEN) as relay:
        await configured_and_logged_in(pc, relay, browser_path)
        first = pc.start("run", "--headless")
        try:
            await relay.next_status(portal="ok", wait_s=60)
            second = await asyncio.to_thread(pc.agent, "run", "--headless")
            assert second.returncode == 3
            assert f"ya está funcionando en este PC con esta misma configuración (proceso {first.pid})" in second.stderr
            assert first.poll() is None
            slots = await relay.request("slots", {"days": 14})  # the first one still answers on its link
            assert slots["ok"], slots
        finally:
            first.send_signal(signal.SIGTERM)
            await asyncio.to_thread(first.communicate, timeout=60)
    assert first.returncode == 0


async def test_a_headless_agent_killed_mid_booking_reconciles_on_restart(clinic_pc, browser_path):
    pc = clinic_pc
    async with ScriptedRelay(token=TOKEN) as relay:
        await configured_and_logged_in(pc, relay, browser_path)

        first = pc.start("run", "--headless")
        try:
            await relay.next_status(portal="ok", wait_s=60)
            slot = (await relay.request("slots", {"days": 14}))["result"]["slots"][0]
            pc.update_portal(hang_after_write=True)
            asking = asyncio.create_task(relay.request("book", book_args(slot["id"], "lead-1:c1:x"), timeout_s=30))
            await wait_until(lambda: "lead-1:c1:x" in pc.portal().get("appointments", {}), wait_s=60)
        finally:
            first.kill()  # SIGKILL: no chance to write anything more
            first.wait(30)
            asking.cancel()
        paths = resolve_paths(pc.home)
        assert BookingJournal(paths.journal_file).get("lead-1:c1:x").status == "in_progress"

        pc.update_portal(hang_after_write=False)
        second = pc.start("run", "--headless")
        try:
            await relay.next_status(portal="ok", wait_s=60)
            repeat = await relay.request("book", book_args(slot["id"], "lead-1:c1:x"))
        finally:
            second.send_signal(signal.SIGTERM)
            stderr = await asyncio.to_thread(second.communicate, timeout=60)
    booking_id, _ = pc.portal()["appointments"]["lead-1:c1:x"]
    assert repeat["ok"] and repeat["result"]["repeat"] is True and repeat["result"]["booking_id"] == booking_id
    assert pc.portal()["book_calls"] == 1 and pc.portal()["lookups"] >= 1
    assert second.returncode == 0, stderr
    state = load_state(paths.state_file)
    assert (state.link, state.pid) == ("disconnected", 0)
    logs = list(paths.log_dir.glob("agent.log*"))
    assert logs and "The agent stopped" in (paths.log_dir / "agent.log").read_text()
    assert pc.files_holding(PASSWORD, TOKEN) == []
    assert not any(PASSWORD in frame or TOKEN in frame for frame in relay.frames_received)


async def test_login_tests_the_agent_token_with_the_relay_and_keeps_a_refused_one_out(clinic_pc, browser_path):
    pc = clinic_pc
    async with ScriptedRelay(token=TOKEN) as relay:
        pc.configure(relay.url, browser_path)
        wrong = await asyncio.to_thread(pc.agent, "login", "--password-stdin", "--relay-token-stdin",
                                        stdin=f"{PASSWORD}\nnot-the-token\n")
        assert wrong.returncode == 1
        assert "El servidor (relay) rechazó el token del agente" in wrong.stderr and "No se guardó" in wrong.stderr
        assert pc.status()["keyring"]["relay_token"] is False
        right = await asyncio.to_thread(pc.agent, "login", "--password-stdin", "--relay-token-stdin",
                                        stdin=f"{PASSWORD}\n{TOKEN}\n")
        assert right.returncode == 0, right.stderr
        assert pc.status()["keyring"]["relay_token"] is True
    for output in (wrong, right):
        assert "not-the-token" not in output.stdout + output.stderr and TOKEN not in output.stdout + output.stderr


@pytest.mark.parametrize("pasted", [
    f"  {TOKEN[:9]} {TOKEN[9:12]}\t{TOKEN[12:]} \n",  # a mail that wrapped it: spaces inside
    f"{TOKEN[:10]}\n{TOKEN[10:]}\n",  # `Get-Clipboard | cita-agent login --relay-token-stdin`: over two lines
    f"{TOKEN[:10]}\r\n{TOKEN[10:]}\r\n",
], ids=["spaces", "two_lines", "two_lines_crlf"])
async def test_a_token_pasted_with_spaces_or_line_breaks_inside_is_taken_whole(clinic_pc, browser_path, pasted):
    """The token copied out of a mail that wrapped it ("agent-tok en-xyz") was refused: «El servidor (relay)
    rechazó el token del agente: revise que lo copió completo», though every character was there; over two lines
    only the first was read (set-up-clinic-pc.md says a line break inside is left out)."""
    pc = clinic_pc
    async with ScriptedRelay(token=TOKEN) as relay:
        pc.configure(relay.url, browser_path)
        done = await asyncio.to_thread(pc.agent, "login", "--password-stdin", "--relay-token-stdin",
                                       stdin=f"{PASSWORD}\n{pasted}")
        assert done.returncode == 0, done.stderr
        assert "Acceso correcto" in done.stdout and "rechazó" not in done.stderr
        assert pc.status()["keyring"]["relay_token"] is True
    assert TOKEN[12:] not in done.stdout + done.stderr


async def test_login_with_its_answers_piped_in_takes_them_without_a_python_warning(clinic_pc, browser_path):
    """`printf 'clave\\ntoken\\n' | cita-agent login` (no terminal) printed Python's «GetPassWarning: Can not control
    echo on the terminal … Warning: Password input may be echoed», in English, before each question."""
    pc = clinic_pc
    async with ScriptedRelay(token=TOKEN) as relay:
        pc.configure(relay.url, browser_path)
        done = await asyncio.to_thread(pc.agent, "login", stdin=f"{PASSWORD}\n{TOKEN}\n")
        assert done.returncode == 0, done.stderr
        assert "Warning" not in done.stderr and "getpass" not in done.stderr, done.stderr
        assert pc.status()["keyring"]["relay_token"] is True
    assert PASSWORD not in done.stdout + done.stderr and TOKEN not in done.stdout + done.stderr


def test_login_against_a_web_app_with_a_second_factor_says_where_the_code_will_be_asked(clinic_pc, browser_path):
    pc = clinic_pc
    write_fake_portal_state(pc.portal_file, asks_code=True)
    pc.configure("ws://127.0.0.1:8700/agent", browser_path)
    done = pc.agent("login", "--password-stdin", "--relay-token-stdin", stdin=f"{PASSWORD}\n{TOKEN}\n")
    assert done.returncode == 0, done.stderr
    assert "Acceso a la agenda web correcto" in done.stdout and "pide además un código de verificación" in done.stdout
    assert "el token aún no se probó" in done.stdout  # no relay answered: never "correcto" for the token
    assert "la ventana de Cita Bridge lo pedirá" in done.stdout


async def test_status_says_why_a_running_agent_is_not_connected(clinic_pc, browser_path):
    """A token the relay refuses (rotated, say): `cita-agent status` says so and what to do, not only the log."""
    pc = clinic_pc
    async with ScriptedRelay(token="the-token-after-rotation") as relay:
        pc.configure(relay.url, browser_path)
        pc.agent("login", "--password-stdin", "--relay-token-stdin", stdin=f"{PASSWORD}\n{TOKEN}\n")
        running = pc.start("run", "--headless")
        try:
            await wait_until(lambda: relay.refusals >= 1, wait_s=60)
            await wait_until(lambda: "por qué: el servidor rechazó el token del agente" in pc.agent("status").stdout,
                             wait_s=30)
        finally:
            running.send_signal(signal.SIGTERM)
            await asyncio.to_thread(running.communicate, timeout=60)
    shown = pc.agent("status").stdout
    assert "por qué" not in shown  # stopped: nothing claimed about a link it no longer tries


def test_login_with_only_the_token_on_standard_input_keeps_the_stored_password(clinic_pc, browser_path):
    """`… | cita-agent login --relay-token-stdin`, as rotate-agent-token prints it: the token is not read as the
    web app's password (which was then refused and nothing stored)."""
    pc = clinic_pc
    pc.configure("ws://127.0.0.1:8700/agent", browser_path)
    first = pc.agent("login", "--password-stdin", "--relay-token-stdin", stdin=f"{PASSWORD}\n{TOKEN}\n")
    assert first.returncode == 0, first.stderr
    rotated = pc.agent("login", "--relay-token-stdin", stdin="the-new-rotated-token\n")
    assert rotated.returncode == 0, rotated.stderr
    assert pc.portal()["login_attempts"] == 2  # tested with the stored password, never with the token
    assert pc.status()["keyring"]["relay_token"] is True


def test_login_against_an_address_that_is_no_relay_stores_the_secrets_but_says_the_address_must_change(
        clinic_pc, browser_path):
    """A relay address that answers, but not as a relay (a web site, a wrong path): it said "Acceso … correcto" and
    exited 0, and the agent never connected. The web app login is still stored (it was tested); the exit is 4."""
    pc = clinic_pc
    web = StandInKommo().serve()  # a web server that is not a relay
    try:
        pc.configure(web.url.replace("http://", "ws://") + "/agent", browser_path)
        done = pc.agent("login", "--password-stdin", "--relay-token-stdin", stdin=f"{PASSWORD}\n{TOKEN}\n")
    finally:
        web.stop()
    assert done.returncode == 4, done.stderr
    assert "no es la de un relay de Cita Bridge" in done.stderr and "cita-agent configure --relay wss://" in done.stderr
    assert pc.status()["keyring"]["relay_token"] is True and TOKEN not in done.stdout + done.stderr

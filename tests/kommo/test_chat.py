"""`cita-demo chat` and `cita-demo kommo` as a user runs them: real processes, real HTTP, a scripted relay."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from kommo_scripted_relay import Account, ScriptedRelay

from demo.kommo import StandInKommo, new_secret
from demo.serving import ServerThread, free_port

ROOT = Path(__file__).resolve().parents[2]


def cita_demo(*args: str, stdin: str = "", timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "demo.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def chat(
    kommo_url: str, relay_url: str, *extra: str, stdin: str = "", clinic: str = "sur"
) -> subprocess.CompletedProcess:
    return cita_demo("chat", "--relay", relay_url, "--clinic", clinic, "--kommo", kommo_url, *extra, stdin=stdin)


@pytest.fixture(scope="module")
def kommo_url(kommo: StandInKommo, account: Account) -> str:
    return kommo.account_base_url(account.subdomain).rsplit("/", 1)[0]


def test_a_scripted_patient_books_by_tapping_buttons(kommo_url: str, relay, test_output: Path) -> None:
    scripted, relay_url = relay
    done = chat(kommo_url, relay_url, "--lead-id", "lead-book", "--debug", stdin="Hola\n1\n1\nsalir\n")
    (test_output / "kommo-chat-transcript.txt").write_text(done.stdout, encoding="utf-8")

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Tú › Hola" in out
    assert "Bot › ¡Hola! Estos son los próximos días libres:" in out
    assert "Bot › Elige un día\n      1) Lun 2 dic\n      2) Mar 3 dic\n      3) Más días" in out
    assert "[status: choose_day]" in out
    assert "Tú › 1\nBot › Horas del Lun 2 dic\n      1) 10:30 Dra. Soto\n      2) 11:00 Dr. Ruiz" in out
    assert "Bot › Listo: Lun 2 dic 10:30 con Dra. Soto." in out and "[status: booked]" in out
    assert out.rstrip().endswith("Chat terminado.")
    assert "\x1b[" not in out  # no colour codes in a pipe
    # Kommo sends the tapped button's text as the message, like {{message_text}}.
    sent = [b["data"]["message"] for b in scripted.received if b["data"]["lead_id"] == "lead-book"]
    assert sent == ["Hola", "Lun 2 dic", "10:30 Dra. Soto"]


def test_free_text_is_sent_as_written_and_end_of_input_ends_the_chat(kommo_url: str, relay) -> None:
    scripted, relay_url = relay
    done = chat(kommo_url, relay_url, "--lead-id", "lead-free", "--name", "Luis Soto", stdin="Hola\nel martes\n\n7\n")

    assert done.returncode == 0, done.stderr
    assert "Bot › No entendí «el martes». Toca un botón." in done.stdout
    sent = [b["data"] for b in scripted.received if b["data"]["lead_id"] == "lead-free"]
    # "7" is not a button number on screen, so it goes as text too.
    assert [d["message"] for d in sent] == ["Hola", "el martes", "7"]
    assert sent[0]["name"] == "Luis Soto"
    assert done.stdout.rstrip().endswith("Chat terminado.")


def test_a_silent_bot_and_a_rejected_answer_are_shown_and_the_chat_goes_on(kommo_url: str, relay) -> None:
    _, relay_url = relay
    done = chat(kommo_url, relay_url, "--lead-id", "lead-quiet", "--timeout", "1", stdin="Hola\nsilencio\nrompe\n1\nexit\n")

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "El bot no respondió a tiempo (1 s)" in out
    assert "Kommo rechazó la respuesta del bot (HTTP 400): handler 0: 4 buttons" in out
    assert "Tú › 1\nBot › Horas del Lun 2 dic" in out  # the day menu's buttons still work


def test_the_only_account_is_found_and_english_is_available(kommo_url: str, relay) -> None:
    _, relay_url = relay
    done = chat(kommo_url, relay_url, "--language", "en", stdin="Hello\n")
    assert done.returncode == 0, done.stderr
    assert "Patient chat with sur" in done.stdout and "Bot › Elige un día" in done.stdout
    assert done.stdout.rstrip().endswith("Chat ended.")


def test_unreachable_relay_stand_in_or_clinic_get_a_clear_message(kommo_url: str, relay, account: Account) -> None:
    _, relay_url = relay
    nowhere = f"http://127.0.0.1:{free_port()}"

    no_relay = chat(kommo_url, nowhere, stdin="Hola\n")
    assert no_relay.returncode == 1
    assert f"No se puede conectar con el relay en {nowhere}" in no_relay.stderr

    no_kommo = chat(nowhere, relay_url, stdin="Hola\n")
    assert no_kommo.returncode == 1
    assert f"No se puede conectar con el Kommo de prueba en {nowhere}" in no_kommo.stderr

    no_clinic = chat(kommo_url, relay_url, clinic="norte", stdin="Hola\n")
    assert no_clinic.returncode == 1
    assert "El relay no conoce la clínica 'norte'" in no_clinic.stderr

    # A relay holding another secret for this clinic refuses Kommo's signature.
    wrong_secret = ScriptedRelay(clinics={"sur": Account(account.subdomain, account.client_id, new_secret(), "t")})
    with ServerThread(wrong_secret.app) as other:
        bad_secret = chat(kommo_url, other.url, stdin="Hola\n")
    assert bad_secret.returncode == 1
    assert "El relay no aceptó la firma de Kommo (HTTP 401)" in bad_secret.stderr

    for done in (no_relay, no_kommo, no_clinic, bad_secret):
        assert "Traceback" not in done.stderr


def test_ctrl_c_ends_the_chat_cleanly(kommo_url: str, relay) -> None:
    _, relay_url = relay
    process = subprocess.Popen(
        [sys.executable, "-m", "demo.cli", "chat", "--relay", relay_url, "--clinic", "sur", "--kommo", kommo_url,
         "--debug"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        process.stdin.write("Hola\n")  # the patient writes first
        process.stdin.flush()
        seen = []
        while "[status: choose_day]" not in (line := process.stdout.readline()):
            assert line, f"chat ended early: {''.join(seen)}"
            seen.append(line)
        process.send_signal(signal.SIGINT)  # while it waits for the patient's next line
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Chat terminado." in out and "Traceback" not in err


def test_cita_demo_kommo_serves_one_account_for_the_chat(tmp_path: Path, account: Account) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "demo.cli", "kommo", "--port", str(port), "--subdomain", "demo-clinic"]
        + ["--client-id", account.client_id, "--secret-stdin", "--long-lived-token-stdin"]
        + ["--refresh-token-file", str(tmp_path / "refresh-token")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        process.stdin.write(f"{account.secret}\n{account.token}\n")
        process.stdin.close()
        process.stdin = None  # so communicate() does not flush it
        printed = []
        while not (line := process.stdout.readline()).startswith("http://"):
            assert line, f"cita-demo kommo ended early: {process.stderr.read()}"
            printed.append(line)
        base_url = line.strip()
        assert base_url == f"http://127.0.0.1:{port}/demo-clinic"
        # Its own relay with the same secret and token, as `cita-relay add-clinic ... --kommo-secret-stdin` would be.
        other_relay = ScriptedRelay(clinics={"demo": account})
        with ServerThread(other_relay.app) as relay_server:
            done = chat(f"http://127.0.0.1:{port}", relay_server.url, clinic="demo", stdin="Hola\n2\n")
        assert done.returncode == 0, done.stderr
        assert "Bot › Elige un día" in done.stdout and "Tú › 2" in done.stdout
        assert [b["data"]["message"] for b in other_relay.received] == ["Hola", "Mar 3 dic"]
        # The OAuth way in: the refresh token it wrote (for `cita-relay set-kommo-oauth`) works once.
        token_file = tmp_path / "refresh-token"
        assert token_file.stat().st_mode & 0o777 == 0o600
        refresh = {
            "client_id": account.client_id,
            "client_secret": account.secret,
            "grant_type": "refresh_token",
            "refresh_token": token_file.read_text().strip(),
            "redirect_uri": "https://example.invalid/oauth",
        }
        assert httpx.post(f"{base_url}/oauth2/access_token", json=refresh).status_code == 200
        assert httpx.post(f"{base_url}/oauth2/access_token", json=refresh).status_code == 400
    finally:
        process.send_signal(signal.SIGINT)
        try:
            out, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
    everything = "".join(printed) + out + err + done.stdout + done.stderr
    assert account.secret not in everything and account.token not in everything
    assert token_file.read_text().strip() not in everything
    assert "accepted" in err  # the operator sees each continuation arrive


def test_a_relay_restarting_mid_chat_is_said_and_the_patient_writes_again(kommo_url: str, account: Account) -> None:
    scripted = ScriptedRelay(clinics={"sur": account})
    first = ServerThread(scripted.app).start()
    port = first.port
    process = subprocess.Popen(
        [sys.executable, "-m", "demo.cli", "chat", "--relay", first.url, "--clinic", "sur", "--kommo", kommo_url,
         "--lead-id", "lead-restart"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    assert process.stdin is not None and process.stdout is not None

    def say_and_read_until(line: str, marker: str) -> str:
        process.stdin.write(line + "\n")
        process.stdin.flush()
        seen = ""
        while marker not in seen:
            out = process.stdout.readline()
            assert out, f"the chat ended before {marker!r}: {seen}"
            seen += out
        return seen

    try:
        say_and_read_until("Hola", "3) Más días")
        first.stop()
        gone = say_and_read_until("1", "vuelve a escribirlo en unos segundos")
        assert f"El relay en {first.url} no responde ahora (¿se está reiniciando?)" in gone
        with ServerThread(scripted.app, port=port):
            back = say_and_read_until("1", "Horas del Lun 2 dic")
        assert "Bot › Horas del Lun 2 dic" in back
        process.stdin.close()
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

"""`make demo` runs `cita-demo all`: a scripted patient books, and the closing summary shows the agenda has it."""

import os
import signal
import subprocess
import sys
from pathlib import Path


def test_the_demo_lets_a_patient_book_through_the_terminal_chat(tmp_path, browser_path):
    demo = Path(sys.executable).with_name("cita-demo")
    result = subprocess.run(
        [str(demo), "all", "--relay-port", "0", "--data", str(tmp_path), "--browser-path", browser_path],
        input="hola\n1\n1\n1\nsalir\n", capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Bot › " in result.stdout and "Tu hora quedó reservada." in result.stdout
    assert "[status:" not in result.stdout  # the relay's status only with --debug
    assert "contraseña aromos-demo-2026" in result.stdout and "Kommo (de prueba):" in result.stdout
    summary = result.stdout.split("Citas que hizo esta demo (hora de America/Santiago):", 1)[1]
    assert "1. reservada: " in summary and "— en la agenda de la clínica" in summary
    assert "Deteniendo todo" in result.stdout


def _processes_using(folder: Path) -> list[str]:
    """The command lines of the processes whose environment or arguments name ``folder`` (the demo's own)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            seen = (proc / "environ").read_bytes() + (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if str(folder).encode() in seen:
            found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
    return found


def test_a_demo_told_to_stop_by_sigterm_stops_its_agent_and_browser_too(tmp_path, browser_path):
    demo = Path(sys.executable).with_name("cita-demo")
    process = subprocess.Popen(
        [str(demo), "all", "--no-chat", "--relay-port", "0", "--data", str(tmp_path), "--browser-path", browser_path],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        for line in process.stdout:  # running once it shows where everything is
            if "Relay:" in line:
                break
        assert _processes_using(tmp_path), "the demo's agent should be running"
        process.send_signal(signal.SIGTERM)  # `kill`, `timeout`, a service manager
        rest = process.communicate(timeout=60)[0]
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0 and "Deteniendo todo" in rest
    assert _processes_using(tmp_path) == []

"""`make demo` runs `cita-demo all`: a scripted patient books, and the closing summary shows the agenda has it."""

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

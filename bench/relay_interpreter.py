"""The Python the relay's CPU is measured on: this checkout's venv, or the one operators run the relay on.

An operator installs the relay into a venv of the server's own ``python3`` (docs/operate-the-relay.md) or runs the
relay image (``python:3.11-slim``): both are optimised builds (profile-guided, the interpreter linked into the
executable or built without semantic interposition). This checkout's venv may sit on a developer's build instead
(pyenv's default: libpython a shared library, no profile-guided optimisation), which spends about a tenth more CPU
on the same Python code. ``relay_load.py --compare`` measures the relay on both, side by side, and says which is
which; its CPU target is read on the operators' one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_PYTHON = ROOT / ".venv" / "bin" / "python"
# Kept between runs (gitignored): building it takes a minute the first time, a few seconds after.
PRODUCTION_VENV = ROOT / ".bench" / "relay-venv"

_PROBE = (
    "import platform, sys\n"
    "linked = 'shared libpython' if any('libpython' in line for line in open('/proc/self/maps')) "
    "else 'libpython linked in'\n"
    "print(platform.python_version(), sys.base_prefix, linked, sep='|')\n"
)


def describe(python: str | os.PathLike[str]) -> str:
    """``Python 3.11.2 from /usr, libpython linked in``: the version, where it lives and how libpython is linked
    (read from the running process's memory map: a build's configuration flags do not say how the executable
    was linked)."""
    try:
        out = subprocess.run(
            [str(python), "-c", _PROBE], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
        version, prefix, linked = out.split("|")
    except (OSError, subprocess.SubprocessError, ValueError):
        return "Python ?"
    return f"Python {version} from {prefix}, {linked}"


def system_python() -> str | None:
    """The server's own ``python3`` (Debian's: what docs/operate-the-relay.md makes the relay's venv from), when it
    is another interpreter than this checkout's venv and new enough for the relay; else None."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if not Path(candidate).exists():
            continue
        probe = "import sys; print(sys.version_info >= (3, 11), sys.base_prefix)"
        try:
            new_enough, prefix = subprocess.run(
                [candidate, "-c", probe], capture_output=True, text=True, timeout=30, check=True
            ).stdout.split()
        except (OSError, subprocess.SubprocessError, ValueError):
            continue
        if new_enough == "True" and Path(prefix).resolve() != Path(sys.base_prefix).resolve():
            return candidate
    return None


def production_relay_python(base: str, venv: Path = PRODUCTION_VENV) -> str:
    """The relay installed as docs/operate-the-relay.md installs it — a venv of ``base``, the relay's run-time
    requirements, then this checkout with ``--no-deps`` (reinstalled every time: the code measured is this
    tree's) — and that venv's python. Raises ``RuntimeError`` saying what failed."""
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    marker = venv / ".requirements"
    requirements = (ROOT / "deploy" / "requirements-relay.txt").read_text(encoding="utf-8")
    try:
        if not python.exists() or not marker.exists() or marker.read_text(encoding="utf-8") != requirements:
            shutil.rmtree(venv, ignore_errors=True)
            _run([base, "-m", "venv", str(venv)])
            _run([*pip, "-r", str(ROOT / "deploy" / "requirements-relay.txt")])
            marker.write_text(requirements, encoding="utf-8")
        _run([*pip, "--no-deps", "--force-reinstall", str(ROOT)])
    except RuntimeError:
        shutil.rmtree(venv, ignore_errors=True)
        raise
    return str(python)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"{' '.join(command[:4])} failed: {' / '.join(tail)}")

"""The shape of the agent bundle, named once: the spec builds it, the Windows installer script and the tests read it.

    dist/cita-agent/
        cita-agent[.exe]        console program: configure, login, check, run --headless, status
        cita-agent-tray[.exe]   windowed program (no console window on Windows): the tray app, for the Start menu
        _internal/              Python, Qt, Playwright's driver (no browser), and the assets below
            assets/cita-agent.png, cita-agent.ico
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

BUNDLE_NAME = "cita-agent"  # the folder under dist/
CLI_NAME = "cita-agent"
TRAY_NAME = "cita-agent-tray"
APP_DISPLAY_NAME = "Cita Bridge"
MACOS_BUNDLE_ID = "cl.citabridge.agent"
CONTENTS_DIR = "_internal"  # PyInstaller 6's default; the installer script names it too
ASSETS_DIR = "assets"  # under CONTENTS_DIR
ICON_BASENAME = "cita-agent"

ROOT = Path(__file__).resolve().parent.parent


def exe_name(name: str, platform: str = sys.platform) -> str:
    return f"{name}.exe" if platform == "win32" else name


def agent_version(root: Path = ROOT) -> str:
    """agent.__version__, read without importing the agent (the spec must not need its dependencies)."""
    text = (root / "agent" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", text, re.MULTILINE)
    if not match:
        raise ValueError("agent/__init__.py has no __version__")
    return match.group(1)


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """The four numbers a Windows version resource holds: "0.1.0" -> (0, 1, 0, 0); "1.2rc1" -> (1, 2, 0, 0)."""
    match = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", version)
    if not match:
        raise ValueError(f"version {version!r} does not start with a number")
    major, minor, micro = (int(part or 0) for part in match.groups())
    return (major, minor, micro, 0)

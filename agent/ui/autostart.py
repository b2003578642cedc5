"""Start at login: the Windows Run key, a macOS LaunchAgent, or a Linux autostart entry.

Pure functions build each entry (where it goes and what it says) and are tested on any OS;
`set_start_at_login` is the small writer that puts it in place or takes it away.
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

WINDOWS_RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
BASE_NAME = "CitaBridge"
MAC_LABEL = "com.citabridge.agent"


@dataclass(frozen=True)
class AutostartEntry:
    platform: str  # "win32" | "darwin" | "linux"
    location: str  # a file path, or "HKCU\\...\\Run" on Windows
    name: str  # the file name or the registry value name
    content: str  # the file's text, or the registry value (a command line)


def entry_name(home: Path | None) -> str:
    """One entry per agent home, so an agent started with --home never replaces the default one."""
    if home is None:
        return BASE_NAME
    return f"{BASE_NAME}-{hashlib.sha256(str(home).encode()).hexdigest()[:10]}"


def launch_command(home: Path | None, *, executable: str | None = None, frozen: bool | None = None,
                   platform: str | None = None) -> list[str]:
    """How to start the tray app: the bundled executable, or this Python with the agent module."""
    executable = executable or sys.executable
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    platform = platform or sys.platform
    if frozen:
        command = [executable]
    else:
        if platform == "win32":
            # pythonw.exe: no console window flashing up at every login.
            windowless = Path(executable).with_name("pythonw.exe")
            if windowless.exists():
                executable = str(windowless)
        command = [executable, "-m", "agent.cli"]
    if home is not None:
        command += ["--home", str(home)]
    return [*command, "--in-tray"]  # at login: the tray icon, not a window in the receptionist's way


def windows_entry(command: list[str], name: str) -> AutostartEntry:
    return AutostartEntry("win32", "HKCU\\" + WINDOWS_RUN_KEY, name, subprocess.list2cmdline(command))


def macos_entry(command: list[str], name: str, user_home: Path) -> AutostartEntry:
    label = MAC_LABEL if name == BASE_NAME else f"{MAC_LABEL}.{name.removeprefix(BASE_NAME + '-')}"
    plist = {
        "Label": label,
        "ProgramArguments": command,
        "RunAtLoad": True,
        "ProcessType": "Interactive",
    }
    path = user_home / "Library" / "LaunchAgents" / f"{label}.plist"
    return AutostartEntry("darwin", str(path), path.name, plistlib.dumps(plist).decode("utf-8"))


def linux_entry(command: list[str], name: str, user_home: Path, env: Mapping[str, str]) -> AutostartEntry:
    config_home = Path(env.get("XDG_CONFIG_HOME") or user_home / ".config")
    path = config_home / "autostart" / f"{name.lower()}.desktop"
    text = "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Name=Cita Bridge",
        "Comment=Reservas de WhatsApp en la agenda de la clínica",
        f"Exec={desktop_exec(command)}",
        "Terminal=false",
        "X-GNOME-Autostart-enabled=true",
        "",
    ])
    return AutostartEntry("linux", str(path), path.name, text)


def desktop_exec(command: list[str]) -> str:
    """The Exec= value: each argument quoted per the Desktop Entry spec when it needs it."""
    reserved = set(" \t\n\"'\\><~|&;$*?#()`")
    out = []
    for arg in command:
        if arg and not (set(arg) & reserved) and "%" not in arg:
            out.append(arg)
            continue
        escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
        out.append(f'"{escaped.replace("%", "%%")}"')
    return " ".join(out)


def entry_for(command: list[str], name: str, *, platform: str | None = None, user_home: Path | None = None,
              env: Mapping[str, str] | None = None) -> AutostartEntry:
    platform = platform or sys.platform
    user_home = user_home or Path.home()
    if platform == "win32":
        return windows_entry(command, name)
    if platform == "darwin":
        return macos_entry(command, name, user_home)
    return linux_entry(command, name, user_home, os.environ if env is None else env)


def set_start_at_login(enabled: bool, command: list[str], name: str, *, platform: str | None = None,
                       user_home: Path | None = None, env: Mapping[str, str] | None = None) -> AutostartEntry:
    """Write (or remove) the entry; returns it so the caller can say where it went."""
    entry = entry_for(command, name, platform=platform, user_home=user_home, env=env)
    if entry.platform == "win32":
        _write_run_key(entry, enabled)
        return entry
    path = Path(entry.location)
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(entry.content, encoding="utf-8")
        os.replace(tmp, path)
    else:
        path.unlink(missing_ok=True)
    return entry


def is_start_at_login(name: str, *, platform: str | None = None, user_home: Path | None = None,
                      env: Mapping[str, str] | None = None) -> bool:
    entry = entry_for([], name, platform=platform, user_home=user_home, env=env)
    if entry.platform == "win32":
        return _read_run_key(entry) is not None
    return Path(entry.location).exists()


def _write_run_key(entry: AutostartEntry, enabled: bool) -> None:  # pragma: no cover - Windows only
    import winreg  # type: ignore[import-not-found]

    with winreg.CreateKey(winreg.HKEY_CURRENT_USER, WINDOWS_RUN_KEY) as key:
        if enabled:
            winreg.SetValueEx(key, entry.name, 0, winreg.REG_SZ, entry.content)
        else:
            try:
                winreg.DeleteValue(key, entry.name)
            except FileNotFoundError:
                pass


def _read_run_key(entry: AutostartEntry) -> str | None:  # pragma: no cover - Windows only
    import winreg  # type: ignore[import-not-found]

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, WINDOWS_RUN_KEY) as key:
            return str(winreg.QueryValueEx(key, entry.name)[0])
    except FileNotFoundError:
        return None

"""Start at login: the exact entry for each OS, and the Linux one written to and removed from a temporary HOME."""

from __future__ import annotations

import configparser
import plistlib
from pathlib import Path

from agent.ui import autostart


def test_command_for_a_source_checkout_and_for_the_bundle(tmp_path):
    home = tmp_path / "agent home"
    assert autostart.launch_command(None, executable="/opt/py/bin/python3", frozen=False, platform="linux") == [
        "/opt/py/bin/python3", "-m", "agent.cli", "--in-tray",
    ]
    assert autostart.launch_command(home, executable=r"C:\Cita\cita-agent.exe", frozen=True, platform="win32") == [
        r"C:\Cita\cita-agent.exe", "--home", str(home), "--in-tray",
    ]
    pythonw = tmp_path / "pythonw.exe"
    pythonw.touch()
    command = autostart.launch_command(None, executable=str(tmp_path / "python.exe"), frozen=False, platform="win32")
    assert command[0] == str(pythonw)


def test_windows_run_key_value():
    entry = autostart.entry_for([r"C:\Program Files\Cita Bridge\cita-agent.exe"], "CitaBridge", platform="win32")
    assert entry.location == r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run"
    assert entry.name == "CitaBridge"
    assert entry.content == r'"C:\Program Files\Cita Bridge\cita-agent.exe"'


def test_macos_launch_agent_plist(tmp_path):
    entry = autostart.entry_for(["/Applications/Cita Bridge.app/Contents/MacOS/cita-agent"], "CitaBridge",
                                platform="darwin", user_home=tmp_path)
    assert Path(entry.location) == tmp_path / "Library/LaunchAgents/com.citabridge.agent.plist"
    plist = plistlib.loads(entry.content.encode())
    assert plist == {
        "Label": "com.citabridge.agent",
        "ProgramArguments": ["/Applications/Cita Bridge.app/Contents/MacOS/cita-agent"],
        "RunAtLoad": True,
        "ProcessType": "Interactive",
    }


def test_linux_desktop_entry_written_and_removed(tmp_path):
    user_home = tmp_path / "home"
    agent_home = tmp_path / "my agent"
    command = ["/usr/bin/python3", "-m", "agent.cli", "--home", str(agent_home)]
    name = autostart.entry_name(agent_home)
    entry = autostart.set_start_at_login(True, command, name, platform="linux", user_home=user_home, env={})
    path = Path(entry.location)
    assert path.parent == user_home / ".config" / "autostart"
    assert path.name.startswith("citabridge-") and path.suffix == ".desktop"
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    desktop = parser["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Name"] == "Cita Bridge"
    assert desktop["Exec"] == f'/usr/bin/python3 -m agent.cli --home "{agent_home}"'
    assert autostart.is_start_at_login(name, platform="linux", user_home=user_home, env={})

    autostart.set_start_at_login(False, command, name, platform="linux", user_home=user_home, env={})
    assert not path.exists()
    assert not autostart.is_start_at_login(name, platform="linux", user_home=user_home, env={})


def test_linux_entry_honours_xdg_config_home(tmp_path):
    entry = autostart.entry_for(["cita-agent"], "CitaBridge", platform="linux", user_home=tmp_path / "h",
                                env={"XDG_CONFIG_HOME": str(tmp_path / "cfg")})
    assert Path(entry.location) == tmp_path / "cfg" / "autostart" / "citabridge.desktop"


def test_desktop_exec_quotes_what_the_spec_reserves():
    assert autostart.desktop_exec(["/a/b", 'x"y', "$HOME", "50%"]) == '/a/b "x\\"y" "\\$HOME" "50%%"'


def test_each_agent_home_gets_its_own_entry(tmp_path):
    assert autostart.entry_name(None) == "CitaBridge"
    assert autostart.entry_name(tmp_path / "a") != autostart.entry_name(tmp_path / "b")

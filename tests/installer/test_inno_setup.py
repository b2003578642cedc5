"""The Windows installer script (installer/windows/cita-agent.iss) cannot be compiled here (no Inno Setup, no
Windows). These checks stand in: every file it installs, links or runs exists in the bundle the spec produces;
its start-at-login entry is the very one the agent's own setting writes; and the command its uninstaller runs
to forget the saved secrets is a real agent command."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import layout
import pytest

ISS = layout.ROOT / "installer" / "windows" / "cita-agent.iss"


@dataclass(frozen=True)
class Entry:
    section: str
    params: dict[str, str]
    line: int


def preprocessor_defines(text: str) -> dict[str, str]:
    """The script's `#define NAME "text"` (and `#define NAME A + "text"`) values, evaluated as ISPP would."""
    defines: dict[str, str] = {"SourcePath": str(ISS.parent) + "\\"}
    for match in re.finditer(r"^\s*#define\s+(\w+)\s+(.+?)\s*$", text, re.MULTILINE):
        name, expression = match.groups()
        if name in defines and name != "SourcePath":
            continue  # #ifndef ... #define: the first definition wins
        value = _evaluate(expression, defines)
        if value is not None:
            defines[name] = value
    return defines


def _evaluate(expression: str, defines: dict[str, str]) -> str | None:
    parts = []
    for term in (t.strip() for t in expression.split("+")):
        if term.startswith('"') and term.endswith('"'):
            parts.append(term[1:-1])
        elif term in defines:
            parts.append(defines[term])
        elif re.fullmatch(r"AddBackslash\((\w+)\)", term):
            inner = defines.get(term[len("AddBackslash("):-1])
            if inner is None:
                return None
            parts.append(inner if inner.endswith("\\") else inner + "\\")
        else:
            return None  # a function ISPP evaluates at compile time (GetStringFileInfo...): not needed here
    return "".join(parts)


def expand(value: str, defines: dict[str, str]) -> str:
    return re.sub(r"\{#(\w+)\}", lambda m: defines.get(m.group(1), m.group(0)), value)


def entries(text: str, defines: dict[str, str]) -> list[Entry]:
    out, section = [], ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith((";", "#")):
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            section = header.group(1)
            continue
        if section in ("Setup", "Code", "CustomMessages", "Languages") or ":" not in line:
            continue
        params = {}
        for match in re.finditer(r'(\w+):\s*("(?:[^"]|"")*"|[^;]+)', line):
            value = match.group(2).strip()
            if value.startswith('"'):
                value = value[1:-1].replace('""', '"')
            params[match.group(1)] = expand(value, defines)
        out.append(Entry(section, params, number))
    return out


@pytest.fixture(scope="module")
def script() -> tuple[str, dict[str, str], list[Entry]]:
    text = ISS.read_text(encoding="utf-8-sig")
    defines = preprocessor_defines(text)
    return text, defines, entries(text, defines)


def _bundle_relative(source: str, defines: dict[str, str]) -> str:
    prefix = defines["BundleDir"] + "\\"
    assert source.startswith(prefix), f"{source} is not taken from the bundle"
    return source[len(prefix):]


def test_names_match_the_spec_layout(script):
    _, defines, _ = script
    assert defines["CliExe"] == layout.exe_name(layout.CLI_NAME, "win32")
    assert defines["TrayExe"] == layout.exe_name(layout.TRAY_NAME, "win32")
    assert defines["AppIcon"] == "\\".join([layout.CONTENTS_DIR, layout.ASSETS_DIR, f"{layout.ICON_BASENAME}.ico"])
    bundle_dir = Path(defines["BundleDir"].replace("\\", "/")).resolve()
    assert bundle_dir == (layout.ROOT / "dist" / layout.BUNDLE_NAME).resolve(), "the script reads another folder"


def test_start_at_login_is_the_agents_own_entry(script):
    from agent.ui.autostart import BASE_NAME, WINDOWS_RUN_KEY

    _, defines, found = script
    assert defines["RunKey"] == WINDOWS_RUN_KEY
    assert defines["RunValueName"] == BASE_NAME
    registry = [e for e in found if e.section == "Registry"]
    by_task = [e for e in registry if e.params.get("Tasks") == "startatlogin"]
    assert by_task and by_task[0].params["ValueData"] == f'"{{app}}\\{defines["TrayExe"]}"'
    assert all("uninsdeletevalue" in e.params.get("Flags", "") for e in registry)
    tasks = [e.params["Name"] for e in found if e.section == "Tasks"]
    assert "startatlogin" in tasks


def test_start_menu_entry_opens_the_tray_program(script):
    _, defines, found = script
    icons = [e for e in found if e.section == "Icons"]
    start_menu = [e for e in icons if e.params["Name"].startswith("{autoprograms}")]
    assert start_menu, "no Start-menu entry"
    assert start_menu[0].params["Filename"] == f"{{app}}\\{defines['TrayExe']}"


def test_uninstaller_forgets_secrets_only_with_a_real_agent_command(script):
    from agent.cli import build_parser

    text, defines, _ = script
    assert "MB_DEFBUTTON2" in text, "the uninstaller must default to keeping the secrets"
    assert "/FORGETSECRETS" in text
    args = defines["ForgetSecretsArgs"].split()
    parser = build_parser()
    try:
        parser.parse_args(args)
    except SystemExit:
        pytest.fail(f"`cita-agent {' '.join(args)}` (run by the uninstaller) is not an agent command yet")


@pytest.mark.installer
def test_every_referenced_file_exists_in_the_bundle(agent_bundle, script):
    _, defines, found = script
    checked = 0
    for entry in found:
        if entry.section == "Files":
            relative = _bundle_relative(entry.params["Source"], defines)
            if relative.endswith("\\*"):
                folder = agent_bundle / relative[:-2].replace("\\", "/")
                assert folder.is_dir() and any(folder.iterdir()), f"line {entry.line}: {folder} is empty or missing"
            else:
                assert (agent_bundle / _native(relative)).is_file(), f"line {entry.line}: no {relative} in the bundle"
            checked += 1
        for key in ("Filename",):
            value = entry.params.get(key, "")
            if value.startswith("{app}\\"):
                assert (agent_bundle / _native(value[len("{app}\\"):])).is_file(), f"line {entry.line}: no {value}"
                checked += 1
    icon = defines["AppIcon"]
    assert (agent_bundle / _native(icon)).is_file(), f"SetupIconFile {icon} is not in the bundle"
    assert checked >= 5


def _native(windows_relative: str) -> str:
    """The same file in the bundle built on this OS: cita-agent.exe on Windows is cita-agent on Linux."""
    path = windows_relative.replace("\\", "/")
    for name in (layout.CLI_NAME, layout.TRAY_NAME):
        if path == layout.exe_name(name, "win32"):
            return layout.exe_name(name)
    return path

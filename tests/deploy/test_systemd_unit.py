"""The relay's systemd unit: it starts a real `cita-relay` command, sets only variables the relay reads (from
a file the repository ships an example of), keeps its data in its own state folder, and is hardened
(checked by systemd-analyze where it exists)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from deploy_checks import DEPLOY, parse_with, relay_parser

UNIT = DEPLOY / "systemd" / "cita-relay.service"
ENV_EXAMPLE = DEPLOY / "systemd" / "relay.env.example"


def unit_entries(text: str) -> dict[str, list[tuple[str, str]]]:
    sections: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            sections.setdefault(current, [])
            continue
        key, _, value = line.partition("=")
        sections[current].append((key.strip(), value.strip()))
    return sections


@pytest.fixture(scope="module")
def service() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in unit_entries(UNIT.read_text(encoding="utf-8"))["Service"]:
        out.setdefault(key, []).append(value)
    return out


def _env_file_values(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_exec_start_is_a_real_relay_command(service):
    (exec_start,) = service["ExecStart"]
    words = shlex.split(exec_start)
    assert Path(words[0]).name == "cita-relay"
    assert Path(words[0]).is_absolute()  # systemd wants an absolute path
    parse_with(relay_parser(), words[1:])


def test_environment_is_relay_settings(service, relay_env_names):
    from relay.settings import settings_from_env

    defaults = dict(word.split("=", 1) for value in service["Environment"] for word in shlex.split(value))
    (env_file,) = service["EnvironmentFile"]
    env_file = env_file.lstrip("-")
    example = ENV_EXAMPLE
    assert Path(env_file).name + ".example" == example.name, f"the repository ships no example of {env_file}"
    from_file = _env_file_values(example)
    unknown = (set(defaults) | set(from_file)) - relay_env_names
    assert not unknown, f"the relay does not read {sorted(unknown)}"
    settings = settings_from_env({**defaults, **from_file})  # raises on a bad value
    assert settings.host in ("127.0.0.1", "::1"), "behind a proxy on the same host the relay listens on loopback"
    assert not settings.allow_insecure_agents
    state = service["StateDirectory"][0]
    assert settings.data_dir == Path("/var/lib") / state, "the SQLite file must live in the unit's StateDirectory"


def test_hardening(service):
    expected = {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
        "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    }
    for key, value in expected.items():
        assert service.get(key) == [value], f"{key}={value} expected"
    assert service["User"][0] not in ("root", "0")


def _verifiable_copy(tmp_path: Path) -> Path:
    """The unit with ExecStart pointing at a program that exists here, so verify checks only the unit's syntax."""
    text = UNIT.read_text(encoding="utf-8")
    lines = ["ExecStart=/bin/true" if line.startswith("ExecStart=") else line for line in text.splitlines()]
    copy = tmp_path / UNIT.name
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return copy


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_unit(tmp_path):
    copy = _verifiable_copy(tmp_path)
    result = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", f"systemd-analyze verify complained: {result.stderr}"
    # Exposure on systemd's 0-10 scale (lower is safer); --threshold counts tenths.
    security = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--threshold=20", str(copy)],
        capture_output=True, text=True, timeout=60,
    )
    summary = [line for line in security.stdout.splitlines() if "Overall exposure" in line]
    print(summary[0] if summary else security.stdout[-300:])
    assert security.returncode == 0, f"exposure above 2.0: {summary}"

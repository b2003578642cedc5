"""Shared test set-up. Qt must be told to render offscreen before anything imports it."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DBUS_SESSION_BUS_ADDRESS", "disabled:")
# Tests never touch the developer's real keyring: each test that needs one selects a backend.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEST_OUTPUT = ROOT / "test-output"


@pytest.fixture(autouse=True)
def _root_log_handlers_as_found():
    """A test that runs a command in process (`cita-relay …`, the stand-in Kommo) installs a root log handler on the
    stderr pytest captured for that test; left in place, servers of later tests logged into the closed capture
    («--- Logging error --- I/O operation on closed file» in `make test`). Each test leaves only the handlers it
    found (pytest's own capture handlers come and go by themselves)."""
    root = logging.getLogger()
    found = list(root.handlers)
    yield
    for handler in list(root.handlers):
        if handler not in found and not type(handler).__module__.startswith("_pytest"):
            root.removeHandler(handler)


def chromium_path() -> str:
    """Debian's chromium here; CHROMIUM_PATH overrides it."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return path


@pytest.fixture(scope="session")
def browser_path() -> str:
    path = chromium_path()
    if not Path(path).exists():
        pytest.fail(f"no Chromium at {path}: run `make test` (it installs Debian's chromium)")
    return path


@pytest.fixture(scope="session")
def test_output() -> Path:
    """A folder a reviewer can look at after the run (screenshots and the like)."""
    TEST_OUTPUT.mkdir(exist_ok=True)
    return TEST_OUTPUT


@pytest.fixture
def plaintext_keyring(tmp_path, monkeypatch):
    """A file-backed keyring for one test (keyrings.alt), also for its subprocesses: never the real OS keyring."""
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    # Where keyrings.alt looks under this XDG_DATA_HOME, so a `cita-agent` subprocess shares it.
    backend.file_path = str(tmp_path / "xdg-data" / "python_keyring" / "keyring_pass.cfg")  # type: ignore[misc]
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    yield backend
    keyring.set_keyring(previous)

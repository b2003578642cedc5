"""End-to-end: stand-in Kommo -> relay (process) -> headless agent (process) -> stand-in web app in Chromium."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_system import new_system

from demo.system import DemoSystem


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory, browser_path: str) -> Iterator[DemoSystem]:
    """One whole system shared by a module's tests that leave it as they found it."""
    with new_system(tmp_path_factory.mktemp("system"), browser_path) as running:
        running.wait_for_first_read()  # a cold browser on a busy machine can take longer than the slots timeout
        yield running


@pytest.fixture
def fresh_system(tmp_path: Path, browser_path: str) -> Iterator[DemoSystem]:
    """A whole system of its own, for a test that kills, restarts or pauses parts of it."""
    with new_system(tmp_path, browser_path) as running:
        running.wait_for_first_read()
        yield running


@pytest.fixture
def lead_id() -> str:
    return str(secrets.randbelow(90_000_000) + 10_000_000)

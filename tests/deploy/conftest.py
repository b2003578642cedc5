"""Fixtures of the deployment checks (helpers live in deploy_checks.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def relay_env_names() -> set[str]:
    """Every CITA_RELAY_* variable the relay reads."""
    from dataclasses import fields

    from relay.settings import ENV_PREFIX, RelaySettings

    names = {ENV_PREFIX + f.name.upper() for f in fields(RelaySettings)}
    return names | {ENV_PREFIX + "DATA"}

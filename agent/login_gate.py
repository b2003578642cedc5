""""Guardar sin probar": a password saved without a passing login test is never tried by the running agent.

A clinic's web app locks the account after a few failed logins, so the agent does not spend one on a password
nobody has seen work. The first-run wizard marks it (a small file in the data folder, no secret in it); a login
test that passes — the wizard, Settings, or `cita-agent login` — clears it, and the agent logs in then.
"""

from __future__ import annotations

from pathlib import Path

from agent.paths import AgentPaths

UNTESTED_DETAIL = "the password was saved without a login test: press Test login in Settings"


def _marker(paths: AgentPaths) -> Path:
    return paths.data_dir / "login-untested"


def mark_untested(paths: AgentPaths) -> None:
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    _marker(paths).write_text("saved without a login test\n", encoding="utf-8")


def mark_tested(paths: AgentPaths) -> None:
    _marker(paths).unlink(missing_ok=True)


def untested(paths: AgentPaths) -> bool:
    return _marker(paths).exists()

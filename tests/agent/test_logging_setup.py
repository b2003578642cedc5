"""The agent's log files: rotated in its log folder, and never holding a secret."""

from __future__ import annotations

import logging

import pytest

from agent import logging_setup
from agent.logging_setup import REDACTOR, register_secret, setup_logging


@pytest.fixture
def agent_logging(agent_paths, monkeypatch):
    monkeypatch.setattr(logging_setup, "MAX_BYTES", 2_000)
    log_file = setup_logging(agent_paths, console=False)
    yield log_file
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_cita_agent", False)]:
        root.removeHandler(handler)
        handler.close()


def test_secrets_never_reach_the_log_file(agent_logging):
    register_secret("s3cr3t-Passw0rd")
    log = logging.getLogger("agent.test")
    log.warning("login with %s failed", "s3cr3t-Passw0rd")
    log.warning("headers: Authorization: Bearer abc.def-123")
    log.warning("form: user=recepcion&password=hunter22&x=1")
    try:
        raise RuntimeError("the page showed s3cr3t-Passw0rd in a field")
    except RuntimeError:
        log.exception("the login screen failed")

    text = agent_logging.read_text()
    assert "s3cr3t-Passw0rd" not in text and "abc.def-123" not in text and "hunter22" not in text
    assert text.count("***") == 5
    assert "the login screen failed" in text and "Traceback" in text


def test_the_log_file_is_rotated_in_the_log_folder(agent_logging, agent_paths):
    log = logging.getLogger("agent.test")
    for n in range(200):
        log.info("line %d of an agent that has been running for a while", n)
    assert agent_logging.parent == agent_paths.log_dir
    assert (agent_paths.log_dir / "agent.log.1").exists()
    assert len(list(agent_paths.log_dir.glob("agent.log*"))) <= 1 + logging_setup.BACKUPS


def test_the_redactor_leaves_ordinary_lines_alone():
    line = "Booked B17 at 2026-12-02T10:30:00-03:00 with Dra. Soto (key lead-7:conv-1)"
    assert REDACTOR.redact(line) == line

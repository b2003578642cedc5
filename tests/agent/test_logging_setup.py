"""The agent's log files: rotated in its log folder, and never holding a secret."""

from __future__ import annotations

import logging

import pytest

from agent import logging_setup
from agent.booking import _HANDOFF_MESSAGES
from agent.link import _CLOSE_REASONS
from agent.logging_setup import REDACTOR, SecretRedactor, register_secret, setup_logging
from agent.portal.base import AccountLocked, LoginRejected
from agent.portal_session import _blocked_message


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


# What the agent and the relay really log about logins and tokens: none holds a secret, so none may change.
DEMO_PORTAL_REFUSAL = "Usuario o contraseña incorrectos. Le quedan 2 intentos antes de que la cuenta se bloquee."
REAL_MESSAGES = (
    # the demo driver's LoginRejected, as agent/portal_session.py logs it
    "The clinic web app refused the login (the clinic web app refused the user 'recepcion' or its password: "
    f"{DEMO_PORTAL_REFUSAL}) while trying to read the free slots. The agent will not try again until the password "
    "or the settings change (cita-agent login).",
    # another web app's words in the same sentence (issue 15's example)
    "the clinic web app refused the user 'recepcion' or its password: failed, please enter a correct username and "
    "password",
    "the clinic web app has locked the user 'recepcion': Usuario bloqueado por 15 minutos",
    _blocked_message(LoginRejected("x")),
    _blocked_message(AccountLocked("x")),
    *_CLOSE_REASONS.values(),
    *_HANDOFF_MESSAGES.values(),
    "the relay refused the agent token (HTTP 401): store a new one with cita-agent login",
    "Cannot read the agent token from the keyring: no keyring backend: set PYTHON_KEYRING_BACKEND",
    "The clinic web app settings or password changed: logging in again",
    "ignoring DEBUG=pw:* for the browser: its protocol log would show the typed password",
    # the relay's own lines (key=value)
    "ts=2026-12-02T10:30:05.123Z level=warning logger=relay.agent event=agent_refused_token peer=10.0.0.7 "
    "had_token=true",
    "event=continuation_no_token clinic=aromos",
    "event=kommo_tokens_rotated clinic=aromos",
    "the Kommo integration expects a Bearer authentication header",
)


@pytest.mark.parametrize("message", REAL_MESSAGES)
def test_real_messages_without_a_secret_are_left_whole(message):
    redactor = SecretRedactor()
    redactor.add("correcta-123")
    redactor.add("agent-token-xyz")
    assert redactor.redact(message) == message


def test_only_the_secret_value_is_masked_and_the_words_around_it_stay():
    redactor = SecretRedactor()
    redactor.add("Clave-Secreta-9")
    redactor.add("tok3n-del-agente")
    refusal = f"the clinic web app refused the user 'recepcion' or its password: {DEMO_PORTAL_REFUSAL}"
    assert redactor.redact(f"{refusal} (typed Clave-Secreta-9)") == f"{refusal} (typed ***)"
    assert redactor.redact("connecting to wss://relay.example/agent?token=tok3n-del-agente&x=1") == \
        "connecting to wss://relay.example/agent?token=***&x=1"
    # token-looking values nobody registered: after "Bearer " and "...token=", and a form's password field
    assert redactor.redact("headers: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig") == \
        "headers: Authorization: Bearer ***"
    assert redactor.redact("GET /agent?access_token=Zm9vYmFyYmF6cXV4MTIz HTTP/1.1") == \
        "GET /agent?access_token=*** HTTP/1.1"
    assert redactor.redact("form: user=recepcion&password=hunter22&x=1") == "form: user=recepcion&password=***&x=1"
    assert redactor.redact('body: {"user": "recepcion", "password": "hunter 22", "refresh_token": "r1"}') == \
        'body: {"user": "recepcion", "password": "***", "refresh_token": "***"}'

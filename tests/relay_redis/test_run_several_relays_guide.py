"""docs/run-several-relays.md stays true: its ACL user is enough for the relay's whole life, and every
`cita-relay` command and CITA_RELAY_* variable it shows is one the relay has."""

from __future__ import annotations

import logging
import re
import secrets
import shlex
from dataclasses import fields
from pathlib import Path

from pair_harness import RelayPair
from relay_harness import buttons_of

from agent.cli import build_parser as agent_parser
from relay.cli import build_parser
from relay.logs import KeyValueFormatter
from relay.settings import ENV_PREFIX, RelaySettings

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "run-several-relays.md"


def code_blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced block."""
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.MULTILINE | re.DOTALL)]


def acl_rules(text: str) -> list[str]:
    lines = [line for _, block in code_blocks(text) for line in block.splitlines()]
    return next(line for line in lines if line.startswith("user cita-")).split()[2:]  # after "user cita-relay"


def shell_commands(text: str, program: str) -> list[list[str]]:
    """The arguments of every ``program`` command in the sh blocks (lines joined, pipes and && split)."""
    out = []
    for language, block in code_blocks(text):
        if language != "sh":
            continue
        for line in block.replace("\\\n", " ").splitlines():
            lexer = shlex.shlex(line, posix=True, punctuation_chars="|&;")
            lexer.whitespace_split = True
            lexer.commenters = "#"
            segment: list[str] = []
            for word in [*lexer, ";"]:
                if word in ("|", "||", "&&", ";"):
                    if segment and segment[0] == program:
                        out.append(segment[1:])
                    segment = []
                else:
                    segment.append(word)
    return out


async def test_the_guides_acl_user_can_run_the_relay(tmp_path, kommo, redis_server, caplog):
    caplog.set_level(logging.DEBUG)
    password = secrets.token_hex(16)
    rules = [f">{password}" if rule.startswith(">") else rule for rule in acl_rules(GUIDE.read_text())]
    admin = redis_server.client()
    user = f"cita-relay-{secrets.token_hex(3)}"
    try:
        admin.execute_command("ACL", "SETUSER", user, "reset", *rules)
        url = f"redis://{user}:{password}@127.0.0.1:{redis_server.port}/0"
        pair = RelayPair(tmp_path / "pair", kommo, url).start()
        try:
            clinic = pair.add_clinic(oauth=True)  # the commands' side, as that user
            agent = await pair.agent(clinic)  # on B
            health = await pair.healthz()
            assert health["redis"] is True and health["clinics"][clinic.name]["agent_connected"] is True
            url_a = pair.widget_url(clinic)
            days = await kommo.say(url_a, clinic.subdomain, "501", "hola")  # an OAuth refresh, forwarded
            times = await kommo.say(url_a, clinic.subdomain, "501", buttons_of(days.body)[0])
            booked = await kommo.say(url_a, clinic.subdomain, "501", buttons_of(times.body)[0])
            assert booked.body["data"]["status"] == "booked" and len(agent.bookings) == 1
            store = pair.store()
            try:
                assert store.remove_clinic(clinic.name)
            finally:
                store.close_now()
        finally:
            await pair.close_agents()
            pair.stop()
        # The user reaches nothing outside cita:* (another application's keys in the same Redis stay private).
        assert admin.acl_dryrun(user, "GET", "other-app:secret") != "OK"
        # The Redis password is never logged; the URL is, without it.
        lines = "\n".join(KeyValueFormatter().format(r) for r in caplog.records if r.name.startswith("relay"))
        assert f"redis=redis://127.0.0.1:{redis_server.port}/0" in lines and password not in lines
    finally:
        admin.execute_command("ACL", "DELUSER", user)
        admin.close()


def test_the_guides_commands_and_variables_exist():
    text = GUIDE.read_text()
    known = {ENV_PREFIX + f.name.upper() for f in fields(RelaySettings)} | {ENV_PREFIX + "DATA"}
    for name in re.findall(r"CITA_RELAY_[A-Z_]+", text):
        assert name in known, f"{name} is not a relay setting"
    commands = shell_commands(text, "cita-relay")
    assert len(commands) >= 3
    for args in commands:
        build_parser().parse_args(args)  # exits (fails the test) on a wrong flag
    agent_commands = shell_commands(text, "cita-agent")
    assert agent_commands
    for args in agent_commands:
        agent_parser().parse_args(args)

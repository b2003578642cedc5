"""`cita-relay check-clinic` on the relay's own machine, against a relay that has an operator token."""

from __future__ import annotations

import os

from test_cli import cita_relay


def test_a_relay_with_an_operator_token_says_how_to_load_it(make_relay):
    """Run on the relay's machine without the token, it said «… define CITA_RELAY_OPERATOR_TOKEN con el mismo valor
    que el relay, o ejecuta el comando en la máquina del relay»: it was already there. Now it says the relay has an
    operator token and how to load it from relay.env; with another token, that it is not the relay's."""
    guarded = make_relay(operator_token="op-secret-1")
    clinic = guarded.add_clinic()
    env = {key: value for key, value in os.environ.items() if key != "CITA_RELAY_OPERATOR_TOKEN"}
    command = ("check-clinic", clinic.name, "--data", str(guarded.settings.data_dir), "--relay", guarded.url)
    without = cita_relay(*command, env=env)
    assert without.returncode == 1
    assert "tiene un token de operador" in without.stdout, without.stdout
    assert ". /etc/cita-relay/relay.env" in without.stdout and "--preserve-env=CITA_RELAY_OPERATOR_TOKEN" in without.stdout
    assert "ejecuta el comando en la máquina del relay" not in without.stdout
    other = cita_relay(*command, env={**env, "CITA_RELAY_OPERATOR_TOKEN": "not-the-one"})
    assert other.returncode == 1 and "no es el del relay" in other.stdout, other.stdout
    assert "not-the-one" not in other.stdout + other.stderr and "op-secret-1" not in other.stdout + other.stderr

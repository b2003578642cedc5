"""`cita-agent forget-secrets` deletes this home's secrets from the keyring, and nothing else."""

import subprocess
import sys
from pathlib import Path

from agent.paths import resolve_paths
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, SecretStore


def _agent(home: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    cli = Path(sys.executable).with_name("cita-agent")
    return subprocess.run([str(cli), "--home", str(home), *args], capture_output=True, text=True, env=env,
                          timeout=60, stdin=subprocess.DEVNULL)


def test_forget_secrets_deletes_both_and_only_with_yes(tmp_path, plaintext_keyring):
    import os

    env = dict(os.environ)  # the fixture selected the file keyring for subprocesses too
    home, other = tmp_path / "agent", tmp_path / "other-agent"
    for h in (home, other):
        store = SecretStore(resolve_paths(h).keyring_service)
        store.set(PORTAL_PASSWORD, "pw-123456")
        store.set(RELAY_TOKEN, "tok-123456")

    refused = _agent(home, "forget-secrets", env=env)
    assert refused.returncode == 2
    assert SecretStore(resolve_paths(home).keyring_service).has(PORTAL_PASSWORD)

    done = _agent(home, "forget-secrets", "--yes", env=env)
    assert done.returncode == 0, done.stderr
    mine, theirs = SecretStore(resolve_paths(home).keyring_service), SecretStore(resolve_paths(other).keyring_service)
    assert not mine.has(PORTAL_PASSWORD) and not mine.has(RELAY_TOKEN)
    assert theirs.has(PORTAL_PASSWORD) and theirs.has(RELAY_TOKEN)


def test_forget_secrets_answers_in_the_agents_language(tmp_path, plaintext_keyring):
    import os

    home = tmp_path / "agent"
    configured = _agent(home, "configure", "--relay", "wss://relay.example.com", "--portal", "demo", "--language",
                        "es", env=dict(os.environ))
    assert configured.returncode == 0, configured.stderr
    refused = _agent(home, "forget-secrets", env=dict(os.environ))
    assert refused.returncode == 2 and "No se borra nada sin --yes" in refused.stderr
    done = _agent(home, "forget-secrets", "--yes", env=dict(os.environ))
    assert done.returncode == 0 and "Se borraron" in done.stdout, done.stdout + done.stderr

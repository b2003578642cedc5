"""The Redis store as the instances and the operator see it: the `cita-relay` commands with --redis, one claim per
delivery across instances, one rotation per refresh token, and a clear error when Redis is not there."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from demo.serving import free_port
from relay.cluster.client import async_client
from relay.cluster.store import RedisClinicAdmin, RedisStore
from relay.store import ClinicDetails, StoreUnavailable

ROOT = Path(__file__).resolve().parents[2]
CITA_RELAY = ROOT / ".venv" / "bin" / "cita-relay"


def cita_relay(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    command = [str(CITA_RELAY)] if CITA_RELAY.exists() else [sys.executable, "-m", "relay.cli"]
    return subprocess.run([*command, *args], input=stdin, capture_output=True, text=True, timeout=60, cwd=ROOT, env=env)


def test_commands_work_on_the_shared_redis(redis_server):
    added = cita_relay(
        "add-clinic",
        "clinica-compartida",
        "--kommo-subdomain",
        "compartida",
        "--kommo-client-id",
        "cid-9",
        "--kommo-secret-stdin",
        "--kommo-token-stdin",
        "--address",
        "Calle 2",
        "--redis",
        redis_server.url,
        stdin="the-shared-secret\nthe-shared-long-lived-token\n",
    )
    assert added.returncode == 0, added.stderr
    token = added.stdout.rstrip("\n").split("\n")[-1]
    assert len(token) >= 40
    assert "the-shared-secret" not in added.stdout + added.stderr
    # Only the token's hash is kept in Redis.
    client = redis_server.client()
    try:
        stored = [client.dump(key) or b"" for key in client.scan_iter("cita:*")]
    finally:
        client.close()
    assert all(token.encode() not in value for value in stored)

    # Another process (another instance's host) sees it through the environment variable.
    env = {**os.environ, "CITA_RELAY_REDIS_URL": redis_server.url}
    rows = json.loads(cita_relay("list-clinics", "--json", env=env).stdout)
    row = next(r for r in rows if r["name"] == "clinica-compartida")
    assert row["kommo_auth"] == "long-lived token" and row["address"] == "Calle 2"
    assert row["kommo_base_url"] == "https://compartida.kommo.com"
    assert (
        cita_relay(
            "add-clinic",
            "clinica-compartida",
            "--kommo-subdomain",
            "x",
            "--kommo-client-id",
            "i",
            "--kommo-secret-stdin",
            stdin="s\n",
            env=env,
        ).returncode
        == 2
    )  # already there

    # A refresh token is tried with the clinic's Kommo before it is stored: here a loopback address nobody answers
    # (never traffic off this machine), so nothing replaces the token the clinic has.
    nobody = f"http://127.0.0.1:{free_port()}/compartida"
    assert cita_relay("set-kommo-account", "clinica-compartida", "--kommo-subdomain", "compartida",
                      "--kommo-base-url", nobody, env=env).returncode == 0
    oauth = cita_relay(
        "set-kommo-oauth",
        "clinica-compartida",
        "--redirect-uri",
        "https://relay.example/oauth",
        stdin="the-shared-refresh-token\n",
        env=env,
    )
    assert oauth.returncode == 1 and "No se pudo llegar a Kommo" in oauth.stderr, oauth.stderr
    assert "the-shared-refresh-token" not in oauth.stdout + oauth.stderr
    rows = json.loads(cita_relay("list-clinics", "--json", env=env).stdout)
    assert next(r for r in rows if r["name"] == "clinica-compartida")["kommo_auth"] == "long-lived token"

    secret = cita_relay("set-kommo-secret", "clinica-compartida", "--kommo-secret-stdin", "--kommo-client-id",
                        "cid-10", stdin="the-right-secret\n", env=env)
    assert secret.returncode == 0, secret.stderr
    assert "the-right-secret" not in secret.stdout + secret.stderr
    stored = RedisClinicAdmin(redis_server.url).clinic("clinica-compartida")
    assert (stored.kommo_client_secret, stored.kommo_client_id) == ("the-right-secret", "cid-10")
    assert cita_relay("set-kommo-secret", "clinica-nadie", "--kommo-secret-stdin", stdin="x\n",
                      env=env).returncode != 0

    assert cita_relay("remove-clinic", "clinica-compartida", env=env).returncode == 0
    rows = json.loads(cita_relay("list-clinics", "--json", env=env).stdout)
    assert "clinica-compartida" not in [r["name"] for r in rows]
    assert cita_relay("remove-clinic", "clinica-compartida", env=env).returncode == 1


def test_a_password_in_the_flag_is_warned_about_and_never_echoed():
    port = free_port()  # nobody listens: the command must say so, without a traceback or the password
    result = cita_relay("list-clinics", "--redis", f"redis://relay:hunter2-secret@127.0.0.1:{port}/0")
    assert result.returncode == 1
    assert "CITA_RELAY_REDIS_URL" in result.stderr and "Redis is unreachable" in result.stderr
    assert "Traceback" not in result.stderr and "hunter2-secret" not in result.stdout + result.stderr


async def test_two_instances_claim_one_delivery_and_rotate_one_token(redis_server):
    admin = RedisClinicAdmin(redis_server.url)
    name = f"store-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    admin.add_clinic(ClinicDetails(name, kommo_subdomain="s", kommo_client_id="i", kommo_client_secret="k"))
    admin.set_oauth_tokens(name, refresh_token="r1", redirect_uri="https://x")
    one = RedisStore(async_client(redis_server.url), conversation_ttl_s=60)
    two = RedisStore(async_client(redis_server.url), conversation_ttl_s=60)
    try:
        now = time.time()
        claims = await asyncio.gather(
            *(
                store.claim_delivery(name, [(f"jti:{i}", now + 60), ("msg:same", now + 0.5)], f"u{i}", now)
                for i, store in enumerate((one, two, one, two))
            )
        )
        assert sum(claim is None for claim in claims) == 1  # one first delivery, three repeats of it
        assert all(claim.reply is None for claim in claims if claim is not None)
        await one.record_reply(name, ["msg:same"], {"data": {"status": "choose_day"}, "execute_handlers": []})
        found = await two.find_delivery(name, ["jti:x", "msg:same"], now)
        assert found.reply == {"data": {"status": "choose_day"}, "execute_handlers": []}
        await asyncio.sleep(0.7)  # the repeat window ran out
        assert await two.claim_delivery(name, [("msg:same", time.time() + 5)], "u9", time.time()) is None

        rotations = await asyncio.gather(
            one.store_rotated_tokens(name, "r1", "a-one", "r-one", now + 86400),
            two.store_rotated_tokens(name, "r1", "a-two", "r-two", now + 86400),
        )
        assert sorted(rotations) == [False, True]
        tokens = await two.kommo_tokens(name)
        assert (tokens.access_token, tokens.refresh_token) in (("a-one", "r-one"), ("a-two", "r-two"))

        await one.save_conversation(name, "lead-1", {"stage": "x"}, now)
        first = await two.conversation_revision(name, "lead-1")
        assert await two.load_conversation(name, "lead-1") == {"stage": "x"}
        await two.keep_turn_state(name, "lead-1", {"stage": "booking"}, now)  # the agent acts: same question
        assert await one.load_conversation(name, "lead-1") == {"stage": "booking"}
        assert await one.conversation_revision(name, "lead-1") == first
        await two.forget_conversation(name, "lead-1", now)
        assert await one.load_conversation(name, "lead-1") is None
        assert await one.conversation_revision(name, "lead-1") not in ("", first)

        # A reply and the conversation's next state land together (one script).
        before = await two.conversation_revision(name, "lead-1")
        assert await one.claim_delivery(name, [("msg:settle", time.time() + 5)], "u10", time.time()) is None
        await one.settle_reply(name, ["msg:settle"], {"data": {"status": "choose_time"}}, "lead-1", {"stage": "y"}, now)
        assert (await two.find_delivery(name, ["msg:settle"], now)).reply == {"data": {"status": "choose_time"}}
        assert await two.load_conversation(name, "lead-1") == {"stage": "y"}
        assert await two.conversation_revision(name, "lead-1") not in ("", before)
        await two.settle_reply(name, ["msg:settle"], {"data": {"status": "booked"}}, "lead-1", None, now)
        assert await one.load_conversation(name, "lead-1") is None
    finally:
        await one.close()
        await two.close()
        admin.remove_clinic(name)
        admin.close_now()


async def test_an_unreachable_redis_is_store_unavailable_not_a_crash():
    store = RedisStore(async_client(f"redis://127.0.0.1:{free_port()}/0"), conversation_ttl_s=60)
    try:
        assert await store.check_writable() is False
        with pytest.raises(StoreUnavailable):
            await store.get_clinic("any")
    finally:
        await store.close()

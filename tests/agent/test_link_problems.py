"""What a person must fix about the relay link is told apart from what retrying cures: a refused agent token, an
address that is not a Cita Bridge relay, a certificate that cannot be trusted, a host name that does not exist.
Against real servers on 127.0.0.1 (the real relay, a plain web server, a TLS websocket server)."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
from pathlib import Path

import pytest
from polling import wait_until
from websockets.asyncio.server import serve

from agent.link import Backoff, RelayLink, describe_failure, failure_kind
from agent.relay_address import normalize_relay_url, normalize_relay_urls
from agent.settings import AgentSettings
from demo.kommo import StandInKommo
from demo.serving import ServerThread, free_port
from relay.app import build_app
from relay.settings import RelaySettings
from relay.store import ClinicDetails, SqliteStore
from wire.messages import Status, encode


def test_relay_addresses_as_people_type_them_are_dialled_right():
    for typed in ("relay.example.com", "https://relay.example.com", "https://relay.example.com/",
                  "wss://relay.example.com/agent", "wss://relay.example.com/agent/", " relay.example.com/agent "):
        assert normalize_relay_url(typed) == "wss://relay.example.com/agent", typed
    assert normalize_relay_url("http://127.0.0.1:8700") == "ws://127.0.0.1:8700/agent"
    assert normalize_relay_url("https://relay.example.com:8443/cita") == "wss://relay.example.com:8443/cita/agent"
    # the clinic's bot address, which every set-up guide shows, pasted as the relay's: the same relay
    assert normalize_relay_url("https://relay.example.com/kommo/clinica-sol") == "wss://relay.example.com/agent"
    assert normalize_relay_url("https://relay.example.com/cita/kommo/oauth/sol/") == "wss://relay.example.com/cita/agent"
    assert normalize_relay_url("HTTPS://relay.example.com/KOMMO/sol") == "wss://relay.example.com/agent"
    assert normalize_relay_url("https://relay.example.com/healthz") == "wss://relay.example.com/agent"
    # one slip in "agent" (it was dialled as …/agnet/agent, a path nobody typed)
    for slip in ("agnet", "agen", "agents", "Agent", "agemt", "gent"):
        assert normalize_relay_url(f"wss://relay.example.com/{slip}") == "wss://relay.example.com/agent", slip
    assert normalize_relay_url("wss://relay.example.com/agenda") == "wss://relay.example.com/agenda/agent"
    assert normalize_relay_urls("a.example.com, https://b.example.com") == (
        "wss://a.example.com/agent, wss://b.example.com/agent"
    )
    assert AgentSettings(relay_url="relay.example.com").relay_urls == ("wss://relay.example.com/agent",)


def test_a_missing_host_name_and_a_bad_certificate_are_problems_to_fix():
    assert failure_kind(socket.gaierror(-2, "Name or service not known")) == "dns"
    assert failure_kind(ssl.SSLCertVerificationError(1, "certificate verify failed")) == "tls"
    assert failure_kind(ConnectionRefusedError(111, "Connection refused")) == ""  # the relay is down: retry
    assert failure_kind(TimeoutError()) == ""
    assert "DNS" in describe_failure(socket.gaierror(-2, "Name or service not known"))


async def _no_answer(text: str) -> str | None:
    return None


def _status() -> str:
    return encode(Status(paused=False, portal="ok", version="test"))


async def problem_of(url: str, token: str, *, ssl_context: ssl.SSLContext | None = None) -> tuple[str, str]:
    """(link.problem, link.detail) once the link failed at least once against ``url``."""
    link = RelayLink([url], lambda: token, _no_answer, _status, backoff=Backoff(first_s=0.05, cap_s=0.2))
    task = asyncio.get_running_loop().create_task(link.run())
    try:
        await wait_until(lambda: link.state != "connected" and link.detail not in ("", "connection lost"))
        return link.problem, link.detail
    finally:
        await link.stop()
        await asyncio.wait_for(task, 30)


@pytest.fixture(scope="module")
def real_relay(tmp_path_factory):
    data = tmp_path_factory.mktemp("relay")
    store = SqliteStore(data / "relay.sqlite3")
    token = store.add_clinic(ClinicDetails("aromos", kommo_subdomain="aromos", kommo_client_id="id",
                                           kommo_client_secret="s" * 32))
    store.close_now()
    server = ServerThread(build_app(RelaySettings(data_dir=data)), ws_per_message_deflate=False).start()
    yield server.url.replace("http://", "ws://"), token
    server.stop()


async def test_a_refused_agent_token_is_told_apart(real_relay):
    url, _token = real_relay
    problem, detail = await problem_of(url + "/agent", "not-the-token")
    assert problem == "token_refused" and "refused the agent token" in detail


async def test_an_address_that_is_not_the_relays_agent_path_is_told_apart(real_relay):
    url, token = real_relay
    problem, detail = await problem_of(url + "/kommo/aromos/agent", token)  # a path the relay has no websocket on
    assert problem == "not_a_relay" and "not a Cita Bridge relay" in detail and "token" not in detail
    kommo = StandInKommo()
    web = kommo.serve()  # a web server that is not a relay at all
    try:
        problem, _ = await problem_of(web.url.replace("http://", "ws://") + "/agent", token)
    finally:
        web.stop()
    assert problem == "not_a_relay"


async def test_a_certificate_that_cannot_be_trusted_is_told_apart(tmp_path: Path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    port = free_port()

    async def handler(connection) -> None:
        await connection.close()

    async with serve(handler, "127.0.0.1", port, ssl=context):
        problem, detail = await problem_of(f"wss://127.0.0.1:{port}/agent", "any")
    assert problem == "tls" and "certificate" in detail


async def test_a_relay_without_tls_reached_as_wss_is_told_as_such_not_as_a_bad_certificate(real_relay):
    """A bare host name is dialled as wss://; a relay of a closed network answers in plain HTTP: "su certificado no
    es de confianza" sent the IT person looking for a certificate that does not exist."""
    url, token = real_relay
    problem, detail = await problem_of(url.replace("ws://", "wss://") + "/agent", token)
    assert problem == "no_tls" and "without TLS" in detail and "certificate" not in detail
    from agent.cli_texts import say

    assert "con ws://" in say(f"link_problem.{problem}", "es")


def test_after_a_lost_connection_the_relay_is_tried_every_few_seconds_spread_by_jitter():
    from agent.link import OUTAGE_FAST_S, outage_retry_delay

    lost = 1000.0
    delays = [outage_retry_delay(60.0, lost, lost + 300.0, "", rng / 100) for rng in range(100)]
    assert min(delays) >= 1.0 and max(delays) <= 4.0  # back within ~4 s of the relay answering again
    assert max(delays) - min(delays) > 2.5  # a thousand clinics are spread over those seconds, not in step
    assert outage_retry_delay(0.5, lost, lost + 1.0, "", 0.9) == 0.5  # never slower than the backoff
    assert outage_retry_delay(60.0, lost, lost + OUTAGE_FAST_S + 1, "", 0.5) == 60.0  # a long outage: backoff
    assert outage_retry_delay(60.0, lost, lost + 10.0, "token_refused", 0.5) == 60.0  # a person must fix it
    assert outage_retry_delay(60.0, None, 10.0, "", 0.5) == 60.0  # never connected yet: the ordinary backoff

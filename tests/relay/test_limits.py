"""Limits that hold under abuse: idle and slow-header floods, oversized frames, too many agent sockets.

The flood runs against `cita-relay serve` in a subprocess with a lowered open-file limit (as an operator's
default 1,024 would be, only smaller), all on loopback: the relay must close what never becomes a request, keep
answering /healthz, and keep its log small (one line a second when accept() runs out of descriptors).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from demo.serving import free_port
from relay.log_throttle import EventThrottle
from wire.messages import MAX_FRAME_BYTES

ROOT = Path(__file__).resolve().parents[2]
CITA_RELAY = Path(sys.executable).with_name("cita-relay")
OPEN_FILES = 160
IDLE_SOCKETS = 300
SLOW_HEADER_SOCKETS = 20
OPERATOR_TOKEN = "limits-test-operator"
OPERATOR = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}


def _low_file_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))


@contextlib.contextmanager
def serve_with_few_files(tmp_path: Path):
    port = free_port()
    log_path = tmp_path / "relay.log"
    env = {**os.environ, "CITA_RELAY_OPERATOR_TOKEN": OPERATOR_TOKEN}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(CITA_RELAY), "serve", "--port", str(port), "--data", str(tmp_path / "data"),
             "--header-timeout", "1", "--idle-timeout", "1"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=ROOT,
            preexec_fn=_low_file_limit,  # noqa: PLW1509 - a plain resource limit, no threads yet
        )
    try:
        yield f"http://127.0.0.1:{port}", port, log_path, process
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


async def healthz_answers(url: str, attempts: int = 60) -> dict:
    async with httpx.AsyncClient(timeout=2.0) as http:
        for _ in range(attempts):
            with contextlib.suppress(httpx.HTTPError):
                response = await http.get(f"{url}/healthz", headers=OPERATOR)
                if response.status_code == 200:
                    return response.json()
            await asyncio.sleep(0.25)
    raise AssertionError("the relay stopped answering /healthz")


def _idle_socket(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setblocking(False)
    return sock


async def _trickle_headers(port: int, stop: asyncio.Event) -> int:
    """Headers one byte at a time, each well inside the idle timeout: how many bytes went before the relay hung up."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = 0
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: relay\r\n")
        for _ in range(200):
            if stop.is_set():
                break
            writer.write(b"X")
            await writer.drain()
            sent += 1
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.3):
                    if await reader.read(1024) == b"":
                        return sent  # closed by the relay
    except (ConnectionError, OSError):
        return sent
    finally:
        writer.close()
    return -1  # never closed


async def _trickle_body(port: int) -> tuple[int, bytes]:
    """A widget_request whose headers are complete and whose body comes one byte at a time: bytes sent before the
    relay hung up (-1: never), and what it answered."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = 0
    answer = b""
    try:
        writer.write(b"POST /kommo/some-clinic HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 400\r\n\r\n{")
        for _ in range(200):
            writer.write(b" ")
            await writer.drain()
            sent += 1
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.3):
                    data = await reader.read(1024)
                    if data == b"":
                        return sent, answer  # closed by the relay
                    answer += data
    except (ConnectionError, OSError):
        return sent, answer
    finally:
        writer.close()
    return -1, answer


async def test_a_widget_request_whose_body_trickles_in_is_answered_408_and_cut_off(tmp_path):
    with serve_with_few_files(tmp_path) as (url, port, log_path, process):
        await healthz_answers(url)
        results = await asyncio.gather(*(_trickle_body(port) for _ in range(5)))
        for sent, answer in results:
            assert 0 <= sent < 200  # the deadline covers the body, not only the headers
            assert answer.startswith(b"HTTP/1.1 408 ") and b'"error":"body_too_slow"' in answer
        assert process.poll() is None
        assert (await healthz_answers(url))["status"] == "ok"
        async with httpx.AsyncClient() as http:
            metrics = (await http.get(f"{url}/metrics", headers=OPERATOR)).text
        assert 'cita_relay_kommo_requests_total{outcome="body_too_slow"} 5.0' in metrics
    assert "Traceback" not in log_path.read_text(errors="replace")


async def test_an_idle_and_slow_header_flood_is_bounded(tmp_path):
    with serve_with_few_files(tmp_path) as (url, port, log_path, process):
        await healthz_answers(url)
        # More idle sockets than the relay may open files, and headers that never end.
        idle = [_idle_socket(port) for _ in range(IDLE_SOCKETS)]
        stop = asyncio.Event()
        trickles = [asyncio.ensure_future(_trickle_headers(port, stop)) for _ in range(SLOW_HEADER_SOCKETS)]
        try:
            health = await healthz_answers(url)
            assert health["status"] == "ok"
            # Every idle socket is closed by the relay (it became no request within the header timeout).
            loop = asyncio.get_running_loop()
            for sock in idle:
                assert await asyncio.wait_for(loop.sock_recv(sock, 1), 60) == b""
            sent = await asyncio.gather(*trickles)
            assert all(0 <= count < 200 for count in sent), sent  # each one cut off long before its end
        finally:
            stop.set()
            for sock in idle:
                sock.close()
        assert process.poll() is None
        assert (await healthz_answers(url))["status"] == "ok"
    text = log_path.read_text(errors="replace")
    assert "Traceback" not in text
    assert len(text) < 20_000, f"{len(text)} bytes of log"
    accept_lines = [line for line in text.splitlines() if "accept_failed" in line]
    assert len(accept_lines) <= 30


async def test_a_frame_over_the_protocol_maximum_closes_the_link_not_the_relay(relay):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    headers = {"Authorization": f"Bearer {clinic.agent_token}"}
    async with connect(relay.ws_url, additional_headers=headers, max_size=None) as big:
        await big.send("x" * (MAX_FRAME_BYTES + 1024))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(big.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # message too big
    reply = await relay.kommo.say(relay.widget_url(clinic), clinic.subdomain, "801", "hola")
    assert reply.body["data"]["status"] == "choose_day" and agent.ops("slots")


async def test_a_clinic_holds_at_most_its_cap_of_agent_sockets(make_relay):
    relay = make_relay(max_agent_sockets_per_clinic=2)
    clinic = relay.add_clinic()
    headers = {"Authorization": f"Bearer {clinic.agent_token}"}
    first = await connect(relay.ws_url, additional_headers=headers)
    second = await connect(relay.ws_url, additional_headers=headers)
    with pytest.raises(InvalidStatus) as refused:
        await connect(relay.ws_url, additional_headers=headers)
    assert refused.value.response.status_code == 429
    await first.close()
    for _ in range(100):  # the relay gives the socket back once it saw the close
        try:
            third = await connect(relay.ws_url, additional_headers=headers)
            break
        except InvalidStatus:
            await asyncio.sleep(0.05)
    else:
        raise AssertionError("a socket given back never became free again")
    await asyncio.gather(second.close(), third.close())
    other = relay.add_clinic()
    await relay.agent(other)  # another clinic is not affected


def test_the_throttle_lets_a_few_lines_through_and_counts_the_rest():
    now = [0.0]
    throttle = EventThrottle(burst=2, per_s=1.0, clock=lambda: now[0])
    assert [throttle.admit("refused") for _ in range(5)] == [0, 0, None, None, None]
    assert throttle.admit("other") == 0
    now[0] = 1.5
    assert throttle.admit("refused") == 3 and throttle.admit("refused") == 0

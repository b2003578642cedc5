"""The clinic's password and tokens stay where they belong: the keyring, and nowhere else."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from e2e_system import new_system
from patient import Patient, buttons, status, texts


class RecordingProxy:
    """A TCP proxy on loopback that keeps every byte between the agent and the relay."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.captured = bytearray()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> RecordingProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            relay_reader, relay_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_writer.close()
            return

        async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while chunk := await reader.read(65536):
                    self.captured.extend(chunk)
                    writer.write(chunk)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()

        await asyncio.gather(pump(client_reader, relay_writer), pump(relay_reader, client_writer))


@pytest.fixture
def watched_system(tmp_path, browser_path):
    from demo.serving import free_port

    relay_port = free_port()
    proxy = RecordingProxy(relay_port).start()
    system = new_system(
        tmp_path, browser_path, relay_port=relay_port, agent_relay_url=f"ws://127.0.0.1:{proxy.port}/agent"
    )
    with system:
        yield system, proxy
    proxy.stop()


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


async def test_the_password_is_nowhere_but_in_the_keyring(watched_system, lead_id):
    system, proxy = watched_system
    patient = Patient(system, lead_id, "Hilda Secreta")
    times = await patient.reach_time_menu()
    assert status(await patient.say(buttons(times)[0])) == "booked", texts(times)
    system.stop_agent()  # flush every log and the journal
    system.stop_relay()

    password = system.config.portal_password.encode()
    keyring_file = system.root / "keyring" / "python_keyring" / "keyring_pass.cfg"
    assert keyring_file.exists(), "the secrets were not stored in the keyring"

    assert proxy.captured, "the proxy saw no traffic between the agent and the relay"
    assert password not in proxy.captured
    leaks = [
        str(path) for path in _files_under(system.root)
        if path != keyring_file and password in path.read_bytes()
    ]
    assert leaks == []
    # The Kommo token and the agent token are secrets too: never in a log.
    for log in [*system.root.glob("*.log"), *(system.agent_home / "logs").glob("*")]:
        content = log.read_bytes()
        for secret in (system.kommo_token, system.kommo_secret, system.agent_token):
            assert secret.encode() not in content, f"a secret is in {log}"

"""A data folder the relay cannot write (read-only file system, disk full, an immutable file) under a patient's
message: Kommo is answered 503 + Retry-After (`store_unavailable`), which it sends again, never a 500, which it
does not; the operator reads one line, not a traceback per request; once the folder is writable the same request
is served. Run against the real relay, with SQLite itself refusing the write."""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
from collections.abc import Callable, Iterator

import httpx
import pytest
from relay_harness import RelayHarness


@contextlib.contextmanager
def immutable_wal(relay: RelayHarness) -> Iterator[None]:
    """The write-ahead log made immutable (``chattr +i``, which holds for root too): SQLite's write fails with
    "disk I/O error", as it does on a file system that turned read-only under the relay."""
    wal = f"{relay.settings.database_path}-wal"
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", wal], capture_output=True).returncode:
        pytest.skip("chattr +i does not work here (not root, or a file system without the flag)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", wal], check=True)


@contextlib.contextmanager
def read_only_connection(relay: RelayHarness) -> Iterator[None]:
    """The relay's own SQLite connection refuses writes: "attempt to write a readonly database"."""
    db = relay.app.state.relay.store._db
    db.execute("PRAGMA query_only=ON")
    try:
        yield
    finally:
        db.execute("PRAGMA query_only=OFF")


@pytest.mark.parametrize("unwritable", [immutable_wal, read_only_connection], ids=["disk_io_error", "read_only"])
async def test_an_unwritable_store_is_a_503_kommo_sends_again_and_the_request_is_served_once_writable(
    relay, kommo, caplog, unwritable: Callable[[RelayHarness], contextlib.AbstractContextManager[None]]
):
    clinic = relay.add_clinic()
    await relay.agent(clinic)
    body, continue_id = kommo.widget_request(
        clinic.subdomain, {"lead_id": "805", "message": "hola", "name": "Ana", "phone": "+56 9 1111 2222"}
    )
    other, _ = kommo.widget_request(
        clinic.subdomain, {"lead_id": "806", "message": "hola", "name": "Luis", "phone": "+56 9 3333 4444"}
    )
    caplog.set_level(logging.INFO)

    async with httpx.AsyncClient(timeout=10) as http:
        with unwritable(relay):
            refused = await http.post(relay.widget_url(clinic), json=body)
            refused_too = await http.post(relay.widget_url(clinic), json=other)
            health = await http.get(f"{relay.url}/healthz")
        again = await http.post(relay.widget_url(clinic), json=body)  # Kommo sends the same request again

    for answer in (refused, refused_too):
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "30"
        assert answer.json()["error"] == "store_unavailable"
    assert health.status_code == 503 and health.json()["status"] == "degraded"
    # One line for the patients' messages refused, saying where; no traceback for each patient's message (and the
    # /healthz probe's own line, below).
    [line] = [r for r in caplog.records if r.getMessage() == "store_unwritable" and "refused" in r.relay_fields]
    assert line.relay_fields["folder"] == str(relay.settings.data_dir) and line.relay_fields["reason"]
    assert not any(r.exc_info for r in caplog.records if r.name.startswith("relay"))

    assert again.status_code == 200, again.text
    continuation = await kommo.wait_for_continuation(continue_id)
    assert continuation.accepted
    assert (await relay.healthz())["status"] == "ok"


async def test_an_unwritable_store_is_logged_even_while_no_patient_writes(relay, caplog):
    """A data folder turned read-only with no Kommo call coming in: /healthz said "degraded", and the log had no
    `store_unwritable` line (the operator's table promises one, with the folder)."""
    caplog.set_level(logging.INFO)
    with read_only_connection(relay):
        async with httpx.AsyncClient(timeout=10) as http:
            for _ in range(3):
                assert (await http.get(f"{relay.url}/healthz")).status_code == 503
    lines = [r for r in caplog.records if r.getMessage() == "store_unwritable"]
    assert len(lines) == 1  # one a minute, not one per probe
    assert lines[0].relay_fields["folder"] == str(relay.settings.data_dir) and lines[0].relay_fields["reason"]


async def test_a_full_disk_is_named_as_such_and_the_turn_is_taken_once_there_is_room(make_relay, kommo, caplog):
    """SQLite's own "database or disk is full" (its page limit reached mid-transaction, which SQLite rolls back by
    itself): the operator's line says "disk full", not what a second rollback would say, and the relay takes turns
    again as soon as there is room."""
    relay = make_relay()
    clinic = relay.add_clinic()
    await relay.agent(clinic, slots_delay_s=0.5)  # turns stay under way, and their rows in the file, meanwhile
    db = relay.app.state.relay.store._db
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count={pages}")  # the file cannot grow: a disk with no room left
    caplog.set_level(logging.INFO)

    served: list[str] = []
    async with httpx.AsyncClient(timeout=10) as http:
        for lead in range(100, 200):  # each accepted turn takes room until one no longer fits
            body, continue_id = kommo.widget_request(
                clinic.subdomain, {"lead_id": str(lead), "message": "hola " * 199, "name": "Ana", "phone": "+56 9 1"}
            )
            refused = await http.post(relay.widget_url(clinic), json=body)
            if refused.status_code != 200:
                break
            served.append(continue_id)
        db.execute(f"PRAGMA max_page_count={pages + 1000}")  # room again
        again = await http.post(relay.widget_url(clinic), json=body)

    assert refused.status_code == 503 and refused.headers["retry-after"] == "30", refused.text
    assert refused.json()["error"] == "store_unavailable"
    [line] = [r for r in caplog.records if r.getMessage() == "store_unwritable"]
    assert line.relay_fields["reason"] == "disk full"
    assert again.status_code == 200, again.text
    for served_id in [*served, continue_id]:  # every patient, the refused one included, gets the bot's answer
        assert (await kommo.wait_for_continuation(served_id)).accepted


async def test_check_clinic_fails_while_the_relay_cannot_write_its_data(relay):
    """"Todo listo" while every patient's message was refused sent the admin away: a ✘ says what is wrong."""
    from test_check_clinic import check_async

    clinic = relay.add_clinic()
    await relay.agent(clinic)
    with read_only_connection(relay):
        checked = await check_async(relay, clinic.name)
    assert checked.returncode == 1, checked.stdout
    assert "✘ Relay: no puede escribir en sus datos" in checked.stdout and "Todo listo" not in checked.stdout
    assert (await check_async(relay, clinic.name)).returncode == 0  # writable again

"""The conformance suite every driver passes, against a seeded instance of its web app.

A driver's test module provides a module-scoped ``target`` fixture (a ``ConformanceTarget``) and imports the tests:

    from conformance import *  # noqa: F403

The tests say what a receptionist and the agent rely on: it logs in; a wrong password is tried once and never again;
an expired session is logged into again by itself; the free slots equal the web app's own truth and have valid ids;
a booking lands once; a slot taken meanwhile by staff is refused with nothing written; a warning dialog is never
accepted; ``find_booking`` finds a booking whose answer was lost; and failure screenshots never show the password.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Protocol

import pytest

from agent.portal.base import (
    SLOT_ID_PATTERN,
    BookingRejected,
    LoginRejected,
    Patient,
    PortalError,
    PortalUnavailable,
    Slot,
    SlotTaken,
)

__all__ = [
    "test_conformance_login",
    "test_conformance_wrong_password_is_never_retried",
    "test_conformance_expired_session_logs_in_again",
    "test_conformance_free_slots_equal_the_web_apps_truth",
    "test_conformance_book",
    "test_conformance_slot_taken_meanwhile_by_staff",
    "test_conformance_slot_taken_by_staff_while_the_bot_saves",
    "test_conformance_warning_dialog_is_never_accepted",
    "test_conformance_find_booking_after_a_lost_answer",
    "test_conformance_screenshots_never_show_the_password",
]

pytestmark = pytest.mark.asyncio(loop_scope="module")

# A script any web app's page runs first: every POST asks confirm() before it is sent, as web apps that only *warn*
# about an overlap do ("¿Guardar de todos modos?"). Dismissed, the POST is never sent.
WARNING_SCRIPT = """
(() => {
  const send = window.fetch.bind(window);
  window.fetch = (url, options) => {
    if (options && String(options.method || "").toUpperCase() === "POST"
        && !window.confirm("Ya hay una cita a esa hora. ¿Guardar de todos modos?")) {
      return Promise.reject(new TypeError("cancelled by the user"));
    }
    return send(url, options);
  };
})();
"""
INPUT_VALUES = "() => Array.from(document.querySelectorAll('input, textarea')).map((f) => f.value)"


class ConformanceTarget(Protocol):
    password: str
    save_url_glob: str  # the request that saves an appointment, for Playwright's route()

    def make(self, work_dir: Path, *, password: str | None = None, timeout_s: float = 20) -> Any:
        """A driver of this web app, not started."""

    def truth(self, days: int) -> list[dict[str, str]]:
        """The web app's own free slots (Slot.to_json() each), as it would offer them."""

    def logins(self) -> int:
        """Login attempts the web app has received so far."""

    def expire_sessions(self) -> None:
        """End every session, as the web app does after a while."""

    def appointments_with(self, reference: str) -> list[Any]:
        """The appointments the web app holds that carry ``reference``."""

    async def take_as_staff(self, slot: Slot, work_dir: Path) -> None:
        """Book ``slot`` for another patient through the web app's own staff screens."""


def patient() -> Patient:
    return Patient("Paciente Conformidad", "+56 9 5555 0101")


def reference() -> str:
    return f"conf-{uuid.uuid4().hex[:10]}"


async def test_conformance_login(target, tmp_path):
    async with target.make(tmp_path) as driver:
        await driver.login()


async def test_conformance_wrong_password_is_never_retried(target, tmp_path):
    before = target.logins()
    async with target.make(tmp_path, password="not-the-password-0") as driver:
        with pytest.raises(LoginRejected):
            await driver.login()
        assert target.logins() == before + 1
        with pytest.raises(LoginRejected):
            await driver.free_slots(3)
        assert target.logins() == before + 1  # the refusal is repeated, the web app is not asked again


async def test_conformance_expired_session_logs_in_again(target, tmp_path):
    async with target.make(tmp_path) as driver:
        await driver.free_slots(2)
        before = target.logins()
        target.expire_sessions()
        slots = await driver.free_slots(14)
        assert target.logins() == before + 1
    assert [s.to_json() for s in slots] == target.truth(14)


async def test_conformance_free_slots_equal_the_web_apps_truth(target, tmp_path):
    async with target.make(tmp_path) as driver:
        slots = await driver.free_slots(14)
    assert slots, "the seeded web app has free slots"
    assert [s.to_json() for s in slots] == target.truth(14)
    assert all(SLOT_ID_PATTERN.fullmatch(s.id) for s in slots)
    assert all(s.start.utcoffset() is not None and s.end > s.start for s in slots)
    assert slots == sorted(slots, key=lambda s: (s.start, s.professional))


async def test_conformance_book(target, tmp_path):
    ref = reference()
    async with target.make(tmp_path) as driver:
        slot = (await driver.free_slots(14))[1]
        booking = await driver.book(slot.id, patient(), ref)
        assert booking.slot == slot and booking.patient.name == patient().name
        assert await driver.find_booking(slot.id, ref) == booking
        assert slot.id not in {s.id for s in await driver.free_slots(14)}
    assert len(target.appointments_with(ref)) == 1


async def test_conformance_slot_taken_meanwhile_by_staff(target, tmp_path):
    ref = reference()
    async with target.make(tmp_path) as driver:
        slot = (await driver.free_slots(14))[4]
        await target.take_as_staff(slot, tmp_path / "staff")
        with pytest.raises(SlotTaken):
            await driver.book(slot.id, patient(), ref)
        assert await driver.find_booking(slot.id, ref) is None
    assert target.appointments_with(ref) == []


async def test_conformance_slot_taken_by_staff_while_the_bot_saves(target, tmp_path):
    """Staff saves the same time after the driver's last look, before its save reaches the web app (a web app that
    keeps overlaps from staff without a word): one patient at that time, the desk's; the bot's is not kept."""
    ref = reference()
    async with target.make(tmp_path, timeout_s=40) as driver:
        slot = (await driver.free_slots(14))[10]
        held: list[str] = []

        async def staff_saves_first(route):
            if route.request.method == "POST" and not held:
                held.append(route.request.url)
                await target.take_as_staff(slot, tmp_path / "staff")
            await route.continue_()

        await driver._context.route(target.save_url_glob, staff_saves_first)
        try:
            with pytest.raises(SlotTaken):
                await driver.book(slot.id, patient(), ref)
        finally:
            await driver._context.unroute(target.save_url_glob)
        assert held, "the bot's save went through the held route"
        assert await driver.find_booking(slot.id, ref) is None
        assert slot.id not in {s.id for s in await driver.free_slots(14)}  # the desk's appointment is there
    assert target.appointments_with(ref) == []


async def test_conformance_warning_dialog_is_never_accepted(target, tmp_path):
    ref = reference()
    async with target.make(tmp_path, timeout_s=6) as driver:
        slot = (await driver.free_slots(14))[6]
        await driver._context.add_init_script(WARNING_SCRIPT)
        with pytest.raises(BookingRejected) as refused:
            await driver.book(slot.id, patient(), ref)
        assert refused.value.nothing_written
        assert driver.dismissed_dialogs and "de todos modos" in driver.dismissed_dialogs[-1]
    assert target.appointments_with(ref) == []


async def test_conformance_find_booking_after_a_lost_answer(target, tmp_path):
    """The web app saves the appointment but its answer never reaches the browser."""
    ref = reference()
    async with target.make(tmp_path, timeout_s=8) as driver:
        slot = (await driver.free_slots(14))[8]

        async def saved_then_lost(route):
            await route.fetch()  # the web app receives it and saves
            await route.abort("connectionreset")  # the answer is lost on the way back

        await driver._context.route(target.save_url_glob, saved_then_lost)
        try:
            try:
                outcome = await driver.book(slot.id, patient(), ref)
            except PortalError as unclear:
                assert not unclear.nothing_written  # it cannot know: reconciliation must look
                outcome = None
        finally:
            await driver._context.unroute(target.save_url_glob)
        found = await driver.find_booking(slot.id, ref)
    assert found is not None and found.slot.id == slot.id
    assert outcome is None or outcome.id == found.id
    assert len(target.appointments_with(ref)) == 1


async def test_conformance_screenshots_never_show_the_password(target, tmp_path):
    """The login's answer never comes: the failure is photographed with the password typed in the form."""
    async with target.make(tmp_path, timeout_s=4) as driver:
        await driver.start()

        async def never_answer(route):
            if route.request.method == "POST":
                await route.abort("timedout")
            else:
                await route.continue_()

        await driver._context.route(lambda url: "login" in url, never_answer)
        with pytest.raises(PortalUnavailable) as down:
            await driver.login()
        values = await driver._page.evaluate(INPUT_VALUES)
    assert down.value.screenshot is not None and Path(down.value.screenshot).exists()
    assert all(target.password not in value for value in values)
    assert target.password not in str(down.value)
    for path in tmp_path.rglob("*"):
        assert target.password not in path.name

